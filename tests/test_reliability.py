"""Faults during training: divergence, Ctrl-C, a killed process, out of memory.

The estimators are built as users build them; each test injects one fault by
monkeypatching one piece (the network's forward pass, the optimizer's step or a
torch layer), so the estimator's own mechanisms must handle it.
"""

import itertools
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from sklearn_seq import GRURegressor, LSTMClassifier, LSTMRegressor
from sklearn_seq._engine.callbacks import CHECKPOINT_NAME, NonFiniteLossError
from sklearn_seq._persistence import ModelFileError, load
from sklearn_seq.nn import SequenceNetwork

# A constant learning rate: an interrupted fit is compared with a shorter one.
SMALL = dict(hidden_size=4, max_iter=5, batch_size=10, learning_rate="constant",
             random_state=0)
rng = np.random.RandomState(0)
X = rng.randn(40, 5, 2).astype(np.float32)
Y_CLASS = np.arange(40) % 2
Y_REG = rng.randn(40)
BATCHES = 4  # training batches an epoch: 40 samples, batch_size=10


def _fit(est, y):
    with np.errstate(all="ignore"):
        return est.fit(X, y)


def _reference(cls, y, epochs, **params):
    """The same model trained for ``epochs`` epochs without incident."""
    return _fit(cls(**{**SMALL, **params, "max_iter": epochs}), y)


def nan_outputs_from_batch(monkeypatch, batch):
    """The network outputs NaN from its ``batch``-th training batch on (1-based)."""
    forward = SequenceNetwork.forward
    batches = itertools.count(1)

    def poisoned(self, *args, **kwargs):
        out = forward(self, *args, **kwargs)
        return out * float("nan") if self.training and next(batches) >= batch else out

    monkeypatch.setattr(SequenceNetwork, "forward", poisoned)


def at_optimizer_step(monkeypatch, n, fault):
    """``fault(optimizer, step)`` replaces the ``n``-th optimizer step (1-based)."""
    step = torch.optim.Adam.step
    steps = itertools.count(1)

    def patched(self, *args, **kwargs):
        if next(steps) == n:
            return fault(self, lambda: step(self, *args, **kwargs))
        return step(self, *args, **kwargs)

    patched.hooked = True  # torch would wrap an unhooked step in its profiling hook
    monkeypatch.setattr(torch.optim.Adam, "step", patched)


def ctrl_c(optimizer, step):
    raise KeyboardInterrupt


def step_to_infinite_weights(optimizer, step):
    step()
    with torch.no_grad():
        for group in optimizer.param_groups:
            for p in group["params"]:
                p.fill_(float("inf"))


def layer_raises(monkeypatch, layer, error):
    """The torch recurrent layer ``layer`` raises ``error`` when run."""

    def forward(self, *args, **kwargs):
        raise error

    monkeypatch.setattr(layer, "forward", forward)


# -- non-finite losses ------------------------------------------------------------------


@pytest.mark.parametrize("cls,y", [(LSTMClassifier, Y_CLASS), (LSTMRegressor, Y_REG)])
def test_exploding_learning_rate_raises_naming_the_epoch(cls, y):
    est = cls(**{**SMALL, "learning_rate_init": 1e30})
    with pytest.raises(NonFiniteLossError, match="diverged at epoch 1: the training loss is"):
        _fit(est, y)
    # No finite epoch ever finished: unfitted, never predicting from broken weights.
    with pytest.raises(NotFittedError):
        est.predict(X)


def test_non_finite_loss_restores_last_finite_epoch(monkeypatch):
    est = LSTMRegressor(**SMALL)
    with monkeypatch.context() as m:
        nan_outputs_from_batch(m, 2 * BATCHES + 1)  # the first batch of epoch 3
        with pytest.raises(NonFiniteLossError,
                           match="epoch 3: the training loss is nan.*weights of epoch 2 "
                                 "were restored"):
            _fit(est, Y_REG)
    reference = _reference(LSTMRegressor, Y_REG, epochs=2)
    assert est.n_iter_ == 2 and est.loss_curve_ == reference.loss_curve_
    np.testing.assert_array_equal(est.predict(X), reference.predict(X))


