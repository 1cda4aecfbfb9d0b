"""The same LSTM forecaster in sklearn-seq, darts and neuralforecast (optional).

Daily demand (``make_demand``, 4 years), windows of 56 days, a 28-day forecast
from the last window, the same hidden size, batch size and number of passes over
the training windows, no weight decay and no gradient clipping (the peers have
neither). The peers:

- darts' ``RNNModel`` (LSTM): trained one step ahead on sequences of
  ``training_length`` = 56 + 28 steps (darts asks for training sequences longer
  than ``input_chunk_length`` so that training runs the LSTM as far as a forecast
  does: 56 steps read, 28 generated), forecasting autoregressively;
- darts' ``BlockRNNModel`` (LSTM): the direct multi-output LSTM, an LSTM and a
  linear layer on the last state, global scaling;
- neuralforecast's ``LSTM``: each window standardised by its own statistics
  (``scaler_type="standard"``), an LSTM whose last 28 states are each mapped to
  one forecast day by a shared linear layer (``decoder_layers=1``), trained on
  the absolute error (its default loss; the others train on the squared error).

sklearn-seq runs three configurations: ``LSTMRegressor`` (global scaling, linear
head: BlockRNNModel's architecture), ``AttentionForecaster(scaling="window",
attention=None)`` (per-window scaling and an MLP head on the last state) and the
configuration we recommend for forecasting, ``AttentionForecaster(scaling="window")``,
which adds dot-product attention. A hand-written PyTorch loop over the bare architecture
(LSTM and a linear layer on window-standardised input) shows the floor any
library on this LSTM pays, and the LSTM's own forward and backward passes over
the same batches (no head, loss or optimizer: the kernel) the part of it no
library can remove.

Prints fit+predict time (median over seeds, and relative to the recommended
configuration), MAE on the held-out 28 days (mean and standard error over seeds),
and each of our configurations' time relative to each peer's, with a verdict on
the goal: at most 0.5x their time at equal or better error, where "equal" means
a mean MAE no more than two standard errors of the difference above theirs.
``--threads N`` sets torch's threads for every library alike (default: torch's
own, all cores). darts and neuralforecast are optional: each is skipped when it
is not installed (``pip install darts neuralforecast`` next to the pinned torch).

    python benchmarks/bench_peers.py [--repeat 5] [--threads N] [--training-length 84]
                                     [--hidden 32]
"""

import argparse
import functools
import logging
import os
import statistics
import time
import warnings

import numpy as np
import torch
from _common import table
from sklearn.exceptions import ConvergenceWarning

from sklearn_seq import AttentionForecaster, LSTMRegressor
from sklearn_seq.datasets import make_demand
from sklearn_seq.preprocessing import make_windows

WINDOW, HORIZON, HIDDEN, BATCH, EPOCHS = 56, 28, 32, 32, 20
RECOMMENDED = 'sklearn-seq AttentionForecaster(scaling="window")'


def fit_and_forecast(model, train, window=WINDOW, horizon=HORIZON):
    """Fit ``model`` on the windows of ``train``; forecast the horizon after its end."""
    X, y = make_windows(train.astype(np.float32), window=window, horizon=horizon)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return model.predict(train[-window:].astype(np.float32)[None, :, None])[0]


# The peers train without weight decay and without gradient clipping: so do we here
# (our defaults have both, alpha=1e-4 and max_grad_norm=1.0).
PARITY = dict(batch_size=BATCH, max_iter=EPOCHS, alpha=0.0, max_grad_norm=None)

# Every runner takes ``(train, seed, hidden)``: --hidden sets the hidden size of all.


def ours(train, seed, hidden=HIDDEN):
    return fit_and_forecast(
        LSTMRegressor(random_state=seed, hidden_size=hidden, **PARITY), train)


def ours_window(train, seed, hidden=HIDDEN):
    model = AttentionForecaster(cell="lstm", scaling="window", random_state=seed,
                                hidden_size=hidden, **PARITY)
    return fit_and_forecast(model, train)


def ours_window_plain(train, seed, hidden=HIDDEN):
    model = AttentionForecaster(cell="lstm", scaling="window", attention=None,
                                random_state=seed, hidden_size=hidden, **PARITY)
    return fit_and_forecast(model, train)


