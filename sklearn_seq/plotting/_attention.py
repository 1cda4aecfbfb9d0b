"""``AttentionDisplay``: attention weights over steps or tokens, as a heat map."""

import numpy as np

from ..utils._docstrings import fill_doc
from ..utils._validation import check_sequences
from ._base import _axes, _final_estimator, _rows, _token_ticks


@fill_doc
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
        The heat map (the last row's, with token labels: all rows share its
        colour scale).
    axes_ : ndarray of matplotlib Axes
        Every Axes drawn: one, or one per document with token labels.

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
        %(ax)s
        %(cmap)s

        %(returns_heat_map_display)s

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

        With token labels, each document gets its own row of axes with its
        tokens on the x axis (in an installed CJK font where a token needs one),
        on one colour scale.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on (split into one row per document with labels); a
            new figure when None.
        %(cmap)s

        Returns
        -------
        self : AttentionDisplay
            ``axes_`` holds every Axes drawn, ``ax_`` the first.
        """
        names = self.sample_names or [str(i) for i in range(len(self.weights))]
        if self.labels is None:
            axes = [_axes(ax, "AttentionDisplay.plot")]
            width = max(len(w) for w in self.weights)
            grid = np.full((len(self.weights), width), np.nan)
            for i, w in enumerate(self.weights):
                grid[i, : len(w)] = w
            self.image_ = axes[0].imshow(grid, aspect="auto", cmap=cmap,
                                         interpolation="nearest")
            axes[0].set_xlabel("time step")
            axes[0].set_yticks(range(len(self.weights)), names)
        else:
            axes = _rows(ax, len(self.weights), "AttentionDisplay.plot")
            top = max(float(np.max(w)) for w in self.weights)
            for row, w, tokens, name in zip(axes, self.weights, self.labels, names):
                self.image_ = row.imshow(np.asarray(w)[None, :], aspect="auto", cmap=cmap,
                                         vmin=0.0, vmax=top, interpolation="nearest")
                _token_ticks(row, tokens)
                row.set_yticks([0], [name])
            axes[-1].set_xlabel("token")
        axes[0].figure.colorbar(self.image_, ax=axes, label="attention weight")
        self.axes_ = np.asarray(axes, dtype=object)
        self.ax_, self.figure_ = axes[0], axes[0].figure
        return self
