"""BiRNNTextClassifier: scikit-learn's checks on numeric input, and the same kinds of
checks on text, plus Unicode, bad input and accuracy against TF-IDF."""

import pickle
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline

from sklearn_seq.datasets import make_negation_sentiment, make_support_tickets
from sklearn_seq.text import BiRNNTextClassifier

DOCS = [
    "the parcel never arrived",
    "where is my parcel",
    "I was charged twice",
    "refund the double charge please",
    "parcel lost in delivery, no tracking updates at all for two weeks now",
    "charge",
    "my invoice shows a charge I do not know",
    "delivery",
]
LABELS = ["ship", "ship", "bill", "bill", "ship", "bill", "bill", "ship"]


def _tiny(**params):
    # min_df=1, no dropout: the tests below check tokenisation and the network on
    # eight documents, where the defaults' min_df=2 would leave few words.
    defaults = dict(embedding_dim=8, hidden_size=8, max_iter=20, learning_rate_init=1e-2,
                    min_df=1, dropout=0.0, random_state=0)
    return BiRNNTextClassifier(**{**defaults, **params})


@pytest.fixture(scope="module")
def fitted():
    return _tiny().fit(DOCS, LABELS)


# -- scikit-learn's own checks (numeric sequences) ---------------------------------


# -- the text path: the same kinds of checks on strings ----------------------------


def test_clone_keeps_params_and_drops_fitted_state(fitted):
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params()
    assert not hasattr(copy, "vocabulary_")


@pytest.mark.parametrize("dump", ["pickle", "joblib"])
def test_round_trip_predicts_identically(fitted, dump, tmp_path):
    if dump == "pickle":
        loaded = pickle.loads(pickle.dumps(fitted))
    else:
        joblib.dump(fitted, tmp_path / "clf.joblib")
        loaded = joblib.load(tmp_path / "clf.joblib")
    assert loaded.vocabulary_ == fitted.vocabulary_
    assert_array_equal(loaded.predict_proba(DOCS), fitted.predict_proba(DOCS))


def test_grid_search_over_embedding_dim_and_max_len():
    search = GridSearchCV(
        _tiny(max_iter=3), {"embedding_dim": [4, 8], "max_len": [2, None]}, cv=2
    ).fit(DOCS, LABELS)
    assert set(search.best_params_) == {"embedding_dim", "max_len"}
    assert search.predict(DOCS[:2]).shape == (2,)


def test_repeated_fits_with_random_state_are_identical():
    a = _tiny(max_iter=5).fit(DOCS, LABELS).predict_proba(DOCS)
    b = _tiny(max_iter=5).fit(DOCS, LABELS).predict_proba(DOCS)
    assert_array_equal(a, b)