def plain_torch(train, seed, hidden=HIDDEN):
    """The floor: a hand-written PyTorch loop over the bare architecture.

    An LSTM and one linear layer from its last state to the 28 days, each window
    standardised by its own mean and standard deviation (as the others do), MSE,
    Adam, the same batches and epochs; no attention, no MLP head, no validation
    of anything. What any library built on this LSTM must at least spend.
    """
    torch.manual_seed(seed)
    X, y = make_windows(train.astype(np.float32), window=WINDOW, horizon=HORIZON)
    X = torch.from_numpy(np.array(X, dtype=np.float32).reshape(len(X), WINDOW, 1))
    y = torch.from_numpy(np.array(y, dtype=np.float32).reshape(len(y), HORIZON))

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = torch.nn.LSTM(1, hidden, batch_first=True)
            self.head = torch.nn.Linear(hidden, HORIZON)

        def forward(self, x):
            mean, std = x.mean(dim=1), x.std(dim=1) + 1e-5
            _, (h, _) = self.lstm((x - mean[:, None]) / std[:, None])
            return self.head(h[-1]) * std + mean, std

    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, fused=True)
    for _ in range(EPOCHS):
        for idx in torch.randperm(len(X)).split(BATCH):
            out, std = net(X[idx])
            loss = torch.nn.functional.mse_loss(out / std, y[idx] / std)
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        return net(torch.from_numpy(train[-WINDOW:].astype(np.float32))[None, :, None])[0][0]


def lstm_kernel(train, seed, hidden=HIDDEN):
    """The LSTM's own forward and backward passes alone, over the floor's batches.

    No head, no loss, no optimizer step: torch's LSTM kernel (oneDNN on CPU) for
    the same batches and epochs, the part of every row above that no library can
    remove. It forecasts nothing (no MAE).
    """
    torch.manual_seed(seed)
    X, _ = make_windows(train.astype(np.float32), window=WINDOW, horizon=HORIZON)
    X = torch.from_numpy(np.array(X, dtype=np.float32).reshape(len(X), WINDOW, 1))
    lstm = torch.nn.LSTM(1, hidden, batch_first=True)
    for _ in range(EPOCHS):
        for idx in torch.randperm(len(X)).split(BATCH):
            _, (h, _) = lstm(X[idx])
            h.sum().backward()
    return None


def _darts_fit_predict(model, train):
    from darts import TimeSeries
    from darts.dataprocessing.transformers import Scaler

    scaler = Scaler()
    model.fit(scaler.fit_transform(TimeSeries.from_values(train.astype(np.float32))),
              verbose=False)
    return scaler.inverse_transform(model.predict(HORIZON, verbose=False)).values()[:, 0]


_DARTS_TRAINER = dict(accelerator="cpu", enable_progress_bar=False, logger=False,
                      enable_model_summary=False, enable_checkpointing=False)


def darts_lstm(train, seed, hidden=HIDDEN):
    from darts.models import BlockRNNModel

    return _darts_fit_predict(BlockRNNModel(
        model="LSTM", input_chunk_length=WINDOW, output_chunk_length=HORIZON,
        hidden_dim=hidden, n_rnn_layers=1, batch_size=BATCH, n_epochs=EPOCHS,
        random_state=seed, pl_trainer_kwargs=_DARTS_TRAINER), train)


# darts requires training_length > input_chunk_length; window + horizon lets training
# run the LSTM as far as a forecast does. --training-length changes it.
RNN_TRAINING_LENGTH = WINDOW + HORIZON


def darts_rnn(train, seed, hidden=HIDDEN, training_length=RNN_TRAINING_LENGTH):
    from darts.models import RNNModel

    return _darts_fit_predict(RNNModel(
        model="LSTM", input_chunk_length=WINDOW, training_length=training_length,
        hidden_dim=hidden, n_rnn_layers=1, batch_size=BATCH, n_epochs=EPOCHS,
        random_state=seed, pl_trainer_kwargs=_DARTS_TRAINER), train)


def neuralforecast_lstm(train, seed, hidden=HIDDEN):
    import pandas as pd
    from neuralforecast import NeuralForecast
    from neuralforecast.models import LSTM

    n_windows = len(train) - WINDOW - HORIZON + 1
    steps = EPOCHS * int(np.ceil(n_windows / BATCH))
    model = LSTM(h=HORIZON, input_size=WINDOW, encoder_hidden_size=hidden, encoder_n_layers=1,
                 decoder_layers=1, max_steps=steps, windows_batch_size=BATCH,
                 scaler_type="standard", random_seed=seed, enable_progress_bar=False,
                 logger=False, enable_model_summary=False, enable_checkpointing=False,
                 accelerator="cpu")
    df = pd.DataFrame({"unique_id": 0, "ds": np.arange(len(train)), "y": train})
    nf = NeuralForecast(models=[model], freq=1)
    nf.fit(df)
    return nf.predict()["LSTM"].to_numpy()


FLOOR = "plain PyTorch loop, LSTM + linear (the floor)"
KERNEL = "LSTM forward + backward alone (the kernel)"
PLAIN = 'sklearn-seq AttentionForecaster(scaling="window", attention=None)'


