"""A multichannel sensor stream with injected anomalies whose steps are labelled."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params

from ..utils._docstrings import fill_doc

__all__ = ["make_sensor_stream"]

# Codes of the anomaly kinds in the returned labels.
SENSOR_ANOMALIES = {0: "normal", 1: "spike", 2: "level_shift", 3: "frozen"}


# Over 60 lines for its numpydoc docstring (with a doctest), not for its code.
@validate_params(
    {
        "n_steps": [Interval(Integral, 10, None, closed="left")],
        "n_sensors": [Interval(Integral, 1, None, closed="left")],
        "period": [Interval(Integral, 2, None, closed="left")],
        "n_anomalies": [Interval(Integral, 0, None, closed="left")],
        "noise": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
@fill_doc
def make_sensor_stream(
    n_steps=5000, *, n_sensors=3, period=50, n_anomalies=20, noise=0.1, random_state=None
):
    """Generate correlated sensor readings with spikes, level shifts and frozen sensors.

    All sensors follow one latent cycle of length ``period`` (with a slowly
    varying amplitude), each with its own gain, phase and offset, plus Gaussian
    noise. Anomalies are then injected into one random sensor each, over
    segments that do not overlap:

    * ``spike`` (code 1): one or two steps jump by 3 to 6 units;
    * ``level_shift`` (code 2): 10 to 40 steps are offset by 1 to 2 units;
    * ``frozen`` (code 3): 15 to 40 steps repeat the reading at the segment start.

    The kinds are drawn in equal shares. A sensor's swing is about 2 units.

    Parameters
    ----------
    n_steps : int, default=5000
        Length of the stream.
    n_sensors : int, default=3
        Number of channels.
    period : int, default=50
        Steps per cycle of the latent signal.
    n_anomalies : int, default=20
        Number of injected anomalies (fewer if the stream is too short to hold
        them apart).
    noise : float, default=0.1
        Standard deviation of the per-sensor Gaussian noise.
    %(random_state_seed)s

    Returns
    -------
    stream : ndarray of shape (n_steps, n_sensors), float32
        The readings.
    labels : ndarray of shape (n_steps,), int64
        0 on normal steps, else the code of the anomaly covering the step.

    Examples
    --------
    >>> from sklearn_seq.datasets import make_sensor_stream
    >>> stream, labels = make_sensor_stream(n_steps=1000, n_anomalies=6, random_state=0)
    >>> stream.shape, labels.shape
    ((1000, 3), (1000,))
    >>> sorted(set(labels.tolist()))
    [0, 1, 2, 3]
    """
    rng = check_random_state(random_state)
    t = np.arange(n_steps, dtype=np.float64)
    amplitude = 1.0 + 0.3 * np.sin(2 * np.pi * t / (period * 7.3) + rng.uniform(0, 2 * np.pi))
    gains = rng.uniform(0.7, 1.3, n_sensors)
    phases = rng.uniform(0, 0.5 * np.pi, n_sensors)
    offsets = rng.uniform(-1.0, 1.0, n_sensors)
    stream = (
        gains * amplitude[:, None] * np.sin(2 * np.pi * t[:, None] / period + phases)
        + offsets
        + noise * rng.standard_normal((n_steps, n_sensors))
    )

    labels = np.zeros(n_steps, dtype=np.int64)
    # Non-overlapping slots of equal size, one anomaly in a random place in each.
    slot = max(n_steps // max(n_anomalies, 1), 1)
    n_fit = min(n_anomalies, n_steps // 60)
    slots = rng.permutation(n_steps // slot)[:n_fit]
    kinds = rng.permutation(np.resize([1, 2, 3], n_fit))
    for start_slot, kind in zip(np.sort(slots), kinds):
        lo, hi = start_slot * slot, min((start_slot + 1) * slot, n_steps)
        length = {1: rng.randint(1, 3), 2: rng.randint(10, 41), 3: rng.randint(15, 41)}[kind]
        length = min(length, hi - lo - 1)
        start = rng.randint(lo, hi - length)
        sensor = rng.randint(n_sensors)
        seg = slice(start, start + length)
        if kind == 1:
            stream[seg, sensor] += rng.choice([-1, 1]) * rng.uniform(3, 6)
        elif kind == 2:
            stream[seg, sensor] += rng.choice([-1, 1]) * rng.uniform(1, 2)
        else:
            stream[seg, sensor] = stream[start, sensor]
        labels[seg] = kind
    return stream.astype(np.float32), labels
