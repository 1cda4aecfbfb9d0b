"""Datasets shipped with the package and generators of sequence tasks."""

from ._forecasting import load_airline, make_demand
from ._sequences import make_long_range_classification, make_sequence_classification
from ._text import make_negation_sentiment, make_support_tickets

__all__ = [
    "load_airline",
    "make_demand",
    "make_long_range_classification",
    "make_negation_sentiment",
    "make_sequence_classification",
    "make_support_tickets",
]
