"""The windows of a ``PanelForecaster``: where they start, their scaling, the
global estimator fitted on them (with the linear forecast beside it) and the
forecasts read from them."""

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import RidgeCV
from sklearn.utils import check_random_state

from ._attention import AttentionForecaster
from ._table import step_features, training_windows


class WindowsMixin:
    """The window half of ``PanelForecaster``: it reads the forecaster's parameters
    (``horizon``, ``stride``, ``scaling``, ``linear``, ``estimator``,
    ``random_state``), its ``window_`` and fitted model, and its ``_encoders``."""

    def _origins(self, n, cut=0):
        """Origins (first forecast step) of the training windows of a series of ``n``
        steps of which the last ``cut`` are held back; the last origin ends the data."""
        last = n - cut - self.horizon
        if last < self.window_:
            return np.zeros(0, dtype=np.int64)
        return np.arange(last, self.window_ - 1, -self.stride)[::-1]

    def _scale(self, X, target_history):
        """Standardise the target (feature 0) of windows ``X`` in place; return
        ``(location, scale)`` of each window, shape (n_windows, 1)."""
        n = X.shape[0]
        if self.scaling is None:
            return np.zeros((n, 1)), np.ones((n, 1))
        fallback = float(np.std(target_history)) or 1.0
        if self.scaling == "series":
            loc = np.full((n, 1), float(np.mean(target_history)))
            scale = np.full((n, 1), fallback)
        else:
            loc = X[:, :, 0].mean(axis=1, keepdims=True)
            scale = X[:, :, 0].std(axis=1, keepdims=True)
            scale = np.where(scale > 1e-6 * fallback, scale, fallback)
        X[:, :, 0] = (X[:, :, 0] - loc) / scale
        return loc, scale

    def _windows(self, series, cut=0):
        """Scaled training windows and targets of all series, holding back ``cut``
        steps of each."""
        Xs, ys = [], []
        for _, _, (target, past, future, static) in series:
            origins = self._origins(len(target), cut)
            if origins.size == 0:
                continue
            X, y = training_windows(target, past, future, static, self.window_,
                                    self.horizon, origins)
            loc, scale = self._scale(X, target[: len(target) - cut])
            Xs.append(X)
            ys.append((y - loc) / scale)
        if not Xs:
            raise ValueError(
                f"No series is long enough for one window of {self.window_} steps and "
                f"{self.horizon} to forecast" + (f" (holding back {cut} steps to "
                "calibrate the intervals)" if cut else "") + "; lower window, horizon "
                "or calibration_windows, or give longer series."
            )
        return np.concatenate(Xs).astype(np.float32), np.concatenate(ys).astype(np.float32)

    def _fit_estimator(self, series, cut=0):
        """``(estimator, linear coefficients, linear intercepts)`` fitted on the windows
        of ``series`` (holding back ``cut`` steps of each); no coefficients without
        ``linear``."""
        X, y = self._windows(series, cut)
        coef = intercept = None
        if self.linear:
            # The linear forecast from the window's scaled target, and the estimator
            # on what it misses (LSTNet's highway; NLinear).
            ridge = RidgeCV(alphas=np.logspace(-3, 3, 13)).fit(
                _linear_inputs(X, self.horizon, self._n_future()), y.astype(np.float64)
            )
            coef, intercept = ridge.coef_.reshape(self.horizon, -1), np.ravel(ridge.intercept_)
            y = (y - _linear(X, coef, intercept, self.horizon)).astype(np.float32)
        # The default network trains on the residual of the linear forecast: at 100
        # epochs it overfits the few windows of short series less than at 200;
        # "auto" keeps those 100 but fewer on a large panel (bounded fit time).
        est = AttentionForecaster(max_iter="auto") if self.estimator is None else clone(
            self.estimator
        )
        if self.random_state is not None and "random_state" in est.get_params():
            seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
            est.set_params(random_state=seed)
        return est.fit(X, y), coef, intercept

    def _forecast(self, model, parts, end, future=None):
        """Forecasts ``(n_series, horizon)`` (transformed units) from the ``end`` first
        steps of each series in ``parts``; ``future`` gives each series' future
        covariates for the horizon (default: the steps after ``end`` in ``parts``)."""
        Xs, locs, scales = [], [], []
        for i, (target, past, fut, static) in enumerate(parts):
            n = end[i]
            fut_rows = fut[: n + self.horizon] if future is None else np.concatenate(
                [fut[:n], future[i]]
            )
            # The features of the window's own steps only (its future covariates run
            # horizon steps past them).
            first = n - self.window_
            X = step_features(target[first:n], past[first:n], fut_rows[first:], static,
                              self.horizon)[None]
            loc, scale = self._scale(X, target[:n])
            Xs.append(X)
            locs.append(loc)
            scales.append(scale)
        X = np.concatenate(Xs).astype(np.float32)
        estimator, coef, intercept = model
        z = np.asarray(estimator.predict(X), dtype=np.float64).reshape(len(parts), -1)
        if coef is not None:
            z = z + _linear(X, coef, intercept, self.horizon)
        return z * np.concatenate(scales) + np.concatenate(locs)

    def _n_future(self):
        return self._encoders()["future"].n_features

    def _model(self):
        return self.estimator_, self.linear_coef_, self.linear_intercept_


def _linear_inputs(X, horizon, n_future):
    """What the linear forecast reads: each window's scaled target, and the future
    covariates of the steps it forecasts (the last ``n_future`` features of its last
    ``horizon`` steps), so that a planned promotion lifts its own day."""
    parts = [X[:, :, 0]]
    if n_future:
        parts.append(X[:, -horizon:, -n_future:].reshape(len(X), -1))
    return np.concatenate(parts, axis=1).astype(np.float64)


def _linear(X, coef, intercept, horizon):
    """The linear forecast ``(n_windows, horizon)`` of windows ``X``."""
    n_future = (coef.shape[1] - X.shape[1]) // horizon
    return _linear_inputs(X, horizon, n_future) @ coef.T + intercept

