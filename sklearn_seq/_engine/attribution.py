"""Attributions of a network's output to its input steps, computed by captum.

The network is run on groups of sequences of one length, with no padding, so the
attribution of a sequence never depends on the batch it came in. Numeric input is
attributed directly (the network standardises it itself, so attributions are in
the units of the input); token ids go through the embedding layers (captum's
layer integrated gradients), and a token's score sums over the embedding's width.
"""

import contextlib
import warnings

import numpy as np
import torch
from skorch.utils import to_tensor

from ..nn._anomaly import squared_distance
from .net import inference_batch_size, translate_out_of_memory

_EXTRA = 'pip install captum (or pip install "sklearn-seq[explain]")'

METHODS = ("integrated_gradients", "occlusion")


def _captum_attr():
    try:
        from captum import attr
    except ImportError as exc:
        raise ImportError(f"Attributions need captum: {_EXTRA}.") from exc
    return attr


class _Explained(torch.nn.Module):
    """The value explained for each sample: the module's output (its first element
    for a tuple; at step ``step`` for a network with an output per step), as a
    probability (softmax) or times ``scale``; with ``distance`` (a location and a
    precision matrix), minus the squared Mahalanobis distance of the module's
    ``summary`` from the location (the anomaly detector's state score)."""

    def __init__(self, module, probability, scale, step=None, distance=None):
        super().__init__()
        self.module = module
        self.probability = probability
        self.scale = scale
        self.step = step
        self.distance = distance

    def forward(self, x):
        if self.distance is not None:
            return -squared_distance(self.module.summary(x), *self.distance)
        out = self.module(x)
        out = out[0] if isinstance(out, tuple) else out
        if self.step is not None:
            out = out[:, self.step]
        if self.probability:
            return torch.softmax(out, dim=1)
        return out * self.scale


def _embedding_layers(module):
    """The layers that read a text network's token ids (None: numeric): the
    embeddings, and the subword and bag-of-words tables where it has them."""
    embedding = getattr(module, "embedding", None)
    if embedding is None:
        return None
    extra = (getattr(module, name, None) for name in ("subword", "bag"))
    return [embedding, *(layer for layer in extra if layer is not None)]


