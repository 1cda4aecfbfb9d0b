"""polars input works wherever pandas input does, with the same results.

polars is optional: this module is skipped without it. None of these paths need
pyarrow (``test_no_pyarrow_needed`` makes sure ``to_pandas`` is never called).
"""


import numpy as np
import pandas as pd
import pytest

pl = pytest.importorskip("polars")

from sklearn_seq import LSTMClassifier, LSTMRegressor  # noqa: E402
from sklearn_seq.preprocessing import (  # noqa: E402
    EventSequencer,
    SequenceScaler,
    SequenceWindower,
    events_to_sequences,
    make_windows,
)
from sklearn_seq.utils import check_sequences  # noqa: E402

TINY = dict(hidden_size=4, max_iter=3, random_state=0)


@pytest.fixture
def table():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(12, 5))
    cols = [f"t{i}" for i in range(X.shape[1])]
    y_class = (X.sum(axis=1) > 0).astype(int)
    y_reg = X.sum(axis=1)
    return X, cols, y_class, y_reg


@pytest.fixture
def no_to_pandas(monkeypatch):
    """Fail if anything converts polars through to_pandas (which needs pyarrow)."""

    def refuse(*args, **kwargs):
        raise AssertionError("to_pandas was called")

    monkeypatch.setattr(pl.DataFrame, "to_pandas", refuse)
    monkeypatch.setattr(pl.Series, "to_pandas", refuse)


# -- 2D tables: estimators -----------------------------------------------------------


@pytest.mark.parametrize("Estimator", [LSTMClassifier, LSTMRegressor])
def test_estimator_on_polars_frame_matches_numpy_and_pandas(Estimator, table, no_to_pandas):
    X, cols, y_class, y_reg = table
    y = y_class if Estimator is LSTMClassifier else y_reg
    X_pl = pl.DataFrame(X, schema=cols)
    X_pd = pd.DataFrame(X, columns=cols)
    method = "predict_proba" if Estimator is LSTMClassifier else "predict"

    m_pl = Estimator(**TINY).fit(X_pl, y)
    m_pd = Estimator(**TINY).fit(X_pd, y)
    m_np = Estimator(**TINY).fit(X, y)

    out_pl = getattr(m_pl, method)(X_pl)
    np.testing.assert_array_equal(out_pl, getattr(m_pd, method)(X_pd))
    np.testing.assert_array_equal(out_pl, getattr(m_np, method)(X))
    np.testing.assert_array_equal(m_pl.predict(X_pl), m_np.predict(X))
    assert m_pl.feature_names_in_.tolist() == cols
    assert m_pl.n_features_in_ == m_pd.n_features_in_ == 5
    assert m_pl.n_features_per_step_ == 1


def test_feature_name_checks_match_pandas(table):
    X, cols, y, _ = table
    X_pl, X_pd = pl.DataFrame(X, schema=cols), pd.DataFrame(X, columns=cols)
    for X_df in (X_pl, X_pd):
        model = LSTMClassifier(**TINY).fit(X_df, y)
        # Fitted with names, predicted without: the same warning as for pandas.
        with pytest.warns(UserWarning, match="X does not have valid feature names"):
            model.predict(X)
        # Other column names are an error for both.
        renamed = X_df.rename({c: c.upper() for c in cols}) if X_df is X_pl else (
            X_df.rename(columns=str.upper)
        )
        with pytest.raises(ValueError, match="feature names"):
            model.predict(renamed)
    model = LSTMClassifier(**TINY).fit(X, y)
    with pytest.warns(UserWarning, match="fitted without feature names"):
        model.predict(X_pl)


def test_polars_frame_of_integers_and_float32(table):
    X, cols, _, _ = table
    ints = np.arange(12).reshape(3, 4)
    seqs, ndim = check_sequences(pl.DataFrame(ints, schema=list("abcd")))
    assert ndim == 2
    np.testing.assert_array_equal(seqs.values[:, :, 0], ints.astype(np.float32))
    seqs, _ = check_sequences(pl.DataFrame(X.astype(np.float32), schema=cols))
    np.testing.assert_array_equal(seqs.values[:, :, 0], X.astype(np.float32))


# -- Series of lists: ragged batches --------------------------------------------------


