"""Validation and documentation helpers shared by the estimators."""

from ._show_versions import show_versions
from ._validation import SequenceLayoutWarning, Sequences, check_sequences, container_type

__all__ = [
    "SequenceLayoutWarning",
    "Sequences",
    "check_sequences",
    "container_type",
    "show_versions",
]
