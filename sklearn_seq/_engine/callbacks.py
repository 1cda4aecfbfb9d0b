"""The engine's skorch callbacks: validation score, stopping, non-finite losses,
checkpoints; and the translation of out-of-memory errors.

* :class:`ValidationScore` records what early stopping watches.
* :class:`StoppingCriterion` stops training (counted in epochs and optimizer steps).
* :class:`FiniteLossGuard` stops training at the first non-finite loss (or
  non-finite weights). Without early stopping it restores the weights of the last
  finished finite epoch and raises :class:`NonFiniteLossError`, naming the epoch;
  with early stopping it restores the best weights, warns and stops.
* :class:`Checkpoint` calls a ``save(path)`` function every ``every`` epochs (the
  estimator gives one that writes the safe format), so a killed process loses at
  most that many epochs.

They change only the net and its history, and signal the caller by raising; none
of them knows an estimator. :func:`translate_out_of_memory` wraps training and
prediction so that running out of memory says which ``batch_size`` to lower.
"""

import copy
from copy import deepcopy
import functools
import math
import os
import warnings

import torch
from sklearn.exceptions import ConvergenceWarning
from skorch.callbacks import Callback, EarlyStopping, GradientNormClipping, PrintLog

from ..utils._validation import user_stacklevel

CHECKPOINT_NAME = "checkpoint.skseq"


class NonFiniteLossError(ValueError):
    """Training produced a NaN or infinite loss (or weights) and was stopped."""


def _recorded_loss(net):
    """The training loss skorch recorded for the batch just run, or None."""
    try:
        return list.__getitem__(net.history, -1)["batches"][-1].get("train_loss")
    except (IndexError, KeyError, TypeError):
        return None


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
    * otherwise the last finite state is restored and
      :class:`NonFiniteLossError` names the epoch (the history then ends at the
      last finite epoch, empty when none finished).

    When training ends inside an epoch (a ``KeyboardInterrupt``), the weights of
    the last finished epoch are restored and the unfinished epoch is removed from
    the history, so the history and the weights agree; interrupted before any
    epoch finished, it raises ``KeyboardInterrupt`` with an empty history.
    """

    _transient = ("module_state_", "optimizer_state_")

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
        # A Python float check of the value skorch has just read with .item() for
        # the history: no second read from the device.
        if training and loss is not None:
            value = _recorded_loss(net)
            if value is None:
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
            # Nothing was learnt: the caller leaves its estimator unfitted.
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


def n_members(module):
    """The networks of an ensemble module (its ``members``), 1 for any other."""
    members = getattr(module, "members", None)
    return 1 if members is None else len(members)


class MemberGradientClipping(GradientNormClipping):
    """skorch's gradient norm clipping, applied to each member of an ensemble on its
    own (``module.members``, as ``nn.SequenceNetwork`` with ``n_estimators``).

    An ensemble's loss is the mean of its ``k`` members' losses, so a member's
    gradient is its own loss's over ``k``: clipping it to ``max_norm / k`` clips it
    as it would be alone, whatever the other members' gradients are.
    """

    def on_grad_computed(self, net, named_parameters, **kwargs):
        k = n_members(net.module_)
        if k == 1 or self.gradient_clip_value is None:
            return super().on_grad_computed(net, named_parameters, **kwargs)
        for member in net.module_.members:
            torch.nn.utils.clip_grad_norm_(
                member.parameters(), max_norm=self.gradient_clip_value / k,
                norm_type=self.gradient_clip_norm_type)


class Checkpoint(Callback):
    """Call ``save(path)`` every ``every`` epochs, ``path`` being
    ``dirname/checkpoint.skseq``.

    The estimators give a ``save`` that writes themselves in the safe format of
    :func:`sklearn_seq.load`, atomically (a killed process leaves the previous
    checkpoint intact). Resume with::

        est = sklearn_seq.load(os.path.join(dirname, "checkpoint.skseq"))
        est.set_params(warm_start=True, max_iter=remaining_epochs).fit(X, y)

    Parameters
    ----------
    dirname : str or path-like
        Directory of the checkpoint (created if needed).
    every : int
        Save after every ``every``-th epoch of the whole training history.
    save : callable
        ``save(path)``; it is for the training run in progress and is not pickled
        with the net.
    """

    def __init__(self, dirname, every, save):
        self.dirname = dirname
        self.every = every
        self.save = save

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k != "save"}

    @property
    def path(self):
        return os.path.join(os.fspath(self.dirname), CHECKPOINT_NAME)

    def on_epoch_end(self, net, **kwargs):
        n_epochs = len(net.history)
        if n_epochs % self.every or getattr(self, "save", None) is None:
            return
        os.makedirs(self.dirname, exist_ok=True)
        self.save(self.path)


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

    return wrapper


class ValidationScore(Callback):
    """Record ``valid_score``, what early stopping watches (higher is better).

    ``kind="loss"``: minus the validation loss that skorch records. ``kind="scorer"``:
    the value of ``scorer_``, a function of no argument that scores the estimator on
    its validation data; :func:`train` sets it for the duration of a training run
    (it holds the estimator and the data, which are no part of the net).
    """

    def __init__(self, kind="loss"):
        self.kind = kind

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k != "scorer_"}

    def on_epoch_end(self, net, **kwargs):
        if self.kind == "loss":
            # skorch's own valid_loss callback runs before ours in the same epoch.
            score = -float(net.history[-1, "valid_loss"])
        else:
            score = float(self.scorer_())
        net.history.record("valid_score", score)


class PlainPrintLog(PrintLog):
    """skorch's table of epochs without colours, for output to files and pipes."""

    def format_row(self, row, key, color):
        # skorch colours a value whose ``<key>_best`` flag is set.
        return super().format_row({key: row[key]}, key, color)


