"""sequence_attributions: shapes like the input, known answers, faithfulness."""

import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import make_pipeline

from sklearn_seq import (
    AttentionForecaster,
    BiRNNTextClassifier,
    BiRNNTextTagger,
    GRUClassifier,
    GRURegressor,
    GRUStepRegressor,
    GRUTagger,
    PanelForecaster,
    Seq2SeqRegressor,
    SequenceAnomalyDetector,
    SequenceScaler,
    TransformerRegressor,
)
from sklearn_seq.inspection import sequence_attributions

METHODS = ["integrated_gradients", "occlusion"]


@pytest.fixture(scope="module")
def ragged():
    rng = np.random.RandomState(0)
    X = [rng.randn(n, 2) for n in (5, 7, 5, 9, 6, 7)]
    clf = GRUClassifier(hidden_size=4, max_iter=3, random_state=0, dtype="float64")
    return clf.fit(X, [0, 1, 0, 1, 2, 2]), X


@pytest.fixture(scope="module")
def spikes():
    """One spike per sequence, at a random step: its sign is the class."""
    rng = np.random.RandomState(0)
    n, length = 160, 12
    X = rng.randn(n, length) * 0.3
    position = rng.randint(length, size=n)
    sign = rng.choice([-1, 1], size=n)
    X[np.arange(n), position] += 3 * sign
    clf = GRUClassifier(hidden_size=8, pooling="max", max_iter=25, learning_rate_init=0.02,
                        random_state=0).fit(X, sign)
    return clf, X, position


@pytest.mark.parametrize("method", METHODS)
def test_ragged_input_gives_one_array_per_sequence_of_its_length(ragged, method):
    clf, X = ragged
    result = sequence_attributions(clf, X, method=method, n_steps=8)
    assert [a.shape for a in result.attributions] == [x.shape for x in X]
    np.testing.assert_array_equal(result.target, clf.predict(X))


def test_dense_input_keeps_its_layout():
    rng = np.random.RandomState(0)
    X3 = rng.randn(8, 6, 3)
    reg = TransformerRegressor(hidden_size=8, nhead=2, num_layers=1, max_iter=2,
                               random_state=0).fit(X3, rng.randn(8))
    assert sequence_attributions(reg, X3, n_steps=4).attributions.shape == (8, 6, 3)
    X2 = rng.randn(8, 6)
    reg = GRURegressor(hidden_size=4, max_iter=2, random_state=0).fit(X2, rng.randn(8))
    assert sequence_attributions(reg, X2, method="occlusion").attributions.shape == (8, 6)


def test_integrated_gradients_sum_to_the_change_of_the_explained_probability(ragged):
    clf, X = ragged
    result = sequence_attributions(clf, X, target=2, n_steps=64)
    proba = clf.predict_proba(X)[:, 2]
    np.testing.assert_allclose(result.output, proba, atol=1e-12)
    baseline = clf.net_.module_.input_mean.numpy()
    at_baseline = clf.predict_proba([np.tile(baseline, (len(x), 1)) for x in X])[:, 2]
    np.testing.assert_allclose(result.baseline_output, at_baseline, atol=1e-12)
    totals = [a.sum() for a in result.attributions]
    np.testing.assert_allclose(totals, proba - at_baseline, atol=2e-3)


def test_occlusion_is_the_drop_when_one_value_is_set_to_the_baseline(ragged):
    clf, X = ragged
    result = sequence_attributions(clf, X[:2], method="occlusion", target=1, baseline=0.5)
    occluded = X[1].copy()
    occluded[3, 1] = 0.5
    drop = clf.predict_proba([X[1]])[0, 1] - clf.predict_proba([occluded])[0, 1]
    assert result.attributions[1][3, 1] == pytest.approx(drop, abs=1e-9)


def test_a_sequence_gets_the_same_attributions_alone_or_in_a_ragged_batch(ragged):
    clf, X = ragged
    batch = sequence_attributions(clf, X, n_steps=8).attributions
    for i in (0, 3):
        alone = sequence_attributions(clf, [X[i]], n_steps=8).attributions[0]
        np.testing.assert_allclose(alone, batch[i], rtol=1e-10, atol=1e-12)


