"""Checks of the sequence contract, for every estimator of the package, and the
registry of the estimators the test suite runs them (and scikit-learn's checks) on.

scikit-learn's checks see 2D numeric tables; these see what only a sequence
estimator has: ragged batches, the 2D and 3D layouts of the same sequences, the
safe file format, warm starts and ``partial_fit``. :func:`parametrize_with_sequence_checks`
runs them under pytest, as scikit-learn's ``parametrize_with_checks`` does its own.
"""

import functools
import os
import tempfile
import warnings

import numpy as np
from sklearn.base import clone, is_classifier, is_outlier_detector, is_regressor

__all__ = [
    "check_layouts_agree",
    "check_partial_fit_continues",
    "check_ragged_batch_equals_one_by_one",
    "check_safe_format_round_trip",
    "check_warm_start_refuses_a_new_network",
    "parametrize_with_sequence_checks",
]


# -- the estimators under test -----------------------------------------------------

# scikit-learn's checks that compare two computations at rtol 1e-7 (batch vs row by
# row, weights vs repeated rows, sample order): float32 rounding (~1e-7) alone exceeds
# that, so these run in float64, as scikit-learn runs such checks on MLP with a solver
# that suits them. They also train for fewer epochs: two float64 fits that differ only
# in summation order drift apart once training runs long on the check's 15 samples
# (measured: 1e-5 relative after 200 epochs of a GRU at hidden_size 32, equal at 100;
# with mean pooling an RNN drifted 2.4e-7 after 100 epochs, so they run 50), and
# without dropout (its masks follow the rows drawn: repeated rows and weights differ).
FLOAT64_CHECKS = {
    "check_methods_subset_invariance",
    "check_methods_sample_order_invariance",
    "check_sample_weight_equivalence_on_dense_data",
}

# The checks an estimator fails by its definition, with the reason. SequenceWindower
# turns row t of a table of time steps into the window of rows t - window + 1 .. t,
# so its output for a row depends on the rows before it, which these two forbid.
EXPECTED_FAILED_CHECKS = {
    "SequenceWindower": {
        "check_methods_sample_order_invariance": "a window depends on the preceding rows",
        "check_methods_subset_invariance": "a window depends on the preceding rows",
    }
}

# The estimators below take what scikit-learn's checks cannot build: a long table
# (EventSequencer: a row per event; PanelForecaster: a row per series and time step,
# horizon rows per series out), a target per time step (the taggers and per-step
# regressors), an output sequence per sample (the encoder-decoders), words
# (BiRNNTextTagger, TextSeq2Seq), or a model fitted beforehand (SingleQuantileRegressor,
# as scikit-learn's FrozenEstimator, which its own checks skip). tests/test_common.py
# leaves them out of the array checks; tests/test_contract_own_data.py runs each of
# scikit-learn's generic checks on data they take (a sample: a sequence, or the rows of
# one id), and their own test modules test the rest of their contract.
NOT_ARRAY_ESTIMATORS = {
    "BiRNNTextTagger", "EventSequencer", "GRUStepRegressor", "GRUTagger",
    "LSTMStepRegressor", "LSTMTagger", "PanelForecaster", "Seq2SeqRegressor",
    "SingleQuantileRegressor", "TextSeq2Seq", "TransformerStepRegressor",
    "TransformerTagger",
}


def _small(estimator):
    """Smaller and shorter than the defaults, nothing else; the architecture stays
    the default's. Regressors keep more capacity: check_regressors_train asks for
    R^2 > 0.5 on noisy data."""
    if "hidden_size" not in estimator.get_params():
        return estimator
    if is_regressor(estimator):
        return estimator.set_params(hidden_size=32, max_iter=200)
    return estimator.set_params(hidden_size=16, max_iter=50)


def _tested_estimators():
    """Every public estimator with its test-time settings, and the other
    configurations the suite checks (the forecaster's other cell, attention and
    scaling; the windower's zero padding)."""
    # Through the package's top level, at call time, as utils.discovery does: the
    # estimators sit above utils, and nothing in the package imports this module.
    import sklearn_seq

    from .discovery import all_estimators

    for name, cls in all_estimators():
        if name not in NOT_ARRAY_ESTIMATORS:
            yield _small(cls())
    forecaster = sklearn_seq.AttentionForecaster
    yield forecaster(hidden_size=32, cell="gru", attention="additive")
    yield forecaster(hidden_size=16, scaling="window")
    yield forecaster(hidden_size=16, scaling="window", attention=None)
    yield sklearn_seq.SequenceWindower(window=3, padding="zero")


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


def _set_check_params(estimator, check_name):
    """The estimator a scikit-learn check runs on (see FLOAT64_CHECKS)."""
    if check_name in FLOAT64_CHECKS and "dtype" in estimator.get_params():
        # A clone: parametrize_with_checks hands the same instance to every check.
        estimator = clone(estimator).set_params(dtype="float64", max_iter=50)
        if estimator.get_params().get("dropout"):
            estimator.set_params(dropout=0.0)
    return estimator


