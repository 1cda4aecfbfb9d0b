"""polars input: a DataFrame is a 2D table; a Series of lists is a ragged batch.

polars stays optional: it is never imported, and its objects are recognised by the
module of their type. A Series of lists (``List`` or ``Array`` dtype, of numbers or
of per-step feature lists/arrays) is converted with one ``explode`` instead of a
Python loop over samples; polars nulls are refused with their own message.
"""

import numpy as np

from ._containers import container_type
from ._ragged import _check_ragged, _stacked_sequences


def _is_polars(X):
    """True for polars objects (DataFrame, Series, LazyFrame, ...)."""
    return type(X).__module__.partition(".")[0] == "polars"


def _leaf_dtype(dtype):
    """The innermost dtype of a polars (possibly nested List/Array) dtype."""
    while getattr(dtype, "inner", None) is not None:
        dtype = dtype.inner
    return dtype


def polars_float_dtype(X):
    """``np.float32`` for a polars frame or Series whose values are all Float32.

    The polars counterpart of keeping float32 pandas frames in float32; None for
    anything else (including non-polars input).
    """
    kind = container_type(X)
    if kind == "polars.Series":
        dtypes = [X.dtype]
    elif kind == "polars.DataFrame":
        dtypes = list(X.schema.values())
    else:
        return None
    if dtypes and all(str(_leaf_dtype(d)) == "Float32" for d in dtypes):
        return np.float32
    return None


def reject_polars_nulls(X, input_name="X"):
    """Raise a ValueError naming the first polars column (or sample) holding nulls.

    Does nothing for non-polars input. polars distinguishes null (missing) from NaN;
    converted to numpy, nulls would turn into NaN (or into None in an object array),
    so they are refused here with a message that says what to do.
    """
    kind = container_type(X)
    if kind == "polars.DataFrame":
        for name, count in zip(X.columns, X.null_count().row(0)):
            if count:
                raise ValueError(
                    f"Input {input_name} contains null (missing) values: {count} in column "
                    f"{name!r} of the polars DataFrame. Sequence estimators do not accept "
                    "missing values: fill them (e.g. X.fill_null(...)) or drop those rows "
                    "first."
                )
    elif kind == "polars.Series" and X.null_count():
        i = int(X.is_null().arg_true()[0])
        raise ValueError(
            f"Input {input_name} contains null (missing) values (first at {input_name}[{i}] "
            "of the polars Series). Sequence estimators do not accept missing values: "
            "fill them (e.g. X.fill_null(...)) or drop those samples first."
        )


def _reject_polars_temporal(dtypes):
    if any(_leaf_dtype(d).is_temporal() for d in dtypes):
        raise TypeError(
            "X holds polars dates, datetimes, times or durations, which are not numeric. "
            "Convert them to numbers (e.g. timestamps to elapsed seconds) first."
        )


