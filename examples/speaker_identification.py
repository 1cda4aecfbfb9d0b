"""Speaker identification from variable-length cepstral sequences (ragged input)
=============================================================================

Each utterance is a different number of MFCC-like frames (13 coefficients); the
list of utterances goes straight into a pipeline with ``SequenceScaler`` and a
bidirectional LSTM with attention pooling: no padding, no truncation. Compared with
logistic regression on per-utterance means and standard deviations, the usual
bag-of-frames baseline::

    python examples/speaker_identification.py
"""

import sys
from pathlib import Path

import joblib
import numpy as np
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_seq import AttentionDisplay, LSTMClassifier, SequenceScaler
from sklearn_seq.datasets import make_speaker_sequences

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


def _stats(X):
    return np.array([np.r_[x.mean(axis=0), x.std(axis=0)] for x in X])


def main(n_utterances=50, max_iter=80, search=True):
    X, y = make_speaker_sequences(n_speakers=6, n_utterances=n_utterances, random_state=0)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    lengths = [len(x) for x in X]
    print(f"{len(X)} utterances of {min(lengths)}-{max(lengths)} frames, 13 coefficients")

    pipe = make_pipeline(SequenceScaler(), LSTMClassifier(
        hidden_size=32, bidirectional=True, pooling="attention", max_iter=max_iter,
        learning_rate_init=3e-3, random_state=0))
    if search:
        pipe = GridSearchCV(pipe, {"lstmclassifier__pooling": ["attention", "mean"]}, cv=2)
    pipe.fit(X_tr, y_tr)
    rnn = accuracy_score(y_te, pipe.predict(X_te))
    base = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    base.fit(_stats(X_tr), y_tr)
    stats = accuracy_score(y_te, base.predict(_stats(X_te)))
    print(f"bidirectional LSTM: accuracy {rnn:.3f}")
    print(f"logistic regression on frame statistics: accuracy {stats:.3f}")

    OUTPUT.mkdir(exist_ok=True)
    path = OUTPUT / "speaker_lstm.joblib"
    joblib.dump(pipe, path)
    assert np.array_equal(joblib.load(path).predict(X_te), pipe.predict(X_te))
    print(f"saved and reloaded {path.name}: identical predictions")

    plt = pyplot()
    if plt is not None:
        model = pipe.best_estimator_ if search else pipe
        if not hasattr(model[-1], "attention_weights"):
            # The search chose mean pooling, which has no attention to draw.
            print("the search chose pooling='mean'; the plot is of the attention model")
            model = clone(model).set_params(lstmclassifier__pooling="attention")
            model.fit(X_tr, y_tr)
        scaled = model[0].transform(X_te[:4])
        fig, ax = plt.subplots()
        AttentionDisplay.from_estimator(model[-1], scaled, ax=ax)
        ax.set_title("attention over the frames of 4 utterances")
        fig.savefig(OUTPUT / "speaker_attention.png", dpi=100, bbox_inches="tight")
        plt.close(fig)
        print(f"plot saved: {OUTPUT / 'speaker_attention.png'}")
    return {"lstm_accuracy": rnn, "frame_stats_accuracy": stats}


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
