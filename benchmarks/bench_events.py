"""Event log to sequences: 10 million events, 100,000 ids, shuffled rows.

Times :func:`~sklearn_seq.preprocessing.events_to_sequences` on a shuffled table
(id, datetime, two numeric columns, a 6-category string column and a pandas
categorical column), with and without the time-delta feature, on the same table
already sorted by id and time (the check that skips the sort), and
:class:`EventSequencer` fit + transform; against a pandas ``groupby`` that builds
one array per id, the loop-per-id way. Goal: seconds at 10M events.

    python benchmarks/bench_events.py [--events 10000000] [--ids 100000] [--no-groupby]
"""

import argparse
import time

import numpy as np
import pandas as pd
from _common import table

from sklearn_seq.preprocessing import EventSequencer, events_to_sequences


def make_events(n_events, n_ids, seed=0):
    rng = np.random.RandomState(seed)
    kinds = np.array(["login", "view", "cart", "buy", "refund", "support"], dtype=object)
    return pd.DataFrame(
        {
            "id": rng.randint(0, n_ids, n_events),
            "time": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.randint(0, 365 * 86400, n_events), unit="s"),
            "amount": rng.lognormal(3, 1, n_events).astype(np.float32),
            "quantity": rng.randint(1, 5, n_events),
            "kind": kinds[rng.randint(0, len(kinds), n_events)],
            "channel": pd.Categorical.from_codes(rng.randint(0, 3, n_events),
                                                 ["web", "app", "store"]),
        }
    )


def measure(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main(n_events=10_000_000, n_ids=100_000, groupby=True):
    start = time.perf_counter()
    events = make_events(n_events, n_ids)
    print(f"generated {n_events:,} events of {n_ids:,} ids in {time.perf_counter() - start:.1f} s")
    sorted_events = events.sort_values(["id", "time"], kind="stable", ignore_index=True)

    cases = {
        "events_to_sequences": lambda: events_to_sequences(events, "id", "time"),
        "  + time_delta='log'": lambda: events_to_sequences(
            events, "id", "time", time_delta="log"
        ),
        "  on a table already sorted": lambda: events_to_sequences(sorted_events, "id", "time"),
        "EventSequencer fit + transform": lambda: (
            EventSequencer("id", "time").fit(events).transform(events),
            None,
        ),
    }
    if groupby:
        cols = ["amount", "quantity"]
        cases["pandas groupby, one array per id (numeric only)"] = lambda: (
            [g[cols].to_numpy(np.float32) for _, g in sorted_events.groupby("id", sort=True)],
            None,
        )
    rows = []
    for name, fn in cases.items():
        elapsed, (seqs, _) = measure(fn)
        rows.append(
            [name, f"{elapsed:.2f}", f"{n_events / elapsed / 1e6:.1f}", len(seqs), seqs[0].shape[1]]
        )
    table(rows, ["case", "seconds", "M events/s", "sequences", "features/step"])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--ids", type=int, default=100_000)
    parser.add_argument("--no-groupby", action="store_true")
    args = parser.parse_args()
    main(args.events, args.ids, groupby=not args.no_groupby)
