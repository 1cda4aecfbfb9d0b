"""Route multilingual support tickets with a bidirectional RNN, beside TF-IDF
==========================================================================

Compares :class:`~sklearn_seq.text.BiRNNTextClassifier` with ``TfidfVectorizer`` +
``LogisticRegression`` on the same split of generated tickets (five intents, five
languages, 5% mislabelled), then on reviews whose sentiment only word order reveals
("not bad but great"). Tunes the RNN with a small grid search, saves and reloads it
with joblib, and plots which tokens its attention read (with matplotlib installed).
About a minute on 2 CPU cores::

    python examples/text_classification.py
"""

import sys
import warnings
from pathlib import Path

import joblib
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline

from sklearn_seq.datasets import make_negation_sentiment, make_support_tickets
from sklearn_seq.text import BiRNNTextClassifier

OUTPUT = Path(__file__).with_name("output")

SIZES = {
    "full": dict(n_tickets=2500, n_reviews=1000, max_iter=20, grid_max_iter=10),
    # the test suite's: small, but trained enough to beat chance clearly
    "tiny": dict(n_tickets=300, n_reviews=100, max_iter=8, grid_max_iter=1),
}


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


def _scores(model, X_test, y_test):
    pred = model.predict(X_test)
    return {
        "accuracy": accuracy_score(y_test, pred),
        "macro_f1": f1_score(y_test, pred, average="macro"),
    }


def _birnn(max_iter, **params):
    params = dict(embedding_dim=16, hidden_size=16, dropout=0.5,
                  pooling="attention", batch_size=32, learning_rate_init=1e-2,
                  max_iter=max_iter, random_state=0) | params
    return BiRNNTextClassifier(**params)


def compare(X, y, max_iter, **params):
    """Fit both models on one stratified split; return them, the split and scores."""
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, random_state=0, stratify=y
    )
    tfidf = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000))
    birnn = _birnn(max_iter, **params)
    results = {}
    for name, model in (("tfidf", tfidf), ("birnn", birnn)):
        model.fit(X_train, y_train)
        results[name] = _scores(model, X_test, y_test)
        print(f"  {name:>6}: accuracy {results[name]['accuracy']:.3f}  "
              f"macro F1 {results[name]['macro_f1']:.3f}", flush=True)
    return birnn, (X_train, X_test, y_train, y_test), results


def plot_attention(model, docs, path):
    """One row per document: its tokens shaded by the attention weight they got."""
    plt = pyplot()
    if plt is None:
        return
    rows = model.token_attention(docs)
    width = max(len(tokens) for tokens, _ in rows)
    fig, axes = plt.subplots(len(rows), 1, figsize=(min(1.1 * width + 1, 18), 1.0 * len(rows)))
    for ax, (tokens, weights), label in zip(np.atleast_1d(axes), rows, model.predict(docs)):
        ax.imshow(weights[None, :], cmap="Reds", vmin=0, vmax=max(weights.max(), 1e-9),
                  aspect="auto")
        ax.set_xticks(range(len(tokens)), tokens, fontsize=8)
        ax.set_yticks([])
        ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=8)
    fig.suptitle("Attention over tokens (darker: read more)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"  attention plot: {path}")


def main(size="full", output_dir=None):
    # Short training on purpose: stopping at max_iter is expected here.
    warnings.simplefilter("ignore", ConvergenceWarning)
    cfg = SIZES[size]
    output_dir = Path(output_dir) if output_dir is not None else OUTPUT
    output_dir.mkdir(parents=True, exist_ok=True)

    print("Ticket routing (5 intents, 5 languages, 5% label noise)")
    X, y = make_support_tickets(cfg["n_tickets"], random_state=0, return_X_y=True)
    birnn, (X_train, X_test, y_train, y_test), results = compare(X, y, cfg["max_iter"])

    print("Order-dependent sentiment ('not bad but great')")
    Xr, yr = make_negation_sentiment(cfg["n_reviews"], random_state=0, return_X_y=True)
    compare(Xr, yr, cfg["max_iter"], dropout=0.0)

    print("Grid search over the embedding width and the document length read")
    search = GridSearchCV(
        _birnn(cfg["grid_max_iter"]),
        {"embedding_dim": [8, 16], "max_len": [8, None]},
        cv=2,
    ).fit(X_train[: len(X_train) // 2], y_train[: len(y_train) // 2])
    print(f"  best {search.best_params_}, cv accuracy {search.best_score_:.3f}")

    path = output_dir / "ticket_birnn.joblib"
    joblib.dump(birnn, path)
    reloaded = joblib.load(path)
    assert (reloaded.predict(X_test) == birnn.predict(X_test)).all()
    print(f"  saved and reloaded {path.name}: identical predictions")

    picks = [int(np.flatnonzero(np.char.startswith(X_test.astype(str), p))[0])
             if np.char.startswith(X_test.astype(str), p).any() else 0
             for p in ("this is not about", "hi", "no se", "вопрос")]
    plot_attention(birnn, list(X_test[sorted(set(picks))]), output_dir / "text_attention.png")
    return results


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "full")
