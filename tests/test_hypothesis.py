"""Property-based tests: odd and hostile input, determinism, batch and order
independence, concurrent prediction.

Every input either works exactly as its clean equivalent (a C-contiguous float32
array) or raises a ValueError/TypeError with a message; it is never mutated.
"""

import contextlib
import io
import os
import subprocess
import sys
import textwrap
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sklearn_seq import BiRNNTextClassifier, GRURegressor, LSTMClassifier
from sklearn_seq.anomaly import SequenceAnomalyDetector
from sklearn_seq.forecasting import AttentionForecaster
from sklearn_seq.utils._validation import check_sequences

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
FEW = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NUMERIC_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
                  np.bool_, np.float16, np.float32, np.float64]
LAYOUTS = ["c", "fortran", "strided", "read-only", "object", "list-of-arrays",
           "list-of-lists", "tuple", "pandas"]


def _elements(dtype):
    if np.dtype(dtype).kind == "f":
        return st.floats(-1e3, 1e3, width=np.dtype(dtype).itemsize * 8)
    return None  # hypothesis's full range for the dtype


@st.composite
def numeric_arrays(draw, min_side=1):
    dtype = draw(st.sampled_from(NUMERIC_DTYPES))
    ndim = draw(st.sampled_from([2, 3]))
    shape = draw(hnp.array_shapes(min_dims=ndim, max_dims=ndim, min_side=min_side, max_side=5))
    return draw(hnp.arrays(dtype, shape, elements=_elements(dtype)))


def _layout(X, layout, data):
    """``X`` (2D or 3D) in another container or memory layout with the same values."""
    if layout == "fortran":
        return np.asfortranarray(X)
    if layout == "strided":
        big = np.repeat(X, 2, axis=0)
        return big[::2]
    if layout == "read-only":
        X = X.copy()
        X.flags.writeable = False
        return X
    if layout == "object":
        return X.astype(object)
    if layout == "list-of-arrays":
        return [row.copy() for row in X]
    if layout == "list-of-lists":
        return X.tolist()
    if layout == "tuple":
        return tuple(X)
    if layout == "pandas":
        # Odd row labels: strings, duplicates or a descending range.
        index = data.draw(st.sampled_from(["str", "dup", "desc"]))
        labels = {
            "str": [f"r{i}" for i in range(len(X))],
            "dup": [0] * len(X),
            "desc": list(range(len(X), 0, -1)),
        }[index]
        if X.ndim == 2:
            return pd.DataFrame(X, index=labels, columns=[f"t{i}" for i in range(X.shape[1])])
        return pd.Series(list(X), index=labels, dtype=object)
    return X


def _snapshot(X):
    if isinstance(X, (pd.DataFrame, pd.Series)):
        return X.copy(deep=True)
    if isinstance(X, np.ndarray):
        return X.copy(), X.flags.writeable
    return [np.array(x, copy=True) for x in X]


def _same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype == object:  # NaN is not NaN in an object array: compare as floats
        a, b = a.astype(np.float64), b.astype(np.float64)
    np.testing.assert_array_equal(a, b)


def _assert_unchanged(X, before):
    if isinstance(X, pd.DataFrame):
        pd.testing.assert_frame_equal(X, before)
    elif isinstance(X, pd.Series):
        assert X.index.equals(before.index) and len(X) == len(before)
        for a, b in zip(X, before):
            _same(a, b)
    elif isinstance(X, np.ndarray):
        _same(X, before[0])
        assert X.flags.writeable == before[1]
    else:
        assert len(X) == len(before)
        for a, b in zip(X, before):
            _same(a, b)


def _clean(X):
    """The clean equivalent: C-contiguous float32 (n, T, F)."""
    X = np.asarray(X).astype(np.float32)
    return X[:, :, None] if X.ndim == 2 else X


# -- the validation layer ---------------------------------------------------------------


