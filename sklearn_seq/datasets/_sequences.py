"""Generated sequence tasks whose answer is known."""

import numpy as np
from sklearn.utils import check_random_state


def make_long_range_classification(
    n_samples=1000, n_timesteps=120, lag=100, noise=1.0, random_state=None
):
    """Binary task whose label is the sign of one step ``lag`` steps before the end.

    Every step is Gaussian noise except the marked step ``n_timesteps - lag``,
    which carries the label as +1/-1 in a second channel, so a model must carry
    one bit of memory across ``lag - 1`` steps of distraction::

        channel 0:  noise noise noise ... noise noise     (n_timesteps steps)
        channel 1:  0     0     +-1   ... 0     0
                                 ^ lag steps before the end

    Parameters
    ----------
    n_samples : int, default=1000
        Number of sequences.
    n_timesteps : int, default=120
        Steps per sequence.
    lag : int, default=100
        Distance from the marked step to the last step (1 <= lag <= n_timesteps).
    noise : float, default=1.0
        Standard deviation of the distracting channel.
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    X : ndarray of shape (n_samples, n_timesteps, 2), float32
        The sequences.
    y : ndarray of shape (n_samples,), int64
        The labels, 0 or 1, balanced in expectation.

    Examples
    --------
    >>> from sklearn_seq.datasets import make_long_range_classification
    >>> X, y = make_long_range_classification(n_samples=4, n_timesteps=10, lag=8,
    ...                                       random_state=0)
    >>> X.shape, y.shape
    ((4, 10, 2), (4,))
    >>> bool(((X[:, 2, 1] > 0) == (y == 1)).all())
    True
    """
    if not 1 <= lag <= n_timesteps:
        raise ValueError(f"lag must be in [1, n_timesteps={n_timesteps}], got {lag}.")
    rng = check_random_state(random_state)
    y = rng.randint(0, 2, size=n_samples)
    X = np.zeros((n_samples, n_timesteps, 2), dtype=np.float32)
    X[:, :, 0] = noise * rng.standard_normal((n_samples, n_timesteps))
    X[:, n_timesteps - lag, 1] = 2.0 * y - 1.0
    return X, y.astype(np.int64)


def make_sequence_classification(
    n_samples=300,
    min_length=10,
    max_length=60,
    n_features=3,
    n_classes=3,
    random_state=None,
):
    """Ragged multichannel sequences whose class sets their frequency and drift.

    Parameters
    ----------
    n_samples : int, default=300
        Number of sequences.
    min_length, max_length : int, default=10, 60
        Sequence lengths are drawn uniformly from this range (inclusive).
    n_features : int, default=3
        Channels per step.
    n_classes : int, default=3
        Number of classes.
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    X : list of ndarray of shape (T_i, n_features), float32
        Sequences of different lengths.
    y : ndarray of shape (n_samples,), int64
        Class of each sequence.

    Examples
    --------
    >>> from sklearn_seq.datasets import make_sequence_classification
    >>> X, y = make_sequence_classification(n_samples=5, random_state=0)
    >>> len(X), X[0].shape[1], y.shape
    (5, 3, (5,))
    """
    rng = check_random_state(random_state)
    y = rng.randint(0, n_classes, size=n_samples)
    lengths = rng.randint(min_length, max_length + 1, size=n_samples)
    freqs = np.linspace(0.15, 0.6, n_classes)
    X = []
    for label, length in zip(y, lengths):
        t = np.arange(length)[:, None]
        phase = rng.uniform(0, 2 * np.pi, size=n_features)
        signal = np.sin(freqs[label] * t * (1 + 0.2 * np.arange(n_features)) + phase)
        drift = (label - n_classes / 2) * 0.02 * t
        X.append((signal + drift + 0.3 * rng.standard_normal((length, n_features))).astype(np.float32))
    return X, y.astype(np.int64)