def _from_polars(X, dtype, estimator_name):
    """A polars DataFrame, checked (scikit-learn reads it); a Series, as Sequences."""
    kind = container_type(X)
    if kind == "polars.DataFrame":
        _check_polars_frame(X)
        return X
    if kind != "polars.Series":
        hint = " Call .collect() first." if kind == "polars.LazyFrame" else ""
        raise TypeError(
            f"{estimator_name} reads a polars DataFrame (2D, one column per time step) or "
            "a polars Series of lists (one sequence per sample), not a polars "
            f"{type(X).__name__}." + hint
        )
    if len(X) == 0:
        raise ValueError(
            "Found array with 0 sample(s) (shape=(0,)) while a minimum of 1 is required"
            f" by {estimator_name}."
        )
    reject_polars_nulls(X)
    outer = type(X.dtype).__name__
    if outer == "Object":  # arbitrary Python objects, e.g. numpy arrays
        return _check_ragged(X.to_list(), dtype, estimator_name)
    if outer not in ("List", "Array"):
        _refuse_series_of_scalars(X, estimator_name)
    if outer == "Array":  # fixed length: the same as a List of that length
        X = X.arr.to_list()
    lengths = X.list.len().to_numpy().astype(np.int64)
    empty = np.flatnonzero(lengths == 0)
    if empty.size:
        raise ValueError(
            f"X[{int(empty[0])}] is a sequence of length 0; every sequence needs at least one "
            "time step. Drop empty sequences before fitting or predicting."
        )
    steps, n_features = _explode_steps(X.explode(), lengths)
    if steps.null_count():
        i = _sample_of(int(steps.is_null().arg_true()[0]) // n_features, lengths)
        raise ValueError(
            f"Input X contains null (missing) values (first in X[{i}] of the polars "
            "Series). Sequence estimators do not accept missing values: fill them "
            "(e.g. X.list.eval(pl.element().fill_null(...))) or drop them first."
        )
    if not (steps.dtype.is_numeric() or type(steps.dtype).__name__ == "Boolean"):
        _reject_polars_temporal([steps.dtype])
        raise TypeError(
            f"X is a polars Series of lists of {steps.dtype}; {estimator_name} needs "
            "numeric sequences. Encode categories first, and for raw text use "
            "sklearn_seq.BiRNNTextClassifier."
        )
    flat = steps.to_numpy()
    with np.errstate(over="ignore"):  # values too large for dtype: reported below
        values = flat.astype(dtype).reshape(-1, n_features)
    return _stacked_sequences(values, lengths, dtype)


def _check_polars_frame(X):
    """Refuse a polars DataFrame's nulls, dates and nested columns."""
    reject_polars_nulls(X)
    _reject_polars_temporal(X.schema.values())
    nested = [name for name, d in X.schema.items() if d.is_nested()]
    if nested:
        raise TypeError(
            f"Column {nested[0]!r} of the polars DataFrame holds {X.schema[nested[0]]} "
            "values; a DataFrame is a 2D table, one number per time step. For one "
            f"sequence per sample pass the Series of lists itself: X[{nested[0]!r}]."
        )


def _refuse_series_of_scalars(X, estimator_name):
    """Raise for a polars Series of scalars: 1D data, or not numbers at all."""
    if X.dtype.is_numeric() or type(X.dtype).__name__ == "Boolean":
        raise ValueError(
            "Expected 2D array, got 1D array instead (a polars Series of numbers). "
            "One univariate sequence is X.to_frame().transpose(); a Series of lists "
            "holds one sequence per sample."
        )
    _reject_polars_temporal([X.dtype])
    raise TypeError(
        f"X is a polars Series of {X.dtype}; {estimator_name} needs numeric sequences "
        "(a Series of lists of numbers). For raw text use "
        "sklearn_seq.BiRNNTextClassifier."
    )


def _sample_of(step, lengths):
    """The sample that time step ``step`` of the exploded batch belongs to."""
    return int(np.searchsorted(np.cumsum(lengths), step, side="right"))


def _explode_steps(steps, lengths):
    """The values of the time steps ``steps`` (one row per step) as one flat Series,
    and the number of features per step (a step may be a list of features)."""
    inner = type(steps.dtype).__name__
    if inner not in ("List", "Array"):
        return steps, 1
    if steps.null_count():
        i = _sample_of(int(steps.is_null().arg_true()[0]), lengths)
        raise ValueError(
            f"Input X contains null (missing) values (a null step in X[{i}] of the "
            "polars Series). Sequence estimators do not accept missing values: fill "
            "or drop them first."
        )
    if inner == "List":
        widths = steps.list.len().to_numpy()
        if (widths != widths[0]).any():
            j = int(np.flatnonzero(widths != widths[0])[0])
            raise ValueError(
                "All time steps must have the same number of features: the first has "
                f"{int(widths[0])} and one in X[{_sample_of(j, lengths)}] has "
                f"{int(widths[j])}."
            )
        n_features = int(widths[0])
    else:
        n_features = int(steps.dtype.size)
    if n_features == 0:
        raise ValueError(
            "Found sequences with 0 feature(s) per step; at least 1 is required."
        )
    steps = steps.explode() if inner == "List" else steps.arr.explode()
    if type(steps.dtype).__name__ in ("List", "Array"):
        raise ValueError(
            "A polars Series of sequences holds numbers, or one list of features "
            "per step; deeper nesting is not a sequence batch."
        )
    return steps, n_features
