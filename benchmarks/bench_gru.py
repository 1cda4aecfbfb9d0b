"""The GRU against the LSTM on the CPU, before and after the library's GRU kernel.

One forward and backward pass (the loss reads every output and the last state) of
``torch.nn.LSTM`` (torch's oneDNN kernel), ``torch.nn.GRU`` (torch's own CPU
kernel, what the library used before) and the library's GRU layer
(``sklearn_seq.nn._gru``, what ``RecurrentEncoder`` runs on the CPU now), with its
per-step loops compiled (``_gru_loops.c``, the installed default) and in Python (the
fallback without a C compiler), on the same ``nn.GRU``'s parameters: 140 steps, 1
input feature, float32, hidden 16, 64 and 128, batch 32 and 128, measured in
alternation. Prints the median time of each and the ratios to the LSTM within each
round; then the largest difference between the library's outputs and gradients
and ``nn.GRU``'s.

With ``--fit``, also ``LSTMClassifier`` and ``GRUClassifier`` (defaults, five epochs,
with the library's GRU kernel and with ``nn.GRU``) on 500 random sequences of 140
steps, the shape of ECG5000.

    python benchmarks/bench_gru.py [--repeat 15] [--threads 1] [--fit]
"""

import argparse
import warnings

import numpy as np
import torch
from _common import interleaved, paired_ratio, table

import sklearn_seq.nn._gru as gru_module
from sklearn_seq.nn._gru import gru_forward

STEPS, FEATURES = 140, 1


def _lstm(lstm, x):
    def run():
        out, (h, _) = lstm(x)
        (out.sum() + h.sum()).backward()
    return run


def _gru(gru, x, kernel, compiled=True):
    loops = gru_module._gru_loops

    def run():
        gru_module._gru_loops = loops if compiled else None
        try:
            out, h = gru_forward(gru, x) if kernel else gru(x)
            (out.sum() + h.sum()).backward()
        finally:
            gru_module._gru_loops = loops
    return run


def _difference(gru, x):
    """Largest absolute difference of outputs, last state and all gradients."""
    x = x.clone().requires_grad_(True)
    w = torch.randn(x.shape[0], x.shape[1], gru.hidden_size)
    results = []
    for kernel in (False, True):
        gru.zero_grad()
        x.grad = None
        out, h = gru_forward(gru, x) if kernel else gru(x)
        ((out * w).mean() + h.mean()).backward()
        results.append([out, h, x.grad, *(p.grad for p in gru.parameters())])
    return max((a - b).abs().max().item() for a, b in zip(*results))


def kernels(repeat, sizes=(16, 64, 128), batches=(32, 128)):
    rows, worst = [], 0.0
    for hidden in sizes:
        for batch in batches:
            lstm = torch.nn.LSTM(FEATURES, hidden, batch_first=True)
            gru = torch.nn.GRU(FEATURES, hidden, batch_first=True)
            x = torch.randn(batch, STEPS, FEATURES)
            samples = {}
            times = interleaved({"lstm": _lstm(lstm, x), "gru": _gru(gru, x, False),
                                 "kernel": _gru(gru, x, True),
                                 "python": _gru(gru, x, True, compiled=False)},
                                repeat=repeat, warmup=2, samples=samples)
            worst = max(worst, _difference(gru, x))
            rows.append([hidden, batch, f"{times['lstm'] * 1e3:.1f}",
                         f"{times['gru'] * 1e3:.1f}", f"{times['kernel'] * 1e3:.1f}",
                         f"{times['python'] * 1e3:.1f}",
                         f"{paired_ratio(samples, 'gru', 'lstm'):.2f}",
                         f"{paired_ratio(samples, 'kernel', 'lstm'):.2f}",
                         f"{paired_ratio(samples, 'python', 'lstm'):.2f}",
                         f"{paired_ratio(samples, 'gru', 'kernel'):.2f}"])
    print(f"Forward + backward, {STEPS} steps, {FEATURES} feature, float32, "
          f"{torch.get_num_threads()} torch threads, median of {repeat}; compiled loops "
          f"available: {gru_module.uses_compiled_loops()}")
    table(rows, ["hidden", "batch", "nn.LSTM (ms)", "nn.GRU (ms)", "GRU kernel (ms)",
                 "kernel, Python loops (ms)", "nn.GRU / LSTM", "kernel / LSTM",
                 "Python loops / LSTM", "nn.GRU / kernel"])
    print(f"\nlargest difference to nn.GRU (outputs, last state, input and weight "
          f"gradients), float32: {worst:.1e}")


def fits(epochs=5, n=500, repeat=3):
    from sklearn_seq import GRUClassifier, LSTMClassifier
    from sklearn_seq.nn import _recurrent

    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, STEPS)).astype(np.float32)
    y = (X[:, -20:].mean(axis=1) > 0).astype(int)
    kernel = _recurrent.uses_gru_kernel

    def fit(est, use_kernel, max_iter=epochs):
        def run():
            _recurrent.uses_gru_kernel = kernel if use_kernel else (lambda rnn, x: False)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # stopping at max_iter on purpose
                    est(max_iter=max_iter, n_iter_no_change=max_iter + 1,
                        random_state=0).fit(X, y)
            finally:
                _recurrent.uses_gru_kernel = kernel
        return run

    for est in (LSTMClassifier, GRUClassifier):  # the first fit builds oneDNN's kernels
        fit(est, True, max_iter=1)()
    samples = {}
    times = interleaved({"LSTMClassifier": fit(LSTMClassifier, True),
                         "GRUClassifier, nn.GRU": fit(GRUClassifier, False),
                         "GRUClassifier, kernel": fit(GRUClassifier, True)},
                        repeat=repeat, warmup=0, samples=samples)
    print(f"\nfit, defaults, {epochs} epochs, {n} x {STEPS} x 1 float32 (ECG5000's shape), "
          f"{torch.get_num_threads()} torch threads, median of {repeat}")
    table([[k, f"{v:.2f}", f"{paired_ratio(samples, k, 'LSTMClassifier'):.2f}"]
           for k, v in times.items()], ["estimator", "fit (s)", "/ LSTMClassifier"])


def main(repeat=15, threads=1, fit=False):
    # torch warns on every switch of the oneDNN flags about TF32 on Intel GPUs.
    warnings.filterwarnings("ignore", message="TF32 acceleration")
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    kernels(repeat)
    if fit:
        fits()


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=15)
    p.add_argument("--threads", type=int, default=1, help="torch threads (default: 1)")
    p.add_argument("--fit", action="store_true",
                   help="also time GRUClassifier against LSTMClassifier")
    a = p.parse_args()
    main(repeat=a.repeat, threads=a.threads, fit=a.fit)
