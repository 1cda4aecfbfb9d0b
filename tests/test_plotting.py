"""Displays: data from estimators, drawing on given or new axes."""

import matplotlib
import numpy as np
import pandas as pd
import pytest

from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklearn_seq import (
    AttentionForecaster,
    BiRNNTextClassifier,
    GRUClassifier,
    LSTMClassifier,
    SequenceScaler,
    make_windows,
)
from sklearn_seq.plotting import (
    AttentionDisplay,
    AttributionDisplay,
    ForecastDisplay,
    TrainingCurveDisplay,
)
from sklearn_seq.plotting import _base

matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")


@pytest.fixture(autouse=True)
def close_figures():
    # from_estimator and from_predictions draw (a new figure each): close them all.
    yield
    plt.close("all")


@pytest.fixture
def ragged():
    rng = np.random.RandomState(0)
    X = [rng.randn(n, 2) for n in rng.randint(3, 12, size=30)]
    return X, np.arange(30) % 2


def test_training_curve_with_validation_scores(ragged):
    X, y = ragged
    est = LSTMClassifier(hidden_size=4, max_iter=4, early_stopping=True, validation_fraction=0.3,
                         n_iter_no_change=10, random_state=0).fit(X, y)
    _, ax = plt.subplots()
    disp = TrainingCurveDisplay.from_estimator(est, ax=ax)
    assert disp.ax_ is ax and disp.ax_score_ is not None
    np.testing.assert_allclose(ax.lines[0].get_ydata(), est.loss_curve_)
    np.testing.assert_allclose(disp.ax_score_.lines[0].get_ydata(), est.validation_scores_)


def test_attention_display_per_sequence_lengths(ragged):
    X, y = ragged
    est = GRUClassifier(hidden_size=4, max_iter=2, pooling="attention", random_state=0).fit(X, y)
    disp = AttentionDisplay.from_estimator(est, X[:3])
    assert [len(w) for w in disp.weights] == [len(x) for x in X[:3]]
    np.testing.assert_allclose([w.sum() for w in disp.weights], 1.0, rtol=1e-5)
    assert disp.image_.get_array().shape == (3, max(len(x) for x in X[:3]))


def test_attention_display_for_text_shows_tokens():
    docs = ["good service", "bad slow service", "very good"] * 4
    est = BiRNNTextClassifier(hidden_size=4, embedding_dim=4, max_iter=2, pooling="attention",
                              random_state=0).fit(docs, [1, 0, 1] * 4)
    disp = AttentionDisplay.from_estimator(est, ["bad slow service"], ax=plt.gca())
    assert disp.labels == [["bad", "slow", "service"]]


def _tick_texts(ax):
    return [t.get_text() for t in ax.get_xticklabels()]


@pytest.fixture(scope="module")
def text_model():
    docs = ["good service", "bad slow service", "very good", "猫 好"] * 3
    return BiRNNTextClassifier(hidden_size=4, embedding_dim=4, max_iter=2, pooling="attention",
                               random_state=0).fit(docs, [1, 0, 1, 1] * 3)


def test_attention_display_puts_each_documents_tokens_on_its_own_axis(text_model):
    docs = ["bad slow service", "very good"]
    disp = AttentionDisplay.from_estimator(text_model, docs)
    assert [_tick_texts(ax) for ax in disp.axes_] == [["bad", "slow", "service"],
                                                       ["very", "good"]]
    assert not any(ax.texts for ax in disp.axes_)  # no words printed over the heat map


def test_cjk_tokens_use_an_installed_cjk_font(text_model, monkeypatch):
    monkeypatch.setattr(_base, "_cjk_font", lambda: "Some CJK Font")
    disp = AttentionDisplay.from_estimator(text_model, ["猫 好", "good"])
    assert "Some CJK Font" in disp.axes_[0].get_xticklabels()[0].get_fontfamily()
    assert "Some CJK Font" not in disp.axes_[1].get_xticklabels()[0].get_fontfamily()


def test_cjk_tokens_without_a_font_warn_once_how_to_get_one(text_model, monkeypatch):
    monkeypatch.setattr(_base, "_cjk_font", lambda: None)
    monkeypatch.setattr(_base, "_warned_cjk", [])
    with pytest.warns(UserWarning, match="apt-get install fonts-noto-cjk"):
        AttentionDisplay.from_estimator(text_model, ["猫 好"])
    AttributionDisplay.from_attributions([np.ones(2)], tokens=[["猫", "好"]])  # no warning


