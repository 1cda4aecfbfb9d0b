"""Displays in scikit-learn's style: training curves, attention, forecasts.

Each display stores the data it shows; ``plot(ax=None)`` draws it (matplotlib is
imported only then) and stores ``ax_`` and ``figure_``. ``from_estimator`` computes
the data from a fitted estimator, or from the final step of a fitted Pipeline on
``X`` transformed by the steps before it, and draws it (on a new figure when
``ax`` is None), as scikit-learn's Displays do; so does ``from_predictions``.
"""

import numbers

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from .utils._validation import check_sequences

__all__ = ["AttentionDisplay", "ForecastDisplay", "TrainingCurveDisplay"]


def _axes(ax, caller):
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            f"{caller} needs matplotlib: pip install matplotlib "
            '(or pip install "sklearn-seq[plot]").'
        ) from exc
    if ax is None:
        _, ax = plt.subplots()
    return ax


def _final_estimator(estimator, X=None):
    """The estimator that computes, and ``X`` as it reaches it.

    For a Pipeline (nested ones too), its last step and ``X`` transformed by the
    steps before it; otherwise ``estimator`` and ``X`` unchanged.
    """
    check_is_fitted(estimator)
    while isinstance(estimator, Pipeline):
        if X is not None and len(estimator.steps) > 1:
            X = estimator[:-1].transform(X)
        estimator = estimator[-1]
    return estimator, X


