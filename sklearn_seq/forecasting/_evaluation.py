"""Rolling-origin evaluation of forecasters: folds for scikit-learn's searches, and
metrics per horizon step."""

from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import BaseCrossValidator
from sklearn.utils import Bunch
from sklearn.utils._param_validation import Interval, validate_params

from ._panel import seasonal_scale
from ._table import Layout, as_pandas

__all__ = ["RollingOriginSplit", "backtest"]


class RollingOriginSplit(BaseCrossValidator):
    """Rolling-origin folds of a long table, each test fold with its real history.

    Fold ``k`` cuts every series at an origin: the training fold is each series
    up to its origin, and the test fold is each series up to ``horizon`` steps
    past it. The test fold thus holds the history that the forecast is made from
    as well as the steps it is scored on, so no forecast is scored on padding or
    on a shortened window; :meth:`PanelForecaster.score` forecasts the last
    ``horizon`` steps of each series of the test fold. Origins are counted from
    the end of each series, the last fold ending where the data end::

        series     x x x x x x x x x x x x         n_splits=3, horizon=2, step=2
        fold 0     t t t t t t s s                 t: train, s: scored
        fold 1     t t t t t t t t s s             (a test fold also holds the
        fold 2     t t t t t t t t t t s s          t rows before its s rows)

    Parameters
    ----------
    n_splits : int, default=3
        Number of origins (folds).
    horizon : int, default=1
        Steps scored after each origin; the forecaster's ``horizon``.
    step : int or None, default=None
        Steps between consecutive origins; None takes ``horizon`` (scored
        stretches that touch without overlapping).
    id_col : str or None, default=None
        Column naming the series in a DataFrame ``X``; None reads ``groups``, or
        the whole table as one series.
    time_col : str or None, default=None
        Column giving the order of the steps; None keeps the row order.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn_seq.forecasting import RollingOriginSplit
    >>> table = pd.DataFrame({"y": np.arange(10.0)})
    >>> for train, test in RollingOriginSplit(n_splits=2, horizon=3).split(table):
    ...     print(train.max(), test.max())
    3 6
    6 9
    """

    def __init__(self, n_splits=3, *, horizon=1, step=None, id_col=None, time_col=None):
        self.n_splits = n_splits
        self.horizon = horizon
        self.step = step
        self.id_col = id_col
        self.time_col = time_col

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of folds.

        Parameters
        ----------
        X, y, groups : object
            Ignored.

        Returns
        -------
        n_splits : int
        """
        return self.n_splits

    def split(self, X, y=None, groups=None):
        """Indices of the rows of ``X`` in the training and the test fold of each origin.

        Parameters
        ----------
        X : DataFrame or array-like
            The long table (rows of a series in any order when ``time_col`` is set).
        y : None
            Ignored.
        groups : array-like of shape (n_rows,), default=None
            Series of each row, when ``id_col`` is None.

        Yields
        ------
        train, test : ndarray
            Row positions, oldest origin first.
        """
        if not isinstance(self.n_splits, Integral) or self.n_splits < 1:
            raise ValueError(f"n_splits must be a positive integer; got {self.n_splits!r}.")
        step = self.horizon if self.step is None else self.step
        positions = self._series_positions(X, groups)
        for k in range(self.n_splits - 1, -1, -1):
            train, test = [], []
            for rows in positions:
                end = len(rows) - k * step
                origin = end - self.horizon
                if origin < 1:
                    continue
                train.append(rows[:origin])
                test.append(rows[:end])
            if not train:
                raise ValueError(
                    f"No series has {self.horizon + k * step + 1} steps, needed for fold "
                    f"{self.n_splits - 1 - k}; lower n_splits, horizon or step."
                )
            yield np.sort(np.concatenate(train)), np.sort(np.concatenate(test))

    def _series_positions(self, X, groups):
        """Row positions of each series, in time order."""
        n = len(X)
        frame = X if hasattr(X, "columns") else None
        if frame is not None and (self.id_col or self.time_col):
            frame = as_pandas(frame)
        ids = (
            frame[self.id_col].to_numpy() if self.id_col is not None
            else (None if groups is None else np.asarray(groups))
        )
        order = (
            np.argsort(frame[self.time_col].to_numpy(), kind="stable")
            if self.time_col is not None else np.arange(n)
        )
        if ids is None:
            return [order]
        ids = ids[order]
        _, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
        return [order[inverse == g] for g in np.argsort(first)]


_METRICS = ("MAE", "RMSE", "MAPE", "sMAPE", "MASE")


# Over 60 lines for its numpydoc docstring (with a doctest), not for its code.
@validate_params(
    {
        "forecaster": [object],
        "X": [object],
        "n_splits": [Interval(Integral, 1, None, closed="left")],
        "step": [Interval(Integral, 1, None, closed="left"), None],
    },
    prefer_skip_nested_validation=False,
)
def backtest(forecaster, X, *, n_splits=3, step=None):
    """Rolling-origin backtest: refit at each origin, forecast, score per horizon step.

    For each of the ``n_splits`` last origins of every series (see
    :class:`RollingOriginSplit`), a clone of ``forecaster`` is fitted on the data
    before the origin and forecasts the next ``horizon`` steps from the real
    history, with the future covariates of the table.

    Parameters
    ----------
    forecaster : PanelForecaster
        An unfitted (or fitted: it is cloned) panel forecaster.
    X : pandas or polars DataFrame
        The long table.
    n_splits : int, default=3
        Number of origins.
    step : int or None, default=None
        Steps between origins; None takes the forecaster's ``horizon``.

    Returns
    -------
    result : Bunch
        ``metrics``: a DataFrame indexed by horizon step (1 to ``horizon``)
        with columns MAE, RMSE, MAPE (%), sMAPE (%) and MASE (scaled by each
        series' seasonal-naive error before its origin, ``season_length``),
        ``naive_MASE`` (the MASE of the seasonal-naive forecast, the last season
        repeated, on the same steps: the baseline to beat), and
        ``coverage_<level>`` (share of actual values inside each interval) when
        the forecaster has ``level``; row ``"all"`` averages the steps.
        ``forecasts``: one row per origin, series and step, with ``origin``
        (the fold), ``h``, ``actual``, ``forecast``, ``seasonal_naive`` and
        interval bounds.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn_seq.forecasting import AttentionForecaster, PanelForecaster, backtest
    >>> table = pd.DataFrame({"y": np.sin(np.arange(80) / 3) + 5})
    >>> model = PanelForecaster(AttentionForecaster(hidden_size=8, max_iter=5),
    ...                         horizon=2, window=10, id_col=None, time_col=None,
    ...                         random_state=0)
    >>> result = backtest(model, table, n_splits=2)
    >>> list(result.metrics.index), list(result.metrics.columns)
    ([1, 2, 'all'], ['MAE', 'RMSE', 'MAPE', 'sMAPE', 'MASE', 'naive_MASE'])
    """
    horizon = forecaster.horizon
    frame = as_pandas(X)
    layout = Layout(forecaster.id_col, forecaster.time_col, forecaster.target, None, None, None)
    cv = RollingOriginSplit(
        n_splits, horizon=horizon, step=step, id_col=forecaster.id_col,
        time_col=forecaster.time_col,
    )
    rows = []
    for k, (train, test) in enumerate(cv.split(frame)):
        model = clone(forecaster).fit(frame.iloc[train])
        test_frame = frame.iloc[test]
        for key, series in layout.sorted_series(test_frame):
            part = _fold_forecast(model, k, key, series)
            if part is not None:
                rows.append(part)
    forecasts = pd.concat(rows, ignore_index=True)
    return Bunch(metrics=forecast_metrics(forecasts), forecasts=forecasts.drop(columns="scale"))


def _fold_forecast(model, k, key, series):
    """Rows of ``backtest``'s ``forecasts`` for one series of test fold ``k``: ``model``
    forecasts its last ``horizon`` steps from the steps before them; None when the
    series is too short for a window and a horizon."""
    horizon = model.horizon
    values = series[model.target].to_numpy(dtype=np.float64)
    if len(values) < model.window_ + horizon:
        return None
    history = series.iloc[:-horizon]
    pred = model.predict(history, future=series.iloc[-horizon:])
    pred = as_pandas(pred)
    part = pd.DataFrame({"origin": k, "h": np.arange(1, horizon + 1)})
    if model.id_col is not None:
        part.insert(0, model.id_col, key)
    part["actual"] = values[-horizon:]
    part["scale"] = seasonal_scale(values[:-horizon], model.season_length)
    part["seasonal_naive"] = _seasonal_naive(values[:-horizon], horizon,
                                             model.season_length)
    for col in pred.columns:
        if col == "forecast" or col.startswith(("lower_", "upper_")):
            part[col] = pred[col].to_numpy()
    return part


def _seasonal_naive(history, horizon, season_length):
    """The last season repeated (the last value when the history is shorter)."""
    m = season_length if len(history) >= season_length else 1
    return history[len(history) - m + np.arange(horizon) % m]


def forecast_metrics(forecasts):
    """Metrics per horizon step of a table of forecasts with ``h``, ``actual``,
    ``forecast``, ``scale`` and optional ``lower_*`` / ``upper_*`` columns."""
    err = forecasts["actual"] - forecasts["forecast"]
    actual = forecasts["actual"].abs()
    parts = pd.DataFrame({
        "h": forecasts["h"],
        "MAE": err.abs(),
        "RMSE": err**2,
        "MAPE": 100 * err.abs() / actual.where(actual > 0),
        "sMAPE": 200 * err.abs() / (actual + forecasts["forecast"].abs()),
        "MASE": err.abs() / forecasts["scale"],
    })
    if "seasonal_naive" in forecasts:
        naive_err = (forecasts["actual"] - forecasts["seasonal_naive"]).abs()
        parts["naive_MASE"] = naive_err / forecasts["scale"]
    for col in forecasts.columns:
        if col.startswith("lower_"):
            name = col.removeprefix("lower_")
            inside = (forecasts["actual"] >= forecasts[col]) & (
                forecasts["actual"] <= forecasts[f"upper_{name}"]
            )
            parts[f"coverage_{name}"] = inside.astype(float)
    by_step = parts.groupby("h").mean()
    overall = parts.drop(columns="h").mean().to_frame("all").T
    metrics = pd.concat([by_step, overall])
    metrics["RMSE"] = np.sqrt(metrics["RMSE"])
    metrics.loc["all", "RMSE"] = float(np.sqrt((err**2).mean()))
    metrics.index.name = "h"
    return metrics
