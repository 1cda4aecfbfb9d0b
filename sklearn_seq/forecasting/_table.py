"""Long tables of many series: validation, regular time steps, features per step, windows.

A long table has one row per series and time step: an id column, a time column,
the target and covariates, as neuralforecast's ``unique_id`` / ``ds`` / ``y``.
Everything here is numpy and pandas (polars tables are read column by column).
"""

import numbers
import warnings

import numpy as np
import pandas as pd

from ..utils import container_type


def as_pandas(table, name="X"):
    """The table as a pandas DataFrame (polars read column by column, without pyarrow)."""
    kind = container_type(table)
    if kind == "pandas.DataFrame":
        return table
    if kind == "polars.DataFrame":
        return pd.DataFrame({c: table[c].to_numpy() for c in table.columns})
    if kind == "pandas.Series":
        how = ("series.rename('y').rename_axis('ds').reset_index() (its index as the "
               "time column 'ds', its values as the target 'y')")
    else:
        how = "pd.DataFrame({'y': values}) (with time_col=None: steps without dates)"
    raise TypeError(
        f"{name} must be a long table (a pandas or polars DataFrame) with one row per "
        f"series and time step; got {type(table).__name__}. For one series, pass "
        f"{how} and id_col=None."
    )


def like_input(frame, table):
    """``frame`` as the same kind of table as the user's ``table``."""
    if container_type(table) == "polars.DataFrame":
        import polars as pl

        return pl.DataFrame({c: frame[c].to_numpy() for c in frame.columns})
    return frame


def _as_list(columns):
    if columns is None:
        return []
    return [columns] if isinstance(columns, str) else list(columns)


class Layout:
    """Which columns of a long table are what; checked against a table by :meth:`check`."""

    def __init__(self, id_col, time_col, target, past, future, static):
        self.id_col = id_col
        self.time_col = time_col
        self.target = target
        self.past = _as_list(past)
        self.future = _as_list(future)
        self.static = _as_list(static)

    @property
    def covariates(self):
        return self.past + self.future + self.static

    def check(self, frame, *, with_target=True, covariates=None):
        """Raise a ValueError naming any missing column, or for a table without rows."""
        needed = [c for c in (self.id_col, self.time_col) if c is not None]
        if with_target:
            needed.append(self.target)
        needed += self.covariates if covariates is None else covariates
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise ValueError(
                f"The table has no column {missing[0]!r} (columns: {list(frame.columns)}); "
                "name the columns with id_col, time_col, target and the covariate "
                "parameters, or rename them."
            )
        if not len(frame):
            raise ValueError("The table is empty: it needs at least one row per series.")
        for name in [self.target] if with_target else []:
            if not pd.api.types.is_numeric_dtype(frame[name]) or pd.api.types.is_bool_dtype(
                frame[name]
            ):
                raise ValueError(
                    f"The target column {name!r} must be numeric; got {frame[name].dtype}."
                )

    def sorted_series(self, frame):
        """``[(id, rows of that series sorted by time)]`` in the order of first appearance
        sorted by id, with duplicate time steps refused."""
        if self.id_col is None:
            groups = [(None, frame)]
        else:
            if frame[self.id_col].isna().any():
                raise ValueError(f"The id column {self.id_col!r} has missing values.")
            groups = list(frame.groupby(self.id_col, sort=True, observed=True))
        out = []
        for key, rows in groups:
            if self.time_col is not None:
                rows = rows.sort_values(self.time_col, kind="stable")
                times = rows[self.time_col]
                if times.isna().any():
                    raise ValueError(
                        f"The time column {self.time_col!r} has missing values"
                        + _in_series(key) + "."
                    )
                if times.duplicated().any():
                    dup = times[times.duplicated()].iloc[0]
                    raise ValueError(
                        f"Time {dup} appears twice{_in_series(key)}: one row per series "
                        "and time step is expected (aggregate duplicates first)."
                    )
            out.append((key, rows))
        return out


def _in_series(key):
    return "" if key is None else f" in series {key!r}"


def infer_step(layout, series, freq=None):
    """The time step shared by all series: a pandas frequency string, or a number.

    Every series must be regular (no missing steps); the message names the first
    gap and says how to fill it.
    """
    if layout.time_col is None:
        return 1
    first = series[0][1][layout.time_col]
    is_time = pd.api.types.is_datetime64_any_dtype(first)
    if freq is None:
        if is_time:
            # The most common frequency: a series with a gap has none and is then
            # named by the regularity check below.
            found = [_inferred_freq(rows[layout.time_col]) for _, rows in series if len(rows) >= 3]
            found = [f for f in found if f is not None]
            freq = max(set(found), key=found.count) if found else None
            if freq is None:
                raise ValueError(
                    "Could not infer the frequency of the time column; pass freq "
                    "(e.g. freq='D' or 'MS'), or fill missing steps first."
                )
        else:
            diffs = np.concatenate(
                [np.diff(rows[layout.time_col].to_numpy()) for _, rows in series]
            )
            if diffs.size == 0:
                freq = 1
            else:
                values, counts = np.unique(diffs, return_counts=True)
                freq = values[np.argmax(counts)].item()
    for key, rows in series:
        times = rows[layout.time_col]
        expected = time_range(times.iloc[0], len(rows), freq)
        actual = pd.Index(times)
        if not actual.equals(pd.Index(expected)):
            bad = int(np.argmax(np.asarray(actual) != np.asarray(expected)))
            raise ValueError(
                f"Series {key!r} is not regular at the frequency {freq!r}: after "
                f"{times.iloc[bad - 1] if bad else times.iloc[0]} comes {times.iloc[bad]}, "
                f"expected {expected[bad]}. Fill the missing steps (e.g. with "
                "DataFrame.asfreq and an imputation) or pass freq."
            )
    return freq


