"""Stock-like price forecasting with a GRU, against the naive last-value forecast
==============================================================================

A GRU reads the last 30 daily log returns and predicts the next day's return; the
price forecast is today's price times exp(predicted return). Scored with MSE and MAE
on the last 250 days against the naive forecast (tomorrow = today).

What such a forecast can and cannot do: daily prices are close to a random walk.
The generated series has a small, real momentum (return autocorrelation 0.05), the
most a model could exploit; on real prices even that is rarely stable. Expect the
GRU to be about as good as the naive forecast, a little better at best: a model
that "beats" naive by a wide margin on prices has almost always peeked at the
future (scaling fitted on the test period, overlapping targets, shuffled splits).
Here the scaler sits inside the pipeline and the split is in time order::

    python examples/price_forecasting.py
"""

import sys
from pathlib import Path

import joblib
import numpy as np
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline

from sklearn_seq import ForecastDisplay, GRURegressor, SequenceScaler, make_windows
from sklearn_seq.datasets import make_price_series

OUTPUT = Path(__file__).with_name("output")
WINDOW, TEST = 30, 250


def pyplot():
    """matplotlib's pyplot, drawing to files; None (saying so) without matplotlib."""
    try:
        import matplotlib
    except ImportError:
        print('plots skipped: matplotlib is not installed (pip install -e ".[plot]")')
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def main(n_days=1500, max_iter=30, search=True):
    prices = make_price_series(n_days=n_days, random_state=0)
    returns = np.diff(np.log(prices)).astype(np.float32)
    X, y = make_windows(returns, window=WINDOW)          # y: the next day's return
    last_price = prices[WINDOW : WINDOW + len(y)]          # price on each window's last day
    actual = prices[WINDOW + 1 : WINDOW + 1 + len(y)]
    split = len(y) - TEST

    pipe = make_pipeline(SequenceScaler(), GRURegressor(hidden_size=16, max_iter=max_iter,
                                                        early_stopping=True, random_state=0))
    if search:
        pipe = GridSearchCV(pipe, {"gruregressor__hidden_size": [8, 16]},
                            cv=TimeSeriesSplit(3), scoring="neg_mean_squared_error")
    pipe.fit(X[:split], y[:split])
    forecast = last_price[split:] * np.exp(pipe.predict(X[split:]))
    naive = last_price[split:]
    truth = actual[split:]
    scores = {}
    for name, pred in (("GRU", forecast), ("naive", naive)):
        scores[f"{name}_mse"] = float(np.mean((pred - truth) ** 2))
        scores[f"{name}_mae"] = float(np.mean(np.abs(pred - truth)))
        print(f"{name:>6}: MSE {scores[f'{name}_mse']:.4f}  MAE {scores[f'{name}_mae']:.4f}")
    ratio = scores["GRU_mse"] / scores["naive_mse"]
    print(f"GRU MSE / naive MSE = {ratio:.3f} (1.0 means no better than tomorrow = today)")

    OUTPUT.mkdir(exist_ok=True)
    path = OUTPUT / "price_gru.joblib"
    joblib.dump(pipe, path)
    assert np.array_equal(joblib.load(path).predict(X[split:]), pipe.predict(X[split:]))
    print(f"saved and reloaded {path.name}: identical predictions")

    plt = pyplot()
    if plt is not None:
        fig, ax = plt.subplots()
        ForecastDisplay.from_predictions(truth[-60:], forecast[-60:], ax=ax)
        ax.set_title("last 60 days: next-day forecast vs actual close")
        fig.savefig(OUTPUT / "price_forecast.png", dpi=100, bbox_inches="tight")
        plt.close(fig)
        print(f"plot saved: {OUTPUT / 'price_forecast.png'}")
    return scores


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