def test_list_series_is_a_ragged_batch():
    seqs, ndim = check_sequences(pl.Series([[1.0, 2.0], [3.0]]))
    ref, ref_ndim = check_sequences([np.array([1.0, 2.0]), np.array([3.0])])
    assert ndim == ref_ndim == 3
    assert seqs.lengths.tolist() == [2, 1]
    np.testing.assert_array_equal(seqs.values, ref.values)
    np.testing.assert_array_equal(seqs.values, [[1.0], [2.0], [3.0]])
    assert seqs.dtype == np.float32


def test_multivariate_list_series():
    """List(List) and List(Array): one feature list per step."""
    nested = [[[1.0, 10.0], [2.0, 20.0]], [[3.0, 30.0]]]
    ref, _ = check_sequences([np.array(s) for s in nested])
    for series in (
        pl.Series(nested),
        pl.Series(nested, dtype=pl.List(pl.Array(pl.Float64, 2))),
    ):
        seqs, ndim = check_sequences(series)
        assert ndim == 3
        assert seqs.lengths.tolist() == [2, 1]
        np.testing.assert_array_equal(seqs.values, ref.values)
        np.testing.assert_array_equal(seqs.values[:, 1], [10.0, 20.0, 30.0])


def test_equal_length_series_match_pandas_series_of_arrays():
    rows = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    pd_seqs, pd_ndim = check_sequences(pd.Series([np.array(r) for r in rows]))
    for series in (pl.Series(rows), pl.Series(rows, dtype=pl.Array(pl.Float64, 3))):
        seqs, ndim = check_sequences(series)
        assert ndim == pd_ndim == 3
        assert not seqs.is_ragged  # equal lengths: one dense block
        np.testing.assert_array_equal(seqs.values, pd_seqs.values)
        np.testing.assert_array_equal(seqs.values[..., 0], rows)


def test_object_series_of_arrays():
    series = pl.Series([np.array([1.0, 2.0]), np.array([3.0])], dtype=pl.Object)
    seqs, ndim = check_sequences(series)
    assert ndim == 3 and seqs.lengths.tolist() == [2, 1]
    np.testing.assert_array_equal(seqs.values[:, 0], [1.0, 2.0, 3.0])


def test_estimator_on_list_series_matches_list_of_arrays():
    rng = np.random.RandomState(1)
    arrays = [rng.normal(size=n) for n in (3, 5, 2, 4, 6, 3, 5, 2)]
    y = np.array([0, 1] * 4)
    series = pl.Series([a.tolist() for a in arrays])
    m_pl = LSTMClassifier(**TINY).fit(series, y)
    m_np = LSTMClassifier(**TINY).fit(arrays, y)
    np.testing.assert_array_equal(m_pl.predict_proba(series), m_np.predict_proba(arrays))
    assert m_pl.n_features_per_step_ == 1
    assert not hasattr(m_pl, "feature_names_in_")


# -- preprocessing -------------------------------------------------------------------


def test_sequence_scaler_on_polars(table):
    X, cols, _, _ = table
    X_pl = pl.DataFrame(X, schema=cols)
    scaler = SequenceScaler().fit(X_pl)
    ref = SequenceScaler().fit(X)
    np.testing.assert_array_equal(scaler.mean_, ref.mean_)
    np.testing.assert_array_equal(scaler.scale_, ref.scale_)
    np.testing.assert_array_equal(scaler.transform(X_pl), ref.transform(X))
    assert scaler.feature_names_in_.tolist() == cols
    # float32 polars stays float32, as float32 pandas does
    X32 = pl.DataFrame(X.astype(np.float32), schema=cols)
    assert SequenceScaler().fit_transform(X32).dtype == np.float32
    # polars output keeps the column names
    out = SequenceScaler().set_output(transform="polars").fit_transform(X_pl)
    assert isinstance(out, pl.DataFrame) and out.columns == cols
    np.testing.assert_allclose(out.to_numpy(), ref.transform(X))


def test_sequence_scaler_on_list_series():
    series = pl.Series([[1.0, 2.0], [3.0]], dtype=pl.List(pl.Float32))
    out = SequenceScaler().fit_transform(series)
    assert [s.dtype for s in out] == [np.float32, np.float32]
    np.testing.assert_allclose(out[0].ravel(), [-1.2247449, 0.0], rtol=1e-6)
    np.testing.assert_allclose(out[1].ravel(), [1.2247449], rtol=1e-6)


