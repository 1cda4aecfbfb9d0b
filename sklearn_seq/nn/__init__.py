"""PyTorch modules used by the estimators. Nothing here imports scikit-learn."""

from ._recurrent import (
    RecurrentEncoder,
    SequenceNetwork,
    SequencePooling,
    length_mask,
    reverse_padded,
)
from ._text import TextNetwork

__all__ = [
    "RecurrentEncoder",
    "SequenceNetwork",
    "SequencePooling",
    "TextNetwork",
    "length_mask",
    "reverse_padded",
]
