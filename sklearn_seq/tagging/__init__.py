"""Sequence taggers: a label or a value at every time step (many-to-many)."""

from ._numeric import (
    GRUStepRegressor,
    GRUTagger,
    LSTMStepRegressor,
    LSTMTagger,
    TransformerStepRegressor,
    TransformerTagger,
)
from ._text import BiRNNTextTagger

__all__ = [
    "BiRNNTextTagger",
    "GRUStepRegressor",
    "GRUTagger",
    "LSTMStepRegressor",
    "LSTMTagger",
    "TransformerStepRegressor",
    "TransformerTagger",
]
