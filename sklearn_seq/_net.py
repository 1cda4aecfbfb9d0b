"""The one place where estimators meet torch and skorch.

Estimators hand over :class:`~sklearn_seq.utils._validation.Sequences` and numpy
targets; this module wraps them in a tensor-backed dataset, builds the skorch net
that trains the network, and reads results back as numpy arrays.

Speed: skorch's default ``DataLoader`` fetches and collates one sample at a time.
:class:`BatchIterator` instead gathers whole batches by slicing or indexing tensors
(ragged data with one vectorised gather from a flat buffer) and groups ragged
sequences of similar length into the same batch, so padding costs little.
"""

import contextlib
from copy import deepcopy
import sys
import warnings
from typing import NamedTuple, Optional

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import (
    Callback,
    EarlyStopping,
    GradientNormClipping,
    PrintLog,
    ProgressBar,
)
from skorch.helper import predefined_split
from skorch.history import History
from skorch.utils import TeeGenerator, to_tensor
from torch.utils.data import Dataset, Subset

from . import nn as seq_nn
from ._callbacks import reliability_callbacks, translate_out_of_memory

_TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64}
_CRITERIA = {"cross_entropy": torch.nn.CrossEntropyLoss, "mse": torch.nn.MSELoss}

# Ragged training batches are bucketed by length within chunks of this many batches,
# so batches stay random across chunks but hold sequences of similar length.
_BUCKET_BATCHES = 32


def resolve_device(device):
    """Map ``"auto"`` to ``"cuda"`` when a GPU is available, else ``"cpu"``; check it."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        parsed = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device={device!r} is not a torch device; use 'cpu', 'cuda', 'cuda:N' or "
            "'auto'."
        ) from exc
    if parsed.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} but torch finds no CUDA GPU here; use device='cpu' or "
            "'auto', or install a CUDA build of torch."
        )
    return device


def inference_batch_size(net):
    """Batch size for prediction: the training batch, but at least 128 sequences.

    Without gradients, larger batches cost no accuracy and fewer Python steps.
    """
    return max(int(net.batch_size), 128)


def weighted_stats(values, weight, chunk=None, rows=None):
    """Per-column weighted mean and standard deviation (1 where a column is constant).

    ``rows`` (int64 indices, optional) restricts the statistics to those rows of
    ``values``; ``weight`` then has one entry per index.

    One pass over ``values`` (2D) in float64 blocks of about 4 MiB, gathered and
    reduced by torch's vectorised, threaded kernels: no full copy (in float64 or of
    the gathered rows), and blocks of one size are reused by the allocator instead of
    being faulted in afresh. Columns are shifted by the first row, so that large
    offsets (sales in the millions) keep their precision. float32 squares can neither
    overflow nor underflow in float64; float64 columns of extreme magnitude are also
    divided by their largest deviation from the shift. Returns numpy float64 arrays.
    """
    total = float(np.sum(weight))
    n_cols = values.shape[1]
    if not total > 0 or values.shape[0] == 0:
        return np.zeros(n_cols), np.ones(n_cols)
    if not values.flags.c_contiguous:
        values = np.ascontiguousarray(values)
    with warnings.catch_warnings():
        # Read-only input (strided windows) is only read here.
        warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
        x = torch.from_numpy(values)
        w = torch.from_numpy(np.ascontiguousarray(weight, dtype=np.float64))
    index = None if rows is None else torch.from_numpy(np.asarray(rows, dtype=np.int64))
    n = x.shape[0] if index is None else index.shape[0]
    chunk = chunk or max(1, (1 << 19) // max(n_cols, 1))

    def blocks():
        for start in range(0, n, chunk):
            stop = start + chunk
            # torch's gather is threaded (numpy's fancy indexing is not).
            yield start, (x[start:stop] if index is None else x.index_select(0, index[start:stop]))

    shift = (x[0] if index is None else x[index[0]]).to(torch.float64)
    span = None
    if x.dtype == torch.float64:
        lo = hi = shift
        for _, block in blocks():
            b_lo, b_hi = torch.aminmax(block, dim=0)
            lo, hi = torch.minimum(lo, b_lo), torch.maximum(hi, b_hi)
        deviation = torch.maximum((hi - shift).abs(), (lo - shift).abs())
        if not 1e-100 < float(deviation.max()) < 1e100:
            span = deviation
            span[~(torch.isfinite(span) & (span > 0))] = 1.0
    s1 = torch.zeros(n_cols, dtype=torch.float64)
    s2 = torch.zeros(n_cols, dtype=torch.float64)
    for start, block in blocks():
        block = block.to(torch.float64, copy=True).sub_(shift)
        if span is not None:
            block.div_(span)
        wc = w[start : start + chunk]
        s1 += wc @ block
        s2 += wc @ block.square_()
    shift = shift.numpy()
    span = np.ones(n_cols) if span is None else span.numpy()
    m1 = s1.numpy() / total
    var = np.maximum(s2.numpy() / total - m1**2, 0.0)
    mean = m1 * span + shift
    scale = np.sqrt(var) * span
    scale[~(scale > 1e-12 * np.maximum(1.0, np.abs(mean)))] = 1.0
    return mean, scale


@contextlib.contextmanager
def seeded(seed, device="cpu"):
    """Run with torch seeded by ``seed``, leaving the caller's RNG state untouched."""
    devices = []
    if str(device).startswith("cuda") and torch.cuda.is_available():
        index = torch.device(device).index
        devices = [torch.cuda.current_device() if index is None else index]
    with torch.random.fork_rng(devices=devices):
        # Only the generators in use: torch.manual_seed would also queue lazy seeding
        # of every other backend (each recording a stack trace, ~2 ms a call).
        torch.default_generator.manual_seed(seed)
        for index in devices:
            with torch.cuda.device(index):
                torch.cuda.manual_seed(seed)
        yield


