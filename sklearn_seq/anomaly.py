"""Sequence anomaly detection: a recurrent model of normal sequences.

:class:`SequenceAnomalyDetector` learns to predict each step of a sequence from
the steps before it. Its anomaly score is, by default, how far the network's
reading of a sequence (the mean and maximum of its states over the sequence) lies
from the normal sequences' (a Mahalanobis distance), or the mean squared
next-step error; a threshold on the training scores turns scores into
inlier/outlier labels, as in scikit-learn's outlier detectors.
"""

from numbers import Real

import numpy as np
from sklearn.base import OutlierMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from ._engine import net as engine
from .base import BaseRecurrent
from .utils._docstrings import fill_doc

__all__ = ["SequenceAnomalyDetector"]


def _shrunk_gaussian(values, weights):
    """Weighted mean and Ledoit-Wolf shrunk covariance of the rows of ``values``.

    scikit-learn's ``LedoitWolf`` takes no sample weights; this is its estimate with
    every sum over rows weighted, so that integer weights give what repeating the
    rows gives (the estimator's sample-weight contract). Returns the mean, the
    weighted covariance and the shrinkage intensity (:func:`_shrunk_inverse` gives
    the precision).
    """
    w = weights / weights.sum()
    location = w @ values
    X = values - location
    n_features = X.shape[1]
    covariance = (X * w[:, None]).T @ X
    mu = np.trace(covariance) / n_features
    X2 = X ** 2
    # Ledoit & Wolf (2004), as sklearn.covariance.ledoit_wolf_shrinkage, weighted.
    beta_ = np.sum(((X2 * w[:, None]).T @ X2))
    delta_ = np.sum(covariance ** 2)
    beta = (beta_ - delta_) / (n_features * weights.sum())
    delta = (delta_ - 2.0 * mu * np.trace(covariance) + n_features * mu ** 2) / n_features
    shrinkage = 0.0 if beta <= 0 or delta <= 0 else min(beta, delta) / delta
    return location, covariance, shrinkage


def _squared_distances(values, location, precision):
    centred = values - location
    return np.einsum("ij,jk,ik->i", centred, precision, centred)


