"""The encoder-decoders: what they learn, their alignments, decoding, ragged
exactness, errors and the scikit-learn contract."""

import copy
import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

import sklearn_seq
from sklearn_seq.datasets import make_date_normalization
from sklearn_seq.plotting import AlignmentDisplay
from sklearn_seq.seq2seq import Seq2SeqRegressor, TextSeq2Seq

rng = np.random.RandomState(0)
WORDS = ["".join(rng.choice(list("abcdef"), rng.randint(3, 7))) for _ in range(400)]


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # short test budgets stop at max_iter
        return est.fit(X, y)


@pytest.fixture(scope="module")
def copier():
    """A model that copies strings of a to f, and its held-out strings."""
    model = TextSeq2Seq(hidden_size=32, embedding_dim=16, max_iter=25,
                        learning_rate_init=1e-2, random_state=0)
    return _fit(model, WORDS[:300], WORDS[:300]), WORDS[300:]


def test_copy_task_is_learnt_with_a_monotone_alignment(copier):
    model, held_out = copier
    assert model.score(held_out, held_out) > 0.9
    correct = [w for w, p in zip(held_out, model.predict(held_out)) if w == p]
    for word, weights in zip(correct, model.attention_weights(correct)):
        assert weights.shape == (len(word), len(word))
        np.testing.assert_allclose(weights.sum(axis=1), 1, rtol=1e-5)
        # Each output character reads the input character it copies, in order.
        assert np.all(np.diff(weights.argmax(axis=1)) >= 0), weights.round(2)


def test_beam_search_scores_at_least_as_well_as_greedy(copier):
    model, held_out = copier
    model = copy.deepcopy(model)
    sources = [w[:2] + "zz" + w[2:] for w in held_out[:40]]  # unseen "z": harder
    greedy = model.predict(sources)
    beam = model.set_params(beam_size=4).predict(sources)
    g, b = model.log_likelihood(sources, greedy), model.log_likelihood(sources, beam)
    assert np.all(b >= g - 1e-4)
    assert np.all(g <= 0) and np.all(b <= 0)


def test_a_ragged_batch_decodes_as_each_sequence_alone(copier):
    model = copier[0]
    sources = ["abc", "fedcbaab", "a", "cafe"]
    batch, batch_weights = model.predict(sources), model.attention_weights(sources)
    for i, source in enumerate(sources):
        assert model.predict([source]) == [batch[i]]
        np.testing.assert_allclose(model.attention_weights([source])[0], batch_weights[i],
                                   rtol=1e-5, atol=1e-6)
    beam = copy.deepcopy(model).set_params(beam_size=3)
    assert beam.predict(sources) == [beam.predict([s])[0] for s in sources]


def test_unknown_source_tokens_share_the_unknown_id(copier):
    model = copier[0]
    assert model.predict(["ab☃c"]) == model.predict(["ab☂c"])
    assert "☃" not in model.vocabulary_ and 0 not in model.vocabulary_.values()


def test_words_and_token_lists_in_and_out():
    X = ["one two", "two one", "one one two", "two"] * 10
    y = [" ".join(reversed(d.split())) for d in X]
    model = _fit(TextSeq2Seq(analyzer="word", hidden_size=16, max_iter=40,
                             learning_rate_init=1e-2, random_state=0), X, y)
    assert model.predict(["one one two"]) == ["two one one"]
    assert model.score(X, y) == 1.0
    tokens = _fit(clone(model), [d.split() for d in X], [t.split() for t in y])
    assert tokens.predict([["two", "one"]]) == [["one", "two"]]


def test_numeric_seq2seq_learns_to_reverse_better_than_baselines():
    X = rng.uniform(size=(300, 4, 1)).astype(np.float32)
    y = X[:, ::-1, 0]
    model = _fit(Seq2SeqRegressor(hidden_size=32, max_iter=40, batch_size=64,
                                  learning_rate_init=1e-2, random_state=0), X[:250], y[:250])
    predicted = model.predict(X[250:])
    assert predicted.shape == (50, 4)
    error = np.mean((predicted - y[250:]) ** 2)
    assert error < 0.1 * np.mean((y[250:] - y[:250].mean(axis=0)) ** 2)  # the mean
    assert error < 0.1 * np.mean((X[250:, :, 0] - y[250:]) ** 2)  # the input as it is
    assert model.score(X[250:], y[250:]) > 0.9
    for weights in model.attention_weights(X[250:252]):
        assert weights.shape == (4, 4)
        np.testing.assert_allclose(weights.sum(axis=1), 1, rtol=1e-5)


