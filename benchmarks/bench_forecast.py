"""Forecast accuracy, interval coverage and fit time beside seasonal naive and ETS (issue #20).

Each task holds out the last ``H`` points of every series and forecasts them from
the points before (no peeking), with every method given the same history:

- a panel: :func:`~sklearn_seq.datasets.make_store_demand` (50 stores by default,
  daily, ``H`` = 28). Our model is one global ``PanelForecaster`` with the planned
  promotions as a future covariate and the store's size and region as static ones
  (the configuration of ``examples/panel_forecasting.py``, window 56); the other
  methods forecast each store's sales alone;
- airline passengers (:func:`~sklearn_seq.datasets.load_airline`, monthly, ``H`` = 12);
- with ``--data-dir``, the development series of its ``series/`` folder: sunspots,
  lynx and nile (yearly, ``H`` = 6), shampoo (monthly, ``H`` = 6) and macrodata's
  realgdp, cpi and unemp (quarterly, ``H`` = 8; one panel of three series for our
  model). Without it, or when the folder is missing, they are skipped (said so).

On these single series our model is ``PanelForecaster`` with its defaults (only
``horizon``, ``season_length`` and ``level=(80, 95)`` set: its split-conformal
intervals). The others:

- seasonal naive: the last season repeated (the last value for yearly series),
  also the scale of MASE (its mean absolute error over the training part);
- statsmodels' ``ExponentialSmoothing`` (Holt-Winters): additive damped trend,
  with a multiplicative (positive series) or additive season when the history
  holds three seasons; its intervals are the quantiles of 1,000 simulated paths
  (``simulate``, additive errors);
- darts (``BlockRNNModel``, an LSTM with quantile regression) and neuralforecast
  (``NHITS`` with a multi-quantile loss), univariate, only when installed; each is
  skipped, with a line saying so, when it is not (or fails).

Columns: MASE and MAPE (mean over the series of a row), coverage of the 80% and
95% intervals (share of held-out points inside), their mean width (upper minus
lower, in the units of the series), and the seconds to fit and forecast.
``--seeds N`` runs our model with seeds 0 .. N-1 and prints mean ± sd over seeds. A
summary over the real series follows (mean MASE, how many beat seasonal naive, mean
coverage).

    python benchmarks/bench_forecast.py [--data-dir ../shared/data] [--seeds 1]
                                        [--n-stores 50] [--threads 1]
"""

import argparse
import logging
import statistics
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from _common import table
from sklearn.exceptions import ConvergenceWarning

from sklearn_seq.datasets import load_airline, make_store_demand
from sklearn_seq.forecasting import AttentionForecaster, PanelForecaster

LEVEL = (80, 95)
ID, TIME, TARGET = "unique_id", "ds", "y"
# (file in series/, column, label, horizon, season_length)
SERIES = [
    ("sunspots.csv", "value", "sunspots (yearly)", 6, 1),
    ("lynx.csv", "value", "lynx (yearly)", 6, 1),
    ("nile.csv", "value", "nile (yearly)", 6, 1),
    ("shampoo.csv", "value", "shampoo (monthly)", 6, 12),
]
MACRO = ("macrodata.csv", ("realgdp", "cpi", "unemp"), "macrodata (quarterly)", 8, 4)
OURS, NAIVE, ETS = "sklearn-seq PanelForecaster", "seasonal naive", "statsmodels ETS"
DARTS, NEURALFORECAST = "darts BlockRNNModel", "neuralforecast NHITS"


class Task:
    """A long table (``unique_id``, ``ds``, ``y`` and covariates) and its hold-out."""

    def __init__(self, name, frame, horizon, season, panel=None):
        self.name, self.horizon, self.season = name, horizon, season
        self.frame = frame.sort_values([ID, TIME], kind="stable").reset_index(drop=True)
        rank = self.frame.groupby(ID).cumcount(ascending=False)
        self.test_mask = (rank < horizon).to_numpy()
        self.train = self.frame[~self.test_mask].reset_index(drop=True)
        self.test = self.frame[self.test_mask].reset_index(drop=True)
        self.panel = panel  # keyword arguments of our PanelForecaster for covariates

    def ids(self):
        return list(dict.fromkeys(self.frame[ID]))

    def earlier(self, origin):
        """The same task cut ``origin * horizon`` steps before the end of each series."""
        rank = self.frame.groupby(ID).cumcount(ascending=False)
        kept = self.frame[(rank >= origin * self.horizon).to_numpy()]
        return Task(self.name, kept, self.horizon, self.season, self.panel)

    def history(self, key):
        return self.train.loc[self.train[ID] == key, TARGET].to_numpy(dtype=np.float64)

    def actual(self, key):
        return self.test.loc[self.test[ID] == key, TARGET].to_numpy(dtype=np.float64)


