"""What every display uses: the axes to draw on, and a Pipeline's final step."""

from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted


def _axes(ax, caller):
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            f"{caller} needs matplotlib: pip install matplotlib "
            '(or pip install "sklearn-seq[plot]").'
        ) from exc
    if ax is None:
        _, ax = plt.subplots()
    return ax


def _final_estimator(estimator, X=None):
    """The estimator that computes, and ``X`` as it reaches it.

    For a Pipeline (nested ones too), its last step and ``X`` transformed by the
    steps before it; otherwise ``estimator`` and ``X`` unchanged.
    """
    check_is_fitted(estimator)
    while isinstance(estimator, Pipeline):
        if X is not None and len(estimator.steps) > 1:
            X = estimator[:-1].transform(X)
        estimator = estimator[-1]
    return estimator, X
