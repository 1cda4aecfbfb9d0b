"""Find the public estimators of the package (used by the common tests)."""

import inspect

from sklearn.base import BaseEstimator


def all_estimators():
    """Public estimator classes exported by :mod:`sklearn_seq`.

    Returns
    -------
    estimators : list of (name, class)
        Sorted by name.

    Examples
    --------
    >>> from sklearn_seq.utils.discovery import all_estimators
    >>> "LSTMClassifier" in dict(all_estimators())
    True
    """
    import sklearn_seq

    found = []
    for name in sklearn_seq.__all__:
        obj = getattr(sklearn_seq, name)
        if (
            inspect.isclass(obj)
            and issubclass(obj, BaseEstimator)
            and not inspect.isabstract(obj)
        ):
            found.append((name, obj))
    return sorted(found)