def _attribute_batch(explained, x, base, target, *, method, n_steps, window, layers):
    """Attributions of one batch of equal-length sequences, shaped like ``x``
    (numeric) or ``(batch, time)`` (token ids)."""
    attr = _captum_attr()
    if method == "occlusion":
        shape = (min(window[0], x.shape[1]), x.shape[2] if layers else min(window[1], x.shape[2]))
        out = attr.Occlusion(explained).attribute(
            x, sliding_window_shapes=shape, strides=shape, baselines=base, target=target,
            perturbations_per_eval=max(1, 128 // len(x)))
        return out[..., 0] if layers else out
    if layers is None:
        return attr.IntegratedGradients(explained).attribute(
            x, baselines=base, target=target, n_steps=n_steps,
            internal_batch_size=max(len(x), 128))
    with warnings.catch_warnings():
        # Its warning for several layers asks that none reads another's output: the
        # token, subword and bag-of-words tables each read the ids.
        warnings.filterwarnings("ignore", "Multiple layers provided", UserWarning)
        lig = attr.LayerIntegratedGradients(explained, layers if len(layers) > 1 else layers[0])
    out = lig.attribute(x, baselines=base, target=target, n_steps=n_steps,
                        internal_batch_size=max(len(x), 128))
    out = out if isinstance(out, list) else [out]
    # The subword layer's output has one row per step of the batch: (batch * time, width).
    return sum(o.reshape(x.shape[0], x.shape[1], -1).sum(dim=-1) for o in out)


def _groups(sequences, batch_size):
    """Rows of ``sequences`` in groups of one length, at most ``batch_size`` each."""
    n = sequences.n_samples
    if not sequences.is_ragged:
        for start in range(0, n, batch_size):
            yield np.arange(start, min(start + batch_size, n))
        return
    for length in np.unique(sequences.lengths):
        rows = np.flatnonzero(sequences.lengths == length)
        for start in range(0, len(rows), batch_size):
            yield rows[start : start + batch_size]


def _steps(sequences, rows):
    """The steps of ``rows`` (all of one length) as one ``(rows, time, features)`` array."""
    if not sequences.is_ragged:
        return sequences.values[rows]
    length = sequences.lengths[rows[0]]
    index = sequences.offsets[rows][:, None] + np.arange(length)[None, :]
    return sequences.values[index]


@translate_out_of_memory
def attribute(net, sequences, columns, baseline, *, method="integrated_gradients",
              probability=False, scale=1.0, step=None, n_steps=50, window=(1, 1),
              batch_size=None, distance=None):
    """Attributions of ``net``'s output for ``sequences``, one array per sequence.

    Parameters
    ----------
    net : the fitted skorch net.
    sequences : Sequences (numeric steps, or token ids for a text network).
    columns : ndarray of int or None
        The output column explained for each sample; None for a network whose
        output is one value per sample.
    baseline : "mean" or ndarray of shape (n_features,)
        The step that stands for "no information": ``"mean"``, the network's
        input mean (its standardisation's centre; zero without one). Token ids
        always use the unknown token, 0.
    probability, scale
        Explain the softmax of the output (classifiers) or the output times
        ``scale`` (regressors in the units of their target).
    distance : (ndarray, ndarray) or None
        A location and a precision matrix: explain minus the squared Mahalanobis
        distance of the module's ``summary`` from the location instead.
    step : int or None
        For a network with an output per step (a tagger), the output step
        explained (negative: from the end); each sequence must have it.
    n_steps : int
        Points on the integration path of integrated gradients.
    window : (int, int)
        Steps and features occluded together (text: steps; a step's features
        always go together).

    Returns
    -------
    attributions : list of ndarray
        ``(length, n_features)`` per numeric sequence, ``(length,)`` per document.
    explained, at_baseline : ndarray of shape (n_samples,)
        The explained value for each sample and for its baseline input.
    """
    module = net.module_
    module.eval()
    if distance is not None:
        distance = tuple(torch.as_tensor(a, dtype=torch.float64, device=net.device)
                         for a in distance)
    explained = _Explained(module, probability, scale, step, distance)
    layers = _embedding_layers(module)
    if isinstance(baseline, str):
        mean = getattr(module, "input_mean", None)
        baseline = 0.0 if mean is None else mean.detach().cpu().numpy()
    result = [None] * sequences.n_samples
    values = np.empty((2, sequences.n_samples))
    batch_size = batch_size or min(inference_batch_size(net), 32)
    # cuDNN's recurrent kernels compute gradients only in training mode.
    flags = (torch.backends.cudnn.flags(enabled=False) if str(net.device).startswith("cuda")
             else contextlib.nullcontext())
    with flags:
        for rows in _groups(sequences, batch_size):
            steps = _steps(sequences, rows)
            if layers is None:
                x = to_tensor(np.ascontiguousarray(steps), device=net.device)
                base = torch.broadcast_to(torch.as_tensor(baseline, dtype=x.dtype,
                                                          device=x.device), x.shape)
            else:
                # Float ids, so that occlusion can mix them with the baseline.
                x = torch.as_tensor(steps.astype(np.float64), device=net.device)
                base = torch.zeros_like(x)
                if x.dim() == 3:
                    # Token ids with features of each token (the tagger's shapes): the
                    # baseline replaces the id only, so the features keep their value.
                    base[..., 1:] = x[..., 1:]
            base = base.contiguous()
            target = None if columns is None else columns[rows].tolist()
            out = _attribute_batch(explained, x, base, target, method=method,
                                   n_steps=n_steps, window=window, layers=layers)
            out = out.detach().cpu().numpy().astype(np.float64)
            with torch.no_grad():
                for k, inputs in enumerate((x, base)):
                    value = explained(inputs)
                    if columns is not None:
                        value = value[torch.arange(len(rows)), torch.as_tensor(target)]
                    values[k, rows] = value.cpu().numpy()
            for i, r in enumerate(rows):
                result[r] = out[i]
    return result, values[0], values[1]
