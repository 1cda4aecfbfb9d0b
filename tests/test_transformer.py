"""Transformer encoders: self-attention over the steps, exact on ragged input."""

import warnings

import numpy as np
import pytest

from sklearn_seq import LSTMClassifier, TransformerClassifier, TransformerRegressor
from sklearn_seq.datasets import make_long_range_classification


def _quiet_fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(X, y)


def test_a_bit_written_long_ago_is_read_directly():
    # The label sits 60 steps before the end; attention reads it in one layer.
    X, y = make_long_range_classification(400, n_timesteps=65, lag=60, random_state=0)
    params = dict(hidden_size=16, max_iter=30, learning_rate_init=3e-3, random_state=0)
    model = _quiet_fit(TransformerClassifier(nhead=2, **params), X[:300], y[:300])
    assert model.score(X[300:], y[300:]) > 0.9


def test_heads_must_divide_the_width():
    X = np.random.RandomState(0).randn(20, 5, 1)
    with pytest.raises(ValueError, match="hidden_size=10 must be a multiple of nhead=4"):
        TransformerRegressor(hidden_size=10, nhead=4, max_iter=1).fit(X, X[:, 0, 0])


def test_attention_pooling_weights_cover_the_real_steps_of_ragged_input():
    rng = np.random.RandomState(0)
    X = [rng.randn(n, 2) for n in (3, 7, 5)] * 4
    y = np.arange(12) % 2
    clf = _quiet_fit(TransformerClassifier(hidden_size=8, nhead=2, pooling="attention",
                                           max_iter=2, dtype="float64", random_state=0), X, y)
    weights = clf.attention_weights(X[:3])
    np.testing.assert_allclose(weights.sum(axis=1), 1)
    assert weights[0, 3:].sum() == 0 and weights[2, 5:].sum() == 0
    # A sequence's probabilities do not depend on the batch it is in.
    together = clf.predict_proba(X[:3])
    for i in range(3):
        np.testing.assert_allclose(clf.predict_proba(X[i : i + 1]), together[i : i + 1],
                                   atol=1e-12)
    assert not hasattr(LSTMClassifier(), "nhead")


def test_self_attention_weights_of_every_layer_and_head():
    rng = np.random.RandomState(0)
    X = [rng.randn(n, 2) for n in (4, 9, 6)] * 4
    y = np.arange(12) % 2
    clf = _quiet_fit(TransformerClassifier(hidden_size=8, nhead=2, num_layers=2, max_iter=2,
                                           dtype="float64", random_state=0), X, y)
    weights = clf.self_attention_weights(X[:3])
    assert weights.shape == (3, 2, 2, 9, 9)
    # Each real step's row sums to 1 over the sequence's real steps; padding is 0.
    np.testing.assert_allclose(weights[0, :, :, :4, :4].sum(axis=-1), 1)
    assert weights[0, :, :, 4:, :].sum() == 0 and weights[0, :, :, :, 4:].sum() == 0
    np.testing.assert_allclose(weights[1].sum(axis=-1), 1)
    # A sequence's weights do not depend on the batch it is in.
    alone = clf.self_attention_weights(X[2:3])
    np.testing.assert_allclose(alone[0], weights[2, :, :, :6, :6], atol=1e-12)
