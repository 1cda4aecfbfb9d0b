"""The one conversion path from user input to sequences.

Every estimator of the package turns its ``X`` into a :class:`Sequences` through
:func:`check_sequences`. The accepted layouts are:

* a 2D array-like ``(n_samples, n_timesteps)``: univariate sequences, one column per
  time step (a pandas DataFrame sets ``feature_names_in_``);
* a 3D array ``(n_samples, n_timesteps, n_features)``, batch first;
* a list, tuple, pandas Series or 1D object array of arrays of shape ``(T_i,)`` or
  ``(T_i, n_features)``: a ragged batch of sequences of different lengths.

Dense data stays one ``(n, T, F)`` block; ragged data is stored as one
``(sum(T_i), F)`` block plus the lengths, so batches are gathered without a Python
loop over samples.
"""

import numbers

import numpy as np
from scipy import sparse
from sklearn.utils.validation import check_array

__all__ = ["Sequences", "check_sequences"]


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

    def to_list(self):
        """One ``(T_i, n_features)`` array per sequence (views)."""
        if not self.is_ragged:
            return list(self.values)
        return np.split(self.values, np.cumsum(self.lengths)[:-1])


def _is_sequence_list(X):
    """True for containers of per-sample sequences that may have different lengths."""
    if isinstance(X, (list, tuple)):
        return True
    if isinstance(X, np.ndarray):
        return X.dtype == object and X.ndim == 1
    # pandas Series without importing pandas
    return type(X).__name__ == "Series" and hasattr(X, "to_numpy")


def _as_sequence_list(X):
    if isinstance(X, np.ndarray):
        return list(X)
    if type(X).__name__ == "Series":
        return list(X.to_numpy())
    return list(X)


def _describe_element(x):
    return type(x).__name__


def _check_ragged(items, dtype, estimator_name):
    if len(items) == 0:
        raise ValueError(
            "Found array with 0 sample(s) (shape=(0,)) while a minimum of 1 is required"
            f" by {estimator_name}."
        )
    arrays = []
    for i, item in enumerate(items):
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
        if arr.dtype.kind in "USO":
            try:
                with np.errstate(over="ignore"):  # too large for dtype: reported below
                    arr = arr.astype(dtype)
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
        elif arr.dtype.kind == "c":
            raise ValueError(f"Complex data not supported: X[{i}] is complex.")
        elif arr.dtype.kind not in "biuf":
            raise TypeError(
                f"X[{i}] has dtype {arr.dtype}, which is not numeric. Convert it to "
                "numbers (e.g. timestamps to elapsed seconds) first."
            )
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
        arrays.append(arr)
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
    if not np.isfinite(values).all():
        bad = ~np.isfinite(values).all(axis=1)
        i = int(np.searchsorted(np.cumsum(lengths), np.flatnonzero(bad)[0], side="right"))
        kind = (
            "NaN"
            if np.isnan(values).any()
            else f"infinity or a value too large for {np.dtype(dtype).name}"
        )
        raise ValueError(
            f"Input X contains {kind} (first in X[{i}]). Sequence estimators do not "
            "accept missing or infinite values: impute or clip them first."
        )
    if (lengths == lengths[0]).all():
        # Equal lengths: a dense block gives the same results with no bookkeeping.
        return Sequences(values.reshape(len(arrays), int(lengths[0]), -1))
    return Sequences(np.ascontiguousarray(values), lengths)


