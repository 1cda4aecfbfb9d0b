"""Validation and documentation helpers shared by the estimators."""

from ._validation import Sequences, check_sequences

__all__ = ["Sequences", "check_sequences"]
