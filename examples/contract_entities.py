"""Named entities in contract clauses in four languages, tagged token by token
===========================================================================

Contract clauses in English, French, German and Spanish name parties (company
names made of invented words, so the names in the held-out clauses were never
seen in training), dates and amounts in each language's formats; some clauses
are all in capitals or all in lower case, and 2% of the training tags are wrong,
as annotations are. A ``BiRNNTextTagger`` tags every token with a BIO tag
(``B-PARTY``, ``I-PARTY``, ``B-DATE``, ...). The baseline is a logistic
regression on each token and its two neighbours (their words and shapes). The
script prints the entity-level F1 of both (an entity counts when its type and
both ends match, as conlleval and seqeval score it), per language and per type,
shows one tagged clause, and saves and reloads the tagger in the safe format.

    python examples/contract_entities.py
"""

import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

import sklearn_seq
from sklearn_seq.datasets import make_contract_entities
from sklearn_seq.metrics import entity_f1_score
from sklearn_seq.tagging import BiRNNTextTagger

OUTPUT = Path(__file__).with_name("output")
TYPES = ["PARTY", "DATE", "AMOUNT"]


def token_features(tokens):
    """Each token and its neighbours: their lower-cased words and their shapes."""
    rows = []
    for i in range(len(tokens)):
        row = {}
        for offset, name in ((-1, "prev"), (0, "this"), (1, "next")):
            j = i + offset
            word = tokens[j] if 0 <= j < len(tokens) else "<edge>"
            row[f"{name}={word.lower()}"] = 1
            row[f"{name}_title"] = word[:1].isupper()
            row[f"{name}_digit"] = any(c.isdigit() for c in word)
        rows.append(row)
    return rows


def only(tags, kind):
    """The tags with every entity but those of ``kind`` turned into O."""
    return [[t if t.endswith(kind) else "O" for t in doc] for doc in tags]


def main(n_clauses=1500, max_iter=30, seed=0):
    start = time.perf_counter()
    tokens, tags, _ = make_contract_entities(n_clauses, random_state=seed)
    test_tokens, test_tags, languages = make_contract_entities(
        max(40, n_clauses // 3), label_noise=0.0, random_state=seed + 1000)
    print(f"{len(tokens)} training clauses ({sum(map(len, tokens)):,} tokens), "
          f"{len(test_tokens)} held out, in {len(set(languages))} languages")

    baseline = make_pipeline(DictVectorizer(), LogisticRegression(max_iter=2000))
    baseline.fit([f for doc in tokens for f in token_features(doc)],
                 [t for doc in tags for t in doc])
    tagger = BiRNNTextTagger(max_iter=max_iter, random_state=seed)
    with warnings.catch_warnings():
        # Bounded training on purpose: stopping at max_iter is expected here.
        warnings.simplefilter("ignore", ConvergenceWarning)
        tagger.fit(tokens, tags)

    predicted = {
        "token + neighbours (LR)": [list(baseline.predict(token_features(d)))
                                    for d in test_tokens],
        "BiRNNTextTagger": tagger.predict(test_tokens),
    }
    results = {}
    header = "".join(f"{k:>8}" for k in [*sorted(set(languages)), *TYPES])
    print(f"{'entity F1':>24} {'all':>6}{header}")
    for name, pred in predicted.items():
        scores = {"all": entity_f1_score(test_tags, pred)}
        for lang in sorted(set(languages)):
            keep = languages == lang
            scores[lang] = entity_f1_score([t for t, k in zip(test_tags, keep) if k],
                                           [p for p, k in zip(pred, keep) if k])
        for kind in TYPES:
            scores[kind] = entity_f1_score(only(test_tags, kind), only(pred, kind))
        results[name] = scores
        cells = "".join(f"{scores[k]:>8.3f}" for k in [*sorted(set(languages)), *TYPES])
        print(f"{name:>24} {scores['all']:>6.3f}{cells}")

    shown = next(i for i, t in enumerate(test_tags) if sum(x != "O" for x in t) > 4)
    print("\n" + " ".join(f"{w}/{t}" for w, t in
                          zip(test_tokens[shown], predicted["BiRNNTextTagger"][shown])))

    OUTPUT.mkdir(exist_ok=True)
    path = OUTPUT / "contract_tagger.skseq"
    sklearn_seq.save(tagger, path)
    reloaded = sklearn_seq.load(path)
    assert all(np.array_equal(a, b) for a, b in zip(reloaded.predict(test_tokens),
                                                    predicted["BiRNNTextTagger"]))
    print(f"\nsaved and reloaded {path.name}: identical tags; "
          f"{time.perf_counter() - start:.0f} s in all")
    return results


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
