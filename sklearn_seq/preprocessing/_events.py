"""Event logs to sequences: one ragged sequence per id from a long-format table.

An event table has one row per event: an id (customer, card, machine), a time and
feature columns, numeric or categorical. :func:`events_to_sequences` sorts the rows
by id, then time (a stable sort, so events at the same time keep their row order),
encodes the features and cuts the sorted block at the id boundaries::

    id  time  amount  kind              sequence of id 7          sequence of id 9
    9   3     5.0     a                 [[1.0, 0, 1],             [[2.0, 1, 0],
    7   2     4.0     b        ->        [4.0, 0, 1]]              [5.0, 1, 0]]
    9   1     2.0     a
    7   1     1.0     b                 (amount, kind=a, kind=b)

No Python loop runs per row or per id: one sort, vectorised encoding, ``np.split``.
"""

from collections.abc import Hashable

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .._persistence import register
from ..utils._validation import container_type
from ..utils._docstrings import fill_doc
from ._base import _SequenceTransformerMixin
from ._event_groups import _check_grouped_labels, _grouped_ids, _label_order, _ungroup
from ._event_table import (
    _as_pandas,
    _check_columns,
    _factorize_ids,
    _feature_names,
    _learn_categories,
    _sequences,
    _follow,
)

__all__ = ["EventSequencer", "events_to_sequences", "group_events"]


# Over 60 lines for its numpydoc docstring (with a doctest), not for its code.
def events_to_sequences(
    df, id_col, time_col, feature_cols=None, *, time_delta=None, categories=None,
    dtype=np.float32,
):
    """Turn a long-format event table into one sequence per id.

    Rows are sorted by id, then by time, with a stable sort: events of one id at
    the same time keep their order in ``df``. Sequence ``i`` holds the events of
    ``ids[i]``, and ``ids`` are sorted (``np.unique(df[id_col])``), so labels per
    id line up with ``y.loc[ids]``. Numeric and boolean columns are copied;
    other columns (strings, pandas categoricals) are one-hot encoded.

    Parameters
    ----------
    df : pandas.DataFrame or polars.DataFrame
        One row per event. polars frames are converted column by column (no
        pyarrow needed); polars ``Enum`` columns keep their categories, like
        pandas categoricals, and other string columns are one-hot encoded.
    id_col : str
        Column of the id that groups events into sequences. Missing ids are an error.
    time_col : str
        Column of the event times: numbers, datetimes or timedeltas. Not a
        feature itself; see ``time_delta``. Missing times (NaN, NaT) are an
        error.
    feature_cols : str or list of str, default=None
        Feature columns, in this order (one string is one column); None takes
        every other column in the order of ``df``.
    time_delta : {"linear", "log"} or None, default=None
        Append the time since the id's previous event as the last feature (0 at
        its first event; seconds for datetimes and timedeltas): as is
        (``"linear"``) or as ``log1p`` (``"log"``, for gaps from seconds to
        months).
    categories : dict of {str: array-like} or None, default=None
        Categories of each non-numeric column, in one-hot order. None learns them
        from ``df`` (sorted, or in order of appearance when they cannot be
        sorted; a pandas categorical's own categories). Values outside them,
        and missing values, give an all-zero one-hot block.
    dtype : numpy dtype, default=np.float32
        dtype of the sequences; float32 is the fast path of the estimators.

    Returns
    -------
    sequences : list of ndarray of shape (T_i, n_features)
        One array per id (views into one block), events in time order. Missing
        numeric values stay NaN (the estimators refuse them: impute first).
    ids : ndarray of shape (n_ids,)
        The id of each sequence, sorted.

    See Also
    --------
    EventSequencer : The same in a Pipeline, with categories learned at fit.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_seq.preprocessing import events_to_sequences
    >>> events = pd.DataFrame({"id": [9, 7, 9, 7], "time": [3, 2, 1, 1],
    ...                        "amount": [5.0, 4.0, 2.0, 1.0],
    ...                        "kind": ["a", "b", "a", "b"]})
    >>> seqs, ids = events_to_sequences(events, "id", "time")
    >>> ids
    array([7, 9])
    >>> seqs[0]
    array([[1., 0., 1.],
           [4., 0., 1.]], dtype=float32)
    >>> seqs, ids = events_to_sequences(events, "id", "time", ["amount"],
    ...                                 time_delta="linear")
    >>> seqs[1]
    array([[2., 0.],
           [5., 2.]], dtype=float32)
    """
    df = _as_pandas(df, "events_to_sequences")
    feature_cols = _check_columns(df, id_col, time_col, feature_cols)
    if time_delta not in (None, "linear", "log"):
        raise ValueError(f"time_delta must be None, 'linear' or 'log'; got {time_delta!r}.")
    learned = _learn_categories(df, feature_cols)
    if categories is not None:
        learned.update({c: np.asarray(v, dtype=object) for c, v in categories.items()})
    return _sequences(df, id_col, time_col, feature_cols, learned, time_delta, dtype)


