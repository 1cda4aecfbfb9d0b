"""Time series for forecasting: a shipped classic and a seeded demand generator."""

from importlib import resources
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params

__all__ = ["load_airline", "make_demand", "make_store_demand"]


def load_airline():
    """Load the monthly international airline passengers, 1949-1960.

    The Box-Jenkins series G (Box, Jenkins and Reinsel, *Time Series Analysis*):
    144 monthly totals, in thousands of passengers, with a trend and a yearly
    seasonality that grows with the level. Public domain; shipped with the package.

    Returns
    -------
    passengers : pandas.Series of shape (144,)
        Integer counts (thousands), named ``"passengers"``, indexed by month
        start dates (``DatetimeIndex`` with frequency ``"MS"``).

    Examples
    --------
    >>> from sklearn_seq.datasets import load_airline
    >>> y = load_airline()
    >>> y.shape
    (144,)
    >>> y.index[0].strftime("%Y-%m"), int(y.iloc[0]), int(y.iloc[-1])
    ('1949-01', 112, 432)
    """
    path = resources.files("sklearn_seq.datasets") / "data" / "airline.csv"
    with path.open("r") as f:
        frame = pd.read_csv(f)
    index = pd.DatetimeIndex(pd.to_datetime(frame["month"], format="%Y-%m"), freq="MS")
    return pd.Series(frame["passengers"].to_numpy(), index=index, name="passengers")


# Over 60 lines for its numpydoc docstring (with a doctest), not for its code.
@validate_params(
    {
        "n_days": [Interval(Integral, 1, None, closed="left")],
        "start": [str],
        "promotion_rate": [Interval(Real, 0, 1, closed="both")],
        "noise": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_demand(
    n_days=730, *, start="2020-01-01", promotion_rate=0.1, noise=0.1, random_state=None
):
    """Generate daily demand with trend, weekly and yearly seasonality and promotions.

    The demand of day ``t`` is::

        level(t) * weekly(t) * yearly(t) * (1 + lift * promotion(t)) * exp(noise * e_t)

    with a linear level rising from 100 by 30% a year, a weekly profile that
    peaks on Saturday, a yearly sine with its high in early summer, a 40% lift
    on promotion days (planned ahead, so a covariate known in the future), and
    log-normal noise. ``price`` drops by 15% on promotion days.

    Parameters
    ----------
    n_days : int, default=730
        Number of days.
    start : str, default="2020-01-01"
        First date.
    promotion_rate : float, default=0.1
        Share of days with a promotion (drawn independently per day).
    noise : float, default=0.1
        Standard deviation of the multiplicative log-normal noise.
    random_state : int, RandomState instance or None, default=None
        Seeds the promotions and the noise.

    Returns
    -------
    demand : pandas.DataFrame of shape (n_days, 3)
        Columns ``"demand"`` (float), ``"promotion"`` (0/1 int) and ``"price"``
        (float), indexed by a daily ``DatetimeIndex``.

    Examples
    --------
    >>> from sklearn_seq.datasets import make_demand
    >>> df = make_demand(n_days=365, random_state=0)
    >>> df.shape, list(df.columns)
    ((365, 3), ['demand', 'promotion', 'price'])
    >>> promoted = df.promotion == 1
    >>> bool(df.loc[promoted, "demand"].mean() > df.loc[~promoted, "demand"].mean())
    True
    """
    rng = check_random_state(random_state)
    index = pd.date_range(start, periods=n_days, freq="D")
    t = np.arange(n_days, dtype=np.float64)
    level = 100.0 * (1.0 + 0.3 * t / 365.25)
    weekly = np.array([0.85, 0.9, 0.95, 1.0, 1.1, 1.3, 0.9])[index.day_of_week.to_numpy()]
    yearly = 1.0 + 0.2 * np.sin(2 * np.pi * (index.day_of_year.to_numpy() - 80) / 365.25)
    promotion = (rng.uniform(size=n_days) < promotion_rate).astype(np.int64)
    lift = 1.0 + 0.4 * promotion
    demand = level * weekly * yearly * lift * np.exp(noise * rng.standard_normal(n_days))
    price = np.where(promotion == 1, 0.85, 1.0) * 10.0
    return pd.DataFrame(
        {"demand": demand, "promotion": promotion, "price": price}, index=index
    )


# Over 60 lines for its numpydoc docstring (with a doctest), not for its code.
def make_store_demand(
    n_stores=20, n_days=365, *, promotion_rate=0.1, noise=0.1, random_state=None
):
    """Generate the daily sales of many stores: a long table for a global forecaster.

    Each store's sales follow :func:`make_demand`'s model (trend, weekly and
    yearly seasons, a lift on promotion days, log-normal noise) at a level set by
    its size (``"small"``, ``"medium"`` or ``"large"``: about 50, 150 and 400 a
    day) times a random factor, with a weekly profile of its region. Stores open
    on different days, so the series have different lengths and start dates; all
    end on the same day.

    Parameters
    ----------
    n_stores : int, default=20
        Number of stores (series).
    n_days : int, default=365
        Days of the longest series; the others start up to a third later.
    promotion_rate : float, default=0.1
        Share of days with a promotion (planned ahead: a covariate known in the
        future).
    noise : float, default=0.1
        Standard deviation of the multiplicative log-normal noise.
    random_state : int, RandomState instance or None, default=None
        Seeds everything.

    Returns
    -------
    sales : pandas.DataFrame
        One row per store and day, ordered by store then date, with columns
        ``"store"`` (str), ``"date"``, ``"sales"`` (float), ``"promotion"``
        (0/1), ``"size"`` and ``"region"`` (str, constant per store).

    Examples
    --------
    >>> from sklearn_seq.datasets import make_store_demand
    >>> sales = make_store_demand(n_stores=3, n_days=60, random_state=0)
    >>> list(sales.columns)
    ['store', 'date', 'sales', 'promotion', 'size', 'region']
    >>> sales.groupby("store")["date"].max().nunique()
    1
    """
    rng = check_random_state(random_state)
    end = pd.Timestamp("2024-12-31")
    sizes = {"small": 50.0, "medium": 150.0, "large": 400.0}
    profiles = {
        "north": np.array([0.85, 0.9, 0.95, 1.0, 1.1, 1.3, 0.9]),
        "south": np.array([0.9, 0.9, 0.9, 1.0, 1.2, 1.2, 0.9]),
    }
    frames = []
    for s in range(n_stores):
        size = rng.choice(list(sizes))
        region = rng.choice(list(profiles))
        days = n_days - int(rng.randint(0, n_days // 3 + 1))
        index = pd.date_range(end=end, periods=days, freq="D")
        t = np.arange(n_days - days, n_days, dtype=np.float64)
        level = sizes[size] * rng.uniform(0.8, 1.25) * (1.0 + 0.3 * t / 365.25)
        weekly = profiles[region][index.day_of_week.to_numpy()]
        yearly = 1.0 + 0.2 * np.sin(2 * np.pi * (index.day_of_year.to_numpy() - 80) / 365.25)
        promotion = (rng.uniform(size=days) < promotion_rate).astype(np.int64)
        sales = level * weekly * yearly * (1.0 + 0.4 * promotion)
        sales = sales * np.exp(noise * rng.standard_normal(days))
        frames.append(pd.DataFrame({
            "store": f"S{s + 1:02d}", "date": index, "sales": sales,
            "promotion": promotion, "size": size, "region": region,
        }))
    return pd.concat(frames, ignore_index=True)
