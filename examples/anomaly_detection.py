"""Anomaly detection in a multichannel sensor stream
=================================================

Three correlated sensors follow a daily-like cycle; spikes, level shifts and
frozen sensors are injected and labelled step by step. A Pipeline windows the
stream (``SequenceWindower``: row ``t`` becomes the 32 steps ending at ``t``)
and a ``SequenceAnomalyDetector`` learns to predict each step of a window from
the steps before it, on the first half of the stream (unlabelled, with its
anomalies left in). On the second half the windows whose network states lie far
from the training windows' are the anomalous ones: the script prints the ROC AUC
against the labels (a window is anomalous when it holds an anomalous step),
overall and per kind, and the share flagged by the automatic threshold; it
plots the stream with the score (with matplotlib installed), and persists and
reloads the pipeline.

    python examples/anomaly_detection.py
"""

import sys
import time
import warnings
from pathlib import Path

import joblib
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline

from sklearn_seq.anomaly import SequenceAnomalyDetector
from sklearn_seq.datasets import make_sensor_stream
from sklearn_seq.preprocessing import SequenceWindower

OUTPUT = Path(__file__).with_name("output")
KINDS = {1: "spike", 2: "level_shift", 3: "frozen"}


def pyplot():
    """matplotlib's pyplot, drawing to files; None (saying so) without matplotlib."""
    try:
        import matplotlib
    except ImportError:
        print('plots skipped: matplotlib is not installed (pip install -e ".[plot]")')
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot(steps, test, test_labels, scores, threshold, path):
    """The stream with its anomalous steps above the anomaly score, saved to ``path``."""
    plt = pyplot()
    if plt is None:
        return
    shown = slice(0, min(3000, len(steps)))
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 5), sharex=True)
    ax1.plot(steps[shown], test[shown], lw=0.6)
    anomalous = np.flatnonzero(test_labels[shown] > 0)
    ax1.scatter(steps[shown][anomalous], np.full(len(anomalous), test.max()), s=2, c="red",
                label="anomalous steps")
    ax1.set_ylabel("sensors")
    ax1.legend(loc="lower right")
    ax2.plot(steps[shown], -scores[shown], lw=0.8, label="anomaly score (state distance)")
    ax2.axhline(threshold, color="red", ls="--", label="threshold (auto)")
    ax2.set_yscale("log")
    ax2.set_xlabel("step")
    ax2.legend(loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"plot saved: {path}")


def window_labels(labels, window):
    """Kind of anomaly in the window ending at each step (0: none), edge-padded."""
    padded = np.concatenate([np.repeat(labels[:1], window - 1), labels])
    return sliding_window_view(padded, window).max(axis=1)


def main(n_steps=12000, window=32, hidden_size=32, max_iter=30):
    start = time.perf_counter()
    stream, labels = make_sensor_stream(
        n_steps=n_steps, n_anomalies=n_steps // 150, random_state=0
    )
    half = n_steps // 2
    train, test = stream[:half], stream[half:]
    print(f"{n_steps:,} steps of {stream.shape[1]} sensors, "
          f"{(labels > 0).mean():.1%} of steps anomalous")

    pipe = make_pipeline(
        SequenceWindower(window=window),
        SequenceAnomalyDetector(
            cell="gru", hidden_size=hidden_size, max_iter=max_iter, random_state=0
        ),
    )
    with warnings.catch_warnings():
        # Short training on purpose: stopping at max_iter is expected here.
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(train)
    scores = pipe.score_samples(test)
    flagged = pipe.predict(test) == -1
    truth = window_labels(labels[half:], window)

    metrics = {"roc_auc": roc_auc_score(truth > 0, -scores)}
    for code, kind in KINDS.items():
        subset = (truth == 0) | (truth == code)
        if (truth[subset] == code).any():
            metrics[f"roc_auc_{kind}"] = roc_auc_score(truth[subset] > 0, -scores[subset])
    metrics["flagged_share"] = float(flagged.mean())
    metrics["precision_of_flags"] = float((truth[flagged] > 0).mean()) if flagged.any() else 0.0
    for name, value in metrics.items():
        print(f"{name:>20}: {value:.3f}")

    OUTPUT.mkdir(exist_ok=True)
    plot(np.arange(half, n_steps), test, labels[half:], scores, -pipe[-1].offset_,
         OUTPUT / "anomaly_scores.png")

    path = OUTPUT / "anomaly_pipeline.joblib"
    joblib.dump(pipe, path)
    reloaded = joblib.load(path)
    assert np.allclose(reloaded.score_samples(test), scores)
    print(f"saved and reloaded {path.name}: identical scores; "
          f"{time.perf_counter() - start:.0f} s in all")
    return metrics


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
