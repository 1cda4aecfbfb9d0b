"""Sequence taggers and per-step regressors: a label or value at every step."""

import warnings

import joblib
import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

import sklearn_seq
from sklearn_seq.metrics import (
    entity_f1_score,
    entity_spans,
    step_accuracy_score,
    step_f1_score,
)
from sklearn_seq.tagging import (
    BiRNNTextTagger,
    GRUStepRegressor,
    GRUTagger,
    LSTMStepRegressor,
    LSTMTagger,
    TransformerStepRegressor,
    TransformerTagger,
)

FAST = dict(hidden_size=16, learning_rate_init=1e-2, random_state=0)


def _quiet_fit(est, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(X, y, **kwargs)


def ragged(n=120, seed=0, low=4, high=16):
    rng = np.random.RandomState(seed)
    return [rng.randn(t, 1) for t in rng.randint(low, high, size=n)]


def test_tagger_learns_a_label_that_needs_the_previous_step():
    X = ragged()
    y = [np.r_[0, (x[1:, 0] > x[:-1, 0]).astype(int)] for x in X]  # rises or not
    tagger = _quiet_fit(LSTMTagger(max_iter=60, bidirectional=False, **FAST), X, y)
    X_new = ragged(40, seed=1)
    y_new = [np.r_[0, (x[1:, 0] > x[:-1, 0]).astype(int)] for x in X_new]
    assert tagger.score(X_new, y_new) > 0.9


def test_only_a_bidirectional_tagger_reads_the_next_step():
    X = ragged(160)
    y = [np.r_[(x[1:, 0] > 0).astype(int), 0] for x in X]  # the sign of the NEXT step
    X_new = ragged(60, seed=2)
    y_new = [np.r_[(x[1:, 0] > 0).astype(int), 0] for x in X_new]
    forward = _quiet_fit(GRUTagger(max_iter=40, bidirectional=False, **FAST), X, y)
    both = _quiet_fit(GRUTagger(max_iter=40, bidirectional=True, **FAST), X, y)
    assert forward.score(X_new, y_new) < 0.7
    assert both.score(X_new, y_new) > 0.9


def test_ragged_outputs_do_not_depend_on_the_batch():
    X = ragged(30)
    y = [(x[:, 0] > 0).astype(int) for x in X]
    tagger = _quiet_fit(LSTMTagger(max_iter=3, dtype="float64", **FAST), X, y)
    together = tagger.predict_proba(X)
    assert isinstance(together, list) and [len(p) for p in together] == [len(x) for x in X]
    for x, proba in zip(X[:8], together):
        np.testing.assert_allclose(tagger.predict_proba([x])[0], proba, rtol=0, atol=1e-12)
        np.testing.assert_allclose(proba.sum(axis=1), 1)


def test_equal_lengths_in_any_layout_give_arrays():
    rng = np.random.RandomState(0)
    X3 = rng.randn(20, 6, 1)
    y = (X3[:, :, 0] > 0).astype(int)  # a 2D y: one row of labels per sequence
    tagger = _quiet_fit(LSTMTagger(max_iter=3, dtype="float64", **FAST), X3, y)
    out = tagger.predict(X3)
    assert isinstance(out, np.ndarray) and out.shape == (20, 6)
    np.testing.assert_array_equal(tagger.predict(X3[:, :, 0]), out)  # 2D: one feature
    np.testing.assert_array_equal(tagger.predict(list(X3)), out)
    assert tagger.predict_proba(X3).shape == (20, 6, 2)


def test_labels_of_any_type_and_lengths_that_must_match():
    X = ragged(20)
    y = [np.where(x[:, 0] > 0, "up", "down") for x in X]
    tagger = _quiet_fit(GRUTagger(max_iter=2, **FAST), X, y)
    assert list(tagger.classes_) == ["down", "up"]
    assert set(np.concatenate(tagger.predict(X))) <= {"down", "up"}
    short = [t[:-1] for t in y]
    with pytest.raises(ValueError, match="sequence 0 of X has 9 steps and y\\[0\\] has 8"):
        GRUTagger(max_iter=1).fit(X, short)
    with pytest.raises(ValueError, match="y\\[0\\] is a single value"):
        GRUTagger(max_iter=1).fit(X, np.zeros(len(X), dtype=object))
    with pytest.raises(ValueError, match="single label at every step"):
        GRUTagger(max_iter=1).fit(X, [np.zeros(len(x)) for x in X])


def test_class_weight_balanced_weighs_labels_by_their_steps():
    X = ragged(30)
    y = [(x[:, 0] > 1.5).astype(int) for x in X]  # a rare label
    tagger = _quiet_fit(LSTMTagger(max_iter=1, class_weight="balanced", **FAST), X, y)
    flat = np.concatenate(y)
    expected = len(flat) / (2 * np.bincount(flat))
    np.testing.assert_allclose(tagger.class_weight_, expected, rtol=1e-6)


def test_sample_weight_zero_is_the_same_as_leaving_the_sequence_out():
    X = ragged(12)
    y = [(x[:, 0] > 0).astype(int) for x in X]
    params = dict(max_iter=5, dtype="float64", batch_size=100, shuffle=False, **FAST)
    weight = np.r_[np.ones(8), np.zeros(4)]
    weighted = _quiet_fit(LSTMTagger(**params), X, y, sample_weight=weight)
    dropped = _quiet_fit(LSTMTagger(**params), X[:8], y[:8])
    np.testing.assert_allclose(weighted.loss_curve_, dropped.loss_curve_, rtol=1e-10)


def test_step_regressor_learns_a_running_sum():
    rng = np.random.RandomState(0)
    X = [rng.randn(t, 1) for t in rng.randint(5, 15, size=150)]
    y = [np.cumsum(x[:, 0]) for x in X]
    model = _quiet_fit(
        LSTMStepRegressor(max_iter=80, bidirectional=False, **FAST), X, y
    )
    X_new = [rng.randn(t, 1) for t in rng.randint(5, 15, size=40)]
    assert model.score(X_new, [np.cumsum(x[:, 0]) for x in X_new]) > 0.9
    pred = model.predict(X_new)
    assert isinstance(pred, list) and pred[0].shape == (len(X_new[0]),)


def test_step_regressor_with_several_values_per_step():
    rng = np.random.RandomState(0)
    X = rng.randn(30, 7, 2)
    y = np.stack([X[..., 0] * 100, X[..., 1] - 5], axis=-1)  # (30, 7, 2)
    model = _quiet_fit(GRUStepRegressor(max_iter=2, **FAST), X, y)
    assert model.n_outputs_ == 2 and model.predict(X).shape == (30, 7, 2)


def test_safe_format_joblib_warm_start_and_partial_fit(tmp_path):
    X = ragged(30)
    y = [(x[:, 0] > 0).astype(int) for x in X]
    tagger = _quiet_fit(LSTMTagger(max_iter=2, **FAST), X, y)
    sklearn_seq.save(tagger, tmp_path / "tagger.skseq")
    joblib.dump(tagger, tmp_path / "tagger.joblib")
    for loaded in (sklearn_seq.load(tmp_path / "tagger.skseq"),
                   joblib.load(tmp_path / "tagger.joblib")):
        for a, b in zip(loaded.predict_proba(X), tagger.predict_proba(X)):
            np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="hidden_size cannot change"):
        _quiet_fit(tagger.set_params(warm_start=True, hidden_size=8), X, y)
    fresh = LSTMTagger(**FAST)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        fresh.partial_fit(X, y)
    fresh.partial_fit(X, y, classes=[0, 1]).partial_fit(X, y)
    assert fresh.n_iter_ == 2


