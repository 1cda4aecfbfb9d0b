"""Forecasting datasets: the shipped airline series and the demand generator."""

import numpy as np
import pandas as pd
import pytest

from sklearn_seq.datasets import load_airline, make_demand


def test_airline_is_the_box_jenkins_series():
    y = load_airline()
    assert isinstance(y, pd.Series) and y.name == "passengers"
    assert y.shape == (144,) and y.sum() == 40363
    assert y.index[0] == pd.Timestamp("1949-01-01")
    assert y.index[-1] == pd.Timestamp("1960-12-01")
    assert y.index.freqstr == "MS"
    assert y.iloc[:3].tolist() == [112, 118, 132] and y.max() == 622


def test_make_demand_is_seeded():
    pd.testing.assert_frame_equal(make_demand(random_state=3), make_demand(random_state=3))
    assert not make_demand(random_state=3).equals(make_demand(random_state=4))


def test_make_demand_has_trend_seasonality_and_promotions():
    df = make_demand(n_days=3 * 365, noise=0.05, promotion_rate=0.2, random_state=0)
    assert df.index.freqstr == "D" and (df["demand"] > 0).all()
    base = df[df.promotion == 0]["demand"]
    # trend: the last year sells more than the first
    assert base.iloc[-300:].mean() > 1.3 * base.iloc[:300].mean()
    # weekly: Saturdays beat Mondays
    by_day = (base / base.rolling(28, center=True, min_periods=1).mean()).groupby(
        base.index.day_of_week
    ).mean()
    assert by_day[5] > 1.2 * by_day[0]
    # promotions lift demand by about 40% and cut the price
    ratio = df["demand"] / df["demand"].rolling(28, center=True, min_periods=1).median()
    lift = ratio[df.promotion == 1].mean() / ratio[df.promotion == 0].mean()
    assert 1.25 < lift < 1.55
    assert (df.loc[df.promotion == 1, "price"] < df.loc[df.promotion == 0, "price"].min()).all()
    assert 0.15 < df.promotion.mean() < 0.25


def test_make_demand_rejects_bad_parameters():
    with pytest.raises(ValueError, match="'n_days' parameter"):
        make_demand(n_days=0)
    with pytest.raises(ValueError, match="'promotion_rate' parameter"):
        make_demand(promotion_rate=1.5)


def test_make_demand_yearly_seasonality_peaks_in_summer():
    df = make_demand(n_days=4 * 365, noise=0.0, promotion_rate=0.0, random_state=0)
    detrended = df["demand"] / (100.0 * (1 + 0.3 * np.arange(len(df)) / 365.25))
    by_month = detrended.groupby(df.index.month).mean()
    assert by_month.idxmax() in (5, 6, 7) and by_month.idxmin() in (11, 12, 1)
