"""Vanishing gradients, measured: accuracy against the lag for RNN, LSTM, GRU and a transformer
============================================================================================

The label of each sequence is written at one step, ``lag`` steps before its end;
every other step is noise. A plain (Elman) RNN must carry that bit through ``lag``
multiplications by its recurrent matrix and loses it as the lag grows; the gates of
LSTM and GRU keep it. A transformer encoder has no path through time to vanish: its
self-attention reads the marked step directly, whatever the lag. Prints a table of
held-out accuracy (chance is 0.5)::

    python examples/long_range_dependencies.py
"""

import sys

from sklearn_seq import GRUClassifier, LSTMClassifier, RNNClassifier, TransformerClassifier
from sklearn_seq.datasets import make_long_range_classification


def main(lags=(5, 20, 50, 100), n_samples=800, max_iter=40):
    n_train = int(n_samples * 0.75)
    rows = []
    print(f"{'lag':>5} {'RNN':>6} {'LSTM':>6} {'GRU':>6} {'Transformer':>12}")
    for lag in lags:
        X, y = make_long_range_classification(n_samples, n_timesteps=lag + 5, lag=lag,
                                              random_state=0)
        row = [lag]
        for cls in (RNNClassifier, LSTMClassifier, GRUClassifier, TransformerClassifier):
            model = cls(hidden_size=32, max_iter=max_iter, learning_rate_init=3e-3,
                        n_iter_no_change=max_iter, random_state=0)
            model.fit(X[:n_train], y[:n_train])
            row.append(model.score(X[n_train:], y[n_train:]))
        rows.append(row)
        print(f"{row[0]:>5} {row[1]:>6.3f} {row[2]:>6.3f} {row[3]:>6.3f} {row[4]:>12.3f}",
              flush=True)
    return rows


if __name__ == "__main__":
    lags = tuple(int(a) for a in sys.argv[1:]) or (5, 20, 50, 100)
    main(lags)