class StoppingCriterion(EarlyStopping):
    """skorch's EarlyStopping counted in optimizer steps as well as epochs, that
    remembers whether it ended the training.

    Training stops once the monitored value has not improved for ``patience``
    epochs *and* for at least ``min_steps`` optimizer steps. On a small training
    set an epoch is one or two steps, and a recurrent network often sits on a
    plateau (at chance level, or part-way down) for tens of steps before it
    learns more: ten epochs of one step each cannot tell a plateau from
    convergence. On larger data (many steps an epoch) ``patience`` decides alone.

    With ``spikes=True`` (for the training loss, which lower is better), an epoch
    whose value is far above the best (by more than a tenth of the fall from the
    first epoch's value to the best, measured on a log scale, and more than the
    threshold) is not counted
    as an epoch without improvement: the loss is then recovering from a spike (a
    step that throws it up, which small batches and Adam make common), not
    converged, and comparing it with the best before the spike would stop the
    training half-way back down. A rising validation loss is overfitting, so
    early stopping on validation data does not ignore it.

    skorch ends training by raising ``KeyboardInterrupt`` and swallowing it; the flag
    lets the estimator tell its own stop from a user's Ctrl-C.
    """

    def __init__(self, *args, min_steps=0, spikes=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.min_steps = min_steps
        self.spikes = spikes

    def on_train_begin(self, net, **kwargs):
        self.stopped_ = False
        self.missed_steps_ = 0
        self.first_ = None
        return super().on_train_begin(net, **kwargs)

    def _far_above_best(self, current):
        best, first = self.best_value_, self.first_
        if best > 0 and first > best:
            # a tenth of the fall on a log scale: a loss falls by factors, and late
            # in training its epoch-to-epoch noise is a share of its level
            margin = best * ((first / best) ** 0.1 - 1)
        else:
            margin = (first - best) / 10
        return current > best + max(self.threshold, margin)

    def on_epoch_end(self, net, **kwargs):
        current = net.history[-1, self.monitor]
        if self.first_ is None:
            self.first_ = current
        steps = sum("train_loss" in b for b in net.history[-1]["batches"])
        if self._is_score_improved(current):
            self.misses_ = self.missed_steps_ = 0
            self.best_value_ = current
            self.dynamic_threshold_ = self._calc_new_threshold(current)
            self.best_epoch_ = net.history[-1, "epoch"]
            if self.load_best:
                self.best_model_weights_ = deepcopy(net.module_.state_dict())
            return
        if self.spikes and self._far_above_best(current):
            return
        self.misses_ += 1
        self.missed_steps_ += steps
        if self.misses_ < self.patience or self.missed_steps_ < self.min_steps:
            return
        self._sink(
            f"Stopping since {self.monitor} has not improved in the last "
            f"{self.misses_} epochs ({self.missed_steps_} steps).",
            verbose=net.verbose,
        )
        self.stopped_ = True
        raise KeyboardInterrupt


# The fewest optimizer steps without improvement before training stops, per epoch
# of n_iter_no_change (see StoppingCriterion): with the default 10, 100 steps,
# longer than the plateaus of a small recurrent network.
STEPS_PER_EPOCH_NO_CHANGE = 10


