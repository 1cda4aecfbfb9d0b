"""Networks and losses with an output at every time step (sequence tagging)."""

import torch
from torch import nn

from ._recurrent import register_standardization
from ._transformer import sequence_encoder

# Targets of padding steps: ignored by the loss (as torch's cross-entropy default).
IGNORE_INDEX = -100


class TaggingNetwork(nn.Module):
    """Encode each sequence and map the state of every step to ``n_outputs``.

    Parameters
    ----------
    input_size : int
        Features per step (ignored with ``n_tokens``: the steps are token ids).
    n_outputs : int
        Width of the head at each step (classes, or regression targets).
    hidden_size, num_layers, cell, bidirectional, dropout
        As in :class:`RecurrentEncoder`; ``dropout`` also applies before the head
        (and to the embeddings). ``cell="transformer"``: a
        :class:`TransformerEncoder` of width ``hidden_size`` (see
        :func:`sequence_encoder`).
    nhead : int, default=4
        Attention heads per layer of a transformer encoder.
    n_tokens : int or None, default=None
        Rows of a token embedding: the first feature of each step is then a token
        id (0: unknown), embedded, and the other ``input_size - 1`` features are
        appended to its embedding (e.g. the token's shape).
    embedding_dim : int, default=64
        Width of the token embeddings.
    input_mean, input_scale : array-like of shape (input_size,), optional
        Fixed standardisation of numeric steps (buffers, saved with the weights).
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
        bidirectional=True,
        dropout=0.0,
        n_tokens=None,
        embedding_dim=64,
        nhead=4,
        input_mean=None,
        input_scale=None,
        dtype=torch.float32,
    ):
        super().__init__()
        self.embedding = None
        if n_tokens is not None:
            self.embedding = nn.Embedding(n_tokens, embedding_dim)
            input_size = embedding_dim + input_size - 1
        register_standardization(self, input_size, input_mean, input_scale)
        self.encoder = sequence_encoder(
            input_size, hidden_size, num_layers, cell, bidirectional, dropout, nhead
        )
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(self.encoder.output_size, n_outputs)
        self.to(dtype)

    def _steps(self, x):
        """The encoder's input: embedded tokens with their features, or standardised steps."""
        if self.embedding is None:
            return (x - self.input_mean) / self.input_scale
        if x.dim() == 2:
            x = x[..., None]
        return torch.cat([self.dropout(self.embedding(x[..., 0].long())), x[..., 1:]], dim=-1)

    def forward(self, x, lengths=None):
        """Outputs ``(batch, time, n_outputs)``; padding steps hold values nobody reads."""
        states, _ = self.encoder(self._steps(x), lengths)
        return self.head(self.dropout(states))

    def attention_heads(self, x, lengths=None):
        """Self-attention weights of a transformer encoder (see
        :meth:`TransformerEncoder.attention_maps`)."""
        return self.encoder.attention_maps(self._steps(x), lengths)


class StepLoss(nn.Module):
    """Loss of per-step outputs, averaged over each sequence's real steps.

    Padding steps carry the target ``IGNORE_INDEX`` (class targets) or NaN
    (regression targets) and take no part. With ``reduction="none"`` the loss of
    each sequence (the mean over its steps) is returned, so sample weights weigh
    sequences; ``"mean"`` averages those.

    Parameters
    ----------
    kind : {"cross_entropy", "squared_error"}
        Classes (outputs are logits, targets class codes) or values.
    class_weight : array-like of shape (n_classes,) or None, default=None
        Weight of each class's steps (cross-entropy only).
    reduction : {"mean", "none"}, default="mean"
    """

    def __init__(self, kind="cross_entropy", class_weight=None, reduction="mean"):
        super().__init__()
        self.kind = kind
        self.reduction = reduction
        weight = None if class_weight is None else torch.as_tensor(class_weight)
        self.register_buffer("class_weight", weight)

    def forward(self, y_pred, y_true):
        if self.kind == "cross_entropy":
            real = y_true != IGNORE_INDEX
            target = torch.where(real, y_true, torch.zeros_like(y_true)).long()
            loss = nn.functional.cross_entropy(
                y_pred.transpose(1, 2), target, reduction="none"
            )
            if self.class_weight is not None:
                loss = loss * self.class_weight.to(loss.dtype)[target]
        else:
            real = ~torch.isnan(y_true)
            if y_true.dim() == 3:
                real = real.all(dim=-1)
            diff = y_pred.reshape(y_true.shape) - torch.nan_to_num(y_true)
            loss = diff.square()
            if loss.dim() == 3:
                loss = loss.mean(dim=-1)
        loss = torch.where(real, loss, torch.zeros_like(loss))
        per_sequence = loss.sum(dim=1) / real.sum(dim=1).clamp_min(1).to(loss.dtype)
        return per_sequence if self.reduction == "none" else per_sequence.mean()