class SequenceDataset(Dataset):
    """Tensors over :class:`Sequences`, with vectorised batch gathering.

    Parameters
    ----------
    sequences : Sequences
        Dense or ragged input (shares memory with the numpy arrays).
    y : ndarray or None
        Targets: int64 class codes or float targets.
    sample_weight : ndarray or None
        Per-sample weights in the loss.
    """

    def __init__(self, sequences, y=None, sample_weight=None):
        values = sequences.values
        if not values.flags.writeable or not values.flags.c_contiguous:
            values = np.require(values, requirements=["C", "W"])
        self.X = torch.from_numpy(values)
        self.ragged = sequences.is_ragged
        if self.ragged:
            self.lengths = torch.from_numpy(sequences.lengths)
            self.offsets = torch.from_numpy(sequences.offsets)
        else:
            self.lengths = None
        self.y = None if y is None else torch.from_numpy(np.require(y, requirements=["C", "W"]))
        self.sample_weight = (
            None if sample_weight is None else torch.from_numpy(np.asarray(sample_weight))
        )

    def __len__(self):
        return self.lengths.shape[0] if self.ragged else self.X.shape[0]

    def __getitem__(self, i):
        return self.batch(torch.as_tensor([i]))

    def batch(self, index):
        """Gather the batch at ``index`` (a slice or a LongTensor) as ``(Xi, yi)``.

        ``Xi`` is the steps tensor itself when that is all there is (equal lengths,
        no weights), else a dict ``{"x", "lengths"?, "sample_weight"?}``: a bare
        tensor saves skorch a walk over the dict on every batch.
        """
        if not self.ragged:
            x, lengths = self.X[index], None
        else:
            if isinstance(index, slice):
                index = torch.arange(*index.indices(len(self)))
            lengths = self.lengths[index]
            longest = int(lengths.max())
            steps = torch.arange(longest)
            # Past its end a sequence repeats its last step; those steps are never read.
            pos = self.offsets[index, None] + torch.minimum(steps[None, :], lengths[:, None] - 1)
            x = self.X[pos]
            if int(lengths.min()) == longest:
                lengths = None
        yi = None if self.y is None else self.y[index]
        if lengths is None and self.sample_weight is None:
            return x, yi
        xi = {"x": x}
        if lengths is not None:
            xi["lengths"] = lengths
        if self.sample_weight is not None:
            xi["sample_weight"] = self.sample_weight[index]
        return xi, yi


