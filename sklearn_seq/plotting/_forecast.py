"""``ForecastDisplay``: a forecast against actual values, with its interval."""

import numbers

import numpy as np

from ..utils._docstrings import fill_doc
from ._base import _axes, _final_estimator
from ._forecast_inputs import (
    _history_positions,
    _is_panel_forecaster,
    _is_pandas,
    _panel_forecast,
    _plottable,
)


@fill_doc
class ForecastDisplay:
    """Forecast against actual values, with a prediction interval when available.

    One forecast is drawn: the values of its steps, at positions 0, 1, ... or at
    ``index``. That is either one-step forecasts, one point per window, or the
    several steps ahead forecast from one window (see ``origin`` in
    :meth:`from_estimator`).

    Parameters
    ----------
    y_true : array-like of shape (n_steps,) or None
        Actual values (None for a forecast of the future).
    y_pred : array-like of shape (n_steps,)
        Forecast (the median with quantile forecasts).
    y_lower, y_upper : array-like of shape (n_steps,), default=None
        Interval bounds.
    index : array-like of shape (n_steps,), default=None
        x values (dates); positions when None.
    history : array-like of shape (n_history,), default=None
        Actual values before the forecast, drawn for context before it, on the
        same x axis. Without ``index`` they sit at positions ``-n_history`` to
        ``-1``. With ``index``, their x values are:

        * the index of ``history`` when it is a pandas Series with an index of
          its own (any index but the default ``RangeIndex`` 0, 1, ...);
        * otherwise ``index`` extended backwards by ``n_history`` steps, when
          ``index`` is a pandas ``DatetimeIndex`` or ``PeriodIndex`` with a
          ``freq``, a ``RangeIndex``, or evenly spaced numbers or datetimes;
        * otherwise :meth:`plot` raises a ValueError: pass ``history`` as a
          pandas Series indexed by its own dates.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> from sklearn_seq.plotting import ForecastDisplay
    >>> disp = ForecastDisplay.from_predictions([1, 2, 3], [1.1, 2.2, 2.7],
    ...                                         y_lower=[0, 1, 2], y_upper=[2, 3, 4])
    >>> [line.get_label() for line in disp.ax_.lines]
    ['actual', 'forecast']

    With dates, the history is drawn on the days before the forecast:

    >>> import pandas as pd
    >>> disp = ForecastDisplay.from_predictions(
    ...     [1, 2, 3], [1.1, 2.2, 2.7], index=pd.date_range("2024-01-03", periods=3),
    ...     history=[0, 1])
    >>> [line.get_label() for line in disp.ax_.lines]
    ['history', 'actual', 'forecast']
    >>> [str(d)[:10] for d in disp.ax_.lines[0].get_xdata()]
    ['2024-01-01', '2024-01-02']
    """

    def __init__(self, y_true, y_pred, y_lower=None, y_upper=None, index=None, history=None):
        self.y_true = y_true
        self.y_pred = y_pred
        self.y_lower = y_lower
        self.y_upper = y_upper
        self.index = index
        self.history = history

    @classmethod
    def from_predictions(cls, y_true, y_pred, *, y_lower=None, y_upper=None, index=None,
                         history=None, ax=None):
        """Draw one forecast given as arrays.

        Parameters
        ----------
        y_true, y_pred : array-like of shape (n_steps,)
            Actual values and forecast of each step; ``y_true`` may be None for
            a forecast of the future. A multi-step forecast per window (one row
            per window) is refused: pass one row, or use :meth:`from_estimator`
            with ``origin``.
        y_lower, y_upper : array-like of shape (n_steps,), default=None
            Interval bounds.
        index : array-like, default=None
            A pandas Index (or Series) is kept as is, with its ``freq``.
        history : array-like, default=None
            A pandas Series keeps its index; see the class docstring for the x
            values of the history.
        %(ax)s

        %(returns_display)s

        Raises
        ------
        ValueError
            When ``y_true``, ``y_pred``, ``y_lower`` or ``y_upper`` holds
            several forecasts (a 2D array with more than one row and column),
            or when ``history`` is given with an ``index`` it cannot be placed
            before (see the class docstring).
        """
        if _is_pandas(history) and hasattr(history, "index") and np.ndim(history) == 1:
            history = history.astype(float)  # keeps its index: the history's x values
        else:
            history = _one_forecast(history, "history")
        if index is not None:
            if _is_pandas(index):
                import pandas as pd

                index = pd.Index(index)  # keeps a DatetimeIndex's freq
            else:
                index = np.asarray(index)
        disp = cls(_one_forecast(y_true, "y_true"), _one_forecast(y_pred, "y_pred"),
                   _one_forecast(y_lower, "y_lower"), _one_forecast(y_upper, "y_upper"),
                   index, history)
        return disp.plot(ax=ax)

    # Over 60 lines for its numpydoc docstring (with a doctest), not for its code.
    @classmethod
    def from_estimator(cls, estimator, X, y=None, *, origin=None, interval=(0, -1),
                       index=None, history=None, series=None, future=None, level=None,
                       n_history=None, ax=None):
        """Forecast ``X`` with a fitted forecaster and draw it against ``y``.

        With a :class:`~sklearn_seq.forecasting.PanelForecaster` (or a Pipeline
        ending in one), ``X`` is the long table of history: the forecast of the
        ``horizon`` steps after one series (``series``) is drawn after its last
        ``n_history`` steps, at its dates, with the interval of ``level``; ``y``,
        if given, is a long table holding the actual values of those steps.

        One-step forecasts (``y`` of shape ``(n_samples,)``, one column per
        window): each window gives one point, at positions 0 to
        ``n_samples - 1`` (or ``index``). Multi-step forecasts (``y`` of shape
        ``(n_samples, horizon)``, as :func:`~sklearn_seq.preprocessing.make_windows`
        gives): ``origin`` chooses the window whose forecast is drawn, its
        ``horizon`` steps at positions 0 to ``horizon - 1`` (or ``index``).
        With ``quantiles``, the interval spans the quantile levels at positions
        ``interval`` of ``quantiles_`` (the outermost by default).

        Parameters
        ----------
        estimator : fitted regressor, AttentionForecaster, or Pipeline
            With a Pipeline, its last step forecasts ``X`` transformed by the
            steps before it (and its ``quantiles_`` give the interval).
        X : windows
            In any layout the estimator (or the Pipeline) accepts.
        y : array-like of shape (n_samples,) or (n_samples, horizon)
            Actual values, as for ``fit``; a long table or None with a
            PanelForecaster.
        origin : int, default=None
            With multi-step forecasts, the window (row of ``X`` and ``y``) whose
            forecast is drawn: ``-1`` for the last. Required for them, and
            must be None for one-step forecasts.
        interval : tuple of int, default=(0, -1)
            Positions in ``quantiles_`` of the interval's lower and upper levels.
        index : array-like, default=None
            x values of the drawn steps (``n_samples`` for one-step forecasts,
            ``horizon`` with ``origin``).
        history : array-like, default=None
            Actual values before the forecast; see the class docstring.
        series : object, default=None
            PanelForecaster only: the id of the series drawn (None: the only or
            the first series of ``X``).
        future : DataFrame, default=None
            PanelForecaster only: the future covariates, as for its ``predict``.
        level : float, default=None
            PanelForecaster only: the coverage of the interval drawn (None: the
            first of its ``level``).
        n_history : int, default=None
            PanelForecaster only: steps of history drawn (None: four horizons).
        %(ax)s

        %(returns_display)s

        Raises
        ------
        ValueError
            When ``y`` holds multi-step forecasts and ``origin`` is None, when
            ``origin`` is not a row of ``y``, or is given for one-step forecasts.

        Notes
        -----
        With several target series, a row of ``y`` from ``make_windows`` holds
        all targets of step 1, then of step 2, and so on: draw one series with
        :meth:`from_predictions`, e.g. ``y[origin, k::n_targets]`` and the
        same columns of ``estimator.predict(X)``.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_seq import AttentionForecaster, make_windows
        >>> from sklearn_seq.plotting import ForecastDisplay
        >>> series = np.sin(np.arange(60) / 3)
        >>> X, y = make_windows(series, window=12, horizon=5)
        >>> model = AttentionForecaster(hidden_size=4, max_iter=2, random_state=0).fit(X, y)
        >>> disp = ForecastDisplay.from_estimator(model, X, y, origin=-1)
        >>> disp.ax_.lines[0].get_xdata()
        array([0, 1, 2, 3, 4])
        """
        if _is_panel_forecaster(estimator):
            drawn = _panel_forecast(estimator, X, y, series, future, level, n_history)
            title = drawn.pop("title")
            disp = cls.from_predictions(**drawn, ax=ax)
            disp.ax_.set_title(title)
            return disp
        if y is None:
            raise ValueError("y is required: the actual values of the windows X.")
        model, Xt = _final_estimator(estimator, X)
        y = np.asarray(y, dtype=float)
        y_pred = np.asarray(model.predict(Xt), dtype=float)
        n = len(y_pred)
        y, y_pred = y.reshape(len(y), -1), y_pred.reshape(n, -1)
        if y.shape != y_pred.shape:
            raise ValueError(
                f"y has shape {y.shape} but {type(model).__name__} forecasts "
                f"{y_pred.shape}: pass the y that belongs to the windows X, "
                "with the columns the estimator was fitted on."
            )
        q = None
        if getattr(model, "quantiles_", None) is not None:
            q = np.asarray(model.predict_quantiles(Xt)).reshape(n, y.shape[1], -1)
        rows = _drawn_rows(origin, n, y.shape[1])
        lower = upper = None
        if q is not None:
            lower, upper = q[rows, :, interval[0]], q[rows, :, interval[1]]
        return cls.from_predictions(y[rows], y_pred[rows], y_lower=lower, y_upper=upper,
                                    index=index, history=history, ax=ax)

    def plot(self, ax=None):
        """Draw history, actual, forecast and interval.

        Parameters
        ----------
        %(ax)s

        %(returns_drawn_self)s

        Raises
        ------
        ValueError
            When ``history`` is given with an ``index`` it cannot be placed
            before (see the class docstring).
        """
        n = len(self.y_pred)
        x = np.arange(n) if self.index is None else _plottable(self.index)
        if self.history is not None:
            hx = _plottable(_history_positions(self.history, self.index))
        ax = _axes(ax, "ForecastDisplay.plot")
        if self.history is not None:
            ax.plot(hx, np.asarray(self.history, dtype=float), color="0.6", label="history")
        if self.y_true is not None:
            ax.plot(x, self.y_true, color="k", label="actual")
        ax.plot(x, self.y_pred, color="C0", label="forecast")
        if self.y_lower is not None and self.y_upper is not None:
            ax.fill_between(x, self.y_lower, self.y_upper, color="C0", alpha=0.25,
                            label="interval")
        if np.asarray(x).dtype.kind == "M":
            _date_ticks(ax)
        ax.legend()
        self.ax_, self.figure_ = ax, ax.figure
        return self


