"""Hyperparameter search on a Dask cluster gives the local search's result."""

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.model_selection import GridSearchCV

from sklearn_seq import GRUClassifier

distributed = pytest.importorskip("distributed")


@pytest.mark.slow
def test_grid_search_on_local_cluster_equals_local_search():
    rng = np.random.RandomState(0)
    X = rng.randn(60, 6, 2).astype(np.float32)
    y = (X[:, -1, 0] > 0).astype(int)
    grid = GridSearchCV(GRUClassifier(max_iter=3, random_state=0),
                        {"hidden_size": [4, 8]}, cv=2)
    local = grid.fit(X, y).cv_results_["mean_test_score"]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster), parallel_config(backend="dask"):
            remote = GridSearchCV(GRUClassifier(max_iter=3, random_state=0),
                                  {"hidden_size": [4, 8]}, cv=2, n_jobs=-1).fit(X, y)
    np.testing.assert_array_equal(remote.cv_results_["mean_test_score"], local)
    np.testing.assert_array_equal(remote.predict(X), grid.predict(X))
