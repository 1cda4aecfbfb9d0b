"""Event logs with one label per id: card transactions (fraud) and customer events (churn).

Both generators return a long-format table sorted by time, as a log arrives, and
the labels as a pandas Series indexed by the sorted ids, so that
``events_to_sequences(events, ...)`` and ``labels.loc[ids]`` line up.
"""

from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params

from ..utils._docstrings import fill_doc

__all__ = ["make_card_transactions", "make_customer_events"]

_MERCHANTS = np.array(
    ["grocery", "fuel", "restaurant", "online_retail", "electronics", "travel", "cash"],
    dtype=object,
)
_DAY = 86400.0


def _per_row(values, counts):
    return np.repeat(values, counts, axis=0)


# Over 60 lines for its numpydoc docstring (with a doctest), not for its code.
@validate_params(
    {
        "n_cards": [Interval(Integral, 1, None, closed="left")],
        "fraud_rate": [Interval(Real, 0, 1, closed="both")],
        "n_days": [Interval(Integral, 10, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
@fill_doc
def make_card_transactions(n_cards=2000, *, fraud_rate=0.02, n_days=90, random_state=None):
    """Generate card transactions where a few cards end in a fraud episode.

    Every card has its own spending level, merchant mix and daytime habits, and
    10 to about 60 transactions over ``n_days``. A share ``fraud_rate`` of the
    cards is compromised in its last ten days: in most episodes a "card test"
    (one to three tiny online payments minutes apart) precedes one to three
    large payments at electronics, cash or travel merchants within the hour,
    often at night; some episodes skip the test or spend only moderately more
    than usual. Normal cards also make tiny online payments, rapid
    successions of payments and large electronics purchases now and then,
    just not in that order and tempo, so aggregate counts alone are not enough.

    Parameters
    ----------
    n_cards : int, default=2000
        Number of cards.
    fraud_rate : float, default=0.02
        Share of compromised cards (at least one when positive).
    n_days : int, default=90
        Length of the period.
    %(random_state_seed)s

    Returns
    -------
    transactions : pandas.DataFrame
        One row per transaction, sorted by time: ``"card_id"`` (int),
        ``"time"`` (datetime64), ``"amount"`` (float, dollars), ``"merchant"``
        (str, one of seven categories) and ``"online"`` (0/1).
    is_fraud : pandas.Series of int
        1 for compromised cards, indexed by the sorted card ids.

    Examples
    --------
    >>> from sklearn_seq.datasets import make_card_transactions
    >>> tx, is_fraud = make_card_transactions(n_cards=200, fraud_rate=0.05, random_state=0)
    >>> list(tx.columns)
    ['card_id', 'time', 'amount', 'merchant', 'online']
    >>> len(is_fraud), int(is_fraud.sum())
    (200, 10)
    """
    rng = check_random_state(random_state)
    card, time, amount, merchant, online = _everyday_transactions(rng, n_cards, n_days)
    n_fraud = int(round(fraud_rate * n_cards)) if fraud_rate < 1 else n_cards
    n_fraud = max(n_fraud, 1) if fraud_rate > 0 else 0
    fraud_cards = rng.choice(n_cards, n_fraud, replace=False)
    rows = _fraud_episodes(rng, fraud_cards, n_cards, n_days)
    if rows:
        f_card, f_time, f_amount, f_merchant, f_online = map(np.asarray, zip(*rows))
        card = np.concatenate([card, f_card])
        time = np.concatenate([time, f_time])
        amount = np.concatenate([amount, f_amount])
        merchant = np.concatenate([merchant, f_merchant])
        online = np.concatenate([online, f_online])

    order = np.argsort(time, kind="stable")
    transactions = pd.DataFrame(
        {
            "card_id": card[order].astype(np.int64),
            "time": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.round(time[order]), unit="s"),
            "amount": np.round(amount[order], 2),
            "merchant": _MERCHANTS[merchant[order].astype(np.int64)],
            "online": online[order].astype(np.int64),
        }
    )
    is_fraud = np.zeros(n_cards, dtype=np.int64)
    is_fraud[fraud_cards] = 1
    return transactions, pd.Series(is_fraud, index=pd.RangeIndex(n_cards, name="card_id"),
                                   name="is_fraud")


def _everyday_transactions(rng, n_cards, n_days):
    """Every card's own habits, and the confounders: ``(card, time, amount,
    merchant, online)`` per transaction, unsorted."""
    counts = 10 + rng.poisson(rng.uniform(5, 50, n_cards))
    n = counts.sum()
    card = _per_row(np.arange(n_cards), counts)
    level = _per_row(rng.normal(3.3, 0.5, n_cards), counts)
    prefs = rng.dirichlet(np.array([4, 2, 3, 2, 0.5, 0.5, 1.0]), n_cards)
    cum = _per_row(np.cumsum(prefs, axis=1), counts)
    merchant = (rng.uniform(size=(n, 1)) > cum).sum(axis=1).clip(max=len(_MERCHANTS) - 1)
    peak_hour = _per_row(rng.uniform(10, 18, n_cards), counts)
    hour = np.clip(rng.normal(peak_hour, 3.0), 6.0, 23.9)
    time = rng.randint(0, n_days, n) * _DAY + hour * 3600.0
    amount = np.exp(rng.normal(level, 0.6))
    online = (merchant == 3) | (rng.uniform(size=n) < 0.05)

    # Confounders: tiny online payments, large electronics purchases, quick repeats.
    tiny = rng.uniform(size=n) < 0.03
    merchant[tiny], online[tiny] = 3, True
    amount[tiny] = rng.uniform(0.5, 2.0, tiny.sum())
    big = rng.uniform(size=n) < 0.02
    merchant[big] = 4
    amount[big] *= rng.uniform(4, 10, big.sum())
    repeat = np.flatnonzero(rng.uniform(size=n) < 0.03)
    time[repeat] = time[np.maximum(repeat - 1, 0)] + rng.uniform(60, 900, len(repeat))
    card[repeat] = card[np.maximum(repeat - 1, 0)]
    return card, time, amount, merchant, online


def _fraud_episodes(rng, fraud_cards, n_cards, n_days):
    """The rows ``(card, time, amount, merchant, online)`` of the fraud episodes."""
    levels = rng.normal(3.3, 0.5, n_cards)  # spending level seen by the fraudster
    rows = []
    for c in fraud_cards:
        start = (n_days - rng.uniform(0.5, 10)) * _DAY
        if rng.uniform() < 0.6:
            start = np.floor(start / _DAY) * _DAY + rng.uniform(0, 5) * 3600.0  # night
        t = start
        if rng.uniform() < 0.75:  # the card test
            for _ in range(rng.randint(1, 4)):
                rows.append((c, t, rng.uniform(0.5, 2.0), 3, True))
                t += rng.uniform(60, 600)
        boost = rng.uniform(1.5, 2.5) if rng.uniform() < 0.75 else rng.uniform(0.5, 1.0)
        for _ in range(rng.randint(1, 4)):
            t += rng.uniform(300, 3600)
            m = rng.choice([4, 5, 6])
            rows.append((c, t, np.exp(levels[c] + boost + 0.3 * rng.randn()), m, m != 6))
    return rows


_EVENTS = np.array(["login", "purchase", "support", "complaint"], dtype=object)


# Over 60 lines for its numpydoc docstring (with a doctest), not for its code.
@validate_params(
    {
        "n_customers": [Interval(Integral, 1, None, closed="left")],
        "churn_rate": [Interval(Real, 0, 1, closed="both")],
        "n_days": [Interval(Integral, 30, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
@fill_doc
def make_customer_events(n_customers=1000, *, churn_rate=0.25, n_days=180, random_state=None):
    """Generate a customer event log where churners fade out before they leave.

    Every customer signs up (a ``"signup"`` event) and then logs in, buys,
    calls support and complains at their own rate over ``n_days``. A share
    ``churn_rate`` of them churns: from a random day on, their activity decays
    (by half every two to four weeks), support calls and complaints grow, and
    some downgrade their plan. Some loyal customers also go through a quiet
    spell that recovers, and activity levels differ tenfold between customers,
    so the trend tells more than the totals.

    Parameters
    ----------
    n_customers : int, default=1000
        Number of customers.
    churn_rate : float, default=0.25
        Share of customers who churn (drawn per customer).
    n_days : int, default=180
        Length of the log.
    %(random_state_seed)s

    Returns
    -------
    events : pandas.DataFrame
        One row per event, sorted by time: ``"customer_id"`` (int), ``"time"``
        (datetime64), ``"event"`` (str: signup, login, purchase, support,
        complaint, downgrade) and ``"amount"`` (float, 0 except for purchases).
    churned : pandas.Series of int
        1 for churners, indexed by the sorted customer ids.

    Examples
    --------
    >>> from sklearn_seq.datasets import make_customer_events
    >>> events, churned = make_customer_events(n_customers=100, random_state=0)
    >>> list(events.columns)
    ['customer_id', 'time', 'event', 'amount']
    >>> events.customer_id.nunique(), len(churned)
    (100, 100)
    """
    rng = check_random_state(random_state)
    churn = rng.uniform(size=n_customers) < churn_rate
    signup, fade, cust, t, fading = _customer_activity(rng, churn, n_days)

    probs = np.where(fading[:, None], [0.6, 0.1, 0.18, 0.12], [0.72, 0.2, 0.06, 0.02])
    kind = (rng.uniform(size=(len(t), 1)) > np.cumsum(probs, axis=1)).sum(axis=1).clip(max=3)
    event = _EVENTS[kind]
    amount = np.where(kind == 1, np.round(np.exp(rng.normal(3.5, 0.7, len(t))), 2), 0.0)

    downgrade = np.flatnonzero(churn & (rng.uniform(size=n_customers) < 0.4))
    d_time = np.minimum(fade[downgrade] + rng.uniform(0, 20, len(downgrade)), n_days - 0.01)
    cust = np.concatenate([np.arange(n_customers), cust, downgrade])
    t = np.concatenate([signup, t, d_time])
    event = np.concatenate([np.full(n_customers, "signup", dtype=object), event,
                            np.full(len(downgrade), "downgrade", dtype=object)])
    amount = np.concatenate([np.zeros(n_customers), amount, np.zeros(len(downgrade))])

    order = np.argsort(t, kind="stable")
    events = pd.DataFrame(
        {
            "customer_id": cust[order].astype(np.int64),
            "time": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(np.round(t[order] * _DAY), unit="s"),
            "event": event[order],
            "amount": amount[order],
        }
    )
    churned = pd.Series(churn.astype(np.int64),
                        index=pd.RangeIndex(n_customers, name="customer_id"), name="churned")
    return events, churned


def _customer_activity(rng, churn, n_days):
    """Each customer's signup and fading day, and the customer, time and fading flag
    of every activity event: a Poisson process at each customer's peak rate,
    thinned where a churner fades or a loyal customer goes quiet."""
    n_customers = len(churn)
    rate = np.exp(rng.uniform(np.log(0.1), np.log(1.0), n_customers))  # events per day
    signup = rng.uniform(0, 0.3 * n_days, n_customers)
    fade = rng.uniform(0.35, 0.8, n_customers) * n_days
    half_life = rng.uniform(14, 28, n_customers)
    quiet = ~churn & (rng.uniform(size=n_customers) < 0.3)
    quiet_start = rng.uniform(0.2, 0.6, n_customers) * n_days
    quiet_len = rng.uniform(10, 30, n_customers)

    counts = rng.poisson(rate * (n_days - signup))
    cust = _per_row(np.arange(n_customers), counts)
    t = _per_row(signup, counts) + rng.uniform(size=counts.sum()) * _per_row(
        n_days - signup, counts
    )
    after = t - _per_row(fade, counts)
    fading = _per_row(churn, counts) & (after > 0)
    keep = np.where(fading, 0.5 ** (after / _per_row(half_life, counts)), 1.0)
    in_quiet = (
        _per_row(quiet, counts)
        & (t > _per_row(quiet_start, counts))
        & (t < _per_row(quiet_start + quiet_len, counts))
    )
    keep = np.where(in_quiet, 0.25, keep)
    kept = rng.uniform(size=len(t)) < keep
    return signup, fade, cust[kept], t[kept], fading[kept]
