"""Faults during training: divergence, Ctrl-C, a killed process, out of memory."""

import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from skorch.callbacks import Callback

from sklearn_seq import GRURegressor, LSTMClassifier, LSTMRegressor, _net
from sklearn_seq._callbacks import (
    CHECKPOINT_NAME,
    NonFiniteLossError,
    reliability_callbacks,
    translate_out_of_memory,
)
from sklearn_seq._persistence import ModelFileError, load

SMALL = dict(hidden_size=4, max_iter=5, batch_size=10, random_state=0)
rng = np.random.RandomState(0)
X = rng.randn(40, 5, 2).astype(np.float32)
Y_CLASS = np.arange(40) % 2
Y_REG = rng.randn(40)


@pytest.fixture
def callbacks(monkeypatch):
    """Nets get the reliability callbacks, as ``build_net`` registers them, plus the
    test's own ``(name, callback)`` pairs appended to the returned list; training and
    prediction translate out-of-memory errors, as ``_net.train`` and ``forward`` do.
    (Both are no-ops once ``_net`` does it itself.)"""
    extra = []
    build = _net.build_net

    def build_net(**kwargs):
        net = build(**kwargs)
        names = {name for name, _ in net.callbacks}
        own = [c for c in reliability_callbacks(kwargs["est"]) if c[0] not in names]
        net.callbacks = [*net.callbacks, *own, *extra]
        return net

    monkeypatch.setattr(_net, "build_net", build_net)
    for name in ("train", "forward"):
        fn = getattr(_net, name)
        if not getattr(fn, "_translates_out_of_memory", False):
            monkeypatch.setattr(_net, name, translate_out_of_memory(fn))
    return extra


def _fit(est, y):
    with np.errstate(all="ignore"):
        return est.fit(X, y)


def _reference(cls, y, epochs, **params):
    """The same model trained for ``epochs`` epochs without incident."""
    return _fit(cls(**{**SMALL, **params, "max_iter": epochs}), y)


class PoisonWeights(Callback):
    """Fill the head's bias with NaN when epoch ``epoch`` begins."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_begin(self, net, **kwargs):
        if len(net.history) == self.epoch:
            with torch.no_grad():
                net.module_.head.bias.fill_(float("nan"))


class Interrupt(Callback):
    """Raise KeyboardInterrupt once, after batch ``batch`` of epoch ``epoch``
    (``batch=0``: at the epoch's end)."""

    def __init__(self, epoch, batch=0):
        self.epoch, self.batch = epoch, batch
        self.fired = False

    def _fire(self):
        self.fired = True
        raise KeyboardInterrupt

    def on_batch_end(self, net, training=False, **kwargs):
        if training and self.batch and not self.fired and len(net.history) == self.epoch:
            if len(net.history[-1]["batches"]) == self.batch:
                self._fire()

    def on_epoch_end(self, net, **kwargs):
        if not self.batch and not self.fired and len(net.history) == self.epoch:
            self._fire()


class Raise(Callback):
    """Raise ``error`` when the first training batch begins."""

    def __init__(self, error):
        self.error = error

    def on_batch_begin(self, net, training=False, **kwargs):
        if training:
            raise self.error


# -- non-finite losses ------------------------------------------------------------------


@pytest.mark.parametrize("cls,y", [(LSTMClassifier, Y_CLASS), (LSTMRegressor, Y_REG)])
def test_exploding_learning_rate_raises_naming_the_epoch(cls, y, callbacks):
    est = cls(**{**SMALL, "learning_rate_init": 1e30})
    with pytest.raises(NonFiniteLossError, match="diverged at epoch 1: the training loss is"):
        _fit(est, y)
    # No finite epoch ever finished: unfitted, never predicting from broken weights.
    with pytest.raises(NotFittedError):
        est.predict(X)


def test_non_finite_loss_restores_last_finite_epoch(callbacks):
    callbacks.append(("poison", PoisonWeights(epoch=3)))
    est = LSTMRegressor(**SMALL)
    with pytest.raises(NonFiniteLossError, match="epoch 3.*weights of epoch 2 were restored"):
        _fit(est, Y_REG)
    callbacks.clear()
    reference = _reference(LSTMRegressor, Y_REG, epochs=2)
    assert est.n_iter_ == 2 and est.loss_curve_ == reference.loss_curve_
    np.testing.assert_array_equal(est.predict(X), reference.predict(X))


def test_non_finite_loss_under_early_stopping_keeps_best_weights(callbacks, tmp_path):
    callbacks.append(("poison", PoisonWeights(epoch=3)))
    est = GRURegressor(**{**SMALL, "early_stopping": True, "validation_fraction": 0.25})
    with pytest.warns(ConvergenceWarning, match="Non-finite training at epoch 3.*best weights"):
        _fit(est, Y_REG)
    assert est.n_iter_ == 2 and len(est.validation_scores_) == 2
    assert np.isfinite(est.predict(X)).all()
    # The optimizer's state is the last finite epoch's: the model saves, loads and
    # trains on.
    state = est.net_.optimizer_.state_dict()["state"]
    assert all(torch.isfinite(v).all() for s in state.values() for v in s.values()
               if torch.is_tensor(v))
    callbacks.clear()
    est.save(tmp_path / "m.skseq")
    loaded = load(tmp_path / "m.skseq")
    _fit(loaded.set_params(warm_start=True), Y_REG)
    assert loaded.n_iter_ == 2 + SMALL["max_iter"]


def test_non_finite_weights_after_last_batch_are_caught(callbacks):
    class PoisonAfterStep(Callback):
        def on_batch_end(self, net, training=False, **kwargs):
            if training and len(net.history) == 2:
                with torch.no_grad():
                    net.module_.head.weight.fill_(float("inf"))

    callbacks.append(("poison", PoisonAfterStep()))
    est = LSTMClassifier(**SMALL)
    with pytest.raises(NonFiniteLossError, match="epoch 2"):
        _fit(est, Y_CLASS)
    assert est.n_iter_ == 1 and np.isfinite(est.predict_proba(X)).all()


# -- Ctrl-C --------------------------------------------------------------------------------


@pytest.mark.parametrize("batch", [0, 2], ids=["between-epochs", "mid-epoch"])
def test_keyboard_interrupt_keeps_last_finished_epoch(batch, callbacks):
    callbacks.append(("interrupt", Interrupt(epoch=3 if batch else 2, batch=batch)))
    est = LSTMClassifier(**SMALL)
    with pytest.raises(KeyboardInterrupt, match="after 2 epochs"):
        _fit(est, Y_CLASS)
    callbacks.clear()
    reference = _reference(LSTMClassifier, Y_CLASS, epochs=2)
    assert est.n_iter_ == 2 and est.loss_curve_ == reference.loss_curve_
    np.testing.assert_array_equal(est.predict_proba(X), reference.predict_proba(X))
    # Still a working estimator: it can go on training.
    _fit(est.set_params(warm_start=True, max_iter=1), Y_CLASS)
    assert est.n_iter_ == 3


def test_keyboard_interrupt_in_first_epoch_leaves_estimator_unfitted(callbacks):
    callbacks.append(("interrupt", Interrupt(epoch=1, batch=2)))
    est = LSTMRegressor(**SMALL)
    with pytest.raises(KeyboardInterrupt, match="before the first epoch finished"):
        _fit(est, Y_REG)
    with pytest.raises(NotFittedError):
        est.predict(X)


# -- out of memory -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB"),
     RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate 1e12 bytes")],
    ids=["cuda", "cpu"],
)
def test_out_of_memory_in_fit_suggests_smaller_batch_size(error, callbacks):
    callbacks.append(("oom", Raise(error)))
    match = r"batch_size=10: set a smaller batch_size \(e.g. batch_size=2\)"
    with pytest.raises(type(error), match=match) as info:
        _fit(LSTMRegressor(**SMALL), Y_REG)
    assert info.value.__cause__ is error


