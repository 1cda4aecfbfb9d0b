"""Recurrent encoders, pooling and the sequence network behind the estimators.

Variable lengths are exact without packing: a batch is padded at the end to its own
longest sequence, the forward direction is read at each sequence's last real step,
and the backward direction runs on each sequence reversed within its own length, so
padding never reaches a real step. A GPU runs the same padded batches: on an H200,
with cuDNN's packed sequences instead, a ragged fit took 3.2 times one on equal
lengths with the same steps, where padding every batch to the longest sequence of
all took 1.4 times (``benchmarks/bench_ragged.py --device cuda``). A GRU on
the CPU runs through ``sklearn_seq.nn._gru``, which computes ``nn.GRU``'s numbers on
its parameters in less time than torch's own CPU kernel.
"""

import math

import torch
from torch import nn
from torch.nn import functional as F

from ._gru import gru_forward, uses_gru_kernel

__all__ = [
    "ConvFrontEnd",
    "MaskedBatchNorm1d",
    "RecurrentEncoder",
    "SequencePooling",
    "SequenceNetwork",
    "reverse_padded",
    "length_mask",
]

_CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def length_mask(lengths, max_length):
    """Boolean ``(batch, max_length)`` mask, True on real steps."""
    steps = torch.arange(max_length, device=lengths.device)
    return steps[None, :] < lengths[:, None]


def reverse_padded(x, lengths):
    """Reverse each sequence of ``x`` (batch, time, ...) within its own length.

    Padding steps stay where they are::

        x        a b c _ _        lengths 3
        reversed c b a _ _
    """
    if lengths is None:
        return torch.flip(x, dims=(1,))
    steps = torch.arange(x.shape[1], device=x.device)[None, :]
    lengths = lengths.to(x.device)[:, None]
    index = torch.where(steps < lengths, lengths - 1 - steps, steps)
    index = index.view(*index.shape, *([1] * (x.dim() - 2))).expand_as(x)
    return torch.gather(x, 1, index)


def _init_forget_bias(rnn, cell, value=1.0):
    # A forget-gate bias of 1 lets gradients reach far back from the start of
    # training (Jozefowicz et al., 2015); torch's default of 0 forgets quickly.
    # The GRU's update gate (second block, z in h' = (1 - z) n + z h) gets the same.
    if cell == "rnn":
        return
    blocks = 4 if cell == "lstm" else 3
    for name, param in rnn.named_parameters():
        if name.startswith("bias_ih"):
            hidden = param.shape[0] // blocks
            with torch.no_grad():
                param[hidden : 2 * hidden].fill_(value)
                getattr(rnn, name.replace("bias_ih", "bias_hh"))[hidden : 2 * hidden].zero_()


class MaskedBatchNorm1d(nn.BatchNorm1d):
    """``nn.BatchNorm1d`` over ``(batch, channels, time)`` whose training
    statistics leave out padding steps.

    With a ``mask`` (``(batch, 1, time)``, 1 on real steps) the batch mean and
    variance are those of the real steps only, and the running statistics are
    updated from them, so padding never shifts the normalisation. In evaluation
    mode every step is normalised with the running statistics alone: a
    sequence's output does not depend on the batch it is predicted in.
    """

    def forward(self, h, mask=None):
        if mask is None or not self.training:
            return super().forward(h)
        n = mask.sum()
        mean = (h * mask).sum(dim=(0, 2)) / n
        var = (((h - mean[:, None]) * mask) ** 2).sum(dim=(0, 2)) / n
        with torch.no_grad():
            self.num_batches_tracked += 1
            # unbiased running variance, as nn.BatchNorm1d keeps
            unbiased = var * n / (n - 1).clamp(min=1)
            self.running_mean.lerp_(mean, self.momentum)
            self.running_var.lerp_(unbiased, self.momentum)
        scale = self.weight * torch.rsqrt(var + self.eps)
        return (h - mean[:, None]) * scale[:, None] + self.bias[:, None]


