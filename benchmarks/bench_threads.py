"""fit() with one torch thread against torch's default (all cores), by model size.

torch runs each operation on all cores by default, and sklearn-seq keeps that
outside a search. For a small recurrent model the work per time step is too
small to split, and on a machine with few cores (or with other load on them) the
threads' synchronisation can cost more than it saves. This script measures both
settings on the same fits, in alternation (the order reversed every other
round), and prints the median time of each and the median over rounds of the
ratio within a round (one thread / default):

- ``LSTMClassifier``, 20,000 x 50 x 8, batch 128, 2 epochs, hidden 16 and 64
  (``bench_fit.py``'s data);
- ``AttentionForecaster(scaling="window")``, ``bench_peers.py``'s data and
  settings (window 56, horizon 28, hidden 32, batch 32), 5 epochs.

A ratio below 1 means one thread is faster for that model on this machine:
``torch.set_num_threads(1)`` (or ``OMP_NUM_THREADS=1``) before fitting is then
worth it.

    python benchmarks/bench_threads.py [--repeat 5]
"""

import argparse
import warnings

import numpy as np
import torch
from _common import interleaved, paired_ratio, table
from sklearn.exceptions import ConvergenceWarning

from sklearn_seq import AttentionForecaster, LSTMClassifier
from sklearn_seq.datasets import make_demand
from sklearn_seq.preprocessing import make_windows


def _with_threads(n, fit):
    def run():
        before = torch.get_num_threads()
        torch.set_num_threads(n)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                fit()
        finally:
            torch.set_num_threads(before)
    return run


def main(repeat=5):
    default = torch.get_num_threads()
    rng = np.random.RandomState(0)
    X = rng.randn(20000, 50, 8).astype(np.float32)
    y = (X[:, -5:, 0].sum(axis=1) > 0).astype(np.int64)
    series = make_demand(n_days=1460, random_state=0)["demand"].to_numpy(np.float32)
    Xf, yf = make_windows(series[:-28], window=56, horizon=28)
    cases = {
        "LSTMClassifier, hidden 16, batch 128": lambda: LSTMClassifier(
            hidden_size=16, batch_size=128, max_iter=2, random_state=0).fit(X, y),
        "LSTMClassifier, hidden 64, batch 128": lambda: LSTMClassifier(
            hidden_size=64, batch_size=128, max_iter=2, random_state=0).fit(X, y),
        'AttentionForecaster(scaling="window"), hidden 32, batch 32': lambda: (
            AttentionForecaster(scaling="window", hidden_size=32, batch_size=32, max_iter=5,
                                random_state=0).fit(Xf, yf)),
    }
    rows = []
    for name, fit in cases.items():
        samples = {}
        t = interleaved({"default": _with_threads(default, fit), "one": _with_threads(1, fit)},
                        repeat=repeat, samples=samples)
        rows.append([name, f"{t['default']:.2f}", f"{t['one']:.2f}",
                     f"{paired_ratio(samples, 'one', 'default'):.3f}"])
    print(f"fit time (s), median of {repeat}; torch's default here: {default} threads")
    table(rows, ["model", f"{default} threads (default)", "1 thread", "ratio 1 / default"])
    return rows


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=5)
    main(repeat=p.parse_args().repeat)