def _available(runners, train):
    """The runners whose library is installed, each run once untimed (imports, warm-up)."""
    ready = {}
    for name, fn in runners.items():
        try:
            fn(train, 0)
        except ImportError as exc:
            print(f"{name}: skipped ({exc.name} is not installed)")
            continue
        ready[name] = fn
    return ready


def main(repeat=5, n_days=1460, threads=None, training_length=RNN_TRAINING_LENGTH,
         hidden=HIDDEN):
    if threads is not None:
        torch.set_num_threads(threads)
    logging.getLogger("lightning").setLevel(logging.ERROR)
    logging.getLogger("pytorch_lightning").setLevel(logging.ERROR)
    series = make_demand(n_days=n_days, random_state=0)["demand"].to_numpy()
    train, test = series[:-HORIZON], series[-HORIZON:]
    runners = _available({
        name: functools.partial(fn, hidden=hidden) for name, fn in {
            RECOMMENDED: ours_window,
            PLAIN: ours_window_plain,
            "sklearn-seq LSTMRegressor": ours,
            FLOOR: plain_torch,
            KERNEL: lstm_kernel,
            f"darts RNNModel(LSTM, training_length={training_length})": functools.partial(
                darts_rnn, training_length=training_length),
            "darts BlockRNNModel(LSTM)": darts_lstm,
            "neuralforecast LSTM": neuralforecast_lstm,
        }.items()}, train)
    # Round robin over the libraries, one seed a round, in reversed order every
    # other round: this machine's speed drifts over minutes, and a library timed in
    # one block would carry the drift into its ratio.
    times = {name: [] for name in runners}
    maes = {name: [] for name in runners}
    names = list(runners)
    for seed in range(repeat):
        for name in names if seed % 2 == 0 else names[::-1]:
            start = time.perf_counter()
            pred = runners[name](train, seed)
            times[name].append(time.perf_counter() - start)
            if pred is not None:
                pred = np.asarray(pred, dtype=float).ravel()
                maes[name].append(float(np.mean(np.abs(pred - test))))

    def ratio(num, den):
        return statistics.median(a / b for a, b in zip(times[num], times[den]))

    def mean_se(name):
        values = maes[name]
        se = statistics.stdev(values) / len(values) ** 0.5 if len(values) > 1 else float("nan")
        return statistics.mean(values), se

    def mae(name):
        return "{:.2f} ± {:.2f}".format(*mean_se(name)) if maes[name] else "-"

    print(f"{n_days} days, window {WINDOW}, horizon {HORIZON}, hidden {hidden}, batch {BATCH}, "
          f"{EPOCHS} epochs, {os.cpu_count()} cores, {torch.get_num_threads()} torch threads, "
          f"{repeat} seeds; time: median; MAE: mean ± standard error over seeds; ratios: "
          "median over seeds of the ratio within a round")
    table([[n, f"{statistics.median(times[n]):.2f}", f"{ratio(n, RECOMMENDED):.2f}", mae(n)]
           for n in names],
          ["library", "fit + predict (s)", "time / AttentionForecaster", "MAE (28 days)"])
    rows = []
    for peer in (n for n in names if n.startswith(("darts", "neuralforecast"))):
        (theirs, se_theirs) = mean_se(peer)
        for name in [n for n in names if n.startswith("sklearn-seq")] + [FLOOR, KERNEL]:
            r = ratio(name, peer)
            if name == KERNEL:
                rows.append([peer, name, f"{r:.3f}", "-", ""])
                continue
            (m, se) = mean_se(name)
            # "equal": no more than two standard errors of the difference above theirs
            equal_or_better = m - theirs <= 2 * (se**2 + se_theirs**2) ** 0.5
            verdict = ("" if name == FLOOR else
                       "met" if r <= 0.5 and equal_or_better else
                       "no: error" if r <= 0.5 else "no: time")
            rows.append([peer, name.removeprefix("sklearn-seq "), f"{r:.3f}",
                         f"{m - theirs:+.2f} ± {(se**2 + se_theirs**2) ** 0.5:.2f}", verdict])
    if rows:
        print("goal: at most 0.5x their time at equal or better MAE (a mean at most two "
              "standard errors of the difference above theirs)")
        table(rows, ["peer", "ours", "time / theirs", "MAE - theirs", "goal"])
    return times, maes


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--threads", type=int, default=None,
                   help="torch threads for every library (default: torch's own)")
    p.add_argument("--training-length", type=int, default=RNN_TRAINING_LENGTH,
                   help="training_length of darts' RNNModel (more than the window, 56)")
    p.add_argument("--hidden", type=int, default=HIDDEN,
                   help=f"hidden size of every LSTM (default {HIDDEN})")
    a = p.parse_args()
    main(repeat=a.repeat, threads=a.threads, training_length=a.training_length,
         hidden=a.hidden)
