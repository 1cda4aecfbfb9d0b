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
"""

import numbers
import sys
import warnings

import numpy as np
from scipy import sparse
from sklearn.utils.validation import check_array

__all__ = ["SequenceLayoutWarning", "Sequences", "check_sequences", "container_type"]


class SequenceLayoutWarning(UserWarning):
    """Warning that ``X`` is accepted but its shape suggests a layout mix-up.

    Issued once by ``fit`` when the axes of ``X`` look swapped: an aeon/sktime
    panel ``(n_cases, n_channels, n_timepoints)`` read as ``(n_samples,
    n_timesteps, n_features)``, or one long table of time steps read as many short
    sequences. The message gives the fix; when the layout is meant, silence it with
    ``warnings.filterwarnings("ignore", category=SequenceLayoutWarning)``.
    """


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


# -- containers -----------------------------------------------------------------------
# pandas and polars objects are recognised by the module that defines their type (or a
# base type), so neither library is imported here, and polars need not be installed.

_CONTAINERS = {"Series", "DataFrame", "LazyFrame"}


def container_type(X):
    """The kind of pandas or polars container ``X`` is, without importing either.

    Parameters
    ----------
    X : object
        Anything.

    Returns
    -------
    kind : {"pandas.Series", "pandas.DataFrame", "polars.Series", \
            "polars.DataFrame", "polars.LazyFrame"} or None
        None for anything else (arrays, lists, ...). Subclasses (such as a
        GeoDataFrame) count as their pandas base.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_seq.utils import container_type
    >>> container_type(pd.Series(["a", "b"])), container_type(["a", "b"])
    ('pandas.Series', None)
    """
    for cls in type(X).__mro__:
        library = cls.__module__.partition(".")[0]
        if library in ("pandas", "polars") and cls.__name__ in _CONTAINERS:
            return f"{library}.{cls.__name__}"
    return None


def is_missing_scalar(x):
    """True for a missing value: None, a float NaN, ``pd.NA`` or ``pd.NaT``."""
    if x is None or (isinstance(x, float) and x != x):
        return True
    pd = sys.modules.get("pandas")  # pandas' sentinels exist only once pandas is loaded
    return pd is not None and (x is pd.NA or x is pd.NaT)


def _is_sequence_list(X):
    """True for containers of per-sample sequences that may have different lengths."""
    if isinstance(X, (list, tuple)):
        return True
    if isinstance(X, np.ndarray):
        return X.dtype == object and X.ndim == 1
    return container_type(X) == "pandas.Series"


def _as_sequence_list(X):
    if isinstance(X, np.ndarray):
        return list(X)
    if container_type(X) == "pandas.Series":
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
            raise ValueError(_complex_message(f"X[{i}]"))
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
    return _stacked_sequences(values, lengths, dtype)


def _stacked_sequences(values, lengths, dtype):
    """Sequences from ``(sum(lengths), F)`` values: dense when all lengths agree."""
    _reject_non_finite(values, dtype, lengths=lengths)
    if (lengths == lengths[0]).all():
        # Equal lengths: a dense block gives the same results with no bookkeeping.
        return Sequences(values.reshape(len(lengths), int(lengths[0]), -1))
    return Sequences(np.ascontiguousarray(values), lengths)


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


def _to_sequences(X, dtype, estimator_name):
    if (
        type(X) is np.ndarray
        and X.dtype.kind == "f"
        and X.dtype.itemsize >= 4
        and X.ndim in (2, 3)
        and all(X.shape)
    ):
        # Fast path for the common case (a float array); anything unusual, including
        # non-finite values, goes through check_array below for its messages.
        with np.errstate(over="ignore", invalid="ignore"):
            # Too large for dtype: check_array says so below.
            values = X.astype(dtype, copy=False)
            # A finite sum proves every value finite at half the cost of a full
            # isfinite pass (no temporary mask); an overflowing sum of finite
            # values falls back to the full check.
            finite = np.isfinite(values.sum()) or np.isfinite(values).all()
        if finite:
            values = np.ascontiguousarray(values)
            return Sequences(values[:, :, None] if X.ndim == 2 else values), X.ndim
    if _is_polars(X):
        X = _from_polars(X, dtype, estimator_name)
        if isinstance(X, Sequences):
            return X, 3
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
        if (
            len(shapes) != 1
            or None in shapes
            # A Series or object array is a batch of sequences even when they have
            # equal lengths (only a list of equal rows may be a 2D table).
            or not isinstance(X, (list, tuple))
            or any(isinstance(x, np.ndarray) and x.dtype.kind in "OmM" for x in items[:1])
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
    kind = container_type(X)
    columns = list(X.columns) if kind in ("pandas.DataFrame", "polars.DataFrame") else None
    try:
        with np.errstate(over="ignore"):
            array = check_array(
                X,
                dtype=dtype,
                allow_nd=True,
                ensure_all_finite=False,  # refused below, with the place named
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
    X = array
    if X.ndim == 2:
        values = np.ascontiguousarray(X)[:, :, None]
        _reject_non_finite(values, dtype, columns=columns)
        return Sequences(values), 2
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
    _reject_non_finite(X, dtype)
    return Sequences(np.ascontiguousarray(X)), 3


# -- messages that say where the problem is and what to do ----------------------------


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


# -- layouts that are almost certainly mixed up ---------------------------------------


def _lag1_autocorrelation(series):
    """Mean lag-1 autocorrelation of the rows of a 2D array (rows that vary only)."""
    series = series - series.mean(axis=1, keepdims=True)
    variance = np.einsum("ij,ij->i", series, series)
    covariance = np.einsum("ij,ij->i", series[:, 1:], series[:, :-1])
    varies = variance > 1e-12 * series.shape[1]
    return float(np.mean(covariance[varies] / variance[varies])) if varies.any() else 0.0


def user_stacklevel():
    """The ``stacklevel`` at which ``warnings.warn``, called by the caller of this
    function, reports the first frame outside this package, scikit-learn and skorch:
    the user's line, however deep in the library the warning is raised."""
    # Skipped: ours, and the libraries between the user's call and our code
    # (scikit-learn's fit wrapper, Pipeline and model selection; skorch's loop).
    frame, level = sys._getframe(1), 1
    while frame.f_back is not None and (
        frame.f_globals.get("__name__", "").partition(".")[0]
        in ("sklearn_seq", "sklearn", "skorch")
    ):
        frame, level = frame.f_back, level + 1
    return level


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
    return X.iloc[0] if container_type(X) == "pandas.Series" else X[0]


