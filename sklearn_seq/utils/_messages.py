"""Errors that say where the problem is in ``X`` and what to do about it.

NaN, missing values and infinity name the first sequence and time step (the row and
column of a DataFrame), a string column is named with how to encode it, and complex
data is refused in one line.
"""

import numpy as np

from ._containers import container_type, is_missing_scalar


def _complex_message(where):
    # One line: scikit-learn's own message prints the whole array.
    return (
        f"Complex data not supported: {where} holds complex numbers; sequence estimators "
        "need real numbers. Pass the magnitude np.abs(X), or the real and imaginary parts "
        "as two features per step, np.stack([X.real, X.imag], axis=-1)."
    )


def _non_finite_message(kind, where):
    # "NaN" and "infinity" are the words scikit-learn's estimator checks look for.
    return (
        f"Input X contains {kind} (first in {where}). Sequence estimators do not accept "
        "missing or infinite values: fill missing values (e.g. with the last value "
        "observed in the same sequence), clip infinite ones, or drop those sequences "
        "first."
    )


def _step(step, feature=None):
    return f"time step {step}" + ("" if feature is None else f", feature {feature}")


def _reject_non_finite(values, dtype, *, lengths=None, columns=None):
    """Raise one message, naming the first sequence and step, for NaN or infinity.

    ``values`` is dense ``(n, T, F)`` or, with ``lengths``, ragged ``(sum(T_i), F)``.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        # A finite sum proves every value finite without a full mask.
        if np.isfinite(values.sum()) or np.isfinite(values).all():
            return
    steps = values.reshape(-1, values.shape[-1])
    row = int(np.argmax(~np.isfinite(steps).all(axis=1)))
    feature = int(np.argmax(~np.isfinite(steps[row])))
    if lengths is None:
        i, step = divmod(row, values.shape[1])
    else:
        i = int(np.searchsorted(np.cumsum(lengths), row, side="right"))
        step = row - int(lengths[:i].sum())
    kind = (
        "NaN, a missing value"
        if np.isnan(steps[row, feature])
        else f"infinity or a value too large for {np.dtype(dtype).name}"
    )
    if columns is not None:  # a DataFrame: one column per time step
        where = f"row {i}, column {columns[step]!r}"
    else:
        where = f"X[{i}], " + _step(step, feature if steps.shape[1] > 1 else None)
    raise ValueError(_non_finite_message(kind, where))


def _explain_conversion_error(X, exc, columns, estimator_name):
    """Raise a located, actionable error for what numpy could not convert to numbers.

    Called when converting ``X`` failed with ``exc``; returns (so the caller re-raises
    ``exc``) when nothing better can be said.
    """
    if str(exc).startswith("Complex data not supported"):
        raise ValueError(_complex_message("X")) from None
    if columns is not None:  # a DataFrame: one column per time step
        for j, name in enumerate(columns):
            column = X.iloc[:, j] if container_type(X) == "pandas.DataFrame" else X.to_series(j)
            values = column.to_numpy()
            found = None if values.dtype.kind in "biuf" else _first_unconvertible(values, exc)
            if found is not None:
                (i,), value = found
                missing_at, strings_in = f"row {i}, column {name!r}", f"Column {name!r} of X"
                break
        else:
            return
    else:
        try:
            found = _first_unconvertible(np.asarray(X, dtype=object), exc)
        except (ValueError, TypeError):
            return
        if found is None or len(found[0]) < 2:
            return
        (i, *position), value = found
        missing_at, strings_in = f"X[{i}], {_step(*position)}", f"X[{i}] ({_step(*position)})"
    if is_missing_scalar(value):
        raise ValueError(_non_finite_message("NaN, a missing value", missing_at)) from None
    if isinstance(value, (complex, np.complexfloating)):
        raise ValueError(_complex_message(strings_in)) from None
    if isinstance(value, (str, bytes)):
        raise ValueError(
            f"{strings_in} holds strings ({exc}); {estimator_name} needs numbers, one per "
            "time step. Encode categories first (sklearn.preprocessing.OrdinalEncoder, or "
            "OneHotEncoder to give each category its own feature per step of a 3D array); "
            "turn an event log (one row per event) into sequences with "
            "sklearn_seq.preprocessing.EventSequencer, and classify raw text with "
            "sklearn_seq.BiRNNTextClassifier."
        ) from None


def _first_unconvertible(values, exc):
    """``(index, value)`` of the first element of ``values`` that is not a number.

    Only strings are looked for when ``exc`` (numpy's error) is about a string.
    """
    strings_only = isinstance(exc, ValueError)
    for index, value in np.ndenumerate(values):
        if strings_only and not isinstance(value, (str, bytes)):
            continue
        try:
            float(value)
        except (TypeError, ValueError):
            return index, value
    return None


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