def _inferred_freq(times):
    """pandas' inferred frequency string of ``times`` or None (pandas 3 warns that it
    will return an offset: either form is read the same)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        freq = pd.DatetimeIndex(times).inferred_freq
    return None if freq is None else pd.tseries.frequencies.to_offset(freq).freqstr


def time_range(start, periods, freq):
    """``periods`` time steps from ``start`` (dates at a pandas frequency, or numbers)."""
    if isinstance(freq, numbers.Number):
        return start + freq * np.arange(periods)
    return pd.date_range(start, periods=periods, freq=freq)


class FeatureEncoder:
    """Numeric features per step from covariate columns: numbers as they are, other
    columns one-hot over the categories seen in ``fit`` (an unseen category is all
    zeros)."""

    def __init__(self, columns=(), categories=None):
        self.columns = list(columns)
        self.categories = {} if categories is None else categories

    def fit(self, frame, columns):
        self.columns = list(columns)
        self.categories = {}
        for c in self.columns:
            col = frame[c]
            if col.isna().any():
                raise ValueError(f"Covariate {c!r} has missing values; fill them first.")
            if not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
                if not pd.api.types.is_bool_dtype(col):
                    self.categories[c] = sorted(pd.unique(col.astype(str)))
        return self

    @property
    def n_features(self):
        return sum(
            1 if self.categories.get(c) is None else len(self.categories[c])
            for c in self.columns
        )

    def transform(self, frame):
        parts = [np.zeros((len(frame), 0))]
        for c in self.columns:
            col = frame[c]
            if col.isna().any():
                raise ValueError(f"Covariate {c!r} has missing values; fill them first.")
            cats = self.categories.get(c)
            if cats is None:
                try:
                    parts.append(col.to_numpy(dtype=np.float64)[:, None])
                except (TypeError, ValueError):
                    raise ValueError(
                        f"Covariate {c!r} was numeric in fit and is not now."
                    ) from None
            else:
                values = col.astype(str).to_numpy()
                parts.append((values[:, None] == np.asarray(cats)[None, :]).astype(np.float64))
        return np.concatenate(parts, axis=1)


def series_arrays(layout, rows, encoders, *, with_target=True):
    """``(target (n,), past (n, p), future (n, f), static (s,))`` of one series."""
    target = rows[layout.target].to_numpy(dtype=np.float64) if with_target else None
    if target is not None and not np.all(np.isfinite(target)):
        bad = int(np.argmax(~np.isfinite(target)))
        when = rows[layout.time_col].iloc[bad] if layout.time_col is not None else bad
        raise ValueError(
            f"The target has a missing or infinite value at {when}"
            + _in_series(rows[layout.id_col].iloc[0] if layout.id_col else None)
            + ": fill or drop it first."
        )
    past = encoders["past"].transform(rows)
    future = encoders["future"].transform(rows)
    static = encoders["static"].transform(rows.iloc[:1])[0]
    if layout.static:
        varying = [
            c for c in layout.static if rows[c].nunique(dropna=False) > 1
        ]
        if varying:
            raise ValueError(
                f"Static covariate {varying[0]!r} varies within series "
                f"{rows[layout.id_col].iloc[0] if layout.id_col else ''!r}; a static "
                "covariate holds one value per series (use past_covariates or "
                "future_covariates for values that change)."
            )
    return target, past, future, static


def step_features(target, past, future, static, horizon):
    """Features per step of a window ending at each step: the target, past covariates,
    static covariates, and last (as make_windows puts them) future covariates
    ``horizon`` steps ahead; rows ``0 .. n-1`` of the target, with the future
    covariates needing rows up to ``n - 1 + horizon``."""
    n = target.shape[0]
    cols = [target[:, None], past[:n]]
    if static.size:
        cols.append(np.broadcast_to(static, (n, static.size)))
    if future.shape[1]:
        cols.append(future[horizon : horizon + n])
    return np.concatenate(cols, axis=1)


def training_windows(target, past, future, static, window, horizon, origins):
    """Windows ``(len(origins), window, n_features)`` and targets ``(len(origins),
    horizon)``; origin ``o`` is the first forecast step, its window ``[o - window, o)``."""
    origins = np.asarray(origins, dtype=np.int64)
    # Future covariates are read horizon steps ahead: the step features of rows
    # [o - window, o) need future rows up to o - 1 + horizon, which the target covers.
    feats = step_features(target[: origins.max()] if origins.size else target[:0], past,
                          future, static, horizon)
    idx = origins[:, None] + np.arange(-window, 0)[None, :]
    X = feats[idx]
    y = target[origins[:, None] + np.arange(horizon)[None, :]]
    return X, y
