"""Taggers and per-step regressors of numeric sequences, by encoder: LSTM, GRU or
transformer."""

from .._tasks import SelfAttentionMixin
from ..utils._docstrings import fill_doc
from ._base import _StepRegressor, _Tagger

__all__ = [
    "GRUStepRegressor",
    "GRUTagger",
    "LSTMStepRegressor",
    "LSTMTagger",
    "TransformerStepRegressor",
    "TransformerTagger",
]

# The docstring paragraphs of the taggers and of the per-step regressors, whatever
# their encoder (``fill_doc`` values).
_TAGGER_ATTRIBUTES = """\
classes_ : ndarray of shape (n_classes,)
    The labels.
class_weight_ : ndarray of shape (n_classes,) or None
    The weight of each label's steps.
n_features_per_step_ : int
    Features per step seen in ``fit``.
%(training_record)s"""

_STEP_REGRESSOR_ATTRIBUTES = """\
n_outputs_ : int
    Values per step.
n_features_per_step_ : int
    Features per step seen in ``fit``.
%(training_record)s"""

_TAGGER_SECTIONS = """\
A (by default bidirectional) %(cell)s reads each sequence and a linear head maps
its state at every step to the labels, so each step's label may depend on the
whole sequence: the phase of a machine at each second, the anomalous steps of a
sensor stream, the fraudulent transactions of a card's history, the entity tags
of a document's tokens. The loss is the cross-entropy averaged over each
sequence's real steps (padding steps of ragged batches take no part, so a
sequence's outputs do not depend on its batch).

Parameters
----------
hidden_size : int, default=64
    Hidden units per direction.
num_layers : int, default=1
    Stacked recurrent layers.
dropout : float, default=0.0
    Dropout between layers and before the head.
bidirectional : bool, default=True
    Read each sequence in both directions (False: each step's label depends
    on the steps up to it only, as for online tagging).
max_iter, batch_size, learning_rate_init, alpha, shuffle, early_stopping, \
validation_fraction, n_iter_no_change, tol, max_grad_norm
    As in :class:`~sklearn_seq.LSTMClassifier` (MLP's training parameters);
    early stopping watches the validation loss.
class_weight : dict, "balanced" or None, default=None
    Weight of each label's steps in the loss; "balanced" weighs labels
    inversely to their frequency over all steps.
%(runtime_as_lstm_classifier)s

Attributes
----------
%(tagger_attributes)s

See Also
--------
sklearn_seq.metrics.entity_f1_score : Entity-level F1 of BIO tags.
sklearn_seq.metrics.step_accuracy_score : Accuracy over all steps.

Examples
--------
>>> import numpy as np
>>> from sklearn_seq.tagging import %(name)s
>>> rng = np.random.RandomState(0)
>>> X = [rng.randn(n, 1) for n in rng.randint(5, 15, size=60)]
>>> y = [(x[:, 0] > 0).astype(int) for x in X]          # the sign of each step
>>> tagger = %(name)s(hidden_size=8, max_iter=30, learning_rate_init=1e-2,
...                 random_state=0).fit(X, y)
>>> [len(p) for p in tagger.predict(X[:3])] == [len(x) for x in X[:3]]
True
>>> tagger.score(X, y) > 0.9
True
"""

_STEP_REGRESSOR_SECTIONS = """\
A (by default bidirectional) %(cell)s reads each sequence and a linear head maps
its state at every step to the target values (standardised for training and
mapped back). The loss is the squared error averaged over each sequence's real
steps.

Parameters
----------
hidden_size, num_layers, dropout, bidirectional
    As in :class:`LSTMTagger`.
max_iter, batch_size, learning_rate_init, alpha, shuffle, early_stopping, \
validation_fraction, n_iter_no_change, tol, max_grad_norm
    As in :class:`~sklearn_seq.LSTMRegressor`.
dtype, device, random_state, verbose, warm_start, checkpoint_dir, checkpoint_every
    As in :class:`~sklearn_seq.LSTMRegressor`.

Attributes
----------
%(step_regressor_attributes)s

Examples
--------
>>> import numpy as np
>>> from sklearn_seq.tagging import %(name)s
>>> rng = np.random.RandomState(0)
>>> X = rng.randn(80, 12, 1)
>>> y = np.cumsum(X[:, :, 0], axis=1)               # the running sum at every step
>>> model = %(name)s(hidden_size=16, max_iter=60, learning_rate_init=1e-2,
...                bidirectional=False, random_state=0).fit(X, y)
>>> model.predict(X[:2]).shape
(2, 12)
>>> model.score(X, y) > 0.9
True
"""

