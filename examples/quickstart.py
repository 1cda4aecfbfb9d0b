"""Quickstart: classify ragged multichannel sequences, then save and reload the model
==================================================================================

The model is saved in the safe format (``model.save`` / ``sklearn_seq.load``: no
code runs when the file is loaded), the one to use for models you share.

Runs in well under a minute on a laptop CPU::

    python examples/quickstart.py
"""

import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

import sklearn_seq
from sklearn_seq import GRUClassifier, LSTMClassifier
from sklearn_seq.datasets import make_sequence_classification

OUTPUT = Path(__file__).with_name("output")


def main(n_samples=600, max_iter=40):
    X, y = make_sequence_classification(n_samples=n_samples, random_state=0)
    lengths = [len(x) for x in X]
    print(f"{len(X)} sequences, {X[0].shape[1]} features per step, "
          f"lengths {min(lengths)}-{max(lengths)}")
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)

    scores = {}
    for model in (
        LSTMClassifier(max_iter=max_iter, early_stopping=True, random_state=0),
        GRUClassifier(max_iter=max_iter, pooling="attention", random_state=0),
    ):
        model.fit(X_train, y_train)
        scores[type(model).__name__] = accuracy_score(y_test, model.predict(X_test))
        print(f"{type(model).__name__:>15}: test accuracy {scores[type(model).__name__]:.3f} "
              f"after {model.n_iter_} epochs")

    OUTPUT.mkdir(exist_ok=True)
    path = OUTPUT / "quickstart_gru.skseq"
    model.save(path)
    reloaded = sklearn_seq.load(path)
    assert np.array_equal(reloaded.predict(X_test), model.predict(X_test))
    print(f"saved and reloaded {path.name} (safe format): identical predictions")
    weights = reloaded.attention_weights(X_test[:1])[0]
    print(f"attention on the first test sequence peaks at step {weights.argmax()} "
          f"of {len(X_test[0])}")
    return scores


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