def test_sequence_windower_on_polars():
    steps = np.arange(10.0).reshape(5, 2)
    frame = pl.DataFrame(steps, schema=["a", "b"])
    for padding in ("edge", "zero"):
        win = SequenceWindower(window=3, padding=padding).fit(frame)
        np.testing.assert_array_equal(
            win.transform(frame), SequenceWindower(window=3, padding=padding).fit_transform(steps)
        )
        assert win.feature_names_in_.tolist() == ["a", "b"]
    ragged = SequenceWindower(window=3, padding="ragged").fit_transform(frame)
    np.testing.assert_array_equal(ragged[1], [[0.0, 1.0], [2.0, 3.0]])
    out32 = SequenceWindower(window=2).fit_transform(frame.cast(pl.Float32))
    assert out32.dtype == np.float32
    np.testing.assert_array_equal(out32[4], [[6.0, 7.0], [8.0, 9.0]])


def test_make_windows_on_polars():
    data = {"sales": np.arange(8.0), "price": np.arange(8.0) * 10}
    X_pl, y_pl = make_windows(pl.DataFrame(data), window=3, target="sales", covariates="price")
    X_pd, y_pd = make_windows(pd.DataFrame(data), window=3, target="sales", covariates="price")
    np.testing.assert_array_equal(X_pl, X_pd)
    np.testing.assert_array_equal(y_pl, y_pd)
    np.testing.assert_array_equal(y_pl, [3.0, 4.0, 5.0, 6.0, 7.0])
    X_s, y_s = make_windows(pl.Series("sales", data["sales"]), window=3)
    np.testing.assert_array_equal(y_s, y_pl)


# -- event tables --------------------------------------------------------------------


EVENTS = {
    "id": ["b", "a", "b", "a", "a", "c"],
    "time": [3, 2, 1, 2, 0, 5],
    "amount": [5.0, 4.0, 2.0, 3.0, 1.0, 9.0],
    "count": [1, 2, 3, 4, 5, 6],
    "kind": ["x", "y", "x", "z", "y", "x"],
}


def _assert_same_sequences(left, right):
    (seqs_l, ids_l), (seqs_r, ids_r) = left, right
    assert ids_l.tolist() == ids_r.tolist()
    assert len(seqs_l) == len(seqs_r)
    for a, b in zip(seqs_l, seqs_r):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("time_delta", [None, "linear", "log"])
def test_events_to_sequences_polars_matches_pandas(time_delta, no_to_pandas):
    got = events_to_sequences(pl.DataFrame(EVENTS), "id", "time", time_delta=time_delta)
    ref = events_to_sequences(pd.DataFrame(EVENTS), "id", "time", time_delta=time_delta)
    _assert_same_sequences(got, ref)
    seqs, ids = got
    assert ids.tolist() == ["a", "b", "c"]
    # columns: amount, count, kind_x, kind_y, kind_z (+ time delta)
    np.testing.assert_array_equal(
        seqs[0][:, :5], [[1, 5, 0, 1, 0], [4, 2, 0, 1, 0], [3, 4, 0, 0, 1]]
    )


def test_events_polars_datetimes_and_nulls_match_pandas():
    times = ["2024-01-01 00:00:00", "2024-01-01 00:00:10", "2024-01-01 00:01:00"]
    frame = pl.DataFrame(
        {"id": [1, 1, 2], "time": times, "amount": [1.0, None, 3.0], "n": [1, None, 2]}
    ).with_columns(pl.col("time").str.to_datetime().dt.replace_time_zone("Europe/Paris"))
    ref = pd.DataFrame(
        {"id": [1, 1, 2], "time": pd.to_datetime(times).tz_localize("Europe/Paris"),
         "amount": [1.0, np.nan, 3.0], "n": [1, np.nan, 2]}
    )
    got = events_to_sequences(frame, "id", "time", time_delta="linear")
    _assert_same_sequences(got, events_to_sequences(ref, "id", "time", time_delta="linear"))
    np.testing.assert_array_equal(got[0][0], [[1.0, 1.0, 0.0], [np.nan, np.nan, 10.0]])


