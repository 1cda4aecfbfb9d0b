"""scikit-learn's estimator checks, carried over to the estimators whose input or
target those checks cannot build.

``parametrize_with_checks`` feeds 2D numeric arrays with one label or value per
row. The taggers and per-step regressors learn a target per time step, the
encoder-decoders an output sequence per sample, the text tagger reads words, and
``EventSequencer`` and ``PanelForecaster`` read long tables (a row per event or per
series and time step). ``tests/test_common.py`` leaves them out of the array checks
(``NOT_ARRAY_ESTIMATORS``). Here each of scikit-learn's generic checks runs on data
that estimator takes, with the same assertion: a "sample" is a sequence, or every
row of one id in a long table.
"""

import pickle
import re
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.utils import get_tags
from sklearn.utils.validation import check_is_fitted

from sklearn_seq import (
    AttentionForecaster,
    BiRNNTextTagger,
    EventSequencer,
    GRUStepRegressor,
    GRUTagger,
    LSTMStepRegressor,
    LSTMTagger,
    PanelForecaster,
    Seq2SeqRegressor,
    SingleQuantileRegressor,
    TextSeq2Seq,
    TransformerStepRegressor,
    TransformerTagger,
)
from sklearn_seq.datasets import make_contract_entities, make_date_normalization
from sklearn_seq.utils.estimator_checks import NOT_ARRAY_ESTIMATORS

METHODS = ("predict", "predict_proba", "decision_function", "score_samples", "transform")


class Case:
    """An estimator, data it takes, and how to cut that data into samples.

    ``take(X, indices)`` returns the samples ``indices`` of ``X`` in that order;
    ``per_sample(output, X)`` returns a method's output on ``X`` as one float
    array per sample of ``X``, in the order of ``X``'s samples.
    """

    def __init__(self, estimator, X, y=None, take=None, per_sample=None, n=None,
                 empty=None, numeric=None, ids=None):
        self.estimator, self.X, self.y = estimator, X, y
        self.take = take or (lambda X, idx: [X[i] for i in idx])
        self.per_sample = per_sample or (lambda out, X: [_floats(o) for o in out])
        self.n = len(X) if n is None else n
        self.empty = empty if empty is not None else self.take(X, [])
        self.numeric = numeric  # how to put a NaN into X, where X is numeric
        self.ids = ids  # a table's ids, in the order of its samples

    def fit(self, estimator=None, X=None, y=None):
        estimator = clone(self.estimator) if estimator is None else estimator
        X = self.X if X is None else X
        y = self.y if y is None else y
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # two epochs: no convergence
            return estimator.fit(X) if y is None else estimator.fit(X, y)

    def outputs(self, estimator, X=None):
        """{method: per-sample arrays} for every method the estimator has."""
        X = self.X if X is None else X
        return {m: self.per_sample(getattr(estimator, m)(X), X)
                for m in METHODS if hasattr(estimator, m)}


def _floats(output):
    """One sample's output as floats; labels and text as their characters' codes."""
    array = np.asarray(output)
    if array.dtype.kind in "biuf":
        return array.astype(np.float64)
    text = "\x00".join(map(str, array.ravel()))
    return np.frombuffer(text.encode(), dtype=np.uint8).astype(np.float64)


def _ragged(n=12, n_features=2, seed=0, low=3, high=9):
    rng = np.random.RandomState(seed)
    return [rng.randn(t, n_features).astype(np.float32) for t in rng.randint(low, high, n)]


def _nan_in_sequences(X):
    X = [x.copy() for x in X]
    X[1][1, 0] = np.nan
    return X


def _sequence_case(estimator, target):
    X = _ragged()
    y = [target(x) for x in X]
    return Case(estimator, X, y, numeric=_nan_in_sequences)


def _tags(x):
    return (x[:, 0] > 0).astype(int) + (x[:, 1] > 1).astype(int)


