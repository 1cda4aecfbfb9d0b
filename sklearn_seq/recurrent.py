"""Recurrent classifiers and regressors: RNN, LSTM and GRU cells."""

from sklearn.utils._param_validation import StrOptions

from .base import BaseRecurrent, RecurrentClassifierMixin, RecurrentRegressorMixin
from .utils._docstrings import fill_doc

__all__ = [
    "LSTMClassifier",
    "GRUClassifier",
    "RNNClassifier",
    "LSTMRegressor",
    "GRURegressor",
    "RNNRegressor",
]


class _RecurrentClassifier(RecurrentClassifierMixin, BaseRecurrent):
    _parameter_constraints = {
        **BaseRecurrent._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        *,
        hidden_size=64,
        num_layers=1,
        dropout=0.0,
        bidirectional=False,
        pooling="last",
        max_iter=200,
        batch_size="auto",
        learning_rate_init=1e-3,
        alpha=1e-4,
        shuffle=True,
        early_stopping=False,
        scoring="loss",
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        max_grad_norm=1.0,
        class_weight=None,
        dtype="float32",
        device="cpu",
        random_state=None,
        verbose=0,
        warm_start=False,
        checkpoint_dir=None,
        checkpoint_every=10,
    ):
        super().__init__(
            hidden_size=hidden_size,
            num_layers=num_layers,
            dropout=dropout,
            bidirectional=bidirectional,
            pooling=pooling,
            max_iter=max_iter,
            batch_size=batch_size,
            learning_rate_init=learning_rate_init,
            alpha=alpha,
            shuffle=shuffle,
            early_stopping=early_stopping,
            scoring=scoring,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            max_grad_norm=max_grad_norm,
            dtype=dtype,
            device=device,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
            checkpoint_dir=checkpoint_dir,
            checkpoint_every=checkpoint_every,
        )
        self.class_weight = class_weight


class _RecurrentRegressor(RecurrentRegressorMixin, BaseRecurrent):
    def __init__(
        self,
        *,
        hidden_size=64,
        num_layers=1,
        dropout=0.0,
        bidirectional=False,
        pooling="last",
        max_iter=200,
        batch_size="auto",
        learning_rate_init=1e-3,
        alpha=1e-4,
        shuffle=True,
        early_stopping=False,
        scoring="loss",
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        max_grad_norm=1.0,
        dtype="float32",
        device="cpu",
        random_state=None,
        verbose=0,
        warm_start=False,
        checkpoint_dir=None,
        checkpoint_every=10,
    ):
        super().__init__(
            hidden_size=hidden_size,
            num_layers=num_layers,
            dropout=dropout,
            bidirectional=bidirectional,
            pooling=pooling,
            max_iter=max_iter,
            batch_size=batch_size,
            learning_rate_init=learning_rate_init,
            alpha=alpha,
            shuffle=shuffle,
            early_stopping=early_stopping,
            scoring=scoring,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            max_grad_norm=max_grad_norm,
            dtype=dtype,
            device=device,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
            checkpoint_dir=checkpoint_dir,
            checkpoint_every=checkpoint_every,
        )


@fill_doc(cell="LSTM", task="classifier")
class LSTMClassifier(_RecurrentClassifier):
    _cell = "lstm"


@fill_doc(cell="GRU", task="classifier")
class GRUClassifier(_RecurrentClassifier):
    _cell = "gru"


@fill_doc(cell="RNN", task="classifier")
class RNNClassifier(_RecurrentClassifier):
    _cell = "rnn"


@fill_doc(cell="LSTM", task="regressor")
class LSTMRegressor(_RecurrentRegressor):
    _cell = "lstm"


@fill_doc(cell="GRU", task="regressor")
class GRURegressor(_RecurrentRegressor):
    _cell = "gru"


@fill_doc(cell="RNN", task="regressor")
class RNNRegressor(_RecurrentRegressor):
    _cell = "rnn"
