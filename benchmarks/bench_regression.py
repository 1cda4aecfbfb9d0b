"""The recurrent regressors' defaults on real data: the next value from a window of a real series.

No archive of real sequence-regression sets is at hand, so this benchmark makes one
from real series: each series is cut into windows of ``w`` steps, the target is the
value after the window, and the first 80% of the windows (in time order) train
while the last 20% test, so no test window is older than a training one. Beside the
recurrent regressors (``CONFIGS``; ``default`` is ``LSTMRegressor()``, fitted once per
seed with ``random_state=seed``): ``RidgeCV()`` on the same windows (a linear
autoregression, the baseline to beat) and the last value of the window (naive).
The table gives the test MAE (mean ± standard error over seeds), its ratio to
RidgeCV's, and the mean fit time.

Series: airline passengers (log, monthly, window 24; ships with the package, so it
always runs) and, with ``--data-dir``, the development series of its ``series/``
folder: sunspots (yearly, window 20), lynx and nile (yearly, window 10), and
macrodata's unemployment and inflation rates (quarterly, window 8). Without the
folder they are skipped, with a line saying so.

These are autoregressive tasks, for which the forecasting estimators
(``sklearn_seq.forecasting``) are the tool a user should reach for; the point here
is how the general-purpose regressors behave on real, small, noisy data.

    python benchmarks/bench_regression.py [--data-dir ../shared/data] [--seeds 3]
                                          [--configs default,cosine] [--threads 1]
"""

import argparse
import statistics
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from _common import table
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import RidgeCV

from sklearn_seq import GRURegressor, LSTMRegressor
from sklearn_seq.datasets import load_airline
from sklearn_seq.preprocessing import make_windows

CONFIGS = {
    "default": lambda seed: LSTMRegressor(random_state=seed),
    "gru": lambda seed: GRURegressor(random_state=seed),
    # the classifiers' learning-rate schedule
    "cosine": lambda seed: LSTMRegressor(learning_rate="cosine", random_state=seed),
    # early stopping on a 10% validation split, with the cosine schedule
    "early-stopping": lambda seed: LSTMRegressor(early_stopping=True, learning_rate="cosine",
                                                 random_state=seed),
}
# (label, file in series/ or None for the package's airline, column, window)
SERIES = [
    ("airline (log)", None, None, 24),
    ("sunspots", "sunspots.csv", None, 20),
    ("lynx", "lynx.csv", None, 10),
    ("nile", "nile.csv", None, 10),
    ("unemp", "macrodata.csv", "unemp", 8),
    ("infl", "macrodata.csv", "infl", 8),
]


def load(data_dir, file, column):
    """The series as a float array (the airline's log when ``file`` is None)."""
    if file is None:
        return np.log(load_airline().to_numpy(dtype=float))
    frame = pd.read_csv(Path(data_dir) / "series" / file)
    if column is None:  # one date column and one value column
        column = frame.columns[-1]
    return frame[column].to_numpy(dtype=float)


def windows(y, window, train_fraction=0.8):
    """Windows of ``window`` steps (``make_windows``) and the value after each, split
    in time order; ``X`` as (windows, steps) for the regressors and RidgeCV alike."""
    X, target = make_windows(y, window=window)
    X = X[..., 0]
    n_train = int(len(X) * train_fraction)
    return X[:n_train], target[:n_train], X[n_train:], target[n_train:]


def _mae(pred, target):
    return float(np.mean(np.abs(np.asarray(pred).ravel() - target)))


def run(data_dir, configs, seeds):
    rows = []
    for label, file, column, window in SERIES:
        if file is not None and (
            data_dir is None or not (Path(data_dir) / "series" / file).exists()
        ):
            print(f"{label}: skipped (no --data-dir with series/{file})")
            continue
        Xtr, ytr, Xte, yte = windows(load(data_dir, file, column), window)
        ridge = _mae(RidgeCV().fit(Xtr, ytr).predict(Xte), yte)
        shape = f"{len(Xtr)}/{len(Xte)}, {window}"
        rows.append([label, shape, "RidgeCV()", f"{ridge:.4g}", "1.00", ""])
        naive = _mae(Xte[:, -1], yte)
        rows.append([label, shape, "last value", f"{naive:.4g}", f"{naive / ridge:.2f}", ""])
        for name in configs:
            maes, fits = [], []
            for seed in seeds:
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    est = CONFIGS[name](seed).fit(Xtr, ytr)
                fits.append(time.perf_counter() - start)
                maes.append(_mae(est.predict(Xte), yte))
            mean = statistics.fmean(maes)
            se = statistics.stdev(maes) / len(maes) ** 0.5 if len(maes) > 1 else 0.0
            rows.append([label, shape, name, f"{mean:.4g} ± {se:.2g}", f"{mean / ridge:.2f}",
                         f"{statistics.fmean(fits):.1f}"])
    print(f"\nNext value from a window; test MAE, mean ± s.e. over seeds {list(seeds)}")
    table(rows, ["series", "train/test windows, window", "model", "test MAE",
                 "/ RidgeCV", "fit (s)"])


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", type=Path, default=None,
                   help="the development data folder (its series/ subfolder)")
    p.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 per configuration")
    p.add_argument("--configs", default="default",
                   help=f"comma-separated, from {', '.join(CONFIGS)} (default: default)")
    p.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    a = p.parse_args()
    names = a.configs.split(",")
    unknown = [n for n in names if n not in CONFIGS]
    if unknown:
        p.error(f"unknown configuration(s) {unknown}; choose from {list(CONFIGS)}")
    torch.set_num_threads(a.threads)
    run(a.data_dir, names, range(a.seeds))
