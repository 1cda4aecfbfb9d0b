"""The GRU on the CPU: torch.nn.GRU's numbers, computed with fewer operations.

torch's CPU LSTM runs on a fused oneDNN kernel; its GRU has none, and autograd
records about fifteen small operations a step, so training a GRU took several times
as long as an LSTM of the same size, with a quarter fewer gates. Here one layer is
one autograd function that runs the recurrence itself:

- forward: the input part of all gates for many steps in one matrix product; per
  step, one product with the hidden weights added in place, then the gates in four
  elementwise operations;
- backward: the gate derivatives for many steps at once, from the saved gates; per
  step, one elementwise update and one product; the weight gradients of those steps
  in one product each.

"Many steps" is the whole sequence for small models, whose time goes into the number
of operations, and chunks that stay in cache for larger ones.

The per-step loops are compiled (``_gru_loops.c``, built at install where a C
compiler is found), calling torch's own BLAS for the product: in eager PyTorch each
step's calls cost several microseconds each, which at hidden size 16 was the whole
difference to the LSTM. Without the compiled module, or without a BLAS whose address
torch's library exports, the same loops run in Python with the same numbers.

The formulas are torch's (``r``, ``z`` in the order of ``weight_hh``; ``b_hn`` inside
the reset gate), on the same parameters (an ``nn.GRU`` still holds and saves them);
results differ from ``nn.GRU``'s by rounding only (float32 outputs within about 1e-7).
"""

import ctypes
import functools
import os

import torch
from torch.autograd.function import once_differentiable
from torch.nn import functional as F

try:
    from sklearn_seq.nn import _gru_loops
except ImportError:  # built without a C compiler: the loops run in Python
    _gru_loops = None

__all__ = ["gru_forward", "uses_compiled_loops", "uses_gru_kernel"]

_aten = torch.ops.aten
# Elements (steps x batch x hidden) of one chunk of the steps, and the size below
# which a sequence is one chunk.
_CHUNK_ELEMENTS = 1 << 16
_ONE_CHUNK_ELEMENTS = 1 << 17


@functools.cache
def _torch_gemm():
    """Addresses of the BLAS ``sgemm_`` / ``dgemm_`` that torch's CPU library exports
    (MKL in the x86-64 Linux wheels, following ``torch.set_num_threads``), by dtype;
    None where it exports none."""
    folder = os.path.join(os.path.dirname(torch.__file__), "lib")
    for name in ("libtorch_cpu.so", "libtorch_cpu.dylib", "torch_cpu.dll"):
        try:
            lib = ctypes.CDLL(os.path.join(folder, name))
            return {torch.float32: ctypes.cast(lib.sgemm_, ctypes.c_void_p).value,
                    torch.float64: ctypes.cast(lib.dgemm_, ctypes.c_void_p).value}
        except (OSError, AttributeError):
            continue
    return None


def uses_compiled_loops():
    """Whether the GRU layer's per-step loops run compiled (see the module's text):
    the extension was built and torch's library exports a BLAS gemm."""
    return _gru_loops is not None and _torch_gemm() is not None


def _forward_steps(g, n, out, w, start, end):
    """Steps ``start .. end - 1`` of the forward recurrence, in place (see forward)."""
    batch, hidden = out.shape[1:]
    if uses_compiled_loops():
        _gru_loops.forward(g.dtype == torch.float64, start, end, batch, hidden,
                           _torch_gemm()[g.dtype], g.data_ptr(), n.data_ptr(),
                           out.data_ptr(), w.data_ptr())
        return
    h2 = 2 * hidden
    h = out[start - 1] if start else out.new_zeros(batch, hidden)
    lerp = torch.lerp
    g_k, n_k = g[start:end], n[start:end]
    # Views made once per chunk (one call each), not once per step.
    per_step = zip(
        g_k.unbind(0), g_k[..., :h2].unbind(0), g_k[..., :hidden].unbind(0),
        g_k[..., hidden:h2].unbind(0), g_k[..., h2:].unbind(0),
        n_k.unbind(0), out[start:end].unbind(0),
    )
    for g_t, rz_t, r_t, z_t, h_n_t, n_t, out_t in per_step:
        g_t.addmm_(h, w)
        rz_t.sigmoid_()
        n_t.addcmul_(h_n_t, r_t).tanh_()
        h = lerp(n_t, h, z_t, out=out_t)  # n + z (h - n)


