"""Inspection of fitted estimators, as :mod:`sklearn.inspection`: which time
steps, features or tokens of a sequence its prediction rests on."""

from ._attributions import sequence_attributions

__all__ = ["sequence_attributions"]
