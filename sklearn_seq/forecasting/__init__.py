"""Forecasting: windows of one series, or one global model over many series in a long
table, with honest backtests and calibrated intervals."""

from ._attention import AttentionForecaster
from ._evaluation import RollingOriginSplit, backtest
from ._panel import PanelForecaster
from ._quantile import SingleQuantileRegressor

__all__ = [
    "AttentionForecaster",
    "PanelForecaster",
    "RollingOriginSplit",
    "SingleQuantileRegressor",
    "backtest",
]
