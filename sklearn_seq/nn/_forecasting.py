"""Attention over encoder states, the forecasting network and its losses.

The network encodes a window with a recurrent encoder, lets the summary of the
window (its last state) attend over the states of every step, and maps the
attended context and the summary to all forecast steps at once (times the
number of quantiles). Without attention, the summary alone is mapped. With
``scaling="window"`` it returns, with the forecasts, each window's statistics,
which its loss (:class:`WindowScaledLoss`) measures the errors in.
"""

from typing import NamedTuple

import torch
from torch import nn
from torch.nn import functional as F

from ._recurrent import RecurrentEncoder, length_mask, register_standardization

__all__ = [
    "AdditiveAttention",
    "DotProductAttention",
    "ForecastNetwork",
    "QuantileLoss",
    "WindowForecast",
    "WindowScaledLoss",
    "masked_softmax",
    "window_statistics",
]


def masked_softmax(scores, mask=None):
    """Softmax over the last dimension, exactly 0 where ``mask`` is False."""
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1)


class _QueryAttention(nn.Module):
    """Attention of a query over the states of every step: :meth:`forward` weighs
    the states by the softmax of the subclass's ``scores`` over the real steps.
    Both projections map ``size`` to ``size`` (the keys without a bias)."""

    def __init__(self, size, *, query_bias):
        super().__init__()
        self.keys = nn.Linear(size, size, bias=False)
        self.query = nn.Linear(size, size, bias=query_bias)

    def forward(self, states, query, mask=None):
        """Return ``(context (batch, size), weights (batch, time))``."""
        weights = masked_softmax(self.scores(states, query), mask)
        return torch.bmm(weights.unsqueeze(1), states).squeeze(1), weights


class AdditiveAttention(_QueryAttention):
    """Additive (Bahdanau) attention: ``v^T tanh(W_k h_t + W_q q)``.

    Parameters
    ----------
    size : int
        Width of the states and of the query (and of ``W_k h_t + W_q q``).
    """

    def __init__(self, size):
        super().__init__(size, query_bias=True)
        self.score = nn.Linear(size, 1, bias=False)

    def scores(self, states, query):
        """Unnormalised score of every step, ``(batch, time)``."""
        # tanh(a) = 2 sigmoid(2a) - 1, so the scores are 2 v.sigmoid(2a) - sum(v): the
        # constant is the same for every step and cancels in the softmax, and the
        # factors 2 go into the (small) weights, not the states. torch's CPU tanh is
        # several times slower than its sigmoid. One form serves every device.
        keys = F.linear(states, 2 * self.keys.weight)
        q = F.linear(query, 2 * self.query.weight, 2 * self.query.bias)
        hidden = torch.sigmoid(keys + q.unsqueeze(1))
        return F.linear(hidden, 2 * self.score.weight).squeeze(-1)


class DotProductAttention(_QueryAttention):
    """Scaled dot-product attention: ``softmax((W_q q)^T (W_k h_t) / sqrt(size))``.

    Parameters
    ----------
    size : int
        Width of the states and of the query; the scores are divided by its
        square root.
    """

    def __init__(self, size):
        super().__init__(size, query_bias=False)
        self.scale = size**-0.5

    def scores(self, states, query):
        """Unnormalised score of every step, ``(batch, time)``."""
        # (W_k h_t) . (W_q q) = h_t . (W_k^T W_q q): project the query once instead
        # of every step's state, and fold the scale into it. The products go through
        # a broadcast multiply and sum: as a batched matrix product, their backward
        # pass (an outer product per sequence) is 2-3 times slower on CPU.
        probe = F.linear(self.query(query), self.keys.weight.t()) * self.scale
        return (states * probe.unsqueeze(1)).sum(-1)


_ATTENTIONS = {"additive": AdditiveAttention, "dot": DotProductAttention}


