"""Recurrent neural networks as scikit-learn estimators, trained with skorch."""

from importlib.metadata import PackageNotFoundError, version

from .recurrent import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
)

from ._callbacks import NonFiniteLossError
from ._persistence import InconsistentVersionWarning, ModelFileError, load, save
from .anomaly import SequenceAnomalyDetector
from .forecasting import AttentionForecaster
from .plotting import AttentionDisplay, ForecastDisplay, TrainingCurveDisplay
from .preprocessing import (
    EventSequencer,
    SequenceScaler,
    SequenceWindower,
    events_to_sequences,
    make_windows,
)
from .text import BiRNNTextClassifier

try:
    __version__ = version("sklearn-seq")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "InconsistentVersionWarning",
    "ModelFileError",
    "NonFiniteLossError",
    "load",
    "save",
    "SequenceAnomalyDetector",
    "AttentionForecaster",
    "SequenceScaler",
    "SequenceWindower",
    "make_windows",
    "EventSequencer",
    "events_to_sequences",
    "AttentionDisplay",
    "ForecastDisplay",
    "TrainingCurveDisplay",
    "BiRNNTextClassifier",
    "GRUClassifier",
    "GRURegressor",
    "LSTMClassifier",
    "LSTMRegressor",
    "RNNClassifier",
    "RNNRegressor",
    "__version__",
]
