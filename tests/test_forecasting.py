"""AttentionForecaster: checks, attention weights, quantiles, multi-step, pipelines."""

import joblib
import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline

from sklearn_seq.forecasting import AttentionForecaster
from sklearn_seq.preprocessing import SequenceScaler, SequenceWindower, make_windows

# scikit-learn's checks of the other configurations run in test_common (the registry
# in sklearn_seq.utils.estimator_checks).


def _copy_k_back(n=600, window=10, k=4, seed=0):
    """Windows of white noise whose target is the value ``k`` steps before the end."""
    x = np.random.RandomState(seed).randn(n + window).astype(np.float32)
    X = np.lib.stride_tricks.sliding_window_view(x, window)[:, :, None]
    return X, X[:, window - 1 - k, 0].copy()


@pytest.mark.parametrize("attention", ["additive", "dot"])
def test_attention_peaks_at_the_copied_step(attention):
    window, k = 10, 4
    X, y = _copy_k_back(n=1000, window=window, k=k)
    model = AttentionForecaster(
        cell="gru", attention=attention, hidden_size=16, max_iter=40,
        learning_rate_init=1e-2, batch_size=64, random_state=0,
    ).fit(X, y)
    assert model.score(X, y) > 0.95
    weights = model.attention_weights(X[:100])
    assert weights.shape == (100, window)
    np.testing.assert_allclose(weights.sum(axis=1), 1, rtol=1e-5)
    assert weights.mean(axis=0).argmax() == window - 1 - k


def test_attention_weights_are_zero_on_padding_of_ragged_windows():
    rng = np.random.RandomState(0)
    X = [rng.randn(n, 2) for n in (3, 6, 4, 6, 5)]
    y = rng.randn(5)
    model = AttentionForecaster(hidden_size=8, max_iter=3, random_state=0).fit(X, y)
    weights = model.attention_weights(X)
    assert weights.shape == (5, 6)
    np.testing.assert_allclose(weights.sum(axis=1), 1, rtol=1e-5)
    for row, seq in zip(weights, X):
        assert np.all(row[len(seq):] == 0) and np.all(row[: len(seq)] > 0)


def test_multi_step_targets_and_quantiles():
    t = np.arange(500, dtype=np.float32)
    series = np.sin(2 * np.pi * t / 12) + 0.1 * np.random.RandomState(0).randn(500)
    X, y = make_windows(series.astype(np.float32), window=12, horizon=3)
    model = AttentionForecaster(
        hidden_size=16, max_iter=40, learning_rate_init=1e-2, quantiles=(0.1, 0.5, 0.9),
        random_state=0,
    ).fit(X, y)
    assert model.predict(X).shape == (len(X), 3)
    q = model.predict_quantiles(X)
    assert q.shape == (len(X), 3, 3)
    assert np.all(np.diff(q, axis=2) >= 0)
    np.testing.assert_array_equal(model.predict(X), q[:, :, 1])
    # the 80% interval covers about 80% of the training targets
    covered = np.mean((y >= q[..., 0]) & (y <= q[..., 2]))
    assert 0.6 < covered < 0.95


def test_quantile_loss_is_the_pinball_loss():
    import torch

    from sklearn_seq.nn import QuantileLoss

    loss = QuantileLoss((0.1, 0.9), reduction="none")
    pred = torch.zeros(1, 2, dtype=torch.float64)
    # under-forecast by 1: the 0.9 quantile pays 0.9, the 0.1 quantile 0.1
    ones = torch.ones(1, 2, dtype=torch.float64)
    np.testing.assert_allclose(loss(pred, ones).numpy(), [[0.1, 0.9]])
    np.testing.assert_allclose(loss(pred, -ones).numpy(), [[0.9, 0.1]])


@pytest.mark.parametrize("quantiles", [(0.1, 0.9), (0.5, 0.1), (0.0, 0.5), ()])
def test_invalid_quantiles(quantiles):
    X, y = np.ones((10, 4)), np.arange(10.0)
    with pytest.raises(ValueError, match="quantiles must be increasing levels"):
        AttentionForecaster(quantiles=quantiles, max_iter=1).fit(X, y)


def test_quantiles_early_stopping_watches_the_quantile_loss():
    rng = np.random.RandomState(0)
    X, y = rng.randn(60, 5), rng.randn(60)
    model = AttentionForecaster(quantiles=(0.1, 0.5, 0.9), early_stopping=True, hidden_size=4,
                                max_iter=20, n_iter_no_change=2, random_state=0).fit(X, y)
    assert len(model.validation_scores_) == model.n_iter_
    assert all(s < 0 for s in model.validation_scores_)
    expected = [-v for v in model.net_.history[:, "valid_loss"]]
    np.testing.assert_allclose(model.validation_scores_, expected)