# -- sequence checks ----------------------------------------------------------------


def _data(estimator, n=24, length=9, n_features=1, ragged=False, seed=0):
    """Sequences and a target ``estimator`` can learn from (None for a detector)."""
    rng = np.random.RandomState(seed)
    lengths = rng.randint(length // 2, length + 1, size=n) if ragged else [length] * n
    X = [rng.randn(t, n_features).astype(np.float32) for t in lengths]
    if not ragged:
        X = np.stack(X)
    if is_outlier_detector(estimator):
        return X, None
    means = np.array([x[:, 0].mean() for x in X])
    y = (means > np.median(means)).astype(int) if is_classifier(estimator) else means
    return X, y


def _fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small test budgets stop at max_iter
        return estimator.fit(X) if y is None else estimator.fit(X, y)


def _outputs(estimator, X):
    """What the estimator computes per sequence, as one float array."""
    if is_outlier_detector(estimator):
        return estimator.score_samples(X)
    if is_classifier(estimator):
        return estimator.predict_proba(X)
    return np.asarray(estimator.predict(X), dtype=np.float64)


def check_ragged_batch_equals_one_by_one(name, estimator):
    """A ragged batch gives, per sequence, what that sequence gives alone: padding
    changes nothing."""
    X, y = _data(estimator, ragged=True)
    est = _fit(clone(estimator), X, y)
    batch = _outputs(est, X)
    alone = np.concatenate([_outputs(est, [x]) for x in X])
    np.testing.assert_allclose(batch, alone, rtol=1e-4, atol=1e-5,
                               err_msg=f"{name}: ragged batch vs one by one")


def check_layouts_agree(name, estimator):
    """One feature per step as a 2D table ``(n, T)`` and as 3D ``(n, T, 1)``: the
    same fit and the same outputs."""
    X, y = _data(estimator)
    estimator = clone(estimator).set_params(random_state=0)  # two fits to compare
    a = _outputs(_fit(clone(estimator), X, y), X)
    b = _outputs(_fit(clone(estimator), X[:, :, 0], y), X[:, :, 0])
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7,
                               err_msg=f"{name}: 2D and 3D layouts differ")


def check_safe_format_round_trip(name, estimator):
    """``save`` then ``load`` gives a model with the same parameters and outputs."""
    import sklearn_seq  # the public loader, through the package (see _tested_estimators)

    X, y = _data(estimator)
    est = _fit(clone(estimator), X, y)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.skseq")
        est.save(path)
        loaded = sklearn_seq.load(path)
    assert type(loaded) is type(est)
    assert repr(loaded.get_params()) == repr(est.get_params()), name
    np.testing.assert_array_equal(_outputs(loaded, X), _outputs(est, X),
                                  err_msg=f"{name}: loaded model differs")


def check_warm_start_refuses_a_new_network(name, estimator):
    """A warm-started fit trains the first fit's network: a changed size is refused
    with a message that says what to do."""
    X, y = _data(estimator)
    est = _fit(clone(estimator).set_params(warm_start=True), X, y)
    est.set_params(hidden_size=est.hidden_size + 1)
    try:
        _fit(est, X, y)
    except ValueError as exc:
        message = str(exc)
        assert "hidden_size cannot change" in message and "warm_start=False" in message, (
            f"{name}: unhelpful message {message!r}"
        )
    else:
        raise AssertionError(f"{name}: a warm start with a new hidden_size was accepted")


def check_partial_fit_continues(name, estimator):
    """``partial_fit`` after ``fit`` trains one more epoch of the same network."""
    X, y = _data(estimator)
    est = _fit(clone(estimator), X, y)
    before = list(est.loss_curve_)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.partial_fit(X) if y is None else est.partial_fit(X, y)
    assert est.n_iter_ == len(before) + 1, name
    assert est.loss_curve_[: len(before)] == before, name


def _yield_sequence_checks(estimator):
    yield check_ragged_batch_equals_one_by_one
    yield check_layouts_agree
    yield check_safe_format_round_trip
    yield check_warm_start_refuses_a_new_network
    if hasattr(estimator, "partial_fit"):
        yield check_partial_fit_continues


def parametrize_with_sequence_checks(estimators):
    """A pytest ``parametrize`` over every (estimator, sequence check) pair, as
    scikit-learn's ``parametrize_with_checks``: the test receives the estimator and
    a check to call with it."""
    import pytest

    pairs, ids = [], []
    for estimator in estimators:
        name = type(estimator).__name__
        for check in _yield_sequence_checks(estimator):
            pairs.append((estimator, functools.partial(check, name)))
            ids.append(f"{estimator!r}-{check.__name__}")
    return pytest.mark.parametrize("estimator, check", pairs, ids=ids)
