"""PanelForecaster, RollingOriginSplit and backtest: many series in a long table."""

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import FunctionTransformer, make_pipeline
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

from sklearn_seq.datasets import make_store_demand
from sklearn_seq.forecasting import (
    AttentionForecaster,
    PanelForecaster,
    RollingOriginSplit,
    backtest,
)
from sklearn_seq.forecasting._conformal import conformal_widths, step_scale
from sklearn_seq.preprocessing import SequenceWindower, make_windows


def _flat(X):
    X = np.asarray(X)
    return X.reshape(len(X), -1)


def linear():
    """A fast, deterministic regressor of windows: least squares on the flattened steps."""
    return make_pipeline(FunctionTransformer(_flat), LinearRegression())


class Recorder(RegressorMixin, BaseEstimator):
    """Records the windows it is fitted on; forecasts the last value of each window."""

    def fit(self, X, y):
        self.X_, self.y_ = np.asarray(X).copy(), np.asarray(y).copy()
        return self

    def predict(self, X):
        X = np.asarray(X)
        return np.repeat(X[:, -1, :1], self.y_.shape[1], axis=1)


def plain(**kwargs):
    """A PanelForecaster that hands its windows to a Recorder, without the linear part."""
    return PanelForecaster(Recorder(), linear=False, **kwargs)


def two_series(n=30):
    t = np.arange(n, dtype=float)
    return pd.DataFrame({
        "unique_id": np.repeat(["a", "b"], n),
        "ds": np.tile(pd.date_range("2024-01-01", periods=n, freq="MS"), 2),
        "y": np.r_[t, 1000 + t],
    })


def test_windows_never_cross_two_series():
    table = two_series(30)
    model = plain(horizon=2, window=5, scaling=None).fit(table)
    X, y = model.estimator_.X_, model.estimator_.y_
    assert len(X) == 2 * (30 - 5 - 2 + 1)
    in_a = X[:, :, 0] < 500
    # Every window and its targets come from one series, in consecutive steps.
    assert np.all(in_a.all(axis=1) | (~in_a).all(axis=1))
    assert np.all((y < 500) == in_a[:, :1])
    assert np.all(np.diff(X[:, :, 0], axis=1) == 1)
    assert np.all(y[:, 0] == X[:, -1, 0] + 1) and np.all(y[:, 1] == X[:, -1, 0] + 2)


def test_forecast_from_the_end_continues_every_series_at_its_frequency():
    table = two_series(30).sample(frac=1.0, random_state=0)  # row order does not matter
    model = plain(horizon=3, window=5).fit(table)
    forecast = model.predict(table)
    assert list(forecast.columns) == ["unique_id", "ds", "forecast"]
    assert forecast["unique_id"].tolist() == ["a"] * 3 + ["b"] * 3
    expected = pd.date_range("2026-07-01", periods=3, freq="MS")
    assert (pd.DatetimeIndex(forecast["ds"][:3]) == expected).all()
    # The recorder repeats the last value, mapped back to each series' units.
    np.testing.assert_allclose(forecast["forecast"], [29] * 3 + [1029] * 3)


def test_per_window_scaling_makes_a_series_and_its_multiple_alike():
    t = np.arange(60, dtype=float)
    shape = 10 + np.sin(t / 2) + 0.1 * t
    table = pd.DataFrame({"unique_id": np.repeat(["small", "big"], 60),
                          "ds": np.tile(t, 2), "y": np.r_[shape, 100 * shape]})
    model = plain(horizon=2, window=8).fit(table)
    X = model.estimator_.X_
    half = len(X) // 2
    # The network sees the same windows for both series: the level is removed.
    np.testing.assert_allclose(X[:half], X[half:], atol=1e-5)
    model = PanelForecaster(linear(), horizon=2, window=8).fit(table)
    forecast = model.predict(table)["forecast"].to_numpy()
    # Ids in sorted order: "big" first.
    np.testing.assert_allclose(forecast[:2], 100 * forecast[2:], rtol=1e-6)


def test_series_scaling_uses_each_series_history():
    table = two_series(30)
    model = plain(horizon=1, window=4, scaling="series").fit(table)
    X = model.estimator_.X_
    half = len(X) // 2
    np.testing.assert_allclose(X[:half], X[half:], atol=1e-6)
    np.testing.assert_allclose(X[:, :, 0].mean(), 0, atol=0.5)


