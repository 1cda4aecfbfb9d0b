"""The anomaly detector's defaults on real data: one class normal, the others anomalies.

The protocol of the deep one-class literature on the UCR archive: for each of the
seven development sets and each class with at least ``--min-normal`` training
series (at most ``--max-classes`` per set, the largest first), the training series
of that class are the normal data a detector is fitted on, and the whole official
test split is scored: a series of another class is an anomaly. Each series is
z-normalised on its own, as in ``bench_accuracy.py``.

Reported per set (mean over its normal classes) and over all cases:

- ROC AUC of the anomaly score (``-score_samples``), which needs no threshold;
- balanced accuracy of ``predict`` (``-1`` = anomaly), which judges the default
  threshold (``contamination="auto"``) too;
- fit time and epochs.

``SequenceAnomalyDetector`` configurations (``CONFIGS``) are fitted once per seed
with ``random_state=seed``. Two baselines are computed in the same run on the same
split: the distance to the nearest normal training series (1-NN, Euclidean, the
strongest simple baseline of that literature) and scikit-learn's
``IsolationForest`` (``random_state=0``), both on the series as flat vectors;
series of unequal length are first resampled to the longest training length (as
``bench_accuracy.py`` does for its baselines).

Needs the development data folder (``--data-dir`` with ``ucr/*.npz``); without it
the script says so in one line and exits. Progress goes to stderr; stdout has
only the tables (Markdown).

    python benchmarks/bench_anomaly.py --data-dir ../shared/data [--seeds 3]
        [--sets ArrowHead,Coffee] [--configs default,error] [--threads 1]
"""

import argparse
import os
import platform
import sys
import time
import warnings
from datetime import date
from pathlib import Path

import numpy as np
import torch
from sklearn.ensemble import IsolationForest
from sklearn.metrics import balanced_accuracy_score, roc_auc_score

import sklearn_seq
from bench_accuracy import UCR_SETS, _names, common_length, load_ucr, znorm

CONFIGS = {
    "default": {},
    # The next-step error as the score (the default before anomaly_score existed).
    "error": {"anomaly_score": "error"},
    # Alternatives studied for the defaults (benchmarks/README.md).
    "batch-8": {"batch_size": 8},
    "max_iter=1000": {"max_iter": 1000},
}


def _progress(message):
    print(message, file=sys.stderr, flush=True)


def _flat(X, length):
    A = common_length(X, length)
    return A.reshape(len(A), -1)


def baselines(normal, X_test, anomaly):
    length = max(len(x) for x in normal)
    A, B = _flat(normal, length), _flat(X_test, length)
    squared = (B ** 2).sum(1)[:, None] - 2 * B @ A.T + (A ** 2).sum(1)[None, :]
    nearest = np.sqrt(np.maximum(squared, 0.0)).min(axis=1)
    forest = IsolationForest(random_state=0).fit(A)
    return {
        "1-NN distance": (roc_auc_score(anomaly, nearest), None),
        "IsolationForest": (roc_auc_score(anomaly, -forest.score_samples(B)),
                            balanced_accuracy_score(anomaly, forest.predict(B) == -1)),
    }


