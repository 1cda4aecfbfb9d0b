"""Labels and events per id: ``y`` aligned with the ids of an event table, and
events grouped per id (a pandas Series of one DataFrame per id, what
:func:`~sklearn_seq.preprocessing.group_events` makes) turned back into a table."""

import numpy as np
import pandas as pd

from ..utils._validation import container_type
from ._event_table import _polars_to_pandas


def _preview(values, limit=5):
    """The first ``limit`` of ``values`` for a message: ``'C3', 'C7', ...``."""
    shown = ", ".join(repr(v) for v in np.asarray(values)[:limit].tolist())
    return shown + (", ..." if len(values) > limit else "")


def _labels_error(labels, n_ids, id_col, name):
    return ValueError(
        f"{name} turns the event table into one sequence per id ({n_ids} ids), but y "
        f"has {labels}. Give one label per id: a pandas Series "
        "indexed by id (the sequences then follow its order) or an array in sorted id "
        "order. To cross-validate, split ids, not event rows: give the events grouped "
        f"per id, X = group_events(events, {id_col!r}) (one row per id, sorted), with "
        "y.loc[X.index], to cross_val_score or GridSearchCV (see the Notes of "
        f"{name})."
    )


def _label_order(y, ids, rows, id_col, name):
    """Positions in the sorted ``ids`` of the id of each label of ``y``.

    A pandas ``y`` is aligned by its index, which must hold each id once; any
    other ``y`` is read in sorted id order. ``rows`` is the index of the event
    table, to recognise labels given per event row.
    """
    n_labels = len(y)
    per_row = " (one per event row?)" if n_labels == len(rows) != len(ids) else ""
    if not isinstance(y, (pd.Series, pd.DataFrame)):
        if n_labels != len(ids):
            raise _labels_error(f"{n_labels} labels{per_row}", len(ids), id_col, name)
        return np.arange(len(ids))
    index = y.index
    position = pd.Index(ids).get_indexer(index)
    repeated = index[index.duplicated()].unique()
    missing = ids[~pd.Index(ids).isin(index)]
    extra = index[position < 0]
    if not (len(repeated) or len(missing) or len(extra)):
        return position
    if index.equals(rows):
        per_row = ", one per event row (y's index is the table's)"
    if per_row:
        raise _labels_error(f"{n_labels} labels{per_row}", len(ids), id_col, name)
    if len(repeated):
        raise ValueError(
            f"y's index holds {len(repeated)} id(s) more than once: {_preview(repeated)}. "
            f"Give one label per id of {id_col!r}."
        )
    problems = []
    if len(missing):
        problems.append(
            f"{len(missing)} id(s) of the event table have no label in y: {_preview(missing)}"
        )
    if len(extra):
        problems.append(
            f"{len(extra)} label(s) of y belong to no id of the table: {_preview(extra)}"
        )
    raise ValueError(
        f"y is aligned to the ids of {id_col!r} by its index, which must hold each id "
        f"of the event table once: {'; '.join(problems)}. Index y by id with one "
        "label per id of this table (y.loc[ids] selects them), or pass labels in "
        "sorted id order without an index (y.to_numpy())."
    )


def _grouped_ids(X):
    """The ids of events grouped per id (their index), each once and none missing."""
    index = X.index
    if len(index) == 0:
        raise ValueError("The grouped events hold no ids: at least one id is required.")
    if index.hasnans:
        raise ValueError("X's index contains missing ids (NaN or None): index X by id.")
    if not index.is_unique:
        repeated = index[index.duplicated()].unique()
        raise ValueError(
            f"X's index holds {_preview(repeated)} more than once: grouped events have "
            "one row per id (group_events(events, id_col) makes them)."
        )
    return np.asarray(index)


def _ungroup(X, id_col, name):
    """The long event table of events grouped per id, rows id by id in X's order.

    Each value of ``X`` is a DataFrame of one id's events; the id column comes
    from the index (inserted first when the groups lack it, checked when they
    have it).
    """
    ids = _grouped_ids(X)
    frames = []
    for id_, frame in X.items():
        if container_type(frame) == "polars.DataFrame":
            frame = _polars_to_pandas(frame)
        elif not isinstance(frame, pd.DataFrame):
            raise TypeError(
                f"{name} reads a pandas Series as events grouped per id: index the ids, "
                f"each value a DataFrame of one id's events (group_events(events, "
                f"{id_col!r}) makes it); the value of id {id_!r} is of type "
                f"{type(frame).__name__}."
            )
        if frames and not frame.columns.equals(frames[0].columns):
            raise ValueError(
                f"The events of {id_!r} have the columns {list(frame.columns)}, but those "
                f"of {X.index[0]!r} have {list(frames[0].columns)}: every id's events "
                "need the same columns."
            )
        frames.append(frame)
    lengths = np.array([len(frame) for frame in frames])
    if (lengths == 0).any():
        empty = ids[lengths == 0]
        raise ValueError(
            f"{len(empty)} id(s) have no events: {_preview(empty)}. Each row of the "
            "grouped events needs at least one event: drop those ids (and their labels)."
        )
    events = pd.concat(frames, ignore_index=True)
    row_ids = X.index.repeat(lengths).to_numpy()
    if id_col not in events.columns:
        events.insert(0, id_col, row_ids)
        return events
    wrong = np.flatnonzero(events[id_col].to_numpy() != row_ids)
    if len(wrong):
        raise ValueError(
            f"The id column {id_col!r} of the events of {row_ids[wrong[0]]!r} holds "
            f"{events[id_col].iloc[wrong[0]]!r}: each id's events must be those of the "
            "id that indexes them (group_events(events, id_col) groups them so)."
        )
    return events


def _check_grouped_labels(y, X, name):
    """Labels of events grouped per id are paired with X's rows by position.

    As scikit-learn's splitters pair them, so a pandas ``y`` must carry X's index:
    the same ids, in the same order (aligning by label in ``fit`` would not
    reorder the labels that ``score`` receives).
    """
    if y is None:
        return
    n_labels = len(y)
    if n_labels != len(X):
        raise ValueError(
            f"{name} makes one sequence per row of X ({len(X)} ids), but y has "
            f"{n_labels} labels. Give one label per id, in the order of X's index: "
            "y.loc[X.index]."
        )
    if not isinstance(y, (pd.Series, pd.DataFrame)) or y.index.equals(X.index):
        return
    at = next((i for i, (a, b) in enumerate(zip(X.index, y.index)) if a != b), 0)
    same_ids = set(y.index) == set(X.index) and y.index.is_unique
    raise ValueError(
        f"y's index is not X's: labels are paired with the rows of X by position, as "
        f"scikit-learn's cross-validation splits them, and at position {at} X holds "
        f"{X.index[at]!r} but y is indexed {y.index[at]!r}"
        + (" (the same ids in another order)" if same_ids else "")
        + ". Put y in X's order with y.loc[X.index], or pass y.to_numpy() if its "
        "labels are already in that order."
    )
