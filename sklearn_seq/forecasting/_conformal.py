"""Split-conformal intervals of a ``PanelForecaster``: the last steps of each
series are held back, forecast by a model fitted on the rest, and the errors (in
units of each series' step-to-step change) give the width of each level."""

import math
import warnings

import numpy as np


class ConformalMixin:
    """The calibration half of ``PanelForecaster``: it reads the forecaster's
    ``level``, ``calibration_windows``, ``horizon`` and ``window_``, and fits and
    forecasts with ``WindowsMixin``'s ``_fit_estimator`` and ``_forecast``."""

    def _levels(self):
        if self.level is None:
            return None
        levels = np.asarray(self.level, dtype=np.float64).ravel()
        if levels.size == 0 or np.any((levels <= 0) | (levels >= 100)):
            raise ValueError(
                f"level must hold coverages in percent, between 0 and 100 (e.g. (80, 95)); "
                f"got {self.level!r}."
            )
        return levels

    def _n_calibration(self, levels, lengths):
        if self.calibration_windows != "auto":
            return int(self.calibration_windows)
        needed = 1.0 / (1.0 - levels.max() / 100.0) - 1.0
        wanted = max(self.horizon, math.ceil(needed / len(lengths)))
        # Leave the longest series a few training windows before the held-back steps.
        room = max(lengths) - self.window_ - 2 * self.horizon - 2
        return int(max(1, min(wanted, room)))

    @staticmethod
    def _unit(target):
        """Mean absolute step-to-step change of a series: the unit of the conformal
        scores, so that series of any level share one calibration."""
        diffs = np.abs(np.diff(target))
        unit = float(diffs.mean()) if diffs.size else 0.0
        return unit if unit > 0 else (float(np.abs(target).mean()) or 1.0)

    def _calibrate(self, series, levels):
        k = self._n_calibration(levels, [len(p[0]) for _, _, p in series])
        cut = k + self.horizon - 1
        model = self._fit_estimator(series, cut)
        scores = []
        for _, _, parts in series:
            target = parts[0]
            n = len(target)
            if n - cut < self.window_:
                continue
            unit = self._unit(target[: n - cut])
            ends = np.arange(n - cut, n - self.horizon + 1)
            pred = self._forecast(model, [parts] * len(ends), ends)
            actual = target[ends[:, None] + np.arange(self.horizon)]
            scores.append(np.abs(actual - pred) / unit)
        scores = np.concatenate(scores)
        n = scores.shape[0]
        widths = np.empty((levels.size, self.horizon))
        for j, lvl in enumerate(levels):
            rank = math.ceil((n + 1) * lvl / 100.0)
            if rank > n:
                warnings.warn(
                    f"{n} calibration forecasts are too few for {lvl:g}% intervals "
                    f"(at least {math.ceil(100 / (100 - lvl)) - 1} are needed); the widest "
                    "error is used, and the intervals may cover less. Raise "
                    "calibration_windows or give longer series.",
                    UserWarning, stacklevel=3,
                )
                rank = n
            widths[j] = np.sort(scores, axis=0)[rank - 1]
        self.n_calibration_forecasts_ = n
        return widths
