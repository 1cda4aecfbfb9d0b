"""Generated sequence-tagging tasks: a label at every time step."""

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["make_machine_faults"]

_STATES = np.array(["normal", "bearing", "overheat"])


def _stream(rng, n, noise):
    """Vibration, temperature and current of one machine, around its own levels."""
    t = np.arange(n)
    level = rng.normal(0.0, 2.0, size=3)
    gain = rng.uniform(0.5, 1.5, size=3)
    load = np.sin(2 * np.pi * t / rng.uniform(20, 60) + rng.uniform(0, 2 * np.pi))
    drift = 0.5 * np.cumsum(rng.standard_normal(n)) / np.sqrt(n)
    vibration = level[0] + gain[0] * (0.5 * load + noise * rng.standard_normal(n))
    temperature = level[1] + gain[1] * (0.3 * load + drift + noise * rng.standard_normal(n))
    current = level[2] + gain[2] * (load + noise * rng.standard_normal(n))
    return np.column_stack([vibration, temperature, current]), gain


def make_machine_faults(
    n_streams=200, *, min_length=80, max_length=240, fault_rate=0.6, noise=0.3,
    random_state=None,
):
    """Generate machine sensor streams with the state of the machine at every step.

    Each stream has three sensors (vibration, temperature, current) that follow the
    machine's load around levels and gains of its own, so the same reading is
    normal on one machine and a fault on another. With probability ``fault_rate``
    a stream holds one fault of 20 to 60 steps, which builds up over its first 10:
    ``"bearing"`` (the vibration grows noisy, its level unchanged) or
    ``"overheat"`` (the temperature climbs above the machine's level and the
    current dips). Every other step is ``"normal"``. A per-step classifier of the
    readings cannot tell the machines apart; a tagger that reads the whole
    stream can.

    Parameters
    ----------
    n_streams : int, default=200
        Number of streams (sequences).
    min_length, max_length : int, default=80, 240
        Range of the stream lengths (ragged).
    fault_rate : float, default=0.6
        Share of streams with a fault.
    noise : float, default=0.3
        Standard deviation of the sensor noise, relative to the load's swing.
    random_state : int, RandomState instance or None, default=None
        Seeds everything.

    Returns
    -------
    X : list of ndarray of shape (n_steps_i, 3)
        The readings, float32.
    y : list of ndarray of shape (n_steps_i,)
        The state at every step: ``"normal"``, ``"bearing"`` or ``"overheat"``.

    Examples
    --------
    >>> from sklearn_seq.datasets import make_machine_faults
    >>> X, y = make_machine_faults(n_streams=5, random_state=0)
    >>> len(X), X[0].shape[1], len(y[0]) == len(X[0])
    (5, 3, True)
    >>> sorted(set(y[0]) | set(y[1]) | set(y[2])) <= ["bearing", "normal", "overheat"]
    True
    """
    rng = check_random_state(random_state)
    X, y = [], []
    for _ in range(n_streams):
        n = int(rng.randint(min_length, max_length + 1))
        steps, gain = _stream(rng, n, noise)
        state = np.zeros(n, dtype=np.int64)
        if rng.uniform() < fault_rate:
            kind = int(rng.randint(1, 3))
            start = int(rng.randint(n // 4, 3 * n // 4))
            end = min(n, start + int(rng.randint(20, 61)))
            ramp = np.clip(np.arange(end - start) / 10.0, 0.0, 1.0)
            if kind == 1:
                steps[start:end, 0] += gain[0] * ramp * 1.5 * rng.standard_normal(end - start)
            else:
                steps[start:end, 1] += gain[1] * ramp * 1.5
                steps[start:end, 2] -= gain[2] * ramp * 0.8
            state[start:end] = kind
        X.append(steps.astype(np.float32))
        y.append(_STATES[state])
    return X, y
