"""Datasets shipped with the package and generators of sequence tasks."""

from ._sequences import make_long_range_classification, make_sequence_classification

__all__ = [
    "make_long_range_classification",
    "make_sequence_classification",
]