def check_sequences(X, *, dtype=np.float32, estimator_name="the estimator"):
    """Validate ``X`` and convert it to :class:`Sequences` of ``dtype``.

    Parameters
    ----------
    X : array-like or list of array-like
        2D ``(n_samples, n_timesteps)``, 3D ``(n_samples, n_timesteps,
        n_features)``, or a sequence of ``(T_i,)`` / ``(T_i, n_features)`` arrays.
    dtype : numpy dtype, default=np.float32
        The dtype of the returned values.
    estimator_name : str
        Named in error messages.

    Returns
    -------
    sequences : Sequences
        Dense when all sequences have the same length, ragged otherwise.
    ndim : int
        2 for 2D input (one feature per step, ``n_features_in_`` is the number of
        steps), 3 otherwise.

    Raises
    ------
    ValueError, TypeError
        With a message that names the problem, for NaN/inf, 1D or 4D+ input,
        complex or non-numeric data, sparse matrices, empty data, sequences of
        length 0 and ragged sequences whose feature counts differ.
    """
    if (
        type(X) is np.ndarray
        and X.dtype.kind == "f"
        and X.dtype.itemsize >= 4
        and X.ndim in (2, 3)
        and all(X.shape)
    ):
        # Fast path for the common case (a float array); anything unusual, including
        # non-finite values, goes through check_array below for its messages.
        with np.errstate(over="ignore"):  # too large for dtype: check_array says so
            values = X.astype(dtype, copy=False)
        if np.isfinite(values).all():
            values = np.ascontiguousarray(values)
            return Sequences(values[:, :, None] if X.ndim == 2 else values), X.ndim
    if _is_sequence_list(X) and len(X) and _first(X) is not None and isinstance(
        _first(X), (str, bytes)
    ):
        raise TypeError(
            f"X holds strings ({_first(X)!r:.40}, ...); {estimator_name} needs numeric "
            "sequences. For raw text use sklearn_seq.BiRNNTextClassifier."
        )
    if _is_sequence_list(X) and len(X) and not _all_rows_scalar(X):
        items = _as_sequence_list(X)
        shapes = {np.shape(x) if not isinstance(x, (str, bytes)) else None for x in items}
        if len(shapes) != 1 or None in shapes or any(
            isinstance(x, np.ndarray) and x.dtype.kind in "OmM" for x in items[:1]
        ):
            return _check_ragged(items, dtype, estimator_name), 3
        if len(next(iter(shapes))) == 2:
            # A list of equal-shaped 2D arrays is a 3D batch.
            X = np.stack([np.asarray(x) for x in items])
    if _is_sequence_list(X) and len(X) == 0:
        raise ValueError(
            f"Found array with 0 sample(s) (shape=(0,)) while a minimum of 1 is required "
            f"by {estimator_name}."
        )
    if hasattr(X, "shape") and len(X.shape) == 1 or (
        _is_sequence_list(X) and _all_rows_scalar(X)
    ):
        raise ValueError(
            "Expected 2D array, got 1D array instead. Reshape your data: one "
            "univariate sequence is X.reshape(1, -1); n sequences of a single step "
            "are X.reshape(-1, 1)."
        )
    _reject_datetimes(X)
    try:
        with np.errstate(over="ignore"):
            X = check_array(
                X,
                dtype=dtype,
                allow_nd=True,
                ensure_min_samples=1,
                ensure_min_features=1,
                estimator=estimator_name,
                input_name="X",
            )
    except OverflowError as exc:  # Python ints beyond any float
        raise ValueError(
            f"Input X contains a number too large for {np.dtype(dtype).name} ({exc})."
        ) from exc
    if X.ndim == 2:
        return Sequences(np.ascontiguousarray(X)[:, :, None]), 2
    if X.ndim != 3:
        raise ValueError(
            f"Found array with dim {X.ndim}. {estimator_name} expects 2D input "
            "(n_samples, n_timesteps), 3D input (n_samples, n_timesteps, n_features) "
            "or a list of sequences."
        )
    if X.shape[1] == 0:
        raise ValueError(
            f"Found array with 0 time step(s) (shape={X.shape}) while a minimum of 1 is "
            f"required by {estimator_name}."
        )
    if X.shape[2] == 0:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={X.shape}) while a minimum of 1 is "
            f"required by {estimator_name}."
        )
    return Sequences(np.ascontiguousarray(X)), 3


def _reject_datetimes(X):
    """Datetimes would pass as raw integer ticks (ns since 1970): refuse them."""
    dtypes = getattr(X, "dtypes", None)  # a DataFrame's column dtypes
    if dtypes is None or isinstance(dtypes, np.dtype):
        dtypes = [getattr(X, "dtype", None)]
    if any(str(d).startswith(("datetime64", "timedelta64")) for d in dtypes):
        raise TypeError(
            "X holds datetimes or timedeltas, which are not numeric. Convert them to "
            "numbers (e.g. timestamps to elapsed seconds) first."
        )


def _first(X):
    return X.iloc[0] if type(X).__name__ == "Series" else X[0]


def _all_rows_scalar(X):
    """A list of scalars is 1D data, not a list of sequences."""
    first = _first(X)
    return isinstance(first, numbers.Number) or first is None
