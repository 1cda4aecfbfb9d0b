"""Windowing and scaling: shapes, strides, padding, views, errors, scikit-learn checks."""

import pydoc
from contextlib import nullcontext

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.base import clone

from sklearn_seq.preprocessing import (
    EventSequencer,
    SequenceScaler,
    SequenceWindower,
    make_windows,
)

# scikit-learn's checks of the transformers run in test_common (the registry in
# sklearn_seq.utils.estimator_checks).


# -- make_windows ----------------------------------------------------------------


def test_make_windows_values_and_targets():
    series = np.arange(20.0)
    X, y = make_windows(series, window=5, horizon=3)
    assert X.shape == (13, 5, 1) and y.shape == (13, 3)
    np.testing.assert_array_equal(X[4, :, 0], series[4:9])
    np.testing.assert_array_equal(y[4], series[9:12])
    # the last window predicts the end of the series
    np.testing.assert_array_equal(y[-1], series[-3:])


def test_make_windows_stride_aligns_last_window_to_the_end():
    series = np.arange(11.0)
    X, y = make_windows(series, window=3, stride=3)
    assert X.shape[0] == (11 - 3 - 1) // 3 + 1
    assert y[-1] == series[-1]
    np.testing.assert_array_equal(X[:, 0, 0], [1.0, 4.0, 7.0])


def test_make_windows_is_a_view_of_a_univariate_series():
    series = np.random.RandomState(0).randn(1000).astype(np.float32)
    X, y = make_windows(series, window=64)
    assert X.dtype == np.float32 and y.dtype == np.float32
    assert np.shares_memory(X, series) and np.shares_memory(y, series)
    assert not X.flags.writeable


def test_make_windows_covariates_from_columns_and_arrays():
    df = pd.DataFrame(
        {"sales": np.arange(10.0), "price": np.arange(10.0) * 10, "promo": np.arange(10.0) * 100}
    )
    X, y = make_windows(
        df, window=3, horizon=2, target="sales", covariates="price", future_covariates=["promo"]
    )
    assert X.shape == (6, 3, 3) and y.shape == (6, 2)
    # features: target, covariate, future covariate read `horizon` steps ahead
    np.testing.assert_array_equal(X[0, :, 0], [0, 1, 2])
    np.testing.assert_array_equal(X[0, :, 1], [0, 10, 20])
    np.testing.assert_array_equal(X[0, :, 2], [200, 300, 400])
    # the future covariates of the predicted steps 3 and 4 are in the window
    np.testing.assert_array_equal(y[0], [3, 4])
    X2, y2 = make_windows(
        df["sales"], window=3, horizon=2, covariates=df["price"].to_numpy(),
        future_covariates=df[["promo"]],
    )
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)


def test_make_windows_target_defaults_to_columns_that_are_not_covariates():
    data = np.arange(30.0).reshape(10, 3)
    X, y = make_windows(data, window=2, covariates=[2])
    assert X.shape == (8, 2, 3) and y.shape == (8, 2)
    np.testing.assert_array_equal(y[0], data[2, :2])
    np.testing.assert_array_equal(X[0, :, 2], data[:2, 2])


def test_make_windows_series_shorter_than_window():
    with pytest.raises(ValueError, match="shorter than window"):
        make_windows(np.arange(5.0), window=5)