def _backward_steps(a, d, w_hh, k, first):
    """The reverse recurrence over a chunk's ``k`` steps, in place on ``d`` (see
    backward); ``first``: the chunk starts the sequence (no state before it)."""
    batch, hidden = d.shape[1], d.shape[3]
    if uses_compiled_loops():
        _gru_loops.backward(d.dtype == torch.float64, k, batch, hidden, first,
                            _torch_gemm()[d.dtype], a.data_ptr(), d.data_ptr(),
                            w_hh.data_ptr())
        return
    flat = d.view(d.shape[0], batch, 4 * hidden)
    d_s, a_s, dh_s = d.unbind(0), a.unbind(0), d[:, :, 3:].unbind(0)
    gates_s, carry_s = flat[..., : 3 * hidden].unbind(0), flat[..., 3 * hidden :].unbind(0)
    for j in range(k - 1, -1, -1):
        d_s[j].addcmul_(a_s[j], dh_s[j + 1])
        if j or not first:
            carry_s[j].addmm_(gates_s[j], w_hh)


def _gate_grads(g, n, out, a, dn, start, end):
    """The gate derivatives of steps ``start .. end - 1`` into ``a`` (see backward),
    compiled or with torch; returns the new gate's factor ``(1 - z)(1 - n^2)``
    (written into the buffer ``dn`` when compiled; None otherwise)."""
    k, hidden = end - start, n.shape[2]
    if uses_compiled_loops():
        _gru_loops.gate_grads(g.dtype == torch.float64, start, k, n.shape[1], hidden,
                              g.data_ptr(), n.data_ptr(), out.data_ptr(), a.data_ptr(),
                              dn.data_ptr())
        return dn[:k]
    h2 = 2 * hidden
    r, z = g[start:end, :, :hidden], g[start:end, :, hidden:h2]
    h_n, n_k = g[start:end, :, h2:], n[start:end]
    dn = _aten.tanh_backward(1 - z, n_k)
    _aten.sigmoid_backward.grad_input(dn * h_n, r, grad_input=a[:k, :, 0])
    a_z = a[:k, :, 1]
    if start:
        torch.sub(out[start - 1 : end - 1], n_k, out=a_z)
    else:
        torch.sub(out[: end - 1], n_k[1:], out=a_z[1:])
        torch.neg(n_k[0], out=a_z[0])
    _aten.sigmoid_backward.grad_input(a_z, z, grad_input=a_z)
    torch.mul(dn, r, out=a[:k, :, 2])
    a[:k, :, 3] = z
    return dn


