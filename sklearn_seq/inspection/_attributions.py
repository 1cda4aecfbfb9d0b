"""``sequence_attributions``: how much each step and feature (or token) of a
sequence moved a fitted estimator's output, by integrated gradients or occlusion."""

from numbers import Integral

import numpy as np
from sklearn.base import is_classifier, is_regressor
from sklearn.pipeline import Pipeline
from sklearn.utils import Bunch
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import check_is_fitted

from .._engine import attribution as engine
from ..tagging._text import _token_lists
from ..utils._text import _text_documents

# The networks whose output is one row per sequence, and the taggers' (one per step,
# explained at the output step ``step``).
_SUPPORTED = ("SequenceNetwork", "TransformerNetwork", "TextNetwork", "ForecastNetwork",
              "NextStepNetwork", "TaggingNetwork")
_PER_STEP = "TaggingNetwork"


def _refusal(estimator):
    """Why ``estimator`` cannot be explained, and what to do instead."""
    name = type(estimator).__name__
    if getattr(estimator, "_module", None) == "Seq2SeqNetwork":
        return (
            f"sequence_attributions does not explain {name}: its output is a sequence "
            "generated step by step, each step reading the steps it generated before, so "
            "an output step has no single differentiable value of the input. Use its "
            f"attention instead: {name}.attention_weights(X), drawn by "
            "sklearn_seq.plotting.AlignmentDisplay.from_estimator."
        )
    if hasattr(estimator, "window_") and hasattr(estimator, "estimator_"):
        return (
            f"{name} has no network of its own: explain its fitted estimator_, an "
            f"{type(estimator.estimator_).__name__} over windows of window_ steps, with "
            f"sequence_attributions(model.estimator_, windows), windows of shape "
            "(n_windows, window_, n_features_per_step_) laid out as the model builds them "
            "(the target, standardised per window, first; then the covariates)."
        )
    return (
        f"sequence_attributions explains sklearn_seq estimators with one output per "
        f"sequence (classifiers, regressors, AttentionForecaster, "
        f"SequenceAnomalyDetector) or per step (the taggers, with step=); got {name}."
    )


def _final_step(estimator, X):
    """A Pipeline's last step and ``X`` as it reaches it; other estimators as given."""
    check_is_fitted(estimator)
    while isinstance(estimator, Pipeline):
        if len(estimator.steps) > 1:
            X = estimator[:-1].transform(X)
        estimator = estimator[-1]
    check_is_fitted(estimator)
    if getattr(estimator, "_module", None) not in _SUPPORTED:
        raise TypeError(_refusal(estimator))
    return estimator, X


def _checked_step(estimator, seqs, step):
    """``step`` as an int for a tagger (each sequence must have it), None otherwise."""
    name = type(estimator).__name__
    if estimator._module != _PER_STEP:
        if step is not None:
            raise ValueError(
                f"{name} has one output per sequence; step is for the taggers and must be "
                "None."
            )
        return None
    if step is None:
        raise ValueError(
            f"{name} has an output at every step: pass step, the index of the output "
            "step to explain (negative counts from the end: -1 is each sequence's last)."
        )
    lengths = np.full(seqs.n_samples, seqs.values.shape[1]) if not seqs.is_ragged \
        else np.asarray(seqs.lengths)
    short = np.flatnonzero((step >= lengths) | (step < -lengths))
    if short.size:
        raise ValueError(
            f"step={step} is outside sequence {short[0]}, which has {lengths[short[0]]} "
            f"steps; give a step every sequence has (0 to {lengths.min() - 1}, or -1 to "
            f"{-lengths.min()})."
        )
    return int(step)


def _classifier_columns(estimator, X, seqs, target, step):
    if target is None:
        proba = estimator.predict_proba(X)
        if step is not None:  # the predicted class at that step
            proba = np.stack([p[step] for p in proba])
        codes = np.argmax(proba, axis=1)
        return codes, estimator.classes_[codes]
    labels = np.asarray(target, dtype=object)
    labels = np.full(seqs.n_samples, target, dtype=object) if labels.ndim == 0 else labels
    if len(labels) != seqs.n_samples:
        raise ValueError(
            f"target has {len(labels)} labels for {seqs.n_samples} samples; give one "
            "class, or one per sample."
        )
    known = {c: i for i, c in enumerate(estimator.classes_.tolist())}
    unknown = [t for t in labels.tolist() if t not in known]
    if unknown:
        raise ValueError(
            f"target {unknown[0]!r} is not a class of the estimator; classes_ is "
            f"{estimator.classes_.tolist()}."
        )
    codes = np.array([known[t] for t in labels.tolist()])
    return codes, estimator.classes_[codes]