def group_events(df, id_col):
    """Group an event table per id: one row per id, holding the id's events.

    The input form of :class:`EventSequencer` that keeps one row per id, as
    scikit-learn's splitters, ``cross_val_score`` and ``GridSearchCV`` need: they
    cut ``X`` and ``y`` by row, and a long table has one row per event while
    ``y`` has one label per id.

    Parameters
    ----------
    df : pandas.DataFrame or polars.DataFrame
        One row per event (polars frames are converted to pandas).
    id_col : str
        Column of the id that groups events into sequences. Missing ids are an
        error.

    Returns
    -------
    grouped : pandas.Series
        Indexed by id, **sorted** (the order of :func:`events_to_sequences` and
        of ``np.unique(df[id_col])``), and named after ``id_col``; each value is
        a DataFrame of the id's rows of ``df``, every column (the id column
        too), in the order of ``df`` and with its index. Align labels per id
        with ``y.loc[grouped.index]``.

    See Also
    --------
    EventSequencer : Reads this form, one sequence per row, in its order.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_seq.preprocessing import group_events
    >>> events = pd.DataFrame({"cust": ["C2", "C1", "C2"], "t": [0, 0, 1],
    ...                        "ev": ["a", "b", "b"]})
    >>> grouped = group_events(events, "cust")
    >>> grouped.index.tolist()
    ['C1', 'C2']
    >>> grouped["C2"]
      cust  t ev
    0   C2  0  a
    2   C2  1  b
    """
    df = _as_pandas(df, "group_events")
    if id_col not in df.columns:
        raise ValueError(
            f"Column(s) {[id_col]} not found in the event table; its columns are "
            f"{list(df.columns)}."
        )
    codes, ids = _factorize_ids(df, id_col)
    # One stable sort, then one slice per id (views of the sorted table).
    rows = df.take(np.argsort(codes, kind="stable"))
    counts = np.bincount(codes, minlength=len(ids))
    ends = np.cumsum(counts)
    groups = np.empty(len(ids), dtype=object)
    for i, (start, end) in enumerate(zip(ends - counts, ends)):
        groups[i] = rows.iloc[start:end]
    return pd.Series(groups, index=pd.Index(ids, name=id_col), name=id_col)