def test_scikit_learn_model_selection_splits_sequences():
    X = ragged(30)
    y = [(x[:, 0] > 0).astype(int) for x in X]
    scores = cross_val_score(LSTMTagger(max_iter=2, **FAST), X, y, cv=KFold(3))
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))
    search = GridSearchCV(LSTMTagger(max_iter=2, **FAST), {"hidden_size": [4, 8]}, cv=2)
    _quiet_fit(search, X, y)
    assert search.best_params_["hidden_size"] in (4, 8)


@pytest.mark.parametrize(
    "check",
    [check_parameters_default_constructible, check_no_attributes_set_in_init,
     check_get_params_invariance, check_set_params],
)
@pytest.mark.parametrize(
    "Tagger", [LSTMTagger, GRUStepRegressor, TransformerTagger, TransformerStepRegressor]
)
def test_scikit_learn_checks_that_read_no_target(check, Tagger):
    # A target per step is no target scikit-learn's checks can make (they give one
    # label or value per sample); the behaviour they check otherwise is tested above.
    check(Tagger.__name__, Tagger())


# -- transformer encoder -----------------------------------------------------------


def test_transformer_tagger_reads_the_next_step_unless_causal():
    X = ragged(160)
    y = [np.r_[(x[1:, 0] > 0).astype(int), 0] for x in X]  # the sign of the NEXT step
    X_new = ragged(60, seed=2)
    y_new = [np.r_[(x[1:, 0] > 0).astype(int), 0] for x in X_new]
    params = dict(hidden_size=16, num_layers=1, max_iter=25, learning_rate_init=1e-2,
                  random_state=0)
    causal = _quiet_fit(TransformerTagger(bidirectional=False, **params), X, y)
    both = _quiet_fit(TransformerTagger(**params), X, y)
    assert causal.score(X_new, y_new) < 0.7
    assert both.score(X_new, y_new) > 0.9


