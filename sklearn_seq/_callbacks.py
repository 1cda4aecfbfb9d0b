"""Training faults: non-finite losses, checkpoints, out-of-memory errors.

:func:`reliability_callbacks` gives the skorch callbacks every net registers:

* :class:`FiniteLossGuard` stops training at the first non-finite loss (or
  non-finite weights). Without early stopping it restores the weights of the last
  finished finite epoch and raises :class:`NonFiniteLossError`, naming the epoch;
  with early stopping it restores the best weights, warns and stops.
* :class:`Checkpoint` (when the estimator has a ``checkpoint_dir``) saves the
  whole estimator in the safe format every ``checkpoint_every`` epochs, so a
  killed process loses at most that many epochs.

:func:`translate_out_of_memory` wraps training and prediction so that running out
of memory says which ``batch_size`` to lower.
"""

import copy
import functools
import math
import os
import warnings
import weakref

import torch
from sklearn.exceptions import ConvergenceWarning
from skorch.callbacks import Callback

from .utils._validation import user_stacklevel

__all__ = [
    "CHECKPOINT_NAME",
    "Checkpoint",
    "FiniteLossGuard",
    "NonFiniteLossError",
    "reliability_callbacks",
    "translate_out_of_memory",
]

CHECKPOINT_NAME = "checkpoint.skseq"



class NonFiniteLossError(ValueError):
    """Training produced a NaN or infinite loss (or weights) and was stopped."""


def _finite_weights(module):
    return all(bool(torch.isfinite(p).all()) for p in module.parameters())


def _clone_state(state):
    """A copy of a (nested) state dict: tensors cloned, containers rebuilt.

    What ``copy.deepcopy`` does for state dicts, without its per-object Python
    machinery (several times faster on the small models trained here).
    """
    if isinstance(state, torch.Tensor):
        return state.detach().clone()
    if isinstance(state, dict):
        out = type(state)((k, _clone_state(v)) for k, v in state.items())
        if hasattr(state, "_metadata"):  # module versions, read by load_state_dict
            out._metadata = copy.deepcopy(state._metadata)
        return out
    if isinstance(state, (list, tuple)) and not hasattr(state, "_fields"):
        return type(state)(_clone_state(v) for v in state)
    if state is None or isinstance(state, (bool, int, float, str)):
        return state
    return copy.deepcopy(state)


def _stopper(net):
    return dict(net.callbacks_).get("stopping")


class FiniteLossGuard(Callback):
    """Stop training at the first non-finite loss; undo an interrupted epoch.

    It keeps a copy of the module and optimizer state at the start of training
    and after every finished finite epoch. On a NaN or infinite loss (checked
    after every batch) or non-finite weights (checked after every epoch):

    * the unfinished epoch is removed from the history;
    * with early stopping holding best weights, those are restored, a
      ``ConvergenceWarning`` names the epoch and training stops as if early
      stopping had ended it;
    * otherwise the last finite state is restored, the estimator's training
      record (``n_iter_``, ``loss_curve_``) is brought in line with it (or the
      estimator is left unfitted when no epoch ever finished) and
      :class:`NonFiniteLossError` names the epoch.

    When training ends inside an epoch (a ``KeyboardInterrupt``), the weights of
    the last finished epoch are restored and the unfinished epoch is removed from
    the history, so ``n_iter_`` and the weights agree; interrupted before any
    epoch finished, the estimator is left unfitted.

    The estimator whose training record it updates is bound with :meth:`bind` as a
    weak reference (no cycle, nothing of it pickled with the net).
    """

    _transient = ("_owner", "module_state_", "optimizer_state_")

    def bind(self, estimator):
        """Attach the estimator that owns the net (a weak reference)."""
        self._owner = weakref.ref(estimator)
        return self

    @property
    def estimator(self):
        owner = getattr(self, "_owner", None)
        return owner() if owner is not None else None

    def __getstate__(self):
        # Snapshots are for the training run in progress; they are not model state.
        return {k: v for k, v in self.__dict__.items() if k not in self._transient}

    def on_train_begin(self, net, **kwargs):
        self._snapshot(net)

    def _snapshot(self, net):
        self.module_state_ = _clone_state(net.module_.state_dict())
        self.optimizer_state_ = _clone_state(net.optimizer_.state_dict())
        self.epochs_ = len(net.history)

    def on_batch_end(self, net, batch=None, training=False, loss=None, **kwargs):
        # A Python float check: skorch has just read the loss with .item() for the
        # history, so this adds no device synchronisation.
        if training and loss is not None:
            value = loss.item()
            if not math.isfinite(value):
                self._stop(net, f"the training loss is {value:g}")

    def on_epoch_end(self, net, **kwargs):
        if not _finite_weights(net.module_):
            self._stop(net, "the weights are no longer finite")
        self._snapshot(net)

    def on_train_end(self, net, **kwargs):
        # A Ctrl-C inside an epoch: go back to the end of the last finished epoch,
        # unless early stopping has just restored its best weights.
        # An epoch's row has its train_loss once all its batches ran.
        if len(net.history) and "train_loss" not in net.history[-1]:
            stopper = _stopper(net)
            if not (stopper is not None and stopper.load_best
                    and getattr(stopper, "best_model_weights_", None) is not None):
                net.module_.load_state_dict(self.module_state_)
                net.optimizer_.load_state_dict(self.optimizer_state_)
            del net.history[-1]
        self.__dict__.pop("module_state_", None)
        self.__dict__.pop("optimizer_state_", None)
        if not len(net.history):
            # Nothing was learnt: leave the estimator unfitted, not half-built.
            if self.estimator is not None:
                self.estimator.__dict__.pop("net_", None)
            raise KeyboardInterrupt(
                "training interrupted before the first epoch finished; the "
                "estimator is not fitted"
            )

    def _stop(self, net, what):
        epoch = len(net.history)
        del net.history[self.epochs_ :]
        stopper = _stopper(net)
        best = getattr(stopper, "best_model_weights_", None) if stopper is not None else None
        if stopper is not None and stopper.load_best and best is not None:
            net.module_.load_state_dict(best)
            # The optimizer's state may hold the non-finite values too: back to the
            # last finite epoch's, so that the model can be saved and trained on.
            net.optimizer_.load_state_dict(self.optimizer_state_)
            warnings.warn(
                f"Non-finite training at epoch {epoch} ({what}); training stopped and "
                f"the best weights (epoch {stopper.best_epoch_}) were restored.",
                ConvergenceWarning,
                stacklevel=user_stacklevel(),
            )
            # Ends training the way early stopping does (skorch catches it).
            stopper.stopped_ = True
            raise KeyboardInterrupt
        net.module_.load_state_dict(self.module_state_)
        net.optimizer_.load_state_dict(self.optimizer_state_)
        kept = len(net.history)
        est = self.estimator
        if est is not None:
            if kept:
                est._record_history("valid_score" in net.history[-1])
            else:
                est.__dict__.pop("net_", None)
        state = (
            f"the weights of epoch {kept} were restored"
            if kept
            else "the estimator is left unfitted"
        )
        raise NonFiniteLossError(
            f"Training diverged at epoch {epoch}: {what}. Training stopped and {state}. "
            "Lower learning_rate_init, keep max_grad_norm set, or scale the inputs "
            "and targets."
        )


