"""Event tables read and encoded: pandas (or polars, through numpy) frames checked,
categories learned, times read, and the rows sorted by id and time and cut into one
sequence per id (the work of :func:`~sklearn_seq.preprocessing.events_to_sequences`)."""

import numpy as np
import pandas as pd

from ..utils._validation import container_type


def _polars_to_pandas(df):
    """A pandas DataFrame from a polars one, column by column through numpy.

    polars' own ``to_pandas`` needs pyarrow; ``Series.to_numpy`` does not (and is
    zero-copy for numeric columns without nulls). Strings and ``Categorical``
    columns become object columns of strings (their categories are then learned
    sorted, as for pandas strings); ``Enum`` columns become pandas categoricals with
    the Enum's categories, in its order. Integer columns with nulls become float
    with NaN, datetimes ``datetime64`` (time-zone aware ones in UTC), durations
    ``timedelta64``: what pandas holds for the same data.
    """
    columns = {}
    for name, series in zip(df.columns, df.get_columns()):
        values = series.to_numpy()
        if type(series.dtype).__name__ == "Enum":
            values = pd.Categorical(values, categories=series.dtype.categories.to_list())
        columns[name] = values
    return pd.DataFrame(columns, copy=False)


def _as_pandas(df, caller, grouped=False):
    """A pandas DataFrame for ``df`` (polars frames are converted, if polars is used).

    ``grouped``: the caller also reads events grouped per id, which the message says.
    """
    if isinstance(df, pd.DataFrame):
        return df
    if container_type(df) == "polars.DataFrame":
        return _polars_to_pandas(df)
    if container_type(df) == "polars.LazyFrame":
        raise TypeError(f"{caller} reads a polars DataFrame: call .collect() on the LazyFrame.")
    also = (
        ", or a pandas Series of events grouped per id (group_events(events, id_col))"
        if grouped else ""
    )
    raise TypeError(
        f"{caller} expects a pandas (or polars) DataFrame of events with one row per "
        f"event{also}; got {type(df).__name__}."
    )


def _check_columns(df, id_col, time_col, feature_cols):
    missing = [c for c in (id_col, time_col) if c not in df.columns]
    if missing:
        raise ValueError(
            f"Column(s) {missing} not found in the event table; its columns are "
            f"{list(df.columns)}."
        )
    if feature_cols is None:
        feature_cols = [c for c in df.columns if c not in (id_col, time_col)]
    else:
        # One string is one column, as in ``df["amount"]``, not its characters.
        feature_cols = [feature_cols] if isinstance(feature_cols, str) else list(feature_cols)
        missing = [c for c in feature_cols if c not in df.columns]
        if missing:
            raise ValueError(
                f"Feature column(s) {missing} not found in the event table; its "
                f"columns are {list(df.columns)}."
            )
        clash = [c for c in feature_cols if c in (id_col, time_col)]
        if clash:
            raise ValueError(f"Feature columns must not include the id or time column: {clash}.")
    if not feature_cols:
        raise ValueError(
            "No feature columns: the event table holds only the id and time columns."
        )
    return feature_cols


def _is_categorical(series):
    return not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series))


def _learn_categories(df, feature_cols):
    """Categories of each non-numeric column: sorted when sortable, else as they appear."""
    categories = {}
    for col in feature_cols:
        s = df[col]
        if not _is_categorical(s):
            continue
        if isinstance(s.dtype, pd.CategoricalDtype):
            categories[col] = np.asarray(s.cat.categories, dtype=object)
            continue
        try:
            _, uniques = pd.factorize(s, sort=True)
        except TypeError:
            _, uniques = pd.factorize(s, sort=False)
        categories[col] = np.asarray(uniques, dtype=object)
    return categories