def test_attribution_display_for_text_shows_tokens_on_a_zero_centred_scale(text_model):
    disp = AttributionDisplay.from_estimator(text_model, ["bad slow service", "very good"],
                                             n_steps=8)
    assert [_tick_texts(ax) for ax in disp.axes_] == [["bad", "slow", "service"],
                                                       ["very", "good"]]
    low, high = disp.axes_[0].images[0].get_clim()
    assert low == -high
    assert disp.axes_[0].get_yticklabels()[0].get_text() == "0 (0)"


def test_attribution_display_draws_lines_or_heat_maps_by_features():
    disp = AttributionDisplay.from_attributions(np.array([[0.0, 1.0, -1.0], [2.0, 0.0, 0.0]]))
    assert len(disp.axes_) == 1
    np.testing.assert_array_equal(disp.ax_.get_lines()[1].get_ydata(), [2.0, 0.0, 0.0])
    three = [np.arange(8.0).reshape(4, 2), -np.ones((3, 2))]
    disp = AttributionDisplay.from_attributions(three, feature_names=["speed", "load"])
    assert len(disp.axes_) == 2
    assert [t.get_text() for t in disp.ax_.get_yticklabels()] == ["speed", "load"]
    # Features by steps, one colour scale for both sequences.
    np.testing.assert_array_equal(disp.axes_[1].images[0].get_array(), -np.ones((2, 3)))
    assert disp.axes_[1].images[0].get_clim() == (-7.0, 7.0)


def test_attribution_display_splits_a_given_axes_into_rows(ragged):
    X, y = ragged
    est = GRUClassifier(hidden_size=4, max_iter=2, random_state=0).fit(X, y)
    fig, (left, right) = plt.subplots(1, 2)
    disp = AttributionDisplay.from_estimator(est, X[:3], ax=right, method="occlusion")
    assert len(disp.axes_) == 3 and disp.figure_ is fig and left in fig.axes
    assert [im.get_array().shape for ax in disp.axes_ for im in ax.images] == [
        (2, len(x)) for x in X[:3]]


def test_forecast_display_draws_interval():
    disp = ForecastDisplay.from_predictions([1, 2, 3], [1, 2, 2.5], y_lower=[0, 1, 2],
                                            y_upper=[2, 3, 4], history=[0, 0.5])
    labels = [t.get_text() for t in disp.ax_.get_legend().get_texts()]
    assert labels == ["history", "actual", "forecast", "interval"]


@pytest.fixture
def forecaster():
    rng = np.random.RandomState(0)
    X = [rng.randn(n, 1) for n in rng.randint(4, 10, size=20)]
    return AttentionForecaster(hidden_size=4, max_iter=2, random_state=0).fit(X, rng.randn(20))


def test_attention_display_ragged_layouts_give_same_lengths(forecaster):
    rng = np.random.RandomState(1)
    windows = [rng.randn(5), rng.randn(8)]
    obj = np.empty(2, dtype=object)
    obj[:] = windows
    shown = [AttentionDisplay.from_estimator(forecaster, X).weights
             for X in (windows, tuple(windows), pd.Series(windows), obj)]
    for weights in shown:
        assert [len(w) for w in weights] == [5, 8]
        np.testing.assert_allclose([w.sum() for w in weights], 1.0, rtol=1e-5)
        for w, ref in zip(weights, shown[0]):
            np.testing.assert_allclose(w, ref)


def test_attention_display_dense_layouts_keep_all_steps(forecaster):
    X = np.random.RandomState(2).randn(3, 6)
    for layout in (X, X[:, :, None], pd.Series(list(X))):
        weights = AttentionDisplay.from_estimator(forecaster, layout).weights
        assert [len(w) for w in weights] == [6, 6, 6]
        np.testing.assert_allclose(weights, forecaster.attention_weights(X), rtol=1e-6)


def _history_line(disp):
    assert [line.get_label() for line in disp.ax_.lines] == ["history", "actual", "forecast"]
    return disp.ax_.lines[0]


def test_forecast_display_history_without_index_sits_before_positions():
    line = _history_line(ForecastDisplay.from_predictions([1, 2, 3], [1, 2, 3], history=[0, 1]))
    np.testing.assert_array_equal(line.get_xdata(), [-2, -1])
    np.testing.assert_array_equal(line.get_ydata(), [0, 1])


