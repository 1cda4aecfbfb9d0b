"""Displays in scikit-learn's style: training curves, attention, forecasts.

Each display stores the data it shows; ``plot(ax=None)`` draws it (matplotlib is
imported only then) and stores ``ax_`` and ``figure_``; ``from_estimator`` computes
the data from a fitted estimator.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

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
            A few samples to show.
        **plot_kwargs : dict
            Passed to :meth:`plot`; when empty nothing is drawn.

        Returns
        -------
        display : AttentionDisplay
        """
        check_is_fitted(estimator)
        if getattr(estimator, "_text_input", False) and hasattr(estimator, "token_attention"):
            pairs = estimator.token_attention(X)
            disp = cls([np.asarray(w) for _, w in pairs], [list(t) for t, _ in pairs])
        else:
            full = estimator.attention_weights(X)
            lengths = [len(x) for x in X] if isinstance(X, (list, tuple)) else None
            rows = [full[i, : lengths[i]] if lengths else full[i] for i in range(len(full))]
            disp = cls(rows)
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
    history : array-like, default=None
        Actual values before the forecast, drawn for context.

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
        history : array-like, default=None
        **plot_kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : ForecastDisplay
        """
        as1d = lambda a: None if a is None else np.asarray(a, dtype=float).ravel()  # noqa: E731
        disp = cls(as1d(y_true), as1d(y_pred), as1d(y_lower), as1d(y_upper),
                   None if index is None else np.asarray(index), as1d(history))
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
        """
        ax = _axes(ax)
        n = len(self.y_true)
        x = np.arange(n) if self.index is None else self.index
        if self.history is not None:
            hx = np.arange(-len(self.history), 0) if self.index is None else None
            if hx is not None:
                ax.plot(hx, self.history, color="0.6", label="history")
        ax.plot(x, self.y_true, color="k", label="actual")
        ax.plot(x, self.y_pred, color="C0", label="forecast")
        if self.y_lower is not None and self.y_upper is not None:
            ax.fill_between(x, self.y_lower, self.y_upper, color="C0", alpha=0.25,
                            label="interval")
        ax.legend()
        self.ax_, self.figure_ = ax, ax.figure
        return self