def _steps(x):
    return np.cumsum(x[:, 0])


def _reversed(x):
    return x[::-1, :1][:3]  # three steps: every sequence has at least three


SMALL = dict(hidden_size=8, max_iter=2, random_state=0)


# -- long tables: a sample is every row of one id ----------------------------------


def _table_take(id_col):
    def take(X, idx):
        ids = list(dict.fromkeys(X[id_col]))
        chosen = [ids[i] for i in idx]
        parts = [X[X[id_col] == key] for key in chosen]
        if not parts:
            return X.iloc[:0]
        return pd.concat(parts).reset_index(drop=True)
    return take


def _panel_per_sample(out, X):
    ids = list(dict.fromkeys(X["unique_id"]))
    values = out.drop(columns=["unique_id", "ds"])
    return [values[out["unique_id"] == key].to_numpy(np.float64) for key in ids]


def _panel_table(n_series=5, n=24, seed=0):
    rng = np.random.RandomState(seed)
    t = np.arange(n)
    return pd.DataFrame({
        "unique_id": np.repeat([f"s{i}" for i in range(n_series)], n),
        "ds": np.tile(pd.date_range("2024-01-01", periods=n, freq="D"), n_series),
        "y": np.concatenate([10 * (i + 1) + np.sin(t / 2) + rng.rand(n)
                             for i in range(n_series)]),
    })


def _panel_nan(X):
    X = X.copy()
    X.loc[3, "y"] = np.nan
    return X


def _events_table(seed=0):
    rng = np.random.RandomState(seed)
    n = 40
    return pd.DataFrame({
        "id": rng.choice([f"c{i}" for i in range(8)], n),
        "time": rng.permutation(n),  # no ties: tied events keep the order of the rows
        "amount": rng.randn(n),
        "kind": rng.choice(["x", "y", "z"], n),
    })


def _events_per_sample(out, X):
    # transform returns one sequence per id, in the order of get_ids_out(X).
    ids = list(dict.fromkeys(X["id"]))
    order = {key: i for i, key in enumerate(sorted(ids))}
    return [np.asarray(out[order[key]], dtype=np.float64) for key in ids]


def _events_nan(X):
    X = X.copy()
    X.loc[2, "amount"] = np.nan
    return X


def _quantile_case():
    rng = np.random.RandomState(0)
    X = rng.randn(30, 5, 2).astype(np.float32)
    y = X[:, :, 0].sum(axis=1) + rng.randn(30)
    fitted = AttentionForecaster(quantiles=(0.1, 0.5, 0.9), **SMALL).fit(X, y)
    return Case(SingleQuantileRegressor(fitted, quantile=0.9), X, y,
                take=lambda X, idx: X[np.asarray(idx, dtype=int)],
                per_sample=lambda out, X: list(np.asarray(out, dtype=np.float64)[:, None]))


def _cases():
    words, tags, _ = make_contract_entities(16, random_state=0)
    sources, targets, _ = make_date_normalization(16, random_state=0)
    events = _events_table()
    panel = _panel_table()
    return {
        "LSTMTagger": _sequence_case(LSTMTagger(**SMALL), _tags),
        "GRUTagger": _sequence_case(GRUTagger(**SMALL), _tags),
        "TransformerTagger": _sequence_case(TransformerTagger(**SMALL), _tags),
        "LSTMStepRegressor": _sequence_case(LSTMStepRegressor(**SMALL), _steps),
        "GRUStepRegressor": _sequence_case(GRUStepRegressor(**SMALL), _steps),
        "TransformerStepRegressor": _sequence_case(TransformerStepRegressor(**SMALL),
                                                   _steps),
        "Seq2SeqRegressor": _sequence_case(Seq2SeqRegressor(**SMALL), _reversed),
        "BiRNNTextTagger": Case(BiRNNTextTagger(**SMALL), list(words), list(tags)),
        "TextSeq2Seq": Case(TextSeq2Seq(**SMALL), list(sources), list(targets),
),
        "EventSequencer": Case(EventSequencer("id", "time"), events,
                               take=_table_take("id"), per_sample=_events_per_sample,
                               n=events["id"].nunique(), numeric=_events_nan,
                               ids=lambda X: list(dict.fromkeys(X["id"]))),
        "PanelForecaster": Case(
            PanelForecaster(AttentionForecaster(hidden_size=4, max_iter=2), horizon=2,
                            window=4, season_length=7, random_state=0),
            panel, take=_table_take("unique_id"), per_sample=_panel_per_sample,
            n=panel["unique_id"].nunique(), numeric=_panel_nan,
            ids=lambda X: list(dict.fromkeys(X["unique_id"]))),
        "SingleQuantileRegressor": _quantile_case(),
    }


