"""Windowing and scaling of sequences (numpy and pandas only, no torch)."""

from ._scaling import SequenceScaler
from ._windowing import SequenceWindower, make_windows

__all__ = ["SequenceScaler", "SequenceWindower", "make_windows"]
