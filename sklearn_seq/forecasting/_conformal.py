"""Split-conformal intervals of a ``PanelForecaster``: the last steps of each
series are held back, forecast by a model fitted on the rest, and the errors (in
units of each series' step-to-step change) give the width of each level.

The errors of all horizon steps are pooled, each divided by the typical error of
its step, so that a short series calibrates its intervals from every error of its
held-back stretch rather than from the few of each step::

    held back      | x x x x x x x x |          horizon 3, calibration_windows 6
    origin 1       [e e e]                      errors of steps 1, 2, 3
    ...
    origin 6                 [e e e]
    origin 7                   [e e]  .         partial: the steps before the end
    origin 8                     [e]  . .
"""

import math
import warnings

import numpy as np

# Scores of a horizon step that weigh as much as the random-walk law in that
# step's typical error: with fewer the law dominates, with many the step's own mean.
_PRIOR_SCORES = 20


class ConformalMixin:
    """The calibration half of ``PanelForecaster``: it reads the forecaster's
    ``level``, ``calibration_windows``, ``horizon`` and ``window_``, and fits and
    forecasts with ``WindowsMixin``'s ``_fit_estimator``, ``_forecast`` and
    ``_n_future``."""

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
        # Origins whose horizon runs past the end score the steps before it; not with
        # future covariates, which the steps past the end do not have.
        last = cut if self._n_future() == 0 else k
        scores = []
        for _, _, parts in series:
            target = parts[0]
            n = len(target)
            if n - cut < self.window_:
                continue
            unit = self._unit(target[: n - cut])
            ends = np.arange(n - cut, n - cut + last)
            pred = self._forecast(model, [parts] * len(ends), ends)
            steps = ends[:, None] + np.arange(self.horizon)
            actual = np.where(steps < n, target[np.minimum(steps, n - 1)], np.nan)
            scores.append(np.abs(actual - pred) / unit)
        scores = np.concatenate(scores)
        self.n_calibration_forecasts_ = scores.shape[0]
        return conformal_widths(scores, levels)


def step_scale(scores):
    """Typical score of each horizon step: its mean, shrunk toward a random-walk law
    (proportional to the square root of the step) fitted to all steps, the more so
    the fewer scores the step has. ``scores`` is (n_forecasts, horizon), NaN where
    a step was not observed."""
    observed = ~np.isnan(scores)
    counts = observed.sum(axis=0)
    total = np.where(observed, scores, 0.0)
    root = np.sqrt(np.arange(1, scores.shape[1] + 1))
    law = root * (total / root).sum() / counts.sum()
    scale = (total.sum(axis=0) + _PRIOR_SCORES * law) / (counts + _PRIOR_SCORES)
    return np.where(scale > 0, scale, 1.0)


def conformal_widths(scores, levels):
    """Half-widths (n_levels, horizon) from the calibration ``scores`` (n_forecasts,
    horizon; NaN where a step was not observed): the finite-sample conformal
    quantile of the scores of all steps, each divided by :func:`step_scale`, then
    scaled back per step.

    The scores of one forecast are correlated (its errors accumulate over the
    horizon), so the finite-sample correction counts ``n / sqrt(horizon)``
    independent scores rather than ``n``: on generated random walks, AR(1),
    seasonal and trending series of 30 to 100 steps, each fitted alone with a
    horizon of 6, the intervals covered 81% and 92% at nominal 80 and 95 counting
    ``n``, 84% and 95% counting ``n / sqrt(horizon)`` (per-step quantiles: 78% and
    85%)."""
    scale = step_scale(scores)
    pooled = np.sort((scores / scale)[~np.isnan(scores)])
    n = pooled.size
    n_eff = max(1, int(n / math.sqrt(scores.shape[1])))
    widths = np.empty((levels.size, scores.shape[1]))
    for j, lvl in enumerate(levels):
        share = math.ceil((n_eff + 1) * lvl / 100.0) / n_eff
        if share > 1:
            warnings.warn(
                f"{scores.shape[0]} calibration forecasts ({n} errors over the horizon, "
                f"worth about {n_eff} independent ones) are too few for {lvl:g}% "
                f"intervals (at least {math.ceil(100 / (100 - lvl)) - 1} independent ones "
                "are needed); the widest error is used, and the intervals may cover "
                "less. Raise calibration_windows or give longer series.",
                UserWarning, stacklevel=5,
            )
            share = 1.0
        widths[j] = pooled[max(0, math.ceil(share * n) - 1)] * scale
    return widths