@pytest.mark.parametrize("pooling", ["max", "mean", "last", "attention"])
def test_one_document_predicts_as_inside_a_batch_of_other_lengths(pooling):
    clf = _tiny(max_iter=5, pooling=pooling, dtype="float64").fit(DOCS, LABELS)
    batch = clf.predict_proba(DOCS)
    alone = np.vstack([clf.predict_proba([d]) for d in DOCS])
    assert_allclose(alone, batch, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("bidirectional", [True, False])
def test_transformer_cell_is_exact_on_documents_of_any_length_with_readable_heads(
    bidirectional,
):
    clf = _tiny(cell="transformer", nhead=2, max_iter=5, dtype="float64",
                bidirectional=bidirectional).fit(DOCS, LABELS)
    batch = clf.predict_proba(DOCS)
    alone = np.vstack([clf.predict_proba([d]) for d in DOCS])
    assert_allclose(alone, batch, rtol=1e-10, atol=1e-12)
    weights = clf.self_attention_weights(DOCS[:2])  # 4 and 4 tokens
    assert weights.shape == (2, 1, 2, 4, 4)
    assert_allclose(weights.sum(axis=-1), 1)
    # Causal attention (bidirectional=False) gives no weight to later tokens.
    assert (np.triu(weights, 1).max() == 0) is not bidirectional
    with pytest.raises(ValueError, match="hidden_size=8 must be a multiple of nhead=3"):
        _tiny(cell="transformer", nhead=3).fit(DOCS, LABELS)


def test_transformer_cell_on_numeric_sequences_is_the_transformer_network():
    X = np.random.RandomState(0).randn(20, 6, 2)
    y = np.arange(20) % 2
    clf = _tiny(cell="transformer", nhead=2, max_iter=2).fit(X, y)
    assert type(clf.net_.module_).__name__ == "TransformerNetwork"
    assert clf.self_attention_weights(X[:3]).shape == (3, 1, 2, 6, 6)
    assert not hasattr(_tiny().fit(X, y), "self_attention_weights")


def test_predict_changes_no_state(fitted):
    before = {k: v for k, v in fitted.__dict__.items() if k != "net_"}
    weights = {k: v.clone() for k, v in fitted.net_.module_.state_dict().items()}
    fitted.predict(DOCS)
    fitted.predict_proba(["unseen words only"])
    fitted.score(DOCS, LABELS)
    assert fitted.__dict__.keys() == {*before, "net_"}
    for key, value in before.items():
        assert fitted.__dict__[key] is value
    for k, v in fitted.net_.module_.state_dict().items():
        assert_array_equal(v.numpy(), weights[k].numpy())


@pytest.mark.parametrize("method", ["predict", "predict_proba", "token_attention", "score"])
def test_unfitted_estimator_raises_not_fitted(method):
    args = (DOCS, LABELS) if method == "score" else (DOCS,)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        getattr(_tiny(pooling="attention"), method)(*args)


def test_token_attention_exists_only_with_attention_pooling():
    assert not hasattr(_tiny(), "token_attention")
    assert hasattr(_tiny(pooling="attention"), "token_attention")
    with pytest.raises(AttributeError, match="no attribute 'token_attention'") as info:
        _tiny(pooling="max").token_attention(DOCS)
    assert "set pooling='attention'" in str(info.value.__cause__)


def test_pandas_series_and_string_labels():
    X = pd.Series(DOCS, index=np.arange(10, 18))
    clf = _tiny(max_iter=3).fit(X, pd.Series(LABELS))
    assert set(clf.predict(X)) <= {"bill", "ship"}
    assert list(clf.classes_) == ["bill", "ship"]
    assert not hasattr(clf, "n_features_in_")


@pytest.mark.parametrize("dtype", ["string", object])
def test_pandas_na_is_a_missing_document(dtype):
    X = pd.Series(["a parcel", pd.NA, "charge"], dtype=dtype)
    with pytest.raises(TypeError, match=r"X\[1\] is missing \(<NA>\).*Fill missing text"):
        _tiny(max_iter=1).fit(X, [0, 1, 0])


def test_vocabulary_min_df_max_features_and_max_len():
    clf = _tiny(max_iter=1, min_df=2).fit(DOCS, LABELS)
    assert set(clf.vocabulary_) == {"charge", "delivery", "i", "my", "parcel", "the"}
    assert sorted(clf.vocabulary_.values()) == list(range(1, 7))
    clf = _tiny(max_iter=1, max_features=3).fit(DOCS, LABELS)
    assert len(clf.vocabulary_) == 3 and "parcel" in clf.vocabulary_
    clf = _tiny(max_iter=1, max_len=2, pooling="attention").fit(DOCS, LABELS)
    assert [t for t, _ in clf.token_attention(DOCS[:1])] == [["the", "parcel"]]


def test_pretokenised_documents_and_callable_tokenizer():
    tokens = [d.split() for d in DOCS]
    clf = _tiny(max_iter=2).fit(tokens, LABELS)
    assert "I" in clf.vocabulary_  # tokens are used as given, not lowercased
    clf = _tiny(max_iter=2, tokenizer=str.split, token_pattern=None).fit(DOCS, LABELS)
    assert "delivery," in clf.vocabulary_


def test_token_attention_weights_sum_to_one_per_document():
    clf = _tiny(max_iter=5, pooling="attention").fit(DOCS, LABELS)
    result = clf.token_attention(DOCS + [""])
    for (tokens, weights), doc in zip(result, DOCS + [""]):
        assert len(tokens) == len(weights) == max(1, len(clf.build_analyzer()(doc)))
        assert weights.dtype.kind == "f"
        assert_allclose(weights.sum(), 1.0, rtol=1e-5)
    assert result[-1][0] == [""]


def test_pretrained_embeddings_frozen_stay_fixed():
    vocabulary = ["parcel", "charge", "delivery", "refund"]
    matrix = np.arange(16, dtype=np.float32).reshape(4, 4) / 16
    clf = _tiny(max_iter=3, embedding_dim=4, vocabulary=vocabulary, embeddings=matrix,
                freeze_embeddings=True).fit(DOCS, LABELS)
    weight = clf.net_.module_.embedding.weight.detach().numpy()
    assert clf.vocabulary_ == {"parcel": 1, "charge": 2, "delivery": 3, "refund": 4}
    assert_array_equal(weight[1:], matrix)
    by_token = {"parcel": np.ones(4), "charge": -np.ones(4)}
    clf = _tiny(max_iter=3, embedding_dim=4, embeddings=by_token,
                freeze_embeddings=True).fit(DOCS, LABELS)
    weight = clf.net_.module_.embedding.weight.detach().numpy()
    assert_array_equal(weight[clf.vocabulary_["charge"]], -np.ones(4))


def test_embeddings_errors():
    with pytest.raises(ValueError, match="needs the vocabulary"):
        _tiny(embeddings=np.zeros((3, 8))).fit(DOCS, LABELS)
    with pytest.raises(ValueError, match="set embedding_dim"):
        _tiny(embeddings={"parcel": np.ones(5)}).fit(DOCS, LABELS)


# -- Unicode ------------------------------------------------------------------------


def test_cjk_without_spaces_through_the_char_analyzer():
    X = ["我要退款", "请给我退款", "退款还没到", "密码忘记了", "无法登录账户", "重置密码"] * 3
    y = ["refund"] * 3 + ["login"] * 3
    clf = _tiny(analyzer="char", max_iter=30).fit(X, y * 3)
    assert {"退", "款", "密", "码"} <= set(clf.vocabulary_)
    assert_array_equal(clf.predict(["退款", "密码"]), ["refund", "login"])


def test_chinese_reads_characters_by_default():
    X = ["我要退款", "请给我退款", "退款还没到", "密码忘记了", "无法登录账户", "重置密码"]
    clf = BiRNNTextClassifier(embedding_dim=4, hidden_size=4, max_iter=1, min_df=1,
                              random_state=0).fit(X, ["refund"] * 3 + ["login"] * 3)
    assert clf.analyzer == "auto" and clf.analyzer_ == "char"
    assert {"退", "款", "密", "码"} <= set(clf.vocabulary_)
    assert clf.build_analyzer()("重置密码") == ["重", "置", "密", "码"]


@pytest.mark.parametrize("X, params, expected", [
    (["the parcel never arrived", "where is my parcel"], {}, "word"),
    (["привет мир", "καλημέρα κόσμε"], {}, "word"),
    # Japanese with a few Latin words: most letters are kana and kanji
    (["荷物がまだ届きません order 123", "パスワードを忘れました"], {}, "char"),
    (["我要退款", "请给我退款"], {"tokenizer": str.split, "token_pattern": None}, "word"),
    (["我要退款", "请给我退款"], {"analyzer": "char_wb"}, "char_wb"),
])
def test_auto_analyzer_chooses_from_the_training_scripts(X, params, expected):
    clf = _tiny(max_iter=1, **params).fit(X, [0, 1])
    assert clf.analyzer_ == expected


def test_auto_analyzer_before_fit_raises():
    with pytest.raises(ValueError, match="fit first, or set analyzer='word'"):
        BiRNNTextClassifier().build_analyzer()


def test_long_document_is_truncated_at_the_default_max_len_keeping_its_start():
    words = [f"w{i}" for i in range(300)]
    clf = _tiny(max_iter=1, pooling="attention", max_len=BiRNNTextClassifier().max_len)
    clf.fit([" ".join(words), "short one"], [0, 1])
    (tokens, weights), = clf.token_attention([" ".join(words)])
    assert BiRNNTextClassifier().max_len == 200
    assert tokens == words[:200] and weights.shape == (200,)


def test_bag_of_words_adds_the_mean_of_its_tokens_class_weights_to_the_network():
    import torch

    from sklearn_seq.nn import TextNetwork

    clf = _tiny(max_iter=5, dtype="float64").fit(DOCS, LABELS)
    module = clf.net_.module_
    doc = "parcel charge parcel unheard-of"  # a repeated word and unknown ones (id 0)
    ids = [clf.vocabulary_.get(t, 0) for t in ["parcel", "charge", "parcel", "unheard", "of"]]
    x = torch.tensor(ids)[None, :, None]
    with torch.no_grad():
        recurrent = super(TextNetwork, module).forward(x)  # the head alone
        expected = torch.softmax(recurrent + module.bag.weight[ids].mean(dim=0), dim=1)
    assert module.bag.weight.shape == (len(clf.vocabulary_) + 1, 2)
    assert np.abs(module.bag.weight.detach().numpy()).max() > 0  # trained from zero
    assert_allclose(clf.predict_proba([doc]), expected.numpy(), rtol=1e-12)
    plain = _tiny(max_iter=5, dtype="float64", bag_of_words=False).fit(DOCS, LABELS)
    assert plain.net_.module_.bag is None
    with torch.no_grad():
        head_only = torch.softmax(super(TextNetwork, plain.net_.module_).forward(x), dim=1)
    assert_allclose(plain.predict_proba([doc]), head_only.numpy(), rtol=1e-12)


def test_early_stopping_auto_is_on_above_10000_documents_with_two_per_class():
    X, y = make_support_tickets(10_001, random_state=0, return_X_y=True)
    y = np.asarray(y)
    clf = _tiny(max_iter=1, early_stopping="auto", batch_size=256)
    scores = np.asarray(clf.fit(X, y).validation_scores_)
    # it watches the validation loss by default (its negative: higher is better);
    # watching accuracy kept an always-majority model on a 4% minority class
    assert BiRNNTextClassifier().scoring == "loss"
    assert_allclose(scores, [-v for v in clf.net_.history[:, "valid_loss"]])
    assert clf.get_params()["early_stopping"] == "auto"
    # HistGradientBoosting's rule: more than 10,000
    assert clf.fit(X[:10_000], y[:10_000]).validation_scores_ is None
    # a class with one document cannot be split in a stratified way: off
    y_single = y.copy()
    y_single[0] = "only-one"
    assert clf.fit(X, y_single).validation_scores_ is None
    assert _tiny(max_iter=1, early_stopping=True).fit(X[:200], y[:200]).validation_scores_


def test_subword_channel_gives_unknown_words_a_vector_from_their_spelling():
    clf = _tiny(max_iter=10, subword_ngram_range=(3, 5)).fit(DOCS, LABELS)
    steps = clf._to_sequences([["parcels", "xq"]]).values
    # "<parcels>": 7 + 6 + 5 n-grams, at most 16 kept; "<xq>": two 3-grams, one 4-gram
    assert steps.shape == (2, 17)
    assert steps[0, 0] == steps[1, 0] == 0  # both outside the vocabulary
    assert (steps[0, 1:] > 0).sum() == 16 and (steps[1, 1:] > 0).sum() == 3
    proba = clf.predict_proba(["parcels", "xyzzy", "charges"])
    assert not np.allclose(proba[0], proba[1])
    assert clf.predict(["parcels"])[0] == "ship" and clf.predict(["charges"])[0] == "bill"
    # characters have no n-grams of their own: no subword channel
    chars = _tiny(max_iter=1, analyzer="char", subword_ngram_range=(3, 5)).fit(DOCS, LABELS)
    assert chars.net_.module_.subword is None


@pytest.mark.parametrize("bad", [(0, 2), (3, 2), (3,), (3.0, 5)])
def test_subword_ngram_range_must_be_two_ordered_positive_integers(bad):
    with pytest.raises(ValueError, match="must be \\(min_n, max_n\\) with integers"):
        _tiny(subword_ngram_range=bad).fit(DOCS, LABELS)


def test_latin_cyrillic_greek_and_arabic_scripts():
    X = ["Grüße, Straße", "привет мир", "καλημέρα κόσμε", "مرحبا بالعالم",
         "Straße kaputt", "мир сломан", "κόσμε χαλασμένος", "بالعالم مكسور"]
    y = ["greet", "greet", "greet", "greet", "broken", "broken", "broken", "broken"]
    clf = _tiny(max_iter=3).fit(X, y)
    assert {"grüße", "привет", "καλημέρα", "مرحبا"} <= set(clf.vocabulary_)
    assert clf.predict(X).shape == (8,)


def test_empty_and_unknown_documents_read_as_one_unknown_token(fitted):
    proba = fitted.predict_proba(["", "   ", "!!!", "zzz qqq"])
    assert proba.shape == (4, 2) and np.isfinite(proba).all()
    assert_allclose(proba[0], proba[1])
    clf = _tiny(max_iter=2).fit(DOCS + [""], LABELS + ["ship"])
    assert clf.predict([""]).shape == (1,)


def test_bytes_in_utf8_are_decoded(fitted):
    assert_array_equal(
        fitted.predict([d.encode("utf-8") for d in DOCS]), fitted.predict(DOCS)
    )


# -- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "X, error, match",
    [
        (["a parcel", 3, "charge"], TypeError, r"X\[1\] is a number"),
        (["a parcel", None], TypeError, r"X\[1\] is missing"),
        (["a parcel", float("nan")], TypeError, r"X\[1\] is missing"),
        (["a parcel", b"\xff\xfe\xfa"], ValueError, r"X\[1\] is bytes that are not valid UTF-8"),
        (np.array([["a", "b"], ["c", "d"]]), ValueError, "2D array of strings"),
        (pd.DataFrame({"a": ["x y", "z"], "b": ["u", "v"]}), ValueError, "2D array of strings"),
        ([["a", "b"], ["c", 4]], TypeError, r"X\[1\] is a list of tokens holding int"),
        (["a parcel", {"x": 1}], TypeError, r"X\[1\] is a dict"),
    ],
)
def test_bad_input_raises_a_clear_error(X, error, match):
    with pytest.raises(error, match=match):
        _tiny(max_iter=1).fit(X, [0, 1])


