"""Forecast a year of monthly demand with one tuned, persisted pipeline
====================================================================

The Box-Jenkins airline passengers (1949-1960) stand in for monthly demand. The
last 12 months are held out; everything is fitted on the 132 months before them.

* The table of steps has one row per month: the year-over-year log growth
  ``g[t] = log y[t] - log y[t - 12]`` and the calendar month (sin/cos, known in
  advance). Growth is what a seasonal model has to learn: the seasonal-naive
  forecast ``y[t - 12]`` is the forecast of zero growth.
* The target of row ``t`` is the growth of the next 12 months, ``g[t + 1 ..
  t + 12]`` (:func:`~sklearn_seq.preprocessing.make_windows` cuts it), so one
  fit forecasts all 12 months at once: ``y[t + h] = y[t + h - 12] * exp(g)``.
* ``SequenceWindower -> SequenceScaler -> AttentionForecaster`` is one
  estimator: ``GridSearchCV`` over ``TimeSeriesSplit`` tunes the window length
  and the hidden size, joblib persists it, and the reloaded model forecasts.
* It is scored (MAE, RMSE, MAPE) beside the seasonal-naive forecast and
  statsmodels' Holt-Winters (when statsmodels is installed); plots of the
  forecast with its 80% interval and of the attention weights go to
  ``examples/output/`` (with matplotlib installed).

A second, shorter part runs the same pipeline on generated daily demand
(:func:`~sklearn_seq.datasets.make_demand`) with a covariate known in advance:
row ``t`` holds yesterday's demand and today's planned promotion, and the last
four weeks are forecast one day ahead.

Runs in about 20 seconds on 2 CPU cores::

    python examples/demand_forecasting.py --seed 0
"""

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline

from sklearn_seq.datasets import load_airline, make_demand
from sklearn_seq.forecasting import AttentionForecaster
from sklearn_seq.preprocessing import SequenceScaler, SequenceWindower, make_windows

OUTPUT = Path(__file__).with_name("output")
HORIZON = 12
QUANTILES = (0.1, 0.5, 0.9)

SIZES = {
    # the settings of the reported results
    "full": dict(max_iter=200, window=[6, 12], hidden_size=[8, 16], n_days=730),
    # a smoke test for the test suite
    "tiny": dict(max_iter=2, window=[3], hidden_size=[4], n_days=120),
}


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


def make_table(series):
    """One row per month: YoY log growth and the calendar month; from month 12 on."""
    log = np.log(series.to_numpy(dtype=np.float64))
    growth = log[12:] - log[:-12]
    month = series.index.month.to_numpy()[12:]
    return pd.DataFrame(
        {
            "growth": growth,
            "month_sin": np.sin(2 * np.pi * month / 12),
            "month_cos": np.cos(2 * np.pi * month / 12),
        },
        index=series.index[12:],
    ).astype(np.float32)


def scores(actual, forecast):
    error = actual - forecast
    return {
        "MAE": np.mean(np.abs(error)),
        "RMSE": np.sqrt(np.mean(error**2)),
        "MAPE %": 100 * np.mean(np.abs(error) / actual),
    }


def holt_winters(train):
    """Multiplicative Holt-Winters forecast, or None without statsmodels."""
    try:
        from statsmodels.tsa.holtwinters import ExponentialSmoothing
    except ImportError:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ExponentialSmoothing(
            train, trend="add", seasonal="mul", seasonal_periods=12
        ).fit()
    return np.asarray(model.forecast(HORIZON))