def _left_out_distances(values, weights, location, covariance, shrinkage, precision):
    """Each row's squared Mahalanobis distance from the estimate of
    :func:`_shrunk_gaussian` without it: one unit of its weight (all of a smaller
    weight) left out, so integer weights give what repeated rows give.

    The distance of a row from an estimate it is part of is too small, most of all
    on few rows, so a threshold on those would flag new normal sequences. The
    shrinkage intensity is kept; the covariance without the row is a rank-one
    downdate, whose inverse follows from one eigendecomposition
    (Sherman-Morrison): O(rows x features) after it.
    """
    total = weights.sum()
    left = np.minimum(weights, 1.0)
    rest = total - left
    distances = _squared_distances(values, location, precision)
    ok = rest > 0
    if not ok.any():
        return distances
    n_features = values.shape[1]
    eigval, eigvec = np.linalg.eigh(covariance)
    z = (values - location) @ eigvec                       # the rows in its eigenbasis
    ratio = total / rest
    # Without the row: C' = ratio * C - left * ratio / rest * v v^T, with v its
    # deviation from the full mean; shrunk: (1 - s) C' + s * trace(C') / p * I.
    trace = ratio * covariance.trace() - left * ratio / rest * (z ** 2).sum(axis=1)
    a = (1.0 - shrinkage) * ratio
    b = shrinkage * trace / n_features
    c = (1.0 - shrinkage) * left * ratio / rest
    denominators = a[:, None] * eigval[None, :] + b[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(denominators > 0, z ** 2 / denominators, 0.0).sum(axis=1)
        downdated = q + c * q ** 2 / (1.0 - c * q)
    # The row's deviation from the mean without it is ratio * v.
    left_out = ratio ** 2 * downdated
    valid = ok & np.isfinite(left_out) & (1.0 - c * q > 0)
    return np.where(valid, left_out, distances)


def _shrunk_inverse(covariance, shrinkage):
    """The precision of the shrunk covariance: its pseudo-inverse."""
    from scipy.linalg import pinvh

    n_features = covariance.shape[0]
    shrunk = (1.0 - shrinkage) * covariance
    shrunk.flat[:: n_features + 1] += shrinkage * np.trace(covariance) / n_features
    return pinvh(shrunk)


def _weighted_quantile(values, weights, q):
    """Quantile ``q`` of ``values`` with the averaged inverted CDF.

    With integer weights this equals the quantile of the values repeated that
    many times; where the CDF sits exactly at ``q`` the two neighbouring values
    are averaged, so that a share ``q`` of the (weighted) values lies below.
    """
    keep = weights > 0
    values, weights = values[keep], weights[keep]
    order = np.argsort(values, kind="stable")
    values, cum = values[order], np.cumsum(weights[order])
    target = q * cum[-1]
    i = min(int(np.searchsorted(cum, target, side="left")), len(values) - 1)
    if np.isclose(cum[i], target, rtol=1e-12, atol=0) and i + 1 < len(values):
        return 0.5 * (values[i] + values[i + 1])
    return values[i]


@fill_doc
class SequenceAnomalyDetector(OutlierMixin, BaseRecurrent):
    """Anomaly detection in sequences with a recurrent model of normal ones.

    A recurrent network (LSTM or GRU) learns to predict every step of a sequence
    from the steps before it (the first step from a learned start value), on data
    that is mostly normal. By default (``anomaly_score="state"``) the anomaly
    score of a sequence is how far the network's reading of it lies from the
    training sequences': the mean and the maximum of its states over the
    sequence, compared with theirs by a Mahalanobis distance (Ledoit-Wolf
    shrunk covariance). It catches sequences of an unusual shape as well as
    spikes, level shifts, frozen sensors and broken correlations between
    channels. ``anomaly_score="error"`` scores by the mean squared prediction
    error per step and feature instead. The API is scikit-learn's for outlier
    detectors (``IsolationForest``): ``predict`` returns 1 for inliers and -1
    for outliers.

    Read more in the :ref:`User Guide <anomaly>` (``docs/user_guide.md``).

    Parameters
    ----------
    cell : {"lstm", "gru"}, default="lstm"
        Recurrent cell (as in ``torch.nn.LSTM`` / ``torch.nn.GRU``). The network only
        reads forwards, so there is no ``bidirectional`` option.

    contamination : "auto" or float, default="auto"
        Expected share of outliers in the training data, in (0, 0.5]: the threshold
        ``offset_`` is then that quantile of the training scores. ``"auto"`` uses
        Tukey's upper fence, ``Q3 + 1.5 * (Q3 - Q1)``, on the training sequences'
        anomaly scores as new sequences would get them: with
        ``anomaly_score="state"`` each one's distance from the estimate without it
        (a sequence's distance from an estimate it is part of is smaller, most of
        all on few sequences); with ``"error"``, their next-step errors.

    anomaly_score : {"state", "error"}, default="state"
        What :meth:`score_samples` measures. ``"state"``: the squared Mahalanobis
        distance of the sequence's summary (the mean and the maximum of the last
        layer's states over its steps) from those of the training sequences
        (their weighted mean and Ledoit-Wolf shrunk covariance). ``"error"``: the
        mean squared next-step prediction error, per step and feature, in units
        of the training data's standard deviation (the mean of
        :meth:`score_steps`). On real data (``benchmarks/bench_anomaly.py``: each
        class of six UCR sets as the normal one, 21 cases) ``"state"`` ranked
        anomalies better (mean ROC AUC 0.903 against 0.703), and on a sensor
        stream with spikes, level shifts and frozen sensors as well.

    hidden_size : int, default=64
        Hidden units of each recurrent layer.

    num_layers : int, default=1
        Number of stacked recurrent layers.

    dropout : float, default=0.0
        Dropout between stacked layers and before the prediction head.

    %(unsupervised_training_params)s

    %(runtime_params)s

    Attributes
    ----------
    offset_ : float
        Threshold on ``score_samples``: ``decision_function`` is ``score_samples -
        offset_``, and sequences below it are outliers.

    location_ : ndarray of shape (2 * hidden_size,) or None
        With ``anomaly_score="state"``: the weighted mean of the training
        sequences' summaries; None otherwise.

    precision_ : ndarray of shape (2 * hidden_size, 2 * hidden_size) or None
        With ``anomaly_score="state"``: the inverse of their shrunk covariance;
        None otherwise.

    %(common_attributes)s

    See Also
    --------
    sklearn.ensemble.IsolationForest : Outlier detection on fixed-length feature vectors.
    sklearn_seq.preprocessing.make_windows : Cut a stream into windows to score.

    Notes
    -----
    The loss trained on is the mean next-step error (averaged over the sequences,
    weighted by ``sample_weight``). ``early_stopping`` watches that error on
    held-out sequences (``validation_scores_`` holds its negative). Ragged input is
    exact: each sequence's error and summary are taken over its own steps only.
    Scoring by the distance of a network's pooled states from the training
    distribution follows Lee et al., "A Simple Unified Framework for Detecting
    Out-of-Distribution Samples and Adversarial Attacks" (NeurIPS 2018).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq.anomaly import SequenceAnomalyDetector
    >>> t = np.arange(40)
    >>> rng = np.random.RandomState(0)
    >>> X = np.sin(2 * np.pi * (t + rng.randint(0, 20, (64, 1))) / 20)
    >>> X = X + 0.05 * rng.randn(64, 40)
    >>> X[:4, 20:] += 2.0  # level shifts
    >>> det = SequenceAnomalyDetector(hidden_size=16, max_iter=30, random_state=0).fit(X)
    >>> det.predict(X[:4])
    array([-1, -1, -1, -1])
    >>> scores = det.score_samples(X)
    >>> bool(scores[:4].max() < np.median(scores[4:]))
    True
    """

    # No scoring: scikit-learn's scorers need labels, and predict needs the
    # threshold fitted after training. Early stopping watches the held-out error.
    _parameter_constraints = {
        **BaseRecurrent._parameter_constraints,
        "cell": [StrOptions({"lstm", "gru"})],
        "contamination": [StrOptions({"auto"}), Interval(Real, 0, 0.5, closed="right")],
        "anomaly_score": [StrOptions({"state", "error"})],
    }

    _fitted_attributes = {**BaseRecurrent._fitted_attributes, "offset_": "float_or_none",
                          "location_": "array_or_none", "precision_": "array_or_none"}

    # Files saved before anomaly_score existed scored by the next-step error.
    _params_before_they_existed = {"anomaly_score": "error"}

    _module = "NextStepNetwork"
    _criterion = "OutputLoss"

    def __init__(
        self,
        *,
        cell="lstm",
        contamination="auto",
        anomaly_score="state",
        hidden_size=64,
        num_layers=1,
        dropout=0.0,
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
        self.cell = cell
        self.contamination = contamination
        self.anomaly_score = anomaly_score
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.alpha = alpha
        self.shuffle = shuffle
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.max_grad_norm = max_grad_norm
        self.dtype = dtype
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.checkpoint_dir = checkpoint_dir
        self.checkpoint_every = checkpoint_every

    # -- training ------------------------------------------------------------------

    def _n_outputs(self):
        return self.n_features_per_step_

    def _scoring(self):
        return "loss"

    def _encode_y(self, y, *, first_call, classes=None):
        return None  # unsupervised: y is ignored

    def _prepare_target(self, target, sample_weight, first_call, dtype):
        # The network's output is its own loss; skorch still wants one target per sample.
        return np.zeros(len(sample_weight), dtype=dtype)

    def _module_kwargs(self, seqs, sample_weight):
        return dict(
            input_size=seqs.n_features,
            cell=self.cell,
            **self._network_size(),
            **self._input_standardization(seqs, sample_weight),
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Fit the model of normal sequences and the threshold ``offset_``.

        Parameters
        ----------
        %(X_fit)s
            Mostly normal sequences; a few anomalies do little harm.
        y : None
            Ignored; present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the sequences in the loss and in the threshold.

        Returns
        -------
        self : object
            The fitted detector.
        """
        self._fit(X, None, sample_weight)
        seqs = self._validate_X(X, reset=False)
        weight = _check_sample_weight(sample_weight, np.empty((seqs.n_samples, 0)),
                                      dtype=np.float64)
        self.location_ = self.precision_ = None
        if self.anomaly_score == "state":
            summaries = engine.forward(self.net_, seqs, method="summary").astype(np.float64)
            self.location_, covariance, shrinkage = _shrunk_gaussian(summaries, weight)
            self.precision_ = _shrunk_inverse(covariance, shrinkage)
            if self.contamination == "auto":
                # The fence is for new sequences: each training sequence's distance
                # from the estimate without it.
                errors = _left_out_distances(summaries, weight, self.location_,
                                             covariance, shrinkage, self.precision_)
            else:
                errors = _squared_distances(summaries, self.location_, self.precision_)
        else:
            errors = self._anomaly(seqs)
        if self.contamination == "auto":
            # Tukey's upper fence on the training scores (the box-plot rule).
            q1, q3 = (_weighted_quantile(errors, weight, q) for q in (0.25, 0.75))
            self.offset_ = -(q3 + 1.5 * (q3 - q1))
        else:
            self.offset_ = -_weighted_quantile(errors, weight, 1.0 - self.contamination)
        return self

    # -- prediction ----------------------------------------------------------------

    def _anomaly(self, seqs):
        """The anomaly score of each of the validated sequences ``seqs`` (higher is
        more anomalous): the squared distance of its summary, or its error."""
        if getattr(self, "precision_", None) is None:
            return engine.forward(self.net_, seqs).astype(np.float64)
        summaries = engine.forward(self.net_, seqs, method="summary").astype(np.float64)
        return _squared_distances(summaries, self.location_, self.precision_)

    def score_samples(self, X):
        """Normality of each sequence: minus its anomaly score.

        With ``anomaly_score="state"``, minus the squared Mahalanobis distance of
        the sequence's summary from the training sequences'; with ``"error"``,
        minus its mean squared next-step error, in units of the training data's
        per-feature standard deviation, squared.

        %(X_only_as_fit)s

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Higher is more normal.
        """
        check_is_fitted(self)
        return -self._anomaly(self._validate_X(X, reset=False))

    def score_steps(self, X):
        """Normality of every step: minus the squared error of its prediction from
        the steps before it (the first step: from the learned start).

        Which steps of a stream are unusual, where :meth:`score_samples` says which
        streams are; with ``anomaly_score="error"``, averaged over each sequence's
        steps, these are :meth:`score_samples`.

        %(X_only_as_fit)s

        Returns
        -------
        scores : ndarray of shape (n_samples, n_timesteps), or list of ndarray
            Higher is more normal: minus squared errors in units of the training
            data's per-feature standard deviation. For sequences of different
            lengths, one 1D array per sequence.
        """
        check_is_fitted(self)
        seqs = self._validate_X(X, reset=False)
        errors = engine.forward_steps(self.net_, seqs, method="step_errors")[..., 0]
        scores = -errors.astype(np.float64)
        if not seqs.is_ragged:
            return scores
        return np.split(scores, np.cumsum(seqs.lengths)[:-1])

    def decision_function(self, X):
        """Shifted scores: negative for outliers, positive for inliers.

        %(X_only_as_fit)s

        Returns
        -------
        decision : ndarray of shape (n_samples,)
            ``score_samples(X) - offset_``.
        """
        check_is_fitted(self)
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """Label each sequence as an inlier (1) or an outlier (-1).

        %(X_only_as_fit)s

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            1 where ``decision_function(X) >= 0``, -1 elsewhere.
        """
        check_is_fitted(self)
        return np.where(self.decision_function(X) < 0, -1, 1)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "offset_")
