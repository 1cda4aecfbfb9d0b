"""Numeric sequences in, numeric sequences out."""

import functools
from numbers import Integral

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from .. import nn as seq_nn
from .._engine.numerics import weighted_stats
from ..utils import Sequences
from ..utils._docstrings import fill_doc
from ._base import SEQ2SEQ_PARAGRAPHS, _BaseSeq2Seq, _check_y_items

__all__ = ["Seq2SeqRegressor"]


def _output_sequences(y):
    """``y`` as ``(flat values (sum, k) or (sum,), lengths)``: a 2D ``(n, T_out)`` or
    3D ``(n, T_out, k)`` array, or a list of ``(T_i,)`` / ``(T_i, k)`` arrays."""
    if isinstance(y, np.ndarray) and y.dtype != object and y.ndim in (2, 3):
        return y.reshape(y.shape[0] * y.shape[1], *y.shape[2:]), np.full(
            y.shape[0], y.shape[1], dtype=np.int64)
    arrays = []
    for i, item in enumerate(_check_y_items(y)):
        try:
            arr = np.asarray(item, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"y[{i}] must hold numbers: {exc}") from exc
        if arr.ndim == 0 or arr.ndim > 2:
            raise ValueError(
                f"y[{i}] has shape {arr.shape}; each output sequence is a (T_out,) or "
                "(T_out, n_targets) array."
            )
        if len(arr) == 0:
            raise ValueError(
                f"y[{i}] is empty: every output sequence needs at least one step."
            )
        arrays.append(arr)
    if not arrays:
        raise ValueError("y is empty: give an output sequence for every sequence of X.")
    widths = {a.shape[1:] for a in arrays}
    if len(widths) > 1:
        raise ValueError(f"y's sequences have different numbers of values per step: {widths}.")
    return np.concatenate(arrays), np.array([len(a) for a in arrays], dtype=np.int64)