def test_text_after_numeric_fit_and_numeric_after_text_fit_raise(fitted):
    with pytest.raises(ValueError, match="fitted on text"):
        fitted.predict(np.zeros((2, 5)))
    # A bare string or no documents is not numeric input: say what is wrong.
    with pytest.raises(ValueError, match=r"X is a single str \('good film'\).*e\.g\. \[text\]"):
        fitted.predict("good film")
    with pytest.raises(ValueError, match="Found 0 document"):
        fitted.predict([])
    numeric = _tiny(max_iter=1).fit(np.random.RandomState(0).randn(6, 4), [0, 1] * 3)
    with pytest.raises(ValueError, match="fitted on numeric sequences"):
        numeric.predict(["some text"])


def test_tokenization_cannot_change_between_warm_started_fits():
    # The vocabulary is the first fit's: words read as characters would all be unknown.
    est = _tiny(max_iter=1, warm_start=True).fit(DOCS, LABELS)
    before = est.predict_proba(DOCS)
    for key, value in [("analyzer", "char"), ("lowercase", False), ("max_len", 3),
                       ("tokenizer", str.split)]:
        old = est.get_params()[key]
        with pytest.raises(ValueError, match=f"{key} cannot change between warm-started"):
            est.set_params(**{key: value}).partial_fit(DOCS, LABELS)
        est.set_params(**{key: old})
    np.testing.assert_array_equal(est.predict_proba(DOCS), before)
    est.fit(DOCS, LABELS)  # the same tokenisation trains on
    assert est.n_iter_ == 2
    # Numeric input has no vocabulary, and a new fit learns a new one.
    est.set_params(warm_start=False, analyzer="char").fit(DOCS, LABELS)
    assert "p" in est.vocabulary_


