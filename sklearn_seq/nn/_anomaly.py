"""Next-step prediction error of sequences, for anomaly detection.

The network reads a sequence step by step and predicts each step from the steps
before it (the first step from a learned start value). Its output is the error
of those predictions per sequence, so that training minimises the error on
normal data and a large error at prediction time marks an unusual sequence::

    input      x0    x1    x2    x3
    state      h0    h1    h2    h3
    predicted  s     f(h0) f(h1) f(h2)     s: learned start, f: linear head
    error      mean over real steps of ||predicted - x||^2 / n_features

The recurrence only looks back, so the padding after a short sequence never
reaches a real step and is left out of the mean: ragged batches are exact.
"""

import torch
from torch import nn

from ._recurrent import RecurrentEncoder, length_mask, register_standardization

__all__ = ["NextStepNetwork", "OutputLoss", "squared_distance"]


class NextStepNetwork(nn.Module):
    """Predict every step from the previous ones; return the error per sequence.

    Parameters
    ----------
    input_size : int
        Features per step.
    hidden_size : int
        Hidden units of each recurrent layer.
    num_layers : int, default=1
        Stacked layers.
    cell : {"lstm", "gru", "rnn"}, default="lstm"
        The recurrent cell.
    dropout : float, default=0.0
        Dropout between stacked layers and before the head.
    input_mean, input_scale : array-like of shape (input_size,), optional
        Fixed standardisation of every step; errors are measured in these units.
    dtype : torch.dtype, default=torch.float32
        Parameter dtype, fixed at construction.
    """

    def __init__(
        self,
        input_size,
        hidden_size=64,
        num_layers=1,
        cell="lstm",
        dropout=0.0,
        input_mean=None,
        input_scale=None,
        dtype=torch.float32,
    ):
        super().__init__()
        register_standardization(self, input_size, input_mean, input_scale)
        self.encoder = RecurrentEncoder(input_size, hidden_size, num_layers, cell, False, dropout)
        self.start = nn.Parameter(torch.zeros(input_size))
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size, input_size)
        self.to(dtype)

    def _read(self, x, lengths):
        """The standardised steps and the last layer's states over them."""
        z = (x - self.input_mean) / self.input_scale
        outputs, _ = self.encoder(z, lengths)
        return z, outputs

    def step_errors(self, x, lengths=None):
        """Squared error of each step's prediction, ``(batch, time)``, 0 on padding."""
        return self._step_errors(*self._read(x, lengths), lengths)

    def _step_errors(self, z, outputs, lengths):
        ahead = self.head(self.dropout(outputs[:, :-1]))
        start = self.start.expand(z.shape[0], 1, z.shape[2])
        predicted = torch.cat([start, ahead], dim=1)
        errors = (predicted - z).pow(2).mean(dim=2)
        if lengths is not None:
            errors = errors * length_mask(lengths.to(errors.device), errors.shape[1])
        return errors

    def summary(self, x, lengths=None):
        """Each sequence's mean and maximum of the last layer's states over its real
        steps, ``(batch, 2 * hidden_size)``: where the network's reading of the
        sequence went, which the detector's state score compares with the normal
        sequences' (padding is left out, so ragged batches are exact)."""
        return self._summary(self._read(x, lengths)[1], lengths)

    def step_errors_and_summary(self, x, lengths=None):
        """:meth:`step_errors` and :meth:`summary` from one reading of ``x``."""
        z, outputs = self._read(x, lengths)
        return self._step_errors(z, outputs, lengths), self._summary(outputs, lengths)

    @staticmethod
    def _summary(outputs, lengths):
        if lengths is None:
            return torch.cat([outputs.mean(dim=1), outputs.amax(dim=1)], dim=1)
        lengths = lengths.to(outputs.device)
        real = length_mask(lengths, outputs.shape[1]).unsqueeze(-1)
        mean = (outputs * real).sum(dim=1) / lengths.to(outputs.dtype).unsqueeze(-1)
        peak = outputs.masked_fill(~real, float("-inf")).amax(dim=1)
        return torch.cat([mean, peak], dim=1)

    def forward(self, x, lengths=None):
        """Mean squared next-step error of each sequence, ``(batch,)``."""
        errors = self.step_errors(x, lengths)
        if lengths is None:
            return errors.mean(dim=1)
        return errors.sum(dim=1) / lengths.to(errors.device, errors.dtype)


def squared_distance(summary, location, precision):
    """Squared Mahalanobis distance of each row of ``summary`` from ``location``
    under ``precision``, in float64 (the detector's state score, negated)."""
    centred = summary.double() - location
    return ((centred @ precision) * centred).sum(dim=1)


class OutputLoss(nn.Module):
    """A criterion for networks whose output already is the per-sample loss.

    Parameters
    ----------
    reduction : {"none", "mean", "sum"}, default="mean"
        As in torch's losses; the target is ignored.
    """

    def __init__(self, reduction="mean"):
        super().__init__()
        self.reduction = reduction

    def forward(self, y_pred, y_true=None):
        if self.reduction == "mean":
            return y_pred.mean()
        if self.reduction == "sum":
            return y_pred.sum()
        return y_pred
