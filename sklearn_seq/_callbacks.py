"""Where pickles made before the training engine moved to :mod:`sklearn_seq._engine`
find its callbacks (``sklearn_seq._callbacks.FiniteLossGuard``, ``Checkpoint``).
New code imports from :mod:`sklearn_seq._engine.callbacks`."""

from ._engine.callbacks import Checkpoint, FiniteLossGuard, NonFiniteLossError

__all__ = ["Checkpoint", "FiniteLossGuard", "NonFiniteLossError"]