_PARAGRAPHS = {
    "tagger_sections": _TAGGER_SECTIONS,
    "tagger_attributes": _TAGGER_ATTRIBUTES,
    "step_regressor_sections": _STEP_REGRESSOR_SECTIONS,
    "step_regressor_attributes": _STEP_REGRESSOR_ATTRIBUTES,
}


@fill_doc(cell="LSTM", **_PARAGRAPHS)
class LSTMTagger(_Tagger):
    """LSTM sequence tagger: a label at every time step, trained with skorch.

    %(tagger_sections)s
    """

    cell = "lstm"


@fill_doc(cell="GRU", **_PARAGRAPHS)
class GRUTagger(_Tagger):
    """GRU sequence tagger: a label at every time step, trained with skorch.

    %(tagger_sections)s
    """

    cell = "gru"


@fill_doc(cell="LSTM", **_PARAGRAPHS)
class LSTMStepRegressor(_StepRegressor):
    """LSTM per-step regressor: a value at every time step, trained with skorch.

    %(step_regressor_sections)s
    """

    cell = "lstm"


@fill_doc(cell="GRU", **_PARAGRAPHS)
class GRUStepRegressor(_StepRegressor):
    """GRU per-step regressor: a value at every time step, trained with skorch.

    %(step_regressor_sections)s
    """

    cell = "gru"


_TRANSFORMER_STEP_PARAMS = """\
hidden_size : int, default=64
    Width of the model (torch's ``d_model``); the feed-forward layers are twice
    as wide.
num_layers : int, default=2
    Encoder layers (each self-attention, then a feed-forward block, pre-norm).
dropout : float, default=0.0
    Dropout inside the layers and before the head.
nhead : int, default=4
    Attention heads per layer; ``hidden_size`` must be a multiple of it.
bidirectional : bool, default=True
    Every step attends to every step of its sequence; False: causal attention,
    each step to itself and the steps before it, so its output depends on those
    only (as for online tagging)."""

_TRANSFORMER_STEP_INTRO = """\
Each step is projected to ``hidden_size`` features, given the sine and cosine
position codes of the original transformer, and read by self-attention layers
(:class:`~sklearn_seq.TransformerClassifier`'s encoder); a linear head maps the
state of every step (no pooling) to its output. Attention never reaches padding,
so a sequence's outputs do not depend on its batch; the loss averages each
sequence's real steps. :meth:`self_attention_weights` returns how much each step
attends to each step in every layer and head."""


@fill_doc(intro=_TRANSFORMER_STEP_INTRO, transformer_step_params=_TRANSFORMER_STEP_PARAMS,
          **_PARAGRAPHS)
