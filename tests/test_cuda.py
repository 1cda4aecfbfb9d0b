"""GPU training and prediction; skipped on machines without CUDA (like CI)."""

import pickle

import numpy as np
import pytest
import torch

from sklearn_seq import GRUClassifier, LSTMRegressor
from sklearn_seq.datasets import make_sequence_classification

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def test_cuda_fit_predict_matches_cpu_on_ragged_data():
    X, y = make_sequence_classification(n_samples=60, random_state=0)
    params = dict(hidden_size=8, max_iter=3, bidirectional=True, random_state=0,
                  dtype="float64")
    cpu = GRUClassifier(**params).fit(X, y)
    gpu = GRUClassifier(device="cuda", **params).fit(X, y)
    # cuDNN's packed sequences on the GPU, bucketed padding on the CPU: same model.
    np.testing.assert_allclose(gpu.predict_proba(X), cpu.predict_proba(X), atol=1e-6)
    alone = np.vstack([gpu.predict_proba([x]) for x in X[:10]])
    np.testing.assert_allclose(gpu.predict_proba(X[:10]), alone, atol=1e-6)


def test_cuda_model_unpickles_and_predicts():
    rng = np.random.RandomState(0)
    X, y = rng.randn(30, 6, 2), rng.randn(30)
    est = LSTMRegressor(hidden_size=8, max_iter=2, device="cuda", random_state=0).fit(X, y)
    loaded = pickle.loads(pickle.dumps(est))
    np.testing.assert_allclose(loaded.predict(X), est.predict(X), rtol=1e-5)