class MaskedSequenceNorm1d(nn.Module):
    """Normalisation of each sequence on its own over ``(channels, time)``: the
    mean and variance of one sequence's features over all channels and its real
    steps (padding left out), then a learnt scale and shift per channel
    (``nn.GroupNorm`` with one group, masked). No batch statistics: training and
    prediction compute the same thing, whatever the batch.
    """

    def __init__(self, channels, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, h, mask=None):
        if mask is None:
            mean = h.mean(dim=(1, 2), keepdim=True)
            var = h.var(dim=(1, 2), unbiased=False, keepdim=True)
        else:
            n = mask.sum(dim=(1, 2), keepdim=True) * h.shape[1]
            mean = (h * mask).sum(dim=(1, 2), keepdim=True) / n
            var = (((h - mean) * mask) ** 2).sum(dim=(1, 2), keepdim=True) / n
        h = (h - mean) * torch.rsqrt(var + self.eps)
        return h * self.weight[:, None] + self.bias[:, None]


class ConvFrontEnd(nn.Module):
    """One-dimensional convolutions over time (ReLU after each) before the recurrent
    layers, as in LSTM-FCN and CNN-LSTM models: they turn raw values into local
    shape features, which recurrent layers alone learn slowly on long series.
    With ``norm="batch"`` each convolution is followed by batch normalisation
    (before its ReLU), as in the fully convolutional classifiers (FCN). With
    ``stride > 1`` the features are max-pooled over blocks of ``stride`` steps,
    so the recurrent layers run over ``ceil(length / stride)`` steps.

    Exact on padded batches: each convolution keeps the length ("same" padding)
    and sees zeros beyond a sequence's last real step, as it would on the sequence
    alone, because padding steps are set to zero before every convolution; batch
    normalisation leaves padding out of its statistics
    (:class:`MaskedBatchNorm1d`); the features are non-negative (ReLU) and zero on
    padding, so a block that ends in padding has the maximum of its real steps.

    Parameters
    ----------
    input_size : int
        Features per time step.
    channels : sequence of int
        Output channels of each convolution; empty: no convolution (the input
        passes unchanged).
    kernel_size : int or sequence of int
        Width of the convolutions in time steps: one for all, or one per layer.
    stride : int
        Steps per output step (max pooling after the last convolution).
    norm : {None, "batch"}
        Normalisation after each convolution.
    """

    def __init__(self, input_size, channels=(), kernel_size=5, stride=1, norm=None):
        super().__init__()
        channels = tuple(channels or ())
        kernels = (
            (kernel_size,) * len(channels) if isinstance(kernel_size, int) else tuple(kernel_size)
        )
        if channels and len(kernels) != len(channels):
            raise ValueError(
                f"kernel_size has {len(kernels)} values for {len(channels)} convolutions; "
                "give one value, or one per value of conv_channels."
            )
        sizes = (input_size, *channels)
        self.convs = nn.ModuleList(
            nn.Conv1d(sizes[i], sizes[i + 1], k, padding="same")
            for i, k in enumerate(kernels[: len(channels)])
        )
        # Absent (not an empty list) without normalisation: the weights of networks
        # saved before it existed keep their names.
        norm_class = {"batch": MaskedBatchNorm1d, "layer": MaskedSequenceNorm1d}.get(norm)
        self.norms = (
            nn.ModuleList(norm_class(c) for c in channels) if norm_class is not None else None
        )
        self.stride = stride if channels else 1
        self.output_size = sizes[-1]

    def features(self, x, lengths=None):
        """``x`` (batch, time, features) to ``(h, mask)``: the last convolution's
        features ``h`` (batch, output_size, time), zero on padding, and the mask
        (batch, 1, time) of real steps (None without ``lengths``)."""
        mask = None
        if lengths is not None:
            mask = length_mask(lengths.to(x.device), x.shape[1]).unsqueeze(1).to(x.dtype)
        h = x.transpose(1, 2)
        for i, conv in enumerate(self.convs):
            h = conv(h if mask is None else h * mask)
            if self.norms is not None:
                h = self.norms[i](h, mask)
            h = F.relu(h)
        return (h if mask is None else h * mask), mask

    def forward(self, x, lengths=None):
        """``x`` (batch, time, features) to ``(h, lengths)``: ``h`` (batch,
        ceil(time / stride), output_size) and the sequences' lengths in its steps."""
        if not len(self.convs):
            return x, lengths
        h, _ = self.features(x, lengths)
        return self.downsample(h, lengths)

    def downsample(self, h, lengths=None):
        """Features ``(batch, output_size, time)`` from :meth:`features` to the
        recurrent layers' input ``(h, lengths)``, as :meth:`forward` returns."""
        if self.stride > 1:
            h = F.max_pool1d(h, self.stride, ceil_mode=True)
            if lengths is not None:
                lengths = torch.div(lengths + self.stride - 1, self.stride, rounding_mode="floor")
        return h.transpose(1, 2), lengths

    def spread(self, weights, length, lengths=None):
        """Weights over the output steps ``(batch, steps)`` back over ``length``
        input steps: each block's weight shared equally among its real steps
        (zero on padding), so weights that sum to 1 still do."""
        if self.stride == 1:
            return weights
        steps = torch.arange(length, device=weights.device)
        ends = torch.full((weights.shape[0], 1), length, device=weights.device)
        if lengths is not None:
            ends = lengths.to(weights.device)[:, None]
        start = (steps // self.stride) * self.stride
        size = (torch.minimum(start + self.stride, ends) - start).clamp(min=1)
        spread = torch.repeat_interleave(weights, self.stride, dim=1)[:, :length]
        return torch.where(steps < ends, spread / size, torch.zeros_like(spread))


class RecurrentEncoder(nn.Module):
    """A stack of RNN/LSTM/GRU layers that is exact on padded batches.

    Parameters
    ----------
    input_size : int
        Features per time step.
    hidden_size : int
        Hidden units per direction.
    num_layers : int
        Stacked layers.
    cell : {"lstm", "gru", "rnn"}
        The recurrent cell.
    bidirectional : bool
        Add a backward direction; outputs are then ``2 * hidden_size`` wide.
    dropout : float
        Dropout between stacked layers.
    """

    def __init__(
        self,
        input_size,
        hidden_size,
        num_layers=1,
        cell="lstm",
        bidirectional=False,
        dropout=0.0,
    ):
        super().__init__()
        rnn_cls = _CELLS[cell]
        self.bidirectional = bidirectional
        self.output_size = hidden_size * (2 if bidirectional else 1)
        if not bidirectional:
            self.forward_rnn = rnn_cls(
                input_size,
                hidden_size,
                num_layers=num_layers,
                batch_first=True,
                dropout=dropout if num_layers > 1 else 0.0,
            )
            _init_forget_bias(self.forward_rnn, cell)
            self.layers = None
        else:
            self.layers = nn.ModuleList()
            for i in range(num_layers):
                size = input_size if i == 0 else 2 * hidden_size
                pair = nn.ModuleList(
                    [rnn_cls(size, hidden_size, batch_first=True) for _ in range(2)]
                )
                for rnn in pair:
                    _init_forget_bias(rnn, cell)
                self.layers.append(pair)
            self.inter_dropout = nn.Dropout(dropout)

    @staticmethod
    def _run(rnn, x, lengths):
        """Outputs of ``rnn`` on ``x``, and its final state when no padding came after
        any sequence's last step (its top layer's; None otherwise). The outputs at a
        sequence's real steps never read its padding (the run is causal)."""
        out, state = gru_forward(rnn, x) if uses_gru_kernel(rnn, x) else rnn(x)
        if lengths is not None:
            return out, None
        # The final state is the last step's output; taken from the state, its
        # gradient reaches the cell directly instead of through a zero tensor the
        # size of all outputs (the backward pass of indexing the last step).
        return out, (state[0] if isinstance(state, tuple) else state)[-1]

    def forward(self, x, lengths=None):
        """Encode ``x`` (batch, time, features).

        Returns
        -------
        outputs : Tensor (batch, time, output_size)
            The state at every step (both directions aligned to the input steps).
        last : Tensor (batch, output_size)
            The summary of each sequence: the forward state at its last real step,
            concatenated with the backward state at its first step.
        """
        if self.layers is None:
            outputs, final = self._run(self.forward_rnn, x, lengths)
            return outputs, self._last(outputs, lengths) if final is None else final
        h = x
        for i, (fwd, bwd) in enumerate(self.layers):
            if i:
                h = self.inter_dropout(h)
            out_f, final_f = self._run(fwd, h, lengths)
            out_b, final_b = self._run(bwd, reverse_padded(h, lengths), lengths)
            h = torch.cat([out_f, reverse_padded(out_b, lengths)], dim=-1)
        half = h.shape[-1] // 2
        if final_f is None:
            # Padded: the forward state at each sequence's own last step, and the
            # backward state at the first step (where its run over the sequence ends).
            final_f, final_b = self._last(h[..., :half], lengths), h[:, 0, half:]
        return h, torch.cat([final_f, final_b], dim=-1)

    @staticmethod
    def _last(outputs, lengths):
        if lengths is None:
            return outputs[:, -1]
        index = (lengths.to(outputs.device) - 1).view(-1, 1, 1).expand(-1, 1, outputs.shape[-1])
        return outputs.gather(1, index).squeeze(1)


class SequencePooling(nn.Module):
    """Summarise encoder states over time: ``"last"``, ``"mean"``, ``"max"`` or
    ``"attention"`` (additive attention whose weights sum to 1 over real steps).
    """

    def __init__(self, size, pooling="last"):
        super().__init__()
        self.pooling = pooling
        if pooling == "attention":
            self.score = nn.Sequential(nn.Linear(size, size), nn.Tanh(), nn.Linear(size, 1))

    def forward(self, outputs, last, lengths=None):
        """Return ``(summary, attention_weights or None)``."""
        if self.pooling == "last":
            return last, None
        mask = (
            None if lengths is None else length_mask(lengths.to(outputs.device), outputs.shape[1])
        )
        if self.pooling == "mean":
            if mask is None:
                return outputs.mean(dim=1), None
            m = mask.unsqueeze(-1).to(outputs.dtype)
            return (outputs * m).sum(dim=1) / m.sum(dim=1), None
        if self.pooling == "max":
            if mask is not None:
                outputs = outputs.masked_fill(~mask.unsqueeze(-1), float("-inf"))
            return outputs.max(dim=1).values, None
        # v . tanh(W h + b) + c through tanh(a) = 2 sigmoid(2a) - 1, the factors
        # folded into the small weights (torch's CPU tanh is several times slower
        # than its sigmoid; as in the forecaster's AdditiveAttention). The constant
        # -sum(v) is the same for every step and cancels in the softmax.
        hidden, score = self.score[0], self.score[2]
        pre = F.linear(outputs, 2 * hidden.weight, 2 * hidden.bias)
        scores = F.linear(torch.sigmoid(pre), 2 * score.weight, score.bias).squeeze(-1)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        weights = torch.softmax(scores, dim=1)
        return torch.bmm(weights.unsqueeze(1), outputs).squeeze(1), weights


def register_standardization(module, input_size, mean=None, scale=None):
    """Give ``module`` fixed ``input_mean``/``input_scale`` buffers (saved with it)."""
    mean = torch.zeros(input_size) if mean is None else torch.as_tensor(mean)
    scale = torch.ones(input_size) if scale is None else torch.as_tensor(scale)
    module.register_buffer("input_mean", mean.clone())
    module.register_buffer("input_scale", scale.clone())


class _PooledReadout(nn.Module):
    """Forward pass and attention read-out shared by networks whose ``encode(x,
    lengths)`` returns ``(summary, attention weights or None)`` and that have a
    ``dropout`` and a ``head``."""

    # the share of the steps a submodule runs over (nn._cost): the head, once a
    # sequence
    _step_rates = {"head": 0.0}

    def forward(self, x, lengths=None):
        summary, _ = self.encode(x, lengths)
        return self.head(self.dropout(summary))

    def attention(self, x, lengths=None):
        """Attention weights ``(batch, time)``; zero on padding steps."""
        _, weights = self.encode(x, lengths)
        if weights is None:
            raise ValueError("attention weights exist only with pooling='attention'")
        return weights


def _member_front_end(conv_norm, kernel_size, batch_kernel_size, i):
    """The normalisation and kernel widths of an ensemble's member ``i``:
    ``"mixed"`` alternates per-sequence normalisation with ``kernel_size`` (even
    members) and batch normalisation with ``batch_kernel_size`` (odd members;
    None: ``kernel_size``)."""
    if conv_norm != "mixed":
        return conv_norm, kernel_size
    if i % 2 == 0:
        return "layer", kernel_size
    return "batch", kernel_size if batch_kernel_size is None else batch_kernel_size


class SequenceNetwork(_PooledReadout):
    """Standardise inputs, encode, pool, and map to ``n_outputs`` with a linear head.

    Parameters
    ----------
    input_size : int
        Features per step.
    n_outputs : int
        Width of the head (classes, regression targets, horizon x quantiles).
    hidden_size, num_layers, cell, bidirectional, dropout
        As in :class:`RecurrentEncoder`; ``dropout`` also applies before the head.
    pooling : {"last", "mean", "max", "attention"}
        How the sequence is summarised.
    conv_channels, kernel_size, conv_stride, conv_norm
        The convolutions before the recurrent layers, their pooling and
        normalisation (see :class:`ConvFrontEnd`); ``conv_channels=()``: none.
    conv_branch : bool
        With convolutions: the mean of their features over each sequence's real
        steps (global average pooling, as in the fully convolutional branch of
        LSTM-FCN) is concatenated with the recurrent summary before the head.
        In training the convolutions then learn through this branch alone: the
        recurrent layers read their features without passing a gradient back
        (the two paths of LSTM-FCN stay apart; the recurrent layers' gradient
        otherwise pulls the convolutions towards features that fit the training
        set). Outside training the gradient flows through both paths, so
        attributions see the whole network.
    input_mean, input_scale : array-like of shape (input_size,), optional
        Fixed standardisation applied to every step (buffers, saved with the weights).
    dtype : torch.dtype
        Parameter dtype, fixed at construction.
    n_estimators : int, default=1
        Above 1, an ensemble of classifiers: that many networks of these
        arguments (in ``members``), each with weights of its own. In training the
        output is every member's logits, ``(batch, n_outputs, n_estimators)``, so
        each member learns from its own loss, as if trained alone; otherwise it is
        the logarithm of the members' mean probabilities (a softmax of it gives
        that mean). With ``conv_norm="mixed"`` the members alternate per-sequence
        and batch normalisation, the first with per-sequence normalisation.
    batch_kernel_size : int or sequence of int, optional
        With ``conv_norm="mixed"``: the kernel widths of the batch-normalised
        members (None: ``kernel_size``, as all the others).
    """

    def __init__(
        self,
        input_size,
        n_outputs,
        hidden_size=64,
        num_layers=1,
        cell="lstm",
        bidirectional=False,
        dropout=0.0,
        pooling="last",
        conv_channels=(),
        kernel_size=5,
        conv_stride=1,
        conv_norm=None,
        conv_branch=False,
        input_mean=None,
        input_scale=None,
        dtype=torch.float32,
        n_estimators=1,
        batch_kernel_size=None,
    ):
        super().__init__()
        register_standardization(self, input_size, input_mean, input_scale)
        if n_estimators > 1:
            # the members read the standardised steps
            kwargs = dict(
                input_size=input_size, n_outputs=n_outputs, hidden_size=hidden_size,
                num_layers=num_layers, cell=cell, bidirectional=bidirectional,
                dropout=dropout, pooling=pooling, conv_channels=conv_channels,
                conv_stride=conv_stride, conv_branch=conv_branch, dtype=dtype,
            )
            self.members = nn.ModuleList()
            for i in range(n_estimators):
                norm, kernels = _member_front_end(conv_norm, kernel_size, batch_kernel_size, i)
                self.members.append(SequenceNetwork(**kwargs, conv_norm=norm,
                                                    kernel_size=kernels))
            return
        self.members = None
        conv_norm, kernel_size = _member_front_end(conv_norm, kernel_size, None, 0)
        self.conv = ConvFrontEnd(input_size, conv_channels, kernel_size, conv_stride, conv_norm)
        self.encoder = RecurrentEncoder(
            self.conv.output_size, hidden_size, num_layers, cell, bidirectional, dropout
        )
        self.pooling = SequencePooling(self.encoder.output_size, pooling)
        self.dropout = nn.Dropout(dropout)
        self.conv_branch = bool(conv_branch and conv_channels)
        width = self.encoder.output_size + (self.conv.output_size if self.conv_branch else 0)
        self.head = nn.Linear(width, n_outputs)
        self.to(dtype)

    def __setstate__(self, state):
        super().__setstate__(state)
        if "members" not in self.__dict__ and "members" not in self._modules:
            self.members = None  # pickled before ensembles existed: one network

    @property
    def _step_rates(self):
        """The head runs once a sequence, the recurrent layers over one step in
        ``conv_stride`` (``nn._cost``); an ensemble's members say their own."""
        if self.members is not None:
            return {}
        return {"head": 0.0, "encoder": 1.0 / self.conv.stride}

    def forward(self, x, lengths=None):
        if self.members is None:
            return super().forward(x, lengths)
        x = (x - self.input_mean) / self.input_scale
        logits = torch.stack([member(x, lengths) for member in self.members], dim=-1)
        if self.training:
            return logits
        # log of the mean probability: logsumexp of the log-probabilities - log(k)
        return torch.logsumexp(F.log_softmax(logits, dim=1), dim=-1) - math.log(
            len(self.members))

    def attention(self, x, lengths=None):
        """Attention weights ``(batch, time)``; zero on padding steps (an ensemble's:
        the mean of its members')."""
        if self.members is None:
            return super().attention(x, lengths)
        x = (x - self.input_mean) / self.input_scale
        return torch.stack([m.attention(x, lengths) for m in self.members]).mean(dim=0)

    def encode(self, x, lengths=None):
        """Return ``(summary, attention_weights or None)`` for a padded batch."""
        x = (x - self.input_mean) / self.input_scale
        if not self.conv_branch:
            h, h_lengths = self.conv(x, lengths)
        else:
            features, mask = self.conv.features(x, lengths)
            h, h_lengths = self.conv.downsample(features, lengths)
            if self.training:
                h = h.detach()
        outputs, last = self.encoder(h, h_lengths)
        summary, weights = self.pooling(outputs, last, h_lengths)
        if self.conv_branch:
            # features are zero on padding: their sum over real steps / the length
            mean = features.mean(dim=2) if mask is None else features.sum(dim=2) / mask.sum(dim=2)
            summary = torch.cat([summary, mean], dim=-1)
        if weights is not None:
            weights = self.conv.spread(weights, x.shape[1], lengths)
        return summary, weights
