"""Dates written in four languages and many formats, normalised to ``YYYY-MM-DD``
==============================================================================

``make_date_normalization`` writes dates as people do in English, French, German
and Spanish (``"3 mars 2021"``, ``"March 3rd, 2021"``, ``"Mittwoch, 3. März
2021"``, ``"03.03.2021"``, ``"2021/3/3"``, in lower case or capitals at times);
the target is ``"2021-03-03"``. A character-level encoder-decoder with attention
(``TextSeq2Seq``) learns to write the ISO date, character by character, from
examples alone: no rule, no list of month names. The baseline is as rule-free: the
target of the nearest training string in character n-gram TF-IDF space. The script
prints the exact-match accuracy of both per language on held-out dates, greedy and
beam-search decoding, draws which input characters each output character read (the
alignment), and saves and reloads the model in the safe format.

    python examples/date_normalization.py
"""

import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.neighbors import NearestNeighbors

import sklearn_seq
from sklearn_seq.datasets import make_date_normalization
from sklearn_seq.plotting import AlignmentDisplay
from sklearn_seq.seq2seq import TextSeq2Seq

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


def exact_match(truth, predicted, keep):
    return float(np.mean([t == p for t, p, k in zip(truth, predicted, keep) if k]))


def main(n_train=4000, max_iter=10, seed=0):
    start = time.perf_counter()
    X, y, _ = make_date_normalization(n_train, random_state=seed)
    X_test, y_test, language = make_date_normalization(
        max(40, n_train // 4), random_state=seed + 1000)
    print(f"{len(X)} training dates, {len(X_test)} held out, in "
          f"{len(set(language))} languages, e.g. {X_test[0]!r} -> {y_test[0]!r}")

    tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3)).fit(X)
    neighbours = NearestNeighbors(n_neighbors=1, metric="cosine").fit(tfidf.transform(X))
    nearest = neighbours.kneighbors(tfidf.transform(X_test), return_distance=False)[:, 0]
    model = TextSeq2Seq(max_iter=max_iter, random_state=seed)
    with warnings.catch_warnings():
        # Bounded training on purpose: stopping at max_iter is expected here.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    fitted = time.perf_counter()

    predicted = {
        "nearest neighbour (TF-IDF)": [y[i] for i in nearest],
        "TextSeq2Seq greedy": model.predict(X_test),
        "TextSeq2Seq beam 3": model.set_params(beam_size=3).predict(X_test),
    }
    model.set_params(beam_size=1)
    languages = sorted(set(language))
    print(f"{'exact match':>27} {'all':>6}" + "".join(f"{lang:>7}" for lang in languages))
    results = {}
    for name, pred in predicted.items():
        scores = {"all": exact_match(y_test, pred, np.ones(len(pred), bool))}
        scores.update({lang: exact_match(y_test, pred, language == lang)
                       for lang in languages})
        results[name] = scores
        print(f"{name:>27} {scores['all']:>6.3f}"
              + "".join(f"{scores[lang]:>7.3f}" for lang in languages))
    wrong = [(x, t, p) for x, t, p in zip(X_test, y_test, predicted["TextSeq2Seq greedy"])
             if t != p]
    for x, t, p in wrong[:3]:
        print(f"  wrong: {x!r} -> {p!r} (true {t!r})")

    shown = next(i for i, x in enumerate(X_test) if not x[0].isdigit())
    plt = pyplot()
    if plt is not None:
        OUTPUT.mkdir(exist_ok=True)
        fig, ax = plt.subplots(figsize=(9, 4))
        AlignmentDisplay.from_estimator(model, X_test, index=shown, ax=ax)
        ax.set_title(f"{X_test[shown]!r} -> {predicted['TextSeq2Seq greedy'][shown]!r}")
        fig.tight_layout()
        fig.savefig(OUTPUT / "date_alignment.png", dpi=100)
        plt.close(fig)
    weights = model.attention_weights(X_test[shown : shown + 1])[0]
    print(f"alignment of {X_test[shown]!r}: {weights.shape[0]} output x "
          f"{weights.shape[1]} input characters, the year's digits read "
          f"{''.join(X_test[shown][j] for j in weights[:4].argmax(axis=1))!r}")

    OUTPUT.mkdir(exist_ok=True)
    path = OUTPUT / "date_normalizer.skseq"
    sklearn_seq.save(model, path)
    reloaded = sklearn_seq.load(path)
    assert reloaded.predict(X_test) == predicted["TextSeq2Seq greedy"]
    print(f"saved and reloaded {path.name}: identical outputs; training "
          f"{fitted - start:.0f} s, {time.perf_counter() - start:.0f} s in all")
    return results


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
