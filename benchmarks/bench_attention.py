"""Training step of the forecaster's network with each attention, and of attention pooling.

One training step (forward, loss, backward, gradient clipping, fused Adam) of
``ForecastNetwork(scaling="window")`` with additive attention, with dot-product
attention and without attention (batch 32, window 56, hidden 32:
``bench_peers.py``'s configuration), and of ``SequenceNetwork(pooling="attention")``
against the same network whose pooling scores are computed in the textbook tanh
form (batch 128, 50 steps of 8 features, hidden 64). Steps of each group
alternate; prints the median step time and the median over rounds of the ratio
within a round.

``--accuracy`` instead fits ``AttentionForecaster`` with each attention (and
none) on several series, 8 seeds each, and prints the error of the forecast of
each series' held-out last horizon from its last window (MAE, mean ± standard
error over seeds): three ``make_demand`` series with ``bench_peers.py``'s
settings and per-window scaling, the first also with global scaling, and the
airline passengers (window 24, horizon 12). It takes several minutes.

    python benchmarks/bench_attention.py [--repeat 21] [--accuracy]
"""

import argparse
import statistics

import numpy as np
import torch
from _common import interleaved, paired_ratio, table
from bench_peers import fit_and_forecast
from torch.nn import functional as F

from sklearn_seq import AttentionForecaster
from sklearn_seq.datasets import load_airline, make_demand
from sklearn_seq.nn import ForecastNetwork, SequenceNetwork, SequencePooling

STEPS = 20  # training steps per timed call


def _stepper(module, x, loss):
    params = list(module.parameters())
    opt = torch.optim.Adam(params, lr=1e-3, fused=True)

    def run():
        for _ in range(STEPS):
            opt.zero_grad()
            loss(module, x).backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
    return run


def _textbook_pooling(pool, outputs, last, lengths=None):
    # v . tanh(W h + b) + c, as written in the papers (torch.tanh, then softmax).
    weights = torch.softmax(pool.score(outputs).squeeze(-1), dim=1)
    return torch.bmm(weights.unsqueeze(1), outputs).squeeze(1), weights


def _compare(fns, repeat):
    samples = {}
    times = interleaved(fns, repeat=repeat, samples=samples)
    first = next(iter(fns))
    return [[name, f"{times[name] / STEPS * 1e6:.0f}", f"{paired_ratio(samples, name, first):.3f}"]
            for name in fns]


def main(repeat=21):
    torch.manual_seed(0)
    x = torch.randn(32, 56, 1) * 10 + 100
    y = torch.randn(32, 28) * 10 + 100

    def forecast_loss(module, x):
        z, location, scale = module.scaled_forward(x)
        return F.mse_loss(z, (y - location) / scale)

    rows = _compare({
        f"ForecastNetwork(attention={kind!r})": _stepper(
            ForecastNetwork(1, 28, hidden_size=32, attention=kind, scaling="window"),
            x, forecast_loss)
        for kind in ("additive", "dot", None)}, repeat)

    xc, yc = torch.randn(128, 50, 8), torch.randint(0, 3, (128,))
    nets = {}
    for name in ("tanh form", "sklearn-seq"):
        torch.manual_seed(0)
        nets[name] = SequenceNetwork(8, 3, hidden_size=64, pooling="attention")
    textbook = nets["tanh form"].pooling
    textbook.forward = _textbook_pooling.__get__(textbook, SequencePooling)
    rows += _compare({f'SequenceNetwork(pooling="attention"), {name}': _stepper(
        net, xc, lambda m, x: F.cross_entropy(m(x), yc)) for name, net in nets.items()}, repeat)
    print(f"training steps, {torch.get_num_threads()} torch threads, median of {repeat} rounds "
          f"of {STEPS} steps; ratio: to the first of its group, within a round")
    table(rows, ["network", "step (µs)", "ratio"])


def accuracy(seeds=8):
    demand = {rs: make_demand(n_days=1460, random_state=rs)["demand"].to_numpy()
              for rs in (0, 1, 2)}
    peers = dict(hidden_size=32, batch_size=32, max_iter=20, alpha=0.0)
    cases = [(f"make_demand(random_state={rs}), window", demand[rs], 56, 28,
              dict(scaling="window", **peers)) for rs in (0, 1, 2)]
    cases.append(("make_demand(random_state=0), global", demand[0], 56, 28,
                  dict(scaling="global", **peers)))
    cases.append(("airline passengers, window", load_airline().to_numpy(), 24, 12,
                  dict(scaling="window", hidden_size=16, batch_size=16, max_iter=100,
                       alpha=0.0)))
    kinds = ("additive", "dot", None)
    rows = []
    for name, series, window, horizon, params in cases:
        row = [name]
        for kind in kinds:
            errors = []
            for seed in range(seeds):
                model = AttentionForecaster(attention=kind, random_state=seed, **params)
                forecast = fit_and_forecast(model, series[:-horizon], window, horizon)
                errors.append(float(np.mean(np.abs(forecast - series[-horizon:]))))
            se = statistics.stdev(errors) / len(errors) ** 0.5
            row.append(f"{statistics.mean(errors):.2f} ± {se:.2f}")
        rows.append(row)
        print(*row, sep=" | ", flush=True)
    print(f"\nMAE of the held-out horizon, mean ± standard error over {seeds} seeds")
    table(rows, ["series, scaling"] + [f"attention={k!r}" for k in kinds])


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=21)
    p.add_argument("--accuracy", action="store_true",
                   help="compare forecast errors instead of step times")
    a = p.parse_args()
    accuracy() if a.accuracy else main(repeat=a.repeat)
