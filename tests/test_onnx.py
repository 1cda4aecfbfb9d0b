"""ONNX export: onnxruntime gives what ``predict`` and ``predict_proba`` give, on
ragged and 3D input, at batch sizes and lengths the export never saw."""

import builtins

import numpy as np
import onnxruntime as ort
import pytest
from sklearn.linear_model import LogisticRegression

from sklearn_seq import (
    AttentionForecaster,
    BiRNNTextClassifier,
    BiRNNTextTagger,
    GRUClassifier,
    GRUStepRegressor,
    LSTMClassifier,
    LSTMRegressor,
    LSTMTagger,
    RNNClassifier,
    SequenceAnomalyDetector,
    TransformerClassifier,
    TransformerRegressor,
    to_onnx,
)
from sklearn_seq.seq2seq import Seq2SeqRegressor, TextSeq2Seq

SMALL = dict(hidden_size=6, max_iter=2, random_state=0)
RNG = np.random.RandomState(0)
# 3D: 24 sequences of 14 steps (the export's example has 6); ragged: 3 to 13 steps.
X3 = RNG.randn(24, 14, 2).astype(np.float32)
RAGGED = [X3[i, : 3 + i % 11] for i in range(24)]
LABELS = np.where(X3[:, :, 0].sum(axis=1) > 0, "up", "down")
TARGET = 40 * X3[:, :, 1].mean(axis=1) + 100


def padded(seqs, fill=9.0):
    """``(x, lengths)``: ``seqs`` padded at the end with ``fill``."""
    lengths = np.array([len(s) for s in seqs], dtype=np.int64)
    x = np.full((len(seqs), lengths.max(), *seqs[0].shape[1:]), fill, dtype=seqs[0].dtype)
    for i, s in enumerate(seqs):
        x[i, : len(s)] = s
    return x, lengths


def session(estimator):
    return ort.InferenceSession(to_onnx(estimator).SerializeToString(),
                                providers=["CPUExecutionProvider"])


def inputs():
    """The estimator's ``X`` and the graph's ``{"x", "lengths"}`` for it: ragged, then
    3D."""
    full = np.full(len(X3), X3.shape[1], dtype=np.int64)
    return [(RAGGED, dict(zip(["x", "lengths"], padded(RAGGED)))),
            (X3, {"x": X3, "lengths": full})]


CLASSIFIERS = [
    LSTMClassifier(**SMALL, bidirectional=True, pooling="mean"),
    # the convolutional front end with its stride, as conv_channels="auto" builds it
    GRUClassifier(**SMALL, conv_channels=(4, 4), kernel_size=3, conv_stride=2, pooling="max",
                  conv_norm="layer"),
    # batch normalisation (what conv_norm="auto" takes from 100 training sequences)
    # and the branch
    LSTMClassifier(**SMALL, conv_channels=(4, 4), kernel_size=3, conv_stride=2,
                   conv_norm="batch", conv_branch=True),
    RNNClassifier(**SMALL, num_layers=2, pooling="attention"),
    # an ensemble (what n_estimators="auto" builds on small sets of long series)
    LSTMClassifier(**SMALL, conv_channels=(4, 4), kernel_size=3, conv_stride=2,
                   conv_norm="mixed", n_estimators=3),
    TransformerClassifier(**SMALL, nhead=2, num_layers=1),
]


@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=lambda e: type(e).__name__)
def test_classifier_graph_gives_predict_proba_and_labels(estimator):
    graph = session(estimator.fit(RAGGED, LABELS))
    for X, feed in inputs():
        proba, labels = graph.run(None, feed)
        assert proba.dtype == np.float64
        np.testing.assert_allclose(proba, estimator.predict_proba(X), rtol=0, atol=1e-6)
        np.testing.assert_array_equal(labels, estimator.predict(X))
        assert labels.dtype == object and set(labels) <= {"up", "down"}


def test_numeric_labels_and_float64_transformers():
    y = np.where(LABELS == "up", 7, -3)
    X = X3.astype(np.float64)
    clf = TransformerClassifier(**SMALL, nhead=2, num_layers=1, dtype="float64").fit(X, y)
    proba, labels = session(clf).run(None, {**inputs()[1][1], "x": X})
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(labels, clf.predict(X))
    np.testing.assert_allclose(proba, clf.predict_proba(X), rtol=1e-12)


def test_float64_recurrent_networks_are_refused():
    clf = GRUClassifier(**SMALL, dtype="float64").fit(X3.astype(np.float64), LABELS)
    with pytest.raises(ValueError, match="float32 only; refit with dtype='float32'"):
        to_onnx(clf)


@pytest.mark.parametrize("estimator,y", [
    (LSTMRegressor(**SMALL, conv_channels=(3,), kernel_size=3), np.c_[TARGET, -TARGET]),
    (TransformerRegressor(**SMALL, nhead=2, num_layers=1, pooling="last"), TARGET),
], ids=["LSTMRegressor", "TransformerRegressor"])
def test_regressor_graph_gives_predict_in_units_of_y(estimator, y):
    graph = session(estimator.fit(RAGGED, y))
    for X, feed in inputs():
        (prediction,) = graph.run(None, feed)
        expected = estimator.predict(X)
        assert prediction.shape == expected.shape
        # float32 network outputs, scaled by y's standard deviation
        np.testing.assert_allclose(prediction, expected, rtol=1e-6, atol=1e-6 * y.std())


