"""Windowing a long series: strided views against copying every window.

Windows a 10,000,000-step float32 series with ``window=128`` (goal: well under a
second, and a peak of extra memory that is a small fraction of the copy) with
:func:`~sklearn_seq.preprocessing.make_windows`, alone and with a covariate (which
stacks the two columns once), and with :class:`SequenceWindower`; against the
naive way, a contiguous ``(n_windows, window, 1)`` copy (5.1 GB at full size).
Peak extra memory is measured with ``tracemalloc`` (numpy reports its buffers).

    python benchmarks/bench_windowing.py [--steps 10000000] [--window 128] [--no-copy]
"""

import argparse
import gc
import time
import tracemalloc

import numpy as np
from _common import table

from sklearn_seq.preprocessing import SequenceWindower, make_windows


def measure(fn):
    """Wall time and peak of memory allocated during ``fn()`` (bytes)."""
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    start = time.perf_counter()
    out = fn()
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak, out


def main(steps=10_000_000, window=128, copy=True):
    rng = np.random.RandomState(0)
    series = rng.standard_normal(steps).astype(np.float32)
    promo = (rng.uniform(size=steps) < 0.1).astype(np.float32)
    n_windows = steps - window
    copy_bytes = n_windows * window * series.itemsize

    cases = {
        "make_windows (series)": lambda: make_windows(series, window=window),
        "make_windows (+ covariate)": lambda: make_windows(
            series, window=window, covariates=promo
        ),
        "SequenceWindower (table)": lambda: (
            SequenceWindower(window=window).fit_transform(series[:, None]),
            None,
        ),
    }
    if copy:
        cases["naive copy of the windows"] = lambda: (
            np.ascontiguousarray(
                np.lib.stride_tricks.sliding_window_view(series[:-1], window)[:, :, None]
            ),
            series[window:].copy(),
        )

    rows = []
    for name, fn in cases.items():
        elapsed, peak, (X, _) = measure(fn)
        rows.append(
            [
                name,
                f"{X.shape}",
                f"{elapsed * 1000:.1f} ms",
                f"{peak / 2**20:.1f} MiB",
                f"{peak / (X.size * X.itemsize):.4f}",
            ]
        )
        del X
    print(
        f"{steps:,} float32 steps ({series.nbytes / 2**20:.0f} MiB), window={window}; "
        f"a copy of the windows is {copy_bytes / 2**30:.2f} GiB"
    )
    table(rows, ["method", "X shape", "time", "peak extra memory", "peak / copy of its X"])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000_000)
    parser.add_argument("--window", type=int, default=128)
    parser.add_argument("--no-copy", action="store_true", help="skip the 5 GB naive copy")
    args = parser.parse_args()
    main(steps=args.steps, window=args.window, copy=not args.no_copy)
