"""Shapes that are almost certainly a layout mix-up, warned about at ``fit``: an
aeon/sktime panel with time last, or one long recording read as many short
sequences."""

import warnings

import numpy as np

from ._containers import user_stacklevel


class SequenceLayoutWarning(UserWarning):
    """Warning that ``X`` is accepted but its shape suggests a layout mix-up.

    Issued once by ``fit`` when the axes of ``X`` look swapped: an aeon/sktime
    panel ``(n_cases, n_channels, n_timepoints)`` read as ``(n_samples,
    n_timesteps, n_features)``, or one long table of time steps read as many short
    sequences. The message gives the fix; when the layout is meant, silence it with
    ``warnings.filterwarnings("ignore", category=SequenceLayoutWarning)``.
    """


def _lag1_autocorrelation(series):
    """Mean lag-1 autocorrelation of the rows of a 2D array (rows that vary only)."""
    series = series - series.mean(axis=1, keepdims=True)
    variance = np.einsum("ij,ij->i", series, series)
    covariance = np.einsum("ij,ij->i", series[:, 1:], series[:, :-1])
    varies = variance > 1e-12 * series.shape[1]
    return float(np.mean(covariance[varies] / variance[varies])) if varies.any() else 0.0


_SILENCE = (
    " If the layout is meant, silence this with warnings.filterwarnings('ignore', "
    "category=sklearn_seq.utils.SequenceLayoutWarning)."
)


def _warn_if_layout_mixed_up(values, ndim):
    """Warn when the dense ``(n, T, F)`` values look like a layout mix-up.

    Smoothness (lag-1 autocorrelation of at least 0.5, on at most 1000 samples) is
    what tells time from unordered features: time series change little from one
    step to the next, while features or independent samples come in no such order.
    """
    n, steps, features = values.shape
    if ndim == 3 and steps < features and (steps == 1 or features >= 4 * steps):
        if steps > 1 and _lag1_autocorrelation(values[:256].reshape(-1, features)) < 0.5:
            return
        why = (
            "a recurrent network over a single step sees no sequence"
            if steps == 1
            else f"the {features} values of each step vary smoothly, like a time series"
        )
        warnings.warn(
            f"X of shape {values.shape} is read as {n} sequences of {steps} time "
            f"step{'s' if steps > 1 else ''} with {features} features each, but {why}. "
            "aeon and sktime put time last, (n_cases, n_channels, n_timepoints): if X "
            "is such a panel, pass np.swapaxes(X, 1, 2) (or put "
            "sklearn_seq.preprocessing.ChannelsLast() first in the pipeline) to read "
            f"it as {n} sequences of {features} time steps with {steps} "
            f"feature{'s' if steps > 1 else ''}." + _SILENCE,
            SequenceLayoutWarning,
            stacklevel=user_stacklevel(),
        )
    elif ndim == 2 and steps <= 3 and n >= 100:
        table = values[:1000, :, 0]
        if _lag1_autocorrelation(table.T) < 0.5:
            return  # rows in no order: independent samples
        if steps > 1 and np.allclose(table[1:, :-1], table[:-1, 1:]):
            return  # overlapping windows of one series, one per row
        warnings.warn(
            f"X of shape ({n}, {steps}) is read as {n} sequences of {steps} time "
            f"step{'s' if steps > 1 else ''} (one per row), but consecutive rows vary "
            "smoothly, like the time steps of one long recording. If each row is a time "
            "step (and the columns are sensors or features), cut the recording into "
            "sequences: windows, _ = sklearn_seq.preprocessing.make_windows(X, window=50) "
            f"gives windows of 50 steps with {steps} feature{'s' if steps > 1 else ''} "
            f"each; X[np.newaxis] is one sequence of {n} steps." + _SILENCE,
            SequenceLayoutWarning,
            stacklevel=user_stacklevel(),
        )