def test_all_empty_documents_raise_empty_vocabulary():
    with pytest.raises(ValueError, match="empty vocabulary"):
        _tiny().fit(["", "!!"], [0, 1])


# -- accuracy against TF-IDF + logistic regression --------------------------------------


def _tfidf_and_birnn(X, y, **params):
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, random_state=0, stratify=y
    )
    tfidf = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(X_train, y_train)
    birnn = BiRNNTextClassifier(random_state=0, **params).fit(X_train, y_train)
    return tfidf.score(X_test, y_test), birnn.score(X_test, y_test)


def test_tickets_accuracy_at_least_tfidf():
    X, y = make_support_tickets(1500, random_state=0, return_X_y=True)
    tfidf, birnn = _tfidf_and_birnn(
        X, y, embedding_dim=16, hidden_size=16, dropout=0.5, max_iter=20, batch_size=32,
        learning_rate_init=1e-2, min_df=1, early_stopping=False,
    )
    assert tfidf > 0.9
    assert birnn >= tfidf


def test_order_dependent_task_birnn_clearly_ahead():
    X, y = make_negation_sentiment(600, random_state=0, return_X_y=True)
    tfidf, birnn = _tfidf_and_birnn(
        X, y, embedding_dim=16, hidden_size=16, max_iter=20, batch_size=32,
        learning_rate_init=1e-2,
    )
    assert tfidf < 0.65
    assert birnn > 0.95


