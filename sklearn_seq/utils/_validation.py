"""The one conversion path from user input to sequences.

Every estimator of the package turns its ``X`` into a :class:`Sequences` through
:func:`check_sequences`. The accepted layouts are:

* a 2D array-like ``(n_samples, n_timesteps)``: univariate sequences, one column per
  time step (a pandas DataFrame sets ``feature_names_in_``);
* a 3D array ``(n_samples, n_timesteps, n_features)``, batch first;
* a list, tuple, pandas Series or 1D object array of arrays of shape ``(T_i,)`` or
  ``(T_i, n_features)``: a ragged batch of sequences of different lengths.

polars is read without being imported here (nor needing pyarrow): a polars DataFrame
is a 2D table like a pandas one, and a polars Series of lists (``List`` or ``Array``
dtype, of numbers or of per-step feature lists/arrays) is a ragged batch, converted
with one ``explode`` instead of a Python loop over samples. polars nulls are refused
with their own message.

pandas and polars containers are recognised by one helper, :func:`container_type`.
Bad values get one message per problem whatever the layout: NaN, missing values
and infinity name the first sequence and time step (the row and column of a
DataFrame), a string column is named with how to encode it, and complex data is
refused in one line. At ``fit``, shapes that are almost certainly a layout mix-up
(an aeon/sktime panel with time last, one long recording read as many short
sequences) give a :class:`SequenceLayoutWarning` with the fix.

Dense data stays one ``(n, T, F)`` block; ragged data is stored as one
``(sum(T_i), F)`` block plus the lengths, so batches are gathered without a Python
loop over samples.

This module is the path itself (:func:`check_sequences`, arrays and lists); the
steps live beside it: ``_containers`` (pandas/polars recognition, missing values),
``_sequences`` (:class:`Sequences`), ``_ragged`` (lists of sequences), ``_polars``,
``_messages`` (located errors) and ``_layout`` (the layout warnings).
"""

import numpy as np
from sklearn.utils.validation import check_array

from ._containers import (
    _all_rows_scalar,
    _as_sequence_list,
    _first,
    _is_sequence_list,
    container_type,
    is_missing_scalar,
    user_stacklevel,
)
from ._layout import SequenceLayoutWarning, _warn_if_layout_mixed_up
from ._messages import _explain_conversion_error, _reject_datetimes, _reject_non_finite
from ._polars import _from_polars, _is_polars, polars_float_dtype, reject_polars_nulls
from ._ragged import _check_ragged
from ._sequences import Sequences

# The package's modules import these from here, the one conversion path; the helpers
# live in the modules above.
__all__ = [
    "SequenceLayoutWarning",
    "Sequences",
    "check_sequences",
    "container_type",
    "is_missing_scalar",
    "polars_float_dtype",
    "reject_polars_nulls",
    "set_n_features_in",
    "user_stacklevel",
]


def check_sequences(X, *, dtype=np.float32, estimator_name="the estimator", check_layout=False):
    """Validate ``X`` and convert it to :class:`Sequences` of ``dtype``.

    Parameters
    ----------
    X : array-like or list of array-like
        2D ``(n_samples, n_timesteps)`` (an array, or a pandas or polars
        DataFrame), 3D ``(n_samples, n_timesteps, n_features)``, or a sequence of
        ``(T_i,)`` / ``(T_i, n_features)`` arrays (a list, a pandas Series, or a
        polars Series of ``List``/``Array`` dtype).
    dtype : numpy dtype, default=np.float32
        The dtype of the returned values.
    estimator_name : str
        Named in error messages.
    check_layout : bool, default=False
        Warn (:class:`SequenceLayoutWarning`) when the shape of ``X`` suggests a
        layout mix-up; estimators ask for it in ``fit``, not at predict time.

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

    Warns
    -----
    SequenceLayoutWarning
        With ``check_layout=True``, when an array or table ``X`` (never a list of
        sequences) looks like an aeon/sktime panel
        ``(n_cases, n_channels, n_timepoints)`` (3D with one time step, or with
        at least four times as many features as steps whose values vary smoothly
        along the feature axis), or like one long recording with a row per time
        step (2D with at most three columns and at least 100 rows that vary
        smoothly from row to row, and not overlapping windows).
    """
    seqs, ndim = _to_sequences(X, dtype, estimator_name)
    # A list of sequences states its layout (one sequence per item, steps first), so
    # only arrays and tables are checked, whatever their lengths.
    listed = _is_sequence_list(X) or container_type(X) == "polars.Series"
    if check_layout and not seqs.is_ragged and not listed:
        _warn_if_layout_mixed_up(seqs.values, ndim)
    return seqs, ndim


def set_n_features_in(estimator, seqs, ndim):
    """Record the input width of a fit on ``seqs`` (``ndim`` 2 or 3).

    ``n_features_in_`` is scikit-learn's number of columns of a 2D table, so only a
    fit on 2D input (one column per step) sets it. A 3D or ragged fit has no such
    number (as text vectorizers have none): scikit-learn and its companions read it
    as ``X.shape[1]`` and probe with ``np.zeros((1, n_features_in_))``, which here
    would be the steps of a 3D array, the first sequence's length of a list, and
    a 2D row of one feature per step. ``n_features_per_step_`` is always set.
    """
    if ndim == 2:
        estimator.n_features_in_ = seqs.values.shape[1]
    else:
        estimator.__dict__.pop("n_features_in_", None)
    estimator.n_features_per_step_ = seqs.n_features
    estimator._fit_ndim = ndim


