"""Windowing, scaling and event-log helpers for sequences (numpy and pandas only, no torch)."""

from ._events import EventSequencer, events_to_sequences, group_events
from ._panel import ChannelsLast
from ._scaling import SequenceScaler
from ._windowing import SequenceWindower, make_windows

__all__ = [
    "ChannelsLast",
    "EventSequencer",
    "SequenceScaler",
    "SequenceWindower",
    "events_to_sequences",
    "group_events",
    "make_windows",
]
