"""scikit-learn's estimator checks over every public estimator, none skipped."""

from sklearn.base import clone, is_regressor
from sklearn.utils.estimator_checks import parametrize_with_checks

import sklearn_seq
from sklearn_seq.utils.discovery import all_estimators

# Checks that compare two computations at rtol 1e-7 (batch vs row by row, weights vs
# repeated rows, sample order): float32 rounding (~1e-7) alone exceeds that, so these
# run in float64, as scikit-learn runs such checks on MLP with a solver that suits them.
# They also train for fewer epochs: two float64 fits that differ only in summation
# order drift apart once training runs long on the check's 15 samples (measured:
# 1e-5 relative after 200 epochs of a GRU at hidden_size 32, equal at 100; with mean
# pooling an RNN drifted 2.4e-7 after 100 epochs, so they run 50).
FLOAT64_CHECKS = {
    "check_methods_subset_invariance",
    "check_methods_sample_order_invariance",
    "check_sample_weight_equivalence_on_dense_data",
}


def _small(estimator):
    # Smaller and shorter than the defaults, nothing else. Regressors keep more
    # capacity: check_regressors_train asks for R^2 > 0.5 on noisy data.
    params = estimator.get_params()
    if "hidden_size" not in params:
        return estimator
    # The architecture stays the default's (conv_channels="auto", pooling="auto").
    if is_regressor(estimator):
        # max_iter 200 where the default is "auto" (up to 200 epochs on tiny data).
        return estimator.set_params(hidden_size=32, max_iter=200)
    return estimator.set_params(hidden_size=16, max_iter=50)


# EventSequencer reads a long table of events (one row per event, an id and a time
# column) and returns one sequence per id: a DataFrame-only input that the checks'
# numeric arrays cannot express. Its own contract is tested in tests/test_events.py.
NOT_ARRAY_ESTIMATORS = {"EventSequencer"}

ESTIMATORS = [_small(cls()) for name, cls in all_estimators() if name not in NOT_ARRAY_ESTIMATORS]

# The one exception, by the definition of the transformer: SequenceWindower turns row
# t of a table of time steps into the window of rows t - window + 1 .. t, so its
# output for a row depends on the rows before it, which these two checks forbid.
EXPECTED_FAILED = {
    "SequenceWindower": {
        "check_methods_sample_order_invariance": "a window depends on the preceding rows",
        "check_methods_subset_invariance": "a window depends on the preceding rows",
    }
}


def _expected_failed(estimator):
    return EXPECTED_FAILED.get(type(estimator).__name__, {})


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed)
def test_sklearn_compatible_estimator(estimator, check):
    name = getattr(check, "func", check).__name__
    if name in FLOAT64_CHECKS and "dtype" in estimator.get_params():
        # A clone: parametrize_with_checks hands the same instance to every check.
        estimator = clone(estimator).set_params(dtype="float64", max_iter=50)
        if estimator.get_params().get("dropout"):
            # Dropout masks follow the rows drawn: repeated rows and weights differ.
            estimator.set_params(dropout=0.0)
    check(estimator)


def test_every_public_estimator_is_checked():
    names = {type(e).__name__ for e in ESTIMATORS}
    exported = {
        n
        for n in sklearn_seq.__all__
        if isinstance(getattr(sklearn_seq, n), type)
        and hasattr(getattr(sklearn_seq, n), "fit")
    }
    assert exported == names | NOT_ARRAY_ESTIMATORS
