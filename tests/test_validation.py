"""The data contract: every accepted layout, and a clear error for every bad input."""

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.pipeline import make_pipeline

from sklearn_seq import GRUClassifier, LSTMClassifier, LSTMRegressor, SequenceAnomalyDetector
from sklearn_seq.preprocessing import ChannelsLast
from sklearn_seq.utils import SequenceLayoutWarning, check_sequences


def test_2d_is_univariate_sequences():
    X = np.arange(12, dtype=np.float64).reshape(3, 4)
    seqs, ndim = check_sequences(X)
    assert ndim == 2 and not seqs.is_ragged
    assert seqs.values.shape == (3, 4, 1) and seqs.dtype == np.float32
    np.testing.assert_array_equal(seqs.values[1, :, 0], [4, 5, 6, 7])


def test_3d_is_batch_first_and_float32_input_is_not_copied():
    X = np.random.RandomState(0).randn(5, 7, 3).astype(np.float32)
    seqs, ndim = check_sequences(X)
    assert ndim == 3 and seqs.values.shape == (5, 7, 3)
    assert np.shares_memory(seqs.values, X)


@pytest.mark.parametrize("container", [list, tuple, lambda s: pd.Series(s, dtype=object),
                                       lambda s: np.array(s + [None], dtype=object)[:-1]])
def test_ragged_containers(container):
    rng = np.random.RandomState(0)
    items = [rng.randn(n, 2) for n in (3, 5, 4)]
    seqs, _ = check_sequences(container(items))
    assert seqs.is_ragged
    np.testing.assert_array_equal(seqs.lengths, [3, 5, 4])
    assert seqs.values.shape == (12, 2)
    for a, b in zip(seqs.to_list(), items):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_ragged_univariate_and_equal_lengths_become_dense():
    seqs, _ = check_sequences([np.arange(3), np.arange(5)])
    assert seqs.is_ragged and seqs.n_features == 1
    seqs, _ = check_sequences([np.ones((4, 2)), np.zeros((4, 2))])
    assert not seqs.is_ragged and seqs.values.shape == (2, 4, 2)


def test_take_reorders_ragged_sequences():
    seqs, _ = check_sequences([np.full(2, 1.0), np.full(3, 2.0), np.full(1, 3.0)])
    taken = seqs.take([2, 0])
    np.testing.assert_array_equal(taken.lengths, [1, 2])
    np.testing.assert_array_equal(taken.values[:, 0], [3, 1, 1])


BAD_INPUTS = [
    (np.array([[1.0, np.nan]]), ValueError, "Input X contains NaN"),
    (np.array([[1.0, np.inf]]), ValueError, "Input X contains infinity"),
    (np.arange(5.0), ValueError, r"got 1D array.*sequence is X.reshape\(1, -1\)"),
    (np.zeros((2, 3, 4, 5)), ValueError, "Found array with dim 4"),
    (np.ones((2, 3)) + 1j, ValueError, "Complex data not supported"),
    (np.array([["a", "b"], ["c", "d"]], dtype=object), ValueError, "could not convert"),
    (["good", "bad"], TypeError, "holds strings.*BiRNNTextClassifier"),
    (sparse.csr_matrix(np.ones((3, 3))), TypeError, "[Ss]parse"),
    (np.empty((0, 4)), ValueError, "0 sample"),
    (np.empty((3, 0)), ValueError, "0 feature"),
    (np.empty((3, 0, 2)), ValueError, "0 time step"),
    ([], ValueError, "0 sample"),
    ([np.ones(3), np.ones(0)], ValueError, r"X\[1\] is a sequence of length 0"),
    ([np.ones((3, 2)), np.ones((4, 3))], ValueError, "same number of features per step"),
    ([np.ones(3), np.array([1.0, np.nan])], ValueError, r"NaN.*\(first in X\[1\], time"),
    ([np.ones(3), np.array(["x", "y"])], TypeError, r"X\[1\] holds non-numeric"),
    ([np.ones(3), 5.0], ValueError, r"X\[1\] is a scalar"),
    ([np.ones((2, 2, 2)), np.ones(3)], ValueError, r"X\[0\] has 3 dimensions"),
]


