"""The skorch net of the engine: building it from a plain specification, training
it, and reading outputs back as numpy arrays.

The estimators hand over :class:`~sklearn_seq.utils._validation.Sequences` wrapped
in a :class:`~sklearn_seq._engine.data.SequenceDataset` and a
:class:`TrainingSpec`; nothing here reads an estimator.
"""

import dataclasses
import functools
import sys
from typing import Optional

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, LRScheduler, PrintLog, ProgressBar
from skorch.helper import predefined_split
from skorch.history import History
from skorch.utils import TeeGenerator, to_tensor
from torch.utils.data import Subset

from .. import nn as seq_nn
from .callbacks import (
    Checkpoint,
    FiniteLossGuard,
    MemberGradientClipping,
    PlainPrintLog,
    StoppingCriterion,
    ValidationScore,
    n_members,
    translate_out_of_memory,
)
from .data import BatchIterator, SequenceDataset, ordered
from .numerics import seeded, torch_dtype

_CRITERIA = {"cross_entropy": torch.nn.CrossEntropyLoss, "mse": torch.nn.MSELoss}


def inference_batch_size(net):
    """Batch size for prediction: the training batch, but at least 128 sequences.

    Without gradients, larger batches cost no accuracy and fewer Python steps.
    """
    return max(int(net.batch_size), 128)


class BatchHistory(History):
    """skorch's History with per-batch records written straight to the current epoch.

    skorch writes every batch's loss and size through ``History.__getitem__``, which
    parses the index and copies the list of epochs: three times a batch. The records
    are the same; reading the history is unchanged.
    """

    def new_batch(self):
        list.__getitem__(self, -1)["batches"].append({})

    def record_batch(self, attr, value):
        list.__getitem__(self, -1)["batches"][-1][attr] = value