CASES = _cases()
NAMES = sorted(CASES)


def test_every_estimator_the_array_checks_leave_out_is_here():
    assert set(CASES) == NOT_ARRAY_ESTIMATORS


@pytest.mark.parametrize("name", NAMES)
def test_the_input_tags_say_what_the_estimator_reads(name):
    # Tables and text are not 2D arrays: scikit-learn's checks (and a user's
    # parametrize_with_checks) see that from the tags rather than fail on them.
    tags = get_tags(CASES[name].estimator).input_tags
    reads_arrays = isinstance(CASES[name].X, np.ndarray) or (
        isinstance(CASES[name].X, list) and isinstance(CASES[name].X[0], np.ndarray))
    assert tags.two_d_array == reads_arrays
    assert tags.string == (not reads_arrays)


def _assert_same(a, b, name, what, rtol=1e-5, atol=1e-6):
    assert a.keys() == b.keys(), (name, what)
    for method in a:
        assert len(a[method]) == len(b[method]), (name, what, method)
        for u, v in zip(a[method], b[method]):
            np.testing.assert_allclose(u, v, rtol=rtol, atol=atol,
                                       err_msg=f"{name}: {what} ({method})")


# check_estimators_fit_returns_self, check_fit_check_is_fitted
@pytest.mark.parametrize("name", NAMES)
def test_fit_returns_self_and_unfitted_methods_raise(name):
    case = CASES[name]
    estimator = clone(case.estimator)
    if name != "SingleQuantileRegressor":  # wraps a fitted model: fitted from the start
        with pytest.raises(NotFittedError):
            check_is_fitted(estimator)
        for method in METHODS:
            if hasattr(estimator, method):
                with pytest.raises(NotFittedError):
                    getattr(estimator, method)(case.X)
    assert case.fit(estimator) is estimator
    check_is_fitted(estimator)


# check_dont_overwrite_parameters, check_estimators_overwrite_params
@pytest.mark.parametrize("name", NAMES)
def test_fit_changes_no_parameter_and_adds_no_public_attribute(name):
    case = CASES[name]
    estimator = clone(case.estimator)
    params = {k: joblib.hash(v) for k, v in estimator.get_params(deep=False).items()}
    before = set(vars(estimator))
    case.fit(estimator)
    after = {k: joblib.hash(v) for k, v in estimator.get_params(deep=False).items()}
    assert after == params, f"{name}: fit changed a parameter"
    added = [a for a in set(vars(estimator)) - before
             if not a.endswith("_") and not a.startswith("_")]
    assert not added, f"{name}: fit added public attributes {added}"


def _data_hashes(estimator):
    """The hash of every fitted attribute that is data (arrays, tables, containers):
    scikit-learn compares ``__dict__`` by equality, which a change inside an array
    (or a list of them) would pass."""
    kinds = (np.ndarray, pd.DataFrame, pd.Series, list, tuple, dict, str, int, float)
    return {k: joblib.hash(v) for k, v in vars(estimator).items() if isinstance(v, kinds)}