def _drawn_rows(origin, n, horizon):
    """The rows of ``y`` drawn from ``n`` forecasts of ``horizon`` steps: all of them
    (one point per window) for one-step forecasts, window ``origin`` otherwise."""
    if horizon == 1:
        if origin is not None:
            raise ValueError(
                "origin chooses the window whose multi-step forecast is drawn; here "
                "y holds one step ahead per window, drawn as one point per "
                "window: leave origin=None."
            )
        return slice(None)
    if origin is None:
        raise ValueError(
            f"y holds {n} forecasts of {horizon} steps ahead (one row per "
            "window of X) and ForecastDisplay draws one forecast at a time: "
            "pass origin=-1 to draw the forecast of the last window (or "
            f"origin=i for window i); index then gives the x values of its "
            f"{horizon} steps."
        )
    if not isinstance(origin, numbers.Integral) or not -n <= origin < n:
        raise ValueError(
            f"origin={origin!r} is not a window of X: y holds {n} forecasts, so "
            f"origin must be an integer from {-n} to {n - 1}."
        )
    return int(origin)


def _date_ticks(ax):
    """Few, short date labels (matplotlib's concise formatter) that do not overlap."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _one_forecast(values, name):
    """``values`` as one 1D float array (None stays None); several forecasts are an error."""
    if values is None:
        return None
    values = np.asarray(values, dtype=float)
    if sum(size > 1 for size in values.shape) > 1:
        raise ValueError(
            f"{name} has shape {values.shape}: ForecastDisplay draws one forecast, a 1D "
            "array of its steps. For a multi-step forecast per window (one row per "
            f"window), pass one row, e.g. {name}[-1] for the last window, or use "
            "ForecastDisplay.from_estimator(estimator, X, y, origin=-1)."
        )
    return values.ravel()

