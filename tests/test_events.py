"""events_to_sequences and EventSequencer: order, encoding, consistency, errors."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    StratifiedKFold,
    cross_val_score,
    cross_validate,
)
from sklearn.pipeline import make_pipeline

from sklearn_seq import GRUClassifier
from sklearn_seq.datasets import make_card_transactions, make_customer_events
from sklearn_seq.preprocessing import EventSequencer, events_to_sequences, group_events


@pytest.fixture
def events():
    return pd.DataFrame(
        {
            "id": ["b", "a", "b", "a", "a", "c"],
            "time": [3, 2, 1, 2, 0, 5],
            "amount": [5.0, 4.0, 2.0, 3.0, 1.0, 9.0],
            "kind": ["x", "y", "x", "z", "y", "x"],
        }
    )


def test_sorted_by_id_then_time_with_stable_ties(events):
    seqs, ids = events_to_sequences(events, "id", "time", ["amount"])
    assert ids.tolist() == ["a", "b", "c"]
    # id "a" has two events at time 2: rows 1 then 3 of the table.
    assert [s[:, 0].tolist() for s in seqs] == [[1.0, 4.0, 3.0], [2.0, 5.0], [9.0]]
    assert all(s.dtype == np.float32 for s in seqs)


def test_categories_are_one_hot_in_sorted_order(events):
    seqs, _ = events_to_sequences(events, "id", "time")
    # columns: amount, kind_x, kind_y, kind_z
    np.testing.assert_array_equal(seqs[0][:, 1:], [[0, 1, 0], [0, 1, 0], [0, 0, 1]])


def test_time_delta_in_seconds_for_datetimes(events):
    ev = events.assign(time=pd.Timestamp("2024-01-01") + pd.to_timedelta(events.time, unit="min"))
    seqs, _ = events_to_sequences(ev, "id", "time", ["amount"], time_delta="linear")
    np.testing.assert_allclose(seqs[0][:, 1], [0, 120, 0])
    seqs, _ = events_to_sequences(ev, "id", "time", ["amount"], time_delta="log")
    np.testing.assert_allclose(seqs[0][:, 1], np.log1p([0, 120, 0]), rtol=1e-6)


def test_sorted_input_gives_the_same_result(events):
    ordered = events.sort_values(["id", "time"], kind="stable")
    a, ids_a = events_to_sequences(events, "id", "time")
    b, ids_b = events_to_sequences(ordered, "id", "time")
    np.testing.assert_array_equal(ids_a, ids_b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_large_log_matches_a_groupby():
    tx, _ = make_card_transactions(n_cards=50, random_state=0)
    seqs, ids = events_to_sequences(tx, "card_id", "time", ["amount", "online"])
    expected = tx.sort_values(["card_id", "time"], kind="stable").groupby("card_id")
    assert list(ids) == list(expected.groups)
    for seq, (_, group) in zip(seqs, expected):
        np.testing.assert_allclose(seq, group[["amount", "online"]].to_numpy(np.float32))


def test_sequencer_keeps_fit_categories_and_ignores_unknown(events):
    seq = EventSequencer("id", "time").fit(events)
    assert seq.get_feature_names_out().tolist() == ["amount", "kind_x", "kind_y", "kind_z"]
    new = events.assign(kind=["w", "w", "x", "w", "w", "w"])
    out = seq.transform(new)
    assert out[1].shape == (2, 4)
    np.testing.assert_array_equal(out[1][:, 1:], [[1, 0, 0], [0, 0, 0]])


def test_sequencer_with_pandas_categorical_column(events):
    ev = events.assign(kind=pd.Categorical(events.kind, categories=["z", "y", "x"]))
    seq = EventSequencer("id", "time", ["kind"]).fit(ev)
    assert seq.categories_["kind"].tolist() == ["z", "y", "x"]
    np.testing.assert_array_equal(seq.transform(ev)[2], [[0, 0, 1]])


def test_pipeline_head_outputs_one_row_per_id():
    events, churned = make_customer_events(n_customers=30, n_days=60, random_state=0)
    pipe = make_pipeline(
        EventSequencer("customer_id", "time", ["event", "amount"], time_delta="log"),
        GRUClassifier(hidden_size=8, max_iter=2, random_state=0),
    )
    pipe.fit(events, churned.sort_index())
    assert pipe.predict_proba(events).shape == (30, 2)


def test_one_string_is_one_feature_column(events):
    seqs, ids = events_to_sequences(events, "id", "time", "amount")
    expected, _ = events_to_sequences(events, "id", "time", ["amount"])
    assert ids.tolist() == ["a", "b", "c"]
    for a, b in zip(seqs, expected):
        assert a.shape[1] == 1
        np.testing.assert_array_equal(a, b)
    seq = EventSequencer("id", "time", "kind").fit(events)
    assert seq.feature_cols_ == ["kind"]
    assert seq.get_feature_names_out().tolist() == ["kind_x", "kind_y", "kind_z"]
    np.testing.assert_array_equal(seq.transform(events)[2], [[1, 0, 0]])
    with pytest.raises(ValueError, match="Feature column\\(s\\) \\['price'\\] not found"):
        events_to_sequences(events, "id", "time", "price")


def test_missing_times_are_an_error(events):
    gaps = pd.to_timedelta([2, 1, None, 0, 3, 5], unit="D")
    for time in (gaps, pd.Timestamp("2024-01-01") + gaps):
        ev = events.assign(time=time)
        with pytest.raises(ValueError, match="time column 'time' contains missing values"):
            events_to_sequences(ev, "id", "time", time_delta="linear")
        seq = EventSequencer("id", "time", time_delta="linear").fit(ev)
        with pytest.raises(ValueError, match="contains missing values \\(NaT\\)"):
            seq.transform(ev)


def test_errors(events):
    with pytest.raises(TypeError, match="pandas \\(or polars\\) DataFrame"):
        events_to_sequences(events.to_numpy(), "id", "time")
    with pytest.raises(ValueError, match="not found in the event table"):
        events_to_sequences(events, "user", "time")
    with pytest.raises(ValueError, match="Feature column\\(s\\) \\['price'\\] not found"):
        events_to_sequences(events, "id", "time", ["price"])
    with pytest.raises(ValueError, match="must not include the id or time"):
        events_to_sequences(events, "id", "time", ["id", "amount"])
    with pytest.raises(ValueError, match="time_delta must be"):
        events_to_sequences(events, "id", "time", time_delta="days")
    with pytest.raises(ValueError, match="id column 'id' contains missing"):
        events_to_sequences(events.assign(id=[None, "a", "b", "a", "a", "c"]), "id", "time")
    with pytest.raises(TypeError, match="pd.to_datetime"):
        events_to_sequences(events.assign(time=events.time.astype(str)), "id", "time")
    with pytest.raises(ValueError, match="NaN or infinite"):
        events_to_sequences(events.assign(time=[np.nan, 1, 2, 3, 4, 5]), "id", "time")
    with pytest.raises(ValueError, match="event table is empty"):
        events_to_sequences(events.iloc[:0], "id", "time")
    with pytest.raises(NotFittedError):
        EventSequencer("id", "time").transform(events)
    with pytest.raises(ValueError, match="time_delta"):
        EventSequencer("id", "time", time_delta="days").fit(events)
    seq = EventSequencer("id", "time").fit(events)
    with pytest.raises(ValueError, match="feature names"):
        seq.transform(events.drop(columns="kind"))


# -- labels per id: y aligned by its index, ids_ and get_ids_out ---------------------


class _RecordingClassifier(ClassifierMixin, BaseEstimator):
    """Keeps the sequences and labels it is fitted on, to check how they are paired."""

    def fit(self, X, y):
        self.X_, self.y_ = X, np.asarray(y)
        self.classes_ = np.unique(self.y_)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def _customers(n):
    """Customers "C1".."Cn" (which sort as C1, C10, C100, ...) with two events each.

    The label is a function of the events (kind "b" for even i), so a classifier
    that sees the right pairs learns it, and one that sees mispaired ones cannot.
    The amount of customer Ci is i, to tell the sequences apart.
    """
    ids = [f"C{i}" for i in range(1, n + 1)]
    kind = np.where(np.arange(1, n + 1) % 2 == 0, "b", "a")
    first = pd.DataFrame({"cust": ids, "t": 0, "amount": np.arange(1.0, n + 1), "ev": kind})
    log = pd.concat([first, first.assign(t=1)], ignore_index=True)
    y = pd.Series((kind == "b").astype(int), index=ids)  # in the user's order, not sorted
    return log, y


def test_issue_reproducer_pairs_each_label_with_its_id():
    log = pd.DataFrame({"cust": ["C1", "C2", "C10"], "t": [0, 0, 0], "ev": ["a", "b", "b"]})
    y = pd.Series({"C1": 0, "C2": 1, "C10": 1})
    pipe = make_pipeline(EventSequencer("cust", "t"), _RecordingClassifier()).fit(log, y)
    # the sequences reach the classifier in the order of y's index
    assert pipe[0].ids_.tolist() == ["C1", "C2", "C10"]
    np.testing.assert_array_equal(pipe[-1].y_, [0, 1, 1])
    np.testing.assert_array_equal(pipe[-1].X_[1], [[0, 1]])  # C2's "b"
    # C10 (here "b" then "c") must learn its own label, not C2's
    log = pd.concat([log, log.assign(t=1, ev=["a", "b", "c"])])
    y = pd.Series({"C1": 0, "C2": 1, "C10": 0})
    pipe = make_pipeline(
        EventSequencer("cust", "t"),
        GRUClassifier(hidden_size=8, max_iter=50, learning_rate_init=0.05, random_state=0),
    ).fit(log, y)
    predicted = pd.Series(pipe.predict(log), index=pipe[0].get_ids_out(log))
    pd.testing.assert_series_equal(predicted, y, check_names=False)


def test_issue_reproducer_verbatim_with_a_gru_fits_without_warnings():
    # One event per customer gives one-step sequences: a list of sequences states its
    # layout, so no SequenceLayoutWarning (warnings are errors in this suite).
    log = pd.DataFrame({"cust": ["C1", "C2", "C10"], "t": [0, 0, 0], "ev": ["a", "b", "b"]})
    y = pd.Series({"C1": 0, "C2": 1, "C10": 1})
    pipe = make_pipeline(
        EventSequencer("cust", "t"), GRUClassifier(hidden_size=4, max_iter=2, random_state=0)
    ).fit(log, y)
    assert pipe[0].ids_.tolist() == ["C1", "C2", "C10"]
    # C10's event is "b", as C2's: the classifier saw C10 with label 1, not C2's position
    np.testing.assert_array_equal(pipe[0].transform(log)[2], [[0, 1]])


def test_labels_follow_their_ids_on_200_customers():
    log, y = _customers(200)
    pipe = make_pipeline(EventSequencer("cust", "t", ["amount"]), _RecordingClassifier())
    pipe.fit(log, y)
    # sequence i given to the classifier holds the events of the id of label i
    amounts = [float(s[0, 0]) for s in pipe[-1].X_]
    assert amounts == [float(i[1:]) for i in y.index]
    np.testing.assert_array_equal(pipe[-1].y_, y.to_numpy())
    assert pipe[0].ids_.tolist() == y.index.tolist()
    # a GRU then learns the label from the events (it could not from mispaired ones)
    pipe = make_pipeline(
        EventSequencer("cust", "t", ["ev"]),
        GRUClassifier(hidden_size=8, max_iter=10, learning_rate_init=0.05, random_state=0),
    )
    assert pipe.fit(log, y).score(log, y) == 1.0
    shuffled = y.sample(frac=1, random_state=0)
    assert pipe.fit(log, shuffled).score(log, shuffled) == 1.0


def test_y_dataframe_is_aligned_by_its_index():
    log, y = _customers(12)
    Y = pd.DataFrame({"label": y, "twice": 2 * y})
    pipe = make_pipeline(EventSequencer("cust", "t", ["amount"]), _RecordingClassifier())
    pipe.fit(log, Y)
    assert [float(s[0, 0]) for s in pipe[-1].X_] == [float(i[1:]) for i in Y.index]


def test_y_without_index_keeps_the_sorted_id_order():
    log, y = _customers(12)
    labels = y.sort_index().to_numpy()
    for given in (labels, labels.tolist()):
        pipe = make_pipeline(EventSequencer("cust", "t", ["amount"]), _RecordingClassifier())
        pipe.fit(log, given)
        assert pipe[0].ids_.tolist() == sorted(y.index)
        assert [float(s[0, 0]) for s in pipe[-1].X_] == [float(i[1:]) for i in sorted(y.index)]
    assert EventSequencer("cust", "t").fit(log).ids_.tolist() == sorted(y.index)


def test_y_index_must_hold_exactly_the_ids():
    log, y = _customers(12)
    seq = EventSequencer("cust", "t")
    short = y.drop(["C3", "C7"])
    with pytest.raises(
        ValueError, match=r"2 id\(s\) of the event table have no label in y: 'C3', 'C7'"
    ):
        seq.fit(log, short)
    extra = pd.concat([y, pd.Series(0, index=[f"X{i}" for i in range(8)])])
    with pytest.raises(
        ValueError, match=r"8 label\(s\) of y belong to no id of the table: 'X0', 'X1', "
        r"'X2', 'X3', 'X4', \.\.\."
    ):
        seq.fit(log, extra)
    with pytest.raises(ValueError, match=r"y's index holds 1 id\(s\) more than once: 'C1'"):
        seq.fit(log, pd.concat([y.iloc[:-1], y.iloc[:1]]))
    # an unnamed integer index is not the ids either
    with pytest.raises(ValueError, match="no label in y.*y.to_numpy\\(\\)"):
        seq.fit(log, y.reset_index(drop=True))


def test_transform_emits_the_fitted_order_for_the_fitted_ids():
    log, y = _customers(12)
    seq = EventSequencer("cust", "t", ["amount"])
    out = seq.fit_transform(log, y)
    assert [float(s[0, 0]) for s in out] == [float(i[1:]) for i in y.index]
    again = seq.transform(log.sample(frac=1, random_state=0))
    for a, b in zip(out, again):
        np.testing.assert_array_equal(a, b)
    assert seq.get_ids_out(log).tolist() == y.index.tolist()
    # other ids: sorted, as get_ids_out says
    new = log.iloc[:5]
    assert seq.get_ids_out(new).tolist() == ["C1", "C2", "C3", "C4", "C5"]
    assert [float(s[0, 0]) for s in seq.transform(new)] == [1.0, 2.0, 3.0, 4.0, 5.0]


# -- cross-validation: events grouped per id, one row per id -----------------------


def test_labels_per_event_row_are_an_error_that_says_how_to_cross_validate():
    log, y = _customers(20)  # 40 events of 20 customers
    per_row = log["cust"].map(y)
    pipe = make_pipeline(EventSequencer("cust", "t"), _RecordingClassifier())
    message = (
        r"one sequence per id \(20 ids\), but y has 40 labels.{1,3}one per event row"
        r".*split ids, not event rows.*group_events\(events, 'cust'\)"
    )
    for labels in (per_row, per_row.to_numpy()):
        with pytest.raises(ValueError, match=message):
            pipe.fit(log, labels)
    # a table of one event per id, indexed by id like y, holds labels per id
    first = log.iloc[:20].set_index(log["cust"].iloc[:20].to_numpy(), drop=False)
    pipe.fit(first, y)
    assert pipe[0].ids_.tolist() == y.index.tolist()
    # cross_val_score on the event table with labels per row reaches the same message
    with pytest.raises(ValueError, match="split ids, not event rows.*group_events"):
        cross_val_score(pipe, log, per_row, cv=2, error_score="raise")


def test_group_events_gives_one_row_per_id_in_sorted_order(events):
    grouped = group_events(events, "id")
    assert isinstance(grouped, pd.Series)
    assert grouped.index.name == "id"
    assert grouped.index.tolist() == ["a", "b", "c"]
    # each value holds the id's rows of the table, every column, in table order
    pd.testing.assert_frame_equal(grouped["a"], events.iloc[[1, 3, 4]])
    pd.testing.assert_frame_equal(grouped["b"], events.iloc[[0, 2]])
    pd.testing.assert_frame_equal(grouped["c"], events.iloc[[5]])
    log, _ = _customers(12)
    assert group_events(log, "cust").index.tolist() == sorted(log["cust"].unique())
    with pytest.raises(ValueError, match="id column 'id' contains missing"):
        group_events(events.assign(id=[None, "a", "b", "a", "a", "c"]), "id")
    with pytest.raises(ValueError, match=r"Column\(s\) \['user'\] not found"):
        group_events(events, "user")
    with pytest.raises(ValueError, match="event table is empty"):
        group_events(events.iloc[:0], "id")
    with pytest.raises(TypeError, match="pandas \\(or polars\\) DataFrame"):
        group_events(events.to_numpy(), "id")


def test_group_events_of_a_polars_frame_matches_pandas(events):
    pl = pytest.importorskip("polars")
    got = group_events(pl.DataFrame(events.to_dict("list")), "id")
    expected = group_events(events, "id")
    assert got.index.tolist() == expected.index.tolist()
    for a, b in zip(got, expected):
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
    # a Series of per-id polars frames is read as grouped events too
    of_polars = pd.Series(
        [pl.DataFrame(frame.to_dict("list")) for frame in expected], index=expected.index
    )
    seq = EventSequencer("id", "time").fit(expected)
    for a, b in zip(seq.transform(of_polars), seq.transform(expected)):
        np.testing.assert_array_equal(a, b)


def _as_grouped(frames, index):
    return pd.Series(list(frames), index=pd.Index(index, name="id"))


@pytest.mark.parametrize("time_delta", [None, "log"])
def test_grouped_events_give_the_sequences_of_the_long_table(events, time_delta):
    ev = events.assign(
        time=pd.Timestamp("2024-01-01") + pd.to_timedelta(events.time, unit="min")
    )
    long = EventSequencer("id", "time", time_delta=time_delta).fit(ev)
    expected = dict(zip(long.ids_, long.transform(ev)))
    grouped = group_events(ev, "id").iloc[[2, 0, 1]]  # c, a, b: any order is kept
    # the id column may be absent from the groups: the index says it
    bare = _as_grouped([frame.drop(columns="id") for frame in grouped], grouped.index)
    for X in (grouped, bare):
        seq = EventSequencer("id", "time", time_delta=time_delta)
        out = seq.fit_transform(X)
        assert len(out) == len(X)
        assert seq.ids_.tolist() == ["c", "a", "b"]
        assert seq.get_ids_out(X).tolist() == ["c", "a", "b"]
        for id_, sequence in zip(X.index, out):
            assert sequence.dtype == np.float32
            np.testing.assert_array_equal(sequence, expected[id_])
        assert seq.categories_.keys() == long.categories_.keys()
        for col in seq.categories_:
            np.testing.assert_array_equal(seq.categories_[col], long.categories_[col])
        np.testing.assert_array_equal(
            seq.get_feature_names_out(), long.get_feature_names_out()
        )
        # transform keeps the rows of any grouped input, in its order
        reversed_ = X.iloc[::-1]
        for id_, sequence in zip(reversed_.index, seq.transform(reversed_)):
            np.testing.assert_array_equal(sequence, expected[id_])
    # fitted on one form, the sequencer transforms the other alike
    seq = EventSequencer("id", "time", time_delta=time_delta).fit(grouped)
    for id_, sequence in zip(seq.get_ids_out(ev), seq.transform(ev)):
        np.testing.assert_array_equal(sequence, expected[id_])
    for id_, sequence in zip(grouped.index, long.transform(grouped)):
        np.testing.assert_array_equal(sequence, expected[id_])


def test_cross_val_score_on_grouped_events():
    # the recipe of the EventSequencer docstring: the whole pipeline, split by id
    log, y = _customers(60)
    X = group_events(log, "cust")
    y = y.loc[X.index]
    pipe = make_pipeline(
        EventSequencer("cust", "t", ["ev"]),
        GRUClassifier(hidden_size=8, max_iter=10, learning_rate_init=0.05, random_state=0),
    )
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    # the label is a function of the events: every held-out customer is predicted
    np.testing.assert_array_equal(cross_val_score(pipe, X, y, cv=cv), [1.0, 1.0, 1.0])


def test_cross_validation_learns_the_vocabulary_in_each_fold_and_pairs_by_position():
    log, y = _customers(12)
    log.loc[log["cust"] == "C1", "ev"] = "rare"  # a kind only customer C1 has
    X = group_events(log, "cust")  # C1, C10, C11, C12, C2, ...: C1 is in the first fold
    y = y.loc[X.index]
    pipe = make_pipeline(EventSequencer("cust", "t"), _RecordingClassifier())
    fitted = cross_validate(pipe, X, y, cv=KFold(3), return_estimator=True)["estimator"]
    kinds = [est[0].categories_["ev"].tolist() for est in fitted]
    assert kinds == [["a", "b"], ["a", "b", "rare"], ["a", "b", "rare"]]
    for est in fitted:
        # each training sequence reached the classifier with its own label
        amounts = np.array([s[0, 0] for s in est[-1].X_])
        np.testing.assert_array_equal(est[-1].y_, (amounts % 2 == 0).astype(int))
        assert est[0].ids_.tolist() == [f"C{int(a)}" for a in amounts]


def test_grid_search_on_grouped_events():
    log, y = _customers(30)
    X = group_events(log, "cust")
    y = y.loc[X.index]
    pipe = make_pipeline(
        EventSequencer("cust", "t", ["ev"]),
        GRUClassifier(hidden_size=8, max_iter=10, learning_rate_init=0.05, random_state=0),
    )
    search = GridSearchCV(pipe, {"eventsequencer__time_delta": [None, "log"]}, cv=3)
    search.fit(X, y)
    assert search.best_score_ == 1.0
    np.testing.assert_array_equal(search.predict(X), y.to_numpy())


def test_grouped_events_pair_y_by_position_and_check_its_index():
    log, y = _customers(12)  # y in the user's order: C1, C2, ..., C12
    X = group_events(log, "cust")  # sorted: C1, C10, C11, C12, C2, ...
    pipe = make_pipeline(EventSequencer("cust", "t", ["amount"]), _RecordingClassifier())
    with pytest.raises(
        ValueError,
        match=r"y's index is not X's.*position 1.*'C10'.*'C2'.*same ids in another "
        r"order.*y\.loc\[X\.index\]",
    ):
        pipe.fit(X, y)
    in_order = y.loc[X.index]
    for labels in (in_order, in_order.to_numpy(), pd.DataFrame({"y": in_order})):
        pipe.fit(X, labels)
        assert [float(s[0, 0]) for s in pipe[-1].X_] == [float(i[1:]) for i in X.index]
        assert pipe[0].ids_.tolist() == X.index.tolist()
    other = y.loc[X.index].rename(index={"C3": "X3"})
    with pytest.raises(ValueError, match=r"y's index is not X's.*'X3'.*y\.loc\[X\.index\]"):
        pipe.fit(X, other)
    with pytest.raises(
        ValueError, match=r"one sequence per row of X \(12 ids\), but y has 11 labels"
    ):
        pipe.fit(X, y.loc[X.index].to_numpy()[:-1])


def test_grouped_events_errors(events):
    grouped = group_events(events, "id")
    a, b, c = grouped
    seq = EventSequencer("id", "time")
    with pytest.raises(ValueError, match=r"X's index holds 'a' more than once.*group_events"):
        seq.fit(pd.concat([grouped, grouped.iloc[:1]]))
    with pytest.raises(ValueError, match="X's index contains missing ids"):
        seq.fit(_as_grouped(grouped, ["a", None, "c"]))
    with pytest.raises(
        TypeError, match=r"group_events\(events, 'id'\).*value of id 'b' is of type int"
    ):
        seq.fit(_as_grouped([a, 3, c], ["a", "b", "c"]))
    with pytest.raises(ValueError, match=r"1 id\(s\) have no events: 'b'.*drop those ids"):
        seq.fit(_as_grouped([a, b.iloc[:0], c], ["a", "b", "c"]))
    with pytest.raises(ValueError, match=r"id column 'id' of the events of 'b' holds 'a'"):
        seq.fit(_as_grouped([a, a, c], ["a", "b", "c"]))
    with pytest.raises(ValueError, match=r"events of 'c' have the columns .* those of 'a' have"):
        seq.fit(_as_grouped([a, b, c.drop(columns="kind")], ["a", "b", "c"]))
    with pytest.raises(ValueError, match="no ids"):
        seq.fit(grouped.iloc[:0])
    with pytest.raises(TypeError, match="or a pandas Series of events grouped per id"):
        seq.fit(events.to_numpy())
    seq.fit(grouped)
    with pytest.raises(ValueError, match="feature names"):
        seq.transform(_as_grouped([f.drop(columns="kind") for f in grouped], grouped.index))