def test_future_covariates_are_read_horizon_steps_ahead():
    rng = np.random.RandomState(0)
    n, horizon = 120, 3
    promo = (rng.uniform(size=n + horizon) < 0.3).astype(float)
    y = 5 + 10 * promo[:n]
    table = pd.DataFrame({"ds": np.arange(n), "y": y, "promo": promo[:n]})
    model = plain(
        horizon=horizon, window=6, id_col=None,
        future_covariates="promo",
        scaling=None,
    ).fit(table)
    X = model.estimator_.X_
    # Window starting at s: position i holds the promotion of step s + i + horizon,
    # so the last `horizon` positions carry the days being forecast.
    for s in (0, 7, 50):
        np.testing.assert_array_equal(X[s, :, 1], promo[s + horizon : s + 6 + horizon])
        np.testing.assert_array_equal(model.estimator_.y_[s], y[s + 6 : s + 6 + horizon])
    # A linear model of the window learns y = 5 + 10 * promo exactly, and forecasts
    # the planned promotions given for the future.
    model = PanelForecaster(linear(), horizon=horizon, window=6, id_col=None,
                            future_covariates="promo", scaling=None).fit(table)
    future = pd.DataFrame({"ds": np.arange(n, n + horizon), "promo": promo[n:]})
    forecast = model.predict(table, future=future)
    assert forecast["ds"].tolist() == [n, n + 1, n + 2]
    np.testing.assert_allclose(forecast["forecast"], 5 + 10 * promo[n:], atol=1e-4)


def test_future_covariates_must_be_given_for_every_step():
    table = pd.DataFrame({"ds": np.arange(40), "y": np.arange(40.0), "promo": 0})
    model = plain(horizon=2, window=4, id_col=None,
                            future_covariates="promo").fit(table)
    with pytest.raises(ValueError, match="pass their values"):
        model.predict(table)
    with pytest.raises(ValueError, match="for every one of the 2 steps"):
        model.predict(table, future=pd.DataFrame({"ds": [40], "promo": [1]}))


def test_static_and_categorical_covariates_are_one_hot_per_step():
    table = make_store_demand(n_stores=4, n_days=60, random_state=0)
    model = plain(
        horizon=7, window=14, id_col="store", time_col="date", target="sales",
        future_covariates="promotion", static_covariates=["size", "region"],
    ).fit(table)
    sizes = model.categories_["size"]
    regions = model.categories_["region"]
    assert model.n_features_per_step_ == 2 + len(sizes) + len(regions)
    X = model.estimator_.X_
    # The static one-hot block is constant within each window and has one 1 per column.
    static = X[:, :, 1:-1]  # after the target, before the future covariate (last)
    assert np.all(static == static[:, :1])
    assert np.all(static[:, 0, : len(sizes)].sum(axis=1) == 1)


def test_a_static_covariate_that_varies_is_an_error():
    table = two_series(20)
    table["size"] = np.arange(40)
    with pytest.raises(ValueError, match="Static covariate 'size' varies within series"):
        plain(window=4, static_covariates="size").fit(table)


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda t: t.drop(columns="y"), "no column 'y'"),
        (lambda t: t.drop(index=5), "not regular"),
        (lambda t: pd.concat([t, t.iloc[:1]]), "appears twice"),
        (lambda t: t.assign(y=t.y.where(t.index != 3)), "missing or infinite value"),
    ],
)
def test_bad_tables_are_refused_with_what_to_do(change, match):
    with pytest.raises(ValueError, match=match):
        plain(window=4).fit(change(two_series(20)))


def test_log_transform_needs_a_positive_target():
    table = two_series(20)
    with pytest.raises(ValueError, match="positive target; series 'a'"):
        plain(window=4, target_transform="log").fit(table)


def test_a_series_shorter_than_the_window_cannot_be_forecast():
    table = two_series(20)
    model = plain(window=8).fit(table)
    short = table.groupby("unique_id").tail(5)
    with pytest.raises(ValueError, match="fewer steps than window_ = 8"):
        model.predict(short)


def test_polars_tables_in_and_out():
    pl = pytest.importorskip("polars")
    table = two_series(30)
    polars_table = pl.DataFrame({c: table[c].to_numpy() for c in table.columns})
    model = plain(horizon=2, window=5).fit(polars_table)
    forecast = model.predict(polars_table)
    assert isinstance(forecast, pl.DataFrame)
    np.testing.assert_allclose(
        forecast["forecast"].to_numpy(),
        plain(horizon=2, window=5).fit(table).predict(table)["forecast"],
    )