class TrainingCurveDisplay:
    """Training loss (and validation score) per epoch.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Training loss per epoch.
    validation_scores : array-like of shape (n_epochs,), default=None
        Validation score per epoch (with ``early_stopping``).
    estimator_name : str, default=None
        Shown in the title.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes of the loss curve.
    ax_score_ : matplotlib Axes or None
        Twin axes of the validation score.
    figure_ : matplotlib Figure
        Figure of the plot.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq import LSTMClassifier
    >>> from sklearn_seq.plotting import TrainingCurveDisplay
    >>> X, y = np.random.RandomState(0).randn(40, 6), np.arange(40) % 2
    >>> clf = LSTMClassifier(hidden_size=4, max_iter=3, random_state=0).fit(X, y)
    >>> disp = TrainingCurveDisplay.from_estimator(clf)
    >>> len(disp.loss_curve)
    3
    """

    def __init__(self, loss_curve, validation_scores=None, estimator_name=None):
        self.loss_curve = loss_curve
        self.validation_scores = validation_scores
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, *, ax=None):
        """Draw the curves of a fitted estimator.

        Parameters
        ----------
        estimator : fitted sklearn_seq estimator or Pipeline
            Any estimator with ``loss_curve_``, or a Pipeline ending with one
            (its curves are drawn).
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.

        Returns
        -------
        display : TrainingCurveDisplay
            Drawn: ``ax_`` and ``figure_`` hold the plot.
        """
        estimator, _ = _final_estimator(estimator)
        disp = cls(
            np.asarray(estimator.loss_curve_),
            None
            if estimator.validation_scores_ is None
            else np.asarray(estimator.validation_scores_),
            type(estimator).__name__,
        )
        return disp.plot(ax=ax)

    def plot(self, ax=None):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.

        Returns
        -------
        self : TrainingCurveDisplay
        """
        ax = _axes(ax, "TrainingCurveDisplay.plot")
        epochs = np.arange(1, len(self.loss_curve) + 1)
        ax.plot(epochs, self.loss_curve, label="training loss", color="C0")
        ax.set_xlabel("epoch")
        ax.set_ylabel("training loss")
        self.ax_score_ = None
        if self.validation_scores is not None:
            self.ax_score_ = ax.twinx()
            self.ax_score_.plot(epochs, self.validation_scores, color="C1",
                                label="validation score")
            self.ax_score_.set_ylabel("validation score")
        if self.estimator_name:
            ax.set_title(self.estimator_name)
        self.ax_, self.figure_ = ax, ax.figure
        return self


class AttentionDisplay:
    """Attention weights over the steps (or tokens) of a few sequences, as a heat map.

    Parameters
    ----------
    weights : list of ndarray
        One array of weights per sequence (its own length).
    labels : list of list of str, default=None
        Step or token labels per sequence; step numbers when None.
    sample_names : list of str, default=None
        Row labels.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    image_ : matplotlib AxesImage

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq.plotting import AttentionDisplay
    >>> disp = AttentionDisplay([np.array([0.2, 0.8]), np.array([0.5, 0.25, 0.25])])
    >>> [w.sum() for w in disp.weights]
    [np.float64(1.0), np.float64(1.0)]
    """

    def __init__(self, weights, labels=None, sample_names=None):
        self.weights = weights
        self.labels = labels
        self.sample_names = sample_names

    @classmethod
    def from_estimator(cls, estimator, X, *, ax=None, cmap="viridis"):
        """Draw the attention of a fitted estimator on ``X`` (sequences, or documents).

        Works with estimators fitted with ``pooling="attention"`` (their
        ``attention_weights``), with ``AttentionForecaster`` and, for text, with
        ``BiRNNTextClassifier.token_attention`` (labels are then the tokens).

        Parameters
        ----------
        estimator : fitted sklearn_seq estimator or Pipeline
            With a Pipeline, the attention of its last step on ``X``
            transformed by the steps before it.
        X : sequences or documents
            A few samples to show, in any layout the estimator (or the
            Pipeline) accepts. The weights of each sequence are cut to its own
            length, so the padding of a ragged batch (a list, tuple, pandas
            Series or object array of sequences of different lengths) is not
            shown.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        cmap : str, default="viridis"
            Colour map of the heat map.

        Returns
        -------
        display : AttentionDisplay
            Drawn: ``ax_``, ``figure_`` and ``image_`` hold the plot.

        Examples
        --------
        >>> import numpy as np
        >>> import pandas as pd
        >>> from sklearn_seq import GRUClassifier
        >>> from sklearn_seq.plotting import AttentionDisplay
        >>> rng = np.random.RandomState(0)
        >>> X = [rng.randn(n, 2) for n in (4, 6, 5, 7)]
        >>> clf = GRUClassifier(hidden_size=4, max_iter=2, pooling="attention",
        ...                     random_state=0).fit(X, [0, 1, 0, 1])
        >>> disp = AttentionDisplay.from_estimator(clf, pd.Series(X[:2]))
        >>> [len(w) for w in disp.weights]
        [4, 6]
        """
        estimator, X = _final_estimator(estimator, X)
        if getattr(estimator, "_text_input", False) and hasattr(estimator, "token_attention"):
            pairs = estimator.token_attention(X)
            disp = cls([np.asarray(w) for _, w in pairs], [list(t) for t, _ in pairs])
        else:
            full = estimator.attention_weights(X)
            # The estimators' own conversion gives the real length of each sequence,
            # whatever the layout (list, tuple, Series, object array, 2D or 3D array).
            seqs, _ = check_sequences(X, estimator_name=type(estimator).__name__)
            lengths = seqs.lengths if seqs.is_ragged else [seqs.max_length] * len(seqs)
            disp = cls([full[i, : lengths[i]] for i in range(len(full))])
        return disp.plot(ax=ax, cmap=cmap)

    def plot(self, ax=None, cmap="viridis"):
        """Draw the weights as a heat map (rows: samples, columns: steps).

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        cmap : str, default="viridis"
            Colour map of the heat map.

        Returns
        -------
        self : AttentionDisplay
        """
        ax = _axes(ax, "AttentionDisplay.plot")
        width = max(len(w) for w in self.weights)
        grid = np.full((len(self.weights), width), np.nan)
        for i, w in enumerate(self.weights):
            grid[i, : len(w)] = w
        self.image_ = ax.imshow(grid, aspect="auto", cmap=cmap, interpolation="nearest")
        ax.figure.colorbar(self.image_, ax=ax, label="attention weight")
        if self.labels is not None and len(self.weights) == 1:
            ax.set_xticks(range(len(self.labels[0])), self.labels[0], rotation=60)
        elif self.labels is not None:
            for i, tokens in enumerate(self.labels):
                for j, tok in enumerate(tokens):
                    ax.text(j, i, tok, ha="center", va="center", fontsize=7, color="w")
        ax.set_xlabel("token" if self.labels is not None else "time step")
        ax.set_yticks(range(len(self.weights)),
                      self.sample_names or [str(i) for i in range(len(self.weights))])
        self.ax_, self.figure_ = ax, ax.figure
        return self


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
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.

        Returns
        -------
        display : ForecastDisplay
            Drawn: ``ax_`` and ``figure_`` hold the plot.

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
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.

        Returns
        -------
        display : ForecastDisplay
            Drawn: ``ax_`` and ``figure_`` hold the plot.

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
        horizon = y.shape[1]
        if horizon == 1:
            if origin is not None:
                raise ValueError(
                    "origin chooses the window whose multi-step forecast is drawn; here "
                    "y holds one step ahead per window, drawn as one point per "
                    "window: leave origin=None."
                )
            rows = slice(None)
        else:
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
            rows = int(origin)
        lower = upper = None
        if q is not None:
            lower, upper = q[rows, :, interval[0]], q[rows, :, interval[1]]
        return cls.from_predictions(y[rows], y_pred[rows], y_lower=lower, y_upper=upper,
                                    index=index, history=history, ax=ax)

    def plot(self, ax=None):
        """Draw history, actual, forecast and interval.

        Parameters
        ----------
        ax : matplotlib Axes, default=None

        Returns
        -------
        self : ForecastDisplay

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


def _date_ticks(ax):
    """Few, short date labels (matplotlib's concise formatter) that do not overlap."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _is_panel_forecaster(estimator):
    from .forecasting import PanelForecaster

    final = estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator
    return isinstance(final, PanelForecaster)


def _panel_forecast(estimator, X, y, series, future, level, n_history):
    """Arguments of ``from_predictions`` for one series of a panel forecast."""
    import pandas as pd

    from .forecasting._table import as_pandas

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
