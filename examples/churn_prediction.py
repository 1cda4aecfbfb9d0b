"""Churn prediction from a customer event log, one probability per customer
========================================================================

The log has one row per event (signup, login, purchase, support call,
complaint, downgrade) with a time and an amount. ``EventSequencer`` turns it
into one sequence per customer (the event type one-hot encoded with the
categories learned at fit, the log of the time since the previous event
added), and a ``GRUClassifier`` reads the sequence to the end, where a fading
customer looks different from a quiet one. The pooling is chosen by a small
grid search on the training customers (folds split customers, not events); the
final pipeline is fitted on the training event table with one label per
customer, scored by ROC AUC on held-out customers, saved in the safe format
(``sklearn_seq.save``) and reloaded.

    python examples/churn_prediction.py
"""

import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import RocCurveDisplay, roc_auc_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline

import sklearn_seq
from sklearn_seq import GRUClassifier
from sklearn_seq.datasets import make_customer_events
from sklearn_seq.preprocessing import EventSequencer, events_to_sequences

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


def plot(y_test, proba, path):
    """ROC curve and the predicted probabilities of both classes, saved to ``path``."""
    plt = pyplot()
    if plt is None:
        return
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 4))
    RocCurveDisplay.from_predictions(y_test, proba, name="GRU on event sequences", ax=ax1,
                                     plot_chance_level=True)
    ax1.set_title("Churn: held-out customers")
    bins = np.linspace(0, 1, 21)
    ax2.hist(proba[y_test == 0], bins=bins, alpha=0.6, label="stayed")
    ax2.hist(proba[y_test == 1], bins=bins, alpha=0.6, label="churned")
    ax2.set_xlabel("predicted churn probability")
    ax2.set_ylabel("customers")
    ax2.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"plot saved: {path}")


def main(n_customers=1000, n_days=120, hidden_size=32, max_iter=30, cv=3):
    start = time.perf_counter()
    events, churned = make_customer_events(
        n_customers=n_customers, n_days=n_days, random_state=0
    )
    print(f"{len(events):,} events of {n_customers:,} customers, {churned.mean():.0%} churned")
    train_ids, test_ids = train_test_split(
        churned.index.to_numpy(), test_size=0.3, stratify=churned, random_state=0
    )
    events_train = events[events["customer_id"].isin(train_ids)]
    events_test = events[events["customer_id"].isin(test_ids)]

    sequencer = EventSequencer("customer_id", "time", ["event", "amount"], time_delta="log")
    # Tune on sequences: the search's folds then split customers, never a customer's events.
    X_train = sequencer.fit(events_train).transform(events_train)
    y_train = churned.loc[np.sort(train_ids)].to_numpy()
    search = GridSearchCV(
        GRUClassifier(hidden_size=hidden_size, max_iter=max_iter, random_state=0),
        {"pooling": ["last", "mean"]},
        scoring="roc_auc",
        cv=StratifiedKFold(cv, shuffle=True, random_state=0),
        refit=False,
    )
    with warnings.catch_warnings():
        # Short training on purpose: stopping at max_iter is expected here.
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X_train, y_train)
    for params, score in zip(search.cv_results_["params"], search.cv_results_["mean_test_score"]):
        print(f"  cross-validated ROC AUC {score:.3f} with {params}")

    pipe = make_pipeline(
        clone(sequencer),
        GRUClassifier(
            hidden_size=hidden_size, max_iter=max_iter, random_state=0, **search.best_params_
        ),
    )
    with warnings.catch_warnings():
        # Short training on purpose: stopping at max_iter is expected here.
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(events_train, y_train)
    proba = pipe.predict_proba(events_test)[:, 1]
    _, ids = events_to_sequences(events_test, "customer_id", "time", ["event"])
    churn_risk = pd.Series(proba, index=pd.Index(ids, name="customer_id"), name="p_churn")
    y_test = churned.loc[churn_risk.index].to_numpy()
    scores = {
        "roc_auc": roc_auc_score(y_test, proba),
        "best_pooling": search.best_params_["pooling"],
        "cv_roc_auc": float(search.best_score_),
    }
    print(f"held-out ROC AUC {scores['roc_auc']:.3f} (pooling={scores['best_pooling']!r})")
    print("customers most at risk:")
    print(churn_risk.sort_values(ascending=False).head(5).round(3).to_string())

    OUTPUT.mkdir(exist_ok=True)
    plot(y_test, proba, OUTPUT / "churn_roc_and_probabilities.png")

    # The whole pipeline in the safe format: the sequencer's categories and the
    # network in one file that loads without running code from it.
    path = OUTPUT / "churn_gru_pipeline.skseq"
    sklearn_seq.save(pipe, path)
    reloaded = sklearn_seq.load(path)
    assert np.array_equal(reloaded.predict_proba(events_test)[:, 1], proba)
    print(f"saved and reloaded {path.name} (safe format): identical probabilities; "
          f"{time.perf_counter() - start:.0f} s in all")
    return scores


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