class Checkpoint(Callback):
    """Save the estimator every ``every`` epochs to ``dirname/checkpoint.skseq``.

    The file is the safe format of :func:`sklearn_seq.load`, written atomically
    (a killed process leaves the previous checkpoint intact). Resume with::

        est = sklearn_seq.load(os.path.join(dirname, "checkpoint.skseq"))
        est.set_params(warm_start=True, max_iter=remaining_epochs).fit(X, y)

    Parameters
    ----------
    dirname : str or path-like
        Directory of the checkpoint (created if needed).
    every : int, default=10
        Save after every ``every``-th epoch of the whole training history.

    The estimator to save is bound with :meth:`bind` (a weak reference).
    """

    def __init__(self, dirname, every=10):
        self.dirname = dirname
        self.every = every

    bind = FiniteLossGuard.bind
    estimator = FiniteLossGuard.estimator

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k != "_owner"}

    @property
    def path(self):
        return os.path.join(os.fspath(self.dirname), CHECKPOINT_NAME)

    def on_epoch_end(self, net, **kwargs):
        n_epochs = len(net.history)
        if n_epochs % self.every:
            return
        from ._persistence import save

        est = self.estimator
        # The training record the estimator would have if training ended here.
        est._record_history("valid_score" in net.history[-1])
        os.makedirs(self.dirname, exist_ok=True)
        save(est, self.path)


def reliability_callbacks(est):
    """The ``(name, callback)`` pairs that every net of ``est`` registers."""
    callbacks = [("finite_loss", FiniteLossGuard().bind(est))]
    checkpoint_dir = getattr(est, "checkpoint_dir", None)
    if checkpoint_dir is not None:
        every = getattr(est, "checkpoint_every", 10)
        callbacks.append(("checkpoint", Checkpoint(checkpoint_dir, every).bind(est)))
    return callbacks


def _is_out_of_memory(exc):
    if isinstance(exc, torch.OutOfMemoryError):
        return True
    message = str(exc).lower()
    return isinstance(exc, RuntimeError) and (
        "out of memory" in message or "can't allocate memory" in message
    )


def translate_out_of_memory(fn):
    """Decorate ``fn(net, ...)`` so that out-of-memory errors suggest a batch size.

    The error keeps its type (``torch.OutOfMemoryError`` or ``RuntimeError``) and
    chains the original.
    """

    @functools.wraps(fn)
    def wrapper(net, *args, **kwargs):
        try:
            return fn(net, *args, **kwargs)
        except (RuntimeError, MemoryError) as exc:
            if not (_is_out_of_memory(exc) or isinstance(exc, MemoryError)):
                raise
            batch_size = getattr(net, "batch_size", None)
            smaller = max(1, int(batch_size) // 4) if isinstance(batch_size, int) else 32
            message = (
                f"Out of memory with batch_size={batch_size}: set a smaller batch_size "
                f"(e.g. batch_size={smaller}); when predicting, pass X in smaller "
                "chunks; dtype='float32' and shorter sequences also use less memory. "
                f"Original error: {exc}"
            )
            try:
                new = type(exc)(message)
            except TypeError:
                new = RuntimeError(message)
            raise new from exc

    wrapper._translates_out_of_memory = True
    return wrapper
