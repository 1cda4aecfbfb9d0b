"""Forecast four weeks of daily sales of many stores with one global model
=======================================================================

Generated daily sales of 20 stores (:func:`~sklearn_seq.datasets.make_store_demand`:
small, medium and large stores in two regions, opened on different days, with
promotions planned ahead) form one long table, one row per store and day. One
:class:`~sklearn_seq.forecasting.PanelForecaster` learns from all stores at once:

* ``promotion`` is a future covariate (the plan for the next 28 days is known),
  ``size`` and ``region`` are static covariates, the target is forecast on the
  log scale and each window is scaled by its own level, so a large store does
  not swamp a small one;
* the window length is chosen by ``GridSearchCV`` over ``RollingOriginSplit``
  folds: each test fold holds the real history of its forecasts, so long windows
  are not scored on padding. The candidates are at least the horizon: a window
  step carries the promotion of the day ``horizon`` steps later, so a shorter
  window would not show the plan of the first forecast days;
* a rolling-origin backtest (``backtest``) gives the errors per horizon step,
  beside the seasonal-naive forecast (each store's last week, repeated) in MASE,
  and the coverage of the 80% and 95% intervals;
* the final model forecasts the next 28 days of every store, with split-conformal
  80% and 95% intervals, from a table of planned promotions, as a tidy DataFrame;
  it is saved and reloaded (joblib, and the safe format of ``sklearn_seq.save``),
  and one store's forecast is drawn by ``ForecastDisplay.from_estimator``
  (``examples/output/panel_forecast.png``, with matplotlib installed).

The promotions are where the model falls short: it raises the forecast of a
promoted day by about 5%, where the generator lifts sales by 40%. The plan
reaches the network as a feature of the last steps of the window, which the
recurrent encoder has to carry to the right forecast day.

Runs in about a minute and a half on 2 CPU cores::

    python examples/panel_forecasting.py [--n-stores 20] [--seed 0]
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
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

import sklearn_seq
from sklearn_seq.datasets import make_store_demand
from sklearn_seq.forecasting import (
    AttentionForecaster,
    PanelForecaster,
    RollingOriginSplit,
    backtest,
)
from sklearn_seq.plotting import ForecastDisplay

OUTPUT = Path(__file__).with_name("output")
HORIZON = 28
SEASON = 7
LEVEL = (80, 95)
PROMOTION_RATE = 0.1
SHOWN_STEPS = (1, 7, 14, 21, 28)


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


def planned_promotions(sales, random_state=0):
    """The promotion plan of the ``HORIZON`` days after the data: the future table."""
    rng = np.random.RandomState(random_state)
    stores = sales["store"].unique()
    days = pd.date_range(sales["date"].max() + pd.Timedelta(days=1), periods=HORIZON,
                         freq="D")
    return pd.DataFrame({
        "store": np.repeat(stores, HORIZON),
        "date": np.tile(days, len(stores)),
        "promotion": (rng.uniform(size=len(stores) * HORIZON) < PROMOTION_RATE).astype(int),
    })


def main(n_stores=20, n_days=365, windows=(28, 56), hidden_size=16, max_iter=40,
         n_splits=2, seed=0, output_dir=OUTPUT, plots=True):
    """Tune, backtest, forecast, persist and plot; return the figures checked by the tests."""
    start = time.perf_counter()
    sales = make_store_demand(n_stores=n_stores, n_days=n_days, random_state=seed)
    lengths = sales.groupby("store").size()
    print(f"{n_stores} stores, {len(sales):,} store-days ({lengths.min()}-{lengths.max()} "
          f"per store) up to {sales['date'].max():%Y-%m-%d}, "
          f"{sales['promotion'].mean():.0%} of days with a promotion")

    model = PanelForecaster(
        AttentionForecaster(hidden_size=hidden_size, learning_rate_init=3e-3,
                            max_iter=max_iter, early_stopping=True, n_iter_no_change=5),
        horizon=HORIZON, id_col="store", time_col="date", target="sales",
        future_covariates="promotion", static_covariates=["size", "region"],
        target_transform="log", season_length=SEASON,
        stride=2,  # every other day as a forecast origin: half the windows, as accurate
        random_state=seed,
    )
    cv = RollingOriginSplit(n_splits, horizon=HORIZON, id_col="store", time_col="date")
    # score: minus the MASE of the last 28 days of each test fold, forecast from its
    # real history. refit=False: the chosen window is refitted below, with intervals.
    search = GridSearchCV(model, {"window": list(windows)}, cv=cv, refit=False)
    with warnings.catch_warnings():
        # Short training on purpose: stopping at max_iter is expected here.
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(sales)
        for window, score in zip(search.cv_results_["param_window"],
                                 search.cv_results_["mean_test_score"]):
            print(f"  window {window:>3}: backtest MASE {-score:.3f}")
        window = search.best_params_["window"]
        print(f"chosen window: {window} days")

        model.set_params(window=window, level=LEVEL)
        result = backtest(model, sales, n_splits=n_splits)
        # naive_MASE: the seasonal-naive forecast (each store's last week repeated)
        # on the same folds and steps, the baseline to beat.
        metrics = result.metrics
        metrics["naive MASE"] = metrics.pop("naive_MASE")
        print(f"\nbacktest, {n_splits} origins x {n_stores} stores, by horizon step "
              "(naive: each store's last week repeated):")
        shown = metrics.loc[[*SHOWN_STEPS, "all"]]
        print(shown.rename(columns={"MAPE": "MAPE %", "sMAPE": "sMAPE %"}).round(3).to_string())

        final = clone(model).fit(sales)
    future = planned_promotions(sales, random_state=seed)
    forecast = final.predict(sales, future=future)
    print(f"\nforecast of the next {HORIZON} days: {len(forecast)} rows, "
          f"{forecast['store'].nunique()} stores, {forecast['date'].min():%Y-%m-%d} to "
          f"{forecast['date'].max():%Y-%m-%d}")
    print(forecast.head(7).round(
        {c: 1 for c in forecast.columns if c not in ("store", "date")}).to_string(index=False))
    # The plan matters: the same history without promotions forecasts less on their days.
    plain = final.predict(sales, future=future.assign(promotion=0))
    promoted = future["promotion"].to_numpy() == 1
    lift = float(np.mean(forecast["forecast"].to_numpy()[promoted]
                         / plain["forecast"].to_numpy()[promoted]) - 1)
    print(f"planned promotions raise the forecast of their days by {lift:.0%} "
          "(the generator's lift: 40%)")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "panel_forecaster.joblib"
        joblib.dump(final, path)
        reloaded = joblib.load(path)
        pd.testing.assert_frame_equal(reloaded.predict(sales, future=future), forecast)
        print(f"saved and reloaded {path.name}: identical forecasts")
        # The safe format: no code runs when the file is loaded.
        sklearn_seq.save(final, Path(tmp) / "panel_forecaster.skseq")
        safe = sklearn_seq.load(Path(tmp) / "panel_forecaster.skseq")
        pd.testing.assert_frame_equal(safe.predict(sales, future=future), forecast)
        print("saved and reloaded panel_forecaster.skseq (safe format): identical forecasts")

    if plots:
        _plot(final, sales, future, forecast["store"].iloc[0], output_dir)
    print(f"done in {time.perf_counter() - start:.0f} s")
    return {
        "window": window,
        "windows": list(windows),
        "metrics": metrics,
        "forecast": forecast,
        "future": future,
        "promotion_lift": lift,
    }


def _plot(model, sales, future, store, output):
    plt = pyplot()
    if plt is None:
        return
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(9, 4))
    # One store of the panel: its last 8 weeks, the forecast at its dates, the 80% interval.
    disp = ForecastDisplay.from_estimator(model, sales, series=store, future=future,
                                          level=80, n_history=8 * SEASON, ax=ax)
    disp.ax_.set_ylabel("sales")
    disp.ax_.set_title(f"Store {store}: the next {HORIZON} days, 80% interval")
    disp.figure_.tight_layout()
    path = output / "panel_forecast.png"
    disp.figure_.savefig(path, dpi=100)
    plt.close(disp.figure_)
    print(f"plot saved: {path}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--n-stores", type=int, default=20)
    parser.add_argument("--n-days", type=int, default=365)
    parser.add_argument("--max-iter", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    # One torch thread: small fits on a machine whose cores are busy stall with two.
    torch.set_num_threads(1)
    main(n_stores=args.n_stores, n_days=args.n_days, max_iter=args.max_iter, seed=args.seed)
