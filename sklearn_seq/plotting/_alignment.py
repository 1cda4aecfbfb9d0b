"""``AlignmentDisplay``: the attention of an encoder-decoder's output steps over its
input steps, for one sample."""

import numpy as np

from ..utils._docstrings import fill_doc
from ._base import _axes, _final_estimator


def _sample(X, index):
    """Sample ``index`` of ``X`` alone, in a batch of one, as the estimator reads it."""
    if hasattr(X, "iloc"):
        return X.iloc[index : index + 1]
    if isinstance(X, np.ndarray) and X.dtype != object:
        return X[index : index + 1]
    return [list(X)[index]]


@fill_doc
class AlignmentDisplay:
    """Attention of each output step (rows) over the input steps (columns) of one
    sample of an encoder-decoder, as a heat map with the tokens as tick labels.

    Parameters
    ----------
    weights : ndarray of shape (n_output_steps, n_input_steps)
        The attention of each output step; rows sum to 1.
    source_labels : list of str, default=None
        The input tokens (column labels); step numbers when None.
    target_labels : list of str, default=None
        The output tokens (row labels); step numbers when None.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    image_ : matplotlib AxesImage

    See Also
    --------
    sklearn_seq.seq2seq.TextSeq2Seq.attention_weights : The matrices drawn.
    AttentionDisplay : Attention pooling over the steps of a sequence.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq.plotting import AlignmentDisplay
    >>> disp = AlignmentDisplay(np.eye(2), source_labels=["a", "b"],
    ...                         target_labels=["A", "B"])
    >>> disp.weights.argmax(axis=1)
    array([0, 1])
    """

    def __init__(self, weights, source_labels=None, target_labels=None):
        self.weights = weights
        self.source_labels = source_labels
        self.target_labels = target_labels

    @classmethod
    def from_estimator(cls, estimator, X, *, index=0, ax=None, cmap="viridis"):
        """Draw the alignment an encoder-decoder computes for sample ``index`` of ``X``.

        Parameters
        ----------
        estimator : fitted TextSeq2Seq, Seq2SeqRegressor or Pipeline
            With a Pipeline, its last step on ``X`` transformed by the steps
            before it.
        X : sequences or texts
            Samples in any layout the estimator accepts.
        index : int, default=0
            The sample to draw.
        %(ax)s
        %(cmap)s

        %(returns_heat_map_display)s

        Examples
        --------
        >>> from sklearn_seq.seq2seq import TextSeq2Seq
        >>> from sklearn_seq.plotting import AlignmentDisplay
        >>> model = TextSeq2Seq(hidden_size=8, max_iter=2, random_state=0)
        >>> model = model.fit(["ab", "ba", "abb"], ["x", "yy", "xy"])
        >>> disp = AlignmentDisplay.from_estimator(model, ["aab"])
        >>> disp.source_labels, disp.weights.shape[1]
        (['a', 'a', 'b'], 3)
        """
        estimator, X = _final_estimator(estimator, X)
        sample = _sample(X, index)
        weights = None
        if hasattr(estimator, "attention_weights"):
            weights = estimator.attention_weights(sample)[0]
        if np.ndim(weights) != 2:
            raise TypeError(
                "AlignmentDisplay draws an encoder-decoder's attention (TextSeq2Seq, "
                f"Seq2SeqRegressor); {type(estimator).__name__} has no output steps. For "
                "attention pooling, use AttentionDisplay."
            )
        source = target = None
        if hasattr(estimator, "build_analyzer"):
            analyze = estimator.build_analyzer()
            doc, out = sample[0], estimator.predict(sample)[0]
            source = analyze(doc) if isinstance(doc, str) else list(doc)
            target = analyze(out) if isinstance(out, str) else list(out)
        return cls(weights, source, target).plot(ax=ax, cmap=cmap)

    def plot(self, ax=None, cmap="viridis"):
        """Draw the weights (rows: output steps, columns: input steps).

        Parameters
        ----------
        %(ax)s
        %(cmap)s

        Returns
        -------
        self : AlignmentDisplay
        """
        ax = _axes(ax, "AlignmentDisplay.plot")
        weights = np.asarray(self.weights)
        self.image_ = ax.imshow(weights, aspect="auto", cmap=cmap, interpolation="nearest",
                                vmin=0, vmax=1)
        ax.figure.colorbar(self.image_, ax=ax, label="attention weight")
        n_out, n_in = weights.shape
        source = self.source_labels or [str(i) for i in range(n_in)]
        target = self.target_labels or [str(i) for i in range(n_out)]
        # Spaces would be invisible as tick labels.
        ax.set_xticks(range(n_in), [repr(t)[1:-1] if t.strip() else "␣" for t in source])
        ax.set_yticks(range(n_out), [t if t.strip() else "␣" for t in target])
        ax.set_xlabel("input" if self.source_labels is None else "input token")
        ax.set_ylabel("output step" if self.target_labels is None else "output token")
        self.ax_, self.figure_ = ax, ax.figure
        return self
