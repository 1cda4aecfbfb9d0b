"""events_to_sequences and EventSequencer: order, encoding, consistency, errors."""

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
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
