"""The package's batch of sequences: one dense block, or ragged steps and lengths."""

import numpy as np


class Sequences:
    """A batch of sequences, dense or ragged, in one dtype.

    Parameters
    ----------
    values : ndarray
        Dense: ``(n_samples, n_timesteps, n_features)``. Ragged: the sequences
        stacked along time, ``(sum(lengths), n_features)``.
    lengths : ndarray of int64 or None
        Length of each sequence for ragged data, None for dense data.
    """

    __slots__ = ("values", "lengths", "_offsets")

    def __init__(self, values, lengths=None):
        self.values = values
        self.lengths = lengths
        self._offsets = None

    @property
    def is_ragged(self):
        return self.lengths is not None

    @property
    def n_samples(self):
        return len(self.lengths) if self.is_ragged else self.values.shape[0]

    @property
    def n_features(self):
        return self.values.shape[-1]

    @property
    def dtype(self):
        return self.values.dtype

    @property
    def offsets(self):
        """Start of each sequence in ``values`` (ragged data only)."""
        if self._offsets is None and self.is_ragged:
            self._offsets = np.concatenate(([0], np.cumsum(self.lengths)[:-1]))
        return self._offsets

    @property
    def max_length(self):
        return int(self.lengths.max()) if self.is_ragged else self.values.shape[1]

    def __len__(self):
        return self.n_samples

    def n_steps(self, index=None):
        """Time steps of all the sequences (or of those at ``index``): what a pass
        over them reads."""
        if self.is_ragged:
            return int((self.lengths if index is None else self.lengths[index]).sum())
        return self.max_length * (self.n_samples if index is None else len(index))

    def step_values(self):
        """All time steps of all sequences as one ``(n_steps, n_features)`` view."""
        if self.is_ragged:
            return self.values
        return self.values.reshape(-1, self.values.shape[-1])

    def step_weights(self, sample_weight):
        """Repeat per-sample weights over time steps, aligned with :meth:`step_values`."""
        if self.is_ragged:
            return np.repeat(sample_weight, self.lengths)
        return np.repeat(sample_weight, self.values.shape[1])

    def take(self, indices):
        """The sequences at ``indices``, in that order (a copy)."""
        indices = np.asarray(indices)
        if not self.is_ragged:
            return Sequences(self.values[indices])
        lengths = self.lengths[indices]
        starts = self.offsets[indices]
        flat = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
        flat += np.arange(flat.shape[0])
        return Sequences(self.values[flat], lengths)

    def __getitem__(self, indices):
        """The sequences at an array of ``indices`` (as :meth:`take`)."""
        return self.take(indices)

    def to_list(self):
        """One ``(T_i, n_features)`` array per sequence (views)."""
        if not self.is_ragged:
            return list(self.values)
        return np.split(self.values, np.cumsum(self.lengths)[:-1])
