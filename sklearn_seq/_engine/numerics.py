"""Numerics the engine and the estimators share: devices, dtypes, seeding and
weighted input statistics."""

import contextlib
import warnings

import numpy as np
import torch

_TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64}


def resolve_device(device):
    """Map ``"auto"`` to ``"cuda"`` when a GPU is available, else ``"cpu"``; check it."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        parsed = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device={device!r} is not a torch device; use 'cpu', 'cuda', 'cuda:N' or "
            "'auto'."
        ) from exc
    if parsed.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} but torch finds no CUDA GPU here; use device='cpu' or "
            "'auto', or install a CUDA build of torch."
        )
    return device


def weighted_stats(values, weight, chunk=None, rows=None):
    """Per-column weighted mean and standard deviation (1 where a column is constant).

    ``rows`` (int64 indices, optional) restricts the statistics to those rows of
    ``values``; ``weight`` then has one entry per index.

    One pass over ``values`` (2D) in float64 blocks of about 4 MiB, gathered and
    reduced by torch's vectorised, threaded kernels: no full copy (in float64 or of
    the gathered rows), and blocks of one size are reused by the allocator instead of
    being faulted in afresh. Columns are shifted by the first row, so that large
    offsets (sales in the millions) keep their precision. float32 squares can neither
    overflow nor underflow in float64; float64 columns of extreme magnitude are also
    divided by their largest deviation from the shift. Returns numpy float64 arrays.
    """
    total = float(np.sum(weight))
    n_cols = values.shape[1]
    if not total > 0 or values.shape[0] == 0:
        return np.zeros(n_cols), np.ones(n_cols)
    if not values.flags.c_contiguous:
        values = np.ascontiguousarray(values)
    with warnings.catch_warnings():
        # Read-only input (strided windows) is only read here.
        warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
        x = torch.from_numpy(values)
        w = torch.from_numpy(np.ascontiguousarray(weight, dtype=np.float64))
    index = None if rows is None else torch.from_numpy(np.asarray(rows, dtype=np.int64))
    n = x.shape[0] if index is None else index.shape[0]
    chunk = chunk or max(1, (1 << 19) // max(n_cols, 1))

    def blocks():
        for start in range(0, n, chunk):
            stop = start + chunk
            # torch's gather is threaded (numpy's fancy indexing is not).
            yield start, (x[start:stop] if index is None else x.index_select(0, index[start:stop]))

    shift = (x[0] if index is None else x[index[0]]).to(torch.float64)
    span = _extreme_span(blocks(), shift) if x.dtype == torch.float64 else None
    s1 = torch.zeros(n_cols, dtype=torch.float64)
    s2 = torch.zeros(n_cols, dtype=torch.float64)
    for start, block in blocks():
        block = block.to(torch.float64, copy=True).sub_(shift)
        if span is not None:
            block.div_(span)
        wc = w[start : start + chunk]
        s1 += wc @ block
        s2 += wc @ block.square_()
    shift = shift.numpy()
    span = np.ones(n_cols) if span is None else span.numpy()
    m1 = s1.numpy() / total
    var = np.maximum(s2.numpy() / total - m1**2, 0.0)
    mean = m1 * span + shift
    scale = np.sqrt(var) * span
    scale[~(scale > 1e-12 * np.maximum(1.0, np.abs(mean)))] = 1.0
    return mean, scale


def _extreme_span(blocks, shift):
    """Each column's largest deviation from ``shift`` over the ``(start, block)``
    pairs of ``blocks`` (1 where it is 0 or not finite), when some column's is of
    extreme magnitude (beyond 1e-100 to 1e100); None otherwise."""
    lo = hi = shift
    for _, block in blocks:
        b_lo, b_hi = torch.aminmax(block, dim=0)
        lo, hi = torch.minimum(lo, b_lo), torch.maximum(hi, b_hi)
    deviation = torch.maximum((hi - shift).abs(), (lo - shift).abs())
    if 1e-100 < float(deviation.max()) < 1e100:
        return None
    deviation[~(torch.isfinite(deviation) & (deviation > 0))] = 1.0
    return deviation


@contextlib.contextmanager
def seeded(seed, device="cpu"):
    """Run with torch seeded by ``seed``, leaving the caller's RNG state untouched."""
    devices = []
    if str(device).startswith("cuda") and torch.cuda.is_available():
        index = torch.device(device).index
        devices = [torch.cuda.current_device() if index is None else index]
    with torch.random.fork_rng(devices=devices):
        # Only the generators in use: torch.manual_seed would also queue lazy seeding
        # of every other backend (each recording a stack trace, ~2 ms a call).
        torch.default_generator.manual_seed(seed)
        for index in devices:
            with torch.cuda.device(index):
                torch.cuda.manual_seed(seed)
        yield


def torch_dtype(name):
    """The torch dtype of a ``dtype`` parameter ("float32" or "float64")."""
    return _TORCH_DTYPES[name]
