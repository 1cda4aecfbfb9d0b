"""What the estimators add to :class:`~sklearn_seq.base.BaseRecurrent` by task:
classification (labels, probabilities), regression (standardised targets), the
recurrent network with its ``bidirectional`` parameter (and ``pooling`` where the
network pools its states over time), and the self-attention weights of a
transformer encoder."""

from numbers import Integral

import numpy as np
from scipy.special import log_softmax, softmax
from sklearn.base import ClassifierMixin, RegressorMixin, _fit_context
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import assert_all_finite, compute_sample_weight
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    check_classification_targets,
)
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ._engine import net as engine
from ._engine.numerics import weighted_stats
from .utils._docstrings import fill_doc

_POOLINGS = {"last", "mean", "max", "attention"}


class RecurrentNetworkMixin:
    """Estimators whose network reads each sequence with a recurrent encoder, in one
    or both directions, and maps its states to ``n_outputs``: the ``bidirectional``
    parameter and what the network is built from.

    The network's cell is ``self.cell``, as for every estimator: a parameter where
    the user chooses it, a class attribute where the class fixes it
    (``LSTMClassifier.cell == "lstm"``)."""

    _parameter_constraints = {"bidirectional": ["boolean"]}

    def _module_kwargs(self, seqs, sample_weight):
        return dict(
            input_size=seqs.n_features,
            n_outputs=self._n_outputs(),
            cell=self.cell,
            bidirectional=self.bidirectional,
            **self._encoder_kwargs(),
            **self._network_size(),
            **self._input_standardization(seqs, sample_weight),
        )

    def _encoder_kwargs(self):
        # A recurrent encoder's arguments are the cell's; SelfAttentionMixin adds nhead.
        return {}


class PooledNetworkMixin(RecurrentNetworkMixin):
    """Estimators whose network encodes a sequence and pools its states over time
    (``nn.SequenceNetwork``): the ``pooling`` parameter, with ``bidirectional``."""

    _parameter_constraints = {
        **RecurrentNetworkMixin._parameter_constraints,
        "pooling": [StrOptions(_POOLINGS)],
    }

    _module = "SequenceNetwork"

    def _module_kwargs(self, seqs, sample_weight):
        return {**super()._module_kwargs(seqs, sample_weight), "pooling": self.pooling}


def _uses_transformer(estimator):
    """``available_if`` check of ``self_attention_weights``: only a transformer
    encoder has them."""
    if estimator.cell != "transformer":
        raise AttributeError(
            f"self_attention_weights is not available with cell={estimator.cell!r}; set "
            "cell='transformer' and refit to read self-attention weights."
        )
    return True


class SelfAttentionMixin:
    """Estimators whose encoder may be a transformer (``cell == "transformer"``, a
    class attribute or a parameter): ``nhead`` and the self-attention weights of
    every layer and head."""

    _parameter_constraints = {"nhead": [Interval(Integral, 1, None, closed="left")]}

    def _check_heads(self):
        if self.cell == "transformer" and self.hidden_size % self.nhead:
            raise ValueError(
                f"hidden_size={self.hidden_size} must be a multiple of nhead={self.nhead} "
                "(each head attends over hidden_size / nhead features)."
            )

    def _encoder_kwargs(self):
        """``nhead`` for a transformer encoder (a recurrent one has no heads)."""
        self._check_heads()
        return {"nhead": self.nhead} if self.cell == "transformer" else {}

    @available_if(_uses_transformer)
    def self_attention_weights(self, X):
        """How much each step attends to each step, in every layer and head.

        Available with a transformer encoder.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences (or documents), as for ``predict``.

        Returns
        -------
        weights : ndarray of shape (n_samples, num_layers, nhead, n_timesteps, \
                n_timesteps)
            ``weights[i, l, h, q, k]``: the weight that step ``q`` of sequence
            ``i`` gives step ``k`` in head ``h`` of layer ``l``; each row sums to 1
            over the sequence's real steps (up to ``q`` with causal attention).
            Steps past a sequence's end (padding up to the longest sequence in
            ``X``) have zero rows and columns.
        """
        check_is_fitted(self)
        seqs = self._validate_X(X, reset=False)
        return engine.attention_maps(self.net_, seqs).astype(np.float64)


# Estimators whose early stopping can watch a scikit-learn scorer.
SCORING_CONSTRAINTS = {"scoring": [str, callable, None]}