def _unwrap(dataset):
    """Base dataset and index tensor (None for all rows in order) behind Subsets."""
    index = None
    while isinstance(dataset, Subset):
        sub = torch.as_tensor(np.asarray(dataset.indices), dtype=torch.long)
        index = sub if index is None else index[sub]
        dataset = dataset.dataset
    if index is not None:
        index = index.clone()
    return dataset, index


class BatchIterator:
    """Yield whole batches of a :class:`SequenceDataset` (or a Subset of one).

    Training (``shuffle=True``) shuffles, then sorts ragged sequences by length
    within chunks of ``32 * batch_size`` and shuffles the order of the batches.
    Evaluation keeps dense data in order; ragged subsets are visited in order of
    length (callers that need their own order pass a length-sorted Subset).
    """

    def __init__(self, dataset, batch_size=32, shuffle=False):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle

    def __len__(self):
        n = len(self.dataset)
        return (n + self.batch_size - 1) // self.batch_size

    def _index_batches(self, ds, index):
        n = len(ds) if index is None else index.shape[0]
        bs = self.batch_size
        if self.shuffle:
            perm = torch.randperm(n)
            index = perm if index is None else index[perm]
            if ds.ragged:
                lengths = ds.lengths[index]
                chunk = torch.arange(n) // (bs * _BUCKET_BATCHES)
                key = chunk * (int(lengths.max()) + 1) + lengths
                index = index[torch.argsort(key, stable=True)]
            batches = list(index.split(bs))
            if ds.ragged and len(batches) > 1:
                batches = [batches[i] for i in torch.randperm(len(batches)).tolist()]
            return batches
        if index is None:
            return [slice(i, min(i + bs, n)) for i in range(0, n, bs)]
        if ds.ragged:
            index = index[torch.argsort(ds.lengths[index], stable=True)]
        return list(index.split(bs))

    def __iter__(self):
        ds, index = _unwrap(self.dataset)
        for batch in self._index_batches(ds, index):
            yield ds.batch(batch)


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


class ScaledOutput(NamedTuple):
    """A training batch's outputs ``z`` of a module whose predictions are
    ``z * scale + location`` (``location`` and ``scale`` None: ``z`` themselves)."""

    z: torch.Tensor
    location: Optional[torch.Tensor]
    scale: Optional[torch.Tensor]