def _regressor_columns(estimator, seqs, target):
    n_outputs = estimator.n_outputs_
    if target is None and n_outputs > 1:
        raise ValueError(
            f"{type(estimator).__name__} predicts {n_outputs} outputs: pass target, the "
            f"index of the output to explain (0 to {n_outputs - 1})."
        )
    target = 0 if target is None else target
    if not isinstance(target, Integral) or not 0 <= target < n_outputs:
        raise ValueError(
            f"target must be the index of an output, 0 to {n_outputs - 1}; got {target!r}."
        )
    # The forecaster's head has one column per output and quantile: its median's.
    quantiles = getattr(estimator, "quantiles_", None)
    column = int(target)
    if quantiles is not None:
        column = column * len(quantiles) + int(np.argmin(np.abs(np.asarray(quantiles) - 0.5)))
    how = {"scale": float(estimator._y_scale[target])}
    return np.full(seqs.n_samples, column), np.full(seqs.n_samples, target), how, float(
        estimator._y_mean[target])


def _explained(estimator, X, seqs, target, step):
    """The output columns to explain, the targets as the user reads them, how the
    engine turns the network's output into the explained value, and the offset
    that value lacks (a regressor's target mean)."""
    # The taggers are neither classifiers nor regressors to scikit-learn (their
    # targets are sequences): the class taggers have classes_, the others regress.
    tagger = step is not None
    if is_classifier(estimator) or (tagger and hasattr(estimator, "classes_")):
        columns, targets = _classifier_columns(estimator, X, seqs, target, step)
        return columns, targets, {"probability": True}, 0.0
    if is_regressor(estimator) or tagger:
        return _regressor_columns(estimator, seqs, target)
    if target is not None:
        raise ValueError(
            f"{type(estimator).__name__} has one score per sequence; target must be None."
        )
    if getattr(estimator, "precision_", None) is not None:
        # anomaly_score="state": score_samples is minus the squared Mahalanobis
        # distance of the network's summary of the sequence.
        return None, None, {"distance": (estimator.location_, estimator.precision_)}, 0.0
    # The detector's network outputs the mean next-step error; score_samples is minus it.
    return None, None, {"scale": -1.0}, 0.0


def _shaped_like(attributions, seqs, X, estimator):
    """Attributions in the layout of ``X``: an array for dense input (2D when ``X``
    was 2D, one feature per step), a list for ragged input."""
    if seqs.is_ragged:
        return attributions
    out = np.stack(attributions)
    if np.ndim(X) == 2 and getattr(estimator, "_fit_ndim", 3) == 2:
        return out[..., 0]
    return out


