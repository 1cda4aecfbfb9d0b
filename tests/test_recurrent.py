"""Behaviour of the recurrent classifiers and regressors."""

import io
import pickle
import re
import warnings

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from sklearn_seq import (
    AttentionForecaster,
    BiRNNTextClassifier,
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
    SequenceAnomalyDetector,
)
from sklearn_seq._engine.callbacks import STEPS_PER_EPOCH_NO_CHANGE
from sklearn_seq.datasets import make_long_range_classification, make_sequence_classification
from sklearn_seq.nn import RecurrentEncoder

SMALL = dict(hidden_size=8, max_iter=3, random_state=0)


@pytest.fixture(scope="module")
def ragged():
    return make_sequence_classification(n_samples=60, min_length=2, max_length=30, random_state=0)


@pytest.mark.parametrize("cls", [LSTMClassifier, GRUClassifier, RNNClassifier])
@pytest.mark.parametrize("pooling", ["last", "mean", "max", "attention"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_ragged_batch_equals_one_by_one(cls, pooling, bidirectional, ragged):
    X, y = ragged
    est = cls(pooling=pooling, bidirectional=bidirectional, num_layers=2, batch_size=16, **SMALL)
    est.fit(X, y)
    batch = est.predict_proba(X)
    alone = np.vstack([est.predict_proba([x]) for x in X])
    np.testing.assert_allclose(batch, alone, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_padded_encoder_matches_packed_reference(cell, bidirectional):
    # The fast path (pad per batch, read each sequence at its own end, reverse within
    # length) must equal torch's packed sequences, the simple exact path.
    torch.manual_seed(0)
    enc = RecurrentEncoder(3, 5, num_layers=2, cell=cell, bidirectional=bidirectional)
    x = torch.randn(6, 9, 3)
    lengths = torch.tensor([9, 1, 4, 7, 2, 9])
    outputs, last = enc(x, lengths)
    mask = torch.arange(9)[None, :] < lengths[:, None]
    for i, n in enumerate(lengths.tolist()):
        alone, alone_last = enc(x[i : i + 1, :n])
        torch.testing.assert_close(outputs[i, :n], alone[0])
        torch.testing.assert_close(last[i], alone_last[0])
    if not bidirectional:
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        ref, _ = pad_packed_sequence(enc.forward_rnn(packed)[0], batch_first=True)
        torch.testing.assert_close(outputs[mask], ref[mask])


def test_training_on_ragged_data_learns(ragged):
    X, y = make_sequence_classification(n_samples=240, random_state=1)
    est = GRUClassifier(hidden_size=16, max_iter=25, random_state=0).fit(X[:180], y[:180])
    assert est.score(X[180:], y[180:]) > 0.6  # 3 classes: chance is 1/3


@pytest.mark.slow
@pytest.mark.parametrize("cls", [LSTMClassifier, GRUClassifier])
def test_gated_cells_learn_a_dependency_100_steps_back(cls):
    X, y = make_long_range_classification(800, n_timesteps=105, lag=100, random_state=0)
    est = cls(hidden_size=32, max_iter=40, learning_rate_init=3e-3, n_iter_no_change=40,
              random_state=0)
    est.fit(X[:600], y[:600])
    assert est.score(X[600:], y[600:]) > 0.95


def test_string_and_boolean_labels_and_probabilities():
    rng = np.random.RandomState(0)
    X = rng.randn(30, 5, 2)
    for y in (np.array(["spam", "ham", "eggs"] * 10), rng.rand(30) > 0.5):
        est = LSTMClassifier(**SMALL).fit(X, y)
        assert set(est.predict(X)) <= set(y)
        assert est.classes_.dtype == y.dtype
        proba = est.predict_proba(X)
        assert proba.shape == (30, len(np.unique(y)))
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_class_weight_balanced_shifts_predictions_to_rare_class():
    rng = np.random.RandomState(0)
    X = rng.randn(200, 6, 1)
    y = np.where(X[:, :, 0].mean(axis=1) > 0.45, "rare", "common")
    plain = LSTMClassifier(hidden_size=8, max_iter=15, conv_channels=None, pooling="last",
                           random_state=0).fit(X, y)
    balanced = clone(plain).set_params(class_weight="balanced").fit(X, y)
    assert (balanced.predict(X) == "rare").sum() > (plain.predict(X) == "rare").sum()


def test_multioutput_regression_and_units_of_y():
    rng = np.random.RandomState(0)
    X = rng.randn(80, 6, 2)
    y = np.c_[X[:, :, 0].sum(axis=1) * 1000 + 5000, X[:, -1, 1]]
    est = GRURegressor(hidden_size=16, max_iter=80, learning_rate_init=1e-2, random_state=0)
    est.fit(X, y)
    pred = est.predict(X)
    assert pred.shape == (80, 2)
    assert est.score(X, y) > 0.5
    assert abs(pred[:, 0].mean() - 5000) < 1000


def test_random_state_reproducible_and_global_rng_untouched():
    rng = np.random.RandomState(0)
    X, y = rng.randn(40, 5, 2), rng.randn(40)
    torch.manual_seed(123)
    before = torch.get_rng_state()
    a = LSTMRegressor(**SMALL).fit(X, y).predict(X)
    assert torch.equal(torch.get_rng_state(), before)
    b = LSTMRegressor(**SMALL).fit(X, y).predict(X)
    np.testing.assert_array_equal(a, b)
    c = LSTMRegressor(**{**SMALL, "random_state": None}).fit(X, y).predict(X)
    d = LSTMRegressor(**{**SMALL, "random_state": None}).fit(X, y).predict(X)
    assert not np.array_equal(c, d)


def test_convergence_warning_and_tol_stop():
    rng = np.random.RandomState(0)
    X, y = rng.randn(30, 4, 1), rng.randn(30)
    with pytest.warns(ConvergenceWarning, match="Maximum iterations \\(2\\)"):
        LSTMRegressor(**{**SMALL, "max_iter": 2}).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = LSTMRegressor(hidden_size=4, max_iter=500, tol=10.0, n_iter_no_change=2).fit(X, y)
    # One epoch sets the best; then n_iter_no_change + 1 epochs without improvement
    # and at least 10 * n_iter_no_change optimizer steps: 30 samples are one batch,
    # one step an epoch, so the step count decides.
    assert STEPS_PER_EPOCH_NO_CHANGE == 10
    assert est.n_iter_ == 1 + 20
    assert est.best_loss_ == min(est.loss_curve_) and est.validation_scores_ is None
    # 30 steps an epoch: three epochs without improvement are 90 steps, the epochs decide.
    est = LSTMRegressor(hidden_size=4, max_iter=500, tol=10.0, n_iter_no_change=2,
                        batch_size=1).fit(X, y)
    assert est.n_iter_ == 4


def _plateau_task(n=40, length=60, seed=0):
    # The class is the sign of the first step, behind 59 steps of noise: a recurrent
    # network sits at chance (loss ln 2) for tens of epochs before it carries the
    # first step to the end.
    rng = np.random.RandomState(seed)
    X = rng.randn(n, length, 1).astype(np.float32) * 0.5
    y = (rng.rand(n) < 0.5).astype(int)
    X[:, 0, 0] = np.where(y == 1, 1.0, -1.0)
    return X, y


def test_training_goes_on_past_an_initial_plateau():
    # Before the rule counted steps, this fit stopped at epoch 20 with the loss at
    # ln 2 and training accuracy 0.575 (10 epochs of one step each without improvement).
    # A plain recurrent network (the default convolutional front end and mean pooling
    # shorten this plateau: they learn the task either way).
    X, y = _plateau_task()
    est = GRUClassifier(conv_channels=None, pooling="last", max_iter=800,
                        random_state=1).fit(X, y)
    assert est.n_iter_ > 100
    assert est.loss_curve_[20] > 0.65  # still on the plateau at epoch 20
    assert est.score(X, y) == 1.0 and est.loss_curve_[-1] < 0.01
    assert est.n_iter_ < 800  # and it stops by itself once learnt


def _epochs_until_stopped(losses, patience=10, spikes=True):
    """Feed a scripted training loss, one optimizer step an epoch, to the stopping
    rule; the epochs it lets run."""
    from types import SimpleNamespace

    from skorch.history import History

    from sklearn_seq._engine.callbacks import StoppingCriterion

    rule = StoppingCriterion(monitor="train_loss", patience=patience, threshold=1e-4,
                             threshold_mode="abs", spikes=spikes, sink=lambda *a, **k: None)
    net = SimpleNamespace(history=History(), verbose=0)
    rule.on_train_begin(net)
    for epoch, loss in enumerate(losses, start=1):
        net.history.new_epoch()
        net.history.record("epoch", epoch)
        net.history.new_batch()
        net.history.record_batch("train_loss", loss)
        net.history.record("train_loss", loss)
        try:
            rule.on_epoch_end(net)
        except KeyboardInterrupt:
            return epoch
    return len(losses)


def test_stopping_rule_waits_for_the_loss_to_recover_from_a_spike():
    # The loss falls to 0.47, a step throws it up to 1.2, and it comes down again
    # more slowly: 25 epochs to get back under 0.47. Comparing each epoch with the
    # best before the spike alone stops this 10 epochs after it, at 0.95 (as
    # ArrowHead did with 8 sequences a batch: accuracy 0.64 at epoch 57).
    down = list(np.linspace(1.1, 0.47, 37))
    recovery = list(np.linspace(1.2, 0.48, 25))
    after = list(np.linspace(0.46, 0.2, 20))
    losses = down + recovery + after + [0.2] * 30
    assert _epochs_until_stopped(losses, spikes=False) == len(down) + 10
    # It trains through the recovery and stops 10 epochs into the final plateau.
    assert _epochs_until_stopped(losses) == len(down) + len(recovery) + len(after) + 10
    # Near the best, noise does not keep it going: a flat loss stops after patience
    # epochs without a new best, as a loss that wobbles within a tenth of its fall
    # on a log scale (from 1.0 to 0.5: up to 0.5 * 2 ** 0.1 = 0.536).
    assert _epochs_until_stopped([1.0, 0.5] + [0.5] * 30) == 2 + 10
    assert _epochs_until_stopped([1.0, 0.5] + [0.51, 0.53] * 15) == 2 + 10
    # Epochs above that do not count: 0.54 is far above the best here.
    assert _epochs_until_stopped([1.0, 0.5] + [0.51, 0.54] * 15) == 2 + 2 * 10 - 1
    # Late in training the margin is a share of the loss: from 1.0 down to 0.04,
    # 0.07 is far above the best (noise that stopped ECG5000 at epoch 52 with a
    # margin of a tenth of the fall on a linear scale, 0.1).
    late = list(np.geomspace(1.0, 0.04, 40)) + [0.07, 0.06] * 10 + [0.04] * 12
    assert _epochs_until_stopped(late) == 40 + 20 + 10
    assert _epochs_until_stopped(late, spikes=False) == 40 + 10


def test_early_stopping_records_scores_and_restores_best():
    X, y = make_sequence_classification(n_samples=120, random_state=0)
    est = LSTMClassifier(hidden_size=8, max_iter=30, early_stopping=True, n_iter_no_change=3,
                         validation_fraction=0.25, random_state=0).fit(X, y)
    assert len(est.validation_scores_) == est.n_iter_ == len(est.loss_curve_)
    assert est.best_validation_score_ == max(est.validation_scores_)
    assert est.best_loss_ is None


def test_warm_start_and_partial_fit_continue_training():
    rng = np.random.RandomState(0)
    X, y = rng.randn(30, 4, 1), np.arange(30) % 3
    est = LSTMClassifier(**{**SMALL, "warm_start": True}).fit(X, y)
    est.fit(X, y)
    assert est.n_iter_ == 6 and len(est.loss_curve_) == 6
    inc = LSTMClassifier(**SMALL)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        inc.partial_fit(X, y)
    inc.partial_fit(X[:10], y[:10], classes=[0, 1, 2])
    inc.partial_fit(X[10:], y[10:])
    assert inc.n_iter_ == 2
    np.testing.assert_array_equal(inc.classes_, [0, 1, 2])
    with pytest.raises(ValueError, match="not seen"):
        inc.partial_fit(X[:3], [0, 1, 7])


def test_warm_start_keeps_the_optimizer_state_and_applies_new_training_parameters():
    rng = np.random.RandomState(0)
    X, y = rng.randn(40, 5, 2), np.arange(40) % 2
    params = dict(hidden_size=4, shuffle=False, learning_rate="constant", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # Two warm-started fits of 2 epochs equal one fit of 4 (Adam's moments kept;
        # a constant rate: a schedule starts again with each fit).
        once = LSTMClassifier(max_iter=4, **params).fit(X, y)
        twice = LSTMClassifier(max_iter=2, warm_start=True, **params).fit(X, y)
        twice.fit(X, y)
        np.testing.assert_allclose(twice.predict_proba(X), once.predict_proba(X), rtol=1e-6)
        # A changed learning rate takes effect, as in MLPClassifier: at 1e-30 the
        # weights no longer move.
        before = twice.predict_proba(X)
        twice.set_params(learning_rate_init=1e-30).fit(X, y)
        np.testing.assert_array_equal(twice.predict_proba(X), before)
        # Early stopping switched on between warm-started fits scores a validation set.
        twice.set_params(learning_rate_init=1e-3, early_stopping=True, max_iter=3).fit(X, y)
    assert len(twice.validation_scores_) == 3 and twice.n_iter_ == 2 + 2 + 2 + 3
    # Each warm-started fit restores the best weights of its own epochs, and
    # best_validation_score_ is theirs.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        twice.set_params(learning_rate_init=5.0, max_iter=2).fit(X, y)
    assert twice.best_validation_score_ == max(twice.validation_scores_[3:])
    twice.set_params(learning_rate_init=1e-3, early_stopping=False, max_iter=3)
    # The network is the first fit's: its architecture cannot change in between, and
    # a refused fit leaves the model as it was.
    before = twice.predict_proba(X)
    for key, value in [("hidden_size", 8), ("dropout", 0.5), ("num_layers", 2),
                       ("dtype", "float64")]:
        old = twice.get_params()[key]
        with pytest.raises(ValueError, match=f"{key} cannot change between warm-started"):
            twice.set_params(**{key: value}).fit(X, y)
        twice.set_params(**{key: old})
    np.testing.assert_array_equal(twice.predict_proba(X), before)
    assert twice.n_iter_ == 11
    twice.set_params(hidden_size=np.int64(4)).partial_fit(X, y)  # the same size


def test_partial_fit_after_an_early_stopping_fit():
    rng = np.random.RandomState(0)
    X, y = rng.randn(40, 5, 2), np.arange(40) % 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = LSTMClassifier(early_stopping=True, **SMALL).fit(X, y)
    est.partial_fit(X, y)  # one epoch without validation (partial_fit never early-stops)
    assert est.n_iter_ == len(est.loss_curve_) == len(est.net_.history) == 4


def test_validation_set_and_sample_weight_are_checked():
    rng = np.random.RandomState(0)
    X, y = rng.randn(9, 5, 2), rng.randn(9)
    with pytest.raises(ValueError, match="The validation set is too small \\(1 sample\\)"):
        LSTMRegressor(early_stopping=True, **SMALL).fit(X, y)
    with pytest.raises(ValueError, match="Negative values in data passed to `sample_weight`"):
        LSTMRegressor(**SMALL).fit(X, y, sample_weight=-np.ones(9))


def test_attention_weights_sum_to_one_and_are_zero_on_padding(ragged):
    X, y = ragged
    est = LSTMClassifier(pooling="attention", **SMALL).fit(X, y)
    w = est.attention_weights(X[:10])
    lengths = np.array([len(x) for x in X[:10]])
    assert w.shape == (10, lengths.max())
    np.testing.assert_allclose(w.sum(axis=1), 1.0, rtol=1e-5)
    pad = np.arange(w.shape[1])[None, :] >= lengths[:, None]
    assert (w[pad] == 0).all() and (w[~pad] > 0).all()
    # scikit-learn's available_if: the reason is the error's cause.
    with pytest.raises(AttributeError, match="has no attribute 'attention_weights'") as err:
        LSTMClassifier(**SMALL).fit(X, y).attention_weights(X)
    assert re.search(
        r"pooling='auto' \(which chose 'last'\); set pooling='attention'",
        str(err.value.__cause__),
    )


@pytest.mark.parametrize(
    "est, available",
    [
        (LSTMClassifier(pooling="attention"), True),
        (GRURegressor(pooling="attention"), True),
        (AttentionForecaster(), True),
        (AttentionForecaster(attention="additive"), True),
        (LSTMClassifier(), False),
        (RNNRegressor(pooling="mean"), False),
        (AttentionForecaster(attention=None), False),
        (SequenceAnomalyDetector(), False),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, bool) else str(v),
)
def test_attention_weights_exist_only_where_the_model_has_attention(est, available):
    # Issue 17: SequenceAnomalyDetector().fit(X).attention_weights(X) raised
    # "has no attribute 'pooling'" from inside the method; a method an estimator
    # cannot serve is absent (as MLP's partial_fit with solver="lbfgs").
    rng = np.random.RandomState(0)
    X, y = rng.randn(20, 5, 1), rng.randn(20)
    if isinstance(est, LSTMClassifier):
        y = np.arange(20) % 2
    assert hasattr(est, "attention_weights") is available
    est.set_params(hidden_size=4, max_iter=1, random_state=0).fit(X, y)
    assert hasattr(est, "attention_weights") is available
    if available:
        w = est.attention_weights(X[:3])
        assert w.shape == (3, 5)
        np.testing.assert_allclose(w.sum(axis=1), 1.0, rtol=1e-5)
    else:
        with pytest.raises(AttributeError, match="has no attribute 'attention_weights'") as err:
            est.attention_weights(X)
        assert "attention_weights is not available" in str(err.value.__cause__)


def test_unfitted_errors():
    for method in ("predict", "predict_proba", "predict_log_proba", "attention_weights",
                   "score"):
        args = (np.ones((2, 3)),) if method != "score" else (np.ones((2, 3)), [0, 1])
        with pytest.raises(NotFittedError):
            getattr(LSTMClassifier(pooling="attention"), method)(*args)


def _to_3d(X):
    return X[:, :, None]


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_pipeline_grid_search_over_3d(n_jobs):
    X, y = make_long_range_classification(80, n_timesteps=6, lag=3, random_state=0)
    pipe = make_pipeline(LSTMClassifier(hidden_size=4, max_iter=3, random_state=0))
    grid = GridSearchCV(pipe, {"lstmclassifier__hidden_size": [4, 8]}, cv=2, n_jobs=n_jobs)
    grid.fit(X, y)
    assert grid.best_params_["lstmclassifier__hidden_size"] in (4, 8)
    assert grid.predict(X).shape == (80,)


def test_pipeline_with_2d_to_3d_step_and_cross_val_score():
    rng = np.random.RandomState(0)
    X = rng.randn(60, 8)
    y = (X[:, -1] > 0).astype(int)
    pipe = make_pipeline(FunctionTransformer(_to_3d), GRUClassifier(**SMALL))
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))


@pytest.mark.parametrize("cls", [LSTMClassifier, RNNRegressor])
def test_clone_pickle_and_joblib_round_trip(cls, tmp_path, ragged):
    X, y = ragged
    if cls is RNNRegressor:
        y = y.astype(float)
    est = cls(**SMALL).fit(X, y)
    fresh = clone(est)
    assert not hasattr(fresh, "net_") and fresh.get_params() == est.get_params()
    joblib.dump(est, tmp_path / "model.joblib")
    loaded = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(est)).predict(X), est.predict(X))


