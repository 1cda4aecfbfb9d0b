"""``AttributionDisplay``: attributions over the steps and features (or tokens) of
a few sequences."""

import numpy as np

from ..inspection import sequence_attributions
from ..utils._docstrings import fill_doc
from ._base import _axes, _rows, _token_ticks


def _per_sample(attributions, tokens):
    """One array per sample: ``(length,)`` for documents, ``(length, n_features)``
    for sequences (a 2D array holds one feature per step)."""
    if tokens is not None:
        return [np.asarray(a, dtype=float).reshape(-1) for a in attributions]
    if isinstance(attributions, np.ndarray) and attributions.ndim == 2:
        return [a[:, None] for a in attributions.astype(float)]
    return [np.asarray(a, dtype=float).reshape(len(a), -1) for a in attributions]


@fill_doc
class AttributionDisplay:
    """Attributions (see :func:`~sklearn_seq.inspection.sequence_attributions`)
    over the steps of a few sequences, or over the tokens of a few documents.

    Sequences of one feature: a line over the steps per sequence. Several
    features: a heat map of features by steps per sequence. Documents: one row
    per document, its tokens on the x axis. Red marks what raised the explained
    output, blue what lowered it, on one colour scale centred on zero.

    Parameters
    ----------
    attributions : ndarray or list of ndarray
        As ``sequence_attributions`` returns them: ``(n_samples, n_timesteps)``,
        ``(n_samples, n_timesteps, n_features)``, or one array per sequence
        (``(T_i, n_features)``) or per document (``(n_tokens_i,)``).
    tokens : list of list of str, default=None
        The tokens of each document.
    feature_names : list of str, default=None
        Names of the features (the heat map's rows).
    sample_names : list of str, default=None
        A name for each sequence (legend or row label).

    Attributes
    ----------
    ax_ : matplotlib Axes
        The first Axes drawn.
    axes_ : ndarray of matplotlib Axes
        Every Axes drawn: one for lines, one per sequence or document otherwise.
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq.plotting import AttributionDisplay
    >>> disp = AttributionDisplay([np.array([0.1, -0.4, 0.9])], tokens=[["a", "bad", "film"]])
    >>> disp.tokens[0]
    ['a', 'bad', 'film']
    """

    def __init__(self, attributions, *, tokens=None, feature_names=None, sample_names=None):
        self.attributions = attributions
        self.tokens = tokens
        self.feature_names = feature_names
        self.sample_names = sample_names

    @classmethod
    def from_estimator(cls, estimator, X, *, method="integrated_gradients", target=None,
                       feature_names=None, ax=None, cmap="RdBu_r", **kwargs):
        """Compute and draw the attributions of a fitted estimator on ``X``.

        Parameters
        ----------
        estimator : fitted sklearn_seq estimator or Pipeline
            As for :func:`~sklearn_seq.inspection.sequence_attributions`.
        X : sequences or documents
            A few samples to show.
        method : {"integrated_gradients", "occlusion"}, default="integrated_gradients"
            How attributions are computed.
        target : label, array-like or int, default=None
            What is explained (by default a classifier's predicted class).
        feature_names : list of str, default=None
            Names of the features.
        ax : matplotlib Axes, default=None
            Axes to draw on (split into rows where needed); a new figure when None.
        cmap : str, default="RdBu_r"
            Colour map of the heat maps (centred on zero).
        **kwargs
            Other arguments of ``sequence_attributions`` (``baseline``,
            ``n_steps``, ``window``, ``batch_size``).

        Returns
        -------
        display : AttributionDisplay
            Drawn; each sample is named by its index and what was explained.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_seq import GRUClassifier
        >>> from sklearn_seq.plotting import AttributionDisplay
        >>> rng = np.random.RandomState(0)
        >>> X = rng.randn(20, 8)
        >>> clf = GRUClassifier(hidden_size=4, max_iter=3, random_state=0)
        >>> clf = clf.fit(X, (X[:, 2] > 0).astype(int))
        >>> disp = AttributionDisplay.from_estimator(clf, X[:2], n_steps=8)
        >>> len(disp.ax_.get_lines())  # one line per sequence and the zero line
        3
        """
        result = sequence_attributions(estimator, X, method=method, target=target, **kwargs)
        n = len(result.attributions)
        names = [str(i) if result.target is None else f"{i} ({result.target[i]})"
                 for i in range(n)]
        return cls.from_attributions(result.attributions, tokens=result.tokens,
                                     feature_names=feature_names, sample_names=names,
                                     ax=ax, cmap=cmap)

    @classmethod
    def from_attributions(cls, attributions, *, tokens=None, feature_names=None,
                          sample_names=None, ax=None, cmap="RdBu_r"):
        """Draw attributions already computed.

        Parameters
        ----------
        attributions : ndarray or list of ndarray
            See the class's parameters.
        tokens, feature_names, sample_names
            See the class's parameters.
        %(ax)s
        cmap : str, default="RdBu_r"
            Colour map of the heat maps.

        Returns
        -------
        display : AttributionDisplay
        """
        disp = cls(attributions, tokens=tokens, feature_names=feature_names,
                   sample_names=sample_names)
        return disp.plot(ax=ax, cmap=cmap)

    def plot(self, ax=None, cmap="RdBu_r"):
        """Draw the attributions.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on (split into one row per sequence or document for
            heat maps); a new figure when None.
        cmap : str, default="RdBu_r"
            Colour map of the heat maps, centred on zero.

        Returns
        -------
        self : AttributionDisplay
        """
        values = _per_sample(self.attributions, self.tokens)
        names = self.sample_names or [str(i) for i in range(len(values))]
        if self.tokens is None and values[0].shape[1] == 1:
            axes = [_axes(ax, "AttributionDisplay.plot")]
            for a, name in zip(values, names):
                axes[0].plot(np.arange(len(a)), a[:, 0], marker=".", label=name)
            axes[0].axhline(0.0, color="0.5", linewidth=0.8)
            axes[0].set_xlabel("time step")
            axes[0].set_ylabel("attribution")
            if len(values) <= 10:
                axes[0].legend(title="sample (explained)", fontsize="small")
        else:
            axes = self._heat_maps(ax, values, names, cmap)
        self.axes_ = np.asarray(axes, dtype=object)
        self.ax_, self.figure_ = axes[0], axes[0].figure
        return self

    def _heat_maps(self, ax, values, names, cmap):
        """One heat map per sample, on one colour scale centred on zero."""
        axes = _rows(ax, len(values), "AttributionDisplay.plot",
                     height=1.0 if self.tokens is not None else 0.6 + 0.25 * values[0].shape[1])
        top = max(float(np.max(np.abs(a))) for a in values) or 1.0
        for i, (row, a, name) in enumerate(zip(axes, values, names)):
            grid = a[None, :] if self.tokens is not None else a.T
            image = row.imshow(grid, aspect="auto", cmap=cmap, vmin=-top, vmax=top,
                               interpolation="nearest")
            if self.tokens is not None:
                _token_ticks(row, self.tokens[i])
                row.set_yticks([0], [name])
                continue
            features = self.feature_names or [f"feature {j}" for j in range(a.shape[1])]
            row.set_yticks(range(a.shape[1]), features)
            row.set_ylabel(name, rotation=0, ha="right", va="center")
        axes[-1].set_xlabel("token" if self.tokens is not None else "time step")
        axes[0].figure.colorbar(image, ax=axes, label="attribution")
        return axes