@fill_doc
class EventSequencer(_SequenceTransformerMixin, BaseEstimator):
    """Turn an event table into one sequence per id, with categories fixed at fit.

    The transformer form of :func:`events_to_sequences`: ``fit`` learns the
    categories of the non-numeric columns, so one-hot columns mean the same at fit
    and at predict (unseen categories give all-zero blocks). ``X`` comes in one of
    two forms; both give the same sequences.

    **Events grouped per id** (:func:`group_events`): a pandas Series indexed by
    id, one row per id, whose values are DataFrames of each id's events. The
    output has one sequence per row of ``X``, in its order, as a transformer keeps
    the rows; ``y`` is paired with the rows by position, as scikit-learn pairs
    them, so a pandas ``y`` must carry ``X``'s index (``y.loc[X.index]``). This
    is the form to cross-validate and grid-search (see Notes).

    **The long event table**, one row per event. Then the output has one sequence
    per distinct id, not one per row of the table, and a Pipeline fitted on the
    table with one label per id hands ``y`` unchanged to its last step, so the
    sequencer puts the sequences in the order of the labels:

    - ``y`` with an index (a pandas Series or DataFrame indexed by id): the
      sequences follow y's index, whatever its order. The index must hold each
      id of the table once; missing or extra ids are an error.
    - ``y`` without an index (an array, a list, a polars Series): labels in
      sorted id order (``np.unique(X[id_col])``).

    ``ids_`` records that order. ``transform`` emits the ids of a long table in
    the order of ``ids_`` when the table holds exactly the fitted ids (so
    ``fit_transform(X, y)`` equals ``fit(X, y).transform(X)``), and in sorted
    order otherwise; :meth:`get_ids_out` returns the order for any table, so
    predictions per id take one line::

        pipe = make_pipeline(EventSequencer("customer", "time"), GRUClassifier())
        pipe.fit(events, churned)      # churned: a Series of labels indexed by customer
        pd.Series(pipe.predict(new_events), index=pipe[0].get_ids_out(new_events))

    Parameters
    ----------
    id_col : str
        Column of the id that groups events into sequences. Grouped events carry
        the ids in their index; their DataFrames may hold the column (it must
        then agree with the index) or not.
    time_col : str
        Column of the event times (numbers, datetimes or timedeltas).
    feature_cols : str or list of str, default=None
        Feature columns (one string is one column); None takes every other
        column.
    time_delta : {"linear", "log"} or None, default=None
        Append the time since the id's previous event (seconds for datetimes),
        as is or as ``log1p``.
    dtype : {"float32", "float64"}, default="float32"
        dtype of the sequences.

    Attributes
    ----------
    categories_ : dict of {str: ndarray}
        The categories of each non-numeric feature column, in one-hot order.

    feature_cols_ : list of str
        The feature columns used.

    ids_ : ndarray of shape (n_ids,)
        The ids seen in ``fit``, in the order of the sequences that
        ``fit_transform`` returns: ``X.index`` for grouped events; for a long
        table, the order of y's index when ``y`` has one, sorted otherwise.

    n_features_in_ : int
        Number of columns of the event table seen in ``fit`` (of each id's
        DataFrame for grouped events, plus the id column if they lack it).

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of the event table seen in ``fit`` (for grouped events
        without the id column, the id column comes first).

    See Also
    --------
    group_events : Events grouped per id, one row per id.
    events_to_sequences : The function, which also returns the ids.

    Notes
    -----
    The output is a list of ragged sequences, which no DataFrame holds, so the
    transformer has no ``set_output``.

    Scoring a fitted pipeline on another table, ``pipe.score(new_events,
    y_new)``, pairs the sequences, in the order of ``get_ids_out(new_events)``,
    with ``y_new`` as given (the sequencer does not see ``y_new``): pass
    ``y_new.loc[pipe[0].get_ids_out(new_events)]``, or score grouped events,
    ``pipe.score(X_new, y_new.loc[X_new.index])``.

    **Cross-validation** must split ids, not event rows. scikit-learn checks
    that ``X`` and ``y`` have as many rows before any step runs, so
    ``cross_val_score(pipe, events, y)`` on the long table stops with "Found
    input variables with inconsistent numbers of samples: [n_events, n_ids]"
    (and labels given per event row are refused by ``fit``). Give the events
    grouped per id, one row per id, with the labels in their order::

        X = group_events(events, "customer")    # one row per customer, sorted
        cross_val_score(pipe, X, churned.loc[X.index], cv=5)

    Any splitter, ``GridSearchCV`` and ``cross_validate`` then split ids, and
    each fold's sequencer learns the categories from its training ids only
    (``GroupKFold`` with a coarser key, such as a household per customer, keeps
    related ids together). A ``y`` indexed by id must be in the order of ``X``:
    the splitters pair rows by position, so ``fit`` refuses a ``y`` whose index
    is not ``X.index`` rather than reorder it.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_seq.preprocessing import EventSequencer
    >>> train = pd.DataFrame({"id": [1, 1, 2], "time": [0, 1, 0],
    ...                       "kind": ["buy", "view", "view"]})
    >>> seq = EventSequencer("id", "time").fit(train)
    >>> seq.get_feature_names_out()
    array(['kind_buy', 'kind_view'], dtype=object)
    >>> test = pd.DataFrame({"id": [5, 3], "time": [0, 0], "kind": ["view", "refund"]})
    >>> seq.get_ids_out(test)
    array([3, 5])
    >>> [s.tolist() for s in seq.transform(test)]  # ids 3, 5; "refund" is unseen
    [[[0.0, 0.0]], [[0.0, 1.0]]]

    Labels indexed by id are matched to their ids, in any order; predictions per
    id take one line:

    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_seq import GRUClassifier
    >>> log = pd.DataFrame({"cust": ["C1", "C2", "C10", "C1"], "t": [0, 0, 0, 1],
    ...                     "ev": ["a", "b", "b", "b"]})
    >>> y = pd.Series({"C1": 0, "C2": 1, "C10": 1})
    >>> pipe = make_pipeline(EventSequencer("cust", "t"),
    ...                      GRUClassifier(hidden_size=4, max_iter=2, random_state=0))
    >>> pipe.fit(log, y)[0].ids_
    array(['C1', 'C2', 'C10'], dtype=object)
    >>> pd.Series(pipe.predict(log), index=pipe[0].get_ids_out(log)).index.tolist()
    ['C1', 'C2', 'C10']

    Cross-validation of the whole pipeline, on the events grouped per id (see
    Notes):

    >>> from sklearn.model_selection import cross_val_score
    >>> from sklearn_seq.preprocessing import group_events
    >>> ids = [f"C{i}" for i in range(1, 13)]
    >>> events = pd.DataFrame({"cust": ids * 2, "t": [0] * 12 + [1] * 12,
    ...                        "ev": ["a", "b"] * 12})
    >>> churned = pd.Series([0, 1] * 6, index=ids)
    >>> X = group_events(events, "cust")    # one row per id, sorted: C1, C10, ...
    >>> X.index[:3].tolist()
    ['C1', 'C10', 'C11']
    >>> cross_val_score(pipe, X, churned.loc[X.index], cv=3).shape
    (3,)
    >>> len(pipe.fit(X, churned.loc[X.index]).predict(X))  # one prediction per row
    12
    """

    _parameter_constraints = {
        "id_col": [Hashable],
        "time_col": [Hashable],
        "feature_cols": [str, "array-like", None],
        "time_delta": [StrOptions({"linear", "log"}), None],
        "dtype": [StrOptions({"float32", "float64"})],
    }

    # What the safe format (sklearn_seq.save) stores, with the kind of each value.
    _fitted_attributes = {
        "feature_cols_": "list",
        "categories_": "dict",
        "ids_": "array",
        "n_features_in_": "int",
        "feature_names_in_": "array",
    }

    def __init__(self, id_col, time_col, feature_cols=None, *, time_delta=None, dtype="float32"):
        self.id_col = id_col
        self.time_col = time_col
        self.feature_cols = feature_cols
        self.time_delta = time_delta
        self.dtype = dtype

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the feature columns, the categories and the order of the ids.

        Parameters
        ----------
        X : pandas.Series, pandas.DataFrame or polars.DataFrame
            Events grouped per id (a Series indexed by id of per-id DataFrames,
            see :func:`group_events`), or the event table, one row per event.
        y : pandas.Series, pandas.DataFrame, array-like of shape (n_ids,) or None, default=None
            The labels per id, which the estimator after this step receives.
            Grouped events: one label per row of ``X``, in its order; a pandas
            ``y`` must have ``X``'s index. Event table: a pandas ``y`` is matched
            to the ids by its index (each id of ``X`` once), and the sequences
            follow its order; other labels are in sorted id order. None: the
            order of ``X``'s rows (grouped) or sorted id order (table).

        %(returns_fitted_transformer)s
        """
        events, grouped_ids = self._event_table(X)
        validate_data(self, events, skip_check_array=True, reset=True)
        self.feature_cols_ = _check_columns(
            events, self.id_col, self.time_col, self.feature_cols
        )
        self.categories_ = _learn_categories(events, self.feature_cols_)
        if grouped_ids is not None:
            _check_grouped_labels(y, X, type(self).__name__)
            self.ids_ = grouped_ids
            return self
        _, ids = _factorize_ids(events, self.id_col)
        if y is not None:
            ids = ids[_label_order(y, ids, events.index, self.id_col, type(self).__name__)]
        self.ids_ = ids
        return self

    def _event_table(self, X):
        """The long event table of ``X``, and the ids of its rows for grouped events."""
        if container_type(X) == "pandas.Series":
            return _ungroup(X, self.id_col, type(self).__name__), _grouped_ids(X)
        return _as_pandas(X, type(self).__name__, grouped=True), None

    def transform(self, X):
        """One sequence per id of ``X``, in the order of :meth:`get_ids_out`.

        Parameters
        ----------
        X : pandas.Series, pandas.DataFrame or polars.DataFrame
            Events grouped per id, or an event table, with the columns seen in
            ``fit``.

        Returns
        -------
        sequences : list of ndarray of shape (T_i, n_features)
            One float array per id. Grouped events: one per row of ``X``, in its
            order. Event table: in the order of ``ids_`` when ``X`` holds exactly
            the ids seen in ``fit``, in sorted id order (``np.unique(X[id_col])``)
            otherwise.
        """
        check_is_fitted(self)
        events, grouped_ids = self._event_table(X)
        validate_data(self, events, skip_check_array=True, reset=False)
        _check_columns(events, self.id_col, self.time_col, self.feature_cols_)
        sequences, _ = _sequences(
            events, self.id_col, self.time_col, self.feature_cols_, self.categories_,
            self.time_delta, np.dtype(self.dtype),
            id_order=self.ids_ if grouped_ids is None else grouped_ids,
        )
        return sequences

    def get_ids_out(self, X):
        """The id of each sequence that ``transform(X)`` returns, in its order.

        Parameters
        ----------
        X : pandas.Series, pandas.DataFrame or polars.DataFrame
            Events grouped per id, or an event table with the id column seen in
            ``fit``.

        Returns
        -------
        ids : ndarray of shape (n_ids,)
            Grouped events: ``X.index``. Event table: ``ids_`` when ``X`` holds
            exactly the ids seen in ``fit``, else the sorted distinct ids of
            ``X``. ``pd.Series(pipe.predict(X),
            index=seq.get_ids_out(X))`` gives the predictions per id.
        """
        check_is_fitted(self)
        if container_type(X) == "pandas.Series":
            return _grouped_ids(X)
        X = _as_pandas(X, type(self).__name__, grouped=True)
        _check_columns(X, self.id_col, self.time_col, self.feature_cols_)
        _, ids = _follow(*_factorize_ids(X, self.id_col), self.ids_)
        return ids

    def get_feature_names_out(self, input_features=None):
        """Names of the features of each step of the output sequences.

        Parameters
        ----------
        input_features : None
            Ignored; the names come from the fitted columns.

        Returns
        -------
        names : ndarray of str objects
            Numeric columns by name, one-hot columns as ``"{column}_{category}"``,
            then ``"{time_col}_delta"`` with ``time_delta``.
        """
        check_is_fitted(self)
        return _feature_names(self.feature_cols_, self.categories_, self.time_col, self.time_delta)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # The input is an event table (a DataFrame of mixed columns) and the output
        # has one row per id, so scikit-learn's array checks do not apply;
        # tests/test_events.py covers the behaviour instead.
        tags.input_tags.two_d_array = False
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        # Missing numeric values stay NaN in the sequences (as documented): the
        # estimator after it refuses them, or an imputer in between fills them.
        tags.input_tags.allow_nan = True
        return tags


register(EventSequencer)