@fill_doc(as_in="LSTMRegressor", **SEQ2SEQ_PARAGRAPHS)
class Seq2SeqRegressor(RegressorMixin, _BaseSeq2Seq):
    """Encoder-decoder with attention from numeric sequences to numeric sequences.

    A recurrent encoder (bidirectional by default) reads each input sequence; a
    recurrent decoder writes the output sequence step by step, attending to the
    encoder's states (Luong's multiplicative attention). Training feeds the
    decoder the true previous output values (teacher forcing); ``predict`` feeds
    it its own. Input and output lengths are free: reversing, resampling or
    summarising a sequence, forecasting several steps of another quantity.

    The number of output steps is not learnt: it is ``output_length``, or the
    training outputs' length when they all have one.

    Parameters
    ----------
    output_length : int or None, default=None
        Steps that ``predict`` writes; None: the length of the training output
        sequences, which must then all have it.
    %(seq2seq_network_params)s
    dropout : float, default=0.0
        Dropout between layers and before the output layer.
    bidirectional : bool, default=True
        Read each input sequence in both directions.
    max_iter : int or "auto", default="auto"
        Epochs at most; ``"auto"``: as in :class:`~sklearn_seq.LSTMClassifier`, from
        the size of the training data and of the network.
    %(seq2seq_training_params)s

    Attributes
    ----------
    output_length_ : int
        Steps of every predicted sequence.
    n_outputs_ : int
        Values per output step.
    n_features_in_, n_features_per_step_
        As in :class:`~sklearn_seq.LSTMRegressor`.
    %(training_record)s

    See Also
    --------
    TextSeq2Seq : Text in, text out.
    sklearn_seq.LSTMStepRegressor : An output per input step.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq.seq2seq import Seq2SeqRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(size=(300, 4, 1)).astype(np.float32)
    >>> y = X[:, ::-1, 0]  # each sequence reversed
    >>> model = Seq2SeqRegressor(hidden_size=32, max_iter=40, batch_size=64,
    ...                          learning_rate_init=1e-2, random_state=0)
    >>> model.fit(X[:250], y[:250]).predict(X[250:]).shape
    (50, 4)
    >>> model.score(X[250:], y[250:]) > 0.7  # R², against 0 for the mean
    True
    """

    _parameter_constraints = {
        **_BaseSeq2Seq._parameter_constraints,
        "output_length": [Interval(Integral, 1, None, closed="left"), None],
    }
    _fitted_attributes = {
        **_BaseSeq2Seq._fitted_attributes,
        "output_length_": "int",
        "n_outputs_": "int",
        "_y_1d": "bool",
        "_y_mean": "array",
        "_y_scale": "array",
    }
    _criterion = functools.partial(seq_nn.StepLoss, "squared_error")

    def __init__(
        self,
        *,
        output_length=None,
        cell="lstm",
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
        self._init_shared(cell, bidirectional)
        self.output_length = output_length

    def _n_outputs(self):
        return self.n_outputs_

    def _encode_y(self, y, *, first_call, classes=None):
        flat, lengths = _output_sequences(y)
        flat = np.asarray(flat, dtype=np.float64)
        if not np.all(np.isfinite(flat)):
            raise ValueError("y holds NaN or infinity; fill or drop those steps first.")
        width = 1 if flat.ndim == 1 else flat.shape[-1]
        if first_call:
            if self.output_length is None and np.any(lengths != lengths[0]):
                raise ValueError(
                    f"y's output sequences have {lengths.min()} to {lengths.max()} steps: "
                    "set output_length, the number of steps predict writes."
                )
            self.output_length_ = int(
                lengths[0] if self.output_length is None else self.output_length)
            self.n_outputs_ = width
            self._y_1d = flat.ndim == 1
        elif width != self.n_outputs_:
            raise ValueError(f"y has {width} values per step, expected {self.n_outputs_}.")
        return Sequences(flat.reshape(len(flat), -1), lengths)

    def _prepare_target(self, target, sample_weight, first_call, dtype):
        if first_call:
            self._y_mean, self._y_scale = weighted_stats(
                target.values, np.repeat(sample_weight, target.lengths))
        values = ((target.values - self._y_mean) / self._y_scale).astype(dtype)
        return Sequences(values, target.lengths)

    def _module_kwargs(self, seqs, sample_weight):
        return dict(
            input_size=seqs.n_features,
            n_outputs=self.n_outputs_,
            **self._network_kwargs(),
            **self._input_standardization(seqs, sample_weight),
        )

    def _decoded(self, X):
        check_is_fitted(self)
        seqs, rows = self._generate(X, max_length=self.output_length_)
        values = np.stack([r[0] for r in rows]).astype(np.float64)
        values = values * self._y_scale + self._y_mean
        source = self._source_lengths(seqs)
        return values[..., 0] if self._y_1d else values, [
            r[1][:, :n] for r, n in zip(rows, source)]

    def predict(self, X):
        """The output sequence of each input sequence.

        Parameters
        ----------
        X : array-like or list of array-like
            2D ``(n_samples, n_timesteps)``, 3D ``(n_samples, n_timesteps,
            n_features)``, or a list of ``(T_i,)`` / ``(T_i, n_features)`` arrays.

        Returns
        -------
        y : ndarray of shape (n_samples, `output_length_`[, `n_outputs_`])
            Without the last axis when the training outputs had one value per step.
        """
        return self._decoded(X)[0]

    def attention_weights(self, X):
        """How much each output step attended to each input step, per sample.

        Parameters
        ----------
        X : array-like or list of array-like
            Input sequences, as for :meth:`predict`.

        Returns
        -------
        weights : list of ndarray of shape (`output_length_`, n_input_steps)
            Rows sum to 1.
        """
        return self._decoded(X)[1]

    def score(self, X, y, sample_weight=None):
        """R² over all output steps (each sample's steps weighted by its weight).

        Parameters
        ----------
        X : array-like or list of array-like
            Input sequences.
        y : array-like or list of array-like
            True output sequences, of ``output_length_`` steps.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        from sklearn.metrics import r2_score

        check_is_fitted(self)
        true, lengths = _output_sequences(y)
        if np.any(lengths != self.output_length_):
            raise ValueError(
                f"y's sequences have {lengths.min()} to {lengths.max()} steps; the "
                f"model predicts {self.output_length_}."
            )
        predicted = self.predict(X).reshape(true.shape)
        weight = None if sample_weight is None else np.repeat(sample_weight, lengths)
        return r2_score(true, predicted, sample_weight=weight)