def _time_values(series, time_col):
    """Times as float64 (seconds for datetimes) and whether they were datetimes."""
    if pd.api.types.is_datetime64_any_dtype(series):
        if series.isna().any():
            raise ValueError(f"The time column {time_col!r} contains missing values (NaT).")
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            series = series.dt.tz_convert("UTC").dt.tz_localize(None)
        ns = series.to_numpy(dtype="datetime64[ns]").view(np.int64)
        return ns, 1e-9
    if pd.api.types.is_timedelta64_dtype(series):
        if series.isna().any():
            raise ValueError(f"The time column {time_col!r} contains missing values (NaT).")
        return series.to_numpy(dtype="timedelta64[ns]").view(np.int64), 1e-9
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        values = series.to_numpy()
        if values.dtype.kind == "f" and not np.isfinite(values).all():
            raise ValueError(f"The time column {time_col!r} contains NaN or infinite values.")
        return values, 1.0
    raise TypeError(
        f"The time column {time_col!r} has dtype {series.dtype}; it must hold numbers, "
        "datetimes or timedeltas (convert strings with pd.to_datetime)."
    )


def _feature_names(feature_cols, categories, time_col, time_delta):
    names = []
    for col in feature_cols:
        if col in categories:
            names.extend(f"{col}_{cat}" for cat in categories[col])
        else:
            names.append(str(col))
    if time_delta is not None:
        names.append(f"{time_col}_delta")
    return np.asarray(names, dtype=object)


def _factorize_ids(df, id_col):
    """The id code of each row and the sorted distinct ids."""
    codes, ids = pd.factorize(df[id_col], sort=True)
    if len(codes) == 0:
        raise ValueError("The event table is empty: at least one event is required.")
    if (codes < 0).any():
        raise ValueError(f"The id column {id_col!r} contains missing values.")
    return codes, np.asarray(ids)


def _follow(codes, ids, wanted):
    """Codes and ids renumbered so that the ids come in the order of ``wanted``.

    Only when ``wanted`` (distinct ids) holds exactly the ids of the table;
    otherwise the sorted ids are kept.
    """
    if wanted is None or len(wanted) != len(ids):
        return codes, ids
    position = pd.Index(ids).get_indexer(wanted)
    if (position < 0).any() or (position == np.arange(len(ids))).all():
        return codes, ids
    rank = np.empty_like(position)
    rank[position] = np.arange(len(position))
    return rank[codes], ids[position]


def _sequences(
    df, id_col, time_col, feature_cols, categories, time_delta, dtype, id_order=None
):
    """The work of :func:`events_to_sequences`, with the categories given.

    The sequences come in sorted id order, or in the order of ``id_order`` when it
    holds exactly the ids of ``df``.
    """
    codes, ids = _follow(*_factorize_ids(df, id_col), id_order)
    times, unit = _time_values(df[time_col], time_col)

    same_id = codes[1:] == codes[:-1]
    in_order = (codes[1:] > codes[:-1]) | (same_id & (times[1:] >= times[:-1]))
    order = None if in_order.all() else np.lexsort((times, codes))  # lexsort is stable
    if order is not None:
        codes, times = codes[order], times[order]
        same_id = codes[1:] == codes[:-1]

    def sort_rows(values):
        return values if order is None else values[order]

    width = sum(len(categories[c]) if c in categories else 1 for c in feature_cols)
    width += time_delta is not None
    values = np.zeros((len(codes), width), dtype=dtype)
    j = 0
    for col in feature_cols:
        s = df[col]
        if col in categories:
            cats = categories[col]
            # Unknown and missing categories get an all-zero row, like handle_unknown="ignore".
            if isinstance(s.dtype, pd.CategoricalDtype):
                idx = s.cat.set_categories(cats).cat.codes.to_numpy()
            else:
                idx = pd.Index(cats).get_indexer(s)
            idx = sort_rows(idx.astype(np.int64))
            rows = np.flatnonzero(idx >= 0)
            values[rows, j + idx[rows]] = 1
            j += len(cats)
        else:
            values[:, j] = sort_rows(s.to_numpy(dtype=np.float64, na_value=np.nan))
            j += 1
    if time_delta is not None:
        gap = np.zeros(len(codes), dtype=np.float64)
        gap[1:] = np.where(same_id, (times[1:] - times[:-1]) * unit, 0.0)
        values[:, j] = np.log1p(gap) if time_delta == "log" else gap

    lengths = np.bincount(codes, minlength=len(ids))
    sequences = np.split(values, np.cumsum(lengths)[:-1])
    return sequences, ids