def main(size="full", seed=0, output_dir=OUTPUT, plots=True):
    """Tune, persist, reload and score the pipeline; return the score table."""
    start = time.perf_counter()
    settings = SIZES[size]
    series = load_airline()
    train, test = series.iloc[:-HORIZON], series.iloc[-HORIZON:]
    table = make_table(train)
    # Row t's target: the growth of the 12 months after t (rows with a full year ahead).
    _, growth_ahead = make_windows(table["growth"], window=1, horizon=HORIZON)
    rows = table.iloc[: len(growth_ahead)]

    pipe = make_pipeline(
        SequenceWindower(),
        SequenceScaler(),
        AttentionForecaster(
            hidden_size=8,
            quantiles=QUANTILES,
            learning_rate_init=3e-3,
            max_iter=settings["max_iter"],
            random_state=seed,
        ),
    )
    grid = {
        "sequencewindower__window": settings["window"],
        "attentionforecaster__hidden_size": settings["hidden_size"],
    }
    search = GridSearchCV(
        pipe, grid, cv=TimeSeriesSplit(3), scoring="neg_mean_absolute_error"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(rows, growth_ahead)
    print(f"best of {len(search.cv_results_['params'])} candidates: {search.best_params_}")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "forecaster.joblib"
        joblib.dump(search.best_estimator_, path)
        model = joblib.load(path)
    # The last row is the forecast origin (December 1959); its window reaches back.
    growth = model.predict(table)[-1]
    assert np.array_equal(growth, search.best_estimator_.predict(table)[-1])
    last_year = train.to_numpy(dtype=np.float64)[-HORIZON:]
    forecast = last_year * np.exp(growth)
    windows = model[:-1].transform(table)
    bands = last_year[:, None] * np.exp(model[-1].predict_quantiles(windows)[-1])

    actual = test.to_numpy(dtype=np.float64)
    results = {
        "AttentionForecaster": scores(actual, forecast),
        "seasonal naive": scores(actual, last_year),
    }
    hw = holt_winters(train.to_numpy(dtype=np.float64))
    if hw is not None:
        results["Holt-Winters"] = scores(actual, hw)
    results = pd.DataFrame(results).T
    print(f"\nheld-out {test.index[0]:%Y-%m} to {test.index[-1]:%Y-%m}, seed {seed}:")
    print(results.round(2).to_string())
    coverage = np.mean((actual >= bands[:, 0]) & (actual <= bands[:, -1]))
    print(f"80% interval covers {coverage:.0%} of the held-out months")

    if plots:
        weights = model[-1].attention_weights(windows[-1:])[0]
        _plot(train, test, forecast, bands, weights, output_dir)
    daily_demand(settings, seed)
    print(f"done in {time.perf_counter() - start:.1f} s")
    return results


def daily_demand(settings, seed, test_days=28):
    """One-day-ahead demand with a planned promotion as a covariate known in advance."""
    df = make_demand(n_days=settings["n_days"], random_state=0)
    demand = df["demand"].to_numpy()
    log = np.log(demand)
    day = df.index.day_of_week.to_numpy()
    # Row t: what is known when forecasting day t.
    table = pd.DataFrame(
        {
            "log_demand_yesterday": np.r_[log[0], log[:-1]],
            "promotion_today": df["promotion"].to_numpy(np.float64),
            "weekday_sin": np.sin(2 * np.pi * day / 7),
            "weekday_cos": np.cos(2 * np.pi * day / 7),
        },
        index=df.index,
    ).astype(np.float32)
    pipe = make_pipeline(
        SequenceWindower(window=14),
        SequenceScaler(),
        AttentionForecaster(
            hidden_size=16,
            learning_rate_init=3e-3,
            max_iter=settings["max_iter"] // 2,
            random_state=seed,
        ),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(table.iloc[:-test_days], log[:-test_days])
    forecast = np.exp(pipe.predict(table)[-test_days:])
    actual = demand[-test_days:]
    results = pd.DataFrame(
        {
            "AttentionForecaster": scores(actual, forecast),
            "seasonal naive (a week ago)": scores(actual, demand[-test_days - 7 : -7]),
        }
    ).T
    print(f"\ndaily demand, last {test_days} days one day ahead "
          "(the 10% noise alone costs about 8% MAPE):")
    print(results.round(2).to_string())
    return results


def _plot(train, test, forecast, bands, weights, output):
    plt = pyplot()
    if plt is None:
        return
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.plot(train.index[-48:], train.iloc[-48:], color="black", label="history")
    ax.plot(test.index, test, color="black", linestyle="--", label="actual")
    ax.plot(test.index, forecast, color="C0", label="AttentionForecaster (median)")
    ax.fill_between(test.index, bands[:, 0], bands[:, -1], color="C0", alpha=0.25,
                    label="80% interval")
    ax.set_ylabel("passengers (thousands)")
    ax.set_title("Airline passengers: 1960 held out")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(output / "demand_forecast.png", dpi=100)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 3))
    lags = np.arange(len(weights) - 1, -1, -1)
    ax.bar(lags, weights, color="C1")
    ax.invert_xaxis()
    ax.set_xlabel("months before the forecast origin")
    ax.set_ylabel("attention weight")
    ax.set_title("Attention over the window ending December 1959")
    fig.tight_layout()
    fig.savefig(output / "demand_attention.png", dpi=100)
    plt.close(fig)
    print(f"plots saved: {output / 'demand_forecast.png'}, {output / 'demand_attention.png'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    # One torch thread: tiny fits on a small machine whose cores are busy stall with
    # two, and the search took 224 s instead of 13 s on 2 shared cores.
    torch.set_num_threads(1)
    main(size=args.size, seed=args.seed)
