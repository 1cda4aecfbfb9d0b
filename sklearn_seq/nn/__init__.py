"""PyTorch modules used by the estimators. Nothing here imports scikit-learn."""

from ._recurrent import (
    RecurrentEncoder,
    SequenceNetwork,
    SequencePooling,
    length_mask,
    reverse_padded,
)

__all__ = [
    "RecurrentEncoder",
    "SequenceNetwork",
    "SequencePooling",
    "length_mask",
    "reverse_padded",
]