def test_non_finite_loss_under_early_stopping_keeps_best_weights(monkeypatch, tmp_path):
    est = GRURegressor(**{**SMALL, "early_stopping": True, "validation_fraction": 0.25})
    with monkeypatch.context() as m:
        nan_outputs_from_batch(m, 2 * 3 + 1)  # 30 training samples: 3 batches an epoch
        with pytest.warns(ConvergenceWarning,
                          match="Non-finite training at epoch 3.*best weights"):
            _fit(est, Y_REG)
    assert est.n_iter_ == 2 and len(est.validation_scores_) == 2
    assert np.isfinite(est.predict(X)).all()
    # The optimizer's state is the last finite epoch's: the model saves, loads and
    # trains on.
    state = est.net_.optimizer_.state_dict()["state"]
    assert all(torch.isfinite(v).all() for s in state.values() for v in s.values()
               if torch.is_tensor(v))
    est.save(tmp_path / "m.skseq")
    loaded = load(tmp_path / "m.skseq")
    _fit(loaded.set_params(warm_start=True), Y_REG)
    assert loaded.n_iter_ == 2 + SMALL["max_iter"]


def test_non_finite_weights_after_last_batch_are_caught(monkeypatch):
    # Every loss of epoch 2 is finite; its last step leaves infinite weights.
    at_optimizer_step(monkeypatch, 2 * BATCHES, step_to_infinite_weights)
    est = LSTMClassifier(**SMALL)
    with pytest.raises(NonFiniteLossError,
                       match="epoch 2: the weights are no longer finite.*weights of epoch 1"):
        _fit(est, Y_CLASS)
    assert est.n_iter_ == 1 and np.isfinite(est.predict_proba(X)).all()


# -- Ctrl-C --------------------------------------------------------------------------------


@pytest.mark.parametrize("batch", [1, 2], ids=["epoch-start", "mid-epoch"])
def test_keyboard_interrupt_keeps_last_finished_epoch(batch, monkeypatch):
    est = LSTMClassifier(**SMALL)
    with monkeypatch.context() as m:
        at_optimizer_step(m, 2 * BATCHES + batch, ctrl_c)  # in epoch 3
        with pytest.raises(KeyboardInterrupt, match="interrupted after 2 epochs"):
            _fit(est, Y_CLASS)
    reference = _reference(LSTMClassifier, Y_CLASS, epochs=2)
    assert est.n_iter_ == 2 and est.loss_curve_ == reference.loss_curve_
    np.testing.assert_array_equal(est.predict_proba(X), reference.predict_proba(X))
    # Still a working estimator: it can go on training.
    _fit(est.set_params(warm_start=True, max_iter=1), Y_CLASS)
    assert est.n_iter_ == 3


def test_keyboard_interrupt_in_first_epoch_leaves_estimator_unfitted(monkeypatch):
    at_optimizer_step(monkeypatch, 2, ctrl_c)
    est = LSTMRegressor(**SMALL)
    with pytest.raises(KeyboardInterrupt, match="before the first epoch finished"):
        _fit(est, Y_REG)
    with pytest.raises(NotFittedError):
        est.predict(X)


# -- out of memory -------------------------------------------------------------------------

OUT_OF_MEMORY = [
    torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB"),
    RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate 1e12 bytes"),
]


@pytest.mark.parametrize("error", OUT_OF_MEMORY, ids=["cuda", "cpu"])
def test_out_of_memory_in_fit_suggests_smaller_batch_size(error, monkeypatch):
    layer_raises(monkeypatch, torch.nn.LSTM, error)
    match = r"batch_size=10: set a smaller batch_size \(e.g. batch_size=2\)"
    with pytest.raises(type(error), match=match) as info:
        _fit(LSTMRegressor(**SMALL), Y_REG)
    assert info.value.__cause__ is error


@pytest.mark.parametrize("error", OUT_OF_MEMORY, ids=["cuda", "cpu"])
def test_out_of_memory_in_predict_suggests_chunks(error, monkeypatch):
    est = _fit(LSTMRegressor(**SMALL), Y_REG)
    layer_raises(monkeypatch, torch.nn.LSTM, error)
    with pytest.raises(type(error), match="Out of memory .*pass X in smaller chunks") as info:
        est.predict(X)
    assert info.value.__cause__ is error


def test_out_of_memory_in_attention_weights_suggests_chunks(monkeypatch):
    # An LSTM: on the CPU a GRU layer runs sklearn_seq.nn's own kernel, not
    # nn.GRU.forward, so patching that would inject nothing.
    est = _fit(LSTMClassifier(**SMALL, pooling="attention"), Y_CLASS)
    error = OUT_OF_MEMORY[0]
    layer_raises(monkeypatch, torch.nn.LSTM, error)
    with pytest.raises(type(error), match="Out of memory .*pass X in smaller chunks") as info:
        est.attention_weights(X)
    assert info.value.__cause__ is error


