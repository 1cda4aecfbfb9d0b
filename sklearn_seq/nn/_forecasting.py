"""Attention over encoder states, the quantile loss and the forecasting network.

The network encodes a window with a recurrent encoder, lets the summary of the
window (its last state) attend over the states of every step, and maps the
attended context and the summary to all forecast steps at once (times the
number of quantiles).
"""

import torch
from torch import nn

from ._recurrent import RecurrentEncoder, length_mask, register_standardization

__all__ = [
    "AdditiveAttention",
    "DotProductAttention",
    "ForecastNetwork",
    "QuantileLoss",
    "masked_softmax",
]


def masked_softmax(scores, mask=None):
    """Softmax over the last dimension, exactly 0 where ``mask`` is False."""
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1)


class AdditiveAttention(nn.Module):
    """Additive (Bahdanau) attention: ``v . tanh(W_k h_t + W_q q)``.

    Parameters
    ----------
    size : int
        Width of the states and of the query.
    """

    def __init__(self, size):
        super().__init__()
        self.keys = nn.Linear(size, size, bias=False)
        self.query = nn.Linear(size, size)
        self.score = nn.Linear(size, 1, bias=False)

    def forward(self, states, query, mask=None):
        """Return ``(context (batch, size), weights (batch, time))``."""
        hidden = torch.tanh(self.keys(states) + self.query(query).unsqueeze(1))
        weights = masked_softmax(self.score(hidden).squeeze(-1), mask)
        return torch.bmm(weights.unsqueeze(1), states).squeeze(1), weights


class DotProductAttention(nn.Module):
    """Scaled dot-product attention: ``softmax(W_q q . W_k h_t / sqrt(size))``.

    Parameters
    ----------
    size : int
        Width of the states and of the query.
    """

    def __init__(self, size):
        super().__init__()
        self.keys = nn.Linear(size, size, bias=False)
        self.query = nn.Linear(size, size, bias=False)
        self.scale = size**-0.5

    def forward(self, states, query, mask=None):
        """Return ``(context (batch, size), weights (batch, time))``."""
        scores = torch.bmm(self.keys(states), self.query(query).unsqueeze(-1)).squeeze(-1)
        weights = masked_softmax(scores * self.scale, mask)
        return torch.bmm(weights.unsqueeze(1), states).squeeze(1), weights


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


class ForecastNetwork(nn.Module):
    """Standardise, encode a window, attend over its steps, predict every output.

    Parameters
    ----------
    input_size : int
        Features per step.
    n_outputs : int
        Width of the head: forecast steps (targets) times quantiles.
    hidden_size, num_layers, cell, bidirectional, dropout
        As in :class:`RecurrentEncoder`; ``dropout`` also applies before the head.
    attention : {"additive", "dot"}
        Additive (Bahdanau) or scaled dot-product attention, with the summary of
        the window (its last state) as the query.
    input_mean, input_scale : array-like of shape (input_size,), optional
        Fixed standardisation applied to every step (buffers, saved with the weights).
    dtype : torch.dtype
        Parameter dtype, fixed at construction.
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
        attention="additive",
        input_mean=None,
        input_scale=None,
        dtype=torch.float32,
    ):
        super().__init__()
        register_standardization(self, input_size, input_mean, input_scale)
        self.encoder = RecurrentEncoder(
            input_size, hidden_size, num_layers, cell, bidirectional, dropout
        )
        size = self.encoder.output_size
        self.attend = _ATTENTIONS[attention](size)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(2 * size, n_outputs)
        self.to(dtype)

    def encode(self, x, lengths=None):
        """Return ``(context and summary (batch, 2 * size), weights (batch, time))``."""
        x = (x - self.input_mean) / self.input_scale
        states, last = self.encoder(x, lengths)
        mask = None if lengths is None else length_mask(lengths.to(x.device), x.shape[1])
        context, weights = self.attend(states, last, mask)
        return torch.cat([context, last], dim=-1), weights

    def forward(self, x, lengths=None):
        summary, _ = self.encode(x, lengths)
        return self.head(self.dropout(summary))

    def attention(self, x, lengths=None):
        """Attention weights ``(batch, time)``; zero on padding steps."""
        return self.encode(x, lengths)[1]
