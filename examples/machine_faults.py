"""Per-step fault labelling of machine sensor streams with a sequence tagger
=========================================================================

Each machine streams vibration, temperature and current around levels of its
own; some streams hold a fault (a failing bearing, or overheating) for a
stretch of steps. A ``GRUTagger`` reads each whole stream (both directions) and
labels every step ``"normal"``, ``"bearing"`` or ``"overheat"``. The baseline
labels each step from its readings alone (gradient boosting on the three
values): it cannot tell a hot machine from a machine that runs hot. The script
prints the per-step macro F1 of both on held-out machines and the F1 of each
state, draws one stream with its true and predicted states (with matplotlib
installed), and saves and reloads the tagger in the safe format.

    python examples/machine_faults.py
"""

import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning

import sklearn_seq
from sklearn_seq.datasets import make_machine_faults
from sklearn_seq.metrics import step_f1_score
from sklearn_seq.tagging import GRUTagger

OUTPUT = Path(__file__).with_name("output")
STATES = ["normal", "bearing", "overheat"]


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


def plot(x, truth, predicted, path):
    """One stream's sensors above its true and predicted states, saved to ``path``."""
    plt = pyplot()
    if plt is None:
        return
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 4.5), sharex=True)
    for j, name in enumerate(["vibration", "temperature", "current"]):
        ax1.plot(x[:, j], lw=0.8, label=name)
    ax1.legend(loc="upper left", ncol=3)
    ax1.set_ylabel("reading")
    code = {s: i for i, s in enumerate(STATES)}
    ax2.step(np.arange(len(truth)), [code[s] for s in truth], where="mid", color="k",
             label="true state")
    ax2.step(np.arange(len(predicted)), [code[s] + 0.08 for s in predicted], where="mid",
             color="C3", label="GRUTagger")
    ax2.set_yticks(range(3), STATES)
    ax2.set_xlabel("step")
    ax2.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"plot saved: {path}")


def main(n_streams=300, hidden_size=32, max_iter=60, seed=0):
    start = time.perf_counter()
    X, y = make_machine_faults(n_streams, random_state=seed)
    X_test, y_test = make_machine_faults(max(20, n_streams // 3), random_state=seed + 1)
    faulty = np.mean(np.concatenate(y) != "normal")
    print(f"{len(X)} training streams of 3 sensors, lengths {min(map(len, X))}-"
          f"{max(map(len, X))}, {faulty:.1%} of steps in a fault")

    baseline = HistGradientBoostingClassifier(random_state=seed)
    baseline.fit(np.concatenate(X), np.concatenate(y))
    tagger = GRUTagger(hidden_size=hidden_size, max_iter=max_iter, learning_rate_init=3e-3,
                       random_state=seed)
    with warnings.catch_warnings():
        # Bounded training on purpose: stopping at max_iter is expected here.
        warnings.simplefilter("ignore", ConvergenceWarning)
        tagger.fit(X, y)

    results = {}
    for name, predicted in [("per-step boosting", [baseline.predict(x) for x in X_test]),
                            ("GRUTagger", tagger.predict(X_test))]:
        macro = step_f1_score(y_test, predicted, average="macro")
        per_state = step_f1_score(y_test, predicted, labels=STATES, average=None)
        results[name] = {"macro_f1": float(macro), **dict(zip(STATES, map(float, per_state)))}
        states = "  ".join(f"{s} {v:.3f}" for s, v in zip(STATES, per_state))
        print(f"{name:>18}: macro F1 {macro:.3f}  ({states})")

    OUTPUT.mkdir(exist_ok=True)
    shown = next((i for i, t in enumerate(y_test) if (t != "normal").any()), 0)
    plot(X_test[shown], y_test[shown], tagger.predict([X_test[shown]])[0],
         OUTPUT / "machine_faults.png")

    path = OUTPUT / "machine_faults.skseq"
    sklearn_seq.save(tagger, path)
    reloaded = sklearn_seq.load(path)
    same = all(np.array_equal(a, b) for a, b in zip(reloaded.predict(X_test),
                                                    tagger.predict(X_test)))
    assert same
    print(f"saved and reloaded {path.name}: identical labels; "
          f"{time.perf_counter() - start:.0f} s in all")
    return results


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
