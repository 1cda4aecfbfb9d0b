"""fit() against a hand-written PyTorch loop: same module, data, batches, optimizer.

Data: 20,000 sequences x 50 steps x 8 features (float32), LSTM, batch 128, Adam,
gradient-norm clipping at 1 (the estimator's default), measured at hidden_size 16
and 64. Each run builds and trains from scratch. The two run in alternation,
in reversed order every other round; times are medians, the ratio is the median
over rounds of the ratio within a round (the machine's speed drifts between
rounds). Goal: ratio <= 1.05. The CPU-time ratio (process CPU time of all
threads, same rounds) is less disturbed by other load on a shared machine.

On a GPU (``--device cuda``) the hand-written loop moves each batch to the
device as a plain loop does, and both wait for the device before the clock stops.

    python benchmarks/bench_fit.py [--epochs 2] [--repeat 5] [--device cuda]
"""

import argparse
import warnings

import numpy as np
import torch
from _common import interleaved, paired_ratio, synchronize, table
from sklearn.exceptions import ConvergenceWarning

from sklearn_seq import LSTMClassifier
from sklearn_seq.nn import SequenceNetwork


def hand_written(X, y, hidden_size, epochs, batch_size, seed=0, device="cpu"):
    torch.manual_seed(seed)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    module = SequenceNetwork(X.shape[2], 2, hidden_size=hidden_size).to(device)
    opt = torch.optim.Adam(module.parameters(), lr=1e-3, fused=True)
    loss_fn = torch.nn.CrossEntropyLoss()
    module.train()
    for _ in range(epochs):
        perm = torch.randperm(len(Xt))
        for i in range(0, len(Xt), batch_size):
            idx = perm[i : i + batch_size]
            xb, yb = Xt[idx].to(device), yt[idx].to(device)
            opt.zero_grad()
            loss = loss_fn(module(xb), yb)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(module.parameters(), 1.0)
            opt.step()
            loss.item()
    synchronize(device)
    return module


def ours(X, y, hidden_size, epochs, batch_size, device="cpu"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # the hand-written loop's constant rate (the classifiers' default schedule
        # costs one scheduler step an epoch)
        est = LSTMClassifier(hidden_size=hidden_size, max_iter=epochs, batch_size=batch_size,
                             alpha=0.0, learning_rate="constant", random_state=0,
                             device=device).fit(X, y)
    synchronize(device)
    return est


def main(n_samples=20000, n_timesteps=50, n_features=8, epochs=2, repeat=5,
         hidden_sizes=(16, 64), batch_size=128, device="cpu"):
    rng = np.random.RandomState(0)
    X = rng.randn(n_samples, n_timesteps, n_features).astype(np.float32)
    y = (X[:, -5:, 0].sum(axis=1) > 0).astype(np.int64)
    rows = []
    for h in hidden_sizes:
        runs = {}
        t = interleaved({
            "torch": lambda: hand_written(X, y, h, epochs, batch_size, device=device),
            "sklearn_seq": lambda: ours(X, y, h, epochs, batch_size, device=device),
        }, repeat=repeat, samples=runs)
        rows.append([h, f"{t['torch']:.3f}", f"{t['sklearn_seq']:.3f}",
                     f"{paired_ratio(runs, 'sklearn_seq', 'torch'):.3f}",
                     f"{paired_ratio(runs, 'sklearn_seq', 'torch', kind=1):.3f}"])
    print(f"fit: {n_samples} x {n_timesteps} x {n_features}, batch {batch_size}, "
          f"{epochs} epochs, {torch.get_num_threads()} torch threads, device {device}, "
          f"median of {repeat}")
    table(rows, ["hidden_size", "hand-written loop (s)", "LSTMClassifier.fit (s)", "ratio",
                 "CPU-time ratio"])
    print("times: medians; ratios: medians over rounds of the ratio within a round")
    return rows


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--n-samples", type=int, default=20000)
    p.add_argument("--device", default="cpu", help="torch device (default: cpu)")
    a = p.parse_args()
    main(n_samples=a.n_samples, epochs=a.epochs, repeat=a.repeat, device=a.device)