@SETTINGS
@given(X=numeric_arrays(), layout=st.sampled_from(LAYOUTS), data=st.data())
def test_check_sequences_any_layout_equals_clean(X, layout, data):
    given_X = _layout(X, layout, data)
    before = _snapshot(given_X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        seqs, ndim = check_sequences(given_X)
    _assert_unchanged(given_X, before)
    assert not seqs.is_ragged and ndim == X.ndim
    np.testing.assert_array_equal(seqs.values, _clean(X))
    assert seqs.values.dtype == np.float32 and seqs.values.flags.c_contiguous


@SETTINGS
@given(
    X=numeric_arrays().filter(lambda a: a.dtype.kind == "f"),
    bad=st.sampled_from([np.nan, np.inf, -np.inf]),
    layout=st.sampled_from(LAYOUTS),
    data=st.data(),
)
def test_check_sequences_non_finite_anywhere_is_refused(X, bad, layout, data):
    X = X.copy()
    X[tuple(data.draw(st.integers(0, s - 1)) for s in X.shape)] = bad
    given_X = _layout(X, layout, data)
    before = _snapshot(given_X)
    with pytest.raises(ValueError, match="NaN|infinity"):
        check_sequences(given_X)
    _assert_unchanged(given_X, before)


@SETTINGS
@given(
    lengths=st.lists(st.integers(0, 5), min_size=1, max_size=6),
    features=st.lists(st.sampled_from([None, 1, 2]), min_size=1, max_size=6),
    dtype=st.sampled_from(NUMERIC_DTYPES),
)
def test_check_sequences_ragged_lists(lengths, features, dtype):
    rng = np.random.RandomState(0)
    feats = [features[i % len(features)] for i in range(len(lengths))]
    items = [
        (rng.randn(n) if f is None else rng.randn(n, f)).astype(dtype)
        for n, f in zip(lengths, feats)
    ]
    before = [x.copy() for x in items]
    widths = {1 if f is None else f for f in feats}
    if 0 in lengths:
        with pytest.raises(ValueError, match="length 0|0 time step|0 feature"):
            check_sequences(items)
    elif len(widths) > 1:
        with pytest.raises(ValueError, match="same number of features"):
            check_sequences(items)
    else:
        seqs, _ = check_sequences(items)
        steps = np.concatenate([x.reshape(len(x), -1) for x in items]).astype(np.float32)
        np.testing.assert_array_equal(seqs.step_values(), steps)
        assert [len(s) for s in seqs.to_list()] == lengths
    assert all(np.array_equal(a, b) for a, b in zip(items, before))


# Anything at all: nested lists of mixed scalars, strings, bytes, None, huge ints.
_scalars = (st.none() | st.booleans() | st.integers() | st.integers(2**60, 2**1100)
            | st.floats() | st.text(max_size=3)
            | st.binary(max_size=3) | st.complex_numbers())
_garbage = st.recursive(_scalars, lambda c: st.lists(c, max_size=4) | st.tuples(c, c),
                        max_leaves=12)
_odd_arrays = st.sampled_from([
    np.zeros((0, 3)), np.zeros((3, 0)), np.zeros((2, 0, 1)), np.zeros((2, 3, 0)),
    np.zeros(3), np.zeros((1, 1, 1, 1)), np.array(5.0), np.array([["a", "b"]]),
    np.array([["1.5", "2"]]), np.array([[1 + 2j]]), np.zeros((2, 2), dtype="M8[s]"),
    np.zeros((2, 2), dtype="m8[s]"), np.array([[1e300, 1.0]]), np.array([[None, 1]]),
    pd.DataFrame({"a": pd.to_datetime(["2020", "2021"])}),
    pd.DataFrame({"a": pd.Categorical(["x", "y"])}),
    pd.DataFrame({"a": pd.array([1, None], dtype="Int64")}),
    pd.Series([1.0, 2.0]), pd.Series([], dtype=float), [], (), {}, {1, 2}, None, "text",
    b"bytes", 3.5, [np.zeros(2), 5], [np.zeros((2, 2)), np.zeros((2, 3))],
    [np.zeros((2, 2, 2))], [np.zeros(0)], [[]], [[[]]],
])


@settings(max_examples=150, deadline=None)
@given(X=_garbage | _odd_arrays)
def test_check_sequences_garbage_raises_value_or_type_error(X):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            seqs, _ = check_sequences(X)
        except (ValueError, TypeError) as exc:
            assert str(exc)  # a message, never a bare error
            return
    # Accepted: then it is finite float32 data with at least one step and feature.
    assert seqs.values.dtype == np.float32 and np.isfinite(seqs.values).all()
    assert seqs.n_samples >= 1 and seqs.n_features >= 1 and seqs.values.size >= 1


# -- every estimator ------------------------------------------------------------------------

rng = np.random.RandomState(0)
X_TRAIN = rng.randn(16, 5, 2).astype(np.float32)
Y_CLASS = np.arange(16) % 3
Y_REG = rng.randn(16)
SMALL = dict(hidden_size=4, max_iter=2, random_state=0)

ESTIMATORS = {
    "LSTMClassifier": (lambda: LSTMClassifier(**SMALL), Y_CLASS),
    "GRURegressor": (lambda: GRURegressor(**SMALL), Y_REG),
    "BiRNNTextClassifier": (lambda: BiRNNTextClassifier(**SMALL), Y_CLASS),
    "AttentionForecaster": (lambda: AttentionForecaster(quantiles=(0.1, 0.5, 0.9), **SMALL), Y_REG),
    "SequenceAnomalyDetector": (lambda: SequenceAnomalyDetector(**SMALL), None),
}


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(X, y)


def _predict(est, X):
    method = "decision_function" if hasattr(est, "decision_function") else "predict"
    return getattr(est, method)(X)


@pytest.fixture(scope="module")
def fitted():
    return {name: _fit(make(), X_TRAIN, y) for name, (make, y) in ESTIMATORS.items()}


@pytest.mark.parametrize("name", list(ESTIMATORS))
@FEW
@given(X=numeric_arrays().filter(lambda a: a.ndim == 3), layout=st.sampled_from(LAYOUTS),
       data=st.data())
def test_predict_any_layout_equals_clean(name, fitted, X, layout, data):
    est = fitted[name]
    X = np.resize(X, X.shape[:2] + (2,))  # the fitted width
    given_X = _layout(X, layout, data)
    before = _snapshot(given_X)
    expected = _predict(est, _clean(X))
    np.testing.assert_array_equal(_predict(est, given_X), expected)
    _assert_unchanged(given_X, before)


@pytest.mark.parametrize("name", list(ESTIMATORS))
@FEW
@given(data=st.data())
def test_predict_bad_input_raises_clear_error(name, fitted, data):
    est = fitted[name]
    X = X_TRAIN[:4].copy()
    kind = data.draw(st.sampled_from(["nan", "inf", "width", "empty", "length-0", "strings",
                                      "datetimes", "1d", "4d", "ragged-width"]))
    if kind in ("nan", "inf"):
        X[data.draw(st.integers(0, 3)), data.draw(st.integers(0, 4)), 1] = (
            np.nan if kind == "nan" else np.inf
        )
        error, match = ValueError, "NaN|infinity"
    else:
        X, error, match = {
            "width": (X[:, :, :1], ValueError, "features per step|expecting"),
            "empty": (X[:0], ValueError, "0 sample"),
            "length-0": ([X[0], X[1][:0]], ValueError, "length 0"),
            "strings": (np.full(X.shape, "x"), (ValueError, TypeError), "string"),
            "datetimes": (np.zeros((2, 3), dtype="M8[s]"), (ValueError, TypeError),
                          "datetime|feature"),
            "1d": (X[0, :, 0], ValueError, "1D"),
            "4d": (X[None], ValueError, "dim 4"),
            "ragged-width": ([X[0], X[1][:, :1]], ValueError, "same number of features"),
        }[kind]
    with pytest.raises(error, match=match):
        _predict(est, X)


@pytest.mark.parametrize("name", ["LSTMClassifier", "GRURegressor"])
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layout=st.sampled_from(LAYOUTS), data=st.data())
def test_fit_any_layout_equals_clean(name, fitted, layout, data):
    make, y = ESTIMATORS[name]
    given_X = _layout(X_TRAIN.astype(np.float64), layout, data)
    before = _snapshot(given_X)
    est = _fit(make(), given_X, y)
    _assert_unchanged(given_X, before)
    np.testing.assert_array_equal(_predict(est, X_TRAIN), _predict(fitted[name], X_TRAIN))


