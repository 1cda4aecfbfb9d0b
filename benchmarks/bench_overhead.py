"""Per-batch overhead of fit over a hand-written loop, on a model with almost no compute.

Two steps of two features, an LSTM of hidden size 2, batch 128: nearly all of a
batch is Python and fixed per-call costs, so the difference per batch between
``LSTMClassifier.fit`` and the hand-written loop of ``bench_fit.py`` (same
module, Adam, gradient clipping) is what sklearn-seq adds on top of PyTorch for each batch
(and its fixed cost per fit spread over the batches). Medians over rounds taken in
alternation, reversed every other round.

    python benchmarks/bench_overhead.py [--repeat 9] [--threads 1]
"""

import argparse
import statistics

import numpy as np
import torch
from _common import interleaved, table
from bench_fit import hand_written, ours

N, T, F, BATCH, EPOCHS = 25600, 2, 2, 128, 2


def main(repeat=9, threads=None):
    if threads:
        torch.set_num_threads(threads)
    rng = np.random.RandomState(0)
    X = rng.randn(N, T, F).astype(np.float32)
    y = (X[:, -1, 0] > 0).astype(np.int64)
    n_batches = EPOCHS * N // BATCH
    runs = {}
    t = interleaved({"torch": lambda: hand_written(X, y, 2, EPOCHS, BATCH),
                     "sklearn_seq": lambda: ours(X, y, 2, EPOCHS, BATCH)},
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
