"""Windowing, scaling and event-log helpers for sequences (numpy and pandas only, no torch)."""

from ._events import EventSequencer, events_to_sequences
from ._scaling import SequenceScaler
from ._windowing import SequenceWindower, make_windows

__all__ = [
    "EventSequencer",
    "SequenceScaler",
    "SequenceWindower",
    "events_to_sequences",
    "make_windows",
]