def test_deleting_the_top_ranked_steps_changes_the_prediction_more_than_random_steps(spikes):
    clf, X, position = spikes
    X, position = X[:40], position[:40]
    result = sequence_attributions(clf, X, n_steps=16)
    ranked = np.argsort(-np.abs(result.attributions), axis=1)
    # The known answer: the spike is the step ranked first.
    assert np.mean(ranked[:, 0] == position) >= 0.9
    predicted = (clf.predict(X) == 1).astype(int)
    proba = clf.predict_proba(X)[np.arange(len(X)), predicted]
    baseline = float(clf.net_.module_.input_mean[0])

    def change_after_deleting(steps):
        deleted = X.copy()
        np.put_along_axis(deleted, steps, baseline, axis=1)
        after = clf.predict_proba(deleted)[np.arange(len(X)), predicted]
        return np.mean(np.abs(proba - after))

    k = 2
    rng = np.random.RandomState(0)
    random_steps = np.argsort(rng.rand(*X.shape), axis=1)[:, :k]
    top, random = change_after_deleting(ranked[:, :k]), change_after_deleting(random_steps)
    assert top > 0.3 and top > 3 * random


@pytest.mark.parametrize("method", METHODS)
def test_text_is_attributed_per_token_through_the_embeddings(method):
    docs = ["good film", "bad film", "very good", "very bad plot", "good", "bad"]
    clf = BiRNNTextClassifier(hidden_size=4, embedding_dim=4, max_iter=3, random_state=0,
                              subword_ngram_range=(3, 4), dtype="float64")
    clf.fit(docs, [1, 0, 1, 0, 1, 0])
    result = sequence_attributions(clf, ["very bad plot", "good", ""], method=method, n_steps=32)
    assert result.tokens == [["very", "bad", "plot"], ["good"], [""]]
    assert [a.shape for a in result.attributions] == [(3,), (1,), (1,)]
    if method == "integrated_gradients":
        totals = [a.sum() for a in result.attributions]
        np.testing.assert_allclose(totals, result.output - result.baseline_output, atol=1e-3)


def test_regressor_target_is_the_output_in_the_units_of_y():
    rng = np.random.RandomState(0)
    X, y = rng.randn(10, 5, 2), rng.randn(10, 2) * 100 + 50
    reg = GRURegressor(hidden_size=4, max_iter=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="predicts 2 outputs: pass target"):
        sequence_attributions(reg, X)
    result = sequence_attributions(reg, X, target=1, n_steps=4)
    np.testing.assert_allclose(result.output, reg.predict(X)[:, 1], rtol=1e-5)


def test_forecaster_and_detector_explain_their_prediction_and_score():
    rng = np.random.RandomState(0)
    X = rng.randn(12, 6, 1)
    fc = AttentionForecaster(hidden_size=4, max_iter=2, quantiles=(0.1, 0.5, 0.9),
                             random_state=0).fit(X, rng.randn(12, 3))
    result = sequence_attributions(fc, X[:3], target=2, n_steps=4)
    assert result.attributions.shape == (3, 6, 1)
    raw = fc._forward(X[:3])[:, 2 * 3 + 1] * fc._y_scale[2] + fc._y_mean[2]
    np.testing.assert_allclose(result.output, raw, rtol=1e-5)
    for score in ("state", "error"):  # the default, and the next-step error
        det = SequenceAnomalyDetector(hidden_size=4, max_iter=2, anomaly_score=score,
                                      random_state=0).fit(X)
        result = sequence_attributions(det, X[:3], n_steps=4)
        np.testing.assert_allclose(result.output, det.score_samples(X[:3]), rtol=1e-5)
    with pytest.raises(ValueError, match="one score per sequence; target must be None"):
        sequence_attributions(det, X[:3], target=0)


def test_pipeline_attributions_are_on_the_steps_its_last_step_reads(ragged):
    _, X = ragged
    pipe = make_pipeline(SequenceScaler(), GRUClassifier(hidden_size=4, max_iter=2,
                                                         random_state=0))
    pipe.fit(X, [0, 1, 0, 1, 0, 1])
    result = sequence_attributions(pipe, X, method="occlusion")
    assert [a.shape for a in result.attributions] == [x.shape for x in X]
    np.testing.assert_array_equal(result.target, pipe.predict(X))


