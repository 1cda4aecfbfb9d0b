"""Card fraud as a set-valued decision with 90% coverage, through MAPIE
====================================================================

A GRU classifier reads each card's transactions (a ragged batch: one sequence per
card, of its own length) and MAPIE's ``SplitConformalClassifier`` turns its
probabilities into prediction sets that hold the true label of 90% of cards, on a
calibration set the network never trained on. Each set is a decision:

* ``{legit}``: approve; ``{fraud}``: block;
* ``{legit, fraud}``: both labels are plausible at 90%, so a person reviews the
  card (the model abstains); an empty set (no label plausible) is reviewed too.

The script prints, for 90%, 95% and 99%, the coverage reached on held-out cards
(overall and per class: the guarantee is for all cards together, not for each
class), the decisions and the abstention rate (the share of ambiguous sets). Sets
hold fewer labels as the level drops: while the model is right on more cards than
the level asks, the least sure cards get an empty set rather than an ambiguous one
(MAPIE's LAC score, the only one for two classes), so ambiguity appears at the
higher levels.

    pip install -e ".[conformal]"
    python examples/fraud_conformal.py
"""

import sys
import time
import warnings

import numpy as np
from mapie.classification import SplitConformalClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sklearn_seq import GRUClassifier
from sklearn_seq.datasets import make_card_transactions
from sklearn_seq.preprocessing import EventSequencer


def card_sequences(n_cards, fraud_rate):
    """One sequence per card (log amount, hour, merchant, online, time gap) and
    whether the card was compromised."""
    tx, is_fraud = make_card_transactions(n_cards=n_cards, fraud_rate=fraud_rate, random_state=0)
    hour = tx["time"].dt.hour + tx["time"].dt.minute / 60
    tx = tx.assign(log_amount=np.log1p(tx["amount"]), hour=hour)
    sequencer = EventSequencer(
        "card_id", "time", ["log_amount", "hour", "merchant", "online"], time_delta="log"
    )
    X = sequencer.fit_transform(tx)
    # EventSequencer emits the cards in sorted id order: align the labels with it.
    y = is_fraud.loc[sequencer.ids_].to_numpy().astype(int)
    return X, y


def decide(sets, y_true):
    """Coverage and decisions of the prediction sets ``sets`` (n_cards, 2) of one
    level: approve {legit}, block {fraud}, review the others."""
    covered = sets[np.arange(len(y_true)), y_true]
    size = sets.sum(axis=1)
    review = size != 1
    return {
        "coverage": float(covered.mean()),
        "coverage_legit": float(covered[y_true == 0].mean()),
        "coverage_fraud": float(covered[y_true == 1].mean()),
        "approve": float((sets[:, 0] & ~sets[:, 1]).mean()),
        "block": float((sets[:, 1] & ~sets[:, 0]).mean()),
        "review": float(review.mean()),
        "abstention_rate": float((size == 2).mean()),
        "empty": float((size == 0).mean()),
        "fraud_share_in_review": float(y_true[review].mean()) if review.any() else 0.0,
    }


def main(n_cards=8000, fraud_rate=0.05, hidden_size=32, max_iter=30, levels=(0.9, 0.95, 0.99)):
    start = time.perf_counter()
    X, y = card_sequences(n_cards, fraud_rate)
    index = np.arange(len(y))
    # Half to train the network, a quarter to calibrate the sets, a quarter to test.
    train, rest = train_test_split(index, train_size=0.5, stratify=y, random_state=0)
    calib, test = train_test_split(rest, train_size=0.5, stratify=y[rest], random_state=0)
    print(f"{len(y):,} cards, {y.mean():.1%} fraudulent; "
          f"{len(train):,} to train, {len(calib):,} to calibrate, {len(test):,} to test")

    clf = GRUClassifier(hidden_size=hidden_size, pooling="max", class_weight="balanced",
                        max_iter=max_iter, random_state=0)
    with warnings.catch_warnings():
        # Short training on purpose: stopping at max_iter is expected here.
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit([X[i] for i in train], y[train])

    mapie = SplitConformalClassifier(clf, confidence_level=list(levels), prefit=True)
    mapie.conformalize([X[i] for i in calib], y[calib])
    # sets[i, k, j]: whether class k is in card i's set at level j
    _, sets = mapie.predict_set([X[i] for i in test])
    y_test = y[test]
    print("level  coverage (legit, fraud)  approve  block  review  ambiguous  empty")
    results = {}
    for j, level in enumerate(levels):
        results[level] = decide(sets[:, :, j], y_test)
        r = results[level]
        print(f"{level:5.0%}  {r['coverage']:8.3f} ({r['coverage_legit']:.3f}, "
              f"{r['coverage_fraud']:.3f})  {r['approve']:7.1%}  {r['block']:5.1%}  "
              f"{r['review']:6.1%}  {r['abstention_rate']:9.1%}  {r['empty']:5.1%}")
    r = results[levels[0]]
    print(f"at {levels[0]:.0%}: coverage {r['coverage']:.3f}, abstention rate "
          f"{r['abstention_rate']:.1%}, fraud among reviewed cards "
          f"{r['fraud_share_in_review']:.1%} (among all cards {y_test.mean():.1%})")
    print(f"{time.perf_counter() - start:.0f} s in all")
    return results


if __name__ == "__main__":
    main(*(float(a) if "." in a else int(a) for a in sys.argv[1:]))
