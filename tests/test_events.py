"""events_to_sequences and EventSequencer: order, encoding, consistency, errors."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline

from sklearn_seq import GRUClassifier
from sklearn_seq.datasets import make_card_transactions, make_customer_events
from sklearn_seq.preprocessing import EventSequencer, events_to_sequences


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


# -- cross-validation: by id, on the sequences ------------------------------------


def test_labels_per_event_row_are_an_error_that_says_how_to_cross_validate():
    log, y = _customers(20)  # 40 events of 20 customers
    per_row = log["cust"].map(y)
    pipe = make_pipeline(EventSequencer("cust", "t"), _RecordingClassifier())
    message = (
        r"one sequence per id \(20 ids\), but y has 40 labels.{1,3}one per event row"
        r".*split ids, not event rows.*fit_transform\(events, y\)"
    )
    for labels in (per_row, per_row.to_numpy()):
        with pytest.raises(ValueError, match=message):
            pipe.fit(log, labels)
    # a table of one event per id, indexed by id like y, holds labels per id
    first = log.iloc[:20].set_index(log["cust"].iloc[:20].to_numpy(), drop=False)
    pipe.fit(first, y)
    assert pipe[0].ids_.tolist() == y.index.tolist()
    # cross_val_score on the event table with labels per row reaches the same message
    with pytest.raises(ValueError, match="split ids, not event rows"):
        cross_val_score(pipe, log, per_row, cv=2, error_score="raise")


def test_cross_validation_by_id_on_the_sequences():
    # the recipe of the EventSequencer docstring: sequence first, then split ids
    log, y = _customers(60)
    seqs = EventSequencer("cust", "t", ["ev"]).fit_transform(log, y)
    gru = GRUClassifier(hidden_size=8, max_iter=10, learning_rate_init=0.05, random_state=0)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    # the label is a function of the events: every held-out customer is predicted
    np.testing.assert_array_equal(cross_val_score(gru, seqs, y, cv=cv), [1.0, 1.0, 1.0])
