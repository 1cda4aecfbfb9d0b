"""Conformal prediction with MAPIE: the estimators work with its split classes out of
the box (``n_features_in_`` only after a 2D fit), SingleQuantileRegressor makes a
multi-quantile forecaster usable for conformalized quantile regression, and the
empirical coverage on held-out data is the nominal one."""

import numpy as np
import pytest
from mapie.classification import SplitConformalClassifier
from mapie.regression import ConformalizedQuantileRegressor, SplitConformalRegressor
from mapie.utils import check_sklearn_user_model_is_fitted
from sklearn.base import clone

from sklearn_seq import (
    AttentionForecaster,
    GRUClassifier,
    LSTMClassifier,
    LSTMRegressor,
    SequenceScaler,
    SingleQuantileRegressor,
    load,
    save,
)

# MAPIE looks for a fixed list of attribute names to tell a fitted regressor; a fit
# on 3D input sets none of them (n_features_in_ is for 2D fits), so it warns.
MAPIE_FITTED_HEURISTIC = "ignore:Estimator does not appear fitted:UserWarning"


def _ragged(n, rng, n_features=2):
    """Ragged sequences (lengths 3-8) whose first feature's mean tells the class,
    with label noise, so that the sets are not trivial."""
    X = [rng.normal(size=(rng.integers(3, 9), n_features)).astype(np.float32)
         for _ in range(n)]
    score = np.array([x[:, 0].mean() for x in X]) + rng.normal(scale=0.4, size=n)
    return X, (score > 0).astype(int)


def _windows(n, rng):
    X = rng.normal(size=(n, 6, 3)).astype(np.float32)
    return X, X[:, :, 0].mean(axis=1) + rng.normal(scale=0.5, size=n)


def _coverage(low, high, y):
    return float(np.mean((low <= y) & (y <= high)))


# -- n_features_in_ ------------------------------------------------------------------


def test_n_features_in_is_the_columns_of_a_2d_fit_and_mapie_probe_works():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 7)).astype(np.float32)
    clf = LSTMClassifier(hidden_size=4, max_iter=2, random_state=0).fit(X, np.arange(30) % 2)
    assert clf.n_features_in_ == 7 and clf.n_features_per_step_ == 1
    # MAPIE's probe: one row as wide as n_features_in_
    assert clf.predict(np.zeros((1, clf.n_features_in_))).shape == (1,)
    assert check_sklearn_user_model_is_fitted(clf)


@pytest.mark.parametrize("layout", ["3d", "ragged"])
def test_a_3d_or_ragged_fit_sets_no_n_features_in(layout, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 5, 3)).astype(np.float32)
    if layout == "ragged":
        X = [x[: 2 + i % 4] for i, x in enumerate(X)]
    est = LSTMClassifier(hidden_size=4, max_iter=2, random_state=0)
    est.fit(rng.normal(size=(30, 4)), np.arange(30) % 2)
    assert est.n_features_in_ == 4
    est.fit(X, np.arange(30) % 2)  # a refit on 3D input forgets the 2D width
    assert not hasattr(est, "n_features_in_") and est.n_features_per_step_ == 3
    # so MAPIE neither probes it with a 2D row nor compares X.shape[1] with it
    assert check_sklearn_user_model_is_fitted(est)
    # a 2D row still means one feature per step: refused, never misread
    with pytest.raises(ValueError, match="1 features per time step.*expecting 3"):
        est.predict(np.zeros((1, 3)))
    save(est, tmp_path / "model.skseq")
    reloaded = load(tmp_path / "model.skseq")
    assert not hasattr(reloaded, "n_features_in_")
    scaler = SequenceScaler().fit(X)
    assert not hasattr(scaler, "n_features_in_") and scaler.n_features_per_step_ == 3
    assert scaler.get_feature_names_out().tolist() == ["x0", "x1", "x2"]
    save(scaler, tmp_path / "scaler.skseq")
    assert not hasattr(load(tmp_path / "scaler.skseq"), "n_features_in_")


# -- coverage ------------------------------------------------------------------------


