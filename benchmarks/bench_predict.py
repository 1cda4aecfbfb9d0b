"""predict() against the raw module: single-sequence latency and bulk throughput.

A fitted LSTMClassifier (hidden_size 64, 50 steps x 8 features) predicts one
sequence (goal: <= 1.3x the module's own forward under ``torch.inference_mode``),
and 100,000 sequences (goal: <= 1.05x a hand-written batched loop with the same
batch size). On a GPU (``--device cuda``) the raw module's inputs are copied to it
and its outputs back, as a plain loop does.

    python benchmarks/bench_predict.py [--repeat 7] [--device cuda]
"""

import argparse
import warnings

import numpy as np
import torch
from _common import interleaved, paired_ratio, table
from sklearn.exceptions import ConvergenceWarning

from sklearn_seq import LSTMClassifier
from sklearn_seq._engine.net import inference_batch_size


def raw_predict(module, Xt, batch_size, device="cpu"):
    module.eval()
    outs = []
    with torch.inference_mode():
        for i in range(0, len(Xt), batch_size):
            outs.append(module(Xt[i : i + batch_size].to(device)).cpu())
    return torch.cat(outs).argmax(dim=1).numpy()


def main(n_bulk=100_000, repeat=7, hidden_size=64, n_timesteps=50, n_features=8,
         device="cpu"):
    rng = np.random.RandomState(0)
    X = rng.randn(512, n_timesteps, n_features).astype(np.float32)
    y = (X[:, -1, 0] > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = LSTMClassifier(hidden_size=hidden_size, max_iter=2, random_state=0,
                             device=device).fit(X, y)
    module = est.net_.module_
    one = X[:1]
    one_t = torch.from_numpy(one)

    def raw_one():
        module.eval()
        with torch.inference_mode():
            return module(one_t.to(device)).argmax(dim=1).cpu().numpy()

    # Ratios are medians over rounds of the ratio within a round: this machine's
    # speed drifts over minutes, which a ratio of two medians would carry.
    inner = 200
    samples = {}
    t = interleaved({
        "raw": lambda: [raw_one() for _ in range(inner)],
        "ours": lambda: [est.predict(one) for _ in range(inner)],
    }, repeat=repeat, samples=samples)
    rows = [["1 sequence (latency, us)", f"{t['raw'] / inner * 1e6:.0f}",
             f"{t['ours'] / inner * 1e6:.0f}", f"{paired_ratio(samples, 'ours', 'raw'):.3f}"]]

    bulk = rng.randn(n_bulk, n_timesteps, n_features).astype(np.float32)
    bulk_t = torch.from_numpy(bulk)
    batch = inference_batch_size(est.net_)
    assert np.array_equal(raw_predict(module, bulk_t[:1000], batch, device),
                          np.searchsorted(est.classes_, est.predict(bulk[:1000])))
    t = interleaved({
        "raw": lambda: raw_predict(module, bulk_t, batch, device),
        "ours": lambda: est.predict(bulk),
    }, repeat=repeat, samples=samples)
    rows.append([f"{n_bulk} sequences (throughput, seq/s)", f"{n_bulk / t['raw']:.0f}",
                 f"{n_bulk / t['ours']:.0f}", f"{paired_ratio(samples, 'ours', 'raw'):.3f}"])
    print(f"predict: LSTM hidden_size {hidden_size}, {n_timesteps} steps x {n_features} "
          f"features, batch {batch}, {torch.get_num_threads()} torch threads, device {device}, "
          f"{repeat} rounds; "
          "times: medians; ratios: medians over rounds of the ratio within a round")
    table(rows, ["case", "raw module", "LSTMClassifier.predict", "time ratio"])
    return rows


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--n-bulk", type=int, default=100_000)
    p.add_argument("--device", default="cpu", help="torch device (default: cpu)")
    a = p.parse_args()
    main(n_bulk=a.n_bulk, repeat=a.repeat, device=a.device)
