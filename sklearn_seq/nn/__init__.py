"""PyTorch modules used by the estimators. Nothing here imports scikit-learn."""

from ._anomaly import NextStepNetwork, OutputLoss
from ._forecasting import (
    AdditiveAttention,
    DotProductAttention,
    ForecastNetwork,
    QuantileLoss,
    WindowForecast,
    WindowScaledLoss,
    masked_softmax,
)
from ._recurrent import (
    RecurrentEncoder,
    SequenceNetwork,
    SequencePooling,
    length_mask,
    reverse_padded,
)
from ._tagging import IGNORE_INDEX, StepLoss, TaggingNetwork
from ._text import TextNetwork
from ._transformer import TransformerEncoder, TransformerNetwork

__all__ = [
    "IGNORE_INDEX",
    "AdditiveAttention",
    "DotProductAttention",
    "ForecastNetwork",
    "QuantileLoss",
    "WindowForecast",
    "WindowScaledLoss",
    "masked_softmax",
    "NextStepNetwork",
    "OutputLoss",
    "RecurrentEncoder",
    "SequenceNetwork",
    "SequencePooling",
    "StepLoss",
    "TaggingNetwork",
    "TextNetwork",
    "TransformerEncoder",
    "TransformerNetwork",
    "length_mask",
    "reverse_padded",
]