# -- honest window tuning ------------------------------------------------------------

def _seasonal_walk(n=400, seed=0):
    """A slow random walk plus a fixed pattern of 24 steps: the last few steps say
    where the walk is, only a window of more than 24 steps knows the pattern."""
    rng = np.random.RandomState(seed)
    pattern = rng.standard_normal(24)
    shocks, walk = rng.standard_normal(n), np.zeros(n)
    for i in range(1, n):
        walk[i] = 0.98 * walk[i - 1] + shocks[i]
    return 0.3 * walk + 0.4 * pattern[np.arange(n) % 24] + 0.1 * rng.standard_normal(n)


def _ridge():
    return make_pipeline(FunctionTransformer(_flat), Ridge(alpha=1.0))


def test_padded_test_folds_prefer_short_windows_and_rolling_origins_do_not():
    series = _seasonal_walk()
    windows = [3, 56]
    # The documented recipe of before: a windower in the pipeline, TimeSeriesSplit.
    # Each test fold is windowed alone, so its first window - 1 rows are padded.
    pipe = make_pipeline(SequenceWindower(), FunctionTransformer(_flat), Ridge(alpha=1.0))
    search = GridSearchCV(pipe, {"sequencewindower__window": windows},
                          cv=TimeSeriesSplit(3), scoring="neg_mean_absolute_error")
    padded = search.fit(series[:-1, None], series[1:]).cv_results_["mean_test_score"]
    # The truth: the same models and folds, every window with its real history.
    real = []
    for w in windows:
        X, y = make_windows(series, window=w)
        real.append(np.mean([
            -mean_absolute_error(y[test], _ridge().fit(X[train], y[train]).predict(X[test]))
            for train, test in TimeSeriesSplit(3).split(X)
        ]))
    assert padded[0] > padded[1] + 0.03  # the padded search prefers the short window...
    assert real[1] > real[0] + 0.03  # ...though the long one forecasts better
    # Rolling origins: each test fold holds its real history, and the search agrees
    # with the truth.
    honest = GridSearchCV(
        PanelForecaster(_ridge(), horizon=1, id_col=None, time_col=None, scaling=None),
        {"window": windows}, cv=RollingOriginSplit(n_splits=60, horizon=1, step=5),
    ).fit(pd.DataFrame({"y": series}))
    scores = honest.cv_results_["mean_test_score"]
    assert honest.best_params_ == {"window": 56} and scores[1] > scores[0] + 0.1


def test_rolling_origin_folds_hold_history_and_the_scored_steps():
    table = two_series(12)
    cv = RollingOriginSplit(n_splits=2, horizon=3, id_col="unique_id", time_col="ds")
    folds = list(cv.split(table))
    assert len(folds) == cv.get_n_splits() == 2
    (train0, test0), (train1, test1) = folds
    # Per series of 12 steps: fold 0 trains on 6, tests on 9; fold 1 on 9 and 12.
    assert len(train0) == 12 and len(test0) == 18
    assert len(train1) == 18 and len(test1) == 24
    assert set(train0) <= set(test0)
    by_groups = list(RollingOriginSplit(2, horizon=3).split(
        table[["y"]], groups=table["unique_id"]))
    np.testing.assert_array_equal(by_groups[0][1], test0)


def test_score_is_minus_mase_of_the_last_horizon_steps():
    series = 10 + np.sin(np.arange(100) * 2 * np.pi / 7)
    table = pd.DataFrame({"y": series})
    model = plain(horizon=2, window=7, id_col=None, time_col=None,
                            season_length=7, scaling=None).fit(table)
    history, actual = series[:-2], series[-2:]
    scale = np.mean(np.abs(history[7:] - history[:-7]))
    expected = np.mean(np.abs(actual - history[-1])) / max(scale, 1e-300)
    assert model.score(table) == pytest.approx(-expected)


