"""Where pickles made before the training engine moved to :mod:`sklearn_seq._engine`
find its classes (``sklearn_seq._net.SequenceNet``, ``BatchHistory``,
``BatchIterator``, ``SequenceDataset`` and the callbacks). New code imports from
:mod:`sklearn_seq._engine`."""

from ._engine.callbacks import PlainPrintLog, StoppingCriterion, ValidationScore
from ._engine.data import BatchIterator, SequenceDataset
from ._engine.net import BatchHistory, SequenceNet

__all__ = [
    "BatchHistory",
    "BatchIterator",
    "PlainPrintLog",
    "SequenceDataset",
    "SequenceNet",
    "StoppingCriterion",
    "ValidationScore",
]