# check_dict_unchanged
@pytest.mark.parametrize("name", NAMES)
def test_methods_leave_the_fitted_estimator_unchanged(name):
    case = CASES[name]
    estimator = case.fit()
    before, hashes = vars(estimator).copy(), _data_hashes(estimator)
    case.outputs(estimator)
    assert vars(estimator) == before, f"{name}: a method changed the fitted estimator"
    assert _data_hashes(estimator) == hashes, f"{name}: a method changed fitted data"


# check_fit_idempotent
@pytest.mark.parametrize("name", NAMES)
def test_refitting_gives_the_same_outputs(name):
    case = CASES[name]
    estimator = case.fit()
    first = case.outputs(estimator)
    case.fit(estimator)
    _assert_same(first, case.outputs(estimator), name, "fit twice")


# check_estimators_pickle
@pytest.mark.parametrize("name", NAMES)
def test_pickle_round_trip_gives_the_same_outputs(name):
    case = CASES[name]
    estimator = case.fit()
    loaded = pickle.loads(pickle.dumps(estimator))
    _assert_same(case.outputs(estimator), case.outputs(loaded), name, "pickle")


# check_methods_subset_invariance
@pytest.mark.parametrize("name", NAMES)
def test_outputs_on_a_subset_are_those_of_the_whole(name):
    case = CASES[name]
    estimator = case.fit()
    whole = case.outputs(estimator)
    idx = [case.n - 1, 0, 2]
    part = case.outputs(estimator, case.take(case.X, idx))
    _assert_same({m: [v[i] for i in idx] for m, v in whole.items()}, part, name,
                 "subset vs whole")


# check_methods_sample_order_invariance (and for the tables, the order of the rows)
@pytest.mark.parametrize("name", NAMES)
def test_outputs_follow_the_order_of_the_samples(name):
    case = CASES[name]
    estimator = case.fit()
    whole = case.outputs(estimator)
    perm = np.random.RandomState(1).permutation(case.n)
    shuffled = case.take(case.X, perm)
    _assert_same({m: [v[i] for i in perm] for m, v in whole.items()},
                 case.outputs(estimator, shuffled), name, "permuted samples")
    if case.ids is not None:  # a long table: its rows in any order, the same outputs
        rows = case.X.sample(frac=1.0, random_state=2).reset_index(drop=True)
        position = {key: i for i, key in enumerate(case.ids(rows))}
        order = [position[key] for key in case.ids(case.X)]
        _assert_same(whole, {m: [v[i] for i in order] for m, v in case.outputs(
            estimator, rows).items()}, name, "shuffled rows")


# check_estimators_empty_data_messages
@pytest.mark.parametrize("name", [n for n in NAMES if n != "SingleQuantileRegressor"])
def test_an_empty_fit_is_refused_with_a_message(name):
    case = CASES[name]
    y = None if case.y is None else case.take(case.y, [])
    message = r"(?i)empty|no (document|sequence|row)|0 (sample|document)"
    with pytest.raises(ValueError, match=message):
        case.fit(X=case.empty, y=y)


# check_estimators_nan_inf; with the allow_nan tag, the missing value is kept
@pytest.mark.parametrize("name", [n for n in NAMES if CASES[n].numeric is not None])
def test_a_missing_value_is_refused_at_fit_or_kept_where_allowed(name):
    case = CASES[name]
    X = case.numeric(case.X)
    if get_tags(case.estimator).input_tags.allow_nan:
        outputs = case.outputs(case.fit(X=X), X)
        assert sum(np.isnan(v).sum() for v in outputs["transform"]) == 1
        return
    with pytest.raises(ValueError, match=r"(?i)nan|missing|infinit"):
        case.fit(X=X)


SUPERVISED = [n for n in NAMES if CASES[n].y is not None and n != "SingleQuantileRegressor"]
NUMERIC_SEQUENCES = [n for n in NAMES if isinstance(CASES[n].X, list)
                     and CASES[n].numeric is not None]