def long_table(values, dates, key):
    return pd.DataFrame({ID: key, TIME: pd.DatetimeIndex(dates), TARGET: np.asarray(
        values, dtype=np.float64)})


def store_task(n_stores, seed=0):
    sales = make_store_demand(n_stores=n_stores, n_days=365, random_state=seed)
    frame = sales.rename(columns={"store": ID, "date": TIME, "sales": TARGET})
    panel = dict(
        estimator=AttentionForecaster(hidden_size=16, learning_rate_init=3e-3, max_iter=40,
                                      early_stopping=True, n_iter_no_change=5),
        window=56, stride=2, future_covariates="promotion",
        static_covariates=["size", "region"], target_transform="log",
    )
    return Task(f"stores ({n_stores}, daily)", frame, 28, 7, panel)


def airline_task():
    y = load_airline()
    return Task("airline (monthly)", long_table(y.to_numpy(), y.index, "airline"), 12, 12)


def development_tasks(data_dir):
    folder = Path(data_dir) / "series"
    tasks = []
    for file, column, name, horizon, season in SERIES:
        if not (folder / file).exists():
            print(f"{name}: {folder / file} not found, skipped")
            continue
        df = pd.read_csv(folder / file, parse_dates=["date"])
        tasks.append(Task(name, long_table(df[column], df["date"], file[:-4]), horizon, season))
    file, columns, name, horizon, season = MACRO
    if (folder / file).exists():
        df = pd.read_csv(folder / file, parse_dates=["date"])
        frame = pd.concat([long_table(df[c], df["date"], c) for c in columns],
                          ignore_index=True)
        tasks.append(Task(name, frame, horizon, season))
    else:
        print(f"{name}: {folder / file} not found, skipped")
    return tasks


# -- the methods: each returns one row per series and held-out step, in the order of
# -- task.test, with "forecast" and optional "lower_<level>" / "upper_<level>" ------------


