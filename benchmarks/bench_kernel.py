"""torch's LSTM kernel alone: the cost no library on it can remove.

One forward and backward pass of ``torch.nn.LSTM`` (one input feature, 56 steps:
``bench_peers.py``'s windows) for several batch and hidden sizes, through
oneDNN (torch's CPU kernel for float32 LSTMs, used by default) and through
torch's own kernel (``torch.backends.mkldnn.flags(enabled=False)``), measured in
alternation. Prints the median time of each, the arithmetic rate of the oneDNN
pass (the gate products: 2 x 4 x hidden x (inputs + hidden) floating-point
operations per sequence and step forward, twice that backward), and the ratio of
torch's own kernel to oneDNN.

The rate shows how close the kernel is to the core's arithmetic limit, and the
time at batch 8 against batch 32 how much of it is a fixed cost per step that a
smaller model does not remove. ``bench_peers.py`` prints the same kernel's share
of each library's training time.

    python benchmarks/bench_kernel.py [--repeat 21] [--threads N]
"""

import argparse
import warnings

import torch
from _common import interleaved, paired_ratio, table

STEPS, FEATURES = 56, 1


def _pass(lstm, x, onednn):
    def run():
        with torch.backends.mkldnn.flags(enabled=onednn):
            out, (h, _) = lstm(x)
            (out.sum() + h.sum()).backward()
    return run


def main(repeat=21, threads=None):
    # torch warns on every switch of the oneDNN flags about TF32 on Intel GPUs.
    warnings.filterwarnings("ignore", message="TF32 acceleration")
    if threads is not None:
        torch.set_num_threads(threads)
    torch.manual_seed(0)
    rows = []
    for hidden in (16, 32, 64):
        for batch in (8, 32, 128):
            lstm = torch.nn.LSTM(FEATURES, hidden, batch_first=True)
            x = torch.randn(batch, STEPS, FEATURES)
            samples = {}
            times = interleaved({"onednn": _pass(lstm, x, True),
                                 "torch": _pass(lstm, x, False)},
                                repeat=repeat, warmup=3, samples=samples)
            flops = 3 * 2 * 4 * hidden * (FEATURES + hidden) * STEPS * batch
            rows.append([hidden, batch, f"{times['onednn'] * 1e3:.2f}",
                         f"{flops / times['onednn'] / 1e9:.1f}",
                         f"{times['torch'] * 1e3:.2f}",
                         f"{paired_ratio(samples, 'torch', 'onednn'):.2f}"])
    print(f"LSTM forward + backward, {STEPS} steps, {FEATURES} feature, "
          f"{torch.get_num_threads()} torch threads, median of {repeat}")
    table(rows, ["hidden", "batch", "oneDNN (ms)", "oneDNN GFLOP/s", "torch's own (ms)",
                 "torch's own / oneDNN"])


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=21)
    p.add_argument("--threads", type=int, default=None,
                   help="torch threads (default: torch's own, all cores)")
    a = p.parse_args()
    main(repeat=a.repeat, threads=a.threads)