class SequenceNet(NeuralNet):
    """skorch's NeuralNet with sample weights and MLP's L2 penalty in the loss.

    A module with an ``output_scale(x, lengths)`` method has its outputs and
    targets divided by that per-sample scale in the loss. If it also has
    ``scaled_forward(x, lengths)`` returning ``(z, location, scale)``, training
    batches compare ``z`` with ``(y - location) / scale`` instead (the same loss,
    the scale computed once); ``y_pred`` of a training batch is then a
    :class:`ScaledOutput`.

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
        # (gradient clipping), optimizer step.
        if self.optimizer is not torch.optim.Adam:
            return super().train_step(batch, **fit_params)
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

    def infer(self, x, **fit_params):
        x = _module_inputs(x)
        if self.module_.training and getattr(type(self.module_), "scaled_forward", None):
            # Training a module whose forecasts are ``z * scale + location``: the
            # loss is measured on ``z``, so the scale is computed once, not again
            # for the loss (see get_loss). Evaluation and prediction get forecasts.
            return ScaledOutput(*_apply(self.module_.scaled_forward,
                                        to_tensor(x, device=self.device)))
        return super().infer(x, **fit_params)

    def _output_scale(self, X):
        # A network whose outputs live on a per-sample scale (forecasts in units of
        # each window) has the loss measured in that scale. (Looked up on the class:
        # a missing attribute of a module instance costs an exception per batch.)
        if getattr(type(self.module_), "output_scale", None) is None or X is None:
            return None
        return _apply(self.module_.output_scale, to_tensor(_module_inputs(X), self.device))

    def get_loss(self, y_pred, y_true, X=None, training=False):
        y_true = to_tensor(y_true, device=self.device)
        if isinstance(y_pred, ScaledOutput):
            y_pred, location, scale = y_pred
            if scale is not None:
                # (z * scale + location - y) / scale, with z as the module gave it.
                y_true = (y_true - location) / scale
        else:
            scale = self._output_scale(X)
            if scale is not None:
                y_pred, y_true = y_pred / scale, y_true / scale
        weight = X.get("sample_weight") if isinstance(X, dict) else None
        if weight is None:
            # Every sample has as many loss terms, so the criterion's own mean of all
            # terms is the mean of the per-sample means; its fused reduction has a
            # much cheaper backward pass than reducing an unreduced loss.
            mean, denom = self.criterion_(y_pred, y_true), y_pred.shape[0]
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
        return mean + 0.5 * self.alpha * squares / denom


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

    skorch ends training by raising ``KeyboardInterrupt`` and swallowing it; the flag
    lets the estimator tell its own stop from a user's Ctrl-C.
    """

    def __init__(self, *args, min_steps=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.min_steps = min_steps

    def on_train_begin(self, net, **kwargs):
        self.stopped_ = False
        self.missed_steps_ = 0
        return super().on_train_begin(net, **kwargs)

    def on_epoch_end(self, net, **kwargs):
        current = net.history[-1, self.monitor]
        steps = sum("train_loss" in b for b in net.history[-1]["batches"])
        if self._is_score_improved(current):
            self.misses_ = self.missed_steps_ = 0
            self.dynamic_threshold_ = self._calc_new_threshold(current)
            self.best_epoch_ = net.history[-1, "epoch"]
            if self.load_best:
                self.best_model_weights_ = deepcopy(net.module_.state_dict())
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


def _training_params(est, valid_dataset, score_kind):
    """The skorch settings that follow the estimator's training parameters.

    Applied when the net is built and again before every warm-started fit or
    ``partial_fit``, so that a changed ``learning_rate_init``, ``alpha``,
    ``max_grad_norm``, ``shuffle``, ``early_stopping``, ``tol``, ``n_iter_no_change``
    or ``verbose`` takes effect as in scikit-learn's MLP.

    ``score_kind`` is what early stopping watches (see :class:`ValidationScore`).
    With ``verbose``, a terminal gets skorch's progress bar (on stderr, where tqdm
    writes) and coloured table; a file or a pipe gets plain lines, one per epoch.
    """
    monitor = "valid_score" if valid_dataset is not None else "train_loss"
    stopper = StoppingCriterion(
        monitor=monitor,
        patience=est.n_iter_no_change + 1,
        min_steps=STEPS_PER_EPOCH_NO_CHANGE * est.n_iter_no_change
        if getattr(est, "_counts_steps", False) else 0,
        threshold=est.tol,
        threshold_mode="abs",
        lower_is_better=valid_dataset is None,
        load_best=valid_dataset is not None,
        sink=print if est.verbose else _silent,
    )
    callbacks = [("stopping", stopper)]
    if valid_dataset is not None:
        callbacks.insert(0, ("valid_score", ValidationScore(score_kind)))
    if est.max_grad_norm is not None:
        callbacks.append(("clip", GradientNormClipping(est.max_grad_norm)))
    if est.verbose and _is_terminal(sys.stderr):
        callbacks.append(("progress", ProgressBar()))
    callbacks.extend(reliability_callbacks(est))
    print_log = None
    if est.verbose:
        print_log = PrintLog() if _is_terminal(sys.stdout) else PlainPrintLog()
    return dict(
        lr=est.learning_rate_init,
        alpha=est.alpha,
        max_epochs=None if est.max_iter == "auto" else est.max_iter,
        iterator_train__shuffle=est.shuffle,
        train_split=predefined_split(valid_dataset) if valid_dataset is not None else None,
        callbacks=callbacks,
        callbacks__print_log=print_log,
    )


def build_net(
    *,
    module,
    module_kwargs,
    criterion,
    score_kind,
    est,
    batch_size,
    device,
    valid_dataset=None,
):
    """Build the skorch net for an estimator's current parameters."""
    # numpy scalars (a grid built with np.arange, say) pass the parameter checks
    # (Integral, Real) but torch's layers take only Python numbers.
    module_kwargs = {
        k: v.item() if isinstance(v, np.generic) else v for k, v in module_kwargs.items()
    }
    if "dtype" in module_kwargs:
        module_kwargs["dtype"] = torch_dtype(module_kwargs["dtype"])
    module_kwargs = {f"module__{k}": v for k, v in module_kwargs.items()}
    fused = {"optimizer__fused": True} if _fused_adam_ok(device, module_kwargs) else {}
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
        **_training_params(est, valid_dataset, score_kind),
        **fused,
        **module_kwargs,
    )