def fit_one(params, seed, normal, X_test, anomaly):
    detector = sklearn_seq.SequenceAnomalyDetector(random_state=seed, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        detector.fit(normal)
        seconds = time.perf_counter() - start
    auc = roc_auc_score(anomaly, -detector.score_samples(X_test))
    bacc = balanced_accuracy_score(anomaly, detector.predict(X_test) == -1)
    return auc, bacc, seconds, detector.n_iter_


def _take(X, mask):
    return X[mask] if isinstance(X, np.ndarray) else [x for x, m in zip(X, mask) if m]


def cases(data_dir, sets, min_normal, max_classes):
    for name in sets:
        X_train, y_train, X_test, y_test = load_ucr(data_dir, name)
        X_train, X_test = znorm(X_train), znorm(X_test)
        classes, counts = np.unique(y_train, return_counts=True)
        order = np.argsort(-counts, kind="stable")
        chosen = [c for c in classes[order] if counts[classes == c][0] >= min_normal]
        for label in chosen[:max_classes]:
            yield (name, label, _take(X_train, y_train == label), X_test,
                   (y_test != label).astype(int))


def _fmt(values):
    values = [v for v in values if v is not None]
    return f"{np.mean(values):.3f}" if values else "n/a"


def main(data_dir, seeds, sets, configs, min_normal, max_classes, threads):
    torch.set_num_threads(threads)
    print(f"bench_anomaly.py, {date.today().isoformat()}, sklearn-seq "
          f"{sklearn_seq.__version__}, torch {torch.__version__}, {platform.machine()}, "
          f"{os.cpu_count()} cores, {torch.get_num_threads()} torch thread(s)\n")
    methods = [f"SequenceAnomalyDetector {c}" for c in configs] + [
        "1-NN distance", "IsolationForest"]
    rows = {}  # (set, method) -> list of (auc, bacc, seconds, epochs) per case
    described = {}
    for name, label, normal, X_test, anomaly in cases(data_dir, sets, min_normal,
                                                       max_classes):
        described.setdefault(name, []).append(
            f"{label} ({len(normal)})")
        for method, (auc, bacc) in baselines(normal, X_test, anomaly).items():
            rows.setdefault((name, method), []).append((auc, bacc, None, None))
        for config in configs:
            runs = [fit_one(CONFIGS[config], s, normal, X_test, anomaly) for s in seeds]
            rows.setdefault((name, f"SequenceAnomalyDetector {config}"), []).append(
                tuple(np.mean([r[i] for r in runs]) for i in range(4)))
            _progress(f"{name}, normal class {label}: {config} ROC AUC "
                      f"{np.mean([r[0] for r in runs]):.3f}")
    print(f"UCR sets, one class normal (its training series), the official test split "
          f"scored; ROC AUC and balanced accuracy: mean over the normal classes (ours: "
          f"of the means over {len(seeds)} seed(s) {list(seeds)})\n")
    header = ("| set | normal classes (training series) | method | ROC AUC | "
              "balanced accuracy | fit (s) | epochs |")
    print(header)
    print("|" + " --- |" * 7)
    for name in described:
        for method in methods:
            r = rows[(name, method)]
            fit = _fmt([x[2] for x in r])
            print(f"| {name} | {', '.join(described[name])} | {method} | "
                  f"{_fmt([x[0] for x in r])} | {_fmt([x[1] for x in r])} | {fit} | "
                  f"{_fmt([x[3] for x in r]).split('.')[0] if fit != 'n/a' else ''} |")
    baseline_names = ["1-NN distance", "IsolationForest"]
    print("\n| method | cases | mean ROC AUC | ROC AUC >= 1-NN distance | "
          "ROC AUC >= IsolationForest | mean balanced accuracy |")
    print("| --- | --- | --- | --- | --- | --- |")
    everything = {m: [x for (s, mm), r in rows.items() if mm == m for x in r]
                  for m in methods}
    for method in methods:
        aucs = np.array([x[0] for x in everything[method]])
        at_least = [int(np.sum(aucs >= np.array([x[0] for x in everything[b]]) - 1e-12))
                    for b in baseline_names]
        print(f"| {method} | {len(aucs)} | {_fmt(aucs)} | "
              f"{at_least[0] if method != baseline_names[0] else '-'} | "
              f"{at_least[1] if method != baseline_names[1] else '-'} | "
              f"{_fmt([x[1] for x in everything[method]])} |")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", type=Path, default=None,
                   help="the development data folder (ucr/); without it: skipped")
    p.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 per configuration")
    p.add_argument("--sets", type=lambda v: _names(v, UCR_SETS), default=list(UCR_SETS),
                   help="comma-separated UCR sets (default: all 7)")
    p.add_argument("--configs", type=lambda v: _names(v, CONFIGS), default=["default"],
                   help=f"comma-separated configurations, of {list(CONFIGS)}")
    p.add_argument("--min-normal", type=int, default=10,
                   help="least training series of a class to be the normal one (default 10)")
    p.add_argument("--max-classes", type=int, default=4,
                   help="most normal classes per set, the largest first (default 4)")
    p.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    a = p.parse_args()
    if a.data_dir is None or not (a.data_dir / "ucr").is_dir():
        print("bench_anomaly.py: skipped, needs --data-dir pointing at the development data "
              "folder (ucr/*.npz)")
        sys.exit(0)
    main(a.data_dir, tuple(range(a.seeds)), a.sets, a.configs, a.min_normal,
         a.max_classes, a.threads)
