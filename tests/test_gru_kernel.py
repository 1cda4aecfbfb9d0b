"""The CPU GRU layer gives torch.nn.GRU's outputs and gradients, wherever the encoder uses it."""

import numpy as np
import pytest
import torch

import sklearn_seq.nn._gru as gru_kernel
import sklearn_seq.nn._recurrent as recurrent
from sklearn_seq import GRUClassifier
from sklearn_seq.nn import RecurrentEncoder
from sklearn_seq.nn._gru import gru_forward, uses_gru_kernel

TOLERANCE = {torch.float32: 1e-5, torch.float64: 1e-10}


@pytest.fixture(params=["compiled", "python"])
def loops(request, monkeypatch):
    """Runs a test with the compiled per-step loops and with their Python fallback."""
    if request.param == "python":
        monkeypatch.setattr(gru_kernel, "_gru_loops", None)
    assert gru_kernel.uses_compiled_loops() == (request.param == "compiled")
    return request.param


def test_the_install_built_the_compiled_loops():
    # setup.py builds them wherever a C compiler is found (CI's machine has one);
    # without them the GRU is correct but up to twice as slow at small sizes.
    assert gru_kernel._gru_loops is not None
    assert gru_kernel._torch_gemm() is not None
    assert gru_kernel.uses_compiled_loops()


def _outputs_and_gradients(rnn, run, x, reads):
    """Outputs, last states and the gradients of the input and every parameter."""
    rnn.zero_grad()
    x.grad = None
    out, last = run(x)
    weights = torch.linspace(-1, 1, out.numel(), dtype=x.dtype).view(out.shape)
    loss = 0
    if "outputs" in reads:
        loss = loss + (out * weights).mean()
    if "last" in reads:
        loss = loss + last[-1].tanh().sum()
    loss.backward()
    return [out.detach(), last.detach(), x.grad, *(p.grad.clone() for p in rnn.parameters())]


def _assert_same(rnn, x, reads=("outputs", "last")):
    expected = _outputs_and_gradients(rnn, rnn, x, reads)
    got = _outputs_and_gradients(rnn, lambda x: gru_forward(rnn, x), x, reads)
    for e, g in zip(expected, got):
        assert (e - g).abs().max().item() <= TOLERANCE[x.dtype]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("steps", [1, 2, 37])
@pytest.mark.parametrize("reads", [("outputs", "last"), ("last",), ("outputs",)])
def test_outputs_and_gradients_equal_nn_gru(dtype, num_layers, steps, reads, loops):
    torch.manual_seed(0)
    rnn = torch.nn.GRU(3, 8, num_layers=num_layers, batch_first=True).to(dtype)
    x = torch.randn(5, steps, 3, dtype=dtype, requires_grad=True)
    _assert_same(rnn, x, reads)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_long_sequences_in_chunks_equal_nn_gru(dtype, monkeypatch, loops):
    # Large models run the steps in chunks; force small ones here.
    monkeypatch.setattr(gru_kernel, "_CHUNK_ELEMENTS", 3 * 4 * 8)
    monkeypatch.setattr(gru_kernel, "_ONE_CHUNK_ELEMENTS", 0)
    assert gru_kernel._span(50, 4, 8) == 3
    torch.manual_seed(0)
    rnn = torch.nn.GRU(2, 8, num_layers=2, batch_first=True).to(dtype)
    x = torch.randn(4, 50, 2, dtype=dtype, requires_grad=True)
    _assert_same(rnn, x)


def test_dropout_between_layers_draws_as_nn_gru(loops):
    rnn = torch.nn.GRU(3, 8, num_layers=3, dropout=0.5, batch_first=True).double()
    x = torch.randn(4, 10, 3, dtype=torch.float64)
    torch.manual_seed(1)
    expected, _ = rnn(x)
    torch.manual_seed(1)
    got, _ = gru_forward(rnn, x)
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-10)
    rnn.eval()
    torch.testing.assert_close(gru_forward(rnn, x)[0], rnn(x)[0], rtol=0, atol=1e-10)


