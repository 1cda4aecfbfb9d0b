"""Taggers and per-step regressors of numeric sequences, by recurrent cell."""

from ..utils._docstrings import fill_doc
from ._base import _StepRegressor, _Tagger

__all__ = ["GRUStepRegressor", "GRUTagger", "LSTMStepRegressor", "LSTMTagger"]


@fill_doc(cell="LSTM")
class LSTMTagger(_Tagger):
    """LSTM sequence tagger: a label at every time step, trained with skorch.

    %(tagger_sections)s
    """

    cell = "lstm"


@fill_doc(cell="GRU")
class GRUTagger(_Tagger):
    """GRU sequence tagger: a label at every time step, trained with skorch.

    %(tagger_sections)s
    """

    cell = "gru"


@fill_doc(cell="LSTM")
class LSTMStepRegressor(_StepRegressor):
    """LSTM per-step regressor: a value at every time step, trained with skorch.

    %(step_regressor_sections)s
    """

    cell = "lstm"


@fill_doc(cell="GRU")
class GRUStepRegressor(_StepRegressor):
    """GRU per-step regressor: a value at every time step, trained with skorch.

    %(step_regressor_sections)s
    """

    cell = "gru"