def test_backtest_metrics_per_horizon_step():
    table = pd.DataFrame({"y": 5 + np.arange(60.0)})
    model = plain(horizon=3, window=5, id_col=None, time_col=None,
                            scaling=None)
    result = backtest(model, table, n_splits=2)
    # Repeating the last value of a line with slope 1 misses step h by h.
    np.testing.assert_allclose(result.metrics.loc[[1, 2, 3], "MAE"], [1, 2, 3])
    np.testing.assert_allclose(result.metrics.loc[[1, 2, 3], "MASE"], [1, 2, 3])
    assert result.metrics.loc["all", "MAE"] == pytest.approx(2)
    assert len(result.forecasts) == 2 * 3
    np.testing.assert_allclose(result.forecasts["actual"][-3:], 5 + np.arange(57, 60))


# -- calibrated intervals --------------------------------------------------------------

def test_conformal_intervals_cover_close_to_their_level_on_new_data():
    rng = np.random.RandomState(0)
    n_series, n = 100, 120
    t = np.arange(n + 4)
    values = 50 + 5 * np.sin(2 * np.pi * t / 12)[None, :] + rng.standard_normal((n_series, n + 4))
    values *= rng.uniform(1, 20, size=(n_series, 1))  # levels from 50 to 1000
    table = pd.DataFrame({"unique_id": np.repeat(np.arange(n_series), n),
                          "ds": np.tile(np.arange(n), n_series),
                          "y": values[:, :n].ravel()})
    model = PanelForecaster(linear(), horizon=4, window=24, level=(80, 95), season_length=12,
                            random_state=0).fit(table)
    assert model.n_calibration_forecasts_ >= 19
    forecast = model.predict(table)
    actual = values[:, n:].ravel()
    for level in (80, 95):
        inside = (forecast[f"lower_{level}"] <= actual) & (actual <= forecast[f"upper_{level}"])
        assert abs(inside.mean() - level / 100) < 0.1, (level, inside.mean())
    assert np.all(forecast["lower_95"] <= forecast["lower_80"])
    assert np.all(forecast["lower_80"] <= forecast["forecast"])


def test_too_few_calibration_forecasts_warn():
    table = pd.DataFrame({"y": np.sin(np.arange(60.0))})
    model = PanelForecaster(linear(), horizon=1, window=5, id_col=None, time_col=None,
                            level=(95,), calibration_windows=5)
    with pytest.warns(UserWarning, match="too few for 95% intervals"):
        model.fit(table)


def test_level_must_be_in_percent():
    with pytest.raises(ValueError, match="coverages in percent"):
        plain(window=4, level=(120,)).fit(two_series(20))


# -- the estimator contract --------------------------------------------------------------

@pytest.mark.parametrize(
    "check",
    [check_parameters_default_constructible, check_no_attributes_set_in_init,
     check_get_params_invariance, check_set_params],
)
def test_scikit_learn_checks_that_read_no_array(check):
    # PanelForecaster reads a long table and returns horizon rows per series, so
    # scikit-learn's checks that feed it arrays and compare rows do not apply.
    check("PanelForecaster", PanelForecaster())


def test_attention_forecaster_inside_is_reproducible_and_survives_joblib(tmp_path):
    table = make_store_demand(n_stores=3, n_days=80, random_state=0)
    model = PanelForecaster(
        AttentionForecaster(hidden_size=8, max_iter=3), horizon=7, window=14,
        id_col="store", time_col="date", target="sales", future_covariates="promotion",
        static_covariates="size", target_transform="log", level=(80,), random_state=0,
    )
    future = table.groupby("store").tail(7).assign(
        date=lambda d: d["date"] + pd.Timedelta(days=7))
    first = clone(model).fit(table).predict(table, future=future)
    fitted = model.fit(table)
    second = fitted.predict(table, future=future)
    pd.testing.assert_frame_equal(first, second)
    assert second["date"].min() == pd.Timestamp("2025-01-01")
    assert np.all(second["lower_80"] < second["forecast"])
    joblib.dump(fitted, tmp_path / "model.joblib")
    reloaded = joblib.load(tmp_path / "model.joblib")
    pd.testing.assert_frame_equal(reloaded.predict(table, future=future), second)


def test_a_pipeline_ending_in_the_forecaster_predicts_from_the_table():
    table = two_series(30)
    clip = FunctionTransformer(lambda t: t.assign(y=t["y"].clip(lower=0)))
    pipe = make_pipeline(clip, plain(horizon=2, window=5))
    forecast = pipe.fit(table).predict(table)
    np.testing.assert_allclose(forecast["forecast"], [29, 29, 1029, 1029])