def test_the_kernel_runs_only_where_it_computes_nn_gru():
    x = torch.randn(2, 5, 3)
    assert uses_gru_kernel(torch.nn.GRU(3, 4, batch_first=True), x)
    assert uses_gru_kernel(torch.nn.GRU(3, 4, batch_first=True).double(), x.double())
    assert not uses_gru_kernel(torch.nn.LSTM(3, 4, batch_first=True), x)
    assert not uses_gru_kernel(torch.nn.GRU(3, 4), x)
    assert not uses_gru_kernel(torch.nn.GRU(3, 4, batch_first=True, bias=False), x)
    assert not uses_gru_kernel(torch.nn.GRU(3, 4, batch_first=True, bidirectional=True), x)
    assert not uses_gru_kernel(torch.nn.GRU(3, 4, batch_first=True).bfloat16(), x.bfloat16())


def _encode(enc, x, lengths):
    enc.zero_grad()
    x.grad = None
    outputs, last = enc(x, lengths)
    mask = (torch.arange(x.shape[1])[None, :] < lengths[:, None]).unsqueeze(-1)
    ((outputs * mask).sin().sum() + last.square().sum()).backward()
    return [outputs.detach() * mask, last.detach(), x.grad,
            *(p.grad.clone() for p in enc.parameters())]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_encoder_on_a_ragged_batch_equals_nn_gru(dtype, bidirectional, monkeypatch, loops):
    torch.manual_seed(0)
    enc = RecurrentEncoder(3, 6, num_layers=2, cell="gru", bidirectional=bidirectional)
    enc.to(dtype)
    x = torch.randn(5, 11, 3, dtype=dtype, requires_grad=True)
    lengths = torch.tensor([11, 1, 4, 7, 11])
    got = _encode(enc, x, lengths)
    monkeypatch.setattr(recurrent, "uses_gru_kernel", lambda rnn, x: False)
    expected = _encode(enc, x, lengths)
    for e, g in zip(expected, got):
        assert (e - g).abs().max().item() <= TOLERANCE[dtype]


@pytest.mark.parametrize("bidirectional", [False, True])
def test_a_sequence_encodes_the_same_in_any_ragged_batch(bidirectional):
    torch.manual_seed(0)
    enc = RecurrentEncoder(2, 6, num_layers=2, cell="gru", bidirectional=bidirectional).double()
    x = torch.randn(4, 9, 2, dtype=torch.float64)
    lengths = torch.tensor([9, 3, 1, 6])
    outputs, last = enc(x, lengths)
    for i, n in enumerate(lengths.tolist()):
        alone, alone_last = enc(x[i : i + 1, :n])
        torch.testing.assert_close(outputs[i, :n], alone[0], rtol=0, atol=1e-12)
        torch.testing.assert_close(last[i], alone_last[0], rtol=0, atol=1e-12)


def test_gru_classifier_trains_as_with_nn_gru(monkeypatch, loops):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 12)).astype(np.float32)
    y = (X[:, -3:].sum(axis=1) > 0).astype(int)
    params = dict(hidden_size=8, bidirectional=True, max_iter=3, random_state=0)
    with pytest.warns(Warning):  # stops at max_iter
        got = GRUClassifier(**params).fit(X, y).predict_proba(X)
    monkeypatch.setattr(recurrent, "uses_gru_kernel", lambda rnn, x: False)
    with pytest.warns(Warning):
        expected = GRUClassifier(**params).fit(X, y).predict_proba(X)
    np.testing.assert_allclose(got, expected, rtol=0, atol=TOLERANCE[torch.float32])


def test_saved_weights_keep_nn_gru_names():
    enc = RecurrentEncoder(3, 4, num_layers=2, cell="gru")
    assert set(enc.state_dict()) == {
        f"forward_rnn.{kind}_{part}_l{layer}"
        for kind in ("weight", "bias") for part in ("ih", "hh") for layer in (0, 1)
    }
