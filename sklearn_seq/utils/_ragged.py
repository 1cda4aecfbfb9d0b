"""Ragged batches: a list of ``(T_i,)`` / ``(T_i, n_features)`` arrays, checked item
by item and stacked into one ``(sum(T_i), n_features)`` block with the lengths."""

import numbers

import numpy as np
from scipy import sparse

from ._messages import _complex_message, _reject_non_finite
from ._sequences import Sequences


def _describe_element(x):
    return type(x).__name__


def _check_ragged(items, dtype, estimator_name):
    """The ragged batch ``items`` as :class:`Sequences` (dense when all lengths agree)."""
    if len(items) == 0:
        raise ValueError(
            "Found array with 0 sample(s) (shape=(0,)) while a minimum of 1 is required"
            f" by {estimator_name}."
        )
    arrays = [_step_array(item, i, dtype) for i, item in enumerate(items)]
    n_features = {a.shape[1] for a in arrays}
    if len(n_features) > 1:
        first = arrays[0].shape[1]
        j = next(k for k, a in enumerate(arrays) if a.shape[1] != first)
        raise ValueError(
            "All sequences must have the same number of features per step: X[0] has "
            f"{first} and X[{j}] has {arrays[j].shape[1]}."
        )
    if n_features == {0}:
        raise ValueError("Found sequences with 0 feature(s) per step; at least 1 is required.")
    lengths = np.fromiter((a.shape[0] for a in arrays), dtype=np.int64, count=len(arrays))
    with np.errstate(over="ignore"):  # values too large for dtype: reported below
        values = np.concatenate(arrays, axis=0, dtype=dtype, casting="unsafe")
    return _stacked_sequences(values, lengths, dtype)


def _step_array(item, i, dtype):
    """Sequence ``X[i]`` as a numeric ``(T_i, n_features)`` array, or a located error."""
    if isinstance(item, (str, bytes)):
        raise TypeError(
            f"X[{i}] is a string ({item!r:.40}); numeric sequence estimators need "
            "numbers. For raw text use sklearn_seq.BiRNNTextClassifier."
        )
    if sparse.issparse(item):
        raise TypeError(
            f"X[{i}] is a sparse matrix; sequences must be dense. Convert with "
            ".toarray() first."
        )
    if isinstance(item, numbers.Number) or item is None:
        raise ValueError(
            f"X[{i}] is a scalar ({_describe_element(item)}), not a sequence. "
            "Pass a 2D array (n_samples, n_timesteps) for univariate sequences of "
            "equal length, or a list of arrays of shape (T_i,) or (T_i, n_features)."
        )
    try:
        arr = np.asarray(item)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"X[{i}] cannot be read as a numeric array: {exc}") from exc
    arr = _numeric(arr, i, dtype)
    if arr.ndim == 1:
        arr = arr[:, None]
    elif arr.ndim != 2:
        raise ValueError(
            f"X[{i}] has {arr.ndim} dimensions; each sequence must have shape "
            "(T_i,) or (T_i, n_features)."
        )
    if arr.shape[0] == 0:
        raise ValueError(
            f"X[{i}] is a sequence of length 0; every sequence needs at least one "
            "time step. Drop empty sequences before fitting or predicting."
        )
    return arr


def _numeric(arr, i, dtype):
    """``arr`` (sequence ``X[i]``) with its strings or objects read as numbers."""
    if arr.dtype.kind in "USO":
        try:
            with np.errstate(over="ignore"):  # too large for dtype: reported later
                return arr.astype(dtype)
        except OverflowError as exc:
            raise ValueError(
                f"X[{i}] holds a number too large for {np.dtype(dtype).name} ({exc})."
            ) from exc
        except (ValueError, TypeError) as exc:
            raise TypeError(
                f"X[{i}] holds non-numeric values ({exc}). Numeric sequence "
                "estimators need numbers; encode categories first, and for raw "
                "text use sklearn_seq.BiRNNTextClassifier."
            ) from exc
    if arr.dtype.kind == "c":
        raise ValueError(_complex_message(f"X[{i}]"))
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"X[{i}] has dtype {arr.dtype}, which is not numeric. Convert it to "
            "numbers (e.g. timestamps to elapsed seconds) first."
        )
    return arr


def _stacked_sequences(values, lengths, dtype):
    """Sequences from ``(sum(lengths), F)`` values: dense when all lengths agree."""
    _reject_non_finite(values, dtype, lengths=lengths)
    if (lengths == lengths[0]).all():
        # Equal lengths: a dense block gives the same results with no bookkeeping.
        return Sequences(values.reshape(len(lengths), int(lengths[0]), -1))
    return Sequences(np.ascontiguousarray(values), lengths)