class SequenceNet(NeuralNet):
    """skorch's NeuralNet with sample weights and MLP's L2 penalty in the loss.

    The criterion compares the module's output with the target, whatever the
    output is: a module that returns a tuple (as skorch, read by its first element
    when predicting) hands the whole tuple to its criterion.

    ``Xi`` is the steps tensor or a dict ``{"x", "lengths"?, "sample_weight"?}``;
    the weights are read by :meth:`get_loss` and never reach the module. The loss of a batch is
    ``sum(w * l) / sum(w) + alpha / 2 * ||W||^2 / sum(w)`` as in scikit-learn's MLP.
    """

    def __init__(self, *args, alpha=0.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.alpha = alpha

    def initialize_history(self):
        # skorch's own (it clears the history), with batch records written directly.
        if not isinstance(self.history_, BatchHistory):
            self.history_ = BatchHistory()
        return super().initialize_history()

    def _set_training(self, training=True):
        # skorch sets the mode of every module on every batch; skip it when nothing
        # changes (a walk over all submodules, ~0.1 ms a batch on small models).
        if self.module_.training == training and getattr(self, "_mode_set", None) is training:
            return
        super()._set_training(training)
        self._mode_set = training

    def get_all_learnable_params(self):
        # skorch walks every module's parameters on every batch (for the gradient
        # callbacks); the list only changes when a module or criterion is replaced.
        owners = tuple(getattr(self, name + "_", None) for name in self._modules + self._criteria)
        cached = self.__dict__.get("_learnable_params")
        # Modules compare by identity, so a replaced module is a changed key.
        if cached is None or cached[0] != owners:
            cached = (owners, list(super().get_all_learnable_params()))
            self._learnable_params = cached
        return iter(cached[1])

    def train_step(self, batch, **fit_params):
        # skorch hands the step to the optimizer as a closure, for optimizers that
        # evaluate the loss several times (LBFGS). Adam evaluates it once: skorch's
        # documented way to drop the closure machinery is to override this method.
        # Same order of events as skorch: zero, forward/backward, on_grad_computed
        # (gradient clipping), optimizer step. (The optimizer is always Adam.)
        self._zero_grad_optimizer()
        step = self.train_step_single(batch, **fit_params)
        self.notify(
            "on_grad_computed",
            named_parameters=TeeGenerator(self.get_all_learnable_params()),
            batch=batch,
            training=True,
        )
        self._step_optimizer(None)
        return step

    def notify(self, method_name, **cb_kwargs):
        # skorch calls the method of every callback for every event, also the no-op
        # methods callbacks inherit from Callback: three events a batch times every
        # callback. Call only the callbacks that implement the event (same order).
        callbacks = self.__dict__.get("callbacks_")
        cached = self.__dict__.get("_event_handlers")
        if cached is None or cached[0] is not callbacks or cached[1] != len(callbacks or ()):
            cached = (callbacks, len(callbacks or ()), {})
            self._event_handlers = cached
        handlers = cached[2].get(method_name)
        if handlers is None:
            noop = getattr(Callback, method_name)
            handlers = [getattr(self, method_name)] + [
                getattr(cb, method_name)
                for _, cb in callbacks or ()
                if getattr(getattr(cb, method_name), "__func__", None) is not noop
            ]
            cached[2][method_name] = handlers
        for handler in handlers:
            handler(self, **cb_kwargs)

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_learnable_params", None)
        state.pop("_event_handlers", None)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        module = self.__dict__.get("module_")
        if isinstance(module, torch.nn.Module):
            flatten_recurrent_weights(module)

    def infer(self, x, **fit_params):
        return super().infer(_module_inputs(x), **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        y_true = to_tensor(y_true, device=self.device)
        if isinstance(y_pred, torch.Tensor) and y_pred.dim() == y_true.dim() + 2:
            # an ensemble's classes x members logits (nn.SequenceNetwork's
            # n_estimators): every member is scored on the same targets
            y_true = y_true.unsqueeze(-1).expand(*y_true.shape, y_pred.shape[-1])
        weight = X.get("sample_weight") if isinstance(X, dict) else None
        if weight is None:
            # Every sample has as many loss terms, so the criterion's own mean of all
            # terms is the mean of the per-sample means; its fused reduction has a
            # much cheaper backward pass than reducing an unreduced loss.
            mean, denom = self.criterion_(y_pred, y_true), y_true.shape[0]
        else:
            loss = _unreduced(self.criterion_, y_pred, y_true)
            if loss.dim() > 1:
                loss = loss.flatten(1).mean(dim=1)
            weight = weight.to(device=loss.device, dtype=loss.dtype)
            denom = weight.sum().clamp_min(torch.finfo(loss.dtype).tiny)
            mean = (loss * weight).sum() / denom
        if not self.alpha or not training:
            # The validation loss is the criterion alone (as HistGradientBoosting's):
            # the penalty is a property of the weights, not of the validation data.
            return mean
        squares = sum(p.square().sum() for _, p in self.get_all_learnable_params()
                      if p.dim() > 1)
        # An ensemble's loss is the mean of its members': the penalty of each
        # member's weights is scaled alike, so each learns as it would alone.
        return mean + 0.5 * self.alpha * squares / (denom * n_members(self.module_))


def flatten_recurrent_weights(module):
    """Put each recurrent layer's weights back in the one block cuDNN reads.

    Unpickling restores every weight as a tensor of its own; on a GPU, torch's
    recurrent layers then warn and copy all their weights into one block at every
    call. ``Module.to`` does this once, and so does this after unpickling (nothing
    on the CPU).
    """
    for layer in module.modules():
        if isinstance(layer, torch.nn.RNNBase):
            layer.flatten_parameters()


def _module_inputs(X):
    """A batch's inputs to the module: the steps tensor, or the dict without weights."""
    if isinstance(X, dict) and "sample_weight" in X:
        return {k: v for k, v in X.items() if k != "sample_weight"}
    return X


def _apply(fn, inputs):
    """``fn`` on a batch's module inputs (a steps tensor or a dict of keywords)."""
    return fn(**inputs) if isinstance(inputs, dict) else fn(inputs)


def _unreduced(criterion, y_pred, y_true):
    """The loss of every element: ``criterion`` with its reduction off for this call."""
    reduction = criterion.reduction
    criterion.reduction = "none"
    try:
        return criterion(y_pred, y_true)
    finally:
        criterion.reduction = reduction


def _silent(*args, **kwargs):
    """A sink that prints nothing (a module-level function, so nets pickle)."""


def _is_terminal(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed file
        return False


def _resolve(name, table=None):
    """A torch loss or module given by name (``sklearn_seq.nn`` or torch's losses)."""
    if not isinstance(name, str):
        return name
    if table and name in table:
        return table[name]
    return getattr(seq_nn, name)


@dataclasses.dataclass
class TrainingSpec:
    """How to train: the estimator's training parameters, in the engine's terms.

    Built by the estimator before every fit (``BaseRecurrent._training_spec``), so a
    changed ``learning_rate_init``, ``alpha``, ``max_grad_norm``, ``shuffle``,
    ``early_stopping``, ``tol``, ``n_iter_no_change`` or ``verbose`` takes effect in
    a warm-started fit or ``partial_fit`` as in scikit-learn's MLP.

    ``validates``: whether each epoch scores a validation set, which early stopping
    watches (``score_kind``: its loss or a scorer, see :class:`ValidationScore`);
    ``min_steps`` the optimizer steps without improvement before training stops
    (see :class:`StoppingCriterion`); ``checkpoint``, when given, the
    ``(dirname, every, save)`` of a :class:`Checkpoint`.
    """

    learning_rate: float
    alpha: float
    max_epochs: Optional[int]
    shuffle: bool
    patience: int
    min_steps: int
    tol: float
    max_grad_norm: Optional[float]
    verbose: int
    validates: bool = False
    score_kind: str = "loss"
    checkpoint: Optional[tuple] = None
    schedule: str = "constant"
    criterion_kwargs: dict = dataclasses.field(default_factory=dict)


# learning_rate="cosine": the rate at the end of a fit, as a fraction of the first.
COSINE_FINAL_FRACTION = 0.01


class FitSchedule(LRScheduler):
    """skorch's learning rate scheduler for one fit: its torch scheduler (which
    holds the optimizer) is dropped when the fit ends, so a fitted net pickles and
    moves between devices as skorch arranges for its optimizer."""

    def on_train_end(self, net, **kwargs):
        self.__dict__.pop("lr_scheduler_", None)


def training_callbacks(spec):
    """The ``(name, callback)`` pairs of a net trained by ``spec``.

    With ``verbose``, a terminal gets skorch's progress bar (on stderr, where tqdm
    writes) and coloured table; a file or a pipe gets plain lines, one per epoch.
    """
    validates = spec.validates
    stopper = StoppingCriterion(
        monitor="valid_score" if validates else "train_loss",
        patience=spec.patience,
        min_steps=spec.min_steps,
        spikes=not validates,
        threshold=spec.tol,
        threshold_mode="abs",
        lower_is_better=not validates,
        load_best=validates,
        sink=print if spec.verbose else _silent,
    )
    callbacks = [("stopping", stopper)]
    if validates:
        callbacks.insert(0, ("valid_score", ValidationScore(spec.score_kind)))
    if spec.max_grad_norm is not None:
        callbacks.append(("clip", MemberGradientClipping(spec.max_grad_norm)))
    if spec.schedule == "cosine":
        # skorch's scheduler; ``train`` sets T_max to the epochs of each fit, and
        # last_epoch=-1 starts every fit (warm-started ones too) at the full rate.
        callbacks.append(("lr_schedule", FitSchedule(
            torch.optim.lr_scheduler.CosineAnnealingLR, T_max=1, last_epoch=-1,
            eta_min=spec.learning_rate * COSINE_FINAL_FRACTION,
        )))
    if spec.verbose and _is_terminal(sys.stderr):
        callbacks.append(("progress", ProgressBar()))
    callbacks.append(("finite_loss", FiniteLossGuard()))
    if spec.checkpoint is not None:
        dirname, every, save = spec.checkpoint
        callbacks.append(("checkpoint", Checkpoint(dirname, every, save)))
    return callbacks


def _net_params(spec, valid_dataset):
    """The skorch settings of a net trained by ``spec`` (on ``valid_dataset``, when
    it validates; None for a net loaded from a file, whose next warm-started fit
    sets its split)."""
    print_log = None
    if spec.verbose:
        print_log = PrintLog() if _is_terminal(sys.stdout) else PlainPrintLog()
    return dict(
        lr=spec.learning_rate,
        alpha=spec.alpha,
        max_epochs=spec.max_epochs,
        iterator_train__shuffle=spec.shuffle,
        train_split=predefined_split(valid_dataset) if valid_dataset is not None else None,
        callbacks=training_callbacks(spec),
        callbacks__print_log=print_log,
        **{f"criterion__{key}": value for key, value in spec.criterion_kwargs.items()},
    )


def build_net(*, module, module_kwargs, criterion, spec, batch_size, device,
              valid_dataset=None):
    """The skorch net that trains ``module(**module_kwargs)`` (a name in
    :mod:`sklearn_seq.nn` or a module class) as ``spec`` says."""
    # numpy scalars (a grid built with np.arange, say) pass the parameter checks
    # (Integral, Real) but torch's layers take only Python numbers.
    module_kwargs = {
        k: v.item() if isinstance(v, np.generic) else v for k, v in module_kwargs.items()
    }
    if "dtype" in module_kwargs:
        module_kwargs["dtype"] = torch_dtype(module_kwargs["dtype"])
    module_kwargs = {f"module__{k}": v for k, v in module_kwargs.items()}
    # One fused Adam kernel per step instead of a Python loop over parameters (~15% of
    # a step on small models); torch has it on the CPU and CUDA.
    fused = {"optimizer__fused": True} if str(device).split(":")[0] in ("cpu", "cuda") else {}
    return SequenceNet(
        module=_resolve(module),
        criterion=_resolve(criterion, _CRITERIA),
        optimizer=torch.optim.Adam,
        batch_size=batch_size,
        iterator_train=BatchIterator,
        iterator_valid=BatchIterator,
        dataset=SequenceDataset,
        predict_nonlinearity=None,
        warm_start=True,
        device=device,
        **_net_params(spec, valid_dataset),
        **fused,
        **module_kwargs,
    )


def update_training(net, spec, batch_size, valid_dataset=None):
    """Give an initialized net a new training specification.

    The network's weights, the optimizer's state (Adam's moments and step count)
    and the history are kept, so training goes on where it stopped; the learning
    rate, the penalty, clipping, shuffling, early stopping and verbosity are
    ``spec``'s.
    """
    for key, value in _net_params(spec, valid_dataset).items():
        setattr(net, key, value)
    net.batch_size = batch_size
    net.initialize_callbacks()
    if spec.criterion_kwargs:
        net.initialize_criterion()
    for group in net.optimizer_.param_groups:
        group["lr"] = spec.learning_rate
        # the rate a schedule starts from (torch keeps the first fit's otherwise)
        group.pop("initial_lr", None)


@translate_out_of_memory
def train(net, dataset, epochs, seed, valid_scorer=None):
    """Train ``net`` for up to ``epochs`` epochs; return ``(stopped, interrupted)``:
    whether the stopping rule ended it, and whether a user's ``KeyboardInterrupt``
    did (the net then keeps the weights of the last finished epoch).

    ``valid_scorer``: the function of no argument that gives the validation score
    each epoch, when early stopping watches a scorer (see :class:`ValidationScore`).

    Raises :class:`NonFiniteLossError` when training diverged, and
    ``KeyboardInterrupt`` when it was interrupted before any epoch finished.
    """
    n_before = len(net.history)
    callbacks = dict(net.callbacks_)
    if "lr_schedule" in callbacks:
        # the rate falls over this fit's epochs (one epoch, a partial_fit: constant)
        callbacks["lr_schedule"].T_max = max(1, epochs - 1)
    scoring = callbacks.get("valid_score")
    if scoring is not None and scoring.kind == "scorer":
        scoring.scorer_ = valid_scorer
    try:
        with seeded(seed, net.device):
            net.partial_fit(dataset, epochs=epochs)
    finally:
        if scoring is not None:
            scoring.__dict__.pop("scorer_", None)
    stopper = callbacks["stopping"]
    n_done = len(net.history) - n_before
    interrupted = n_done < epochs and not stopper.stopped_
    return stopper.stopped_, interrupted


def _evaluate(net, dataset, fn, batch_size=None, whole=False):
    """Yield ``fn(**Xi)`` per evaluation batch, as skorch's evaluation step does it.

    The module is put in eval mode and run without autograd; inputs are moved with
    skorch's ``to_tensor``. No DataLoader and no per-call parameter parsing, so a
    single sequence costs little more than the module's own forward. A tuple
    output yields its first element (the prediction, skorch's convention), or with
    ``whole`` all its elements.
    """
    if net.module_.training:
        net.module_.eval()
    with torch.inference_mode():
        for xi, _ in BatchIterator(dataset, batch_size=batch_size or inference_batch_size(net)):
            out = _apply(fn, to_tensor(xi, device=net.device))
            if whole:
                yield tuple(o.cpu() for o in (out if isinstance(out, tuple) else (out,)))
            else:
                yield (out[0] if isinstance(out, tuple) else out).cpu()


@translate_out_of_memory
def forward(net, sequences, batch_size=None, method="forward"):
    """Outputs of the module's ``method`` (one row per sequence) for ``sequences`` as
    a numpy array, in input order."""
    dataset, order = ordered(sequences)
    outs = list(_evaluate(net, dataset, getattr(net.module_, method), batch_size))
    out = (outs[0] if len(outs) == 1 else torch.cat(outs)).numpy()
    if order is not None:
        restored = np.empty_like(out)
        restored[order] = out
        out = restored
    return out


@translate_out_of_memory
def forward_steps(net, sequences, batch_size=None, method="forward"):
    """Per-step outputs ``(batch, time, k)`` of the module's ``method`` (a ``(batch,
    time)`` output counts as ``k = 1``) for ``sequences``, in input order:
    ``(n_samples, n_timesteps, k)`` for dense input, ``(sum(lengths), k)`` aligned with
    the steps of ragged input."""
    dataset, order = ordered(sequences)
    fn = getattr(net.module_, method)
    outs = (o.numpy() if o.dim() == 3 else o.numpy()[..., None]
            for o in _evaluate(net, dataset, fn, batch_size))
    if not sequences.is_ragged:
        return np.concatenate(list(outs))
    result, start = None, 0
    for out in outs:
        if result is None:
            result = np.empty((sequences.values.shape[0], out.shape[-1]), dtype=out.dtype)
        rows = order[start : start + out.shape[0]]
        start += out.shape[0]
        lengths = sequences.lengths[rows]
        real = np.arange(out.shape[1])[None, :] < lengths[:, None]
        dest = np.repeat(sequences.offsets[rows], lengths) + (
            np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        )
        result[dest] = out[real]
    return result


@translate_out_of_memory
def attention(net, sequences, batch_size=None):
    """Attention weights ``(n_samples, max_length)``, zero on padding, input order."""
    dataset, order = ordered(sequences)
    result = None
    start = 0
    for w in _evaluate(net, dataset, net.module_.attention, batch_size):
        if result is None:
            result = np.zeros((len(sequences), sequences.max_length), dtype=w.numpy().dtype)
        rows = np.arange(start, start + w.shape[0])
        result[rows if order is None else order[rows], : w.shape[1]] = w.numpy()
        start += w.shape[0]
    return result


@translate_out_of_memory
def attention_maps(net, sequences, batch_size=None):
    """The module's ``attention_heads``: ``(n_samples, ..., max_length, max_length)``
    in input order, zero past each sequence's end."""
    dataset, order = ordered(sequences)
    result, start = None, 0
    for w in _evaluate(net, dataset, net.module_.attention_heads, batch_size):
        w = w.numpy()
        if result is None:
            shape = (len(sequences), *w.shape[1:-2], sequences.max_length, sequences.max_length)
            result = np.zeros(shape, dtype=w.dtype)
        rows = np.arange(start, start + w.shape[0])
        result[rows if order is None else order[rows], ..., : w.shape[-2], : w.shape[-1]] = w
        start += w.shape[0]
    return result


@translate_out_of_memory
def per_sample(net, sequences, method, target=None, batch_size=None, **kwargs):
    """The outputs of the module's ``method(x, lengths, [target,] **kwargs)``, a
    tensor or a tuple of tensors with a row per sequence, as one tuple per sequence
    of numpy arrays, in input order.

    Each row keeps its batch's padding (outputs of other lengths than the input's,
    such as generated sequences, are cut by the caller). With ``target`` (a
    ``Sequences``, as the training target), the method also reads it.
    """
    dataset = SequenceDataset(sequences, target, target_as_input=target is not None)
    order = None
    if sequences.is_ragged:
        order = np.argsort(sequences.lengths, kind="stable")
        dataset = Subset(dataset, order)
    fn = getattr(net.module_, method)
    if kwargs:
        fn = functools.partial(fn, **kwargs)
    rows = [tuple(o[i].numpy() for o in outs)
            for outs in _evaluate(net, dataset, fn, batch_size, whole=True)
            for i in range(outs[0].shape[0])]
    if order is None:
        return rows
    restored = [None] * len(rows)
    for position, row in zip(order, rows):
        restored[position] = row
    return restored
