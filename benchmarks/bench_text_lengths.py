"""Training time on documents of very different lengths vs equal lengths, same tokens.

Most documents are short and a few are long (lengths drawn from a heavy-tailed
distribution, 5 to 400 tokens). The comparison set has as many documents, all of
the mean length, so both hold the same total number of tokens. With batches
padded to the global longest document the ragged set would cost several times
more; with the length bucketing of the training loop the ratio stays near 1::

    python benchmarks/bench_text_lengths.py [--n-docs 4096] [--epochs 2]
"""

import argparse
import time

import numpy as np

from sklearn_seq.text import BiRNNTextClassifier

WORDS = [f"w{i}" for i in range(500)]
BATCH = 64


def documents(lengths, rng):
    docs = [" ".join(rng.choice(WORDS, size=n)) for n in lengths]
    labels = rng.randint(2, size=len(lengths))
    return docs, labels


def fit_seconds(docs, labels, epochs, repeats=2):
    best = np.inf
    for _ in range(repeats):
        clf = BiRNNTextClassifier(
            embedding_dim=32, hidden_size=32, max_iter=epochs, n_iter_no_change=epochs,
            batch_size=BATCH, random_state=0,
        )
        start = time.perf_counter()
        clf.fit(docs, labels)
        best = min(best, time.perf_counter() - start)
    return best


def main(n_docs=4096, epochs=2):
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    warnings.simplefilter("ignore", ConvergenceWarning)
    rng = np.random.RandomState(0)
    ragged = np.clip(np.round(rng.lognormal(3.0, 0.9, size=n_docs)), 5, 400).astype(int)
    mean = int(round(ragged.mean()))
    equal = np.full(n_docs, mean)
    # Same total tokens: move the rounding difference onto a few documents.
    diff = int(ragged.sum() - equal.sum())
    equal[: abs(diff)] += np.sign(diff)

    t_ragged = fit_seconds(*documents(ragged, rng), epochs)
    t_equal = fit_seconds(*documents(equal, rng), epochs)
    print(f"{n_docs} documents, {int(ragged.sum())} tokens, {epochs} epochs")
    print(f"  varied lengths {ragged.min()}-{ragged.max()} (median {int(np.median(ragged))}): "
          f"{t_ragged:.2f} s")
    print(f"  equal lengths  {mean}: {t_equal:.2f} s")
    # A recurrent layer runs one step at a time over a batch, so a batch costs about
    # its longest document's steps: the floor for sorted batches is this ratio.
    ordered = np.sort(ragged)
    steps = ordered[BATCH - 1 :: BATCH].sum() + (ordered[-1] if n_docs % BATCH else 0)
    floor = steps / (mean * -(-n_docs // BATCH))
    print(f"  ratio varied / equal: {t_ragged / t_equal:.2f}")
    print(f"  sequential steps, length-sorted batches vs equal: {floor:.2f}; "
          f"every batch padded to the longest document: {ragged.max() / mean:.2f}")
    return t_ragged / t_equal


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n-docs", type=int, default=4096)
    p.add_argument("--epochs", type=int, default=2)
    a = p.parse_args()
    main(n_docs=a.n_docs, epochs=a.epochs)
