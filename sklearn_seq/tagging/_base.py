"""What the taggers share: per-step targets, the tagging network, prediction per step."""

import functools

import numpy as np
from scipy.special import softmax
from sklearn.base import _fit_context
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import compute_class_weight
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from .. import nn as seq_nn
from .._engine import net as engine
from .._engine.numerics import weighted_stats
from .._tasks import RecurrentNetworkMixin
from ..base import BaseRecurrent
from ..utils import Sequences
from ..utils._docstrings import fill_doc


def _step_values(y, what):
    """Per-sequence targets as ``(flat values, lengths)``: ``y`` is a list of 1D
    arrays (or lists), a 2D array (one row per sequence), or a 3D array of values
    per step (regression with several outputs)."""
    if hasattr(y, "to_numpy") and getattr(y, "ndim", 1) == 2:  # a DataFrame
        y = y.to_numpy()
    if isinstance(y, np.ndarray) and y.dtype != object and y.ndim >= 2:
        return y.reshape(y.shape[0] * y.shape[1], *y.shape[2:]), np.full(
            y.shape[0], y.shape[1], dtype=np.int64
        )
    items = list(y)
    if not items:
        raise ValueError(f"y is empty: give {what} for every sequence of X.")
    arrays = []
    for i, item in enumerate(items):
        arr = np.asarray(item)
        if arr.ndim == 0:
            raise ValueError(
                f"y[{i}] is a single value ({arr!r}); a tagger needs {what} for every "
                "step of each sequence: y is a list of arrays (or a 2D array), one per "
                "sequence of X, as long as that sequence."
            )
        arrays.append(arr)
    lengths = np.array([len(a) for a in arrays], dtype=np.int64)
    return np.concatenate(arrays), lengths


def _as_sequences(values, lengths):
    """Dense ``(n, T, k)`` when all lengths are equal, else ragged ``(sum, k)``."""
    values = values.reshape(len(values), -1)
    if lengths.size and np.all(lengths == lengths[0]):
        return Sequences(values.reshape(len(lengths), int(lengths[0]), -1))
    return Sequences(values, lengths)


def _lengths(seqs):
    return seqs.lengths if seqs.is_ragged else np.full(seqs.n_samples, seqs.max_length)


def _split(values, seqs):
    """Per-step outputs (flat or dense) as the user gave ``X``: a 2D/3D array for
    equal lengths, a list of arrays otherwise."""
    if not seqs.is_ragged:
        return values
    return np.split(values, np.cumsum(seqs.lengths)[:-1])


@fill_doc
class _BaseTagger(RecurrentNetworkMixin, BaseRecurrent):
    """Per-step outputs of a recurrent encoder (``nn.TaggingNetwork``)."""

    _parameter_constraints = {
        **BaseRecurrent._parameter_constraints,
        **RecurrentNetworkMixin._parameter_constraints,
    }

    _module = "TaggingNetwork"

    def _dataset(self, seqs, target, sample_weight, idx, weighted):
        # The one place that sees X and y together: their lengths must agree.
        x_lengths, y_lengths = _lengths(seqs), _lengths(target)
        if x_lengths.shape != y_lengths.shape or np.any(x_lengths != y_lengths):
            bad = int(np.argmax(x_lengths != y_lengths)) if x_lengths.shape == y_lengths.shape \
                else 0
            raise ValueError(
                f"y must hold one target per step of each sequence: sequence {bad} of X "
                f"has {x_lengths[bad]} steps and y[{bad}] has {y_lengths[bad]}."
            )
        if seqs.is_ragged and not target.is_ragged:  # equal lengths in ragged form
            target = Sequences(target.step_values(), x_lengths)
        return super()._dataset(seqs, target, sample_weight, idx, weighted)

    def _forward_steps(self, X):
        seqs = self._validate_X(X, reset=False)
        return seqs, engine.forward_steps(self.net_, seqs)

    def _scoring(self):
        return "loss"

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the tagger to sequences ``X`` and their per-step targets ``y``.

        Parameters
        ----------
        %(X_fit)s
        y : list of array-like, or array-like of shape (n_samples, n_timesteps)
            A target for every step: one array per sequence, as long as it.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence (its steps share it).

        Returns
        -------
        self : object
            The fitted tagger.
        """
        return self._fit(X, y, sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags


@fill_doc(step_targets="labels")
class _Tagger(_BaseTagger):
    _parameter_constraints = {
        **_BaseTagger._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }
    _fitted_attributes = {
        **BaseRecurrent._fitted_attributes,
        "classes_": "array",
        "_label_encoder": "label_encoder",
        "class_weight_": "array_or_none",
    }

    def __init__(
        self,
        *,
        hidden_size=64,
        num_layers=1,
        dropout=0.0,
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
            max_iter=max_iter, batch_size=batch_size,
            learning_rate_init=learning_rate_init, alpha=alpha, shuffle=shuffle,
            early_stopping=early_stopping, validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change, tol=tol, max_grad_norm=max_grad_norm,
            dtype=dtype, device=device, random_state=random_state, verbose=verbose,
            warm_start=warm_start, checkpoint_dir=checkpoint_dir,
            checkpoint_every=checkpoint_every,
        )
        self.bidirectional = bidirectional
        self.class_weight = class_weight

    def _n_outputs(self):
        return len(self.classes_)

    @property
    def _criterion(self):
        return functools.partial(seq_nn.StepLoss, "cross_entropy", self.class_weight_)

    def _encode_y(self, y, *, first_call, classes=None):
        flat, lengths = _step_values(y, "a label")
        flat = flat.ravel() if flat.ndim > 1 and flat.shape[-1] == 1 else flat
        if flat.ndim != 1:
            raise ValueError("y holds one label per step: a list of 1D label arrays.")
        check_classification_targets(flat)
        if first_call:
            self._label_encoder = LabelEncoder().fit(flat if classes is None else classes)
            self.classes_ = self._label_encoder.classes_
            self.class_weight_ = None
            if self.class_weight is not None:
                self.class_weight_ = compute_class_weight(
                    self.class_weight, classes=self.classes_, y=flat
                ).astype(self.dtype)
        unseen = np.setdiff1d(np.unique(flat), self.classes_)
        if len(unseen):
            raise ValueError(f"y contains labels not seen in the first fit: {unseen}")
        codes = self._label_encoder.transform(flat).astype(np.int64)
        return _as_sequences(codes, lengths)

    def _check_target(self, target, sample_weight):
        if len(self.classes_) < 2:
            raise ValueError(
                "y holds a single label at every step; a tagger needs at least two."
            )

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch over ``X`` and ``y`` (``classes`` needed on the first call).

        Parameters
        ----------
        %(X_as_fit)s
        y : list of array-like
            Labels per step, as for ``fit``.
        classes : array-like, default=None
            Every label, on the first call.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence.

        Returns
        -------
        self : object
        """
        if not hasattr(self, "net_") and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        self._validate_params()
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def predict_proba(self, X):
        """Probability of each label at every step.

        %(X_only_as_fit)s

        Returns
        -------
        proba : ndarray of shape (n_samples, n_timesteps, n_classes), or list
            For sequences of different lengths, a list of ``(T_i, n_classes)``
            arrays. Columns follow ``classes_``.
        """
        check_is_fitted(self)
        seqs, logits = self._forward_steps(X)
        return _split(softmax(logits.astype(np.float64), axis=-1), seqs)

    def predict(self, X):
        """The most probable label at every step.

        %(X_only_as_fit)s

        Returns
        -------
        y : ndarray of shape (n_samples, n_timesteps), or list of ndarray
            For sequences of different lengths, a list of 1D label arrays.
        """
        check_is_fitted(self)
        seqs, logits = self._forward_steps(X)
        labels = self.classes_[np.argmax(logits, axis=-1)]
        return _split(labels, seqs)

    def score(self, X, y, sample_weight=None):
        """Accuracy over all steps (each sequence's steps weighted by its weight).

        %(step_score_params)s
        """
        from ..metrics import step_accuracy_score

        return step_accuracy_score(y, self.predict(X), sample_weight=sample_weight)