def test_model_saved_from_another_device_loads_on_cpu():
    # skorch maps a net pickled on CUDA to the CPU when no GPU is present; we check
    # the mechanism by marking the net as a CUDA net before pickling.
    rng = np.random.RandomState(0)
    X, y = rng.randn(20, 4, 1), rng.randn(20)
    est = LSTMRegressor(**SMALL).fit(X, y)
    expected = est.predict(X)
    est.net_.device = "cuda"
    blob = pickle.dumps(est)
    if torch.cuda.is_available():
        pytest.skip("a GPU is present: the CPU fallback does not apply")
    with pytest.warns(UserWarning, match="no CUDA devices|device \\(cuda\\) is not available"):
        loaded = pickle.loads(blob)
    assert str(loaded.net_.device) == "cpu"
    np.testing.assert_allclose(loaded.predict(X), expected)


def test_fast_path_equals_simple_path(ragged):
    # The batch iterator, bucketing and no-DataLoader evaluation against the plain
    # computation: the module on all sequences at once, padded to the global maximum.
    X, y = ragged
    est = LSTMClassifier(pooling="mean", bidirectional=True, batch_size=7, **{
        k: v for k, v in SMALL.items()}).fit(X, y)
    lengths = torch.tensor([len(x) for x in X])
    padded = torch.zeros(len(X), int(lengths.max()), X[0].shape[1])
    for i, x in enumerate(X):
        padded[i, : len(x)] = torch.from_numpy(x)
    module = est.net_.module_.eval()
    with torch.no_grad():
        simple = torch.softmax(module(padded, lengths), dim=1).numpy()
    np.testing.assert_allclose(est.predict_proba(X), simple, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("device, match", [("gpu0", "not a torch device"),
                                           ("cuda", "no CUDA GPU")])
def test_bad_device_is_a_clear_error(device, match):
    if device == "cuda" and torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(ValueError, match=match):
        LSTMClassifier(device=device, max_iter=1).fit(np.ones((4, 3)), [0, 1, 0, 1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_input_statistics_are_exact_and_leave_the_input_alone(dtype):
    # The standardisation statistics come from a chunked torch pass: they must equal
    # numpy's weighted mean and standard deviation, keep the precision of large
    # offsets, never write to the input, and take read-only (strided) arrays.
    from sklearn_seq._engine.numerics import weighted_stats

    rng = np.random.RandomState(0)
    values = (rng.randn(70000, 3) * [1.0, 10.0, 5.0] + [0.0, 1e6, -3.0]).astype(dtype)
    values[:, 2] = 7.0  # a constant column gets scale 1
    weight = rng.uniform(0.1, 2.0, size=len(values))
    before = values.copy()
    values.flags.writeable = False
    mean, scale = weighted_stats(values, weight, chunk=4096)
    np.testing.assert_array_equal(values, before)
    ref = before.astype(np.float64)
    ref_mean = np.average(ref, axis=0, weights=weight)
    ref_std = np.sqrt(np.average((ref - ref_mean) ** 2, axis=0, weights=weight))
    np.testing.assert_allclose(mean, ref_mean, rtol=1e-12)
    np.testing.assert_allclose(scale[:2], ref_std[:2], rtol=1e-6)
    assert scale[2] == 1.0
    assert weighted_stats(values, np.zeros(len(values)))[1].tolist() == [1.0, 1.0, 1.0]
    # A subset of rows, gathered block by block, equals numpy on those rows.
    rows = np.sort(rng.choice(len(values), 9000, replace=False))
    mean, scale = weighted_stats(values, weight[rows], chunk=1000, rows=rows)
    sub, w = ref[rows], weight[rows]
    sub_mean = np.average(sub, axis=0, weights=w)
    np.testing.assert_allclose(mean, sub_mean, rtol=1e-12)
    np.testing.assert_allclose(
        scale[:2], np.sqrt(np.average((sub - sub_mean) ** 2, axis=0, weights=w))[:2], rtol=1e-6)


@pytest.mark.parametrize("magnitude", [1e-160, 1e160])
def test_input_statistics_of_extreme_float64_magnitudes(magnitude):
    # Squares of such deviations under- or overflow in float64: each column is then
    # divided by its largest deviation first, and the statistics stay exact. (A
    # standard deviation below 1e-12 counts as a constant column: scale 1.)
    from sklearn_seq._engine.numerics import weighted_stats

    rng = np.random.RandomState(0)
    values = rng.randn(5000, 2) * [1.0, 3.0] * magnitude
    mean, scale = weighted_stats(values, np.ones(len(values)), chunk=512)
    np.testing.assert_allclose(mean, values.mean(axis=0), rtol=1e-9)
    expected = (values / magnitude).std(axis=0) * magnitude if magnitude > 1 else [1.0, 1.0]
    np.testing.assert_allclose(scale, expected, rtol=1e-9)


def test_cached_learnable_parameters_follow_a_new_module():
    # The net caches its parameter list for the per-batch gradient callbacks; a
    # re-initialised module must not leave the optimizer or clipping on stale tensors.
    X, y = make_sequence_classification(n_samples=40, random_state=0)
    est = LSTMClassifier(**SMALL).fit(X, y)
    net = est.net_
    params = [p for _, p in net.get_all_learnable_params()]
    assert all(any(p is q for q in net.module_.parameters()) for p in params)
    net.initialize()
    fresh = [p for _, p in net.get_all_learnable_params()]
    assert len(fresh) == len(params)
    assert all(any(p is q for q in net.module_.parameters()) for p in fresh)
    assert not any(p is q for p in fresh for q in params)
    assert "_learnable_params" not in pickle.loads(pickle.dumps(net)).__dict__


@pytest.mark.parametrize("ragged", [False, True])
def test_input_statistics_of_large_data_come_from_a_weighted_subsample(ragged):
    # Beyond 200,000 steps the statistics are estimated from a fixed stratified draw
    # of steps, with each step's weight taken from its own sample.
    from sklearn_seq._training import _MAX_STAT_STEPS, _stat_steps
    from sklearn_seq.utils._validation import check_sequences

    rng = np.random.RandomState(0)
    n, T = 3000, 100
    level = np.where(np.arange(n) % 2, 10.0, -10.0)  # odd samples sit at +10
    X = (level[:, None, None] + rng.randn(n, T, 1)).astype(np.float32)
    weight = np.where(np.arange(n) % 2, 1.0, 0.0)  # only the odd samples count
    if ragged:
        X = [x[: 50 + i % 50] for i, x in enumerate(X)]
    seqs, _ = check_sequences(X)
    values, rows, w = _stat_steps(seqs, weight)
    assert len(rows) == len(w) == _MAX_STAT_STEPS
    assert np.all(np.diff(rows) >= 0) and rows[-1] < len(values)  # one per stratum, in order
    _, rows2, _ = _stat_steps(seqs, weight)
    np.testing.assert_array_equal(rows, rows2)  # deterministic
    est = LSTMRegressor(hidden_size=2, max_iter=1, random_state=0)
    stats = est.set_params(dtype="float64")._input_standardization(seqs, weight)
    np.testing.assert_allclose(stats["input_mean"], [10.0], atol=0.02)
    np.testing.assert_allclose(stats["input_scale"], [1.0], atol=0.02)


def _simple_get_loss(self, y_pred, y_true, X=None, training=False):
    # The loss written out plainly: per-sample means, weighted average, MLP's L2.
    y_true = y_true.to(self.device)
    self.criterion_.reduction = "none"
    loss = self.criterion_(y_pred, y_true)
    self.criterion_.reduction = "mean"
    loss = loss.flatten(1).mean(dim=1) if loss.dim() > 1 else loss
    weight = X.get("sample_weight") if isinstance(X, dict) else None
    weight = torch.ones_like(loss) if weight is None else weight.to(loss)
    squares = sum(p.pow(2).sum() for p in self.module_.parameters() if p.dim() > 1)
    return ((loss * weight).sum() + 0.5 * self.alpha * squares) / weight.sum()


@pytest.mark.parametrize("case", ["dense", "weighted", "ragged", "forecaster"])
def test_lean_training_step_equals_skorchs_own(case, monkeypatch):
    # The net drops skorch's optimizer closure, calls only the callbacks that handle
    # an event, hands bare tensors instead of dicts, reduces the loss once, writes
    # batch records straight into the history and (forecaster) computes each window's
    # scale once for the forward pass and the loss: the trained weights and the history
    # must equal those of skorch's own train_step, notify and History with the loss
    # written out plainly (gradient clipping and the L2 term included).
    from skorch import NeuralNet
    from skorch.history import History

    from sklearn_seq import AttentionForecaster
    from sklearn_seq._engine.net import SequenceNet, _module_inputs

    rng = np.random.RandomState(0)
    X = rng.randn(60, 9, 2)
    y = (X[:, -1, 0] > 0).astype(int)
    fit_kw = {}
    if case == "ragged":
        X = [x[: rng.randint(3, 10)] for x in X]
    if case == "weighted":
        fit_kw["sample_weight"] = rng.uniform(0.2, 3.0, len(y))
    params = dict(hidden_size=6, max_iter=4, batch_size=16, alpha=1e-2, dtype="float64",
                  max_grad_norm=0.05, random_state=0)
    if case == "forecaster":
        make = lambda: AttentionForecaster(scaling="window", **params)  # noqa: E731
        y = X[:, -1, :].sum(axis=1) + 5.0
    else:
        make = lambda: LSTMClassifier(**params)  # noqa: E731
    lean = make().fit(X, y, **fit_kw)
    with monkeypatch.context() as m:
        m.setattr(SequenceNet, "train_step", NeuralNet.train_step)
        m.setattr(SequenceNet, "notify", NeuralNet.notify)
        m.setattr(SequenceNet, "get_loss", _simple_get_loss)
        m.setattr(SequenceNet, "infer",
                  lambda net, x, **kw: NeuralNet.infer(net, _module_inputs(x)))
        m.setattr(SequenceNet, "initialize_history", NeuralNet.initialize_history)
        simple = make().fit(X, y, **fit_kw)
    assert type(simple.net_.history) is History
    lean_batches = lean.net_.history[:, "batches"]
    assert [len(e) for e in lean_batches] == [len(e) for e in simple.net_.history[:, "batches"]]
    for key in ["train_loss", "train_batch_size"]:
        np.testing.assert_allclose(lean.net_.history[:, "batches", :, key],
                                   simple.net_.history[:, "batches", :, key], rtol=1e-9)
    for (name, a), (_, b) in zip(lean.net_.module_.state_dict().items(),
                                 simple.net_.module_.state_dict().items()):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-9, atol=1e-12, err_msg=name)
    np.testing.assert_allclose(lean.net_.history[:, "train_loss"],
                               simple.net_.history[:, "train_loss"], rtol=1e-9)


def test_callbacks_see_every_event_in_skorchs_order(monkeypatch):
    from skorch.callbacks import Callback

    from sklearn_seq._engine import net as engine

    class Recorder(Callback):
        def __init__(self):
            self.events = []

        def on_batch_begin(self, net, **kwargs):
            self.events.append("begin")

        def on_grad_computed(self, net, named_parameters, **kwargs):
            # Gradients exist, the step has not been taken yet.
            assert all(p.grad is not None for _, p in named_parameters)
            self.events.append("grad")

    X, y = make_sequence_classification(n_samples=40, random_state=0)
    est = LSTMClassifier(batch_size=20, **SMALL).fit(X, y)
    recorder = Recorder()
    # An event handled by a method set on the instance is delivered too.
    recorder.on_batch_end = lambda net, **kwargs: recorder.events.append("end")
    # Registered where the estimator adds its own callbacks to every net (partial_fit
    # sets up the callbacks from the estimator's current parameters).
    own = engine.training_callbacks
    monkeypatch.setattr(engine, "training_callbacks",
                        lambda spec: [*own(spec), ("recorder", recorder)])
    est.partial_fit(X, y)
    assert recorder.events == ["begin", "grad", "end"] * 2
    # The handler cache is not state: it holds no callback in a pickle.
    assert est.net_.callbacks_.pop()[1] is est.net_.callbacks.pop()[1] is recorder
    assert "_event_handlers" in est.net_.__dict__
    assert "_event_handlers" not in pickle.loads(pickle.dumps(est.net_)).__dict__


def _imbalanced(n=200, seed=0):
    """Sequences whose label is 1 for the 15% with the highest mean."""
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 6, 1).astype(np.float32)
    mean = X[:, :, 0].mean(axis=1)
    return X, (mean > np.quantile(mean, 0.85)).astype(int)


def test_early_stopping_watches_the_validation_loss_by_default():
    # Issue 17: on a 15%-minority problem validation accuracy sits at the majority
    # share while the model learns, so early stopping that watched it restored the
    # first epoch's always-majority model (balanced accuracy 0.5) without a word.
    X, y = _imbalanced()
    # (a constant rate: 40 epochs of a falling one learn this task less far; 32
    # sequences a batch, as "auto" gave before it took a tenth of a small set)
    params = dict(hidden_size=8, max_iter=40, learning_rate_init=3e-3, early_stopping=True,
                  batch_size=32,
                  validation_fraction=0.2, conv_channels=None, pooling="last",
                  learning_rate="constant", random_state=0)
    default = GRUClassifier(**params).fit(X, y)
    assert balanced_accuracy_score(y, default.predict(X)) > 0.85
    # The score is the negative validation loss (higher is better, as in
    # HistGradientBoostingClassifier), and the best one is the restored epoch's.
    assert default.get_params()["scoring"] == "loss"
    losses = default.net_.history[:, "valid_loss"]
    np.testing.assert_allclose(default.validation_scores_, [-v for v in losses])
    assert default.best_validation_score_ == max(default.validation_scores_)
    # Watching accuracy (scoring=None: the estimator's own score) restores an epoch
    # that has barely left the always-majority model (validation accuracy is flat at
    # the majority share while the model learns): what the default avoids. (With
    # 10 epochs of patience and no 100-step floor it restored the first epoch's
    # model itself, balanced accuracy 0.5.)
    accuracy = GRUClassifier(scoring="accuracy", **params).fit(X, y)
    assert balanced_accuracy_score(y, accuracy.predict(X)) < 0.7
    assert GRUClassifier(scoring=None, **params).fit(X, y).validation_scores_ == (
        accuracy.validation_scores_)


def test_scoring_accepts_scorer_names_and_callables_on_the_validation_split():
    X, y = _imbalanced(n=80)
    seen = []

    def scorer(est, X_valid, y_valid):
        seen.append(len(X_valid))
        return balanced_accuracy_score(y_valid, est.predict(X_valid))

    params = dict(hidden_size=4, max_iter=3, early_stopping=True, validation_fraction=0.25,
                  random_state=0)
    est = GRUClassifier(scoring=scorer, **params).fit(X, y)
    assert seen == [20, 20, 20]
    named = GRUClassifier(scoring="balanced_accuracy", **params).fit(X, y)
    assert named.validation_scores_ == est.validation_scores_
    reg = GRURegressor(scoring="neg_mean_absolute_error", **params).fit(X, X[:, -1, 0])
    assert len(reg.validation_scores_) == 3 and all(s < 0 for s in reg.validation_scores_)
    with pytest.raises(ValueError, match="'f2' is not a valid scoring value"):
        GRUClassifier(scoring="f2", **params).fit(X, y)
    with pytest.raises(ValueError, match="'scoring' parameter of GRUClassifier must be"):
        GRUClassifier(scoring=3, **params).fit(X, y)


def test_scoring_is_cloned_warm_start_safe_and_saved(tmp_path):
    from sklearn_seq import load

    X, y = _imbalanced(n=60)
    est = GRUClassifier(hidden_size=4, max_iter=2, early_stopping=True, scoring="accuracy",
                        validation_fraction=0.25, warm_start=True, random_state=0).fit(X, y)
    assert clone(est).scoring == "accuracy"
    assert all(0 <= s <= 1 for s in est.validation_scores_)
    est.set_params(scoring="loss").fit(X, y)  # what a warm-started fit watches may change
    assert len(est.validation_scores_) == 4 and all(s < 0 for s in est.validation_scores_[2:])
    assert est.best_validation_score_ == max(est.validation_scores_[2:])
    est.set_params(scoring="balanced_accuracy").save(tmp_path / "m.skseq")
    loaded = load(tmp_path / "m.skseq")
    assert loaded.scoring == "balanced_accuracy"
    loaded.fit(X, y)
    assert len(loaded.validation_scores_) == 6
    assert all(0 <= s <= 1 for s in loaded.validation_scores_[4:])
    assert "scorer_" not in vars(dict(loaded.net_.callbacks_)["valid_score"])


@pytest.mark.parametrize("cls", [LSTMClassifier, BiRNNTextClassifier])
def test_a_single_class_is_an_error(cls):
    # Issue 17: a classifier trained silently on one class.
    if cls is BiRNNTextClassifier:
        # (a word in three documents: the default min_df keeps it)
        X = ["good film", "great fun film", "nice", "fine film"]
    else:
        X = np.random.RandomState(0).randn(4, 5, 1)
    with pytest.raises(ValueError, match="y holds only one class: 'spam'.*at least 2 classes"):
        cls(hidden_size=4, max_iter=1).fit(X, ["spam"] * 4)
    with pytest.raises(ValueError, match="positive sample_weight hold only one class"):
        cls(hidden_size=4, max_iter=1).fit(X, [0, 1, 0, 1], sample_weight=[1, 0, 1, 0])
    # A batch of one class is fine for partial_fit, which knows all classes.
    est = cls(hidden_size=4, max_iter=1).partial_fit(X, [1] * 4, classes=[0, 1])
    np.testing.assert_array_equal(est.classes_, [0, 1])


def test_predict_log_proba_is_the_log_of_predict_proba():
    X, y = make_sequence_classification(n_samples=40, random_state=0)
    est = LSTMClassifier(**SMALL).fit(X, y)
    log_proba = est.predict_log_proba(X)
    assert log_proba.shape == (40, len(est.classes_))
    np.testing.assert_allclose(log_proba, np.log(est.predict_proba(X)), rtol=1e-10)
    # Computed from the logits: finite where a probability underflows to 0.
    est.net_.module_.head.weight.data *= 1e4
    assert np.isfinite(est.predict_log_proba(X)).all()
    assert (est.predict_proba(X) == 0).any()


def _detector(X, y):
    return SequenceAnomalyDetector(hidden_size=4, max_iter=1).fit(X)


@pytest.mark.parametrize("make", [
    lambda X, y: LSTMClassifier(hidden_size=4, max_iter=1).fit(X, y),
    lambda X, y: LSTMRegressor(hidden_size=4, max_iter=1).fit(X, y * 1.0),
    lambda X, y: AttentionForecaster(hidden_size=4, max_iter=1).fit(X, y * 1.0),
    _detector,
    lambda X, y: BiRNNTextClassifier(hidden_size=4, max_iter=1).fit(["a b", "b c"] * 5, y),
    lambda X, y: make_pipeline(FunctionTransformer(), GRUClassifier(hidden_size=4, max_iter=1))
    .fit(X, y),
], ids=["classifier", "regressor", "forecaster", "detector", "text", "pipeline"])
def test_convergence_warning_points_at_the_users_line(make):
    X, y = np.random.RandomState(0).randn(10, 4, 1), np.arange(10) % 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        make(X, y)
    [w] = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert w.filename == __file__, (w.filename, w.lineno)


def test_verbose_output_to_a_file_or_pipe_is_plain_lines(capsys):
    # Issue 18: output sent to a file was full of ANSI colours and progress-bar
    # fragments. capsys is not a terminal.
    X, y = make_sequence_classification(n_samples=40, random_state=0)
    est = LSTMClassifier(hidden_size=4, max_iter=4, early_stopping=True, verbose=1,
                         validation_fraction=0.25, random_state=0).fit(X, y)
    out, err = capsys.readouterr()
    assert "\x1b[" not in out + err and "\r" not in out + err
    lines = out.splitlines()
    # the learning rate of each epoch too, with the classifiers' cosine schedule
    assert lines[0].split() == ["epoch", "train_loss", "valid_loss", "valid_score", "lr",
                                "dur"]
    # (a last line may say which epoch's weights early stopping restored)
    rows = [line.split() for line in lines[2:] if not line.startswith("Restoring")]
    assert [int(r[0]) for r in rows] == [1, 2, 3, 4] == list(range(1, est.n_iter_ + 1))
    for row, loss in zip(rows, est.loss_curve_):
        assert float(row[1]) == pytest.approx(loss, abs=1e-4)
    assert err == ""


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_verbose_output_to_a_terminal_keeps_the_progress_bar(monkeypatch):
    out, err = _Terminal(), _Terminal()
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setattr("sys.stderr", err)
    X, y = make_sequence_classification(n_samples=40, random_state=0)
    LSTMClassifier(hidden_size=4, max_iter=2, verbose=1, random_state=0).fit(X, y)
    assert "\x1b[" in out.getvalue()  # the best losses in colour
    assert re.search(r"\d+/\d+ \[", err.getvalue())  # tqdm's bar


def test_conv_front_end_is_exact_on_ragged_batches_and_validated():
    rng = np.random.RandomState(0)
    X = [rng.randn(rng.randint(5, 30), 2).astype(np.float64) for _ in range(40)]
    y = np.arange(40) % 2
    est = LSTMClassifier(conv_channels=(8, 8), kernel_size=(5, 3), hidden_size=8, max_iter=5,
                         dtype="float64", random_state=0).fit(X, y)
    convs = est.net_.module_.conv.convs
    assert [(c.in_channels, c.out_channels, c.kernel_size) for c in convs] == [
        (2, 8, (5,)), (8, 8, (3,))]
    # A sequence's output does not depend on the batch it is padded into.
    alone = np.vstack([est.predict_proba([x]) for x in X])
    np.testing.assert_allclose(est.predict_proba(X), alone, rtol=1e-12, atol=1e-12)
    # Without convolutions the recurrent layer reads the inputs directly.
    plain = LSTMRegressor(hidden_size=4, max_iter=2, conv_channels=None).fit(X, y.astype(float))
    assert len(plain.net_.module_.conv.convs) == 0
    assert plain.net_.module_.encoder.forward_rnn.input_size == 2
    with pytest.raises(ValueError, match="kernel_size has 3 values for 2 convolutions"):
        LSTMClassifier(conv_channels=(8, 8), kernel_size=(5, 3, 3), max_iter=1).fit(X, y)
    with pytest.raises(ValueError, match=r"conv_channels must hold positive integers.*\(64, 64"):
        LSTMClassifier(conv_channels=(8, 0), max_iter=1).fit(X, y)
    with pytest.raises(ValueError, match="kernel_size.*must be"):
        LSTMClassifier(kernel_size=0, max_iter=1).fit(X, y)


def test_conv_stride_pools_time_exactly_and_keeps_attention_per_input_step():
    rng = np.random.RandomState(1)
    lengths = [3, 7, 8, 13, 20] * 6
    X = [rng.randn(n, 1) for n in lengths]
    y = np.arange(len(X)) % 2
    est = GRUClassifier(conv_channels=(4,), kernel_size=3, conv_stride=4, hidden_size=4,
                        pooling="attention", max_iter=3, dtype="float64",
                        random_state=0).fit(X, y)
    # The recurrent layer runs over ceil(length / 4) steps.
    h, h_lengths = est.net_.module_.conv(torch.zeros(2, 13, 1, dtype=torch.float64),
                                         torch.tensor([13, 5]))
    assert h.shape[1] == 4 and h_lengths.tolist() == [4, 2]
    alone = np.vstack([est.predict_proba([x]) for x in X])
    np.testing.assert_allclose(est.predict_proba(X), alone, rtol=1e-12, atol=1e-12)
    weights = est.attention_weights(X)
    assert weights.shape == (len(X), max(lengths))
    for w, n in zip(weights, lengths):
        assert np.isclose(w[:n].sum(), 1.0) and not w[n:].any()
        w = w[:n]
        # one weight per block of 4 steps, shared equally by the block's real steps
        blocks = [w[i:i + 4] for i in range(0, n, 4)]
        assert all(np.allclose(b, b[0]) for b in blocks)


def test_max_iter_auto_scales_epochs_with_the_data_size():
    from sklearn_seq._training import AUTO_EPOCHS, AUTO_TIME_STEPS
    from sklearn_seq.utils._validation import Sequences

    assert AUTO_TIME_STEPS == 40_000_000 and AUTO_EPOCHS == (10, 200)
    assert LSTMClassifier().max_iter == "auto"
    # The reference network: the default front end of 32 channels on one feature
    # (what conv_channels="auto" takes beyond 86,000 training steps), an LSTM of 64,
    # 14,933 multiply-adds a step against the budget's 14,976.
    est = LSTMClassifier(conv_channels=(32, 32, 32), max_iter=1, random_state=0)
    est.fit(np.random.RandomState(0).randn(4, 64, 1), [0, 1, 0, 1])
    est.set_params(max_iter="auto")
    # 36 series of 251 steps (ArrowHead): capped at 200 epochs
    assert est._max_epochs(Sequences(np.zeros((36, 251, 1)))) == 200
    # 2000 of 140: 40e6 * 14,976 / (280,000 * 14,933) = 143.3, rounded up
    assert est._max_epochs(Sequences(np.zeros((2000, 140, 1)))) == 144
    # ragged: the training sequences' own lengths; validation sequences are not counted
    ragged = Sequences(np.zeros((300_000, 1)), lengths=np.array([100_000, 150_000, 50_000]))
    assert est._max_epochs(ragged) == 134
    assert est._max_epochs(ragged, train_idx=np.array([2])) == 200
    assert est.set_params(max_iter=7)._max_epochs(ragged) == 7
    # at least 10 epochs on large data (15,000 of 300: 8.9 epochs of budget) ...
    est.set_params(max_iter="auto")
    big = Sequences(np.broadcast_to(np.float32(0), (15_000, 300, 1)))
    assert est._max_epochs(big) == 10
    # ... unless 10 would cost more than 1.5 times the budget (40,000 of 300: 3.3)
    assert est._max_epochs(Sequences(np.broadcast_to(np.float32(0), (40_000, 300, 1)))) == 5


def test_max_iter_auto_counts_the_cost_of_the_network():
    """A network twice as costly a step gets half the epochs; its cost is the
    weights a step runs over (the LSTM after the stride of 4 at a quarter)."""
    from sklearn_seq.nn._cost import forward_macs_per_step
    from sklearn_seq.utils._validation import Sequences

    X, y = np.random.RandomState(0).randn(4, 64, 1), [0, 1, 0, 1]
    small = LSTMClassifier(conv_channels=(32, 32, 32), max_iter=1).fit(X, y)
    wide = LSTMClassifier(conv_channels=(32, 32, 32), hidden_size=256, max_iter=1).fit(X, y)
    # convolutions: a third of their 7*1*32 + 5*32*32 + 3*32*32 weights, 1 + 58 for
    # each of their 3*32 output channels (bias and elementwise work), 2*32 for
    # each normalisation; the LSTM's 4*64*(32+64) weights and 2*4*64 biases / 4
    conv = (7 * 32 + 5 * 32 * 32 + 3 * 32 * 32) / 3 + 3 * 32 * 59 + 3 * 2 * 32
    assert forward_macs_per_step(small.net_.module_, 64) == pytest.approx(
        conv + (4 * 64 * 96 + 512) / 4)
    assert forward_macs_per_step(wide.net_.module_, 64) == pytest.approx(
        conv + (4 * 256 * 288 + 2048) / 4)
    data = Sequences(np.zeros((3000, 140, 1)))
    epochs = [est.set_params(max_iter="auto")._max_epochs(data) for est in (small, wide)]
    # 14,933 against 82,901 multiply-adds a step: 40e6 * 14,976 / (420,000 *
    # 14,933) = 95.5 epochs against 40e6 * 14,976 / (420,000 * 82,901) = 17.2,
    # rounded up
    assert epochs == [96, 18]


def test_fcn_widths_get_150_epochs_where_auto_chooses_them():
    """conv_channels="auto" takes FCN's widths on at most AUTO_FCN_MAX_STEPS
    training steps: max_iter="auto" gives them the 150 epochs they need there."""
    from sklearn_seq.recurrent import AUTO_FCN_MAX_STEPS
    from sklearn_seq.utils._validation import Sequences

    est = LSTMClassifier(conv_channels=(64, 128, 64), max_iter=1, random_state=0)
    est.fit(np.random.RandomState(0).randn(4, 64, 1), [0, 1, 0, 1])
    est.set_params(max_iter="auto")
    assert est._max_epochs(Sequences(np.zeros((AUTO_FCN_MAX_STEPS // 100, 100, 1)))) == 152
    # OSULeaf's 200 series of 427 steps: 40e6 * 14,976 / (85,400 * 45,931) = 152.7
    assert est._max_epochs(Sequences(np.zeros((200, 427, 1)))) == 153


def test_conv_channels_cannot_change_between_warm_started_fits(tmp_path):
    from sklearn_seq import load

    X, y = np.random.RandomState(0).randn(20, 12, 1), np.arange(20) % 2
    est = LSTMClassifier(hidden_size=4, conv_channels=[4, 4], kernel_size=[3, 3], max_iter=1,
                         warm_start=True, random_state=0).fit(X, y)
    est.set_params(conv_channels=(4, 4)).fit(X, y)  # the same sizes as a tuple
    with pytest.raises(ValueError, match=r"conv_channels cannot change.*\(4, 4\)"):
        est.set_params(conv_channels=(8,), kernel_size=3).fit(X, y)
    # the safe file keeps the sizes, and the loaded model warm-starts
    est.set_params(conv_channels=[4, 4], kernel_size=[3, 3]).save(tmp_path / "m.skseq")
    loaded = load(tmp_path / "m.skseq")
    np.testing.assert_allclose(loaded.predict_proba(X), est.predict_proba(X))
    loaded.fit(X, y)
    assert loaded.n_iter_ == 3


def test_auto_architecture_follows_the_median_training_length(tmp_path):
    from sklearn_seq import load
    from sklearn_seq.recurrent import (AUTO_CONV_MIN_LENGTH, AUTO_FCN_MAX_STEPS,
                                       AUTO_WIDE_MAX_STEPS)

    rng = np.random.RandomState(0)
    y = np.arange(20) % 2
    long_ = rng.randn(20, AUTO_CONV_MIN_LENGTH, 1)
    short = long_[:, : AUTO_CONV_MIN_LENGTH - 1]
    kw = dict(hidden_size=4, max_iter=1, random_state=0)
    # 20 * 64 time steps: a small training set, which the classifiers read wider
    clf = LSTMClassifier(**kw).fit(long_, y)
    assert (clf.conv_channels_, clf.pooling_) == ((64, 64, 64), "max")
    assert all(len(member.conv.convs) == 3 for member in clf.net_.module_.members)
    clf = LSTMClassifier(**kw).fit(short, y)
    assert (clf.conv_channels_, clf.pooling_) == ((), "last")
    # ragged: the median length decides, not the longest sequence
    ragged = [long_[i] if i < 9 else short[i] for i in range(20)]
    assert LSTMClassifier(**kw).fit(ragged, y).conv_channels_ == ()
    ragged = [long_[i] if i < 11 else short[i] for i in range(20)]
    assert LSTMClassifier(**kw).fit(ragged, y).conv_channels_ == (64, 64, 64)
    # over AUTO_WIDE_MAX_STEPS time steps, FCN's widths; over AUTO_FCN_MAX_STEPS, 32
    for most, smaller, larger in [(AUTO_WIDE_MAX_STEPS, (64, 64, 64), (64, 128, 64)),
                                  (AUTO_FCN_MAX_STEPS, (64, 128, 64), (32, 32, 32))]:
        n_big = most // AUTO_CONV_MIN_LENGTH + 1
        big = np.broadcast_to(np.float32(1), (n_big, AUTO_CONV_MIN_LENGTH, 1))
        assert LSTMClassifier(**kw).fit(big, np.arange(n_big) % 2).conv_channels_ == larger
        assert LSTMClassifier(**kw).fit(big[:-1], np.arange(n_big - 1) % 2).conv_channels_ == (
            smaller)
    # a regressor reads the last state whatever its front end, and keeps 32 channels
    # on small data; explicit values stay
    reg = GRURegressor(**kw).fit(long_, long_[:, -1, 0])
    assert (reg.conv_channels_, reg.pooling_) == ((32, 32, 32), "last")
    clf = LSTMClassifier(conv_channels=(4,), kernel_size=3, pooling="mean", **kw).fit(short, y)
    assert (clf.conv_channels_, clf.pooling_) == ((4,), "mean")
    # a warm-started fit keeps what "auto" chose, even on data that would choose otherwise
    clf = LSTMClassifier(warm_start=True, **kw).fit(long_, y).fit(short, y)
    assert (clf.conv_channels_, clf.pooling_, clf.n_iter_) == ((64, 64, 64), "max", 2)
    # the safe file keeps the choice
    clf.save(tmp_path / "m.skseq")
    loaded = load(tmp_path / "m.skseq")
    assert (loaded.conv_channels_, loaded.pooling_) == ((64, 64, 64), "max")
    np.testing.assert_allclose(loaded.predict_proba(long_), clf.predict_proba(long_))
    with pytest.raises(NotFittedError):
        LSTMClassifier().conv_channels_


@pytest.mark.parametrize(
    "n, classifier_batch, regressor_batch",
    [(20, 20, 20), (31, 31, 31), (32, 8, 32), (36, 8, 32), (100, 10, 32), (319, 31, 32),
     (320, 32, 32), (2000, 62, 62)],
)
def test_auto_batch_size_is_a_tenth_of_a_small_training_set(n, classifier_batch,
                                                            regressor_batch):
    # The classifiers train sets of 32 to 319 sequences in about ten steps an
    # epoch (at least 8 sequences a batch); below 32, one batch (so that integer
    # weights equal repetitions); the regressors (and everything from 320
    # sequences on) keep min(n, clip(n // 32, 32, 256)).
    assert LSTMClassifier()._batch_size(n) == classifier_batch
    assert GRUClassifier()._batch_size(n) == classifier_batch
    assert LSTMRegressor()._batch_size(n) == regressor_batch
    assert LSTMClassifier(batch_size=16)._batch_size(n) == 16
    X = np.random.RandomState(0).randn(36, 5, 1)
    est = LSTMClassifier(hidden_size=4, max_iter=1).fit(X, np.arange(36) % 2)
    # 36 sequences, 8 a batch: five optimizer steps in the epoch
    assert len(est.net_.history[-1]["batches"]) == 5


def test_layer_sizes_given_as_numpy_arrays_fit_save_and_warm_start(tmp_path):
    # conv_channels and kernel_size are array-like: numpy arrays (from a grid built
    # with np.arange, say) raised "truth value of an array ... is ambiguous".
    from sklearn_seq import load

    X, y = np.random.RandomState(0).randn(20, 12, 1), np.arange(20) % 2
    est = LSTMClassifier(hidden_size=4, conv_channels=np.array([4, 4]),
                         kernel_size=np.array([3, 3]), max_iter=1, warm_start=True,
                         random_state=0).fit(X, y)
    assert est.conv_channels_ == (4, 4) and est.pooling_ == "max"
    est.fit(X, y)
    assert est.n_iter_ == 2
    est.save(tmp_path / "m.skseq")
    np.testing.assert_allclose(load(tmp_path / "m.skseq").predict_proba(X),
                               est.predict_proba(X))


def _padded_features():
    """Features (batch 3, channels 2, time 5) of sequences of lengths 5, 2 and 4, the
    mask of their real steps and the lengths; padding far from the real steps."""
    rng = np.random.RandomState(0)
    lengths = [5, 2, 4]
    h = torch.tensor(rng.randn(3, 2, 5) * 3 + 1)
    mask = (torch.arange(5)[None, :] < torch.tensor(lengths)[:, None]).unsqueeze(1).double()
    return h * mask + 100 * (1 - mask), mask, lengths


def test_conv_batch_norm_leaves_padding_out_of_its_training_statistics():
    from sklearn_seq.nn._recurrent import MaskedBatchNorm1d

    h, mask, lengths = _padded_features()
    masked, plain = MaskedBatchNorm1d(2).double(), torch.nn.BatchNorm1d(2).double()
    out = masked(h, mask)
    # the same as batch normalisation of the real steps alone, laid end to end
    real = torch.cat([h[i, :, :n] for i, n in enumerate(lengths)], dim=1)[None]
    expected = plain(real)[0]
    got = torch.cat([out[i, :, :n] for i, n in enumerate(lengths)], dim=1)
    torch.testing.assert_close(got, expected)
    torch.testing.assert_close(masked.running_mean, plain.running_mean)
    torch.testing.assert_close(masked.running_var, plain.running_var)
    # at prediction, the running statistics: a sequence alone gives the same numbers
    masked.eval()
    torch.testing.assert_close(masked(h[1:2, :, :2], None), masked(h, mask)[1:2, :, :2])


def test_conv_branch_joins_the_mean_of_the_front_end_features_to_the_summary():
    rng = np.random.RandomState(0)
    X = [rng.randn(n, 1) for n in [9, 4, 12, 7] * 5]
    y = np.arange(20) % 2
    kw = dict(conv_channels=(3, 5), kernel_size=3, hidden_size=4, max_iter=2,
              dtype="float64", random_state=0)
    est = LSTMClassifier(conv_norm="batch", conv_branch=True, **kw).fit(X, y)
    module = est.net_.module_
    # exact on ragged input: a sequence alone gives the numbers it gets in a batch
    alone = np.vstack([est.predict_proba([x]) for x in X])
    np.testing.assert_allclose(est.predict_proba(X), alone, rtol=1e-12, atol=1e-12)
    assert len(module.conv.norms) == 2 and module.head.in_features == 4 + 5
    module.eval()
    x, lengths = torch.zeros(2, 12, 1, dtype=torch.float64), torch.tensor([12, 4])
    x[0, :, 0], x[1, :4, 0] = torch.tensor(X[2][:, 0]), torch.tensor(X[1][:, 0])
    summary, _ = module.encode(x, lengths)
    features, _ = module.conv.features((x - module.input_mean) / module.input_scale, lengths)
    torch.testing.assert_close(summary[:, 4:], torch.stack(
        [features[0, :, :12].mean(dim=1), features[1, :, :4].mean(dim=1)]))
    # None and False (the regressors' defaults): convolutions and ReLUs alone, the
    # recurrent summary
    plain = LSTMClassifier(conv_norm=None, conv_branch=False, **kw).fit(X, y).net_.module_
    assert plain.conv.norms is None and plain.head.in_features == 4
    with pytest.raises(ValueError, match="conv_norm"):
        LSTMClassifier(conv_norm="instance", **kw).fit(X, y)


def test_conv_branch_trains_the_front_end_through_the_branch_alone():
    # In training, the recurrent layers read the front end's features without sending
    # their gradient back: a loss that depends on the recurrent summary alone leaves
    # the convolutions' gradients at zero, while one through the branch reaches them.
    # Outside training the gradient flows through both paths (attributions).
    from sklearn_seq.nn import SequenceNetwork

    torch.manual_seed(0)
    net = SequenceNetwork(1, 2, hidden_size=4, pooling="max", conv_channels=(3, 5),
                          kernel_size=3, conv_stride=2, conv_norm="batch",
                          conv_branch=True, dtype=torch.float64)
    x, lengths = torch.randn(6, 10, 1, dtype=torch.float64), torch.tensor([10, 7] * 3)

    def conv_grads(part, training):
        net.train(training)
        net.zero_grad()
        summary, _ = net.encode(x, lengths)
        summary[:, part].square().sum().backward()
        return [p.grad for p in net.conv.parameters()]

    recurrent, branch = slice(0, 4), slice(4, 9)
    assert all(g is None or not g.any() for g in conv_grads(recurrent, training=True))
    assert all(g is not None and g.any() for g in conv_grads(branch, training=True))
    assert all(g is not None and g.any() for g in conv_grads(recurrent, training=False))
    # the recurrent layers themselves still learn
    net.train()
    net.zero_grad()
    net.encode(x, lengths)[0][:, recurrent].square().sum().backward()
    assert all(p.grad is not None and p.grad.any() for p in net.encoder.parameters())


def test_conv_norm_auto_takes_batch_norm_from_100_training_sequences():
    from sklearn_seq.nn._recurrent import MaskedBatchNorm1d, MaskedSequenceNorm1d
    from sklearn_seq.recurrent import AUTO_BATCH_NORM_MIN_SAMPLES

    assert AUTO_BATCH_NORM_MIN_SAMPLES == 100
    rng = np.random.RandomState(0)
    X = rng.randn(100, 8, 1).astype(np.float32)
    y = np.arange(100) % 2
    kw = dict(conv_channels=(3,), kernel_size=3, hidden_size=4, max_iter=1, random_state=0)
    assert LSTMClassifier().conv_norm == "auto"
    est = LSTMClassifier(**kw).fit(X, y)
    assert est.conv_norm_ == "batch"
    assert isinstance(est.net_.module_.conv.norms[0], MaskedBatchNorm1d)
    small = LSTMClassifier(**kw).fit(X[:99], y[:99])
    assert small.conv_norm_ == "layer"
    assert isinstance(small.net_.module_.conv.norms[0], MaskedSequenceNorm1d)
    # a warm-started fit keeps the first fit's choice; explicit values stay
    small.set_params(warm_start=True).fit(X, y)
    assert small.conv_norm_ == "layer" and small.n_iter_ == 2
    assert LSTMClassifier(conv_norm="layer", **kw).fit(X, y).conv_norm_ == "layer"
    assert LSTMClassifier(conv_norm=None, **kw).fit(X, y).conv_norm_ is None
    # the regressors keep no normalisation unless asked
    assert GRURegressor(**kw).fit(X, y * 1.0).conv_norm_ is None


def test_masked_sequence_norm_is_group_norm_of_each_sequence_alone():
    from sklearn_seq.nn._recurrent import MaskedSequenceNorm1d

    h, mask, lengths = _padded_features()
    norm = MaskedSequenceNorm1d(2).double()
    with torch.no_grad():
        norm.weight.copy_(torch.tensor([2.0, 0.5]))
        norm.bias.copy_(torch.tensor([1.0, -1.0]))
    reference = torch.nn.GroupNorm(1, 2).double()
    reference.load_state_dict(norm.state_dict())
    out = norm(h, mask)
    for i, n in enumerate(lengths):
        # each sequence normalised on its own real steps, whatever its batch
        torch.testing.assert_close(out[i, :, :n], reference(h[i:i + 1, :, :n])[0])
        torch.testing.assert_close(norm(h[i:i + 1, :, :n], None)[0], out[i, :, :n])
    # the same in training and in evaluation: no batch statistics
    norm.eval()
    torch.testing.assert_close(norm(h, mask), out)


def test_conv_norm_layer_is_exact_on_ragged_input():
    rng = np.random.RandomState(0)
    X = [rng.randn(n, 1) for n in [9, 4, 12, 7] * 5]
    y = np.arange(20) % 2
    est = LSTMClassifier(conv_channels=(3, 5), kernel_size=3, hidden_size=4, max_iter=2,
                         conv_norm="layer", conv_branch=True, dtype="float64",
                         random_state=0).fit(X, y)
    assert len(est.net_.module_.conv.norms) == 2
    alone = np.vstack([est.predict_proba([x]) for x in X])
    np.testing.assert_allclose(est.predict_proba(X), alone, rtol=1e-12, atol=1e-12)


def test_cosine_learning_rate_falls_to_one_percent_over_each_fit():
    rng = np.random.RandomState(0)
    X, y = rng.randn(20, 6, 1), np.arange(20) % 2
    est = LSTMClassifier(learning_rate="cosine", learning_rate_init=0.01, max_iter=5,
                         n_iter_no_change=50, hidden_size=4, conv_channels=None,
                         random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
        rates = [row["event_lr"] for row in est.net_.history]
        np.testing.assert_allclose(rates, 1e-4 + (0.01 - 1e-4) * (
            1 + np.cos(np.pi * np.arange(5) / 4)) / 2)
        # a warm-started fit starts again at learning_rate_init, over its own epochs
        est.set_params(warm_start=True, max_iter=3).fit(X, y)
    rates = [row["event_lr"] for row in est.net_.history[5:]]
    np.testing.assert_allclose(rates, [0.01, 0.01 * 0.505, 1e-4])
    # partial_fit: one epoch at learning_rate_init
    est.partial_fit(X, y)
    assert est.net_.history[-1, "event_lr"] == pytest.approx(0.01)
    # "constant" (the regressors' default) records no schedule and keeps the rate
    plain = LSTMClassifier(learning_rate="constant", max_iter=2, hidden_size=4,
                           conv_channels=None, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain.fit(X, y)
    assert "event_lr" not in plain.net_.history[-1]
    with pytest.raises(ValueError, match="learning_rate"):
        LSTMClassifier(learning_rate="adaptive").fit(X, y)


def test_ensemble_members_learn_from_their_own_loss_and_predict_their_mean_probability():
    from sklearn_seq.nn import SequenceNetwork

    torch.manual_seed(0)
    net = SequenceNetwork(2, 3, hidden_size=4, conv_channels=(4,), kernel_size=3,
                          conv_norm="mixed", pooling="max", n_estimators=3,
                          batch_kernel_size=7)
    # "mixed": the members alternate per-sequence normalisation with kernel_size
    # and batch normalisation with batch_kernel_size
    assert [type(m.conv.norms[0]).__name__ for m in net.members] == [
        "MaskedSequenceNorm1d", "MaskedBatchNorm1d", "MaskedSequenceNorm1d"]
    assert [m.conv.convs[0].kernel_size for m in net.members] == [(3,), (7,), (3,)]
    # without it (files saved before it existed), all members have kernel_size
    same = SequenceNetwork(2, 3, hidden_size=4, conv_channels=(4,), kernel_size=3,
                           conv_norm="mixed", n_estimators=2)
    assert [m.conv.convs[0].kernel_size for m in same.members] == [(3,), (3,)]
    x, lengths = torch.randn(5, 7, 2), torch.tensor([7, 3, 5, 7, 1])
    logits = net(x, lengths)  # training: every member's logits
    assert logits.shape == (5, 3, 3)
    target = torch.tensor([0, 2, 1, 1, 0])
    # the mean of the members' losses: a member's gradient is its own loss's (over
    # the number of members)
    loss = torch.nn.functional.cross_entropy(
        logits, target.unsqueeze(-1).expand(5, 3))
    members = [torch.nn.functional.cross_entropy(logits[..., i], target) for i in range(3)]
    torch.testing.assert_close(loss, sum(members) / 3)
    grads = torch.autograd.grad(loss, list(net.members[1].parameters()), allow_unused=True,
                                retain_graph=True)
    alone = torch.autograd.grad(members[1] / 3, list(net.members[1].parameters()),
                                allow_unused=True)
    for g, a in zip(grads, alone):
        assert (g is None and a is None) or torch.allclose(g, a)
    net.eval()
    with torch.no_grad():
        probas = torch.stack([m(x, lengths).softmax(dim=1) for m in net.members]).mean(0)
        torch.testing.assert_close(net(x, lengths).softmax(dim=1), probas)
        torch.testing.assert_close(net(x, lengths).exp(), probas)
    # attention weights: the mean of the members' (still summing to 1 over the real
    # steps, zero on padding)
    net = SequenceNetwork(2, 3, hidden_size=4, pooling="attention", n_estimators=2,
                          input_mean=[1.0, -1.0], input_scale=[2.0, 0.5]).eval()
    with torch.no_grad():
        weights = net.attention(x, lengths)
        standardised = (x - net.input_mean) / net.input_scale
        members = [m.attention(standardised, lengths) for m in net.members]
    torch.testing.assert_close(weights, (members[0] + members[1]) / 2)
    torch.testing.assert_close(weights.sum(dim=1), torch.ones(5))
    assert weights[1, 3:].abs().sum() == 0


def test_n_estimators_auto_averages_four_networks_on_small_sets_of_long_series(tmp_path):
    from sklearn_seq import load
    from sklearn_seq.recurrent import AUTO_CONV_MIN_LENGTH, AUTO_N_ESTIMATORS, AUTO_WIDE_MAX_STEPS

    rng = np.random.RandomState(0)
    y = np.arange(20) % 2
    long_ = rng.randn(20, AUTO_CONV_MIN_LENGTH, 1).astype(np.float32)
    kw = dict(hidden_size=4, max_iter=2, random_state=0)
    clf = LSTMClassifier(**kw).fit(long_, y)
    assert AUTO_N_ESTIMATORS == 4
    assert (clf.n_estimators_, clf.conv_norm_) == (4, "mixed")
    assert len(clf.net_.module_.members) == 4
    # the batch-normalised members' kernels are 2 k + 1 steps wide
    assert [[c.kernel_size[0] for c in m.conv.convs] for m in clf.net_.module_.members] == [
        [7, 5, 3], [15, 11, 7]] * 2
    # the probabilities are the mean of the members' (the module's eval output is
    # the logarithm of that mean)
    module = clf.net_.module_.eval()
    x = torch.as_tensor(long_)
    # the members read the standardised steps
    x = (x - module.input_mean) / module.input_scale
    with torch.no_grad():
        mean = torch.stack([m(x).softmax(dim=1) for m in module.members]).mean(0)
    np.testing.assert_allclose(clf.predict_proba(long_), mean.numpy(), rtol=1e-5, atol=1e-6)
    # in training the engine's loss is the mean of the members' own losses
    module.train()
    logits, target = module(torch.as_tensor(long_)), torch.as_tensor(y)
    module.eval()
    expected = np.mean([torch.nn.functional.cross_entropy(logits[..., i], target).item()
                        for i in range(4)])
    assert clf.net_.get_loss(logits, target).item() == pytest.approx(expected, rel=1e-5)
    # one network: short series, larger training sets, or n_estimators=1
    assert LSTMClassifier(**kw).fit(long_[:, : AUTO_CONV_MIN_LENGTH - 1], y).n_estimators_ == 1
    n_big = AUTO_WIDE_MAX_STEPS // AUTO_CONV_MIN_LENGTH + 1
    big = np.broadcast_to(np.float32(1), (n_big, AUTO_CONV_MIN_LENGTH, 1))
    assert LSTMClassifier(**kw).fit(big, np.arange(n_big) % 2).n_estimators_ == 1
    one = LSTMClassifier(n_estimators=1, **kw).fit(long_, y)
    assert (one.n_estimators_, one.conv_norm_) == (1, "layer")
    assert not hasattr(one.net_.module_, "members") or one.net_.module_.members is None
    # an explicit number and normalisation stay
    three = GRUClassifier(n_estimators=3, conv_norm="batch", **kw).fit(long_, y)
    assert (three.n_estimators_, three.conv_norm_) == (3, "batch")
    # it costs what its networks cost alone together (max_iter="auto" prices it)
    wide = LSTMClassifier(n_estimators=1, conv_norm="batch", kernel_size=(15, 11, 7),
                          **kw).fit(long_, y)
    price = [e._epoch_macs(e._validate_X(long_, reset=False)) for e in (clf, one, wide)]
    assert price[0] == pytest.approx(2 * price[1] + 2 * price[2], rel=0.01)
    # warm starts keep it; it cannot change between them
    clf.set_params(warm_start=True).fit(long_, y)
    assert clf.n_estimators_ == 4
    with pytest.raises(ValueError, match="n_estimators cannot change between warm-started"):
        clf.set_params(n_estimators=2).fit(long_, y)
    # the safe file keeps the ensemble
    clf.set_params(n_estimators="auto").save(tmp_path / "m.skseq")
    loaded = load(tmp_path / "m.skseq")
    assert loaded.n_estimators_ == 4
    np.testing.assert_allclose(loaded.predict_proba(long_), clf.predict_proba(long_))
    with pytest.raises(NotFittedError):
        LSTMClassifier().n_estimators_
    with pytest.raises(ValueError, match="n_estimators"):
        LSTMClassifier(n_estimators=0).fit(long_, y)


def test_ensemble_members_get_the_gradient_they_would_get_alone():
    # the loss's weight penalty and the gradient clipping act on each member as on
    # a network trained alone (its gradient over the number of members, which
    # Adam's steps do not see)
    from sklearn_seq._engine.callbacks import MemberGradientClipping

    rng = np.random.RandomState(0)
    X = rng.randn(12, 20, 1).astype(np.float32)
    y = np.arange(12) % 3
    clf = LSTMClassifier(n_estimators=3, hidden_size=4, conv_channels=(4,), kernel_size=3,
                         conv_norm="layer", alpha=0.5, max_grad_norm=0.01, max_iter=1,
                         random_state=0).fit(X, y)
    net, module = clf.net_, clf.net_.module_.train()
    x, target = torch.as_tensor(X), torch.as_tensor(y)
    module.zero_grad()
    net.get_loss(module(x), target, training=True).backward()
    MemberGradientClipping(0.01).on_grad_computed(net, named_parameters=module.named_parameters())
    member = module.members[1]
    together = [p.grad.clone() for p in member.parameters()]
    member.zero_grad()
    alone = torch.nn.functional.cross_entropy(
        member((x - module.input_mean) / module.input_scale), target)
    alone = alone + 0.5 * 0.5 * sum(p.square().sum() for p in member.parameters()
                                    if p.dim() > 1) / len(X)
    alone.backward()
    norm = torch.nn.utils.clip_grad_norm_(member.parameters(), 0.01)
    assert norm > 0.01  # the clipping acted
    for g, p in zip(together, member.parameters()):
        torch.testing.assert_close(g, p.grad / 3)


def test_ensemble_integer_sample_weights_equal_repeated_sequences():
    rng = np.random.RandomState(0)
    X = rng.randn(10, 8, 2).astype(np.float32)
    y = np.arange(10) % 2
    w = np.array([2, 1, 1, 3, 1, 1, 2, 1, 1, 1])
    kw = dict(n_estimators=2, hidden_size=4, conv_channels=(4,), kernel_size=3,
              conv_norm="layer", max_iter=5, random_state=0)
    weighted = LSTMClassifier(**kw).fit(X, y, sample_weight=w)
    repeated = LSTMClassifier(**kw).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X),
                               rtol=1e-4, atol=1e-5)
    # (the weights do change the fit)
    unweighted = LSTMClassifier(**kw).fit(X, y).predict_proba(X)
    assert np.abs(unweighted - weighted.predict_proba(X)).max() > 1e-3


def test_a_network_pickled_before_ensembles_existed_still_predicts():
    # joblib files of earlier versions hold SequenceNetworks without ``members``
    from sklearn_seq.nn import SequenceNetwork

    torch.manual_seed(0)
    net = SequenceNetwork(2, 3, hidden_size=4, conv_channels=(4,), kernel_size=3).eval()
    x = torch.randn(2, 5, 2)
    expected = net(x)
    del net.__dict__["members"]  # as pickled before n_estimators existed
    old = pickle.loads(pickle.dumps(net))
    with torch.no_grad():
        torch.testing.assert_close(old(x), expected)
    assert old.members is None
