"""Which steps and which words a prediction rests on: integrated gradients
=======================================================================

Two models are explained with ``sequence_attributions`` (``pip install
"sklearn-seq[explain]"``, for captum) and drawn with ``AttributionDisplay``:

* Machine sensors: a fault shows as a three-step burst of vibration at a random
  time, among noisy temperature and load readings. The attributions of the
  predicted class should sit on the burst, and deleting (setting to the training
  mean) the three steps they rank first should change the predicted probability
  far more than deleting three random steps: the check that the attributions are
  faithful to the model, not just plausible.
* Support tickets in five languages (Chinese among them) routed to a team by a
  bidirectional GRU: the words that moved each ticket to its team.

    python examples/explain_predictions.py
"""

import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sklearn_seq import BiRNNTextClassifier, GRUClassifier
from sklearn_seq.datasets import make_support_tickets
from sklearn_seq.inspection import sequence_attributions

OUTPUT = Path(__file__).with_name("output")
FEATURES = ["vibration", "temperature", "load"]


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


def make_sensor_faults(n, length=30, seed=0):
    """Sensor sequences; class 1 (fault) has a burst of vibration over 3 steps."""
    rng = np.random.RandomState(seed)
    X = rng.randn(n, length, 3) * [0.3, 1.0, 1.0]
    y = rng.rand(n) < 0.5
    start = rng.randint(length - 3, size=n)
    for i in np.flatnonzero(y):
        X[i, start[i] : start[i] + 3, 0] += 2.5
    return X, y.astype(int), start


def deletion_change(clf, X, steps, baseline):
    """Mean change of the predicted class's probability when ``steps`` (per
    sequence) are set to ``baseline``."""
    predicted = clf.predict(X)
    proba = clf.predict_proba(X)[np.arange(len(X)), predicted]
    deleted = X.copy()
    for i, s in enumerate(steps):
        deleted[i, s] = baseline
    after = clf.predict_proba(deleted)[np.arange(len(X)), predicted]
    return float(np.mean(np.abs(proba - after)))


def explain_sensors(n_sequences, max_iter, plt):
    X, y, start = make_sensor_faults(n_sequences)
    X_test, y_test, start_test = make_sensor_faults(max(40, n_sequences // 3), seed=1)
    clf = GRUClassifier(hidden_size=16, pooling="max", max_iter=max_iter,
                        learning_rate_init=0.01, random_state=0).fit(X, y)
    faults = np.flatnonzero(clf.predict(X_test) == 1)
    result = sequence_attributions(clf, X_test[faults])
    per_step = np.abs(result.attributions).sum(axis=2)
    on_burst = np.mean([per_step[i, s : s + 3].sum() / per_step[i].sum()
                        for i, s in enumerate(start_test[faults])])
    top = np.argsort(-per_step, axis=1)[:, :3]
    rng = np.random.RandomState(0)
    random = np.argsort(rng.rand(*per_step.shape), axis=1)[:, :3]
    baseline = X.reshape(-1, 3).mean(axis=0)
    scores = {
        "accuracy": float(clf.score(X_test, y_test)),
        "attribution_on_burst": float(on_burst),
        "deletion_top3": deletion_change(clf, X_test[faults], top, baseline),
        "deletion_random3": deletion_change(clf, X_test[faults], random, baseline),
    }
    print(f"Sensors: test accuracy {scores['accuracy']:.3f}; on {len(faults)} predicted "
          f"faults, {scores['attribution_on_burst']:.0%} of the attribution is on the "
          "3 burst steps (of 30)")
    print(f"  deleting the 3 top-ranked steps changes the probability by "
          f"{scores['deletion_top3']:.3f}, 3 random steps by {scores['deletion_random3']:.3f}")
    if plt is not None:
        from sklearn_seq.plotting import AttributionDisplay

        disp = AttributionDisplay.from_estimator(clf, X_test[faults[:3]], feature_names=FEATURES)
        disp.figure_.suptitle("Integrated gradients of the fault probability")
        disp.figure_.savefig(OUTPUT / "explain_sensors.png", dpi=90)
        plt.close(disp.figure_)
    return scores


def explain_tickets(n_tickets, max_iter, plt):
    X, y = make_support_tickets(n_tickets, return_X_y=True, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
    clf = BiRNNTextClassifier(hidden_size=16, embedding_dim=16, cell="gru",
                              max_iter=max_iter, learning_rate_init=0.01, random_state=0)
    clf.fit(X_train, y_train)
    chinese = [doc for doc in X_test if any("\u4e00" <= c <= "\u9fff" for c in doc)][:2]
    shown = list(X_test[:3]) + chinese
    result = sequence_attributions(clf, shown)
    print(f"Tickets: test accuracy {clf.score(X_test, y_test):.3f}; the word that moved "
          "each ticket most towards its predicted team:")
    for tokens, scores, team in zip(result.tokens, result.attributions, result.target):
        print(f"  {team:>9}: {tokens[int(np.argmax(scores))]!r} in {' '.join(tokens)[:60]!r}")
    if plt is not None:
        from sklearn_seq.plotting import AttributionDisplay

        disp = AttributionDisplay.from_attributions(
            result.attributions, tokens=result.tokens,
            sample_names=[f"{i} ({t})" for i, t in enumerate(result.target)])
        disp.figure_.suptitle("Integrated gradients of the predicted team's probability")
        disp.figure_.savefig(OUTPUT / "explain_tickets.png", dpi=90)
        plt.close(disp.figure_)
    return float(clf.score(X_test, y_test))


def main(n_sequences=600, n_tickets=1500, max_iter=40, text_max_iter=20):
    start = time.perf_counter()
    plt = pyplot()
    OUTPUT.mkdir(exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = explain_sensors(n_sequences, max_iter, plt)
        scores["ticket_accuracy"] = explain_tickets(n_tickets, text_max_iter, plt)
    print(f"done in {time.perf_counter() - start:.0f} s")
    return scores


if __name__ == "__main__":
    main()
