"""A transformer encoder over time steps: attention without recurrence."""

import math

import torch
from torch import nn

from ._recurrent import (
    RecurrentEncoder,
    SequencePooling,
    _PooledReadout,
    length_mask,
    register_standardization,
)


def sinusoidal_positions(length, size, dtype, device):
    """The fixed sine/cosine position codes of the original transformer, ``(length, size)``."""
    position = torch.arange(length, dtype=dtype, device=device)[:, None]
    rate = torch.exp(torch.arange(0, size, 2, dtype=dtype, device=device)
                     * (-math.log(10000.0) / size))
    codes = torch.zeros(length, size, dtype=dtype, device=device)
    codes[:, 0::2] = torch.sin(position * rate)
    codes[:, 1::2] = torch.cos(position * rate)[:, : size // 2]
    return codes


def sequence_encoder(input_size, hidden_size, num_layers, cell, bidirectional, dropout,
                     nhead=4):
    """The encoder of ``cell``: a :class:`TransformerEncoder` of width ``hidden_size``
    for ``"transformer"`` (``bidirectional=False``: causal attention), else a
    :class:`RecurrentEncoder`. Both return ``(outputs, last)``, exact on padding."""
    if cell == "transformer":
        return TransformerEncoder(input_size, hidden_size, nhead, num_layers, dropout,
                                  causal=not bidirectional)
    return RecurrentEncoder(input_size, hidden_size, num_layers, cell, bidirectional, dropout)


class TransformerEncoder(nn.Module):
    """Project the steps to ``d_model``, add position codes, and run self-attention
    layers that never attend to padding; the same ``(outputs, last)`` as
    :class:`RecurrentEncoder`.

    Parameters
    ----------
    input_size : int
        Features per step.
    d_model : int
        Width of the model (torch's ``d_model``).
    nhead : int
        Attention heads per layer (``d_model`` must be a multiple of it).
    num_layers : int
        Encoder layers.
    dropout : float
        Dropout inside the layers.
    causal : bool
        Each step attends to itself and the steps before it only (a causal
        mask), as a forward recurrent network reads; False: to every step.
    """

    def __init__(self, input_size, d_model, nhead=4, num_layers=2, dropout=0.0, causal=False):
        super().__init__()
        self.causal = causal
        self.project = nn.Linear(input_size, d_model)
        layer = nn.TransformerEncoderLayer(
            d_model, nhead, dim_feedforward=2 * d_model, dropout=dropout, batch_first=True,
            norm_first=True,
        )
        self.layers = nn.TransformerEncoder(layer, num_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.output_size = d_model

    def _inputs(self, x, lengths):
        steps = x.shape[1]
        h = self.project(x) + sinusoidal_positions(steps, self.output_size, x.dtype, x.device)
        padding = None if lengths is None else ~length_mask(lengths.to(x.device), steps)
        future = None
        if self.causal:  # True above the diagonal: a step may not attend to later ones
            future = torch.ones(steps, steps, dtype=torch.bool, device=x.device).triu(1)
        return h, padding, future

    def attention_maps(self, x, lengths=None):
        """Self-attention weights of every layer and head, ``(batch, num_layers,
        nhead, time, time)``: row ``q`` holds how step ``q`` attends to each step
        (0 on padding; rows of padding steps are 0)."""
        h, padding, future = self._inputs(x, lengths)
        maps = []
        for layer in self.layers.layers:
            # The layer's own steps (pre-norm), asking its attention for the weights.
            z = layer.norm1(h)
            out, weights = layer.self_attn(z, z, z, key_padding_mask=padding, attn_mask=future,
                                           need_weights=True, average_attn_weights=False)
            h = h + layer.dropout1(out)
            h = h + layer._ff_block(layer.norm2(h))
            maps.append(weights)
        maps = torch.stack(maps, dim=1)
        if padding is not None:
            maps = maps.masked_fill(padding[:, None, None, :, None], 0.0)
        return maps

    def forward(self, x, lengths=None):
        h, padding, future = self._inputs(x, lengths)
        out = self.norm(self.layers(h, mask=future, src_key_padding_mask=padding))
        steps = x.shape[1]
        if lengths is None:
            return out, out[:, steps - 1]
        index = (lengths.to(out.device) - 1).view(-1, 1, 1).expand(-1, 1, out.shape[-1])
        return out, out.gather(1, index).squeeze(1)


class TransformerNetwork(_PooledReadout):
    """Standardise inputs, encode with :class:`TransformerEncoder`, pool, map to
    ``n_outputs``.

    Parameters
    ----------
    input_size, n_outputs : int
        Features per step; width of the head.
    hidden_size : int
        ``d_model`` of the encoder.
    nhead, num_layers, dropout
        As in :class:`TransformerEncoder`; ``dropout`` also applies before the head.
    pooling : {"last", "mean", "max", "attention"}
        How the states over time are summarised.
    causal : bool
        As in :class:`TransformerEncoder`.
    input_mean, input_scale : array-like of shape (input_size,), optional
        Fixed standardisation of every step.
    dtype : torch.dtype
        Parameter dtype, fixed at construction.
    """

    def __init__(self, input_size, n_outputs, hidden_size=64, nhead=4, num_layers=2,
                 dropout=0.0, pooling="mean", causal=False, input_mean=None, input_scale=None,
                 dtype=torch.float32):
        super().__init__()
        register_standardization(self, input_size, input_mean, input_scale)
        self.encoder = TransformerEncoder(input_size, hidden_size, nhead, num_layers, dropout,
                                          causal)
        self.pooling = SequencePooling(hidden_size, pooling)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size, n_outputs)
        self.to(dtype)

    def encode(self, x, lengths=None):
        """Return ``(summary, attention_weights or None)`` for a padded batch."""
        x = (x - self.input_mean) / self.input_scale
        outputs, last = self.encoder(x, lengths)
        return self.pooling(outputs, last, lengths)

    def attention_heads(self, x, lengths=None):
        """Self-attention weights of every layer and head (see
        :meth:`TransformerEncoder.attention_maps`)."""
        x = (x - self.input_mean) / self.input_scale
        return self.encoder.attention_maps(x, lengths)