def test_numeric_ragged_inputs_several_targets_and_output_length():
    X = [rng.randn(n, 2) for n in rng.randint(3, 8, size=30)]
    y = [x[:k, ::-1] for x, k in zip(X, rng.randint(1, 3, size=30))]
    with pytest.raises(ValueError, match="1 to 2 steps: set output_length"):
        Seq2SeqRegressor(max_iter=1).fit(X, y)
    model = _fit(Seq2SeqRegressor(output_length=3, hidden_size=8, max_iter=3,
                                  random_state=0), X, y)
    predicted = model.predict(X)
    assert predicted.shape == (30, 3, 2)
    np.testing.assert_allclose(model.predict(X[:1]), predicted[:1], rtol=1e-5, atol=1e-6)
    assert [w.shape for w in model.attention_weights(X[:2])] == [(3, len(X[0])), (3, len(X[1]))]


def test_errors_say_what_is_wrong():
    X, y = ["abc", "bcd", "cde"], ["x", "y", "z"]
    model = TextSeq2Seq(max_iter=1)
    with pytest.raises(ValueError, match="inconsistent numbers of samples: \\[3, 2\\]"):
        model.fit(X, y[:2])
    with pytest.raises(ValueError, match=r"y\[1\] is empty: every output sequence"):
        model.fit(X, ["x", "", "z"])
    with pytest.raises(ValueError, match=r"X\[2\] is empty: every source sequence"):
        model.fit(["abc", "bcd", ""], y)
    with pytest.raises(ValueError, match="y is None"):
        model.fit(X, None)
    with pytest.raises(ValueError, match="TextSeq2Seq reads text"):
        model.fit(np.ones((3, 4)), y)
    fitted = _fit(TextSeq2Seq(max_iter=1, hidden_size=4), X, y)
    with pytest.raises(ValueError, match=r"output tokens not seen in the first fit: \['w'\]"):
        fitted.partial_fit(X, ["x", "w", "z"])
    with pytest.raises(ValueError, match=r"y\[0\] is empty: every output sequence needs"):
        Seq2SeqRegressor(max_iter=1).fit(np.ones((2, 3)), [[], [1.0]])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        Seq2SeqRegressor(max_iter=1).fit(np.ones((3, 4)), np.ones((2, 2)))


def test_scikit_learn_contract_pipeline_grid_search_clone_pickle(tmp_path):
    X, y, _ = make_date_normalization(60, languages=("de",), random_state=0)
    pipe = make_pipeline(
        FunctionTransformer(lambda docs: [d.lower() for d in docs]),
        TextSeq2Seq(hidden_size=8, max_iter=2, random_state=0),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = GridSearchCV(pipe, {"textseq2seq__cell": ["lstm", "gru"]}, cv=2).fit(X, y)
    assert set(search.cv_results_["mean_test_score"]) <= {*np.linspace(0, 1, 31)}
    model = search.best_estimator_[-1]
    first = _fit(clone(model), X, y)
    again = _fit(clone(model), X, y)
    assert first.loss_curve_ == again.loss_curve_  # random_state
    restored = pickle.loads(pickle.dumps(first))
    assert restored.predict(X) == first.predict(X)
    first.save(tmp_path / "m.skseq")
    loaded = sklearn_seq.load(tmp_path / "m.skseq")
    assert loaded.predict(X) == first.predict(X)
    np.testing.assert_array_equal(loaded.log_likelihood(X[:3], y[:3]),
                                  first.log_likelihood(X[:3], y[:3]))


def test_alignment_display_labels_both_axes_with_tokens(copier):
    import matplotlib

    matplotlib.use("Agg")
    model = copier[0]
    disp = AlignmentDisplay.from_estimator(model, ["ca", "dab"], index=1)
    assert disp.source_labels == ["d", "a", "b"]
    assert disp.target_labels == list(model.predict(["dab"])[0])
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == ["d", "a", "b"]
    with pytest.raises(TypeError, match="use AttentionDisplay"):
        AlignmentDisplay.from_estimator(
            _fit(sklearn_seq.GRUClassifier(hidden_size=2, max_iter=1), np.ones((4, 3)),
                 [0, 1, 0, 1]), np.ones((1, 3)))


def test_date_normalization_dataset():
    X, y, language = make_date_normalization(200, languages=("fr", "es"), random_state=0)
    assert len(X) == len(y) == 200 and set(language) == {"fr", "es"}
    assert all(len(t) == 10 and t[4] == t[7] == "-" for t in y)
    assert X == make_date_normalization(200, languages=("fr", "es"), random_state=0)[0]
    with pytest.raises(ValueError, match="languages must be among"):
        make_date_normalization(5, languages=("it",))