class QuantileLoss(nn.Module):
    """Pinball loss of quantile forecasts.

    Column ``j`` of the prediction is the quantile ``quantiles[j % n_quantiles]``
    (the quantiles of each output are adjacent); the target has the same shape,
    each true value repeated for its quantiles. For level ``q`` and error
    ``e = y - y_hat`` the loss is ``max(q * e, (q - 1) * e)``.

    Parameters
    ----------
    quantiles : sequence of float
        Levels in (0, 1).
    reduction : {"mean", "none"}, default="mean"
        ``"none"`` returns the element-wise loss.
    """

    def __init__(self, quantiles, reduction="mean"):
        super().__init__()
        self.quantiles = tuple(float(q) for q in quantiles)
        self.reduction = reduction

    def forward(self, y_pred, y_true):
        levels = torch.tensor(self.quantiles, dtype=y_pred.dtype, device=y_pred.device)
        levels = levels.repeat(y_pred.shape[-1] // len(self.quantiles))
        error = y_true - y_pred
        loss = torch.maximum(levels * error, (levels - 1) * error)
        return loss.mean() if self.reduction == "mean" else loss


class WindowForecast(NamedTuple):
    """What a :class:`ForecastNetwork` with ``scaling="window"`` returns.

    ``forecast``, first, is the prediction (a module's tuple output is read by its
    first element, as in skorch); the other fields are for the training loss
    (:class:`WindowScaledLoss`): the forecasts are ``z * scale + location``, with
    ``location`` and ``scale`` ``(batch, 1)`` each window's mean and standard
    deviation of its first feature.
    """

    forecast: torch.Tensor
    z: torch.Tensor
    location: torch.Tensor
    scale: torch.Tensor


class WindowScaledLoss(nn.Module):
    """The loss of window-scaled forecasts, measured in units of each window.

    Compares the :class:`WindowForecast` ``z`` with ``(y - location) / scale``:
    forecasts and targets in units of each window's standard deviation, so that
    every window weighs alike (as in RevIN), with the scale computed once, by the
    network.

    Parameters
    ----------
    quantiles : sequence of float or None, default=None
        The levels of a :class:`QuantileLoss`; None: the squared error.
    reduction : {"mean", "none"}, default="mean"
        As in torch's losses.
    """

    def __init__(self, quantiles=None, reduction="mean"):
        super().__init__()
        self.loss = (nn.MSELoss(reduction=reduction) if quantiles is None
                     else QuantileLoss(quantiles, reduction))

    @property
    def reduction(self):
        return self.loss.reduction

    @reduction.setter
    def reduction(self, value):
        self.loss.reduction = value

    def forward(self, y_pred, y_true):
        return self.loss(y_pred.z, (y_true - y_pred.location) / y_pred.scale)


def window_statistics(x, lengths=None, eps=1e-5, unit=None):
    """Mean and standard deviation of each feature of each window, ``(batch, 1, features)``.

    Only the first ``lengths[i]`` steps of window ``i`` count (padding does not).
    The standard deviation is the population one; a feature whose standard
    deviation within a window is at most ``eps * unit`` gets ``unit`` instead
    (``unit``: one value per feature, default 1), so it is only centred.
    """
    if lengths is None:
        var, mean = torch.var_mean(x, dim=1, keepdim=True, correction=0)
    else:
        lengths = lengths.to(x.device)
        real = length_mask(lengths, x.shape[1]).unsqueeze(-1).to(x.dtype)
        count = lengths.view(-1, 1, 1).to(x.dtype)
        mean = (x * real).sum(dim=1, keepdim=True) / count
        var = ((x - mean).pow(2) * real).sum(dim=1, keepdim=True) / count
    std = var.sqrt()
    unit = torch.ones_like(std) if unit is None else unit.expand_as(std)
    return mean, torch.where(std > eps * unit, std, unit)


class ForecastNetwork(nn.Module):
    """Standardise, encode a window, attend over its steps, predict every output.

    The head is a small MLP (one ReLU layer four times as wide as the encoder's
    output) over the attended context and the last state, or over the last
    state alone without attention.

    Parameters
    ----------
    input_size : int
        Features per step.
    n_outputs : int
        Width of the head: forecast steps (targets) times quantiles.
    hidden_size, num_layers, cell, bidirectional, dropout
        As in :class:`RecurrentEncoder`; ``dropout`` also applies before the head.
    attention : {"dot", "additive"} or None, default="dot"
        Scaled dot-product or additive (Bahdanau) attention, with the summary of
        the window (its last state) as the query. None: no attention, the head
        reads the summary alone.
    input_mean, input_scale : array-like of shape (input_size,), optional
        Fixed standardisation applied to every step (buffers, saved with the weights).
    scaling : {"global", "window"}, default="global"
        ``"window"``: standardise each feature of each window by the window's
        own mean and standard deviation (over its real steps), which makes the
        fixed standardisation redundant (``input_scale`` only sets when a window
        counts as constant), and map the head's outputs back with the statistics
        of the first feature (``out * std + mean``). Forecasts are then in the
        units of the input's first feature, and :meth:`forward` returns them as
        a :class:`WindowForecast`, with each window's statistics for the loss
        (:class:`WindowScaledLoss`, which measures it in units of each window).
    dtype : torch.dtype
        Parameter dtype, fixed at construction.
    """

    @property
    def _step_rates(self):
        """The head and the attention's query run once a window (``nn._cost``)."""
        return {"head": 0.0} if self.attend is None else {"head": 0.0, "attend.query": 0.0}

    def __init__(
        self,
        input_size,
        n_outputs,
        hidden_size=64,
        num_layers=1,
        cell="lstm",
        bidirectional=False,
        dropout=0.0,
        attention="dot",
        input_mean=None,
        input_scale=None,
        scaling="global",
        dtype=torch.float32,
    ):
        super().__init__()
        register_standardization(self, input_size, input_mean, input_scale)
        self.scaling = scaling
        self.encoder = RecurrentEncoder(
            input_size, hidden_size, num_layers, cell, bidirectional, dropout
        )
        size = self.encoder.output_size
        self.attend = None if attention is None else _ATTENTIONS[attention](size)
        width = size if attention is None else 2 * size
        self.dropout = nn.Dropout(dropout)
        # A hidden layer in the head forecasts markedly better than a linear map
        # of the summary, at little cost.
        self.head = nn.Sequential(
            nn.Linear(width, 4 * size), nn.ReLU(), nn.Linear(4 * size, n_outputs)
        )
        self.to(dtype)

    def _standardize(self, x, lengths):
        """Standardised steps, and each window's ``(mean, std)`` of feature 0 in input
        units, or None."""
        if self.scaling != "window":
            return (x - self.input_mean) / self.input_scale, None
        # The window's own statistics make the fixed standardisation redundant:
        # standardising raw steps gives the same inputs, with a window counted as
        # constant where its standard deviation is at most eps * input_scale (the
        # threshold of eps on fixed-standardised steps).
        mean, std = window_statistics(x, lengths, unit=self.input_scale)
        return (x - mean) / std, (mean[:, :, 0], std[:, :, 0])

    def encode(self, x, lengths=None):
        """Return ``(context and summary (batch, 2 * size), weights (batch, time),
        window statistics of the first feature or None)``; without attention, the
        summary ``(batch, size)`` and no weights (None)."""
        x, stats = self._standardize(x, lengths)
        states, last = self.encoder(x, lengths)
        if self.attend is None:
            return last, None, stats
        mask = None if lengths is None else length_mask(lengths.to(x.device), x.shape[1])
        context, weights = self.attend(states, last, mask)
        return torch.cat([context, last], dim=-1), weights, stats

    def scaled_forward(self, x, lengths=None):
        """Return ``(z, location, scale)``: the forecasts are ``z * scale + location``.

        With ``scaling="window"``, ``z`` is in units of each window (the unit of the
        training loss) and ``location``, ``scale`` ``(batch, 1)`` are each window's
        mean and standard deviation of its first feature (see :meth:`output_scale`);
        with ``"global"``, ``z`` are the forecasts and both are None.
        """
        summary, _, stats = self.encode(x, lengths)
        z = self.head(self.dropout(summary))
        return (z, None, None) if stats is None else (z, *stats)

    def forward(self, x, lengths=None):
        """Forecasts ``(batch, n_outputs)``; with ``scaling="window"``, a
        :class:`WindowForecast` of them and of what the loss needs."""
        z, location, scale = self.scaled_forward(x, lengths)
        if scale is None:
            return z
        return WindowForecast(z * scale + location, z, location, scale)

    def output_scale(self, x, lengths=None):
        """Scale of each window's forecasts, ``(batch, 1)``, or None.

        With ``scaling="window"``: the standard deviation of each window's first
        feature in input units, the unit in which the training loss compares
        forecasts (so every window weighs alike, as in RevIN); None otherwise.
        """
        if self.scaling != "window":
            return None
        return window_statistics(x[..., :1], lengths, unit=self.input_scale[:1])[1][:, :, 0]

    def attention(self, x, lengths=None):
        """Attention weights ``(batch, time)``; zero on padding steps."""
        if self.attend is None:
            raise RuntimeError("This network has no attention (attention=None).")
        return self.encode(x, lengths)[1]
