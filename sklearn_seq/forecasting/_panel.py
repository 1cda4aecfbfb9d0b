"""One global forecaster for many series held in a long table."""

import warnings
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._persistence import register
from ._conformal import ConformalMixin
from ._table import (
    FeatureEncoder,
    Layout,
    as_pandas,
    infer_step,
    like_input,
    series_arrays,
    time_range,
)
from ._windows import WindowsMixin

__all__ = ["PanelForecaster"]


def _columns_constraint():
    return [str, "array-like", None]


class PanelForecaster(ConformalMixin, WindowsMixin, BaseEstimator):
    """Forecast many series at once with one global model, from a long table.

    The table has one row per series and time step: an id column, a time column,
    the target and, optionally, covariates (as neuralforecast's ``unique_id`` /
    ``ds`` / ``y``; the names are parameters). :meth:`fit` cuts every series into
    windows of ``window`` steps followed by ``horizon`` steps to forecast (windows
    never cross two series), scales each window's target by its own level and
    spread so that a large store does not swamp a small one, and trains one
    ``estimator`` on the windows of all series. :meth:`predict` forecasts the
    ``horizon`` steps after the end of every series and returns a tidy table with
    real time stamps; with ``level``, the intervals are calibrated by split
    conformal prediction on forecasts of data the model did not see::

        series A   a a a a a a a a a a | . . .       window=4, horizon=3
        windows    [a a a a]a a a                    one row of X per origin,
                     [a a a a]a a a                  its target the next 3 steps
                            ...    [a a a a]a a a
        predict                           [a a a a] -> A at t+1, t+2, t+3

    Covariates are read as :func:`~sklearn_seq.preprocessing.make_windows` reads
    them: past covariates up to the end of each window; future covariates
    (calendar, planned promotions) ``horizon`` steps ahead, so the last steps of a
    window carry their values on the forecast days; static covariates (store size,
    category) on every step. Non-numeric covariates are one-hot encoded with the
    categories seen in ``fit``.

    Parameters
    ----------
    estimator : estimator, default=None
        The regressor trained on the windows, reading ``X`` of shape
        ``(n_windows, window, n_features)`` and ``y`` of shape
        ``(n_windows, horizon)``: an :class:`AttentionForecaster` (None:
        ``AttentionForecaster(max_iter="auto")``, its other defaults: 100 epochs
        at most, fewer on a large panel) or any recurrent regressor of this package.
    horizon : int, default=1
        Steps forecast after the end of each series.
    window : int or "auto", default="auto"
        Steps of history per forecast: "auto" takes three seasons or twice the
        horizon, whichever is longer (at least 8), capped so that the shortest
        series still gives a window (and, with ``level``, one more after the
        steps held back to calibrate). With future covariates it must be at
        least ``horizon`` (they ride on the window's last ``horizon`` steps).
    id_col : str or None, default="unique_id"
        Column naming the series; None for a table of one series.
    time_col : str or None, default="ds"
        Column of time stamps (dates at a regular frequency, or evenly spaced
        numbers); None when the rows of each series are consecutive steps in order.
    target : str, default="y"
        Column to forecast.
    past_covariates, future_covariates, static_covariates : str, list of str or None
        Columns known up to the present, known ``horizon`` steps ahead, and
        constant per series.
    scaling : {"window", "series"} or None, default="window"
        How the target is scaled per series before training: by the mean and
        standard deviation of each window (which follows changes in level, as
        RevIN does), of each series' history, or not at all. Forecasts are mapped
        back to the units of the target.
    linear : bool, default=True
        First forecast each window linearly from its scaled target values and
        the future covariates of the forecast steps (a ridge regression, its
        penalty chosen by efficient leave-one-out), and
        train ``estimator`` on what that forecast misses (the highway of LSTNet,
        NLinear): trends and seasons come out of the linear part, and the
        network learns the rest (see the Notes for what it did on real series).
    target_transform : {"log"} or None, default=None
        ``"log"`` forecasts the logarithm of a positive target (multiplicative
        seasonality and growth, as in sales) and maps forecasts and intervals back
        with ``exp``.
    season_length : int, default=1
        Steps per season (7 for daily data with a weekly cycle, 12 for monthly):
        sets ``window="auto"`` and the seasonal-naive scale of :meth:`score`.
    level : array-like of float or None, default=None
        Coverages of the prediction intervals, in percent (e.g. ``(80, 95)``).
    calibration_windows : int or "auto", default="auto"
        Forecast origins per series held back to calibrate the intervals (the last
        ones of each series, with ``horizon`` steps each). "auto" takes enough for
        the highest ``level`` to be reachable (at least 1 / (1 - level) - 1
        forecasts in all) and at least ``horizon``, fewer when the series are too
        short to hold them back (a warning says when the errors are too few).
    stride : int, default=1
        Steps between the origins of consecutive training windows.
    freq : str or None, default=None
        pandas frequency of the time column ("D", "W-SUN", "MS", ...); None
        infers it. Ignored for numeric time.
    random_state : int, RandomState instance or None, default=None
        Seeds the estimator (its ``random_state``), for reproducible fits.

    Attributes
    ----------
    estimator_ : estimator
        The fitted regressor, trained on the windows of all series.
    window_ : int
        The window used.
    freq_ : str or number
        The time step of the series.
    ids_ : ndarray
        Ids of the series seen in ``fit`` (the model forecasts any series).
    linear_coef_ : ndarray of shape (horizon, `window_` + horizon * n_future) or None
        The linear forecast's weights of each window step (scaled units), then of
        the future covariates of each forecast step.
    linear_intercept_ : ndarray of shape (horizon,) or None
        Its intercepts.
    interval_scores_ : ndarray of shape (n_levels, horizon) or None
        Calibrated half-widths of the intervals per horizon step, in units of each
        series' mean absolute step-to-step change.
    n_calibration_forecasts_ : int
        Forecasts the calibration was computed from (0 without ``level``); without
        future covariates, with the ``horizon - 1`` partial ones after the last.

    See Also
    --------
    RollingOriginSplit : Honest backtest folds, for grid search.
    backtest : Rolling-origin evaluation with metrics per horizon step.
    AttentionForecaster : The default estimator.

    Notes
    -----
    The intervals are split-conformal: with ``level``, a first model is fitted on
    every series but its last ``calibration_windows + horizon - 1`` steps and
    forecasts from each origin in them (the last ones score the steps before the
    end). The absolute errors, in units of each
    series' mean absolute change and divided by the typical error of their step
    (shrunk toward a square-root law in the step), are pooled over steps and
    series: one quantile per coverage (its finite-sample correction counting
    ``n / sqrt(horizon)`` of the ``n`` correlated errors) times each step's typical
    error gives the half-widths, so that a short series calibrates from every error
    of its held-back stretch. The final model is then fitted on all the data. The
    coverage holds on average over series and origins when the
    future behaves as the calibration stretch did.

    With ``linear=True``, on eleven real series (airline, shampoo, sunspots, lynx,
    nile and six macroeconomic series, their last points held out) the ridge plus
    network forecasts had a geometric-mean MASE 0.83 times statsmodels'
    exponential smoothing and 0.98 times ARIMA; the network alone, 0.90 times
    exponential smoothing (one study, five seeds; ``benchmarks/bench_forecast.py``
    compares the defaults with seasonal naive and exponential smoothing).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn_seq.forecasting import AttentionForecaster, PanelForecaster
    >>> t = np.arange(120)
    >>> table = pd.DataFrame({
    ...     "unique_id": np.repeat(["a", "b"], 60),
    ...     "ds": np.tile(pd.date_range("2024-01-01", periods=60), 2),
    ...     "y": np.r_[10 + np.sin(t[:60]), 100 + 10 * np.sin(t[:60])]})
    >>> model = PanelForecaster(AttentionForecaster(hidden_size=8, max_iter=5),
    ...                         horizon=3, window=14, random_state=0).fit(table)
    >>> forecast = model.predict(table)
    >>> forecast.shape, list(forecast.columns)
    ((6, 3), ['unique_id', 'ds', 'forecast'])
    >>> forecast["ds"].iloc[0]
    Timestamp('2024-03-01 00:00:00')
    """

    # The safe format (sklearn_seq.save) stores these, and the fitted estimator_ as a
    # model file of its own.
    _fitted_attributes = {
        "window_": "int",
        "freq_": "str_or_number",
        "ids_": "array",
        "categories_": "dict",
        "interval_scores_": "array_or_none",
        "linear_coef_": "array_or_none",
        "linear_intercept_": "array_or_none",
        "n_calibration_forecasts_": "int",
        "n_features_per_step_": "int",
    }
    _nested_estimators = {"estimator": "estimator_"}

    _parameter_constraints = {
        "estimator": [None, HasMethods(["fit", "predict"])],
        "horizon": [Interval(Integral, 1, None, closed="left")],
        "window": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "id_col": [str, None],
        "time_col": [str, None],
        "target": [str],
        "past_covariates": _columns_constraint(),
        "future_covariates": _columns_constraint(),
        "static_covariates": _columns_constraint(),
        "scaling": [StrOptions({"window", "series"}), None],
        "linear": ["boolean"],
        "target_transform": [StrOptions({"log"}), None],
        "season_length": [Interval(Integral, 1, None, closed="left")],
        "level": ["array-like", None],
        "calibration_windows": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "stride": [Interval(Integral, 1, None, closed="left")],
        "freq": [str, None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        horizon=1,
        window="auto",
        id_col="unique_id",
        time_col="ds",
        target="y",
        past_covariates=None,
        future_covariates=None,
        static_covariates=None,
        scaling="window",
        linear=True,
        target_transform=None,
        season_length=1,
        level=None,
        calibration_windows="auto",
        stride=1,
        freq=None,
        random_state=None,
    ):
        self.estimator = estimator
        self.horizon = horizon
        self.window = window
        self.id_col = id_col
        self.time_col = time_col
        self.target = target
        self.past_covariates = past_covariates
        self.future_covariates = future_covariates
        self.static_covariates = static_covariates
        self.scaling = scaling
        self.linear = linear
        self.target_transform = target_transform
        self.season_length = season_length
        self.level = level
        self.calibration_windows = calibration_windows
        self.stride = stride
        self.freq = freq
        self.random_state = random_state

    # -- the table -------------------------------------------------------------------

    def _layout(self):
        return Layout(
            self.id_col, self.time_col, self.target,
            self.past_covariates, self.future_covariates, self.static_covariates,
        )

    def _read(self, X, *, fitting):
        """``[(id, rows, (target, past, future, static))]`` of every series of ``X``."""
        frame = as_pandas(X)
        layout = self._layout()
        layout.check(frame)
        series = layout.sorted_series(frame)
        if fitting:
            self.freq_ = infer_step(layout, series, self.freq)
            self.categories_ = {}
            for cols in (layout.past, layout.future, layout.static):
                self.categories_.update(FeatureEncoder().fit(frame, cols).categories)
        else:
            infer_step(layout, series, self.freq_)
        out = []
        for key, rows in series:
            target, past, future, static = series_arrays(layout, rows, self._encoders())
            out.append((key, rows, [self._transform(target, key), past, future, static]))
        return out

    def _encoders(self):
        layout = self._layout()
        return {
            key: FeatureEncoder(cols, self.categories_)
            for key, cols in (("past", layout.past), ("future", layout.future),
                              ("static", layout.static))
        }

    def _transform(self, target, key=None):
        if self.target_transform is None:
            return target
        if np.any(target <= 0):
            raise ValueError(
                "target_transform='log' needs a positive target"
                + ("" if key is None else f"; series {key!r} has values <= 0")
                + ". Use target_transform=None, or shift the series."
            )
        return np.log(target)

    def _inverse(self, values):
        return values if self.target_transform is None else np.exp(values)

    def _resolve_window(self, lengths, calibrating):
        if self.window != "auto":
            return int(self.window)
        wanted = max(3 * self.season_length, 2 * self.horizon, 8)
        # Leave the shortest series room for a few training windows, after the
        # steps that calibrating the intervals holds back (at least a horizon).
        room = min(lengths) - self.horizon * (2 if calibrating else 1) - 4
        return int(max(2, min(wanted, room)))

    # -- public API ----------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit the global model on every series of the long table ``X``.

        Parameters
        ----------
        X : pandas or polars DataFrame
            The long table: id, time, target and covariate columns.
        y : None
            Ignored: the target is the column ``target`` of ``X``.

        Returns
        -------
        self : PanelForecaster
            The fitted forecaster.
        """
        levels = self._levels()
        series = self._read(X, fitting=True)
        self.ids_ = pd.Index([key for key, _, _ in series]).to_numpy()
        self.window_ = self._resolve_window([len(p[0]) for _, _, p in series],
                                            calibrating=levels is not None)
        if self._layout().future and self.window_ < self.horizon:
            raise ValueError(
                f"window={self.window_} is shorter than horizon={self.horizon}: a window "
                "carries the future covariates of the days it forecasts on its last "
                "steps, so it needs at least horizon steps. Use window >= horizon."
            )
        short = sum(len(p[0]) < self.window_ + self.horizon for _, _, p in series)
        if short:
            warnings.warn(
                f"{short} of {len(series)} series are shorter than window + horizon = "
                f"{self.window_ + self.horizon} steps and give no training window.",
                UserWarning, stacklevel=2,
            )
        self.n_calibration_forecasts_ = 0
        self.interval_scores_ = None if levels is None else self._calibrate(series, levels)
        self.estimator_, self.linear_coef_, self.linear_intercept_ = self._fit_estimator(series)
        self.n_features_per_step_ = 1 + sum(e.n_features for e in self._encoders().values())
        return self

    def _future_parts(self, series, future):
        """Future covariates of the ``horizon`` steps after each series, from ``future``."""
        layout = self._layout()
        if not layout.future:
            return [np.zeros((self.horizon, 0))] * len(series)
        if future is None:
            raise ValueError(
                f"This model reads future covariates {layout.future}: pass their values "
                f"for the {self.horizon} steps after each series as future=, a table with "
                "the id and time columns."
            )
        frame = as_pandas(future, "future")
        layout.check(frame, with_target=False, covariates=layout.future)
        by_id = dict(layout.sorted_series(frame))
        out = []
        for key, rows, _ in series:
            wanted = self._next_times(rows)
            got = by_id.get(key)
            if layout.time_col is not None and got is not None:
                got = got.set_index(layout.time_col).reindex(wanted)
            if got is None or len(got) < self.horizon or got[layout.future].isna().any().any():
                raise ValueError(
                    f"future has no values of {layout.future} for every one of the "
                    f"{self.horizon} steps after series {key!r} (from {wanted[0]})."
                )
            out.append(self._encoders()["future"].transform(got.iloc[: self.horizon]))
        return out

    def _next_times(self, rows):
        if self.time_col is None:
            return np.arange(len(rows), len(rows) + self.horizon)
        last = rows[self.time_col].iloc[-1]
        return time_range(last, self.horizon + 1, self.freq_)[1:]

    def predict(self, X, future=None):
        """Forecast the ``horizon`` steps after the end of every series of ``X``.

        Parameters
        ----------
        X : pandas or polars DataFrame
            The history: a long table as in ``fit`` (at least ``window_`` steps
            per series; any series, seen in ``fit`` or not).
        future : pandas or polars DataFrame, default=None
            Values of the future covariates for the ``horizon`` steps after each
            series (id, time and the ``future_covariates`` columns). Needed when
            the model has future covariates.

        Returns
        -------
        forecast : DataFrame
            One row per series and forecast step: the id and time columns (time
            stamps continue each series at its frequency; ``"step"`` when
            ``time_col`` is None), ``"forecast"``, and ``"lower_<level>"`` /
            ``"upper_<level>"`` per interval level. A polars table for polars input.
        """
        check_is_fitted(self)
        series = self._read(X, fitting=False)
        short = [key for key, _, p in series if len(p[0]) < self.window_]
        if short:
            raise ValueError(
                f"Series {short[0]!r} has fewer steps than window_ = {self.window_}; "
                "give each series at least that much history."
            )
        futures = self._future_parts(series, future)
        parts = [p for _, _, p in series]
        ends = [len(p[0]) for p in parts]
        pred = self._forecast(self._model(), parts, ends, futures)
        columns = self._frame_keys(series)
        columns["forecast"] = self._inverse(pred).ravel()
        if self.interval_scores_ is not None:
            units = np.array([self._unit(p[0]) for p in parts])[:, None]
            for lvl, width in zip(self._levels(), self.interval_scores_):
                half = width[None, :] * units
                name = f"{lvl:g}"
                columns[f"lower_{name}"] = self._inverse(pred - half).ravel()
                columns[f"upper_{name}"] = self._inverse(pred + half).ravel()
        return like_input(pd.DataFrame(columns), X)

    def _frame_keys(self, series):
        columns = {}
        if self.id_col is not None:
            columns[self.id_col] = np.repeat(
                np.asarray([k for k, _, _ in series], dtype=object), self.horizon
            )
        times = [self._next_times(rows) for _, rows, _ in series]
        columns[self.time_col or "step"] = np.concatenate([np.asarray(t) for t in times])
        return columns

    def score(self, X, y=None):
        """Minus the mean absolute scaled error (MASE) of the last ``horizon`` steps.

        Each series of ``X`` is forecast from all but its last ``horizon`` steps and
        the forecasts compared with those steps, in units of the series' mean
        absolute seasonal-naive error over its history (``season_length``): 1 is
        as good as repeating the last season. Higher is better, as scikit-learn's
        searches expect; :class:`RollingOriginSplit` gives test folds that hold the
        history and the steps to score.

        Parameters
        ----------
        X : pandas or polars DataFrame
            A long table; each series needs ``window_ + horizon`` steps.
        y : None
            Ignored.

        Returns
        -------
        score : float
            ``-MASE``, averaged over series and horizon steps.
        """
        check_is_fitted(self)
        series = self._read(X, fitting=False)
        parts, raw = [], []
        for key, rows, p in series:
            if len(p[0]) >= self.window_ + self.horizon:
                parts.append(p)
                raw.append(rows[self.target].to_numpy(dtype=np.float64))
        if not parts:
            raise ValueError(
                f"No series has window_ + horizon = {self.window_ + self.horizon} steps "
                "to score a forecast of its last steps."
            )
        ends = [len(p[0]) - self.horizon for p in parts]
        pred = self._inverse(self._forecast(self._model(), parts, ends))
        errors = []
        for i, values in enumerate(raw):
            history, actual = values[: ends[i]], values[ends[i]:]
            errors.append(np.mean(np.abs(actual - pred[i])) / seasonal_scale(
                history, self.season_length))
        return -float(np.mean(errors))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # A long table (pandas or polars) with ids, times and categorical covariates;
        # a bare array is refused (it has no columns to name).
        tags.input_tags.two_d_array = False
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        return tags


def seasonal_scale(history, season_length):
    """Mean absolute error of the seasonal-naive forecast over ``history`` (the MASE
    denominator); lag 1 when the history is shorter than two seasons."""
    m = season_length if len(history) > season_length else 1
    diffs = np.abs(history[m:] - history[:-m])
    scale = float(diffs.mean()) if diffs.size else 0.0
    return scale if scale > 0 else (float(np.abs(history).mean()) or 1.0)


register(PanelForecaster)