def test_the_safe_format_stores_the_forecaster_and_its_network(tmp_path):
    import sklearn_seq

    table = make_store_demand(n_stores=3, n_days=60, random_state=1)
    model = PanelForecaster(
        AttentionForecaster(hidden_size=8, max_iter=2), horizon=7, window=14,
        id_col="store", time_col="date", target="sales", static_covariates="region",
        level=(80, 95), random_state=0,
    ).fit(table)
    sklearn_seq.save(model, tmp_path / "panel.skseq")
    loaded = sklearn_seq.load(tmp_path / "panel.skseq")
    pd.testing.assert_frame_equal(loaded.predict(table), model.predict(table))
    assert loaded.get_params()["estimator__hidden_size"] == 8
    np.testing.assert_array_equal(loaded.ids_, ["S01", "S02", "S03"])
    assert loaded.freq_ == "D" and loaded.categories_ == model.categories_


def test_the_safe_format_refuses_an_estimator_from_elsewhere(tmp_path):
    import sklearn_seq

    model = PanelForecaster(linear(), horizon=1, window=4, id_col=None, time_col=None)
    model.fit(pd.DataFrame({"y": np.sin(np.arange(30.0))}))
    with pytest.raises(TypeError, match="stores models of this package only"):
        sklearn_seq.save(model, tmp_path / "panel.skseq")


def test_backtest_scores_the_seasonal_naive_forecast_on_the_same_steps():
    series = np.tile([1.0, 5.0, 3.0], 20)  # a season of 3, repeated exactly
    table = pd.DataFrame({"y": series})
    model = plain(horizon=3, window=6, id_col=None, time_col=None,
                            season_length=3, scaling=None)
    result = backtest(model, table, n_splits=2)
    assert result.metrics.loc["all", "naive_MASE"] == 0  # the season repeats exactly
    np.testing.assert_array_equal(result.forecasts["seasonal_naive"], np.tile([1, 5, 3], 2))


def test_future_covariates_need_a_window_as_long_as_the_horizon():
    table = pd.DataFrame({"ds": np.arange(40), "y": np.arange(40.0), "promo": 0})
    with pytest.raises(ValueError, match="window=4 is shorter than horizon=7"):
        plain(horizon=7, window=4, id_col=None,
                        future_covariates="promo").fit(table)


def test_a_series_of_shampoos_length_gets_both_levels_from_errors_pooled_over_steps():
    rng = np.random.RandomState(0)
    table = pd.DataFrame({"y": 100 + np.cumsum(rng.standard_normal(30))})  # shampoo's length
    model = PanelForecaster(linear(), horizon=6, window=6, id_col=None, time_col=None,
                            level=(80, 95))
    model.fit(table)  # no warning: 10 held-back origins give 75 errors over the horizon
    # 10 forecasts of every step, then 5 whose horizon runs past the end.
    assert model.n_calibration_forecasts_ == 10 + 5
    forecast = model.predict(table)
    width = {lvl: forecast[f"upper_{lvl}"] - forecast[f"lower_{lvl}"] for lvl in (80, 95)}
    assert np.all(np.isfinite(width[95])) and np.all(width[95] > width[80])
    # Both levels are one pooled quantile times each step's typical error.
    ratio = width[95] / width[80]
    np.testing.assert_allclose(ratio, ratio.iloc[0])


def test_pooled_intervals_cover_short_ar1_series_close_to_their_level():
    rng = np.random.RandomState(0)
    inside = {80: [], 95: []}
    for _ in range(150):  # each a series of 36 steps, fitted alone, and its next 6
        noise = rng.standard_normal(42)
        values = np.zeros(42)
        for t in range(1, 42):
            values[t] = 0.8 * values[t - 1] + noise[t]
        values += 100
        table = pd.DataFrame({"y": values[:36]})
        model = PanelForecaster(linear(), horizon=6, id_col=None, time_col=None,
                                level=(80, 95)).fit(table)
        forecast = model.predict(table)
        for lvl in inside:
            inside[lvl].append((forecast[f"lower_{lvl}"] <= values[36:])
                               & (values[36:] <= forecast[f"upper_{lvl}"]))
    for lvl, hits in inside.items():
        assert abs(np.mean(hits) - lvl / 100) < 0.05, (lvl, np.mean(hits))


