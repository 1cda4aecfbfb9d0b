"""Displays: data from estimators, drawing on given or new axes."""

import matplotlib
import numpy as np
import pytest

from sklearn_seq import BiRNNTextClassifier, GRUClassifier, LSTMClassifier
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
