"""GridSearchCV wall time with n_jobs=2 against n_jobs=1 on this machine.

A 4-candidate x 3-fold search of a small LSTMClassifier. With ``n_jobs=1`` torch
uses all cores in the one process; with ``n_jobs=2`` each joblib worker gets its
share (joblib's workers start with one OpenMP thread per core share, and
sklearn_seq never raises it). Goal on 2 cores: n_jobs=2 takes <= 0.65x the time.

    python benchmarks/bench_search.py [--repeat 3]
"""

import argparse
import os
import warnings

import numpy as np
import torch
from _common import interleaved, table
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from sklearn_seq import LSTMClassifier


def search(X, y, n_jobs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid = GridSearchCV(
            LSTMClassifier(max_iter=5, random_state=0),
            {"hidden_size": [16, 32], "pooling": ["last", "mean"]},
            cv=3,
            n_jobs=n_jobs,
        )
        return grid.fit(X, y)


def main(n_samples=1500, n_timesteps=40, n_features=4, repeat=3):
    rng = np.random.RandomState(0)
    X = rng.randn(n_samples, n_timesteps, n_features).astype(np.float32)
    y = (X[:, -3:, 0].sum(axis=1) > 0).astype(int)
    search(X[:100], y[:100], 2)  # start the worker pool once
    t = interleaved({1: lambda: search(X, y, 1), 2: lambda: search(X, y, 2)}, repeat=repeat,
                    warmup=0)
    print(f"GridSearchCV: 4 candidates x 3 folds, {n_samples} x {n_timesteps} x {n_features}, "
          f"{os.cpu_count()} cores, torch threads in this process: {torch.get_num_threads()}, "
          f"median of {repeat}")
    table([[1, f"{t[1]:.2f}", "1.000"], [2, f"{t[2]:.2f}", f"{t[2] / t[1]:.3f}"]],
          ["n_jobs", "wall time (s)", "ratio to n_jobs=1"])
    return t


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()
    main(repeat=a.repeat)