def test_make_windows_rejects_nan():
    series = np.arange(10.0)
    series[3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        make_windows(series, window=3)


@pytest.mark.parametrize("horizon", [0, -1])
def test_make_windows_horizon_must_be_positive(horizon):
    with pytest.raises(ValueError, match="'horizon' parameter"):
        make_windows(np.arange(10.0), window=3, horizon=horizon)


def test_make_windows_mismatched_covariate_length():
    with pytest.raises(ValueError, match="covariates has 9 steps but data has 10"):
        make_windows(np.arange(10.0), window=3, covariates=np.arange(9.0))


def test_make_windows_list_of_ints_selects_columns_and_an_array_gives_values():
    data = np.c_[np.arange(30.0), np.arange(30.0) * 10]
    holiday = [int(i % 7 == 0) for i in range(30)]
    # a list of distinct positions selects columns
    X, _ = make_windows(data, window=5, target=0, covariates=[1])
    assert X.shape == (25, 5, 2)
    np.testing.assert_array_equal(X[0, :, 1], data[:5, 1])
    # an array (or a list of booleans) holds one value per step
    for values in (np.array(holiday), [bool(h) for h in holiday]):
        X, _ = make_windows(data, window=5, target=0, covariates=values)
        assert X.shape == (25, 5, 2)
        np.testing.assert_array_equal(X[0, :, 1], holiday[:5])


@pytest.mark.parametrize("key", ["covariates", "future_covariates"])
@pytest.mark.parametrize(
    "data",
    [
        np.c_[np.arange(30.0), np.arange(30.0)],
        pd.DataFrame(np.c_[np.arange(30.0), np.arange(30.0)]),  # integer column labels
    ],
)
def test_make_windows_list_of_ints_that_cannot_be_positions_is_an_error(key, data):
    holiday = [int(i % 7 == 0) for i in range(30)]  # in range, but repeated
    with pytest.raises(ValueError, match=f"{key} is a list of 30 integers.*np.asarray"):
        make_windows(data, window=5, target=0, **{key: holiday})
    with pytest.raises(ValueError, match="not distinct positions among the 2 column"):
        make_windows(data, window=5, target=0, **{key: (1, 5)})  # out of range
    with pytest.raises(ValueError, match="not distinct positions"):
        make_windows(data, window=5, target=0, **{key: [1, -1]})  # one column twice


def test_make_windows_unknown_column():
    with pytest.raises(ValueError, match="'promo' is not a column"):
        make_windows(pd.DataFrame({"a": np.arange(5.0)}), window=2, covariates="promo")



def test_make_windows_ignores_columns_it_does_not_use():
    sales = np.arange(30.0)
    expected_X, expected_y = make_windows(sales, window=5)
    table = pd.DataFrame(
        {
            "sales": sales,
            "store": "a",
            "day": pd.date_range("2024-01-01", periods=30),
            "price": sales * 10,
        }
    )
    for columns in (["sales", "store"], ["day", "sales"], list(table)):
        X, y = make_windows(table[columns], window=5, target="sales")
        np.testing.assert_array_equal(X, expected_X)
        np.testing.assert_array_equal(y, expected_y)
    X, _ = make_windows(table, window=5, target="sales", covariates=[3])  # by position
    np.testing.assert_array_equal(X[0, :, 1], sales[:5] * 10)
    # a used column that is not numeric is named, with what to do
    with pytest.raises(ValueError, match=r"column\(s\) \['store', 'day'\] of data are not numeric"):
        make_windows(table, window=5)


# -- SequenceWindower ------------------------------------------------------------


@pytest.mark.parametrize("padding", ["edge", "zero"])
def test_windower_keeps_rows_and_ends_at_each_row(padding):
    steps = np.arange(14.0).reshape(7, 2)
    out = SequenceWindower(window=3, padding=padding).fit_transform(steps)
    assert out.shape == (7, 3, 2)
    for t in range(2, 7):
        np.testing.assert_array_equal(out[t], steps[t - 2 : t + 1])
    pad = steps[0] if padding == "edge" else np.zeros(2)
    np.testing.assert_array_equal(out[0], [pad, pad, steps[0]])


def test_windower_ragged_gives_shorter_first_rows():
    steps = np.arange(5.0)[:, None]
    out = SequenceWindower(window=3, padding="ragged").fit_transform(steps)
    assert [len(w) for w in out] == [1, 2, 3, 3, 3]
    np.testing.assert_array_equal(out[4][:, 0], [2, 3, 4])


def test_windower_preserves_float32_and_shares_memory_with_dataframe_values():
    steps = np.random.RandomState(0).randn(50, 3).astype(np.float32)
    out = SequenceWindower(window=1).fit_transform(steps)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out[:, 0], steps)


def test_windower_window_is_tunable_in_a_pipeline():
    from sklearn.pipeline import make_pipeline

    pipe = make_pipeline(SequenceWindower(), SequenceScaler())
    pipe.set_params(sequencewindower__window=4)
    assert pipe.fit_transform(np.arange(20.0).reshape(10, 2)).shape == (10, 4, 2)



@pytest.mark.parametrize(
    "transformer", [SequenceWindower(window=2), EventSequencer("id", "time")], ids=type
)
def test_sequence_transformers_do_not_offer_set_output(transformer):
    # Their output is 3D or ragged, which no DataFrame holds: the method that
    # could only raise is not there, in help() or on the class or the instance.
    cls = type(transformer)
    assert not hasattr(cls, "set_output") and not hasattr(transformer, "set_output")
    assert "set_output(self" not in pydoc.render_doc(cls)
    # they stay transformers for scikit-learn, and a global pandas output leaves
    # their output as it is
    assert transformer.__sklearn_tags__().transformer_tags is not None
    events = pd.DataFrame({"id": [1, 1, 2], "time": [0, 1, 0], "x": [1.0, 2.0, 3.0]})
    data = events if isinstance(transformer, EventSequencer) else events[["x"]]
    expected = clone(transformer).fit_transform(data)
    with sklearn.config_context(transform_output="pandas"):
        out = clone(transformer).fit_transform(data)
    assert type(out) is type(expected)
    for a, b in zip(out, expected):
        np.testing.assert_array_equal(a, b)


# -- SequenceScaler --------------------------------------------------------------


