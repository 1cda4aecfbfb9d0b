"""What ``ForecastDisplay`` reads before drawing: one series of a panel forecast,
and the x values of the history before a forecast."""

import numpy as np


def _is_panel_forecaster(estimator):
    from ..forecasting import PanelForecaster

    final = estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator
    return isinstance(final, PanelForecaster)


def _panel_forecast(estimator, X, y, series, future, level, n_history):
    """Arguments of ``from_predictions`` for one series of a panel forecast."""
    import pandas as pd

    from ..forecasting._table import as_pandas

    model = estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator
    forecast = as_pandas(estimator.predict(X, future=future), "forecast")
    history = as_pandas(X)
    id_col, time_col = model.id_col, model.time_col or "step"
    if id_col is not None:
        ids = forecast[id_col].unique()
        if series is None:
            series = ids[0]
        elif series not in set(ids):
            raise ValueError(f"series={series!r} is not an id of X; its ids start {list(ids[:5])}.")
        forecast = forecast[forecast[id_col] == series]
        history = history[history[id_col] == series]
    if model.time_col is not None:
        history = history.sort_values(model.time_col)
        times = pd.Index(history[model.time_col])
    else:
        times = pd.RangeIndex(len(history))
    m = 4 * model.horizon if n_history is None else int(n_history)
    past = pd.Series(history[model.target].to_numpy(dtype=float), index=times).iloc[-m:]
    bounds = {}
    if model.interval_scores_ is not None:
        levels = list(np.asarray(model.level, dtype=float).ravel())
        chosen = levels[0] if level is None else float(level)
        if chosen not in levels:
            raise ValueError(f"level={level!r} is not one of the model's levels {levels}.")
        bounds = dict(y_lower=forecast[f"lower_{chosen:g}"], y_upper=forecast[f"upper_{chosen:g}"])
    actual = None
    if y is not None:
        truth = as_pandas(y, "y")
        if id_col is not None:
            truth = truth[truth[id_col] == series]
        if model.time_col is not None:
            truth = truth.set_index(model.time_col)[model.target].reindex(forecast[time_col])
        actual = np.asarray(truth if model.time_col else truth[model.target], dtype=float)
    index = pd.Index(forecast[time_col])
    if isinstance(index, pd.DatetimeIndex) and isinstance(model.freq_, str):
        index = pd.DatetimeIndex(index, freq=model.freq_)
    title = "" if id_col is None else f"{id_col} {series}"
    return dict(y_true=actual, y_pred=forecast["forecast"], index=index, history=past,
                title=title, **bounds)


def _is_pandas(obj):
    return type(obj).__module__.startswith("pandas")


def _plottable(x):
    """x values matplotlib can draw: a PeriodIndex as the timestamps of its periods."""
    to_timestamp = getattr(x, "to_timestamp", None)
    return to_timestamp() if to_timestamp is not None else x


def _history_positions(history, index):
    """x values of ``history``, the values just before the forecast at ``index``."""
    m = len(history)
    if index is None:
        return np.arange(-m, 0)
    import pandas as pd

    own = history.index if isinstance(history, pd.Series) else None
    default = isinstance(own, pd.RangeIndex) and own.start == 0 and own.step == 1
    if own is not None and not default:
        return own
    if isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)) and index.freq is not None:
        dates = pd.date_range if isinstance(index, pd.DatetimeIndex) else pd.period_range
        return dates(end=index[0], periods=m + 1, freq=index.freq)[:-1]
    if isinstance(index, pd.RangeIndex) and len(index):
        return pd.RangeIndex(index.start - m * index.step, index.start, index.step)
    step = _even_step(index)
    if step is None:
        raise ValueError(
            "Cannot place history before the forecast: index is not a pandas "
            "DatetimeIndex or PeriodIndex with a freq, a RangeIndex, or evenly spaced "
            "numbers or datetimes. Pass history as a pandas Series indexed by its own "
            "dates or positions, e.g. history=series.iloc[:-n_steps]."
        )
    positions = index[0] + np.arange(-m, 0) * step
    return pd.Index(positions) if isinstance(index, pd.Index) else positions


def _even_step(index):
    """The constant nonzero step of a numeric or datetime ``index``; None otherwise."""
    if len(index) < 2 or getattr(index.dtype, "kind", "O") not in "iufmM":
        return None
    diffs = np.asarray(index[1:] - index[:-1])
    if diffs.dtype.kind == "f":
        even = np.allclose(diffs, diffs[0])
    else:
        even = bool((diffs == diffs[0]).all())
    step = diffs[0]
    return step if even and step != step - step else None