def test_early_stopping_scoring():
    # The validation loss by default; None is the forecaster's own score, the R^2 of
    # its (median) forecasts; a scorer name is evaluated on the validation windows.
    rng = np.random.RandomState(0)
    X, y = rng.randn(60, 5), rng.randn(60)
    params = dict(early_stopping=True, hidden_size=4, max_iter=3, random_state=0)
    model = AttentionForecaster(**params).fit(X, y)
    np.testing.assert_allclose(model.validation_scores_,
                               [-v for v in model.net_.history[:, "valid_loss"]])
    for quantiles in (None, (0.1, 0.5, 0.9)):
        r2 = AttentionForecaster(scoring=None, quantiles=quantiles, **params).fit(X, y)
        assert all(-5 < s < 1 for s in r2.validation_scores_)
    mae = AttentionForecaster(scoring="neg_mean_absolute_error", **params).fit(X, y)
    assert all(-2 < s < 0 for s in mae.validation_scores_)


def test_predict_quantiles_needs_quantiles():
    X, y = np.random.RandomState(0).randn(10, 4), np.arange(10.0)
    model = AttentionForecaster(hidden_size=4, max_iter=1).fit(X, y)
    with pytest.raises(ValueError, match="predict_quantiles needs quantiles"):
        model.predict_quantiles(X)


def _trending_series(n, seed=0):
    t = np.arange(n)
    rng = np.random.RandomState(seed)
    return (50 + 0.2 * t + 5 * np.sin(2 * np.pi * t / 12) + rng.randn(n)).astype(np.float32)


def test_window_scaling_forecasts_a_trend_beyond_the_training_range():
    series = _trending_series(500)
    X, y = make_windows(series[:400], window=24, horizon=3)
    X_test, y_test = make_windows(series[400:], window=24, horizon=3)
    errors = {}
    for scaling in ("global", "window"):
        model = AttentionForecaster(scaling=scaling, hidden_size=8, max_iter=15,
                                    learning_rate_init=1e-2, random_state=0).fit(X, y)
        errors[scaling] = np.abs(model.predict(X_test) - y_test).mean()
    # the test level (130-150) lies above every training window (50-130)
    assert errors["window"] < 0.5 * errors["global"]


@pytest.mark.parametrize("quantiles", [None, (0.1, 0.5, 0.9)])
def test_window_scaling_follows_shifts_and_scales_of_each_window(quantiles):
    series = _trending_series(300).astype(np.float64)
    X, y = make_windows(series, window=16, horizon=2)
    model = AttentionForecaster(scaling="window", quantiles=quantiles, hidden_size=8,
                                max_iter=3, dtype="float64", random_state=0).fit(X, y)
    windows = X[::20]
    predict = model.predict if quantiles is None else model.predict_quantiles
    base = predict(windows)
    for scale, shift in [(1.0, 1e3), (3.0, 0.0), (0.5, -20.0)]:
        np.testing.assert_allclose(predict(scale * windows + shift), scale * base + shift,
                                   rtol=1e-9, atol=1e-9 * (1 + abs(shift)))


def test_window_scaling_reads_ragged_windows_exactly():
    rng = np.random.RandomState(0)
    X = [rng.randn(n, 2).cumsum(axis=0) for n in (3, 8, 5, 8, 6, 1)]
    y = rng.randn(6, 2)
    model = AttentionForecaster(scaling="window", hidden_size=8, max_iter=3,
                                random_state=0).fit(X, y)
    together = model.predict(X)
    alone = np.vstack([model.predict([x]) for x in X])
    np.testing.assert_allclose(together, alone, rtol=1e-5, atol=1e-6)
    # a one-step window has no spread: centred only, its forecast stays finite
    assert np.isfinite(together).all()


def test_window_scaled_loss_is_in_units_of_each_window():
    import torch

    from sklearn_seq.nn import WindowForecast

    # Two windows of the same shape, the second ten times larger: the same relative
    # error costs the same in the training loss.
    x = np.array([[0.0, 1.0, 0.0, 1.0], [0.0, 10.0, 0.0, 10.0]])[:, :, None]
    model = AttentionForecaster(scaling="window", hidden_size=4, max_iter=1, alpha=0.0,
                                random_state=0).fit(np.vstack([x, x + 3.0]), np.ones((4, 2)))
    net = model.net_
    xt = torch.from_numpy(x.astype(np.float32))
    np.testing.assert_allclose(net.module_.output_scale(xt).numpy(), [[0.5], [5.0]], rtol=1e-5)
    y_pred = torch.tensor([[1.0, 2.0], [10.0, 20.0]])
    y_true = torch.tensor([[2.0, 2.0], [20.0, 20.0]])
    # Forecasts y_pred of these windows, as the network hands them to its loss.
    _, _, location, scale = net.module_(xt)
    loss = net.get_loss(WindowForecast(y_pred, (y_pred - location) / scale, location, scale),
                        y_true)
    # errors of 1/0.5 and 10/5 on one of two outputs: mean squared error 2
    np.testing.assert_allclose(loss.item(), 2.0, rtol=1e-5)
    plain = AttentionForecaster(hidden_size=4, max_iter=1, random_state=0).fit(
        np.vstack([x, x + 3.0]), np.ones((4, 2)))
    assert plain.net_.module_.output_scale(xt) is None