@pytest.mark.parametrize("index, expected", [
    (pd.date_range("2024-03-01", periods=3, freq="D"), ["2024-02-28", "2024-02-29"]),
    (pd.date_range("2024-03-01", periods=3, freq="MS"), ["2024-01-01", "2024-02-01"]),
    (pd.period_range("2024-03", periods=3, freq="M"), ["2024-01-01", "2024-02-01"]),
    # no freq, but evenly spaced dates
    (pd.DatetimeIndex(["2024-03-01", "2024-03-03", "2024-03-05"]), ["2024-02-26", "2024-02-28"]),
])
def test_forecast_display_history_extends_date_index_backwards(index, expected):
    disp = ForecastDisplay.from_predictions([1, 2, 3], [1, 2, 3], index=index, history=[0, 1])
    line = _history_line(disp)
    np.testing.assert_array_equal(line.get_xdata(), np.array(expected, dtype="datetime64[us]"))


@pytest.mark.parametrize("index, expected", [
    (pd.RangeIndex(10, 16, 2), [6, 8]),
    (np.array([0.5, 1.0, 1.5]), [-0.5, 0.0]),
    ([20, 30, 40], [0, 10]),
])
def test_forecast_display_history_extends_evenly_spaced_index(index, expected):
    disp = ForecastDisplay.from_predictions([1, 2, 3], [1, 2, 3], index=index, history=[0, 1])
    np.testing.assert_allclose(_history_line(disp).get_xdata(), expected)


def test_forecast_display_history_series_uses_its_own_index():
    history = pd.Series([0.0, 1.0], index=pd.to_datetime(["2023-11-15", "2023-12-20"]))
    index = pd.to_datetime(["2024-01-01", "2024-01-09", "2024-03-01"])  # uneven
    disp = ForecastDisplay.from_predictions([1, 2, 3], [1, 2, 3], index=index, history=history)
    line = _history_line(disp)
    np.testing.assert_array_equal(line.get_xdata(), history.index.to_numpy())
    np.testing.assert_array_equal(line.get_ydata(), [0, 1])


def test_forecast_display_history_series_with_default_index_follows_index():
    index = pd.date_range("2024-03-01", periods=3, freq="D")
    disp = ForecastDisplay.from_predictions([1, 2, 3], [1, 2, 3], index=index,
                                            history=pd.Series([0.0, 1.0]))
    np.testing.assert_array_equal(_history_line(disp).get_xdata(),
                                  np.array(["2024-02-28", "2024-02-29"], dtype="datetime64[us]"))


@pytest.mark.parametrize("index", [
    pd.to_datetime(["2024-01-01", "2024-01-09", "2024-03-01"]),  # uneven dates, no freq
    [1, 2, 4],  # uneven numbers
    ["mon", "tue", "wed"],  # labels
])
def test_forecast_display_history_without_placeable_index_raises(index):
    with pytest.raises(ValueError, match="Pass history as a pandas Series indexed by its own"):
        ForecastDisplay.from_predictions([1, 2, 3], [1, 2, 3], index=index, history=[0, 1])


# -- from_estimator / from_predictions draw, as scikit-learn's Displays ----------------


def test_training_curve_from_estimator_draws_without_plot_arguments(ragged):
    X, y = ragged
    est = LSTMClassifier(hidden_size=4, max_iter=3, random_state=0).fit(X, y)
    disp = TrainingCurveDisplay.from_estimator(est)
    assert disp.figure_ is disp.ax_.figure
    np.testing.assert_allclose(disp.ax_.lines[0].get_ydata(), est.loss_curve_)


def test_attention_display_from_estimator_draws_without_plot_arguments(ragged):
    X, y = ragged
    est = GRUClassifier(hidden_size=4, max_iter=2, pooling="attention", random_state=0).fit(X, y)
    disp = AttentionDisplay.from_estimator(est, X[:3])
    assert disp.figure_ is disp.ax_.figure and disp.image_ in disp.ax_.images
    grid = disp.image_.get_array()
    assert grid.shape == (3, max(len(x) for x in X[:3]))
    np.testing.assert_allclose(grid[0, : len(X[0])], disp.weights[0])


def test_forecast_display_from_predictions_draws_without_plot_arguments():
    disp = ForecastDisplay.from_predictions([1, 2, 3], [1.5, 2, 2.5])
    assert disp.figure_ is disp.ax_.figure
    assert [line.get_label() for line in disp.ax_.lines] == ["actual", "forecast"]
    np.testing.assert_allclose(disp.ax_.lines[1].get_ydata(), [1.5, 2, 2.5])


def test_from_estimator_draws_on_given_axes(ragged):
    X, y = ragged
    est = LSTMClassifier(hidden_size=4, max_iter=2, random_state=0).fit(X, y)
    _, ax = plt.subplots()
    disp = TrainingCurveDisplay.from_estimator(est, ax=ax)
    assert disp.ax_ is ax and len(ax.lines) == 1