def ours(task, seed):
    kwargs = dict(task.panel or {})
    model = PanelForecaster(horizon=task.horizon, id_col=ID, time_col=TIME, target=TARGET,
                            season_length=task.season, level=LEVEL, random_state=seed,
                            **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            model.fit(task.train)
        except ValueError as exc:
            if "calibrate" not in str(exc):
                raise
            # Too short to hold back a calibration stretch: point forecasts only.
            print(f"{task.name}: PanelForecaster(level={LEVEL}) refused ({exc}); "
                  "fitted without level, coverage n/a")
            model.set_params(level=None).fit(task.train)
    future = task.test[[ID, TIME, *([kwargs["future_covariates"]]
                                    if kwargs.get("future_covariates") else [])]]
    forecast = model.predict(task.train, future=future)
    # In the order of task.test; a time stamp that does not continue a series is NaN.
    return task.test[[ID, TIME]].merge(forecast, on=[ID, TIME], how="left")


def naive(task, seed=None):
    rows = []
    for key in task.ids():
        history = task.history(key)
        rows.append(np.resize(history[-task.season:], task.horizon))
    return pd.DataFrame({"forecast": np.concatenate(rows)})


def ets(task, seed=0):
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    rng = np.random.default_rng(seed)
    parts = []
    for key in task.ids():
        history = task.history(key)
        seasonal = None
        if task.season > 1 and len(history) >= 3 * task.season:
            seasonal = "mul" if history.min() > 0 else "add"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = ExponentialSmoothing(
                history, trend="add", damped_trend=True, seasonal=seasonal,
                seasonal_periods=task.season if seasonal else None,
            ).fit()
            paths = fit.simulate(task.horizon, anchor="end", repetitions=1000, error="add",
                                 rng=rng)
        part = {"forecast": fit.forecast(task.horizon)}
        for level in LEVEL:
            tail = (100 - level) / 2
            part[f"lower_{level}"] = np.percentile(paths, tail, axis=1)
            part[f"upper_{level}"] = np.percentile(paths, 100 - tail, axis=1)
        parts.append(pd.DataFrame(part))
    return pd.concat(parts, ignore_index=True)


def _quantiles():
    return [0.5, *[(100 - lv) / 200 for lv in LEVEL], *[1 - (100 - lv) / 200 for lv in LEVEL]]


def darts_rnn(task, seed):
    from darts import TimeSeries
    from darts.dataprocessing.transformers import Scaler
    from darts.models import BlockRNNModel
    from darts.utils.likelihood_models import QuantileRegression

    parts = []
    for key in task.ids():
        history = task.history(key)
        window = int(min(max(3 * task.season, 2 * task.horizon),
                         len(history) - task.horizon - 4))
        scaler = Scaler()
        series = scaler.fit_transform(TimeSeries.from_values(history.astype(np.float32)))
        model = BlockRNNModel(
            model="LSTM", input_chunk_length=window, output_chunk_length=task.horizon,
            hidden_dim=32, n_epochs=50, random_state=seed,
            likelihood=QuantileRegression(sorted(_quantiles())),
            pl_trainer_kwargs=dict(accelerator="cpu", enable_progress_bar=False,
                                   logger=False, enable_model_summary=False,
                                   enable_checkpointing=False))
        model.fit(series, verbose=False)
        pred = scaler.inverse_transform(
            model.predict(task.horizon, num_samples=500, verbose=False))
        samples = pred.all_values()[:, 0, :]  # (horizon, samples)
        part = {"forecast": np.median(samples, axis=1)}
        for level in LEVEL:
            tail = (100 - level) / 2
            part[f"lower_{level}"] = np.percentile(samples, tail, axis=1)
            part[f"upper_{level}"] = np.percentile(samples, 100 - tail, axis=1)
        parts.append(pd.DataFrame(part))
    return pd.concat(parts, ignore_index=True)


def neuralforecast_nhits(task, seed):
    from neuralforecast import NeuralForecast
    from neuralforecast.losses.pytorch import MQLoss
    from neuralforecast.models import NHITS

    shortest = task.train.groupby(ID).size().min()
    window = int(min(max(3 * task.season, 2 * task.horizon), shortest - task.horizon - 4))
    freq = pd.infer_freq(task.train.loc[task.train[ID] == task.ids()[0], TIME])
    model = NHITS(h=task.horizon, input_size=window, loss=MQLoss(level=list(LEVEL)),
                  max_steps=500, random_seed=seed, enable_progress_bar=False, logger=False,
                  enable_model_summary=False, enable_checkpointing=False, accelerator="cpu")
    nf = NeuralForecast(models=[model], freq=freq)
    nf.fit(task.train[[ID, TIME, TARGET]])
    pred = nf.predict().reset_index()
    pred = task.test[[ID, TIME]].merge(pred, on=[ID, TIME], how="left")
    out = {"forecast": pred["NHITS-median"].to_numpy()}
    for level in LEVEL:
        out[f"lower_{level}"] = pred[f"NHITS-lo-{level}"].to_numpy()
        out[f"upper_{level}"] = pred[f"NHITS-hi-{level}"].to_numpy()
    return pd.DataFrame(out)


# -- scoring ------------------------------------------------------------------------------


def mase_scale(history, season):
    m = season if len(history) > season else 1
    scale = float(np.mean(np.abs(history[m:] - history[:-m])))
    return scale if scale > 0 else 1.0


def score(task, forecasts):
    """``{id: {"MASE", "MAPE", "cov80", "cov95"}}`` of one method's forecasts."""
    forecasts = forecasts.reset_index(drop=True)
    out = {}
    for key in task.ids():
        rows = (task.test[ID] == key).to_numpy()
        actual, pred = task.actual(key), forecasts.loc[rows, "forecast"].to_numpy(float)
        err = np.abs(actual - pred)
        positive = actual != 0
        metrics = {
            "MASE": float(err.mean() / mase_scale(task.history(key), task.season)),
            "MAPE": float(100 * np.mean(err[positive] / np.abs(actual[positive]))),
        }
        for level in LEVEL:
            if f"lower_{level}" in forecasts:
                lo = forecasts.loc[rows, f"lower_{level}"].to_numpy(float)
                hi = forecasts.loc[rows, f"upper_{level}"].to_numpy(float)
                metrics[f"cov{level}"] = float(np.mean((actual >= lo) & (actual <= hi)))
                metrics[f"width{level}"] = float(np.mean(hi - lo))
        out[key] = metrics
    return out


def timed(fn, task, seed):
    start = time.perf_counter()
    forecasts = fn(task, seed)
    return forecasts, time.perf_counter() - start


def fmt(values, digits=2, percent=False):
    """Mean (± sd over seeds when several) of ``values``; n/a when empty."""
    values = [v for v in values if v is not None]
    if not values:
        return "n/a"
    scale = 100 if percent else 1
    mean = scale * statistics.mean(values)
    if len(values) == 1:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ± {scale * statistics.stdev(values):.{digits}f}"


def fmt_width(values):
    """Mean over seeds of an interval width, to three significant digits; n/a when empty."""
    values = [v for v in values if v is not None]
    return f"{statistics.mean(values):.3g}" if values else "n/a"


def run_task(task, methods, seeds, results):
    """Run every method on ``task``; append one row per (series group, method)."""
    for name, fn in methods.items():
        runs = []
        for seed in (seeds if name == OURS else seeds[:1]):
            try:
                forecasts, seconds = timed(fn, task, seed)
            except Exception as exc:  # a peer's API moved, a series too short, ...
                print(f"{task.name}, {name}: failed ({type(exc).__name__}: {exc})")
                break
            runs.append((score(task, forecasts), seconds))
        if not runs:
            continue
        # The panel task is one row (means over its stores); the others one row a series.
        groups = ([(task.name, task.ids())] if task.panel is not None
                  else [(task.name if len(task.ids()) == 1 else f"{task.name}: {key}", [key])
                        for key in task.ids()])
        for label, keys in groups:
            per_seed = {m: [] for m in ("MASE", "MAPE", "cov80", "cov95", "width80", "width95")}
            for scores, _ in runs:
                for m in per_seed:
                    vals = [scores[k].get(m) for k in keys]
                    per_seed[m].append(None if None in vals else statistics.mean(vals))
            results.append(dict(task=label, method=name, real=task.panel is None,
                                seconds=[s for _, s in runs], n_series=len(task.ids()),
                                **per_seed))


def peers():
    """The optional peers that import; a line for each one that does not."""
    found = {}
    for name, fn, module in ((DARTS, darts_rnn, "darts"),
                             (NEURALFORECAST, neuralforecast_nhits, "neuralforecast")):
        try:
            __import__(module)
        except ImportError:
            print(f"{name}: skipped ({module} is not installed)")
            continue
        found[name] = fn
    return found


def mean_over_series(rows, key, digits, percent=False):
    """Mean over ``rows`` of the seeds' mean of ``key``; the count when some lack it."""
    values = [statistics.mean(r[key]) for r in rows if None not in r[key]]
    if not values:
        return "n/a"
    return f"{(100 if percent else 1) * statistics.mean(values):.{digits}f}" + (
        f" ({len(values)} series)" if len(values) < len(rows) else "")


def summary(real, methods, what="series"):
    """One row per method over ``real`` rows: mean MASE, wins over seasonal naive
    (on the same series and cut-off), mean MAPE and coverage."""
    naive_mase = {(r["task"], r["origin"]): statistics.mean(r["MASE"])
                  for r in real if r["method"] == NAIVE}
    rows = []
    for name in methods:
        mine = [r for r in real if r["method"] == name]
        if not mine:
            continue
        wins = sum(statistics.mean(r["MASE"]) < naive_mase[r["task"], r["origin"]]
                   for r in mine)
        rows.append([name, len(mine), mean_over_series(mine, "MASE", 3),
                     "-" if name == NAIVE else f"{wins} of {len(mine)}",
                     mean_over_series(mine, "MAPE", 1),
                     mean_over_series(mine, "cov80", 0, True),
                     mean_over_series(mine, "cov95", 0, True)])
    table(rows, ["method", what, "mean MASE", "beats seasonal naive", "mean MAPE %",
                 "mean 80% cov. %", "mean 95% cov. %"])


def origins_report(real, methods, n_origins):
    """Each real series' MASE per cut-off and over all, then the summary over all."""
    print(f"\nreal series at {n_origins} cut-offs (0: the last H points held out; o: the "
          "H points ending o * H steps before the end), MASE (mean over seeds):")
    labels = list(dict.fromkeys(r["task"] for r in real))
    rows = []
    for label in labels:
        for name in methods:
            mine = {r["origin"]: r for r in real if r["task"] == label and r["method"] == name}
            if not mine:
                continue
            per = [statistics.mean(mine[o]["MASE"]) if o in mine else None
                   for o in range(n_origins)]
            got = [v for v in per if v is not None]
            cov = [[statistics.mean(r[c]) for r in mine.values() if None not in r[c]]
                   for c in ("cov80", "cov95")]
            widths = [fmt_width([statistics.mean(r[c]) for r in mine.values()
                                 if None not in r[c]]) for c in ("width80", "width95")]
            rows.append([label, name, *("n/a" if v is None else f"{v:.3f}" for v in per),
                         f"{statistics.mean(got):.3f}",
                         *(f"{100 * statistics.mean(c):.0f}" if c else "n/a" for c in cov),
                         *widths])
    table(rows, ["series", "method", *(f"MASE cut-off {o}" for o in range(n_origins)),
                 "mean MASE", "mean 80% cov. %", "mean 95% cov. %", "mean 80% width",
                 "mean 95% width"])
    print(f"\nreal series, mean over series and the {n_origins} cut-offs:")
    summary(real, methods, what="series x cut-offs")


def main(data_dir=None, seeds=(0,), n_stores=50, threads=None, origins=1):
    if threads is not None:
        torch.set_num_threads(threads)
    logging.getLogger("lightning").setLevel(logging.ERROR)
    logging.getLogger("pytorch_lightning").setLevel(logging.ERROR)
    start = time.perf_counter()
    methods = {OURS: ours, NAIVE: naive, ETS: ets, **peers()}
    tasks = [store_task(n_stores), airline_task()]
    if data_dir is not None and (Path(data_dir) / "series").is_dir():
        tasks += development_tasks(data_dir)
    else:
        where = "no --data-dir" if data_dir is None else f"{Path(data_dir) / 'series'} not found"
        print(f"development series skipped ({where}): pass --data-dir pointing at the folder "
              "that holds series/*.csv")
    # (cut-off, task): the last hold-out of every task, then the earlier ones of the
    # real series.
    runs = [(0, task) for task in tasks] + [
        (o, task.earlier(o)) for o in range(1, origins) for task in tasks if task.panel is None
    ]
    results = []
    for origin, task in runs:
        done = len(results)
        run_task(task, methods, list(seeds), results)
        for r in results[done:]:
            r["origin"] = origin
        print(f"  {task.name}" + (f" (cut-off {origin})" if origin else "")
              + f": done ({time.perf_counter() - start:.0f} s so far)", flush=True)

    print(f"\nlast H points of each series held out; {len(seeds)} seed(s) of our model "
          f"(mean ± sd over seeds when several), {torch.get_num_threads()} torch thread(s); "
          "coverage: share of held-out points inside the interval")
    table([[r["task"], r["method"], fmt(r["MASE"], 3), fmt(r["MAPE"], 1),
            fmt(r["cov80"], 0, True), fmt(r["cov95"], 0, True),
            fmt_width(r["width80"]), fmt_width(r["width95"]),
            fmt(r["seconds"], 1) + (f" (all {r['n_series']})" if r["n_series"] > 1
                                    and not r["task"].startswith("stores") else "")]
           for r in results if r["origin"] == 0],
          ["series (H)", "method", "MASE", "MAPE %", "80% cov. %", "95% cov. %",
           "80% width", "95% width", "fit s"])

    real = [r for r in results if r["real"]]
    if real:
        print("\nreal series (airline and the development series), mean over series "
              "(of the seeds' means):")
        summary([r for r in real if r["origin"] == 0], methods)
        if origins > 1:
            origins_report(real, methods, origins)
    print(f"\ndone in {time.perf_counter() - start:.0f} s")
    return results


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", type=Path, default=None,
                   help="the development data folder (series/*.csv); without it: only the "
                        "store panel and airline")
    p.add_argument("--seeds", type=int, default=1, help="seeds of our model (default 1)")
    p.add_argument("--origins", type=int, default=1,
                   help="cut-offs of the real series: the last hold-out and origins - 1 "
                        "earlier ones (default 1)")
    p.add_argument("--n-stores", type=int, default=50, help="stores of the panel (default 50)")
    p.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    a = p.parse_args()
    main(data_dir=a.data_dir, seeds=tuple(range(a.seeds)), n_stores=a.n_stores,
         threads=a.threads, origins=a.origins)