def test_forecaster_graph_gives_forecasts_and_sorted_quantiles():
    forecaster = AttentionForecaster(**SMALL, scaling="window", quantiles=(0.1, 0.5, 0.9))
    graph = session(forecaster.fit(RAGGED, np.c_[TARGET, TARGET + 1]))
    for X, feed in inputs():
        prediction, quantiles = graph.run(None, feed)
        np.testing.assert_allclose(prediction, forecaster.predict(X), rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(quantiles, forecaster.predict_quantiles(X), rtol=1e-6,
                                   atol=1e-6)
        assert quantiles.shape == (len(X), 2, 3)


def test_point_forecaster_has_one_output():
    forecaster = AttentionForecaster(**SMALL, attention="additive").fit(RAGGED, TARGET)
    x, lengths = padded(RAGGED)
    outputs = session(forecaster).run(None, {"x": x, "lengths": lengths})
    assert len(outputs) == 1
    np.testing.assert_allclose(outputs[0], forecaster.predict(RAGGED), rtol=1e-6, atol=1e-6)


def test_tagger_graphs_give_every_real_step():
    step_labels = [np.where(s[:, 0] > 0, "B", "O") for s in RAGGED]
    tagger = LSTMTagger(**SMALL).fit(RAGGED, step_labels)
    step_values = [10 * s[:, 1] for s in RAGGED]
    regressor = GRUStepRegressor(**SMALL).fit(RAGGED, step_values)
    x, lengths = padded(RAGGED)
    proba, labels = session(tagger).run(None, {"x": x, "lengths": lengths})
    (values,) = session(regressor).run(None, {"x": x, "lengths": lengths})
    for i, (p, t, v) in enumerate(zip(tagger.predict_proba(RAGGED), tagger.predict(RAGGED),
                                      regressor.predict(RAGGED))):
        np.testing.assert_allclose(proba[i, : lengths[i]], p, atol=1e-6)
        np.testing.assert_array_equal(labels[i, : lengths[i]], t)
        np.testing.assert_allclose(values[i, : lengths[i]], v, rtol=1e-5, atol=1e-5)


DOCS = ["good film, great fun", "bad film; awful", "great fun again", "awful and boring",
        "good, good and fun", "boring bad film", "fun", "bad"] * 2
SENTIMENT = ["pos", "neg", "pos", "neg", "pos", "neg", "pos", "neg"] * 2


@pytest.mark.parametrize("subwords", [None, (3, 4)])
def test_text_classifier_graph_reads_token_ids(subwords):
    clf = BiRNNTextClassifier(**SMALL, embedding_dim=4, subword_ngram_range=subwords)
    clf.fit(DOCS, SENTIMENT)
    if subwords is None:
        # The documented route: the analyzer's tokens and the vocabulary's ids.
        analyze = clf.build_analyzer()
        ids = [np.array([[clf.vocabulary_.get(t, 0)] for t in analyze(d)]) for d in DOCS]
    else:
        # the package's own steps: each token's id and its n-grams' buckets
        seqs = clf._to_sequences(clf._tokenize(DOCS))
        ids = np.split(seqs.values.astype(np.int64), np.cumsum(seqs.lengths)[:-1])
    x, lengths = padded(ids, fill=0)
    proba, labels = session(clf).run(None, {"x": x, "lengths": lengths})
    np.testing.assert_allclose(proba, clf.predict_proba(DOCS), atol=1e-6)
    np.testing.assert_array_equal(labels, clf.predict(DOCS))


def test_text_tagger_graph_reads_its_step_features():
    docs = [d.replace(",", "").replace(";", "").split() for d in DOCS]
    tags = [["B" if w.startswith(("g", "f")) else "O" for w in d] for d in docs]
    tagger = BiRNNTextTagger(**SMALL, embedding_dim=4).fit(docs, tags)
    steps = tagger._validate_X(docs, reset=False)
    x, lengths = padded(np.split(steps.values, np.cumsum(steps.lengths)[:-1]), fill=0)
    _, labels = session(tagger).run(None, {"x": x, "lengths": lengths})
    for i, expected in enumerate(tagger.predict(docs)):
        np.testing.assert_array_equal(labels[i, : lengths[i]], expected)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_anomaly_graph_gives_scores_decisions_labels_and_step_scores(cell):
    # contamination 0.3: both labels among the training sequences
    detector = SequenceAnomalyDetector(**SMALL, cell=cell, contamination=0.3).fit(RAGGED)
    graph = session(detector)
    for X, feed in inputs():
        score, decision, label, steps = graph.run(None, feed)
        assert score.dtype == decision.dtype == np.float64
        # The state score (default) is a Mahalanobis distance of float32 states:
        # float32's relative rounding, not an absolute one.
        np.testing.assert_allclose(score, detector.score_samples(X), rtol=1e-5, atol=1e-6)
        decision_expected = detector.decision_function(X)
        np.testing.assert_allclose(decision, decision_expected, rtol=1e-5, atol=1e-5)
        clear = np.abs(decision_expected) > 1e-4
        np.testing.assert_array_equal(label[clear], detector.predict(X)[clear])
        assert set(label) == {-1, 1}
        for i, expected in enumerate(detector.score_steps(X)):
            n = feed["lengths"][i]
            np.testing.assert_allclose(steps[i, :n], expected, rtol=0, atol=1e-6)
            assert np.all(steps[i, n:] == 0)


def test_seq2seq_regressor_graph_gives_predict_and_attention():
    y = [np.c_[s[:3, 0], -s[:3, 1]] for s in RAGGED]  # 3 steps of 2 values
    model = Seq2SeqRegressor(**SMALL).fit(RAGGED, y)
    graph = session(model)
    for X, feed in inputs():
        prediction, attention = graph.run(None, feed)
        assert prediction.shape == (len(X), 3, 2)
        np.testing.assert_allclose(prediction, model.predict(X), rtol=1e-6, atol=1e-6)
        for i, expected in enumerate(model.attention_weights(X)):
            np.testing.assert_allclose(attention[i, :, : feed["lengths"][i]], expected,
                                       atol=1e-6)


SOURCES = ["abc", "cab", "bca", "aab", "cba", "bba", "ab", "c", "abcab"] * 3


def test_text_seq2seq_graph_decodes_greedily_as_predict():
    model = TextSeq2Seq(hidden_size=8, embedding_dim=4, max_iter=15, max_output_length=3,
                        learning_rate_init=3e-2, random_state=0)
    model.fit(SOURCES, [s[::-1] for s in SOURCES])
    texts = ["abc", "cabbage", "x", "ba", "abcab", "c"]  # g, e, x: unknown
    ids = [np.array([[model.vocabulary_.get(t, 0)] for t in model.build_analyzer()(d)])
           for d in texts]
    x, lengths = padded(ids, fill=0)
    tokens, length, log_likelihood, attention = session(model).run(
        None, {"x": x, "lengths": lengths})
    expected = model.predict(texts)
    # Outputs cut at the end token and at max_output_length both occur.
    assert {len(e) for e in expected} >= {1, 3}
    np.testing.assert_array_equal(length, [len(e) for e in expected])
    assert ["".join(row) for row in tokens] == expected
    np.testing.assert_allclose(log_likelihood, [d[2] for d in model._decoded(texts)],
                               rtol=1e-5)
    for i, weights in enumerate(model.attention_weights(texts)):
        np.testing.assert_allclose(attention[i, : length[i], : lengths[i]], weights,
                                   atol=1e-6)


def test_beam_search_is_refused():
    model = TextSeq2Seq(hidden_size=4, embedding_dim=2, max_iter=1, beam_size=3)
    model.fit(SOURCES[:6], SOURCES[:6])
    with pytest.raises(ValueError, match=r"greedy decoding only.*set_params\(beam_size=1\)"):
        to_onnx(model)


def test_model_is_written_to_path_and_has_dynamic_axes(tmp_path):
    clf = LSTMClassifier(**SMALL).fit(X3, LABELS)
    model = to_onnx(clf, tmp_path / "model.onnx", opset=18)
    assert (tmp_path / "model.onnx").read_bytes() == model.SerializeToString()
    assert model.opset_import[0].version == 18
    x_dims = [d.dim_param for d in model.graph.input[0].type.tensor_type.shape.dim]
    assert x_dims[:2] == ["batch", "time"]
    one = ort.InferenceSession(str(tmp_path / "model.onnx")).run(
        None, {"x": X3[:1, :40], "lengths": np.array([14])})
    np.testing.assert_array_equal(one[1], clf.predict(X3[:1]))


def test_export_leaves_the_estimator_unchanged():
    clf = LSTMClassifier(**SMALL, dropout=0.2).fit(X3, LABELS)
    clf.net_.module_.train()
    to_onnx(clf)
    assert clf.net_.module_.training


def test_unfitted_and_unsupported_estimators_are_refused():
    with pytest.raises(Exception, match="not fitted"):
        to_onnx(LSTMClassifier())
    with pytest.raises(TypeError, match="LogisticRegression is not supported"):
        to_onnx(LogisticRegression().fit(X3[:, 0], LABELS))


def test_missing_onnx_names_the_extra(monkeypatch):
    real_import = builtins.__import__

    def no_onnx(name, *args, **kwargs):
        if name == "onnx" or name.startswith("onnx."):
            raise ImportError("No module named 'onnx'")
        return real_import(name, *args, **kwargs)

    clf = LSTMClassifier(**SMALL).fit(X3, LABELS)
    monkeypatch.setattr(builtins, "__import__", no_onnx)
    with pytest.raises(ImportError, match=r"sklearn-seq\[onnx\]"):
        to_onnx(clf)