def test_displays_say_how_to_install_matplotlib(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"ForecastDisplay.* needs matplotlib: pip install"):
        ForecastDisplay.from_predictions([1, 2], [1, 2])


# -- Pipelines: the final estimator, on X transformed by the steps before it ----------


def _interval_bounds(collection):
    """(x, lowest y, highest y) of each x of a fill_between polygon."""
    verts = collection.get_paths()[0].vertices
    xs = np.unique(verts[:, 0])
    return xs, [verts[verts[:, 0] == x, 1].min() for x in xs], [
        verts[verts[:, 0] == x, 1].max() for x in xs]


@pytest.fixture
def windows():
    t = np.arange(80, dtype=float)
    return make_windows(10 + 5 * np.sin(2 * np.pi * t / 7), window=7, horizon=1)


@pytest.mark.parametrize("first_step", [SequenceScaler(), FunctionTransformer(lambda X: X * 2.0)])
def test_forecast_display_pipeline_draws_interval(windows, first_step):
    X, y = windows
    pipe = make_pipeline(first_step, AttentionForecaster(
        hidden_size=4, max_iter=3, quantiles=(0.1, 0.5, 0.9), random_state=0)).fit(X, y)
    disp = ForecastDisplay.from_estimator(pipe, X[-5:], y[-5:])
    q = pipe[-1].predict_quantiles(pipe[:-1].transform(X[-5:]))
    fills = disp.ax_.collections
    assert len(fills) == 1
    xs, low, high = _interval_bounds(fills[0])
    np.testing.assert_array_equal(xs, np.arange(5))
    np.testing.assert_allclose(low, q[:, 0], rtol=1e-6)
    np.testing.assert_allclose(high, q[:, 2], rtol=1e-6)
    np.testing.assert_allclose(disp.ax_.lines[1].get_ydata(), pipe.predict(X[-5:]))


def test_attention_display_pipeline_transforms_X_through_the_steps(ragged):
    X, y = ragged
    pipe = make_pipeline(FunctionTransformer(lambda X: [x[::-1] * 3.0 for x in X]), GRUClassifier(
        hidden_size=4, max_iter=2, pooling="attention", random_state=0)).fit(X, y)
    disp = AttentionDisplay.from_estimator(pipe, X[:3])
    expected = pipe[-1].attention_weights(pipe[:-1].transform(X[:3]))
    for w, ref, x in zip(disp.weights, expected, X[:3]):
        np.testing.assert_allclose(w, ref[: len(x)], rtol=1e-6)
    assert disp.image_.get_array().shape == (3, max(len(x) for x in X[:3]))


def test_training_curve_display_pipeline_reads_final_estimator(ragged):
    X, y = ragged
    pipe = make_pipeline(SequenceScaler(), LSTMClassifier(hidden_size=4, max_iter=3,
                                                          random_state=0)).fit(X, y)
    disp = TrainingCurveDisplay.from_estimator(pipe)
    np.testing.assert_allclose(disp.ax_.lines[0].get_ydata(), pipe[-1].loss_curve_)
    assert disp.ax_.get_title() == "LSTMClassifier"


# -- multi-step forecasts: one forecast origin at a time ------------------------------


@pytest.fixture
def weekly():
    """Three overlapping 7-day forecasts (the issue's reproducer) and their model."""
    t = np.arange(40, dtype=float)
    X, y = make_windows(10 + 5 * np.sin(2 * np.pi * t / 7), window=14, horizon=7, stride=3)
    model = AttentionForecaster(hidden_size=4, max_iter=3, quantiles=(0.1, 0.5, 0.9),
                                random_state=0).fit(X, y)
    return model, X[-3:], y[-3:]


def test_forecast_display_multistep_without_origin_raises(weekly):
    model, X, y = weekly
    with pytest.raises(ValueError, match=r"3 forecasts of 7 steps.*pass origin=-1"):
        ForecastDisplay.from_estimator(model, X, y)


@pytest.mark.parametrize("origin", [1, -1])
def test_forecast_display_multistep_origin_draws_that_forecast(weekly, origin):
    model, X, y = weekly
    disp = ForecastDisplay.from_estimator(model, X, y, origin=origin)
    actual, forecast = disp.ax_.lines
    np.testing.assert_array_equal(actual.get_xdata(), np.arange(7))
    np.testing.assert_allclose(actual.get_ydata(), y[origin])
    np.testing.assert_allclose(forecast.get_ydata(), model.predict(X)[origin])
    q = model.predict_quantiles(X)[origin]
    xs, low, high = _interval_bounds(disp.ax_.collections[0])
    np.testing.assert_array_equal(xs, np.arange(7))
    np.testing.assert_allclose(low, q[:, 0], rtol=1e-6)
    np.testing.assert_allclose(high, q[:, 2], rtol=1e-6)