@validate_params(
    {
        "estimator": [object],
        "X": ["array-like", list, tuple, object],
        "method": [StrOptions(set(engine.METHODS))],
        "target": [None, object],
        "step": [None, Integral],
        "baseline": [StrOptions({"mean"}), "array-like", float, Integral],
        "n_steps": [Interval(Integral, 2, None, closed="left")],
        "window": [Interval(Integral, 1, None, closed="left"), tuple],
        "batch_size": [None, Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def sequence_attributions(estimator, X, *, method="integrated_gradients", target=None,
                          step=None, baseline="mean", n_steps=50, window=1,
                          batch_size=None):
    """How much each time step and feature (or token) of each sequence moved the
    output of a fitted estimator, by integrated gradients or occlusion.

    Attributions are computed by captum (``pip install "sklearn-seq[explain]"``),
    on the user's input in its own units (the estimators standardise their
    input inside the network, so the gradients pass through it). For text, on
    the tokens: through the embedding layers for integrated gradients (a
    token's score sums over the embedding's width), occluding whole tokens for
    occlusion. Each sequence is computed apart from padding, so its attributions
    do not depend on the other sequences in ``X``.

    What is explained: for a classifier, the probability of ``target`` (by
    default the predicted class); for a regressor or forecaster, the prediction
    in the units of ``y`` (of output ``target``; a forecaster's median with
    quantiles); for :class:`~sklearn_seq.SequenceAnomalyDetector`, its
    ``score_samples`` (a negative attribution makes a sequence look more
    anomalous). For a tagger (an output at every step), the same at the output
    step ``step``, over all the input steps.

    The encoder-decoders (:class:`~sklearn_seq.Seq2SeqRegressor`,
    :class:`~sklearn_seq.TextSeq2Seq`) are refused: each output step reads the
    steps generated before it; their ``attention_weights`` (drawn by
    :class:`~sklearn_seq.plotting.AlignmentDisplay`) show what each output step
    read. :class:`~sklearn_seq.forecasting.PanelForecaster` is explained through
    its fitted ``estimator_``, on the windows it reads.

    Parameters
    ----------
    estimator : fitted sklearn_seq estimator or Pipeline
        With a Pipeline, its last step explained on ``X`` transformed by the
        steps before it (attributions are then on the transformed steps).
    X : sequences or documents
        In any layout the estimator accepts.
    method : {"integrated_gradients", "occlusion"}, default="integrated_gradients"
        Integrated gradients: the gradient of the output averaged along the
        straight path from the baseline to the input, times their difference;
        the attributions of a sequence sum to ``output - baseline_output``.
        Occlusion: the drop of the output when a step's feature (a window of
        ``window`` steps) is set to the baseline.
    target : label, array-like of labels or int, default=None
        Classifiers: the class to explain, for every sample or one per sample
        (None: each sample's predicted class). Regressors: the index of the
        output (needed with several outputs). None for the anomaly detector.
        Taggers: as for classifiers (None: the class predicted at ``step``) or
        regressors.
    step : int, default=None
        Taggers only (required for them): the output step explained, the same
        for every sequence; negative counts from the end (-1: each sequence's
        last step). Every sequence must have that step.
    baseline : "mean", float or array-like of shape (n_features,), default="mean"
        The step that stands for "no information": ``"mean"`` is the training
        data's mean of each feature (zero after the network's standardisation).
        Text always uses the unknown token.
    n_steps : int, default=50
        Points on the integration path (integrated gradients).
    window : int or tuple of (int, int), default=1
        Occlusion: steps (and features, with a tuple) occluded together; the
        default occludes one feature of one step at a time. Text occludes
        ``window`` whole tokens.
    batch_size : int, default=None
        Sequences per network pass (each multiplied by ``n_steps`` for
        integrated gradients); None: 32.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        attributions : ndarray or list of ndarray
            Shaped like ``X``: ``(n_samples, n_timesteps, n_features)`` for 3D
            input, ``(n_samples, n_timesteps)`` for 2D input of one feature per
            step, a list of ``(T_i, n_features)`` arrays for sequences of
            different lengths, a list of ``(n_tokens_i,)`` arrays for documents.
        tokens : list of list of str or None
            For documents, the tokens the model read (after ``max_len``; an
            empty document reads as one unknown token ``""``).
        target : ndarray of shape (n_samples,) or None
            The class or output explained for each sample.
        output, baseline_output : ndarray of shape (n_samples,)
            The explained value for the input and for its baseline.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq import GRUClassifier
    >>> from sklearn_seq.inspection import sequence_attributions
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(20, 8, 2)
    >>> y = (X[:, 3, 0] > 0).astype(int)
    >>> clf = GRUClassifier(hidden_size=4, max_iter=5, random_state=0).fit(X, y)
    >>> result = sequence_attributions(clf, X[:3])
    >>> result.attributions.shape
    (3, 8, 2)
    >>> bool(np.allclose(result.attributions.sum(axis=(1, 2)),
    ...                  result.output - result.baseline_output, atol=1e-2))
    True

    A tagger's output at one step, over all the input steps:

    >>> from sklearn_seq import GRUTagger
    >>> tagger = GRUTagger(hidden_size=4, max_iter=5, random_state=0)
    >>> tagger = tagger.fit(X, (X[:, :, 0] > 0).astype(int))
    >>> sequence_attributions(tagger, X[:3], step=-1).attributions.shape
    (3, 8, 2)
    """
    estimator, X = _final_step(estimator, X)
    window = (window, 1) if isinstance(window, Integral) else tuple(window)
    if len(window) != 2 or not all(isinstance(w, Integral) and w >= 1 for w in window):
        raise ValueError(f"window must be an int or a pair of ints >= 1; got {window!r}.")
    seqs = estimator._validate_X(X, reset=False)
    tokens = None
    if getattr(estimator, "_text_input", False):
        tokens = [t or [""] for t in estimator._tokenize(
            _text_documents(X, type(estimator).__name__))]
    elif not isinstance(baseline, str):
        baseline = np.broadcast_to(np.asarray(baseline, dtype=np.float64),
                                   (seqs.n_features,)).copy()
    step = _checked_step(estimator, seqs, step)
    if step is not None and hasattr(estimator, "vocabulary_"):  # the text tagger
        tokens = _token_lists(X, type(estimator).__name__)
    columns, targets, how, offset = _explained(estimator, X, seqs, target, step)
    attributions, output, at_baseline = engine.attribute(
        estimator.net_, seqs, columns, baseline, method=method, step=step,
        n_steps=n_steps, window=window, batch_size=batch_size, **how)
    if tokens is None:
        attributions = _shaped_like(attributions, seqs, X, estimator)
    return Bunch(attributions=attributions, tokens=tokens, target=targets,
                 output=output + offset, baseline_output=at_baseline + offset)