def _all_rows_scalar(X):
    """A list of scalars is 1D data, not a list of sequences."""
    first = _first(X)
    return isinstance(first, numbers.Number) or first is None


# -- polars ---------------------------------------------------------------------------
# polars stays optional: it is never imported at module level, and objects are
# recognised by the module of their type.


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
        reject_polars_nulls(X)
        _reject_polars_temporal(X.schema.values())
        nested = [name for name, d in X.schema.items() if d.is_nested()]
        if nested:
            raise TypeError(
                f"Column {nested[0]!r} of the polars DataFrame holds {X.schema[nested[0]]} "
                "values; a DataFrame is a 2D table, one number per time step. For one "
                f"sequence per sample pass the Series of lists itself: X[{nested[0]!r}]."
            )
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
        if X.dtype.is_numeric() or outer == "Boolean":
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
    if outer == "Array":  # fixed length: the same as a List of that length
        X = X.arr.to_list()
    lengths = X.list.len().to_numpy().astype(np.int64)
    empty = np.flatnonzero(lengths == 0)
    if empty.size:
        raise ValueError(
            f"X[{int(empty[0])}] is a sequence of length 0; every sequence needs at least one "
            "time step. Drop empty sequences before fitting or predicting."
        )
    steps = X.explode()

    def sample_of(step):
        return int(np.searchsorted(np.cumsum(lengths), step, side="right"))

    inner = type(steps.dtype).__name__
    n_features = 1
    if inner in ("List", "Array"):  # a feature vector per step
        if steps.null_count():
            i = sample_of(int(steps.is_null().arg_true()[0]))
            raise ValueError(
                f"Input X contains null (missing) values (a null step in X[{i}] of the "
                "polars Series). Sequence estimators do not accept missing values: fill "
                "or drop them first."
            )
        widths = steps.list.len() if inner == "List" else None
        if widths is not None:
            widths = widths.to_numpy()
            if (widths != widths[0]).any():
                j = int(np.flatnonzero(widths != widths[0])[0])
                raise ValueError(
                    "All time steps must have the same number of features: the first has "
                    f"{int(widths[0])} and one in X[{sample_of(j)}] has {int(widths[j])}."
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
    if steps.null_count():
        i = sample_of(int(steps.is_null().arg_true()[0]) // n_features)
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
