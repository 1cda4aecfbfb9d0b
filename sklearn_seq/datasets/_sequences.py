"""Generated sequence tasks whose answer is known."""

import numpy as np
from sklearn.utils import check_random_state

from ..utils._docstrings import fill_doc


@fill_doc
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
    %(random_state_seed)s

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


@fill_doc
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
    %(random_state_seed)s

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
        noise = 0.3 * rng.standard_normal((length, n_features))
        X.append((signal + drift + noise).astype(np.float32))
    return X, y.astype(np.int64)


@fill_doc
def make_speaker_sequences(
    n_speakers=5, n_utterances=40, n_coefficients=13, min_frames=40, max_frames=200,
    random_state=None,
):
    """Speech-like cepstral-coefficient sequences of variable length, one class per speaker.

    Each speaker has a vocal-tract signature (a mean per coefficient) and a speaking
    rhythm (a modulation frequency); each utterance is a different number of frames
    drawn from ``[min_frames, max_frames]``, a smooth random trajectory (phonemes)
    around the speaker's signature plus frame noise, as MFCC frames look after
    per-utterance normalisation.

    Parameters
    ----------
    n_speakers : int, default=5
        Number of classes.
    n_utterances : int, default=40
        Utterances per speaker.
    n_coefficients : int, default=13
        Coefficients per frame.
    min_frames, max_frames : int, default=40, 200
        Range of utterance lengths.
    %(random_state_seed)s

    Returns
    -------
    X : list of ndarray of shape (T_i, n_coefficients), float32
        Utterances.
    y : ndarray of shape (n_speakers * n_utterances,)
        Speaker names, ``"speaker_0"`` ...

    Examples
    --------
    >>> from sklearn_seq.datasets import make_speaker_sequences
    >>> X, y = make_speaker_sequences(n_speakers=2, n_utterances=3, random_state=0)
    >>> len(X), X[0].shape[1], sorted(set(y.tolist()))
    (6, 13, ['speaker_0', 'speaker_1'])
    """
    rng = check_random_state(random_state)
    signatures = 0.08 * rng.standard_normal((n_speakers, n_coefficients))
    rhythms = rng.uniform(0.05, 0.3, size=n_speakers)
    X, y = [], []
    for s in range(n_speakers):
        for _ in range(n_utterances):
            n = rng.randint(min_frames, max_frames + 1)
            steps = rng.standard_normal((n, n_coefficients)) * 0.35
            trajectory = np.cumsum(steps, axis=0)
            trajectory -= np.linspace(0, 1, n)[:, None] * trajectory[-1]  # a bridge: no drift
            t = np.arange(n)[:, None]
            rhythm = 0.5 * np.sin(rhythms[s] * t + rng.uniform(0, 2 * np.pi))
            frames = signatures[s] + 0.4 * trajectory / np.sqrt(n) + rhythm
            frames += 0.5 * rng.standard_normal((n, n_coefficients))
            X.append(frames.astype(np.float32))
            y.append(f"speaker_{s}")
    order = rng.permutation(len(X))
    return [X[i] for i in order], np.asarray(y)[order]


@fill_doc
def make_price_series(n_days=1500, *, drift=0.0003, volatility=0.015, momentum=0.05,
                      random_state=None):
    """A stock-like daily closing price: a random walk in log price with weak momentum.

    Daily log returns follow ``r_t = drift + momentum * r_{t-1} + volatility * e_t``
    with Student-t noise (fat tails) and volatility clustering, so there is a little
    short-term predictability and a lot of noise, as in real prices.

    Parameters
    ----------
    n_days : int, default=1500
        Length of the series.
    drift : float, default=0.0003
        Mean daily log return.
    volatility : float, default=0.015
        Typical daily volatility.
    momentum : float, default=0.05
        Autocorrelation of daily returns.
    %(random_state_seed)s

    Returns
    -------
    prices : ndarray of shape (n_days,)
        Closing prices starting at 100.

    Examples
    --------
    >>> from sklearn_seq.datasets import make_price_series
    >>> p = make_price_series(n_days=10, random_state=0)
    >>> p.shape, float(p[0])
    ((10,), 100.0)
    """
    rng = check_random_state(random_state)
    returns = np.zeros(n_days)
    vol = volatility
    for t in range(1, n_days):
        vol = np.sqrt(0.9 * vol**2 + 0.1 * volatility**2 * (1 + 3 * rng.rand() ** 8))
        shock = rng.standard_t(5) / np.sqrt(5 / 3)
        returns[t] = drift + momentum * returns[t - 1] + vol * shock
    return 100.0 * np.exp(np.cumsum(returns))