@pytest.mark.parametrize("X, error, match", BAD_INPUTS)
def test_bad_input_has_clear_message(X, error, match):
    with pytest.raises(error, match=match):
        check_sequences(X)


@pytest.mark.parametrize("X, error, match", BAD_INPUTS[:4])
def test_estimators_raise_the_same_errors(X, error, match):
    with pytest.raises(error, match=match):
        LSTMClassifier(max_iter=1).fit(X, np.zeros(len(X)))


def test_y_length_mismatch():
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LSTMRegressor(max_iter=1).fit(np.ones((4, 3)), np.ones(3))


def test_dataframe_sets_feature_names_and_checks_width():
    df = pd.DataFrame(np.random.RandomState(0).randn(20, 4), columns=list("abcd"))
    est = LSTMRegressor(hidden_size=4, max_iter=2, random_state=0).fit(df, np.arange(20.0))
    np.testing.assert_array_equal(est.feature_names_in_, list("abcd"))
    assert est.n_features_in_ == 4 and est.n_features_per_step_ == 1
    with pytest.raises(ValueError, match="Feature names seen at fit time, yet now missing"):
        est.predict(df.iloc[:, :3])
    est.fit(df.to_numpy(), np.arange(20.0))
    with pytest.raises(ValueError, match="X has 3 features, but LSTMRegressor is expecting 4"):
        est.predict(df.to_numpy()[:, :3])


def test_3d_fixes_features_per_step_but_not_length():
    rng = np.random.RandomState(0)
    est = LSTMClassifier(hidden_size=4, max_iter=2, random_state=0)
    est.fit(rng.randn(10, 6, 3), np.arange(10) % 2)
    assert not hasattr(est, "n_features_in_") and est.n_features_per_step_ == 3
    assert est.predict(rng.randn(4, 9, 3)).shape == (4,)
    with pytest.raises(ValueError, match="2 features per time step.*expecting 3"):
        est.predict(rng.randn(4, 6, 2))


def test_input_is_never_modified():
    rng = np.random.RandomState(0)
    X = rng.randn(10, 5)
    items = [rng.randn(n, 2) for n in (3, 4)]
    X_copy, items_copy = X.copy(), [a.copy() for a in items]
    LSTMRegressor(hidden_size=4, max_iter=2).fit(X, np.arange(10.0))
    check_sequences(items)
    np.testing.assert_array_equal(X, X_copy)
    for a, b in zip(items, items_copy):
        np.testing.assert_array_equal(a, b)


# -- messages that say where the problem is and what to do --------------------------

ADVICE = r"do not accept missing or infinite values: fill missing values .* or drop those"


def _nan_at(i, j, k=None):
    X = np.ones((3, 4, 2)) if k is not None else np.ones((3, 4))
    X[(i, j, k) if k is not None else (i, j)] = np.nan
    return X