def test_out_of_memory_in_predict_suggests_chunks(callbacks, monkeypatch):
    est = _fit(LSTMRegressor(**SMALL), Y_REG)

    def forward(*args, **kwargs):
        raise torch.OutOfMemoryError("CUDA out of memory.")

    monkeypatch.setattr(est.net_.module_, "forward", forward)
    with pytest.raises(torch.OutOfMemoryError, match="pass X in smaller chunks"):
        est.predict(X)


def test_other_runtime_errors_pass_unchanged(callbacks):
    error = RuntimeError("shape mismatch")
    callbacks.append(("boom", Raise(error)))
    with pytest.raises(RuntimeError) as info:
        _fit(LSTMRegressor(**SMALL), Y_REG)
    assert info.value is error


# -- checkpoints ---------------------------------------------------------------------------

_TRAIN_FOREVER = """
import sys
import numpy as np
from sklearn_seq import LSTMRegressor, _net
from sklearn_seq._callbacks import reliability_callbacks

build = _net.build_net
def build_net(**kwargs):
    net = build(**kwargs)
    names = {{name for name, _ in net.callbacks}}
    net.callbacks = [*net.callbacks,
                     *[c for c in reliability_callbacks(kwargs["est"]) if c[0] not in names]]
    return net
_net.build_net = build_net

rng = np.random.RandomState(0)
X, y = rng.randn(40, 5, 2).astype(np.float32), rng.randn(40)
est = LSTMRegressor(hidden_size=4, max_iter=100000, batch_size=10, random_state=0)
if "checkpoint_dir" in est.get_params():
    est.set_params(checkpoint_dir=sys.argv[1], checkpoint_every={every})
else:  # until the estimators have the parameters
    est.checkpoint_dir, est.checkpoint_every = sys.argv[1], {every}
est.fit(X, y)
"""


def test_killed_training_resumes_from_checkpoint(tmp_path, callbacks):
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
        saved = load(path)  # atomic replacement: never a half-written file
    finally:
        proc.kill()
        _, err = proc.communicate()
    assert proc.returncode != 0, err.decode()
    est = load(path)
    # At most `every` epochs lost, and the file describes the epoch it holds.
    assert est.n_iter_ % every == 0 and est.n_iter_ >= saved.n_iter_ >= every
    assert len(est.loss_curve_) == len(est.net_.history) == est.n_iter_
    before = est.n_iter_
    _fit(est.set_params(warm_start=True, max_iter=2), Y_REG)
    assert est.n_iter_ == before + 2 and np.isfinite(est.predict(X)).all()


def test_checkpoint_every_k_epochs(tmp_path, callbacks):
    est = LSTMRegressor(**SMALL)
    est.checkpoint_dir, est.checkpoint_every = tmp_path / "ckpt", 2
    _fit(est, Y_REG)  # 5 epochs: checkpoints after epochs 2 and 4
    saved = load(tmp_path / "ckpt" / CHECKPOINT_NAME)
    assert saved.n_iter_ == 4 and saved.loss_curve_ == est.loss_curve_[:4]
    callbacks.clear()
    reference = _reference(LSTMRegressor, Y_REG, epochs=4)
    np.testing.assert_allclose(saved.predict(X), reference.predict(X), rtol=1e-6)


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