@fill_doc
class RecurrentClassifierMixin(ClassifierMixin):
    """Classification on top of :class:`BaseRecurrent`: labels, probabilities."""

    _criterion = "cross_entropy"

    _fitted_attributes = {"classes_": "array", "_label_encoder": "label_encoder"}

    def _n_outputs(self):
        return len(self.classes_)

    def _encode_y(self, y, *, first_call, classes=None):
        y = column_or_1d(np.asarray(y) if not hasattr(y, "iloc") else y, warn=True)
        if y.dtype.kind == "f":
            assert_all_finite(y, input_name="y")
        check_classification_targets(y)
        if first_call and classes is None:
            # One pass: the encoder's fit_transform finds the classes and the codes.
            self._label_encoder = LabelEncoder()
            codes = self._label_encoder.fit_transform(y)
            self.classes_ = self._label_encoder.classes_
            return codes.astype(np.int64)
        if first_call:
            self._label_encoder = LabelEncoder().fit(classes)
            self.classes_ = self._label_encoder.classes_
        unseen = np.setdiff1d(np.unique(y), self.classes_)
        if len(unseen):
            raise ValueError(
                f"y contains labels not seen in the first fit or in `classes`: {unseen}"
            )
        return self._label_encoder.transform(y).astype(np.int64)

    def _check_target(self, target, sample_weight):
        # As scikit-learn's LogisticRegression and SVC: one class is nothing to learn.
        if len(self.classes_) < 2:
            raise ValueError(
                f"y holds only one class: {self.classes_.tolist()[0]!r}. A classifier "
                "needs samples of at least 2 classes; check how y was built (a filter "
                "or a split may have dropped the others), or train on batches of one "
                "class with partial_fit(X, y, classes=all_classes)."
            )
        present = self.classes_[np.unique(target[sample_weight > 0])].tolist()
        if len(present) < 2:
            raise ValueError(
                f"The samples with a positive sample_weight hold only one class: "
                f"{present}. A classifier needs samples of at least 2 classes with "
                "positive weight; give samples of the other classes a positive weight."
            )

    def _adjust_sample_weight(self, sample_weight, y):
        if self.class_weight is None:
            return sample_weight
        y = column_or_1d(np.asarray(y) if not hasattr(y, "iloc") else y)
        return sample_weight * compute_sample_weight(self.class_weight, y)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model to sequences ``X`` and labels ``y``.

        Parameters
        ----------
        %(X_fit)s
        %(class_labels)s
        %(sample_weight)s

        %(returns_fitted)s
        """
        return self._fit(X, y, sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one epoch over ``X``, continuing from the current weights.

        Parameters
        ----------
        %(X_as_fit)s
        y : array-like of shape (n_samples,)
            Class labels.
        classes : array-like of shape (n_classes,), default=None
            All classes that can appear; required on the first call.
        %(sample_weight)s

        %(returns_updated)s
        """
        first = _check_partial_fit_first_call(self, classes)
        if first:
            # A fresh start: forget any model from an earlier ``fit``.
            for attr in ("net_", "n_iter_"):
                self.__dict__.pop(attr, None)
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def predict_proba(self, X):
        """Probability of each class for each sequence.

        %(X_only_as_fit)s

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        check_is_fitted(self)
        return softmax(self._forward(X).astype(np.float64), axis=1)

    def predict_log_proba(self, X):
        """Log of the probability of each class for each sequence.

        The log of :meth:`predict_proba`, computed from the network's outputs
        (a log-softmax), so it stays finite where a probability rounds to 0.

        %(X_only_as_fit)s

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        check_is_fitted(self)
        return log_softmax(self._forward(X).astype(np.float64), axis=1)

    def predict(self, X):
        """Predicted class of each sequence.

        %(X_only_as_fit)s

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        check_is_fitted(self)
        return self.classes_[self._forward(X).argmax(axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        return tags


@fill_doc
class RecurrentRegressorMixin(RegressorMixin):
    """Regression on top of :class:`BaseRecurrent`: single or multi-output targets.

    Targets are standardised for training (with the sample weights) and predictions
    mapped back, so ``y`` in any unit trains at the same learning rate.
    """

    _criterion = "mse"

    _fitted_attributes = {
        "n_outputs_": "int",
        "_y_1d": "bool",
        "_y_mean": "array",
        "_y_scale": "array",
    }

    def _n_outputs(self):
        return self.n_outputs_

    def _encode_y(self, y, *, first_call, classes=None):
        y = np.asarray(y) if not hasattr(y, "to_numpy") else y.to_numpy()
        if y.dtype.kind not in "biuf":
            try:
                y = y.astype(np.float64)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"y must be numeric for a regressor: {exc}") from exc
        if y.ndim not in (1, 2):
            raise ValueError(f"y must be 1D or 2D, got {y.ndim}D.")
        assert_all_finite(y, input_name="y")
        y2 = y.reshape(len(y), -1).astype(np.float64)
        if first_call:
            self.n_outputs_ = y2.shape[1]
            self._y_1d = y.ndim == 1
        elif y2.shape[1] != self.n_outputs_:
            raise ValueError(f"y has {y2.shape[1]} outputs, expected {self.n_outputs_}.")
        return y2

    def _prepare_target(self, target, sample_weight, first_call, dtype):
        if first_call:
            self._y_mean, self._y_scale = weighted_stats(target, sample_weight)
        return ((target - self._y_mean) / self._y_scale).astype(dtype)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model to sequences ``X`` and targets ``y``.

        Parameters
        ----------
        %(X_fit)s
        %(regression_targets)s
        %(sample_weight)s

        %(returns_fitted)s
        """
        return self._fit(X, y, sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Train for one epoch over ``X``, continuing from the current weights.

        Parameters
        ----------
        %(X_as_fit)s
        %(regression_targets)s
        %(sample_weight)s

        %(returns_updated)s
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """Predicted target of each sequence.

        %(X_only_as_fit)s

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions in the units of ``y``.
        """
        check_is_fitted(self)
        out = self._forward(X).astype(np.float64) * self._y_scale + self._y_mean
        return out[:, 0] if self._y_1d else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