@pytest.mark.parametrize(
    "X, where",
    [
        (_nan_at(1, 2), r"X\[1\], time step 2"),
        (_nan_at(2, 3, 1), r"X\[2\], time step 3, feature 1"),
        (pd.DataFrame({"a": [1.0, 2.0], "b": [1.0, np.nan]}), r"row 1, column 'b'"),
        (pd.DataFrame({"a": pd.array([1, None], dtype="Int64"), "b": [1, 2]}),
         r"row 1, column 'a'"),
        (pd.DataFrame({"a": [1.0, None], "b": [1.0, 2.0]}, dtype=object),
         r"row 1, column 'a'"),
        (pd.DataFrame({"a": [1.0, 2.0], "b": [pd.NA, 2.0]}, dtype=object),
         r"row 0, column 'b'"),
        (np.array([[1.0, 2.0], [pd.NA, 2.0]], dtype=object), r"X\[1\], time step 0"),
        ([[1.0, 2.0], [1.0, None]], r"X\[1\], time step 1"),
        ([np.ones(3), np.array([1.0, np.nan])], r"X\[1\], time step 1"),
        ([np.ones((3, 2)), np.array([[1.0, 1.0], [1.0, np.nan]])],
         r"X\[1\], time step 1, feature 1"),
    ],
    ids=["2d", "3d", "DataFrame NaN", "DataFrame pd.NA", "DataFrame None",
         "object DataFrame pd.NA", "object array pd.NA", "list None", "ragged",
         "ragged multivariate"],
)
def test_missing_values_are_located_with_one_message_for_every_layout(X, where):
    match = rf"^Input X contains NaN, a missing value \(first in {where}\)\. .*{ADVICE}"
    with pytest.raises(ValueError, match=match) as exc:
        LSTMClassifier(max_iter=1).fit(X, np.arange(len(X)) % 2)
    assert "HistGradientBoosting" not in str(exc.value)


def test_infinity_is_located():
    X = np.ones((3, 4))
    X[2, 1] = -np.inf
    match = rf"^Input X contains infinity .* \(first in X\[2\], time step 1\)\. .*{ADVICE}"
    with pytest.raises(ValueError, match=match):
        check_sequences(X)
    with pytest.raises(ValueError, match=r"infinity .* \(first in X\[0\], time step 0\)"):
        check_sequences(np.array([[1e300, 1.0]]))  # finite in float64, not in float32


@pytest.mark.parametrize(
    "X, where",
    [
        (pd.DataFrame({"sales": [1.0, 2.0], "store": ["x", "y"]}), "Column 'store' of X"),
        (pd.DataFrame({"sales": [1.0, 2.0], "store": pd.Series(["x", "y"], dtype="category")}),
         "Column 'store' of X"),
        (np.array([[1.0, 2.0], [3.0, "x"]], dtype=object), r"X\[1\] \(time step 1\)"),
        (np.array([[[1.0], [2.0]], [[3.0], ["x"]]], dtype=object),
         r"X\[1\] \(time step 1, feature 0\)"),
    ],
    ids=["DataFrame", "categorical column", "object array", "3d object array"],
)
def test_strings_in_a_table_name_their_column_and_the_fix(X, where):
    match = (
        rf"^{where} holds strings \(could not convert string to float: 'x'\).*"
        r"OrdinalEncoder.*OneHotEncoder.*EventSequencer.*BiRNNTextClassifier"
    )
    with pytest.raises(ValueError, match=match):
        LSTMClassifier(max_iter=1).fit(X, [0, 1])


@pytest.mark.parametrize(
    "X",
    [np.arange(200).reshape(20, 10) + 1j, pd.DataFrame({"a": [1 + 1j, 2.0], "b": [1.0, 2.0]}),
     [[1 + 1j, 2.0], [1.0, 2.0]], [np.ones(3), np.ones(2) * 1j]],
    ids=["array", "DataFrame", "list of rows", "ragged"],
)
def test_complex_data_message_is_one_short_line(X):
    with pytest.raises(ValueError, match="^Complex data not supported") as exc:
        check_sequences(X)
    message = str(exc.value)
    assert "\n" not in message and len(message) < 300, message
    assert "np.abs(X)" in message and "X.real" in message


# -- layouts that are almost certainly mixed up --------------------------------------


def _panel(n=20, channels=3, timepoints=12, seed=0):
    """An aeon/sktime panel, (n_cases, n_channels, n_timepoints), of smooth series."""
    rng = np.random.RandomState(seed)
    phase = rng.uniform(0, 2 * np.pi, size=(n, channels, 1))
    t = np.arange(timepoints)
    X = np.sin(2 * np.pi * t / timepoints + phase) + 0.05 * rng.randn(n, channels, timepoints)
    return X, (phase[:, 0, 0] > np.pi).astype(int)