def test_events_polars_categorical_and_enum():
    kinds = ["y", "x", "y"]
    base = {"id": [1, 1, 2], "time": [0, 1, 0]}
    as_string = events_to_sequences(pl.DataFrame({**base, "kind": kinds}), "id", "time")
    as_cat = events_to_sequences(
        pl.DataFrame({**base, "kind": pl.Series(kinds, dtype=pl.Categorical)}), "id", "time"
    )
    _assert_same_sequences(as_cat, as_string)  # categories learned sorted: x, y
    np.testing.assert_array_equal(as_string[0][0], [[0, 1], [1, 0]])
    # An Enum keeps its declared categories and order, like a pandas categorical.
    enum = pl.Enum(["z", "y", "x"])
    got = events_to_sequences(
        pl.DataFrame({**base, "kind": pl.Series(kinds, dtype=enum)}), "id", "time"
    )
    ref = events_to_sequences(
        pd.DataFrame({**base, "kind": pd.Categorical(kinds, categories=["z", "y", "x"])}),
        "id", "time",
    )
    _assert_same_sequences(got, ref)
    np.testing.assert_array_equal(got[0][0], [[0, 1, 0], [0, 0, 1]])


def test_event_sequencer_on_polars(no_to_pandas):
    train_pl, train_pd = pl.DataFrame(EVENTS), pd.DataFrame(EVENTS)
    test = {"id": [5, 3], "time": [0, 0], "amount": [1.0, 2.0], "count": [1, 1],
            "kind": ["y", "unseen"]}
    seq_pl = EventSequencer("id", "time", time_delta="log").fit(train_pl)
    seq_pd = EventSequencer("id", "time", time_delta="log").fit(train_pd)
    assert seq_pl.feature_names_in_.tolist() == list(EVENTS)
    assert seq_pl.get_feature_names_out().tolist() == seq_pd.get_feature_names_out().tolist()
    assert {k: v.tolist() for k, v in seq_pl.categories_.items()} == {"kind": ["x", "y", "z"]}
    out_pl = seq_pl.transform(pl.DataFrame(test))
    out_pd = seq_pd.transform(pd.DataFrame(test))
    for a, b in zip(out_pl, out_pd):
        np.testing.assert_array_equal(a, b)
    # ids 3, 5: "unseen" is an all-zero block, "y" is one-hot
    np.testing.assert_array_equal(out_pl[0], [[2.0, 1.0, 0.0, 0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(out_pl[1], [[1.0, 1.0, 0.0, 1.0, 0.0, 0.0]])
    # fitted on polars, transforming pandas (and back) gives the same sequences
    for a, b in zip(seq_pl.transform(pd.DataFrame(test)), out_pd):
        np.testing.assert_array_equal(a, b)


# -- errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "X, match",
    [
        (pl.DataFrame({"a": [1.0, None], "b": [2.0, 3.0]}), "null .*column 'a'"),
        (pl.DataFrame({"a": [1, 2], "b": [None, 3]}), "null .*column 'b'"),
        (pl.Series([[1.0, 2.0], None]), r"null .*X\[1\]"),
        (pl.Series([[1.0, 2.0], [3.0, None]]), r"null .*X\[1\]"),
        (pl.Series([[[1.0, 2.0]], [[3.0, 4.0], None]]), r"null .*X\[1\]"),
        (pl.Series([[[1.0, 2.0]], [[3.0, None]]]), r"null .*X\[1\]"),
    ],
)
def test_polars_nulls_are_refused(X, match):
    with pytest.raises(ValueError, match=match):
        check_sequences(X)
    with pytest.raises(ValueError, match="fill"):
        LSTMClassifier(**TINY).fit(X, [0, 1])


def test_polars_nan_is_refused_like_numpy():
    with pytest.raises(ValueError, match="Input X contains NaN"):
        check_sequences(pl.DataFrame({"a": [1.0, float("nan")], "b": [2.0, 3.0]}))
    with pytest.raises(ValueError, match=r"contains NaN.*\(first in X\[1\], time step 0\)"):
        check_sequences(pl.Series([[1.0, 2.0], [float("nan")]]))


def test_preprocessing_refuses_polars_nulls():
    frame = pl.DataFrame({"a": [1.0, None, 3.0], "b": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="null .*column 'a'"):
        SequenceWindower(window=2).fit(frame)
    win = SequenceWindower(window=2).fit(frame.fill_null(0.0))
    with pytest.raises(ValueError, match="null .*column 'a'"):
        win.transform(frame)
    with pytest.raises(ValueError, match="null .*column 'a'"):
        make_windows(frame, window=1)
    with pytest.raises(ValueError, match="null .*column 'a'"):
        SequenceScaler().fit(frame)


@pytest.mark.parametrize(
    "X, error, match",
    [
        (pl.Series([1.0, 2.0]), ValueError, "Expected 2D array, got 1D array"),
        (pl.Series(["a", "b"]), TypeError, "numeric sequences"),
        (pl.Series([["a"], ["b"]]), TypeError, "numeric sequences"),
        (pl.Series([[1.0], []]), ValueError, r"X\[1\] is a sequence of length 0"),
        (pl.Series([[[1.0, 2.0]], [[3.0]]]), ValueError, "same number of features"),
        (pl.Series([], dtype=pl.List(pl.Float64)), ValueError, "0 sample"),
        (
            pl.DataFrame({"t": pl.Series(["2024-01-01"]).str.to_datetime(), "v": [1.0]}),
            TypeError,
            "datetimes",
        ),
        (pl.DataFrame({"a": [1.0]}).lazy(), TypeError, r"\.collect\(\)"),
        (pl.DataFrame({"s": [[1.0], [2.0, 3.0]]}), TypeError, r"pass the Series .*X\['s'\]"),
    ],
)
def test_polars_errors(X, error, match):
    with pytest.raises(error, match=match):
        check_sequences(X)


def test_events_refuse_lazy_frames():
    with pytest.raises(TypeError, match=r"\.collect\(\)"):
        events_to_sequences(pl.DataFrame(EVENTS).lazy(), "id", "time")


# -- text -----------------------------------------------------------------------------

TEXTS = ["the parcel never arrived", "I was charged twice", "where is my parcel",
         "refund the double charge", "parcel lost in delivery", "charge"]
TOPICS = ["ship", "bill", "ship", "bill", "ship", "bill"]


def _text_model():
    from sklearn_seq import BiRNNTextClassifier

    return BiRNNTextClassifier(embedding_dim=4, hidden_size=4, max_iter=3, random_state=0)


@pytest.mark.parametrize(
    "to_polars",
    [pl.Series, lambda docs: pl.Series(docs, dtype=pl.Categorical),
     lambda docs: pl.Series([d.split() for d in docs])],
    ids=["String", "Categorical", "List(String)"],
)
def test_text_classifier_on_polars_series_matches_list(to_polars, no_to_pandas):
    as_list = TEXTS if to_polars is pl.Series else pl.Series(to_polars(TEXTS)).to_list()
    expected = _text_model().fit(as_list, TOPICS)
    clf = _text_model().fit(to_polars(TEXTS), pl.Series(TOPICS))
    assert clf.vocabulary_ == expected.vocabulary_
    np.testing.assert_allclose(
        clf.predict_proba(to_polars(TEXTS)), expected.predict_proba(as_list), rtol=1e-6
    )
    np.testing.assert_array_equal(clf.predict(to_polars(TEXTS[:2])), expected.predict(TEXTS[:2]))


def test_text_classifier_refuses_polars_nulls_like_none():
    with pytest.raises(TypeError, match=r"X\[1\] is missing \(None\).*Fill missing text"):
        _text_model().fit(pl.Series(["a parcel", None]), [0, 1])


def test_polars_string_column_and_nan_are_located():
    with pytest.raises(ValueError, match=r"^Column 's' of X holds strings.*BiRNNTextClassifier"):
        check_sequences(pl.DataFrame({"a": [1.0, 2.0], "s": ["x", "y"]}))
    with pytest.raises(ValueError, match=r"contains NaN.*\(first in row 1, column 'a'\)"):
        check_sequences(pl.DataFrame({"a": [1.0, float("nan")], "b": [2.0, 3.0]}))
