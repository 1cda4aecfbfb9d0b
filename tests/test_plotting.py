"""Displays: data from estimators, drawing on given or new axes."""

import matplotlib
import numpy as np
import pandas as pd
import pytest

from sklearn_seq import AttentionForecaster, BiRNNTextClassifier, GRUClassifier, LSTMClassifier
from sklearn_seq.plotting import AttentionDisplay, ForecastDisplay, TrainingCurveDisplay

matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")


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
    plt.close("all")


def test_attention_display_per_sequence_lengths(ragged):
    X, y = ragged
    est = GRUClassifier(hidden_size=4, max_iter=2, pooling="attention", random_state=0).fit(X, y)
    disp = AttentionDisplay.from_estimator(est, X[:3])
    assert [len(w) for w in disp.weights] == [len(x) for x in X[:3]]
    np.testing.assert_allclose([w.sum() for w in disp.weights], 1.0, rtol=1e-5)
    disp.plot()
    assert disp.image_.get_array().shape == (3, max(len(x) for x in X[:3]))
    plt.close("all")


def test_attention_display_for_text_shows_tokens():
    docs = ["good service", "bad slow service", "very good"] * 4
    est = BiRNNTextClassifier(hidden_size=4, embedding_dim=4, max_iter=2, pooling="attention",
                              random_state=0).fit(docs, [1, 0, 1] * 4)
    disp = AttentionDisplay.from_estimator(est, ["bad slow service"], ax=plt.gca())
    assert disp.labels == [["bad", "slow", "service"]]
    plt.close("all")


def test_forecast_display_draws_interval():
    disp = ForecastDisplay.from_predictions([1, 2, 3], [1, 2, 2.5], y_lower=[0, 1, 2],
                                            y_upper=[2, 3, 4], history=[0, 0.5])
    disp.plot()
    labels = [t.get_text() for t in disp.ax_.get_legend().get_texts()]
    assert labels == ["history", "actual", "forecast", "interval"]
    plt.close("all")


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
    disp.plot()
    assert [line.get_label() for line in disp.ax_.lines] == ["history", "actual", "forecast"]
    return disp.ax_.lines[0]


def test_forecast_display_history_without_index_sits_before_positions():
    line = _history_line(ForecastDisplay.from_predictions([1, 2, 3], [1, 2, 3], history=[0, 1]))
    np.testing.assert_array_equal(line.get_xdata(), [-2, -1])
    np.testing.assert_array_equal(line.get_ydata(), [0, 1])
    plt.close("all")


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
    plt.close("all")


@pytest.mark.parametrize("index, expected", [
    (pd.RangeIndex(10, 16, 2), [6, 8]),
    (np.array([0.5, 1.0, 1.5]), [-0.5, 0.0]),
    ([20, 30, 40], [0, 10]),
])
def test_forecast_display_history_extends_evenly_spaced_index(index, expected):
    disp = ForecastDisplay.from_predictions([1, 2, 3], [1, 2, 3], index=index, history=[0, 1])
    np.testing.assert_allclose(_history_line(disp).get_xdata(), expected)
    plt.close("all")


def test_forecast_display_history_series_uses_its_own_index():
    history = pd.Series([0.0, 1.0], index=pd.to_datetime(["2023-11-15", "2023-12-20"]))
    index = pd.to_datetime(["2024-01-01", "2024-01-09", "2024-03-01"])  # uneven
    disp = ForecastDisplay.from_predictions([1, 2, 3], [1, 2, 3], index=index, history=history)
    line = _history_line(disp)
    np.testing.assert_array_equal(line.get_xdata(), history.index.to_numpy())
    np.testing.assert_array_equal(line.get_ydata(), [0, 1])
    plt.close("all")


def test_forecast_display_history_series_with_default_index_follows_index():
    index = pd.date_range("2024-03-01", periods=3, freq="D")
    disp = ForecastDisplay.from_predictions([1, 2, 3], [1, 2, 3], index=index,
                                            history=pd.Series([0.0, 1.0]))
    np.testing.assert_array_equal(_history_line(disp).get_xdata(),
                                  np.array(["2024-02-28", "2024-02-29"], dtype="datetime64[us]"))
    plt.close("all")


@pytest.mark.parametrize("index", [
    pd.to_datetime(["2024-01-01", "2024-01-09", "2024-03-01"]),  # uneven dates, no freq
    [1, 2, 4],  # uneven numbers
    ["mon", "tue", "wed"],  # labels
])
def test_forecast_display_history_without_placeable_index_raises(index):
    disp = ForecastDisplay.from_predictions([1, 2, 3], [1, 2, 3], index=index, history=[0, 1])
    with pytest.raises(ValueError, match="Pass history as a pandas Series indexed by its own"):
        disp.plot()
    plt.close("all")