# -- order, batch and thread independence -----------------------------------------------------

X_RAGGED = [rng.randn(n, 2).astype(np.float32) for n in rng.randint(1, 9, size=16)]


@pytest.fixture(scope="module")
def ragged_fitted():
    return {
        "LSTMClassifier": _fit(LSTMClassifier(pooling="mean", **SMALL), X_RAGGED, Y_CLASS),
        "AttentionForecaster": _fit(AttentionForecaster(**SMALL), X_RAGGED, Y_REG),
    }


@pytest.mark.parametrize("name", ["LSTMClassifier", "AttentionForecaster"])
@pytest.mark.parametrize("ragged", [False, True], ids=["dense", "ragged"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order=st.permutations(range(16)), cuts=st.sets(st.integers(1, 15), max_size=5))
def test_predictions_independent_of_order_and_batches(name, ragged, fitted, ragged_fitted,
                                                      order, cuts):
    est = (ragged_fitted if ragged else fitted)[name]
    X = X_RAGGED if ragged else list(X_TRAIN)
    method = est.predict_proba if hasattr(est, "predict_proba") else est.predict
    full = method(X if ragged else X_TRAIN)
    shuffled = [X[i] for i in order]
    bounds = [0, *sorted(cuts), 16]
    parts = [method(shuffled[a:b]) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
    np.testing.assert_allclose(np.concatenate(parts), full[list(order)], rtol=1e-5, atol=1e-6)


def test_concurrent_predict_equals_serial(fitted, ragged_fitted):
    jobs = []
    for name, est in [*fitted.items(), *(("r-" + k, v) for k, v in ragged_fitted.items())]:
        X = X_RAGGED if name.startswith("r-") else X_TRAIN
        for start in range(0, 16, 4):
            jobs.append((est, [X[i] for i in range(start, 16)] if name.startswith("r-")
                         else X[start:]))
    serial = [_predict(est, X) for est, X in jobs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(3):
            results = list(pool.map(lambda job: _predict(*job), jobs))
            for got, want in zip(results, serial):
                np.testing.assert_array_equal(got, want)


# -- determinism across processes -------------------------------------------------------------

_FIT_AND_PRINT = """
import hashlib, warnings
import numpy as np
from sklearn_seq import LSTMClassifier
from sklearn_seq.forecasting import AttentionForecaster
warnings.simplefilter("ignore")
rng = np.random.RandomState(0)
X = rng.randn(16, 5, 2).astype(np.float32)
ragged = [rng.randn(n, 2) for n in rng.randint(1, 9, size=16)]
small = dict(hidden_size=4, max_iter=2, random_state=7, dropout=0.1, num_layers=2)
outs = [
    LSTMClassifier(**small).fit(ragged, np.arange(16) % 3).predict_proba(ragged),
    AttentionForecaster(**small).fit(X, rng.randn(16, 2)).predict(X),
]
print(hashlib.sha256(b"".join(o.tobytes() for o in outs)).hexdigest())
"""


@pytest.mark.slow
def test_fits_in_separate_processes_are_bit_identical():
    # This process and a fresh one fit the same models: same bytes out.
    script = textwrap.dedent(_FIT_AND_PRINT)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    here = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(here):
        exec(compile(script, "<fit-and-print>", "exec"), {})
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    assert out.decode().strip() == here.getvalue().strip()
