"""scikit-learn's estimator checks and the package's sequence checks, over every
public estimator and the other configurations of the registry in
``sklearn_seq.utils.estimator_checks``; none skipped."""

from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

import sklearn_seq
from sklearn_seq.utils.estimator_checks import (
    NOT_ARRAY_ESTIMATORS,
    _expected_failed_checks,
    _set_check_params,
    _tested_estimators,
    parametrize_with_sequence_checks,
)

ESTIMATORS = list(_tested_estimators())


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(_set_check_params(estimator, getattr(check, "func", check).__name__))


# The sequence checks need no learning: a few epochs.
@parametrize_with_sequence_checks(
    [clone(e).set_params(max_iter=3) for e in ESTIMATORS if hasattr(e, "hidden_size")]
)
def test_sequence_contract(estimator, check):
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
