"""Transformer encoders: sequence classification and regression with self-attention."""

from sklearn.utils._param_validation import StrOptions

from ._tasks import (
    SCORING_CONSTRAINTS,
    RecurrentClassifierMixin,
    RecurrentRegressorMixin,
    SelfAttentionMixin,
)
from .base import BaseRecurrent
from .utils._docstrings import fill_doc

__all__ = ["TransformerClassifier", "TransformerRegressor"]

_CONSTRAINTS = {
    **BaseRecurrent._parameter_constraints,
    **SCORING_CONSTRAINTS,
    **SelfAttentionMixin._parameter_constraints,
    "pooling": [StrOptions({"last", "mean", "max", "attention"})],
}


class _TransformerMixin(SelfAttentionMixin):
    """The transformer network's arguments (the check that heads divide the width
    and the self-attention weights are :class:`SelfAttentionMixin`'s)."""

    _module = "TransformerNetwork"
    cell = "transformer"

    def _module_kwargs(self, seqs, sample_weight):
        return dict(
            input_size=seqs.n_features,
            n_outputs=self._n_outputs(),
            **self._encoder_kwargs(),
            pooling=self.pooling,
            **self._network_size(),
            **self._input_standardization(seqs, sample_weight),
        )


_TRANSFORMER_PARAMS = """\
hidden_size : int, default=64
    Width of the model (torch's ``d_model``); the feed-forward layers are twice
    as wide.

num_layers : int, default=2
    Encoder layers (each self-attention, then a feed-forward block, pre-norm).

dropout : float, default=0.0
    Dropout inside the layers and before the output layer.

nhead : int, default=4
    Attention heads per layer; ``hidden_size`` must be a multiple of it.

pooling : {"mean", "last", "max", "attention"}, default="mean"
    How the states over time are summarised (``"attention"``: an additive
    attention whose weights :meth:`attention_weights` returns)."""


@fill_doc(transformer_params=_TRANSFORMER_PARAMS)
class TransformerClassifier(_TransformerMixin, RecurrentClassifierMixin, BaseRecurrent):
    """Transformer encoder classifier for sequences, trained with skorch.

    Each step is projected to ``hidden_size`` features, given the sine and
    cosine position codes of the original transformer, and read by
    self-attention layers that attend to every real step of the sequence at
    once (never to padding: ragged input is exact, as for the recurrent
    estimators); the states are pooled over time and a linear layer gives the
    classes. Attention without recurrence: every step sees every other in one
    layer, where a recurrent network passes information step by step.

    Parameters
    ----------
    %(transformer_params)s

    %(training_params)s

    %(classifier_runtime_params)s

    Attributes
    ----------
    %(classes_attribute)s

    %(common_attributes)s

    See Also
    --------
    LSTMClassifier : The recurrent classifier.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq import TransformerClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(60, 12, 2).astype(np.float32)
    >>> y = (X[:, :, 0].mean(axis=1) > 0).astype(int)
    >>> clf = TransformerClassifier(hidden_size=16, max_iter=30, random_state=0).fit(X, y)
    >>> clf.predict(X[:4]).shape
    (4,)
    """

    _parameter_constraints = {
        **_CONSTRAINTS,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }
    _fitted_attributes = {
        **BaseRecurrent._fitted_attributes,
        **RecurrentClassifierMixin._fitted_attributes,
    }

    def __init__(
        self,
        *,
        hidden_size=64,
        num_layers=2,
        dropout=0.0,
        nhead=4,
        pooling="mean",
        max_iter="auto",
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
            hidden_size=hidden_size, num_layers=num_layers, dropout=dropout,
            max_iter=max_iter, batch_size=batch_size,
            learning_rate_init=learning_rate_init, alpha=alpha, shuffle=shuffle,
            early_stopping=early_stopping, validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change, tol=tol, max_grad_norm=max_grad_norm,
            dtype=dtype, device=device, random_state=random_state, verbose=verbose,
            warm_start=warm_start, checkpoint_dir=checkpoint_dir,
            checkpoint_every=checkpoint_every,
        )
        self.nhead = nhead
        self.pooling = pooling
        self.scoring = scoring
        self.class_weight = class_weight


@fill_doc(transformer_params=_TRANSFORMER_PARAMS)
class TransformerRegressor(_TransformerMixin, RecurrentRegressorMixin, BaseRecurrent):
    """Transformer encoder regressor for sequences, trained with skorch.

    As :class:`TransformerClassifier`, with a linear layer giving one value (or
    one row of values) per sequence; targets are standardised for training and
    predictions returned in the units of ``y``.

    Parameters
    ----------
    %(transformer_params)s

    %(training_params)s

    %(runtime_params)s

    Attributes
    ----------
    n_outputs_ : int
        Number of targets.

    %(common_attributes)s

    See Also
    --------
    LSTMRegressor : The recurrent regressor.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq import TransformerRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(60, 12, 2).astype(np.float32)
    >>> y = X[:, :, 0].mean(axis=1)
    >>> reg = TransformerRegressor(hidden_size=16, max_iter=30, random_state=0).fit(X, y)
    >>> reg.predict(X[:4]).shape
    (4,)
    """

    _parameter_constraints = _CONSTRAINTS
    _fitted_attributes = {
        **BaseRecurrent._fitted_attributes,
        **RecurrentRegressorMixin._fitted_attributes,
    }

    def __init__(
        self,
        *,
        hidden_size=64,
        num_layers=2,
        dropout=0.0,
        nhead=4,
        pooling="mean",
        max_iter="auto",
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
            hidden_size=hidden_size, num_layers=num_layers, dropout=dropout,
            max_iter=max_iter, batch_size=batch_size,
            learning_rate_init=learning_rate_init, alpha=alpha, shuffle=shuffle,
            early_stopping=early_stopping, validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change, tol=tol, max_grad_norm=max_grad_norm,
            dtype=dtype, device=device, random_state=random_state, verbose=verbose,
            warm_start=warm_start, checkpoint_dir=checkpoint_dir,
            checkpoint_every=checkpoint_every,
        )
        self.nhead = nhead
        self.pooling = pooling
        self.scoring = scoring
