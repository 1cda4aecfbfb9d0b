"""Metrics of per-step predictions: over all steps, and over entities of BIO tags."""

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

__all__ = ["entity_f1_score", "entity_spans", "step_accuracy_score", "step_f1_score"]


def _flatten(y_true, y_pred):
    true = [np.asarray(t).ravel() for t in y_true]
    pred = [np.asarray(p).ravel() for p in y_pred]
    if len(true) != len(pred) or any(len(t) != len(p) for t, p in zip(true, pred)):
        raise ValueError(
            "y_true and y_pred must hold the same number of sequences, each of the "
            "same length in both."
        )
    lengths = np.array([len(t) for t in true])
    return np.concatenate(true), np.concatenate(pred), lengths


def step_accuracy_score(y_true, y_pred, *, sample_weight=None):
    """Share of steps labelled correctly, over all steps of all sequences.

    Parameters
    ----------
    y_true, y_pred : list of array-like, or array-like of shape (n_samples, n_steps)
        Labels per step of each sequence.
    sample_weight : array-like of shape (n_samples,), default=None
        Weight of each sequence, shared by its steps.

    Returns
    -------
    score : float

    Examples
    --------
    >>> from sklearn_seq.metrics import step_accuracy_score
    >>> step_accuracy_score([[0, 1, 1], [1]], [[0, 1, 0], [1]])
    0.75
    """
    true, pred, lengths = _flatten(y_true, y_pred)
    weight = None if sample_weight is None else np.repeat(sample_weight, lengths)
    return float(accuracy_score(true, pred, sample_weight=weight))


def step_f1_score(y_true, y_pred, *, labels=None, average="macro", sample_weight=None):
    """F1 of the labels of all steps (scikit-learn's ``f1_score`` on the steps).

    Parameters
    ----------
    y_true, y_pred : list of array-like
        Labels per step of each sequence.
    labels : array-like, default=None
        Labels to include (e.g. all but ``"O"``).
    average : {"macro", "micro", "weighted", "binary"} or None, default="macro"
        As in :func:`sklearn.metrics.f1_score`.
    sample_weight : array-like of shape (n_samples,), default=None
        Weight of each sequence, shared by its steps.

    Returns
    -------
    score : float or ndarray

    Examples
    --------
    >>> from sklearn_seq.metrics import step_f1_score
    >>> step_f1_score([["O", "B-X"], ["B-X"]], [["O", "B-X"], ["O"]], labels=["B-X"])
    0.666...
    """
    true, pred, lengths = _flatten(y_true, y_pred)
    weight = None if sample_weight is None else np.repeat(sample_weight, lengths)
    return f1_score(true, pred, labels=labels, average=average, sample_weight=weight,
                    zero_division=0)


def _split_tag(tag):
    tag = str(tag)
    if tag in ("O", "", "nan", "None"):
        return "O", ""
    prefix, _, kind = tag.partition("-")
    if prefix in ("B", "I", "E", "S") and kind:
        return prefix, kind
    return "I", tag  # a tag without a prefix counts as inside an entity of that type


def _ends(prev, tag, prev_kind, kind):
    return (
        prev in ("E", "S")
        or (prev in ("B", "I") and tag in ("B", "S", "O"))
        or (prev != "O" and prev_kind != kind)
    )


def _starts(prev, tag, prev_kind, kind):
    return (
        tag in ("B", "S")
        or (prev in ("E", "S", "O") and tag in ("E", "I"))
        or (tag != "O" and prev_kind != kind)
    )


def entity_spans(tags):
    """The entities of one sequence of BIO (or IOBES) tags, as conlleval reads them.

    An entity starts at a ``B-`` tag, or at an ``I-`` tag that does not continue an
    entity of its type, and runs over the ``I-`` tags of its type that follow
    (seqeval's default mode).

    Parameters
    ----------
    tags : sequence of str
        One tag per token: ``"O"``, ``"B-TYPE"``, ``"I-TYPE"`` (``E-``/``S-`` too).

    Returns
    -------
    spans : list of (str, int, int)
        ``(type, first token, last token)`` of each entity, in order.

    Examples
    --------
    >>> from sklearn_seq.metrics import entity_spans
    >>> entity_spans(["B-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-PER"])
    [('PER', 0, 1), ('LOC', 3, 3), ('LOC', 4, 4), ('PER', 5, 5)]
    """
    spans, prev, prev_kind, start = [], "O", "", None
    for i, tag in enumerate(list(tags) + ["O"]):
        prefix, kind = _split_tag(tag)
        if start is not None and _ends(prev, prefix, prev_kind, kind):
            spans.append((prev_kind, start, i - 1))
            start = None
        if _starts(prev, prefix, prev_kind, kind):
            start = i
        prev, prev_kind = prefix, kind
    return spans


def entity_f1_score(y_true, y_pred):
    """Micro-averaged F1 of the entities of BIO tags (conlleval's and seqeval's).

    An entity counts as found when a predicted entity has the same type and the
    same first and last token.

    Parameters
    ----------
    y_true, y_pred : list of sequences of str
        The tags of each document.

    Returns
    -------
    score : float
        0 when neither holds an entity.

    Examples
    --------
    >>> from sklearn_seq.metrics import entity_f1_score
    >>> y_true = [["B-PER", "I-PER", "O", "B-LOC"]]
    >>> y_pred = [["B-PER", "I-PER", "O", "O"]]
    >>> entity_f1_score(y_true, y_pred)   # precision 1, recall 1/2
    0.666...
    """
    _flatten(y_true, y_pred)  # checks the shapes agree
    true, pred = set(), set()
    for i, (t, p) in enumerate(zip(y_true, y_pred)):
        true.update((i, *span) for span in entity_spans(t))
        pred.update((i, *span) for span in entity_spans(p))
    hits = len(true & pred)
    if not hits:
        return 0.0
    precision, recall = hits / len(pred), hits / len(true)
    return 2 * precision * recall / (precision + recall)