# check_requires_y_none
@pytest.mark.parametrize("name", SUPERVISED)
def test_a_supervised_fit_without_y_says_y_is_needed(name):
    case = CASES[name]
    with pytest.raises(ValueError, match=r"requires y|y is None|needs y|y must be given"):
        clone(case.estimator).fit(case.X, None)


# check_supervised_y_no_nan
@pytest.mark.parametrize("name", [n for n in NUMERIC_SEQUENCES if n in SUPERVISED])
def test_a_missing_target_value_is_refused(name):
    case = CASES[name]
    y = [np.array(v, dtype=np.float64) for v in case.y]
    y[2][0] = np.nan
    with pytest.raises(ValueError, match=r"(?i)nan|missing|infinit"):
        case.fit(y=y)


# check_n_features_in_after_fitting, check_n_features_in: for sequences the number
# of features is per time step (n_features_per_step_, as the array estimators keep it)
@pytest.mark.parametrize("name", NUMERIC_SEQUENCES)
def test_the_number_of_features_is_kept_and_checked(name):
    case = CASES[name]
    estimator = case.fit()
    assert estimator.n_features_per_step_ == case.X[0].shape[1]
    wider = [np.hstack([x, x[:, :1]]) for x in case.X]
    for method in METHODS:
        if hasattr(estimator, method):
            with pytest.raises(ValueError, match="features"):
                getattr(estimator, method)(wider)


# check_estimators_dtypes, check_readonly_memmap_input, check_f_contiguous_array_estimator
@pytest.mark.parametrize("name", NUMERIC_SEQUENCES)
def test_float64_integer_read_only_and_fortran_sequences_give_the_same_outputs(name):
    case = CASES[name]
    estimator = case.fit()
    reference = case.outputs(estimator)

    def read_only(x):
        x = np.asfortranarray(x, dtype=np.float64)
        x.setflags(write=False)
        return x

    _assert_same(reference, case.outputs(estimator, [read_only(x) for x in case.X]),
                 name, "float64, read-only, Fortran order")
    integers = [np.round(3 * x).astype(np.int64) for x in case.X]
    fitted = case.fit(X=integers)
    assert all(np.isfinite(v).all() for v in case.outputs(fitted, integers)["predict"])


# check_complex_data
@pytest.mark.parametrize("name", NUMERIC_SEQUENCES)
def test_complex_sequences_are_refused(name):
    case = CASES[name]
    with pytest.raises(ValueError, match="(?i)complex"):
        case.fit(X=[x + 1j for x in case.X])


# check_fit2d_1sample
@pytest.mark.parametrize("name", [n for n in NAMES if n != "SingleQuantileRegressor"])
def test_one_sample_is_fitted_or_refused_with_a_message(name):
    case = CASES[name]
    X = case.take(case.X, [0])
    y = None if case.y is None else case.take(case.y, [0])
    try:
        estimator = case.fit(X=X, y=y)
    except ValueError as exc:
        assert re.search(r"(?i)at least|too few|1 sample|one sample|too short", str(exc)), exc
    else:
        for outputs in case.outputs(estimator, X).values():
            assert len(outputs) == 1


# check_pipeline_consistency
@pytest.mark.parametrize("name", NAMES)
def test_a_pipeline_of_the_estimator_alone_gives_its_outputs(name):
    case = CASES[name]
    alone = case.outputs(case.fit())
    pipe = case.fit(make_pipeline(clone(case.estimator)))
    _assert_same(alone, case.outputs(pipe), name, "in a Pipeline")


# check_non_transformer_estimators_n_iter
@pytest.mark.parametrize(
    "name", [n for n in NAMES if "max_iter" in CASES[n].estimator.get_params()])
def test_n_iter_counts_the_epochs_run(name):
    case = CASES[name]
    estimator = case.fit()
    assert 1 <= estimator.n_iter_ <= estimator.max_iter