def test_forecast_display_multistep_origin_with_dates_and_history(weekly):
    model, X, y = weekly
    index = pd.date_range("2024-05-06", periods=7, freq="D")
    disp = ForecastDisplay.from_estimator(model, X, y, origin=0, index=index,
                                          history=X[0, -3:, 0])
    history, actual, _ = disp.ax_.lines
    np.testing.assert_array_equal(actual.get_xdata(), index.to_numpy())
    np.testing.assert_array_equal(
        history.get_xdata(), np.array(["2024-05-03", "2024-05-04", "2024-05-05"],
                                      dtype="datetime64[ns]"))


def test_forecast_display_origin_out_of_range_or_one_step_raises(weekly, windows):
    model, X, y = weekly
    with pytest.raises(ValueError, match=r"origin=3 .* 3 forecasts.*-3 to 2"):
        ForecastDisplay.from_estimator(model, X, y, origin=3)
    one_step = AttentionForecaster(hidden_size=4, max_iter=2, random_state=0).fit(*windows)
    with pytest.raises(ValueError, match=r"origin.*one step ahead.*leave origin=None"):
        ForecastDisplay.from_estimator(one_step, windows[0][:3], windows[1][:3], origin=0)


def test_forecast_display_from_predictions_refuses_2d(weekly):
    _, _, y = weekly
    with pytest.raises(ValueError, match=r"y_true has shape \(3, 7\).*y_true\[-1\]"):
        ForecastDisplay.from_predictions(y, y)


@pytest.fixture(scope="module")
def panel():
    from sklearn.linear_model import LinearRegression

    from sklearn_seq.datasets import make_store_demand
    from sklearn_seq.forecasting import PanelForecaster

    flat = FunctionTransformer(lambda X: np.asarray(X).reshape(len(X), -1))
    table = make_store_demand(n_stores=3, n_days=300, random_state=0)
    history = table[table["date"] < "2024-12-04"]
    model = PanelForecaster(
        make_pipeline(flat, LinearRegression()), horizon=28, window=28, id_col="store",
        time_col="date", target="sales", level=(80, 95),
    ).fit(history)
    return model, history, table


def test_forecast_display_draws_one_series_of_a_panel_at_its_dates(panel):
    model, history, table = panel
    disp = ForecastDisplay.from_estimator(model, history, table, series="S02", level=95,
                                          n_history=56)
    history_line, actual, forecast = disp.ax_.lines
    assert [line.get_label() for line in disp.ax_.lines] == ["history", "actual", "forecast"]
    assert disp.ax_.get_title() == "store S02"
    s02 = table[table["store"] == "S02"].set_index("date")["sales"]
    np.testing.assert_allclose(actual.get_ydata(), s02.loc["2024-12-04":].to_numpy())
    np.testing.assert_allclose(history_line.get_ydata(), s02.loc[:"2024-12-03"].iloc[-56:])
    expected = model.predict(history)
    expected = expected[expected["store"] == "S02"]
    np.testing.assert_allclose(forecast.get_ydata(), expected["forecast"])
    assert pd.Timestamp(forecast.get_xdata()[0]) == pd.Timestamp("2024-12-04")
    # The 95% band, between the forecast's own bounds.
    band = disp.ax_.collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() == pytest.approx(expected["lower_95"].min())
    assert band.max() == pytest.approx(expected["upper_95"].max())
    # Dates: a few short tick labels that do not overlap.
    disp.figure_.canvas.draw()
    labels = [t.get_text() for t in disp.ax_.get_xticklabels() if t.get_text()]
    assert 2 <= len(labels) <= 8 and max(map(len, labels)) <= 8


def test_forecast_display_of_a_panel_from_a_pipeline_and_its_errors(panel):
    model, history, _ = panel
    pipe = make_pipeline(FunctionTransformer(lambda t: t), model)
    disp = ForecastDisplay.from_estimator(pipe, history)  # the first series
    assert disp.ax_.get_title() == "store S01"
    assert [line.get_label() for line in disp.ax_.lines] == ["history", "forecast"]
    with pytest.raises(ValueError, match="series='S99' is not an id of X"):
        ForecastDisplay.from_estimator(model, history, series="S99")
    with pytest.raises(ValueError, match="level=90 is not one of the model's levels"):
        ForecastDisplay.from_estimator(model, history, level=90)