class TransformerTagger(SelfAttentionMixin, _Tagger):
    """Transformer encoder sequence tagger: a label at every time step, trained with skorch.

    %(intro)s

    Parameters
    ----------
    %(transformer_step_params)s
    max_iter, batch_size, learning_rate_init, alpha, shuffle, early_stopping, \
validation_fraction, n_iter_no_change, tol, max_grad_norm, class_weight, dtype, \
device, random_state, verbose, warm_start, checkpoint_dir, checkpoint_every
        As in :class:`LSTMTagger`.

    Attributes
    ----------
    %(tagger_attributes)s

    See Also
    --------
    GRUTagger : The recurrent tagger.
    TransformerClassifier : One label per sequence.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq.tagging import TransformerTagger
    >>> rng = np.random.RandomState(0)
    >>> X = [rng.randn(n, 1) for n in rng.randint(5, 15, size=60)]
    >>> y = [(x[:, 0] > 0).astype(int) for x in X]          # the sign of each step
    >>> tagger = TransformerTagger(hidden_size=16, max_iter=30, learning_rate_init=1e-2,
    ...                            random_state=0).fit(X, y)
    >>> [len(p) for p in tagger.predict(X[:3])] == [len(x) for x in X[:3]]
    True
    >>> tagger.score(X, y) > 0.9
    True
    >>> weights = tagger.self_attention_weights(X[:2])  # (n, num_layers, nhead, T, T)
    >>> weights.shape[:3], np.allclose(weights[0, :, :, :len(X[0])].sum(axis=-1), 1)
    ((2, 2, 4), True)
    """

    cell = "transformer"
    _parameter_constraints = {
        **_Tagger._parameter_constraints,
        **SelfAttentionMixin._parameter_constraints,
    }

    def __init__(
        self,
        *,
        hidden_size=64,
        num_layers=2,
        dropout=0.0,
        nhead=4,
        bidirectional=True,
        max_iter="auto",
        batch_size="auto",
        learning_rate_init=1e-3,
        alpha=1e-4,
        shuffle=True,
        early_stopping=False,
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
            bidirectional=bidirectional, max_iter=max_iter, batch_size=batch_size,
            learning_rate_init=learning_rate_init, alpha=alpha, shuffle=shuffle,
            early_stopping=early_stopping, validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change, tol=tol, max_grad_norm=max_grad_norm,
            class_weight=class_weight, dtype=dtype, device=device,
            random_state=random_state, verbose=verbose, warm_start=warm_start,
            checkpoint_dir=checkpoint_dir, checkpoint_every=checkpoint_every,
        )
        self.nhead = nhead


@fill_doc(intro=_TRANSFORMER_STEP_INTRO, transformer_step_params=_TRANSFORMER_STEP_PARAMS,
          **_PARAGRAPHS)
class TransformerStepRegressor(SelfAttentionMixin, _StepRegressor):
    """Transformer encoder per-step regressor: a value at every time step, trained with skorch.

    %(intro)s

    Targets are standardised for training and predictions returned in the units of
    ``y``.

    Parameters
    ----------
    %(transformer_step_params)s
    max_iter, batch_size, learning_rate_init, alpha, shuffle, early_stopping, \
validation_fraction, n_iter_no_change, tol, max_grad_norm, dtype, device, \
random_state, verbose, warm_start, checkpoint_dir, checkpoint_every
        As in :class:`LSTMStepRegressor`.

    Attributes
    ----------
    %(step_regressor_attributes)s

    See Also
    --------
    GRUStepRegressor : The recurrent per-step regressor.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq.tagging import TransformerStepRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(80, 12, 1)
    >>> y = X[:, :, 0] + np.roll(X[:, :, 0], 1, axis=1)  # each step plus the one before
    >>> model = TransformerStepRegressor(hidden_size=16, max_iter=60, learning_rate_init=1e-2,
    ...                                  random_state=0).fit(X, y)
    >>> model.predict(X[:2]).shape
    (2, 12)
    >>> model.score(X, y) > 0.9
    True
    """

    cell = "transformer"
    _parameter_constraints = {
        **_StepRegressor._parameter_constraints,
        **SelfAttentionMixin._parameter_constraints,
    }

    def __init__(
        self,
        *,
        hidden_size=64,
        num_layers=2,
        dropout=0.0,
        nhead=4,
        bidirectional=True,
        max_iter="auto",
        batch_size="auto",
        learning_rate_init=1e-3,
        alpha=1e-4,
        shuffle=True,
        early_stopping=False,
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
            bidirectional=bidirectional, max_iter=max_iter, batch_size=batch_size,
            learning_rate_init=learning_rate_init, alpha=alpha, shuffle=shuffle,
            early_stopping=early_stopping, validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change, tol=tol, max_grad_norm=max_grad_norm,
            dtype=dtype, device=device, random_state=random_state, verbose=verbose,
            warm_start=warm_start, checkpoint_dir=checkpoint_dir,
            checkpoint_every=checkpoint_every,
        )
        self.nhead = nhead
