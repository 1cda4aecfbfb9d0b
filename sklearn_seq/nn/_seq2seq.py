"""An encoder-decoder with attention: a recurrent encoder, a recurrent decoder that
reads the encoder's states through Luong's (multiplicative) attention, and greedy or
beam-search generation.

Training reads the target (teacher forcing): the decoder's input at step ``t`` is
the target of step ``t - 1`` (a start symbol at step 0), so the decoder runs over
the whole target at once and attention is computed for all its steps in one
batched product. Generation feeds the decoder its own outputs, one step at a time.
"""

import torch
from torch import nn

from ._forecasting import masked_softmax
from ._recurrent import _CELLS, RecurrentEncoder, length_mask, register_standardization
from ._tagging import IGNORE_INDEX

# Ids of the target vocabulary that are not tokens: padding (never a target),
# the start symbol (the decoder's first input) and the end of a sequence.
PAD_ID, BOS_ID, EOS_ID = 0, 1, 2


class Seq2SeqNetwork(nn.Module):
    """Encode a source sequence, then decode a target sequence attending to it.

    Parameters
    ----------
    input_size : int
        Features per source step (ignored with ``n_tokens``).
    n_outputs : int
        Width of the output at each target step: the target vocabulary's size
        (``n_target_tokens``) or the number of values per step.
    hidden_size, num_layers, cell, bidirectional, dropout
        As in :class:`RecurrentEncoder` (the decoder is unidirectional, with
        ``num_layers`` layers of ``hidden_size`` units); ``dropout`` also applies
        to the embeddings and before the output layer.
    n_tokens : int or None, default=None
        Rows of the source embedding: the source steps are then token ids (0:
        unknown).
    n_target_tokens : int or None, default=None
        Rows of the target embedding: the targets are then token ids, with
        ``PAD_ID``, ``BOS_ID`` and ``EOS_ID`` reserved; else they are values.
    embedding_dim : int, default=32
        Width of the token embeddings.
    input_mean, input_scale : array-like of shape (input_size,), optional
        Fixed standardisation of numeric source steps.
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
        n_target_tokens=None,
        embedding_dim=32,
        input_mean=None,
        input_scale=None,
        dtype=torch.float32,
    ):
        super().__init__()
        self.cell = cell
        self.n_outputs = n_outputs
        self.source_embedding = None
        if n_tokens is not None:
            self.source_embedding = nn.Embedding(n_tokens, embedding_dim)
            input_size = embedding_dim
        register_standardization(self, input_size, input_mean, input_scale)
        self.encoder = RecurrentEncoder(
            input_size, hidden_size, num_layers, cell, bidirectional, dropout
        )
        size = self.encoder.output_size
        self.target_embedding = None
        if n_target_tokens is not None:
            self.target_embedding = nn.Embedding(n_target_tokens, embedding_dim)
            decoder_input = embedding_dim
        else:
            decoder_input = n_outputs + 1  # the previous values and a start flag
        self.decoder = _CELLS[cell](
            decoder_input, hidden_size, num_layers=num_layers, batch_first=True,
            dropout=dropout if num_layers > 1 else 0.0,
        )
        self.bridge = nn.Linear(size, hidden_size * num_layers)
        self.score = nn.Linear(size, hidden_size, bias=False)  # h_t . W e_s
        self.combine = nn.Linear(size + hidden_size, hidden_size)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size, n_outputs)
        self.to(dtype)

    # -- the two halves ----------------------------------------------------------

    def encode(self, x, lengths=None):
        """``(states, keys, mask, initial decoder state)`` of a padded source batch."""
        if self.source_embedding is not None:
            x = x[..., 0] if x.dim() == 3 else x
            h = self.dropout(self.source_embedding(x.long()))
        else:
            h = (x - self.input_mean) / self.input_scale
        states, last = self.encoder(h, lengths)
        mask = None if lengths is None else length_mask(lengths.to(x.device), x.shape[1])
        layers = self.decoder.num_layers
        h0 = torch.tanh(self.bridge(last)).view(-1, layers, self.decoder.hidden_size)
        h0 = h0.transpose(0, 1).contiguous()
        state = (h0, torch.zeros_like(h0)) if self.cell == "lstm" else h0
        return states, self.score(states), mask, state

    def decode(self, inputs, state, states, keys, mask):
        """Decoder steps over ``inputs`` (batch, steps, ...) from ``state``: outputs
        ``(batch, steps, n_outputs)``, the new state and the attention weights
        ``(batch, steps, source steps)``."""
        if self.target_embedding is not None:
            inputs = self.dropout(self.target_embedding(inputs))
        out, state = self.decoder(inputs, state)
        scores = torch.bmm(out, keys.transpose(1, 2))
        weights = masked_softmax(scores, None if mask is None else mask[:, None, :])
        context = torch.bmm(weights, states)
        attended = torch.tanh(self.combine(torch.cat([context, out], dim=-1)))
        return self.head(self.dropout(attended)), state, weights

    # -- training ----------------------------------------------------------------

    def _shifted(self, target):
        """The decoder's inputs under teacher forcing: the target one step late."""
        if self.target_embedding is not None:
            ids = torch.where(target == IGNORE_INDEX, PAD_ID, target).long()
            start = torch.full_like(ids[:, :1], BOS_ID)
            return torch.cat([start, ids[:, :-1]], dim=1)
        values = torch.nan_to_num(target).reshape(target.shape[0], target.shape[1], -1)
        flag = torch.zeros_like(values[..., :1])
        previous = torch.cat([flag, values], dim=-1)
        start = torch.zeros_like(previous[:, :1])
        start[..., 0] = 1
        return torch.cat([start, previous[:, :-1]], dim=1)

    def forward(self, x, lengths=None, target=None):
        """Outputs at every target step ``(batch, target steps, n_outputs)``, the
        decoder reading the target (teacher forcing)."""
        if target is None:
            raise ValueError(
                "Seq2SeqNetwork.forward reads the target (teacher forcing); use "
                "generate to decode without one."
            )
        states, keys, mask, state = self.encode(x, lengths)
        out, _, _ = self.decode(self._shifted(target), state, states, keys, mask)
        return out

    def log_likelihood(self, x, lengths=None, target=None):
        """Log-probability of each (token) target given its source, ``(batch,)``."""
        logits = self.forward(x, lengths, target)
        real = target != IGNORE_INDEX
        ids = torch.where(real, target, PAD_ID).long()
        logp = torch.log_softmax(logits, dim=-1).gather(-1, ids[..., None])[..., 0]
        return torch.where(real, logp, torch.zeros_like(logp)).sum(dim=1)

    # -- generation --------------------------------------------------------------

    def generate(self, x, lengths=None, max_length=100, beam_size=1):
        """Decode without a target.

        Tokens: beam search over ``beam_size`` hypotheses (1: greedy), each
        ended by ``EOS_ID`` or cut at ``max_length`` steps; returns the best
        hypothesis ``(batch, steps)`` (``PAD_ID`` after its end), its
        log-probability ``(batch,)`` and its attention ``(batch, steps, source
        steps)``. Values: ``max_length`` steps, each fed back as the next input;
        returns the values ``(batch, steps, n_outputs)`` and the attention.
        """
        states, keys, mask, state = self.encode(x, lengths)
        if self.target_embedding is None:
            return self._generate_values(states, keys, mask, state, max_length)
        return self._beam_search(states, keys, mask, state, max_length, beam_size)

    def _generate_values(self, states, keys, mask, state, steps):
        batch = states.shape[0]
        inputs = states.new_zeros(batch, 1, self.n_outputs + 1)
        inputs[..., 0] = 1
        outputs, weights = [], []
        for _ in range(steps):
            out, state, w = self.decode(inputs, state, states, keys, mask)
            outputs.append(out)
            weights.append(w)
            inputs = torch.cat([torch.zeros_like(out[..., :1]), out], dim=-1)
        return torch.cat(outputs, dim=1), torch.cat(weights, dim=1)

    def _beam_search(self, states, keys, mask, state, max_length, beam_size):
        # Over 60 lines with its comments: one loop over steps that keeps the beams.
        batch, k = states.shape[0], beam_size
        vocab = self.n_outputs

        def repeat(t, dim=0):
            return t.repeat_interleave(k, dim=dim)

        states, keys = repeat(states), repeat(keys)
        mask = None if mask is None else repeat(mask)
        state = tuple(repeat(s, 1) for s in state) if isinstance(state, tuple) \
            else repeat(state, 1)
        # Only the first beam is alive at the start (the others would copy it).
        scores = states.new_full((batch, k), float("-inf"))
        scores[:, 0] = 0
        inputs = torch.full((batch * k, 1), BOS_ID, dtype=torch.long, device=states.device)
        tokens = inputs.new_zeros(batch * k, 0)
        attention = states.new_zeros(batch * k, 0, states.shape[1])
        finished = torch.zeros(batch * k, dtype=torch.bool, device=states.device)
        # A finished beam continues with padding at no cost; a live one never
        # emits padding or the start symbol.
        after_end = states.new_full((vocab,), float("-inf"))
        after_end[PAD_ID] = 0
        offsets = (torch.arange(batch, device=states.device) * k)[:, None]
        for _ in range(max_length):
            out, state, w = self.decode(inputs, state, states, keys, mask)
            logp = torch.log_softmax(out[:, 0], dim=-1)
            logp[:, PAD_ID] = float("-inf")
            logp[:, BOS_ID] = float("-inf")
            logp = torch.where(finished[:, None], after_end, logp)
            candidates = (scores.reshape(-1, 1) + logp).view(batch, k * vocab)
            scores, best = candidates.topk(k, dim=1)
            origin = (offsets + torch.div(best, vocab, rounding_mode="floor")).reshape(-1)
            chosen = (best % vocab).reshape(-1, 1)
            tokens = torch.cat([tokens[origin], chosen], dim=1)
            attention = torch.cat([attention[origin], w[origin]], dim=1)
            state = tuple(s[:, origin] for s in state) if isinstance(state, tuple) \
                else state[:, origin]
            finished = finished[origin] | (chosen[:, 0] == EOS_ID)
            inputs = chosen
            if bool(finished.all()):
                break
        top = scores.argmax(dim=1)
        rows = offsets[:, 0] + top
        return tokens[rows], scores[torch.arange(batch), top], attention[rows]
