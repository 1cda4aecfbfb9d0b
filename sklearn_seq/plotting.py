"""Displays in scikit-learn's style: training curves, attention, forecasts.

Each display stores the data it shows; ``plot(ax=None)`` draws it (matplotlib is
imported only then) and stores ``ax_`` and ``figure_``; ``from_estimator`` computes
the data from a fitted estimator.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .utils._validation import check_sequences

__all__ = ["AttentionDisplay", "ForecastDisplay", "TrainingCurveDisplay"]


def _axes(ax):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    return ax


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
    def from_estimator(cls, estimator, **plot_kwargs):
        """Read the curves of a fitted estimator; plot when ``plot_kwargs`` are given.

        Parameters
        ----------
        estimator : fitted sklearn_seq estimator
            Any estimator with ``loss_curve_``.
        **plot_kwargs : dict
            Passed to :meth:`plot`; when empty nothing is drawn.

        Returns
        -------
        display : TrainingCurveDisplay
        """
        check_is_fitted(estimator)
        disp = cls(
            np.asarray(estimator.loss_curve_),
            None
            if estimator.validation_scores_ is None
            else np.asarray(estimator.validation_scores_),
            type(estimator).__name__,
        )
        return disp.plot(**plot_kwargs) if plot_kwargs else disp

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
        ax = _axes(ax)
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
    def from_estimator(cls, estimator, X, **plot_kwargs):
        """Attention of a fitted estimator on ``X`` (sequences, or documents).

        Works with estimators fitted with ``pooling="attention"`` (their
        ``attention_weights``), with ``AttentionForecaster`` and, for text, with
        ``BiRNNTextClassifier.token_attention`` (labels are then the tokens).

        Parameters
        ----------
        estimator : fitted sklearn_seq estimator
        X : sequences or documents
            A few samples to show, in any layout the estimator accepts. The
            weights of each sequence are cut to its own length, so the padding
            of a ragged batch (a list, tuple, pandas Series or object array of
            sequences of different lengths) is not shown.
        **plot_kwargs : dict
            Passed to :meth:`plot`; when empty nothing is drawn.

        Returns
        -------
        display : AttentionDisplay

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
        check_is_fitted(estimator)
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
        return disp.plot(**plot_kwargs) if plot_kwargs else disp

    def plot(self, ax=None, cmap="viridis"):
        """Draw the weights as a heat map (rows: samples, columns: steps).

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        cmap : str, default="viridis"

        Returns
        -------
        self : AttentionDisplay
        """
        ax = _axes(ax)
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

    Parameters
    ----------
    y_true : array-like of shape (n_steps,)
        Actual values.
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
    >>> disp.y_pred.shape
    (3,)

    With dates, the history is drawn on the days before the forecast:

    >>> import pandas as pd
    >>> disp = ForecastDisplay.from_predictions(
    ...     [1, 2, 3], [1.1, 2.2, 2.7], index=pd.date_range("2024-01-03", periods=3),
    ...     history=[0, 1]).plot()
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
                         history=None, **plot_kwargs):
        """Build from arrays; plot when ``plot_kwargs`` are given.

        Parameters
        ----------
        y_true, y_pred : array-like of shape (n_steps,)
        y_lower, y_upper : array-like of shape (n_steps,), default=None
        index : array-like, default=None
            A pandas Index (or Series) is kept as is, with its ``freq``.
        history : array-like, default=None
            A pandas Series keeps its index; see the class docstring for the x
            values of the history.
        **plot_kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : ForecastDisplay
        """
        as1d = lambda a: None if a is None else np.asarray(a, dtype=float).ravel()  # noqa: E731
        if _is_pandas(history) and hasattr(history, "index") and np.ndim(history) == 1:
            history = history.astype(float)  # keeps its index: the history's x values
        else:
            history = as1d(history)
        if index is not None:
            if _is_pandas(index):
                import pandas as pd

                index = pd.Index(index)  # keeps a DatetimeIndex's freq
            else:
                index = np.asarray(index)
        disp = cls(as1d(y_true), as1d(y_pred), as1d(y_lower), as1d(y_upper), index, history)
        return disp.plot(**plot_kwargs) if plot_kwargs else disp

    @classmethod
    def from_estimator(cls, estimator, X, y, *, interval=(0, -1), **kwargs):
        """Forecast ``X`` with a fitted forecaster and compare with ``y``.

        One-step forecasts (``y`` 1D): each window gives one point. With
        ``quantiles``, the interval spans the quantile levels at positions
        ``interval`` of ``quantiles_`` (the outermost by default).

        Parameters
        ----------
        estimator : fitted regressor or AttentionForecaster
        X : windows
        y : array-like of shape (n_samples,)
        interval : tuple of int, default=(0, -1)
        **kwargs : dict
            ``index``, ``history`` and plot arguments.

        Returns
        -------
        display : ForecastDisplay
        """
        check_is_fitted(estimator)
        y_pred = estimator.predict(X)
        lower = upper = None
        if getattr(estimator, "quantiles_", None) is not None:
            q = estimator.predict_quantiles(X)
            lower, upper = q[..., interval[0]], q[..., interval[1]]
        return cls.from_predictions(y, y_pred, y_lower=lower, y_upper=upper, **kwargs)

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
        n = len(self.y_true)
        x = np.arange(n) if self.index is None else _plottable(self.index)
        if self.history is not None:
            hx = _plottable(_history_positions(self.history, self.index))
        ax = _axes(ax)
        if self.history is not None:
            ax.plot(hx, np.asarray(self.history, dtype=float), color="0.6", label="history")
        ax.plot(x, self.y_true, color="k", label="actual")
        ax.plot(x, self.y_pred, color="C0", label="forecast")
        if self.y_lower is not None and self.y_upper is not None:
            ax.fill_between(x, self.y_lower, self.y_upper, color="C0", alpha=0.25,
                            label="interval")
        ax.legend()
        self.ax_, self.figure_ = ax, ax.figure
        return self


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