def update_training(net, est, batch_size, valid_dataset=None):
    """Give an initialized net the estimator's current training parameters.

    The network's weights, the optimizer's state (Adam's moments and step count)
    and the history are kept, so training goes on where it stopped; the learning
    rate, the penalty, clipping, shuffling, early stopping and verbosity are the
    estimator's current ones.
    """
    for key, value in _training_params(est, valid_dataset, est._score_kind).items():
        setattr(net, key, value)
    net.batch_size = batch_size
    net.initialize_callbacks()
    for group in net.optimizer_.param_groups:
        group["lr"] = est.learning_rate_init


def _fused_adam_ok(device, module_kwargs):
    # One fused kernel per step instead of a Python loop over parameters (~15% of a
    # step on small models); available on CPU and CUDA for float32/float64.
    dtype = module_kwargs.get("module__dtype", torch.float32)
    return str(device).split(":")[0] in ("cpu", "cuda") and dtype in _TORCH_DTYPES.values()


def torch_dtype(name):
    return _TORCH_DTYPES[name]


@translate_out_of_memory
def train(net, dataset, epochs, seed, owner=None, valid_scorer=None):
    """Train ``net`` for up to ``epochs`` epochs; return whether it stopped early.

    ``valid_scorer``: the function of no argument that gives the validation score
    each epoch, when early stopping watches a scorer (see :class:`ValidationScore`).

    A ``KeyboardInterrupt`` from the user (not from early stopping) is re-raised
    after training ends cleanly, so the net keeps the weights of the last epoch.
    """
    n_before = len(net.history)
    callbacks = dict(net.callbacks_)
    if owner is not None:
        # Callbacks that update or save the estimator hold it weakly; rebind after
        # unpickling or cloning.
        for _, cb in net.callbacks_:
            if hasattr(cb, "bind"):
                cb.bind(owner)
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


def _ordered(sequences):
    """A dataset over ``sequences`` visited by length, and the order used (or None)."""
    dataset = SequenceDataset(sequences)
    if not sequences.is_ragged:
        return dataset, None
    order = np.argsort(sequences.lengths, kind="stable")
    return Subset(dataset, order), order


def _evaluate(net, dataset, fn, batch_size=None):
    """Yield ``fn(**Xi)`` per evaluation batch, as skorch's evaluation step does it.

    The module is put in eval mode and run without autograd; inputs are moved with
    skorch's ``to_tensor``. No DataLoader and no per-call parameter parsing, so a
    single sequence costs little more than the module's own forward.
    """
    if net.module_.training:
        net.module_.eval()
    with torch.inference_mode():
        for xi, _ in BatchIterator(dataset, batch_size=batch_size or inference_batch_size(net)):
            yield _apply(fn, to_tensor(xi, device=net.device)).cpu()


@translate_out_of_memory
def forward(net, sequences, batch_size=None):
    """Network outputs for ``sequences`` as a numpy array, in input order."""
    dataset, order = _ordered(sequences)
    outs = list(_evaluate(net, dataset, net.module_.forward, batch_size))
    out = (outs[0] if len(outs) == 1 else torch.cat(outs)).numpy()
    if order is not None:
        restored = np.empty_like(out)
        restored[order] = out
        out = restored
    return out


@translate_out_of_memory
def attention(net, sequences, batch_size=None):
    """Attention weights ``(n_samples, max_length)``, zero on padding, input order."""
    dataset, order = _ordered(sequences)
    result = None
    start = 0
    for w in _evaluate(net, dataset, net.module_.attention, batch_size):
        if result is None:
            result = np.zeros((len(sequences), sequences.max_length), dtype=w.numpy().dtype)
        rows = np.arange(start, start + w.shape[0])
        result[rows if order is None else order[rows], : w.shape[1]] = w.numpy()
        start += w.shape[0]
    return result