def _span(steps, batch, hidden):
    """Steps per chunk: all of them for small models, whose cost is the number of
    operations; for larger ones, few enough that a chunk's work stays in cache."""
    if steps * batch * hidden <= _ONE_CHUNK_ELEMENTS:
        return steps
    return min(steps, max(1, _CHUNK_ELEMENTS // (batch * hidden)))


class _GRULayer(torch.autograd.Function):
    """One GRU layer and direction on a time-major ``(time, batch, features)`` input,
    from a zero initial state; returns all states and (a copy of) the last one."""

    @staticmethod
    def forward(ctx, x, w_ih, w_hh, b_ih, b_hh):
        ctx.set_materialize_grads(False)
        steps, batch, inputs = x.shape
        hidden = w_hh.shape[1]
        h2 = 2 * hidden
        # g_t = [x W_ir' + b_ir + b_hr, x W_iz' + b_iz + b_hz, b_hn]; each step adds
        # h W_hh' to it in place, so g_t then holds the reset and update
        # pre-activations and the hidden part of the new gate, which the reset scales.
        bias = torch.cat([b_ih[:h2] + b_hh[:h2], b_ih[h2:]])
        g = x.new_empty(steps, batch, 3 * hidden)
        n = x.new_empty(steps, batch, hidden)
        out = torch.empty_like(n)
        w_ih_t, w = w_ih.t(), w_hh.t().contiguous()
        w_hh = w_hh.contiguous()
        # In chunks whose input part is still in cache when the steps read it.
        span = _span(steps, batch, hidden)
        for start in range(0, steps, span):
            end = min(steps, start + span)
            g_k = g[start:end]
            torch.addmm(bias, x[start:end].reshape(-1, inputs), w_ih_t,
                         out=g_k.view(-1, 3 * hidden))
            # n starts as the input part of the new gate: x W_in' + b_in.
            n[start:end] = g_k[..., h2:]
            g_k[..., h2:] = b_hh[h2:]
            _forward_steps(g, n, out, w, start, end)
        ctx.save_for_backward(x, w_ih, w_hh, g, n, out)
        return out, out[-1].clone()

    # Over 60 lines on purpose: one numeric kernel whose buffers (a and d) serve both
    # the reverse recurrence (_backward_steps) and the weight gradients of each
    # chunk; split further, a dozen tensors would travel between the helpers.
    @staticmethod
    @once_differentiable
    def backward(ctx, d_out, d_last):
        x, w_ih, w_hh, g, n, out = ctx.saved_tensors
        steps, batch, inputs = x.shape
        hidden = w_hh.shape[1]
        h2, h3 = 2 * hidden, 3 * hidden
        # Backwards through time, chunk by chunk (see _span).
        span = _span(steps, batch, hidden)
        a = x.new_empty(span, batch, 4, hidden)
        d = x.new_empty(span + 1, batch, 4, hidden)
        flat = d.view(span + 1, batch, 4 * hidden)
        d_w_ih = w_ih.new_zeros(w_ih.shape)
        d_w_hh = w_hh.new_zeros(w_hh.shape)
        d_b_ih = w_hh.new_zeros(h3)
        d_b_hh = w_hh.new_zeros(h3)
        d_x = x.new_empty(x.shape) if ctx.needs_input_grad[0] else None
        dn_buffer = x.new_empty(span, batch, hidden) if uses_compiled_loops() else None
        carry = d_last
        for end in range(steps, 0, -span):
            start = max(0, end - span)
            k = end - start
            # a[j] is what dh_t (t = start + j) is multiplied by to give, per block,
            # the gradients of the reset, update and new gate's hidden
            # pre-activations, and the direct path z_t to h_{t-1}.
            dn = _gate_grads(g, n, out, a, dn_buffer, start, end)
            # d[j] = [gradients of the three hidden pre-activations at step t,
            # dh_{t-1}]: its last block starts as dout_{t-1}, receives z_t dh_t with
            # the others, then the hidden product; d[k]'s last block is dh_{end-1}.
            d[: k + 1].zero_()
            if d_out is not None:
                d[1 : k + 1, :, 3] = d_out[start:end]
            if carry is not None:
                d[k, :, 3] += carry
            _backward_steps(a, d, w_hh, k, first=start == 0)
            carry = d[0, :, 3].clone() if start else None

            rows = k * batch
            d_gates = flat[:k].reshape(rows, 4 * hidden)
            d_h = d_gates[:, :h3]
            d_x_n = (d[1 : k + 1, :, 3] * dn).view(rows, hidden)
            d_x_rz = d_h[:, :h2]
            x_k = x[start:end].reshape(rows, inputs)
            d_w_ih[:h2].addmm_(d_x_rz.t(), x_k)
            d_w_ih[h2:].addmm_(d_x_n.t(), x_k)
            sums = d_h.sum(0)
            d_b_hh += sums
            d_b_ih[:h2] += sums[:h2]
            d_b_ih[h2:] += d_x_n.sum(0)
            if start:
                d_w_hh.addmm_(d_h.t(), out[start - 1 : end - 1].reshape(rows, hidden))
            elif k > 1:
                d_w_hh.addmm_(d_h[batch:].t(), out[: end - 1].reshape(rows - batch, hidden))
            if d_x is not None:
                torch.addmm(d_x_n @ w_ih[h2:], d_x_rz, w_ih[:h2],
                            out=d_x[start:end].view(rows, inputs))
        return d_x, d_w_ih, d_w_hh, d_b_ih, d_b_hh


def uses_gru_kernel(rnn, x):
    """Whether :func:`gru_forward` computes ``rnn(x)``: an unpacked CPU batch in
    float32 or float64, through a unidirectional ``batch_first`` GRU with biases,
    outside tracing and compilation (which see ``nn.GRU``'s one operation instead of
    a loop unrolled over this batch's length)."""
    return (
        isinstance(rnn, torch.nn.GRU)
        and isinstance(x, torch.Tensor)
        and x.device.type == "cpu"
        and x.dtype in (torch.float32, torch.float64)
        and x.dim() == 3
        and x.shape[0] > 0
        and x.shape[1] > 0
        and rnn.batch_first
        and rnn.bias
        and not rnn.bidirectional
        and not torch.jit.is_tracing()
        and not _compiling()
    )


def _compiling():
    # torch.compiler.is_compiling arrived in torch 2.3; torch 2.1 and 2.2 have
    # torch._dynamo's.
    is_compiling = getattr(torch.compiler, "is_compiling", None)
    if is_compiling is None:
        from torch._dynamo import is_compiling
    return is_compiling()


def gru_forward(rnn, x):
    """``rnn(x)`` for a ``batch_first`` ``nn.GRU`` from a zero state (see
    :func:`uses_gru_kernel`): ``(outputs, h_n)`` with ``nn.GRU``'s shapes, and its
    dropout between layers in training mode."""
    h = x.transpose(0, 1)
    last = []
    for layer in range(rnn.num_layers):
        if layer and rnn.dropout and rnn.training:
            h = F.dropout(h, rnn.dropout, training=True)
        h, h_last = _GRULayer.apply(
            h,
            getattr(rnn, f"weight_ih_l{layer}"),
            getattr(rnn, f"weight_hh_l{layer}"),
            getattr(rnn, f"bias_ih_l{layer}"),
            getattr(rnn, f"bias_hh_l{layer}"),
        )
        last.append(h_last)
    return h.transpose(0, 1), torch.stack(last)
