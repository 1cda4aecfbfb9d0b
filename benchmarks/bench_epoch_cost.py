"""Epoch time of the classifier's network variants against their max_iter="auto" price.

``max_iter="auto"`` gives a fit the epochs that cost about a fixed number of
multiply-adds (``sklearn_seq.nn._cost.forward_macs_per_step`` times the time steps
of an epoch; a convolution's weights counted at ``CONV_WEIGHT_RATE`` and each of
its channels at ``CONV_CHANNEL_COST``, the rates fitted to this script's times).
This script times one epoch of ``LSTMClassifier`` for each network variant on
generated data of OSULeaf's shape (200 univariate series of 427 steps, batches of
20, batch normalisation) and prints its time and its price, each relative to the
budget's reference network (``LSTMClassifier()``'s on large univariate sets):
where the two ratios differ, the budget gives a variant more or fewer epochs than
its time would. ``fcn-widths`` and ``fcn-front`` are the
``bench_accuracy.py`` configurations of those names; ``conv16`` to ``conv128``
front ends of three equal convolutions. No real data is needed.

    python benchmarks/bench_epoch_cost.py [--repeat 3] [--threads 1]
"""

import argparse
import statistics
import time
import warnings

import numpy as np
import torch
from _common import table
from sklearn.exceptions import ConvergenceWarning

from sklearn_seq import LSTMClassifier
from sklearn_seq.nn._cost import forward_macs_per_step

N, T = 200, 427
# name -> the parameters that differ from LSTMClassifier()'s
VARIANTS = {
    # the budget's reference: the default network beyond 86,000 training steps
    "reference": dict(conv_channels=(32, 32, 32)),
    "plain": dict(conv_channels=None, pooling="last"),
    "fcn-widths": dict(conv_channels=(64, 128, 64), kernel_size=(8, 5, 3)),
    "conv16": dict(conv_channels=(16, 16, 16)),
    "conv64": dict(conv_channels=(64, 64, 64)),
    "conv128": dict(conv_channels=(128, 128, 128)),
    "fcn-front": dict(conv_channels=(64, 128, 64), kernel_size=(8, 5, 3), hidden_size=8,
                      pooling="last"),
}


def epoch_seconds(X, y, params, epochs, repeat):
    """Median seconds an epoch (of ``repeat`` fits of ``epochs`` epochs) and the
    network's multiply-adds a step."""
    est = LSTMClassifier(batch_size=20, conv_norm="batch", random_state=0, **params)
    times = []
    with warnings.catch_warnings():
        # a few epochs end before convergence, and torch notes its even kernel width
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings("ignore", message="Using padding='same'")
        est.set_params(max_iter=1).fit(X, y)  # warm-up: allocations, oneDNN kernels
        for _ in range(repeat):
            start = time.perf_counter()
            est.set_params(max_iter=epochs).fit(X, y)
            times.append((time.perf_counter() - start) / epochs)
    return statistics.median(times), forward_macs_per_step(est.net_.module_, T)


def main(repeat=3, epochs=3, threads=None):
    if threads:
        torch.set_num_threads(threads)
    rng = np.random.RandomState(0)
    X = rng.randn(N, T, 1).astype(np.float32)
    y = np.arange(N) % 6
    rows, reference = [], None
    for name, params in VARIANTS.items():
        seconds, macs = epoch_seconds(X, y, params, epochs, repeat)
        ns = seconds / (macs * N * T) * 1e9
        reference = reference or (seconds, macs)
        rows.append([name, f"{seconds * 1e3:.0f}", f"{macs:,.0f}", f"{ns:.3f}",
                     f"{seconds / reference[0]:.2f}", f"{macs / reference[1]:.2f}"])
    print(f"epoch cost: {N} x {T} x 1, batches of 20, {torch.get_num_threads()} torch "
          f"threads, median of {repeat} fits of {epochs} epochs")
    table(rows, ["variant", "ms an epoch", "price a step", "ns per price unit and step",
                 "time / reference's", "price / reference's"])


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    a = p.parse_args()
    main(repeat=a.repeat, epochs=a.epochs, threads=a.threads)
