"""The text network: token embeddings, a recurrent encoder, pooling and a linear head
(plus, optionally, a linear model of the bag of words added to its logits).

Documents arrive as padded batches of token ids ``(batch, time, 1)`` with their
lengths; the encoder reads each document up to its own end (see
:class:`~sklearn_seq.nn.RecurrentEncoder`), so padding never changes a result.
"""

import torch
from torch import nn

from ._recurrent import _PooledReadout, SequencePooling, length_mask
from ._transformer import sequence_encoder

__all__ = ["TextNetwork"]


class TextNetwork(_PooledReadout):
    """Embed token ids, encode them with an RNN, pool over time, map to ``n_outputs``.

    Parameters
    ----------
    n_tokens : int
        Rows of the embedding matrix (vocabulary plus the unknown-token id 0).
    embedding_dim : int
        Width of the token embeddings.
    n_outputs : int
        Width of the head (number of classes).
    hidden_size, num_layers, cell, bidirectional
        As in :class:`RecurrentEncoder`; ``cell="transformer"``: a
        :class:`TransformerEncoder` of width ``hidden_size`` (see
        :func:`sequence_encoder`).
    dropout : float
        Dropout on the embeddings, between stacked layers and before the head.
    pooling : {"last", "mean", "max", "attention"}
        How the states over time are summarised.
    n_subword_buckets : int
        Rows of the character n-gram embedding (0: none). Each step then carries
        its token id followed by the bucket ids (from 1; 0 pads) of the token's
        character n-grams, whose mean embedding is added to the token's.
    embeddings : array-like of shape (n_tokens, embedding_dim), optional
        Initial embedding matrix (pretrained vectors).
    freeze_embeddings : bool
        Keep the embedding matrix fixed during training.
    bag_of_words : bool
        Add a linear model of the document's bag of words to the head's logits:
        each token id has one weight per output (starting at zero), and their
        mean over the document's real tokens is added (the wide part of
        wide-and-deep models; the mean keeps its scale from growing with the
        length).
    nhead : int
        Attention heads per layer of a transformer encoder.
    dtype : torch.dtype
        Parameter dtype, fixed at construction.
    """

    def __init__(
        self,
        n_tokens,
        embedding_dim,
        n_outputs,
        hidden_size=64,
        num_layers=1,
        cell="lstm",
        bidirectional=True,
        dropout=0.0,
        pooling="max",
        n_subword_buckets=0,
        embeddings=None,
        freeze_embeddings=False,
        bag_of_words=False,
        nhead=4,
        dtype=torch.float32,
    ):
        super().__init__()
        self.embedding = nn.Embedding(n_tokens, embedding_dim)
        if embeddings is not None:
            # Rows given as NaN (tokens without a pretrained vector, the unknown
            # token) keep their random initialisation.
            given = torch.as_tensor(embeddings, dtype=self.embedding.weight.dtype)
            known = ~torch.isnan(given).any(dim=1)
            with torch.no_grad():
                self.embedding.weight[known] = given[known]
        self.embedding.weight.requires_grad_(not freeze_embeddings)
        self.subword = None
        if n_subword_buckets:
            self.subword = nn.EmbeddingBag(
                n_subword_buckets + 1, embedding_dim, mode="mean", padding_idx=0
            )
        self.encoder = sequence_encoder(
            embedding_dim, hidden_size, num_layers, cell, bidirectional, dropout, nhead
        )
        self.pooling = SequencePooling(self.encoder.output_size, pooling)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(self.encoder.output_size, n_outputs)
        self.bag = None
        if bag_of_words:
            self.bag = nn.Embedding(n_tokens, n_outputs)
            nn.init.zeros_(self.bag.weight)
        self.to(dtype)

    def _embed(self, x):
        """Token (and subword) embeddings of a padded batch of ids, after dropout."""
        if x.dim() == 2:
            x = x[..., None]
        h = self.embedding(x[..., 0].long())
        if self.subword is not None:
            # fastText's subword vectors: a token is also the mean of its n-grams'.
            batch, steps, n_grams = x[..., 1:].shape
            grams = x[..., 1:].reshape(batch * steps, n_grams).long()
            h = h + self.subword(grams).view(batch, steps, -1)
        return self.dropout(h)

    def forward(self, x, lengths=None):
        out = super().forward(x, lengths)
        return out if self.bag is None else out + self.bag_logits(x, lengths)

    def bag_logits(self, x, lengths=None):
        """The bag-of-words part of the logits: the mean of the tokens' weights."""
        ids = (x if x.dim() == 2 else x[..., 0]).long()
        weights = self.bag(ids)
        if lengths is None:
            return weights.mean(dim=1)
        mask = length_mask(lengths.to(weights.device), weights.shape[1]).unsqueeze(-1)
        mask = mask.to(weights.dtype)
        return (weights * mask).sum(dim=1) / mask.sum(dim=1)

    def encode(self, x, lengths=None):
        """Return ``(summary, attention_weights or None)`` for a padded batch of ids."""
        outputs, last = self.encoder(self._embed(x), lengths)
        return self.pooling(outputs, last, lengths)

    def attention_heads(self, x, lengths=None):
        """Self-attention weights of a transformer encoder (see
        :meth:`TransformerEncoder.attention_maps`)."""
        return self.encoder.attention_maps(self._embed(x), lengths)