def test_scaler_standardises_each_feature_over_steps_and_samples():
    rng = np.random.RandomState(0)
    X = rng.randn(30, 8, 2) * [1.0, 100.0] + [5.0, -3.0]
    Xt = SequenceScaler().fit_transform(X)
    flat = Xt.reshape(-1, 2)
    np.testing.assert_allclose(flat.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(flat.std(axis=0), 1)


def test_scaler_ragged_round_trip():
    rng = np.random.RandomState(0)
    X = [rng.randn(n, 2).astype(np.float32) for n in (3, 7, 5)]
    scaler = SequenceScaler().fit(X)
    Xt = scaler.transform(X)
    assert [x.shape for x in Xt] == [(3, 2), (7, 2), (5, 2)] and Xt[0].dtype == np.float32
    back = scaler.inverse_transform(Xt)
    for a, b in zip(back, X):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    stacked = np.concatenate(Xt)
    np.testing.assert_allclose(stacked.mean(axis=0), 0, atol=1e-6)


def test_scaler_pandas_output_on_2d_input():
    X = pd.DataFrame(np.arange(12.0).reshape(4, 3), columns=["t0", "t1", "t2"])
    out = SequenceScaler().set_output(transform="pandas").fit_transform(X)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == ["t0", "t1", "t2"]
    # 2D input is univariate: one mean and scale for all columns
    assert np.isclose(out.to_numpy().mean(), 0)


def _pandas_output_by_set_output(scaler):
    return scaler.set_output(transform="pandas"), nullcontext()


def _pandas_output_by_config_context(scaler):
    return scaler, sklearn.config_context(transform_output="pandas")


@pytest.mark.parametrize(
    "configure", [_pandas_output_by_set_output, _pandas_output_by_config_context]
)
def test_scaler_pandas_output_only_for_2d_output(configure):
    rng = np.random.RandomState(0)
    X2 = pd.DataFrame(rng.randn(4, 3), columns=["t0", "t1", "t2"], index=list("abcd"))
    X3 = rng.randn(4, 3, 2)
    ragged = [rng.randn(n, 2) for n in (3, 1, 2)]
    scaler, context = configure(SequenceScaler())
    with context:
        out = scaler.fit_transform(X2)
        assert isinstance(out, pd.DataFrame)
        assert list(out.columns) == ["t0", "t1", "t2"] and list(out.index) == list("abcd")
        assert isinstance(scaler.fit(X2).transform(X2), pd.DataFrame)
        # no DataFrame holds 3D or ragged sequences: they keep their layout
        expected = SequenceScaler().fit_transform(X3)
        for out in (scaler.fit_transform(X3), scaler.fit(X3).transform(X3)):
            assert type(out) is np.ndarray
            np.testing.assert_array_equal(out, expected)
        assert scaler.get_feature_names_out().tolist() == ["x0", "x1"]
        expected = SequenceScaler().fit_transform(ragged)
        for out in (scaler.fit_transform(ragged), scaler.fit(ragged).transform(ragged)):
            assert isinstance(out, list) and [s.shape for s in out] == [(3, 2), (1, 2), (2, 2)]
            for a, b in zip(out, expected):
                np.testing.assert_array_equal(a, b)
    assert type(scaler.set_output(transform="default").fit_transform(X2)) is np.ndarray


def test_scaler_rejects_other_number_of_features_per_step():
    scaler = SequenceScaler().fit(np.ones((4, 5, 2)))
    with pytest.raises(ValueError, match="expecting 2 features per step"):
        scaler.transform(np.ones((4, 5, 3)))


def test_make_windows_cuts_each_series_of_a_long_table_apart():
    table = pd.DataFrame({
        "store": ["b"] * 6 + ["a"] * 5 + ["c"] * 2,
        "sales": np.r_[np.arange(6.0), 100 + np.arange(5.0), 500, 501],
        "promo": np.arange(13.0),
    })
    X, y = make_windows(table, window=3, target="sales", future_covariates="promo",
                        groups="store")
    # b gives 3 windows, a gives 2, c (2 rows) none; none mixes two stores.
    np.testing.assert_array_equal(X[:, :, 0], [[0, 1, 2], [1, 2, 3], [2, 3, 4],
                                              [100, 101, 102], [101, 102, 103]])
    np.testing.assert_array_equal(y, [3, 4, 5, 103, 104])
    # Future covariates one step ahead, within the series.
    np.testing.assert_array_equal(X[3, :, 1], [7, 8, 9])
    by_ids, _ = make_windows(table[["sales", "promo"]], window=3, target="sales",
                             future_covariates="promo", groups=table["store"].to_numpy())
    np.testing.assert_array_equal(by_ids, X)
    with pytest.raises(ValueError, match="groups has 2 entries but data has 13 rows"):
        make_windows(table, window=3, target="sales", groups=["a", "b"])
    with pytest.raises(ValueError, match="No series has window \\+ horizon = 11"):
        make_windows(table, window=10, target="sales", groups="store")
