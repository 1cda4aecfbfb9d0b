"""Attention read-outs, rewritten for speed, against their textbook forms."""

import pytest
import torch

from sklearn_seq.nn import AdditiveAttention, DotProductAttention, SequencePooling


def _additive(att, states, query):
    # v . tanh(W_k h + W_q q + b)
    return att.score(torch.tanh(att.keys(states) + att.query(query).unsqueeze(1))).squeeze(-1)


def _dot(att, states, query):
    # (W_k h) . (W_q q) / sqrt(size)
    return torch.bmm(att.keys(states), att.query(query).unsqueeze(-1)).squeeze(-1) * att.scale


def _pooling(pool, states, query):
    # v . tanh(W h + b) + c, no query
    return pool.score(states).squeeze(-1)


# name: (module, its call, the textbook scores)
CASES = {
    "additive": (AdditiveAttention, lambda m, s, q, n, mask: m(s, q, mask), _additive),
    "dot": (DotProductAttention, lambda m, s, q, n, mask: m(s, q, mask), _dot),
    "pooling": (lambda size: SequencePooling(size, "attention"),
                lambda m, s, q, n, mask: m(s, q, n), _pooling),
}


@pytest.mark.parametrize("kind", list(CASES))
@pytest.mark.parametrize("dtype, atol", [(torch.float32, 1e-5), (torch.float64, 1e-12)])
def test_attention_equals_its_textbook_form(kind, dtype, atol):
    # Additive scores (the forecaster's and attention pooling's) go through sigmoid,
    # with the factors of tanh(a) = 2 sigmoid(2a) - 1 folded into the weights
    # (torch's CPU tanh is slow); dot scores project the query by W_k^T W_q instead
    # of every step by W_k. The attention weights, the context and every gradient
    # must be those of the textbook form, padding steps included.
    make, call, textbook = CASES[kind]
    torch.manual_seed(0)
    att = make(8).to(dtype)
    states = (torch.randn(5, 7, 8, dtype=dtype) * 3).requires_grad_()
    query = torch.randn(5, 8, dtype=dtype).requires_grad_()
    lengths = torch.tensor([7, 3, 5, 1, 7])
    mask = torch.arange(7)[None, :] < lengths[:, None]
    probe = torch.randn(5, 8, dtype=dtype), torch.randn(5, 7, dtype=dtype)
    inputs = [states, *([query] if kind != "pooling" else []), *att.parameters()]

    def run(forward):
        context, weights = forward()
        grads = torch.autograd.grad((context * probe[0]).sum() + (weights * probe[1]).sum(),
                                    inputs)
        return context, weights, grads

    def reference():
        scores = textbook(att, states, query).masked_fill(~mask, float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        return torch.bmm(weights.unsqueeze(1), states).squeeze(1), weights

    ours = run(lambda: call(att, states, query, lengths, mask))
    ref = run(reference)
    torch.testing.assert_close(ours[0], ref[0], atol=atol, rtol=0)
    torch.testing.assert_close(ours[1], ref[1], atol=atol, rtol=0)
    assert (ours[1][~mask] == 0).all()
    for got, want in zip(ours[2], ref[2]):
        torch.testing.assert_close(got, want, atol=atol, rtol=atol)