@pytest.mark.parametrize("bidirectional", [True, False])
def test_transformer_tagger_is_exact_on_ragged_input_with_readable_heads(
    bidirectional, tmp_path
):
    X = ragged(12, low=3, high=9)
    y = [(x[:, 0] > 0).astype(int) for x in X]
    tagger = _quiet_fit(TransformerTagger(hidden_size=8, nhead=2, max_iter=2, dtype="float64",
                                          bidirectional=bidirectional, random_state=0), X, y)
    together = tagger.predict_proba(X)
    for x, proba in zip(X[:4], together):
        np.testing.assert_allclose(tagger.predict_proba([x])[0], proba, rtol=0, atol=1e-12)
    weights = tagger.self_attention_weights(X[:3])
    n = len(X[0])
    assert weights.shape == (3, 2, 2, max(map(len, X[:3])), max(map(len, X[:3])))
    np.testing.assert_allclose(weights[0, :, :, :n, :n].sum(axis=-1), 1)
    assert weights[0, :, :, n:].sum() == 0 and weights[0, :, :, :, n:].sum() == 0
    # Causal attention gives no weight to later steps.
    assert (np.triu(weights[0, 0, 0], 1).max() == 0) is not bidirectional
    np.testing.assert_allclose(tagger.self_attention_weights(X[:1])[0], weights[0, ..., :n, :n],
                               atol=1e-12)
    sklearn_seq.save(tagger, tmp_path / "tagger.skseq")
    loaded = sklearn_seq.load(tmp_path / "tagger.skseq")
    np.testing.assert_array_equal(np.concatenate(loaded.predict_proba(X)),
                                  np.concatenate(together))


def test_transformer_step_regressor_refuses_heads_that_do_not_divide_the_width():
    X = ragged(10)
    with pytest.raises(ValueError, match="hidden_size=10 must be a multiple of nhead=4"):
        TransformerStepRegressor(hidden_size=10, max_iter=1).fit(X, [x[:, 0] for x in X])
    with pytest.raises(AttributeError) as err:
        BiRNNTextTagger(cell="gru").self_attention_weights
    assert "not available with cell='gru'; set cell='transformer'" in str(err.value.__cause__)
    assert not hasattr(LSTMTagger(), "self_attention_weights")


# -- metrics -----------------------------------------------------------------------


def test_entity_spans_follow_conlleval():
    assert entity_spans(["O", "B-PER", "I-PER", "B-PER", "O"]) == [("PER", 1, 2), ("PER", 3, 3)]
    # An I- tag after O, or after another type, starts an entity (conlleval, seqeval).
    assert entity_spans(["I-LOC", "I-LOC", "I-ORG"]) == [("LOC", 0, 1), ("ORG", 2, 2)]
    assert entity_spans(["B-X", "O", "O"]) == [("X", 0, 0)]
    assert entity_spans(["O", "O"]) == []


def test_entity_f1_counts_exact_spans_only():
    y_true = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O"]]
    y_pred = [["B-PER", "O", "O", "B-LOC"], ["B-ORG", "O"]]
    # Found 2 of 3 (the person's span is cut short), predicted 3 with 2 right.
    assert entity_f1_score(y_true, y_pred) == pytest.approx(2 / 3)
    assert entity_f1_score(y_true, y_true) == 1.0
    assert entity_f1_score([["O"]], [["O"]]) == 0.0


def test_step_metrics_and_shape_errors():
    assert step_accuracy_score([[1, 0], [1]], [[1, 1], [1]]) == pytest.approx(2 / 3)
    assert step_accuracy_score([[1, 0], [1]], [[1, 1], [1]],
                               sample_weight=[0, 1]) == pytest.approx(1)
    assert step_f1_score([["a", "b"]], [["a", "a"]], average="micro") == pytest.approx(0.5)
    with pytest.raises(ValueError, match="same number of sequences, each of the same length"):
        step_accuracy_score([[1, 0]], [[1]])