def _tiny_gru():
    return GRUClassifier(hidden_size=4, max_iter=2, random_state=0)


@pytest.mark.parametrize(
    "shape, match",
    [
        ((20, 3, 12), r"shape \(20, 3, 12\) is read as 20 sequences of 3 time steps with 12 "
                      r"features.*np\.swapaxes\(X, 1, 2\).*ChannelsLast"),
        ((20, 1, 150), r"shape \(20, 1, 150\) is read as 20 sequences of 1 time step with 150 "
                       r"features.*np\.swapaxes\(X, 1, 2\).*ChannelsLast"),
    ],
)
def test_channels_first_panel_warns_once_at_fit_with_the_fix(shape, match):
    X, y = _panel(shape[0], shape[1], shape[2])
    with pytest.warns(SequenceLayoutWarning, match=match) as record:
        clf = _tiny_gru().fit(X, y)
    [warning] = [w for w in record if w.category is SequenceLayoutWarning]
    assert warning.filename == __file__  # reported at the user's line
    clf.predict(X)  # no warning at predict: warnings are errors in the tests


def test_channels_last_panel_and_unordered_features_do_not_warn():
    X, y = _panel(20, 3, 12)
    _tiny_gru().fit(np.swapaxes(X, 1, 2), y)
    # many features per step, in no order (e.g. embeddings or covariates): not a mix-up
    _tiny_gru().fit(np.random.RandomState(0).randn(20, 3, 12), y)
    check_sequences(X)  # only fitting estimators check the layout


def test_long_table_given_to_the_anomaly_detector_warns():
    # 4000 readings of 2 sensors, one row per time step: read as 4000 sequences of 2 steps
    t = np.arange(4000)
    table = np.column_stack([np.sin(t / 50), np.cos(t / 80)])
    match = (r"shape \(4000, 2\) is read as 4000 sequences of 2 time steps.*one long "
             r"recording.*make_windows\(X, window=")
    with pytest.warns(SequenceLayoutWarning, match=match):
        detector = SequenceAnomalyDetector(hidden_size=4, max_iter=1, random_state=0)
        detector.fit(table)
    detector.predict(table)  # not at predict


def test_short_univariate_sequences_in_no_order_and_windows_do_not_warn():
    rng = np.random.RandomState(0)
    _tiny_gru().fit(rng.randn(300, 2), rng.randint(0, 2, 300))  # independent samples
    series = np.sin(np.arange(302) / 20)
    windows = np.lib.stride_tricks.sliding_window_view(series, 3)  # ordered windows
    _tiny_gru().fit(windows, rng.randint(0, 2, len(windows)))


# -- ChannelsLast: aeon and sktime panels read as sequences --------------------------


def test_channels_last_puts_time_on_the_step_axis():
    X, _ = _panel(20, 3, 12)
    Xt = ChannelsLast().fit_transform(X)
    np.testing.assert_array_equal(Xt, np.swapaxes(X, 1, 2))
    assert Xt.shape == (20, 12, 3) and Xt.flags.c_contiguous
    assert not np.shares_memory(Xt, X)


@pytest.mark.parametrize("channels", [3, 1])
def test_channels_last_pipeline_reads_the_panel_as_the_swapped_array(channels):
    X, y = _panel(20, channels, 12)
    pipe = make_pipeline(ChannelsLast(), _tiny_gru()).fit(X, y)  # no layout warning
    direct = _tiny_gru().fit(np.swapaxes(X, 1, 2), y)
    assert pipe[-1].n_features_per_step_ == channels and pipe[0].n_features_in_ == channels
    np.testing.assert_allclose(
        pipe.predict_proba(X), direct.predict_proba(np.swapaxes(X, 1, 2)), rtol=1e-6
    )


