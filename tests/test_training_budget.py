"""``max_iter="auto"``, the default of every estimator trained on numeric sequences:
the epochs of a default fit cost at most a fixed budget of computation, so a
default fit on 10,000 sequences of 300 steps ends in about two minutes on a
2-core CPU (``benchmarks/bench_budget.py`` times them), while a small training
set keeps MLP's 200 epochs."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import sklearn_seq._training as training
from sklearn_seq import (
    GRUStepRegressor,
    GRUTagger,
    LSTMRegressor,
    LSTMStepRegressor,
    LSTMTagger,
    Seq2SeqRegressor,
    SequenceAnomalyDetector,
    TransformerClassifier,
    TransformerRegressor,
    TransformerStepRegressor,
    TransformerTagger,
)
from sklearn_seq.nn._cost import forward_macs_per_step
from sklearn_seq.utils._validation import Sequences

RNG = np.random.RandomState(0)
X = RNG.randn(8, 40, 3)
TARGETS = {
    "classifier": np.arange(8) % 2,
    "regressor": np.arange(8.0),
    "outlier_detector": None,
    "tagger": (X[:, :, 0] > 0).astype(int),
    "step": X[:, :, 0],
    "seq2seq": X[:, :5, :1],
}
# the estimator, its target, and the epochs "auto" gives it on 10,000 sequences of
# 300 steps of 3 features (those of the reference network: 14)
ESTIMATORS = [
    (TransformerClassifier, "classifier", 2),
    (TransformerRegressor, "regressor", 2),
    (SequenceAnomalyDetector, "outlier_detector", 12),
    (LSTMStepRegressor, "step", 8),
    (GRUStepRegressor, "step", 10),
    (TransformerStepRegressor, "step", 2),
    (LSTMTagger, "tagger", 8),
    (GRUTagger, "tagger", 10),
    (TransformerTagger, "tagger", 2),
    (Seq2SeqRegressor, "seq2seq", 8),  # outputs of 5 steps
]


def _fitted(cls, target):
    """``cls`` fitted for one epoch on a small set, then set back to "auto"."""
    est = cls(hidden_size=64, max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X) if TARGETS[target] is None else est.fit(X, TARGETS[target])
    return est.set_params(max_iter="auto")


@pytest.mark.parametrize("cls, target, epochs", ESTIMATORS,
                         ids=[c.__name__ for c, _, _ in ESTIMATORS])
def test_default_fit_on_large_data_has_a_bounded_cost(cls, target, epochs):
    assert cls().max_iter == "auto"
    est = _fitted(cls, target)
    large = Sequences(np.broadcast_to(np.float32(0), (10_000, 300, 3)))
    assert est._max_epochs(large) == epochs
    budget = training.AUTO_TIME_STEPS * training.AUTO_REFERENCE_MACS
    assert epochs * est._epoch_macs(large) <= training.AUTO_MAX_COST * budget
    # a small training set keeps MLP's 200 epochs
    assert est._max_epochs(Sequences(np.zeros((50, 100, 3)))) == 200


def test_attention_is_counted_by_the_length_it_reads():
    """A transformer's step costs its weights plus, in each layer, the products
    with every other step of the sequence; for ragged sequences the lengths are
    weighted by their steps."""
    est = _fitted(TransformerClassifier, "classifier")
    # per layer: the attention's 3 * 64 * 64 + 64 * 64 weights and 4 * 64 biases,
    # the feed-forward 2 * 64 * 128 weights and 128 + 64 biases, two layer norms;
    # the input projection 3 * 64 + 64 and the final norm 2 * 64
    weights = 2 * (4 * 64 * 64 + 4 * 64 + 2 * 64 * 128 + 192 + 4 * 64) + 256 + 128
    for length in (10, 300):
        assert forward_macs_per_step(est.net_.module_, length) == weights + 2 * 2 * 64 * length
    ragged = Sequences(np.zeros((400, 3)), lengths=np.array([100, 300]))
    steps_cost = 400 * forward_macs_per_step(est.net_.module_, (100**2 + 300**2) / 400)
    expected = np.ceil(training.AUTO_TIME_STEPS * training.AUTO_REFERENCE_MACS / steps_cost)
    assert est._max_epochs(ragged) == min(expected, 200)


def test_the_warning_says_how_many_epochs_auto_chose(monkeypatch):
    X_, y_ = RNG.randn(8, 50, 1), np.arange(8.0)
    est = LSTMRegressor(hidden_size=4, max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X_, y_)
    per_epoch = 400 * forward_macs_per_step(est.net_.module_, 50)
    # a budget of 4.2 epochs: 5, but 6 cost less than 1.5 times the budget
    monkeypatch.setattr(training, "AUTO_TIME_STEPS",
                        4.2 * per_epoch / training.AUTO_REFERENCE_MACS)
    with pytest.warns(ConvergenceWarning, match="max_iter='auto': 6 epochs for this data size"):
        est.set_params(max_iter="auto", tol=0.0).fit(X_, y_)
    assert est.n_iter_ == 6


def test_an_encoder_decoder_counts_its_output_steps():
    """The decoder runs over the output steps, and its attention reads every
    source step at each: outputs as long as the inputs cost more epochs."""
    est = _fitted(Seq2SeqRegressor, "seq2seq")
    module = est.net_.module_
    large = Sequences(np.broadcast_to(np.float32(0), (10_000, 300, 3)))
    long_out = Sequences(np.broadcast_to(np.float32(0), (3_000_000, 1)),
                         lengths=np.full(10_000, 300))
    encoder = forward_macs_per_step(module.encoder, 0)
    decoder = forward_macs_per_step(module, 0) - encoder
    # bidirectional encoder of 64 a direction: 128 values a source step
    cost = 3e6 * encoder + 3e6 * (decoder + 2 * 128 * 300)
    assert est._epoch_macs(large, target=long_out) == cost
    assert est._epoch_macs(large) == 3e6 * encoder + 5 * 10_000 * (decoder + 2 * 128 * 300)
    budget = training.AUTO_TIME_STEPS * training.AUTO_REFERENCE_MACS / cost
    # a budget of 1.26 epochs: 1, as 2 would cost more than 1.5 times the budget
    assert 1 < budget < 4 / 3 and est._max_epochs(large, target=long_out) == 1


def test_the_text_classifier_trains_20_epochs_unless_the_corpus_is_large():
    """Up to 20 epochs, as many as cost at most 1.5 times the budget: a corpus of
    3,199 documents of 200 tokens (the speeches) keeps 20, 10,000 such documents
    get 6 (a default fit on them took about 160 s with 20)."""
    from sklearn_seq import BiRNNTextClassifier

    assert BiRNNTextClassifier().max_iter == "auto"
    docs = [f"good film {i}" for i in range(20)] + [f"bad film {i}" for i in range(20)]
    est = BiRNNTextClassifier(max_iter=1, random_state=0).fit(docs, [1] * 20 + [0] * 20)
    est.set_params(max_iter="auto")

    def corpus(n, length):
        return Sequences(np.zeros((n * length, 1)), lengths=np.full(n, length))

    # a bidirectional LSTM of 64 on embeddings of 64: 2 * (4 * 64 * 128 + 8 * 64) a
    # token; the embeddings, the bag of words and the pooled output layer left out
    per_token = 2 * (4 * 64 * 128 + 8 * 64)
    assert forward_macs_per_step(est.net_.module_, 200) == per_token
    most = training.AUTO_MAX_COST * training.AUTO_TIME_STEPS * training.AUTO_REFERENCE_MACS
    assert est._max_epochs(corpus(10_000, 200)) == int(most / (2e6 * per_token)) == 6
    assert est._max_epochs(corpus(3_199, 200)) == 20
    assert est._max_epochs(corpus(100, 10)) == 20
    assert est.set_params(max_iter=30)._max_epochs(corpus(10_000, 200)) == 30


def test_the_text_tagger_and_encoder_decoder_train_30_epochs_unless_the_corpus_is_large():
    from sklearn_seq import BiRNNTextTagger, TextSeq2Seq

    assert BiRNNTextTagger().max_iter == "auto" and TextSeq2Seq().max_iter == "auto"
    large = Sequences(np.zeros((2_000_000, 1)), lengths=np.full(10_000, 200))
    small = Sequences(np.zeros((4_000, 1)), lengths=np.full(200, 20))
    tagger = BiRNNTextTagger(max_iter=1, random_state=0).fit(
        [["John", "lives", "in", "Paris"]] * 20, [["B", "O", "O", "B"]] * 20)
    tagger.set_params(max_iter="auto")
    most = training.AUTO_MAX_COST * training.AUTO_TIME_STEPS * training.AUTO_REFERENCE_MACS
    per_token = forward_macs_per_step(tagger.net_.module_, 200)
    assert tagger._max_epochs(large) == int(most / (2e6 * per_token)) == 6
    assert tagger._max_epochs(small) == 30
    model = TextSeq2Seq(max_iter=1, random_state=0).fit(["abc"] * 20, ["cba"] * 20)
    model.set_params(max_iter="auto")
    # outputs of 200 tokens too: the decoder's steps count
    outputs = Sequences(np.zeros((2_000_000, 1)), lengths=np.full(10_000, 200))
    assert 1 <= model._max_epochs(large, target=outputs) < model._max_epochs(large) < 30
    assert model._max_epochs(small) == 30


def test_the_panel_forecasters_default_network_trains_fewer_epochs_on_a_large_panel():
    """PanelForecaster's default network, AttentionForecaster(max_iter="auto"):
    100 epochs on short series, as before, and a bounded cost on many windows (200
    stores of two years: 140,000 windows of 56 days took about 14 s an epoch)."""
    import pandas as pd

    from sklearn_seq import AttentionForecaster, PanelForecaster

    assert AttentionForecaster().max_iter == 200
    est = AttentionForecaster(max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, X[:, :2, 0])
    est.set_params(max_iter="auto")
    most = training.AUTO_MAX_COST * training.AUTO_TIME_STEPS * training.AUTO_REFERENCE_MACS
    windows = Sequences(np.broadcast_to(np.float32(0), (140_000, 56, 3)))
    epochs = est._max_epochs(windows)
    assert epochs == int(most / est._epoch_macs(windows)) and 1 <= epochs < 10
    assert est._max_epochs(Sequences(np.zeros((100, 36, 3)))) == 100

    t = np.arange(40.0)
    table = pd.DataFrame({"unique_id": np.repeat(["a", "b"], 40), "ds": np.tile(t, 2),
                          "y": np.concatenate([np.sin(t / 3), np.cos(t / 3)])})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        panel = PanelForecaster(horizon=2, random_state=0).fit(table)
    assert panel.estimator_.max_iter == "auto" and panel.estimator_.n_iter_ <= 100


def test_verbose_says_how_many_epochs_auto_chose(capsys):
    X_, y_ = RNG.randn(10, 12, 1), np.arange(10) % 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        TransformerClassifier(hidden_size=8, verbose=1, random_state=0).fit(X_, y_)
    out = capsys.readouterr().out
    assert out.startswith("max_iter='auto': at most 200 epochs for 10 training sequences "
                          "of 120 time steps in all\n")
    TransformerClassifier(hidden_size=8, max_iter=1, verbose=1).fit(X_, y_)
    assert "max_iter='auto'" not in capsys.readouterr().out