# -- text --------------------------------------------------------------------------


# The entity F1 of the tagger against a per-token baseline on make_contract_entities
# is checked by tests/test_examples.py (examples/contract_entities.py).


def test_text_tagger_reads_strings_as_whitespace_tokens_and_refuses_empty_documents():
    docs = [["Acme", "Ltd", "pays", "Bob"], ["Bob", "pays", "Acme", "Ltd"]] * 5
    tags = [["B-ORG", "I-ORG", "O", "B-PER"], ["B-PER", "O", "B-ORG", "I-ORG"]] * 5
    tagger = _quiet_fit(BiRNNTextTagger(hidden_size=4, embedding_dim=4, max_iter=2,
                                        random_state=0), docs, tags)
    as_strings = tagger.predict_proba([" ".join(d) for d in docs[:2]])
    for a, b in zip(as_strings, tagger.predict_proba(docs[:2])):
        np.testing.assert_array_equal(a, b)
    assert set(tagger.vocabulary_) == {"acme", "ltd", "pays", "bob"}
    with pytest.raises(ValueError, match="Document 1 has no tokens"):
        tagger.predict([["Acme"], []])
    with pytest.raises(ValueError, match="y\\[1\\] has 0"):
        BiRNNTextTagger(max_iter=1).fit(docs[:2], [tags[0], []])
    with pytest.raises(ValueError, match="labels not seen in the first fit: \\['B-LOC'\\]"):
        tagger.partial_fit(docs[:1], [["B-LOC", "O", "O", "O"]])


def test_text_tagger_reads_documents_as_the_text_classifier_does():
    docs = ["Acme Ltd pays Bob", "Bob pays Acme Ltd"] * 5
    tags = [["B-ORG", "I-ORG", "O", "B-PER"], ["B-PER", "O", "B-ORG", "I-ORG"]] * 5
    params = dict(hidden_size=4, embedding_dim=4, max_iter=1, random_state=0)
    # Bytes are UTF-8 text (they were read as lists of byte values).
    as_bytes = _quiet_fit(BiRNNTextTagger(**params), [d.encode() for d in docs], tags)
    assert set(as_bytes.vocabulary_) == {"acme", "ltd", "pays", "bob"}
    # A table is refused with what to pass (its column names were read as documents).
    import pandas as pd

    with pytest.raises(ValueError, match='Pass one text column, e.g. df\\["text"\\]'):
        BiRNNTextTagger(**params).fit(pd.DataFrame({"text": docs}), tags)
    with pytest.raises(TypeError, match="tokens of pre-tokenised documents must be strings"):
        BiRNNTextTagger(**params).fit([["Acme", 1]], [["B-ORG", "O"]])
    # What numpy makes of token lists of equal length: one document per row.
    tokens = np.array([d.split() for d in docs])
    assert tokens.shape == (10, 4)
    for a, b in zip(as_bytes.predict_proba(tokens), as_bytes.predict_proba(docs)):
        np.testing.assert_array_equal(a, b)


def test_text_tagger_in_a_pipeline_after_a_tokenizer():
    import re
    import unicodedata

    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    def tokenize(docs):  # width-normalised (NFKC), punctuation split from words
        return [re.findall(r"\w+|[^\w\s]", unicodedata.normalize("NFKC", d)) for d in docs]

    def tag(token):
        return "NUM" if token.isdigit() else "PUNCT" if not token.isalnum() else "O"

    rng = np.random.RandomState(0)
    words = ["Acme", "paid", "Bob", "then", "left", "the", "fee", "of"]
    docs = [" ".join(rng.choice(words + ["12", "305,", "7.", "(9)"], size=rng.randint(3, 9)))
            for _ in range(60)]
    tags = [[tag(t) for t in tokens] for tokens in tokenize(docs)]
    pipe = make_pipeline(
        FunctionTransformer(tokenize),
        BiRNNTextTagger(hidden_size=8, embedding_dim=4, max_iter=30, learning_rate_init=1e-2,
                        random_state=0),
    )
    _quiet_fit(pipe, docs, tags)
    (predicted,) = pipe.predict(["Ａｃｍｅ paid ４２, then left."])  # full-width letters, digits
    assert predicted.tolist() == ["O", "O", "NUM", "PUNCT", "O", "O", "PUNCT"]
    assert pipe.score(docs, tags) == 1.0