def test_split_conformal_classifier_covers_90_percent_on_ragged_input():
    rng = np.random.default_rng(0)
    X_train, y_train = _ragged(300, rng)
    X_cal, y_cal = _ragged(2000, rng)
    X_test, y_test = _ragged(2000, rng)
    clf = GRUClassifier(hidden_size=4, max_iter=3, random_state=0).fit(X_train, y_train)
    mapie = SplitConformalClassifier(clf, confidence_level=0.9, prefit=True)
    _, sets = mapie.conformalize(X_cal, y_cal).predict_set(X_test)
    coverage = float(sets[np.arange(len(y_test)), y_test, 0].mean())
    assert coverage == pytest.approx(0.9, abs=0.03)  # 0.8965


@pytest.mark.filterwarnings(MAPIE_FITTED_HEURISTIC)
def test_split_conformal_regressor_covers_90_percent_on_3d_input():
    rng = np.random.default_rng(1)
    X_train, y_train = _windows(300, rng)
    X_cal, y_cal = _windows(2000, rng)
    X_test, y_test = _windows(2000, rng)
    reg = LSTMRegressor(hidden_size=4, max_iter=3, random_state=0).fit(X_train, y_train)
    mapie = SplitConformalRegressor(reg, confidence_level=0.9, prefit=True)
    _, intervals = mapie.conformalize(X_cal, y_cal).predict_interval(X_test)
    coverage = _coverage(intervals[:, 0, 0], intervals[:, 1, 0], y_test)
    assert coverage == pytest.approx(0.9, abs=0.03)  # 0.8955


@pytest.mark.filterwarnings(MAPIE_FITTED_HEURISTIC)
def test_conformalized_quantile_regression_with_single_quantile_regressors():
    rng = np.random.default_rng(2)
    X_train, y_train = _windows(300, rng)
    X_cal, y_cal = _windows(2000, rng)
    X_test, y_test = _windows(2000, rng)
    model = AttentionForecaster(hidden_size=4, max_iter=3, quantiles=(0.05, 0.5, 0.95),
                                random_state=0).fit(X_train, y_train)
    levels = [SingleQuantileRegressor(model, quantile=q) for q in (0.05, 0.95, 0.5)]
    mapie = ConformalizedQuantileRegressor(levels, confidence_level=0.9, prefit=True)
    points, intervals = mapie.conformalize(X_cal, y_cal).predict_interval(X_test)
    np.testing.assert_allclose(points, model.predict(X_test), rtol=1e-6)
    coverage = _coverage(intervals[:, 0, 0], intervals[:, 1, 0], y_test)
    assert coverage == pytest.approx(0.9, abs=0.03)  # 0.903


# -- SingleQuantileRegressor -----------------------------------------------------------


@pytest.fixture(scope="module")
def forecaster():
    rng = np.random.default_rng(3)
    X, y = _windows(60, rng)
    model = AttentionForecaster(hidden_size=4, max_iter=2, quantiles=(0.1, 0.5, 0.9),
                                random_state=0).fit(X, y)
    return model, X


def test_single_quantile_regressor_predicts_its_level_without_refitting(forecaster):
    model, X = forecaster
    n_iter = model.n_iter_
    upper = SingleQuantileRegressor(model, quantile=0.9)
    assert upper.fit(X, np.zeros(len(X))) is upper and model.n_iter_ == n_iter
    np.testing.assert_array_equal(upper.predict(X), model.predict_quantiles(X)[:, 2])
    copy = clone(upper)
    assert copy is not upper and copy.estimator is model
    assert copy.get_params(deep=False) == {"estimator": model, "quantile": 0.9}
    assert not hasattr(upper, "n_features_in_")  # as the 3D-fitted model


def test_single_quantile_regressor_refuses_a_level_the_model_lacks(forecaster):
    model, X = forecaster
    with pytest.raises(ValueError, match=r"quantile levels \[0.1, 0.5, 0.9\], not 0.95"):
        SingleQuantileRegressor(model, quantile=0.95).predict(X)
    mean_model = AttentionForecaster(hidden_size=4, max_iter=1).fit(X, np.arange(len(X)))
    with pytest.raises(ValueError, match="fitted without quantile levels"):
        SingleQuantileRegressor(mean_model, quantile=0.5).fit(X)
    with pytest.raises(ValueError, match="The 'quantile' parameter"):
        SingleQuantileRegressor(model, quantile=1.5).fit(X)