def test_a_small_corpus_is_told_to_lower_min_df():
    docs = ["good film", "great fun", "nice", "fine film"]  # no word in 3 documents
    with pytest.raises(ValueError, match=r"min_df=3 documents; on a small corpus lower min_df"):
        BiRNNTextClassifier(hidden_size=4, max_iter=1).fit(docs, [0, 1, 0, 1])
    BiRNNTextClassifier(hidden_size=4, max_iter=1, min_df=1).fit(docs, [0, 1, 0, 1])


def test_label_smoothing_is_the_training_criterion_and_follows_warm_starts():
    import torch

    # lr ~0: the weights stay those of initialisation, so the first epoch's loss
    # (one batch of all eight documents) is the smoothed cross-entropy of their logits
    clf = _tiny(max_iter=1, learning_rate_init=1e-12, label_smoothing=0.3, alpha=0.0,
                dtype="float64")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(DOCS, LABELS)
    logits = torch.log(torch.tensor(clf.predict_proba(DOCS)))
    target = torch.tensor(np.searchsorted(clf.classes_, LABELS))
    expected = torch.nn.functional.cross_entropy(logits, target, label_smoothing=0.3)
    assert clf.loss_curve_[0] == pytest.approx(float(expected), rel=1e-9)
    assert clf.loss_curve_[0] != pytest.approx(
        float(torch.nn.functional.cross_entropy(logits, target)), rel=1e-3)
    # a warm-started fit trains with the value set then
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.set_params(warm_start=True, label_smoothing=0.0).fit(DOCS, LABELS)
    assert clf.net_.criterion_.label_smoothing == 0.0
    assert BiRNNTextClassifier().label_smoothing == 0.1
    with pytest.raises(ValueError, match="label_smoothing"):
        _tiny(label_smoothing=1.0).fit(DOCS, LABELS)