def _to_sequences(X, dtype, estimator_name):
    """``X`` as :class:`Sequences` and its number of dimensions (2 or 3)."""
    if type(X) is np.ndarray:
        seqs = _float_array_fast_path(X, dtype)
        if seqs is not None:
            return seqs, X.ndim
    if _is_polars(X):
        X = _from_polars(X, dtype, estimator_name)
        if isinstance(X, Sequences):
            return X, 3
    if _is_sequence_list(X):
        X = _from_sequence_list(X, dtype, estimator_name)
        if isinstance(X, Sequences):
            return X, 3
    if hasattr(X, "shape") and len(X.shape) == 1:
        raise ValueError(_ONE_DIMENSIONAL)
    _reject_datetimes(X)
    kind = container_type(X)
    columns = list(X.columns) if kind in ("pandas.DataFrame", "polars.DataFrame") else None
    X = _as_array(X, dtype, columns, estimator_name)
    if X.ndim == 2:
        values = np.ascontiguousarray(X)[:, :, None]
        _reject_non_finite(values, dtype, columns=columns)
        return Sequences(values), 2
    _check_3d_shape(X, estimator_name)
    _reject_non_finite(X, dtype)
    return Sequences(np.ascontiguousarray(X)), 3


def _float_array_fast_path(X, dtype):
    """Sequences of a finite float array, the common case; None for anything else.

    Anything unusual, including non-finite values, goes through ``check_array`` (in
    :func:`_as_array`) for its messages.
    """
    if not (X.dtype.kind == "f" and X.dtype.itemsize >= 4 and X.ndim in (2, 3)
            and all(X.shape)):
        return None
    with np.errstate(over="ignore", invalid="ignore"):
        # Too large for dtype: check_array says so.
        values = X.astype(dtype, copy=False)
        # A finite sum proves every value finite at half the cost of a full
        # isfinite pass (no temporary mask); an overflowing sum of finite
        # values falls back to the full check.
        finite = np.isfinite(values.sum()) or np.isfinite(values).all()
    if not finite:
        return None
    values = np.ascontiguousarray(values)
    return Sequences(values[:, :, None] if X.ndim == 2 else values)


def _from_sequence_list(X, dtype, estimator_name):
    """A list, Series or object array of sequences as :class:`Sequences`; a list of
    equal-shaped 2D arrays as a 3D array; a list of equal rows as it is (a 2D table)."""
    if len(X) and _first(X) is not None and isinstance(_first(X), (str, bytes)):
        raise TypeError(
            f"X holds strings ({_first(X)!r:.40}, ...); {estimator_name} needs numeric "
            "sequences. For raw text use sklearn_seq.BiRNNTextClassifier."
        )
    if len(X) == 0:
        raise ValueError(
            f"Found array with 0 sample(s) (shape=(0,)) while a minimum of 1 is required "
            f"by {estimator_name}."
        )
    if _all_rows_scalar(X):
        raise ValueError(_ONE_DIMENSIONAL)
    items = _as_sequence_list(X)
    shapes = {np.shape(x) if not isinstance(x, (str, bytes)) else None for x in items}
    if (
        len(shapes) != 1
        or None in shapes
        # A Series or object array is a batch of sequences even when they have
        # equal lengths (only a list of equal rows may be a 2D table).
        or not isinstance(X, (list, tuple))
        or any(isinstance(x, np.ndarray) and x.dtype.kind in "OmM" for x in items[:1])
    ):
        return _check_ragged(items, dtype, estimator_name)
    if len(next(iter(shapes))) == 2:
        # A list of equal-shaped 2D arrays is a 3D batch.
        return np.stack([np.asarray(x) for x in items])
    return X


_ONE_DIMENSIONAL = (
    "Expected 2D array, got 1D array instead. Reshape your data: one "
    "univariate sequence is X.reshape(1, -1); n sequences of a single step "
    "are X.reshape(-1, 1)."
)


def _as_array(X, dtype, columns, estimator_name):
    """A table or array ``X`` as a numeric array, by scikit-learn's ``check_array``,
    with the package's messages for what it cannot convert."""
    try:
        with np.errstate(over="ignore"):
            return check_array(
                X,
                dtype=dtype,
                allow_nd=True,
                ensure_all_finite=False,  # refused later, with the place named
                ensure_min_samples=1,
                ensure_min_features=1,
                estimator=estimator_name,
                input_name="X",
            )
    except OverflowError as exc:  # Python ints beyond any float
        raise ValueError(
            f"Input X contains a number too large for {np.dtype(dtype).name} ({exc})."
        ) from exc
    except (ValueError, TypeError) as exc:
        _explain_conversion_error(X, exc, columns, estimator_name)
        raise


def _check_3d_shape(X, estimator_name):
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
