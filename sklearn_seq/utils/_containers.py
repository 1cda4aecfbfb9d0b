"""pandas and polars containers, recognised without importing either library.

pandas and polars objects are recognised by the module that defines their type (or
a base type), so neither library is imported here, and polars need not be
installed. Also: missing-value scalars, lists of sequences, and the ``stacklevel``
of the package's warnings.
"""

import numbers
import sys

import numpy as np


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


def _first(X):
    return X.iloc[0] if container_type(X) == "pandas.Series" else X[0]


def _all_rows_scalar(X):
    """A list of scalars is 1D data, not a list of sequences."""
    first = _first(X)
    return isinstance(first, numbers.Number) or first is None
