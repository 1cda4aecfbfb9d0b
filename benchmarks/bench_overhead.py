"""Per-batch overhead of fit over a hand-written loop, on a model with almost no compute.

Two steps of two features, an LSTM of hidden size 2, batch 128: nearly all of a
batch is Python and fixed per-call costs, so the difference per batch between
``LSTMClassifier.fit`` and the same loop written by hand (same module, Adam,
gradient clipping) is what sklearn-seq adds on top of PyTorch for each batch
(and its fixed cost per fit spread over the batches). Medians over rounds taken in
alternation, reversed every other round.

    python benchmarks/bench_overhead.py [--repeat 9] [--threads 1]
"""

import argparse
import statistics
import warnings

import numpy as np
import torch
from _common import interleaved, table
from sklearn.exceptions import ConvergenceWarning

from sklearn_seq import LSTMClassifier
from sklearn_seq.nn import SequenceNetwork

N, T, F, BATCH, EPOCHS = 25600, 2, 2, 128, 2


def hand_written(X, y):
    torch.manual_seed(0)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    module = SequenceNetwork(F, 2, hidden_size=2)
    opt = torch.optim.Adam(module.parameters(), lr=1e-3, fused=True)
    loss_fn = torch.nn.CrossEntropyLoss()
    module.train()
    for _ in range(EPOCHS):
        perm = torch.randperm(len(Xt))
        for i in range(0, len(Xt), BATCH):
            idx = perm[i : i + BATCH]
            opt.zero_grad()
            loss = loss_fn(module(Xt[idx]), yt[idx])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(module.parameters(), 1.0)
            opt.step()
            loss.item()


def ours(X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        LSTMClassifier(hidden_size=2, max_iter=EPOCHS, batch_size=BATCH, alpha=0.0,
                       random_state=0).fit(X, y)


def main(repeat=9, threads=None):
    if threads:
        torch.set_num_threads(threads)
    rng = np.random.RandomState(0)
    X = rng.randn(N, T, F).astype(np.float32)
    y = (X[:, -1, 0] > 0).astype(np.int64)
    n_batches = EPOCHS * N // BATCH
    runs = {}
    t = interleaved({"torch": lambda: hand_written(X, y), "sklearn_seq": lambda: ours(X, y)},
                    repeat=repeat, samples=runs)
    diff = statistics.median(b - a for a, b in zip(runs["torch"][0], runs["sklearn_seq"][0]))
    print(f"overhead: {N} x {T} x {F}, LSTM hidden 2, batch {BATCH}, {n_batches} batches, "
          f"{torch.get_num_threads()} torch threads, median of {repeat} rounds")
    table([[f"{t['torch'] / n_batches * 1e6:.1f}", f"{t['sklearn_seq'] / n_batches * 1e6:.1f}",
            f"{diff / n_batches * 1e6:.1f}"]],
          ["hand-written (µs/batch)", "LSTMClassifier.fit (µs/batch)",
           "overhead (µs/batch, paired)"])
    return diff / n_batches


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=9)
    p.add_argument("--threads", type=int, default=None)
    a = p.parse_args()
    main(repeat=a.repeat, threads=a.threads)