def test_window_scaling_survives_the_safe_format_and_keeps_training(tmp_path):
    from sklearn_seq import load

    X, y = make_windows(_trending_series(100), window=8, horizon=2)
    model = AttentionForecaster(scaling="window", quantiles=(0.1, 0.5, 0.9), hidden_size=4,
                                max_iter=2, random_state=0).fit(X, y)
    path = tmp_path / "m.skseq"
    model.save(path)
    loaded = load(path)
    np.testing.assert_array_equal(loaded.predict_quantiles(X), model.predict_quantiles(X))
    loaded.partial_fit(X, y)
    assert np.isfinite(loaded.loss_curve_).all()


def test_without_attention_the_head_reads_the_last_state_alone(tmp_path):
    from sklearn_seq import load

    X, y = make_windows(_trending_series(300), window=16, horizon=2)
    model = AttentionForecaster(attention=None, scaling="window", hidden_size=8, max_iter=20,
                                learning_rate_init=1e-2, random_state=0).fit(X, y)
    assert model.score(X, y) > 0.9
    module = model.net_.module_
    assert module.attend is None
    assert module.head[0].in_features == module.encoder.output_size
    assert not any(name.startswith("attend") for name, _ in module.named_parameters())
    assert not hasattr(model, "attention_weights")
    with pytest.raises(AttributeError, match="has no attribute 'attention_weights'") as err:
        model.attention_weights(X[:2])
    assert "attention=None; set attention='dot'" in str(err.value.__cause__)
    with pytest.raises(RuntimeError, match="no attention"):
        module.attention(torch.zeros(2, 16, 1))
    path = tmp_path / "m.skseq"
    model.save(path)
    loaded = load(path)
    assert loaded.net_.module_.attend is None
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_scaling_and_quantiles_cannot_change_between_warm_started_fits():
    X, y = make_windows(_trending_series(100), window=8)
    model = AttentionForecaster(hidden_size=4, max_iter=1, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="scaling cannot change"):
        model.set_params(scaling="window").fit(X, y)
    # The levels, not only their number: the network was trained for these.
    model = AttentionForecaster(hidden_size=4, max_iter=1, warm_start=True,
                                quantiles=(0.1, 0.5, 0.9)).fit(X, y)
    for quantiles in [(0.3, 0.5, 0.7), None, (0.5,)]:
        with pytest.raises(ValueError, match="quantiles cannot change"):
            model.set_params(quantiles=quantiles).partial_fit(X, y)
    model.set_params(quantiles=[0.1, 0.5, 0.9]).partial_fit(X, y)  # the same levels
    assert model.n_iter_ == 2


def test_pipeline_grid_search_over_time_series_splits_and_joblib_round_trip(tmp_path):
    rng = np.random.RandomState(0)
    n = 240
    t = np.arange(n)
    promo = (rng.uniform(size=n) < 0.2).astype(np.float64)
    demand = 10 + np.sin(2 * np.pi * t / 7) + 2 * promo + 0.1 * rng.randn(n)
    # row t: yesterday's demand and today's (planned) promotion; target: today's demand
    table = np.column_stack([np.r_[demand[0], demand[:-1]], promo])
    pipe = make_pipeline(
        SequenceWindower(),
        SequenceScaler(),
        AttentionForecaster(max_iter=15, learning_rate_init=1e-2, random_state=0),
    )
    search = GridSearchCV(
        pipe,
        {"sequencewindower__window": [3, 8], "attentionforecaster__hidden_size": [4, 8]},
        cv=TimeSeriesSplit(3),
    ).fit(table, demand)
    assert set(search.best_params_) == {
        "sequencewindower__window", "attentionforecaster__hidden_size"
    }
    assert search.best_score_ > 0.5
    path = tmp_path / "pipe.joblib"
    joblib.dump(search.best_estimator_, path)
    loaded = joblib.load(path)
    np.testing.assert_array_equal(loaded.predict(table), search.best_estimator_.predict(table))


def test_demand_forecasting_example_runs_tiny(tmp_path):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "examples" / "demand_forecasting.py"
    spec = importlib.util.spec_from_file_location("demand_forecasting", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    results = module.main(size="tiny", output_dir=tmp_path)
    assert {"AttentionForecaster", "seasonal naive"} <= set(results.index)
    assert list(results.columns) == ["MAE", "RMSE", "MAPE %"]
    assert (tmp_path / "demand_forecast.png").exists()
    assert (tmp_path / "demand_attention.png").exists()


def test_window_scale_of_dense_windows_equals_the_masked_form():
    # Dense windows take one var_mean; it must equal the masked computation with
    # full lengths, constant windows (scale input_scale[0]) included.
    from sklearn_seq.nn import ForecastNetwork

    net = ForecastNetwork(2, 3, hidden_size=4, input_mean=[10.0, 0.0], input_scale=[4.0, 1.0],
                          scaling="window", dtype=torch.float64)
    x = torch.randn(6, 9, 2, dtype=torch.float64) * 5 + 10
    x[2, :, 0] = 7.0  # a constant window: scale input_scale[0]
    full = torch.full((6,), 9)
    torch.testing.assert_close(net.output_scale(x), net.output_scale(x, full), rtol=1e-12, atol=0)
    assert net.output_scale(x)[2].item() == 4.0