@fill_doc(step_targets="values")
class _StepRegressor(_BaseTagger):
    _criterion = functools.partial(seq_nn.StepLoss, "squared_error")
    _fitted_attributes = {
        **BaseRecurrent._fitted_attributes,
        "n_outputs_": "int",
        "_y_1d": "bool",
        "_y_mean": "array",
        "_y_scale": "array",
    }

    def __init__(
        self,
        *,
        hidden_size=64,
        num_layers=1,
        dropout=0.0,
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
            max_iter=max_iter, batch_size=batch_size,
            learning_rate_init=learning_rate_init, alpha=alpha, shuffle=shuffle,
            early_stopping=early_stopping, validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change, tol=tol, max_grad_norm=max_grad_norm,
            dtype=dtype, device=device, random_state=random_state, verbose=verbose,
            warm_start=warm_start, checkpoint_dir=checkpoint_dir,
            checkpoint_every=checkpoint_every,
        )
        self.bidirectional = bidirectional

    def _n_outputs(self):
        return self.n_outputs_

    def _encode_y(self, y, *, first_call, classes=None):
        flat, lengths = _step_values(y, "a value")
        try:
            flat = np.asarray(flat, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"y must hold numbers at every step: {exc}") from exc
        if not np.all(np.isfinite(flat)):
            raise ValueError("y holds NaN or infinity; fill or drop those steps first.")
        width = 1 if flat.ndim == 1 else flat.shape[-1]
        if first_call:
            self.n_outputs_ = width
            self._y_1d = flat.ndim == 1
        elif width != self.n_outputs_:
            raise ValueError(f"y has {width} values per step, expected {self.n_outputs_}.")
        return _as_sequences(flat, lengths)

    def _prepare_target(self, target, sample_weight, first_call, dtype):
        steps = target.step_values()
        if first_call:
            self._y_mean, self._y_scale = weighted_stats(steps, target.step_weights(sample_weight))
        values = ((target.values - self._y_mean) / self._y_scale).astype(dtype)
        return Sequences(values, target.lengths)

    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over ``X`` and ``y``.

        Parameters
        ----------
        %(X_as_fit)s
        y : list of array-like
            Values per step, as for ``fit``.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : object
        """
        self._validate_params()
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """The value at every step.

        %(X_only_as_fit)s

        Returns
        -------
        y : ndarray of shape (n_samples, n_timesteps[, n_outputs]), or list
            For sequences of different lengths, a list of arrays.
        """
        check_is_fitted(self)
        seqs, out = self._forward_steps(X)
        out = out.astype(np.float64) * self._y_scale + self._y_mean
        if self._y_1d:
            out = out[..., 0]
        return _split(out, seqs)

    def score(self, X, y, sample_weight=None):
        """R² over all steps.

        %(step_score_params)s
        """
        from sklearn.metrics import r2_score

        flat_true, lengths = _step_values(y, "a value")
        flat_pred, _ = _step_values(self.predict(X), "a value")
        weight = None if sample_weight is None else np.repeat(sample_weight, lengths)
        return r2_score(flat_true, flat_pred, sample_weight=weight)
