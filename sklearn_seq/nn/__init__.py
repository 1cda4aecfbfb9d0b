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
from ._seq2seq import BOS_ID, EOS_ID, PAD_ID, Seq2SeqNetwork
from ._tagging import IGNORE_INDEX, StepLoss, TaggingNetwork
from ._text import TextNetwork
from ._transformer import TransformerEncoder, TransformerNetwork

__all__ = [
    "BOS_ID",
    "EOS_ID",
    "IGNORE_INDEX",
    "PAD_ID",
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
    "Seq2SeqNetwork",
    "SequencePooling",
    "StepLoss",
    "TaggingNetwork",
    "TextNetwork",
    "TransformerEncoder",
    "TransformerNetwork",
    "length_mask",
    "reverse_padded",
]
