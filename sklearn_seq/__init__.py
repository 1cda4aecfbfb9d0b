"""Recurrent neural networks as scikit-learn estimators, trained with skorch."""

import importlib as _importlib

from .recurrent import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
)

from ._engine.callbacks import NonFiniteLossError
from ._onnx import to_onnx
from ._persistence import InconsistentVersionWarning, ModelFileError, load, save
from .anomaly import SequenceAnomalyDetector
from .forecasting import (
    AttentionForecaster,
    PanelForecaster,
    RollingOriginSplit,
    SingleQuantileRegressor,
    backtest,
)
from .plotting import (
    AlignmentDisplay,
    AttentionDisplay,
    AttributionDisplay,
    ForecastDisplay,
    TrainingCurveDisplay,
)
from .preprocessing import (
    ChannelsLast,
    EventSequencer,
    SequenceScaler,
    SequenceWindower,
    events_to_sequences,
    group_events,
    make_windows,
)
from .tagging import (
    BiRNNTextTagger,
    GRUStepRegressor,
    GRUTagger,
    LSTMStepRegressor,
    LSTMTagger,
    TransformerStepRegressor,
    TransformerTagger,
)
from .seq2seq import Seq2SeqRegressor, TextSeq2Seq
from .text import BiRNNTextClassifier
from .transformer import TransformerClassifier, TransformerRegressor
from .utils import SequenceLayoutWarning, show_versions

from ._version import __version__

# The modules users import from; each is loaded on first attribute access, as in
# scikit-learn (``sklearn_seq.datasets.make_demand(...)`` after ``import sklearn_seq``).
_submodules = [
    "anomaly",
    "base",
    "datasets",
    "forecasting",
    "inspection",
    "metrics",
    "nn",
    "plotting",
    "preprocessing",
    "recurrent",
    "seq2seq",
    "tagging",
    "transformer",
    "text",
    "utils",
]

__all__ = [
    "InconsistentVersionWarning",
    "ModelFileError",
    "NonFiniteLossError",
    "load",
    "save",
    "to_onnx",
    "SequenceAnomalyDetector",
    "AttentionForecaster",
    "TransformerClassifier",
    "TransformerRegressor",
    "PanelForecaster",
    "RollingOriginSplit",
    "SingleQuantileRegressor",
    "backtest",
    "BiRNNTextTagger",
    "GRUStepRegressor",
    "GRUTagger",
    "LSTMStepRegressor",
    "LSTMTagger",
    "Seq2SeqRegressor",
    "TextSeq2Seq",
    "TransformerStepRegressor",
    "TransformerTagger",
    "ChannelsLast",
    "SequenceLayoutWarning",
    "SequenceScaler",
    "SequenceWindower",
    "make_windows",
    "EventSequencer",
    "events_to_sequences",
    "group_events",
    "AlignmentDisplay",
    "AttentionDisplay",
    "AttributionDisplay",
    "ForecastDisplay",
    "TrainingCurveDisplay",
    "BiRNNTextClassifier",
    "GRUClassifier",
    "GRURegressor",
    "LSTMClassifier",
    "LSTMRegressor",
    "RNNClassifier",
    "RNNRegressor",
    "show_versions",
    "__version__",
]


def __getattr__(name):
    if name in _submodules:
        return _importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    # The public names only: not the private modules that importing binds here.
    dunders = [name for name in globals() if name.startswith("__") and name.endswith("__")]
    return sorted({*dunders, *__all__, *_submodules})
