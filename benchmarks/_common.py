"""Shared helpers for the benchmark scripts: side-by-side timing and tables."""

import statistics
import time


def timeit(fn, repeat=5, warmup=1):
    """Median wall time of ``fn()`` over ``repeat`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved(fns, repeat=5, warmup=1, cpu=None, samples=None):
    """Median times of several callables measured in alternation (same conditions).

    Each round runs every callable once; the order reverses every other round
    (A B, B A, ...), so neither always runs right after the other. With a dict
    ``cpu``, it also receives each callable's median process CPU time (all
    threads), which other load on a shared machine disturbs less than wall time.
    With a dict ``samples``, it receives every round's ``(wall, cpu)`` times per
    callable, for ratios taken within a round (see :func:`paired_ratio`).
    """
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    times = {name: [] for name in fns}
    cpu_times = {name: [] for name in fns}
    names = list(fns)
    for r in range(repeat):
        for name in names if r % 2 == 0 else names[::-1]:
            start, start_cpu = time.perf_counter(), time.process_time()
            fns[name]()
            times[name].append(time.perf_counter() - start)
            cpu_times[name].append(time.process_time() - start_cpu)
    if cpu is not None:
        cpu.update({name: statistics.median(t) for name, t in cpu_times.items()})
    if samples is not None:
        samples.update({name: (times[name], cpu_times[name]) for name in fns})
    return {name: statistics.median(t) for name, t in times.items()}


def paired_ratio(samples, num, den, kind=0):
    """Median over rounds of ``num / den`` timed in the same round (0: wall, 1: CPU).

    On a machine whose speed drifts between rounds, the ratio within a round is
    steadier than the ratio of the two medians.
    """
    return statistics.median(a / b for a, b in zip(samples[num][kind], samples[den][kind]))


def table(rows, headers):
    """Print a Markdown table."""
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(headers)]
    line = "| " + " | ".join(str(h).ljust(w) for h, w in zip(headers, widths)) + " |"
    print(line)
    print("| " + " | ".join("-" * w for w in widths) + " |")
    for r in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |")


def synchronize(device):
    """Wait for ``device`` (a GPU runs asynchronously) before a clock stops."""
    if str(device).startswith("cuda"):
        import torch

        torch.cuda.synchronize()