def test_channels_last_reads_unequal_lengths_and_keeps_2d():
    cases = [np.arange(2.0 * t).reshape(2, t) for t in (3, 5)]  # aeon's "np-list"
    out = ChannelsLast().fit_transform(cases)
    assert [o.shape for o in out] == [(3, 2), (5, 2)]
    np.testing.assert_array_equal(out[1], cases[1].T)
    seqs, _ = check_sequences(out)
    assert seqs.is_ragged and list(seqs.lengths) == [3, 5] and seqs.n_features == 2
    table = np.arange(12.0).reshape(3, 4)  # aeon's univariate "numpy2D"
    np.testing.assert_array_equal(ChannelsLast().fit_transform(table), table)


def _spy_gru(shapes):
    """A tiny GRU classifier that records the shape of the X its fit receives."""

    class SpyGRU(GRUClassifier):
        def fit(self, X, y, **params):
            shapes.append(np.shape(X))
            return super().fit(X, y, **params)

    return SpyGRU(hidden_size=4, max_iter=2, random_state=0)


def test_in_aeons_classifier_pipeline_channels_last_reads_time_as_steps():
    # aeon's ClassifierPipeline hands a scikit-learn classifier its univariate panel as
    # (n_cases, 1, n_timepoints): without ChannelsLast that is one step of 150 features.
    # aeon and sktime come with the tests extra: these run, never skip
    from aeon.classification.compose import ClassifierPipeline

    X, y = _panel(20, 1, 150)
    shapes = []
    with pytest.warns(SequenceLayoutWarning, match=r"\(20, 1, 150\).*1 time step.*ChannelsLast"):
        ClassifierPipeline(transformers=[], classifier=_spy_gru(shapes)).fit(X, y)
    shapes.clear()
    pipe = ClassifierPipeline(
        transformers=[], classifier=make_pipeline(ChannelsLast(), _spy_gru(shapes))
    ).fit(X, y)  # no layout warning: warnings are errors in the tests
    assert shapes == [(20, 150, 1)]
    assert pipe.predict(X).shape == (20,)


def test_in_sktimes_classifier_pipeline_channels_last_reads_time_as_steps():
    # sktime's SklearnClassifierPipeline flattens a univariate panel to (n_cases, n_timepoints).
    from sktime.classification.compose import SklearnClassifierPipeline
    from sktime.transformations.compose import Id

    X, y = _panel(20, 1, 40)
    shapes = []
    pipe = SklearnClassifierPipeline(
        make_pipeline(ChannelsLast(), _spy_gru(shapes)), [Id()]).fit(X, y)
    assert shapes == [(20, 40)]  # 2D: one univariate sequence of 40 steps per case
    assert pipe.predict(X).shape == (20,)


def test_channels_last_errors_say_what_to_do():
    fitted = ChannelsLast().fit(np.zeros((2, 3, 5)))
    with pytest.raises(ValueError, match="X has 2 features, but ChannelsLast is expecting 3"):
        fitted.transform(np.zeros((2, 2, 5)))
    with pytest.raises(ValueError, match=r"same number of channels.*\[2, 3\]"):
        ChannelsLast().fit([np.zeros((2, 4)), np.zeros((3, 4))])
    fitted = ChannelsLast().fit([np.zeros((2, 4)), np.zeros((2, 6))])
    with pytest.raises(ValueError, match="X has 3 channels, but ChannelsLast is expecting 2"):
        fitted.transform([np.zeros((3, 4))])
    long = pd.DataFrame({"c0": [1.0, 2.0]}, index=pd.MultiIndex.from_tuples([(0, 0), (0, 1)]))
    with pytest.raises(TypeError, match=r'"pd-multiindex".*convert_to\(X, to_type="numpy3D"\)'):
        ChannelsLast().fit(long)
    nested = pd.DataFrame({"c0": [pd.Series([1.0, 2.0]), pd.Series([3.0, 4.0])]})
    with pytest.raises(TypeError, match=r'"nested_univ".*convert_collection\(X, "numpy3D"\)'):
        ChannelsLast().fit(nested)
