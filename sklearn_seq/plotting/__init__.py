"""Displays in scikit-learn's style: training curves, attention, attributions,
forecasts.

Each display stores the data it shows; ``plot(ax=None)`` draws it (matplotlib is
imported only then) and stores ``ax_`` and ``figure_``. ``from_estimator`` computes
the data from a fitted estimator, or from the final step of a fitted Pipeline on
``X`` transformed by the steps before it, and draws it (on a new figure when
``ax`` is None), as scikit-learn's Displays do; so does ``from_predictions``.

One module per display (``_training_curve``, ``_attention``, ``_alignment``,
``_attributions``,
``_forecast``), with
``_base`` (the axes, a Pipeline's final step) and ``_forecast_inputs`` (a panel
forecast's series, the x values of a history) beside them.
"""

from ._alignment import AlignmentDisplay
from ._attention import AttentionDisplay
from ._attributions import AttributionDisplay
from ._forecast import ForecastDisplay
from ._training_curve import TrainingCurveDisplay

__all__ = [
    "AlignmentDisplay",
    "AttentionDisplay",
    "AttributionDisplay",
    "ForecastDisplay",
    "TrainingCurveDisplay",
]