def test_other_runtime_errors_pass_unchanged(monkeypatch):
    error = RuntimeError("shape mismatch")
    layer_raises(monkeypatch, torch.nn.LSTM, error)
    with pytest.raises(RuntimeError) as info:
        _fit(LSTMRegressor(**SMALL), Y_REG)
    assert info.value is error


# -- checkpoints ---------------------------------------------------------------------------

_TRAIN_FOREVER = """
import sys
import numpy as np
from sklearn_seq import LSTMRegressor

rng = np.random.RandomState(0)
X, y = rng.randn(40, 5, 2).astype(np.float32), rng.randn(40)
est = LSTMRegressor(hidden_size=4, max_iter=100000, batch_size=10, random_state=0,
                    checkpoint_dir=sys.argv[1], checkpoint_every={every})
est.fit(X, y)
"""


def test_killed_training_resumes_from_checkpoint(tmp_path):
    every = 3
    script = textwrap.dedent(_TRAIN_FOREVER.format(every=every))
    proc = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    path = tmp_path / CHECKPOINT_NAME
    try:
        deadline = time.monotonic() + 60
        while not path.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        time.sleep(0.2)  # a few more checkpoints, written while we read
        training = proc.poll() is None
        # Atomic replacement: never a half-written file.
        saved = load(path) if path.exists() else None
    finally:
        proc.kill()
        _, err = proc.communicate()
    assert training and saved is not None, err.decode()
    est = load(path)
    # At most `every` epochs lost, and the file describes the epoch it holds.
    assert est.n_iter_ % every == 0 and est.n_iter_ >= saved.n_iter_ >= every
    assert len(est.loss_curve_) == len(est.net_.history) == est.n_iter_
    before = est.n_iter_
    _fit(est.set_params(warm_start=True, max_iter=2), Y_REG)
    assert est.n_iter_ == before + 2 and np.isfinite(est.predict(X)).all()


def test_checkpoint_every_k_epochs(tmp_path):
    est = LSTMRegressor(**SMALL, checkpoint_dir=tmp_path / "ckpt", checkpoint_every=2)
    _fit(est, Y_REG)  # 5 epochs: checkpoints after epochs 2 and 4
    saved = load(tmp_path / "ckpt" / CHECKPOINT_NAME)
    assert saved.n_iter_ == 4 and saved.loss_curve_ == est.loss_curve_[:4]
    reference = _reference(LSTMRegressor, Y_REG, epochs=4)
    np.testing.assert_allclose(saved.predict(X), reference.predict(X), rtol=1e-6)


def test_checkpoint_dir_set_with_set_params(tmp_path):
    # As a grid search or a user sets it: the net built at fit reads the parameter.
    est = LSTMRegressor(**SMALL).set_params(checkpoint_dir=str(tmp_path), checkpoint_every=5)
    _fit(est, Y_REG)
    assert load(tmp_path / CHECKPOINT_NAME).n_iter_ == 5


def test_half_written_checkpoint_is_refused(tmp_path):
    path = tmp_path / CHECKPOINT_NAME
    path.write_bytes(b"\x00" * 100)
    with pytest.raises(ModelFileError):
        load(path)


def test_huge_targets_predict_finite_values():
    with np.errstate(all="ignore"):
        est = _fit(LSTMRegressor(**SMALL), Y_REG * 1e160)
        pred = est.predict(X)
    assert np.isfinite(pred).all()


def test_checkpoint_of_a_warm_started_fit_records_that_fit_as_the_fit_does(tmp_path):
    # The checkpoint after the last epoch holds what the finished fit holds: the best
    # validation score of this fit's own epochs, not of the earlier fit's.
    est = LSTMRegressor(**{**SMALL, "max_iter": 4}, early_stopping=True,
                        validation_fraction=0.25, n_iter_no_change=50, warm_start=True,
                        learning_rate_init=0.1)
    _fit(est, Y_REG)  # a high learning rate: the validation score moves a lot
    est.set_params(checkpoint_dir=tmp_path, checkpoint_every=1, learning_rate_init=1.0)
    _fit(est, Y_REG)
    saved = load(tmp_path / CHECKPOINT_NAME)
    assert saved.n_iter_ == est.n_iter_ == 8
    assert saved.best_validation_score_ == est.best_validation_score_
    assert est.best_validation_score_ == max(est.validation_scores_[4:])