def test_refuses_what_it_cannot_explain(ragged):
    clf, X = ragged
    with pytest.raises(ValueError, match="target 'cat' is not a class"):
        sequence_attributions(clf, X, target="cat")
    with pytest.raises(ValueError, match="target has 2 labels for 6 samples"):
        sequence_attributions(clf, X, target=[0, 1])
    with pytest.raises(ValueError, match="one output per sequence; step is for the taggers"):
        sequence_attributions(clf, X, step=0)
    tagger = GRUTagger(hidden_size=4, max_iter=1).fit(X[:2], [np.zeros(5), np.ones(7)])
    with pytest.raises(ValueError, match="output at every step: pass step"):
        sequence_attributions(tagger, X)
    with pytest.raises(ValueError, match="step=5 is outside sequence 0, which has 5 steps"):
        sequence_attributions(tagger, X, step=5)
    with pytest.raises(ValueError, match="step=-6 is outside sequence 0"):
        sequence_attributions(tagger, X, step=-6)


def test_refusals_say_what_to_use_instead():
    rng = np.random.RandomState(0)
    X = rng.randn(6, 5, 1)
    s2s = Seq2SeqRegressor(hidden_size=4, max_iter=1, random_state=0).fit(X, X[:, :3])
    with pytest.raises(TypeError, match=r"generated step by step.*attention_weights\(X\)"
                                        r".*AlignmentDisplay"):
        sequence_attributions(s2s, X)
    frame = pd.DataFrame({"id": np.repeat([0, 1], 12), "y": rng.randn(24)})
    panel = PanelForecaster(AttentionForecaster(hidden_size=4, max_iter=1), id_col="id",
                            time_col=None, horizon=2, window=4).fit(frame)
    with pytest.raises(TypeError, match=r"no network of its own.*"
                                        r"sequence_attributions\(model.estimator_, windows\)"):
        sequence_attributions(panel, frame)


@pytest.fixture(scope="module")
def step_tagger():
    """The label at step t is the sign of the input at step t."""
    rng = np.random.RandomState(0)
    X = rng.randn(100, 8, 1)
    tagger = GRUTagger(hidden_size=8, max_iter=15, learning_rate_init=0.02, random_state=0)
    return tagger.fit(X, (X[:, :, 0] > 0).astype(int)), X[:20]


@pytest.mark.parametrize("method, step", [("integrated_gradients", 5), ("occlusion", -1)])
def test_a_tagger_step_is_explained_by_the_input_step_its_label_depends_on(
        step_tagger, method, step):
    tagger, X = step_tagger
    result = sequence_attributions(tagger, X, step=step, method=method, n_steps=16)
    assert result.attributions.shape == X.shape
    # The known answer: the input step of the explained output step ranks first.
    assert np.mean(np.abs(result.attributions[..., 0]).argmax(axis=1) == step % 8) >= 0.9
    np.testing.assert_array_equal(result.target, tagger.predict(X)[:, step])
    proba = tagger.predict_proba(X)[np.arange(len(X)), step]
    np.testing.assert_allclose(result.output, proba[np.arange(len(X)), result.target],
                               atol=1e-6)
    if method == "integrated_gradients":
        np.testing.assert_allclose(result.attributions.sum(axis=(1, 2)),
                                   result.output - result.baseline_output, atol=2e-3)


def test_step_regressor_and_text_tagger_explain_one_output_step():
    rng = np.random.RandomState(0)
    X = rng.randn(10, 6, 2)
    reg = GRUStepRegressor(hidden_size=4, max_iter=2, random_state=0).fit(X, X[..., 0] * 10)
    result = sequence_attributions(reg, X[:3], step=2, n_steps=8)
    np.testing.assert_allclose(result.output, reg.predict(X[:3])[:, 2], rtol=1e-5)
    docs = [["Alice", "met", "Bob"], ["Bob", "ran"], ["the", "Alice"]]
    tagger = BiRNNTextTagger(hidden_size=4, embedding_dim=4, max_iter=2, random_state=0,
                             dtype="float64")
    tagger.fit(docs, [["P", "O", "P"], ["P", "O"], ["O", "P"]])
    result = sequence_attributions(tagger, docs, step=1, n_steps=32)
    assert result.tokens == docs
    assert [a.shape for a in result.attributions] == [(3,), (2,), (2,)]
    # The baseline replaces the token ids only (the shape features stay).
    np.testing.assert_allclose([a.sum() for a in result.attributions],
                               result.output - result.baseline_output, atol=1e-3)


def test_without_captum_the_error_names_the_extra(ragged, monkeypatch):
    clf, X = ragged
    monkeypatch.setitem(sys.modules, "captum", None)
    with pytest.raises(ImportError, match=r"pip install captum .*sklearn-seq\[explain\]"):
        sequence_attributions(clf, X)
