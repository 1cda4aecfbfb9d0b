"""Default fits on a large generated set: every estimator's fit time against the two-minute bound.

Issue #19: a default fit on up to 10,000 sequences of up to a few hundred steps
takes at most about 2 minutes on a 2-core CPU. Each estimator is fitted once with
its defaults (``random_state=0``) on 10,000 sequences of 300 steps and 3 features
(random walks; a label from the walk's drift; per-step targets from its values),
and the text estimators on 10,000 generated documents of 200 words (Zipf-distributed
words of a 20,000-word vocabulary; a label from two keywords, a tag per word, the
first three words as the output text),
and the table gives the wall time of the fit, the epochs ``max_iter="auto"``
chose, and the fit time over the bound. Fits run one after the other, at torch's
default threads unless ``--threads`` says otherwise, on the CPU unless
``--device`` names another (``cuda``); no real data is needed.

    python bench_budget.py [--n 10000] [--length 300] [--doc-words 200]
                           [--estimators LSTMClassifier,...] [--device cuda]
"""

import argparse
import time
import warnings

import numpy as np
import torch
from _common import table
from sklearn.exceptions import ConvergenceWarning

import sklearn_seq

# The estimators trained on numeric sequences, and the kind of target each learns.
ESTIMATORS = {
    "LSTMClassifier": "label",
    "GRUClassifier": "label",
    "RNNClassifier": "label",
    "LSTMRegressor": "value",
    "GRURegressor": "value",
    "RNNRegressor": "value",
    "TransformerClassifier": "label",
    "TransformerRegressor": "value",
    "SequenceAnomalyDetector": None,
    "LSTMStepRegressor": "steps",
    "GRUStepRegressor": "steps",
    "TransformerStepRegressor": "steps",
    "LSTMTagger": "tags",
    "GRUTagger": "tags",
    "TransformerTagger": "tags",
    "Seq2SeqRegressor": "output",
    # text: generated documents of --doc-words words
    "BiRNNTextClassifier": "text label",
    "BiRNNTextTagger": "text tags",
    "TextSeq2Seq": "text output",
}
BOUND = 120.0


def make_data(n, length, seed=0):
    """Random walks of 3 features and the targets of each kind."""
    rng = np.random.default_rng(seed)
    X = (np.cumsum(rng.normal(size=(n, length, 3)), axis=1) / np.sqrt(length)).astype(np.float32)
    drift = X[:, -1, 0] - X[:, 0, 0]
    return X, {
        "label": (drift > 0).astype(int),
        "value": drift,
        "steps": np.cumsum(X[:, :, 1], axis=1) / length,
        "tags": (X[:, :, 0] > X[:, :, 1]).astype(int),
        # the next 10 steps of the first feature, as a forecast would be
        "output": X[:, -10:, :1] + drift[:, None, None],
    }


def make_text(n, words, seed=0):
    """Documents of ``words`` words and the text targets."""
    rng = np.random.default_rng(seed)
    vocabulary = np.array([f"w{i}" for i in range(20_000)])
    ranks = np.minimum(rng.zipf(1.2, size=(n, words)) - 1, len(vocabulary) - 1)
    tokens = vocabulary[ranks]
    docs = [" ".join(row) for row in tokens]
    return docs, {
        "text label": np.array([("w7" in row) ^ ("w11" in row) for row in tokens], dtype=int),
        "text tags": [["B" if w in ("w7", "w11") else "O" for w in row] for row in tokens],
        "text output": [" ".join(row[:3]) for row in tokens],
        "tokens": [list(row) for row in tokens],
    }


def fit_one(name, X, targets, docs, text, device="cpu"):
    kind = ESTIMATORS[name]
    est = getattr(sklearn_seq, name)(random_state=0, device=device)
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        if kind is None:
            est.fit(X)
        elif kind == "text tags":
            est.fit(text["tokens"], text[kind])
        elif kind.startswith("text"):
            est.fit(docs, text[kind])
        else:
            est.fit(X, targets[kind])
    seconds = time.perf_counter() - start
    stopped = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return seconds, est.n_iter_, stopped


def main(n, length, names, threads, doc_words, device="cpu"):
    if threads:
        torch.set_num_threads(threads)
    X, targets = make_data(n, length)
    docs, text = make_text(n, doc_words)
    print(f"bench_budget.py: {n} sequences x {length} steps x 3 features, {n} documents "
          f"of {doc_words} words, {torch.get_num_threads()} torch thread(s), "
          f"torch {torch.__version__}, device {device}\n")
    rows = []
    for name in names:
        seconds, epochs, stopped = fit_one(name, X, targets, docs, text, device)
        rows.append([name, f"{seconds:.1f}", epochs,
                     "stopping rule" if stopped else "max_iter",
                     f"{seconds / BOUND:.2f}"])
        print(f"  {name}: {seconds:.1f} s, {epochs} epochs", flush=True)
    print()
    table(rows, ["estimator", "fit (s)", "epochs", "ended by", "fit / 120 s"])


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=10_000, help="sequences (default 10,000)")
    p.add_argument("--length", type=int, default=300, help="steps a sequence (default 300)")
    p.add_argument("--estimators", default=",".join(ESTIMATORS),
                   help="comma-separated names (default: all)")
    p.add_argument("--doc-words", type=int, default=200,
                   help="words a generated document (default 200)")
    p.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's)")
    p.add_argument("--device", default="cpu", help="torch device (default: cpu)")
    a = p.parse_args()
    names = [s for s in a.estimators.split(",") if s]
    unknown = sorted(set(names) - set(ESTIMATORS))
    if unknown:
        p.error(f"unknown estimators {unknown}; choose from {sorted(ESTIMATORS)}")
    main(a.n, a.length, names, a.threads, a.doc_words, a.device)
