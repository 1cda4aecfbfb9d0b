"""Fraud detection from card transaction sequences, against gradient boosting
==========================================================================

Each card's transactions become one sequence (``EventSequencer``), and a GRU
classifier with ``class_weight="balanced"`` scores each card's chance of being
compromised. With about 3% fraudulent cards, accuracy says nothing, so the
models are compared by the area under the precision-recall curve (average
precision), whose chance level is the fraud rate. The baseline is a
``HistGradientBoostingClassifier`` on aggregates per card of the kind an analyst
writes by hand (counts, amount statistics, tiny payments, night payments,
shortest gap). The pipeline is persisted with joblib and reloaded.

    python examples/fraud_detection.py
"""

import sys
import time
import warnings
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import PrecisionRecallDisplay, average_precision_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from sklearn_seq import GRUClassifier
from sklearn_seq.datasets import make_card_transactions
from sklearn_seq.preprocessing import EventSequencer

OUTPUT = Path(__file__).with_name("output")


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


def plot(y_test, proba_gru, proba_hgb, path):
    """Precision-recall curves of both models, saved to ``path``."""
    plt = pyplot()
    if plt is None:
        return
    fig, ax = plt.subplots(figsize=(5, 4))
    PrecisionRecallDisplay.from_predictions(y_test, proba_gru, name="GRU on sequences", ax=ax)
    PrecisionRecallDisplay.from_predictions(
        y_test, proba_hgb, name="HGB on aggregates", ax=ax, plot_chance_level=True
    )
    ax.set_title("Card fraud: precision-recall on held-out cards")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"plot saved: {path}")


def add_features(tx):
    """Per-transaction features a model can read: log amount and hour of day."""
    hour = tx["time"].dt.hour + tx["time"].dt.minute / 60
    return tx.assign(log_amount=np.log1p(tx["amount"]), hour=hour)


def aggregates(tx):
    """Hand-made features per card for the gradient-boosting baseline."""
    tx = tx.sort_values(["card_id", "time"], kind="stable")
    gap = tx.groupby("card_id")["time"].diff().dt.total_seconds()
    tx = tx.assign(
        gap=gap,
        tiny=tx["amount"] < 2.5,
        night=tx["hour"] < 6,
        risky=tx["merchant"].isin(["electronics", "cash", "travel"]),
    )
    g = tx.groupby("card_id")
    last_day = tx["time"] >= tx["time"].max() - pd.Timedelta(days=1)
    features = pd.DataFrame(
        {
            "n_tx": g.size(),
            "mean_log_amount": g["log_amount"].mean(),
            "max_log_amount": g["log_amount"].max(),
            "std_log_amount": g["log_amount"].std().fillna(0),
            "max_over_median": g["log_amount"].max() - g["log_amount"].median(),
            "n_tiny": g["tiny"].sum(),
            "n_night": g["night"].sum(),
            "share_online": g["online"].mean(),
            "n_risky": g["risky"].sum(),
            "min_gap_s": g["gap"].min().fillna(1e7),
            "n_last_day": tx[last_day].groupby("card_id").size(),
        }
    )
    return features.fillna(0).sort_index()


def main(n_cards=4000, fraud_rate=0.03, hidden_size=32, max_iter=40):
    start = time.perf_counter()
    tx, is_fraud = make_card_transactions(n_cards=n_cards, fraud_rate=fraud_rate, random_state=0)
    tx = add_features(tx)
    print(f"{len(tx):,} transactions of {n_cards:,} cards, {is_fraud.mean():.1%} fraudulent")
    train_ids, test_ids = train_test_split(
        is_fraud.index.to_numpy(), test_size=0.3, stratify=is_fraud, random_state=0
    )
    tx_train = tx[tx["card_id"].isin(train_ids)]
    tx_test = tx[tx["card_id"].isin(test_ids)]
    # EventSequencer emits cards in sorted id order: align the labels with it.
    y_train = is_fraud.loc[np.sort(train_ids)].to_numpy()
    y_test = is_fraud.loc[np.sort(test_ids)].to_numpy()

    pipe = make_pipeline(
        EventSequencer(
            "card_id", "time", ["log_amount", "hour", "merchant", "online"], time_delta="log"
        ),
        GRUClassifier(
            hidden_size=hidden_size,
            pooling="max",
            class_weight="balanced",
            max_iter=max_iter,
            random_state=0,
        ),
    )
    with warnings.catch_warnings():
        # Short training on purpose: stopping at max_iter is expected here.
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(tx_train, y_train)
    proba_gru = pipe.predict_proba(tx_test)[:, 1]

    hgb = HistGradientBoostingClassifier(class_weight="balanced", random_state=0)
    hgb.fit(aggregates(tx_train), y_train)
    proba_hgb = hgb.predict_proba(aggregates(tx_test))[:, 1]

    scores = {
        "pr_auc_gru": average_precision_score(y_test, proba_gru),
        "pr_auc_hgb_aggregates": average_precision_score(y_test, proba_hgb),
        "pr_auc_chance": float(y_test.mean()),
    }
    for name, value in scores.items():
        print(f"{name:>22}: {value:.3f}")

    OUTPUT.mkdir(exist_ok=True)
    plot(y_test, proba_gru, proba_hgb, OUTPUT / "fraud_pr_curves.png")

    path = OUTPUT / "fraud_gru_pipeline.joblib"
    joblib.dump(pipe, path)
    reloaded = joblib.load(path)
    assert np.allclose(reloaded.predict_proba(tx_test)[:, 1], proba_gru)
    print(f"saved and reloaded {path.name}: identical probabilities; "
          f"{time.perf_counter() - start:.0f} s in all")
    return scores


if __name__ == "__main__":
    main(*(float(a) if "." in a else int(a) for a in sys.argv[1:]))
