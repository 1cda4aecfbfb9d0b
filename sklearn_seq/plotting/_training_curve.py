"""``TrainingCurveDisplay``: training loss and validation score per epoch."""

import numpy as np

from ..utils._docstrings import fill_doc
from ._base import _axes, _final_estimator


@fill_doc
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
        %(ax)s

        %(returns_display)s
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
        %(ax)s

        %(returns_drawn_self)s
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