def test_step_scale_follows_each_step_with_many_errors_and_the_root_law_with_few():
    steps = np.array([1.0, 5.0, 2.0, 3.0])
    np.testing.assert_allclose(step_scale(np.tile(steps, (2000, 1))), steps, rtol=0.02)
    # One forecast: the law sqrt(h) fitted to its errors weighs 20 times each error.
    scale = step_scale(steps[None, :])
    law = np.sqrt([1, 2, 3, 4]) * np.sum(steps / np.sqrt([1, 2, 3, 4])) / 4
    np.testing.assert_allclose(scale, (steps + 20 * law) / 21)
    # Steps past the end of the series (NaN) are left out of their step's mean.
    partial = np.array([[1.0, 2.0], [1.0, np.nan]])
    np.testing.assert_allclose(step_scale(np.tile(partial, (1000, 1)))[1], 2.0, rtol=0.02)


def test_pooled_widths_are_the_quantiles_of_errors_growing_as_the_root_of_the_step():
    rng = np.random.RandomState(0)
    root = np.sqrt(np.arange(1, 5))
    scores = np.abs(rng.standard_normal((4000, 4))) * root
    widths = conformal_widths(scores, np.array([80.0, 95.0]))
    # Half-normal quantiles: 1.2816 (80%) and 1.9600 (95%) times sqrt(h).
    np.testing.assert_allclose(widths, np.outer([1.2816, 1.9600], root), rtol=0.04)


def test_future_covariates_calibrate_on_full_horizons_only():
    n = 40
    table = pd.DataFrame({"ds": np.arange(n), "y": np.sin(np.arange(n) / 3.0),
                          "promo": np.arange(n) % 2})
    model = plain(horizon=3, window=5, id_col=None, future_covariates="promo",
                  level=(80,), calibration_windows=8).fit(table)
    # The steps past the end have no promotions to read: no partial forecasts.
    assert model.n_calibration_forecasts_ == 8


class Zero(RegressorMixin, BaseEstimator):
    """Forecasts 0 in scaled units: what is left is the linear part alone."""

    def fit(self, X, y):
        self.width_ = np.asarray(y).shape[1]
        return self

    def predict(self, X):
        return np.zeros((len(X), self.width_))


def test_the_linear_part_forecasts_a_linear_series_and_the_estimator_its_residual():
    t = np.arange(200.0)
    series = 50 + 0.5 * t + 10 * np.sin(2 * np.pi * t / 12)  # trend and season: linear AR
    table = pd.DataFrame({"y": series[:188]})
    model = PanelForecaster(Zero(), horizon=12, window=36, id_col=None, time_col=None,
                            season_length=12).fit(table)
    np.testing.assert_allclose(model.predict(table)["forecast"], series[188:], rtol=1e-3)
    assert model.linear_coef_.shape == (12, 36) and model.linear_intercept_.shape == (12,)
    # Without it, the zero estimator forecasts each window's mean.
    flat = PanelForecaster(Zero(), horizon=12, window=36, id_col=None, time_col=None,
                           linear=False).fit(table)
    np.testing.assert_allclose(flat.predict(table)["forecast"], series[152:188].mean())


def test_auto_window_leaves_room_to_calibrate_a_short_series():
    table = pd.DataFrame({"y": 100 + np.sin(np.arange(30.0))})  # shampoo's 30 months
    model = PanelForecaster(linear(), horizon=6, id_col=None, time_col=None,
                            season_length=12, level=(80, 95))
    # 2 held-back origins (and 5 partial ones): 27 errors, enough for 80% only.
    with pytest.warns(UserWarning, match="too few for 95% intervals"):
        model.fit(table)
    assert model.window_ == 30 - 2 * 6 - 4
    assert PanelForecaster(linear(), horizon=6, id_col=None, time_col=None,
                           season_length=12).fit(table).window_ == 30 - 6 - 4


def test_a_series_is_refused_with_the_conversion_that_works():
    y = two_series(20).query("unique_id == 'a'").set_index("ds")["y"].rename("sales")
    model = plain(window=4, id_col=None)
    with pytest.raises(TypeError, match=r"got Series.*rename_axis\('ds'\)\.reset_index\(\)"):
        model.fit(y)
    table = y.rename("y").rename_axis("ds").reset_index()  # what the message says
    forecast = model.fit(table).predict(table)
    assert list(forecast.columns[:1]) == ["ds"] and len(forecast) == 1
    with pytest.raises(TypeError, match=r"pd.DataFrame\(\{'y': values\}\)"):
        model.fit(y.to_numpy())
