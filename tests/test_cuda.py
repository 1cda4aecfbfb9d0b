"""Every estimator trained and used on a CUDA GPU.

For each estimator that takes ``device``: the GPU fit is the CPU's model
(float64, no dropout, the same seed: the same outputs), its networks live on the
GPU, a ragged batch gives each sequence what it gives alone (cuDNN's packed
sequences), and a GPU model pickles, saves and loads (on the GPU, on the CPU
when asked, and on a machine without a GPU), exports to ONNX and is explained
by ``sequence_attributions``.

On a machine without CUDA (like CI) the CPU stands in for the GPU, which keeps the
tests themselves checked there (the two about finding the GPU expect the CPU);
``SKLEARN_SEQ_TEST_DEVICE`` names another device (``cuda:1``, or ``cpu`` on a
machine with a GPU).
"""

import os
import pickle
import subprocess
import sys
import warnings

import joblib
import numpy as np
import onnxruntime as ort
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

import sklearn_seq
from sklearn_seq import (
    AttentionForecaster,
    BiRNNTextClassifier,
    BiRNNTextTagger,
    GRUClassifier,
    GRURegressor,
    GRUStepRegressor,
    GRUTagger,
    LSTMClassifier,
    LSTMRegressor,
    LSTMStepRegressor,
    LSTMTagger,
    PanelForecaster,
    RNNClassifier,
    RNNRegressor,
    Seq2SeqRegressor,
    SequenceAnomalyDetector,
    TextSeq2Seq,
    TransformerClassifier,
    TransformerRegressor,
    TransformerStepRegressor,
    TransformerTagger,
    load,
    save,
    to_onnx,
)
from sklearn_seq.datasets import (
    make_contract_entities,
    make_date_normalization,
    make_negation_sentiment,
    make_store_demand,
)
from sklearn_seq.inspection import sequence_attributions
from sklearn_seq.utils.discovery import all_estimators

DEVICE = os.environ.get("SKLEARN_SEQ_TEST_DEVICE",
                        "cuda" if torch.cuda.is_available() else "cpu")
ON_GPU = DEVICE.startswith("cuda")

METHODS = ("predict", "predict_proba", "decision_function", "score_samples",
           "predict_quantiles", "score_steps")
SMALL = dict(hidden_size=8, max_iter=3, random_state=0)


def _ragged(n=24, n_features=2, seed=0, low=3, high=13):
    rng = np.random.RandomState(seed)
    return [rng.randn(t, n_features).astype(np.float32) for t in rng.randint(low, high, n)]


RAGGED = _ragged()
LABELS = np.array(["up" if x[:, 0].sum() > 0 else "down" for x in RAGGED])
TARGET = np.array([3 * x[:, 1].mean() + 1 for x in RAGGED])
STEP_TAGS = [(x[:, 0] > 0).astype(int) + (x[:, 1] > 1).astype(int) for x in RAGGED]
STEP_SUMS = [np.cumsum(x[:, 0]) for x in RAGGED]
REVERSED = [x[::-1, :1][:3] for x in RAGGED]
WINDOWS = np.random.RandomState(1).randn(24, 6, 2).astype(np.float32)
NEXT = WINDOWS[:, :, 0].sum(axis=1) + 0.1
TEXTS, SENTIMENT = make_negation_sentiment(24, return_X_y=True, random_state=0)
WORDS, WORD_TAGS, _ = make_contract_entities(16, random_state=0)
SOURCES, TARGETS, _ = make_date_normalization(16, random_state=0)


PANEL = make_store_demand(n_stores=4, n_days=30, random_state=0)

# name: (estimator, X, y); the recurrent ones with their special layers (bidirectional,
# the convolutional front end with batch normalisation, attention pooling).
CASES = {
    "LSTMClassifier": (LSTMClassifier(**SMALL, bidirectional=True, pooling="mean"),
                       RAGGED, LABELS),
    "GRUClassifier": (GRUClassifier(**SMALL, conv_channels=(4, 4), kernel_size=3,
                                    conv_norm="batch", conv_branch=True), RAGGED, LABELS),
    "RNNClassifier": (RNNClassifier(**SMALL, num_layers=2, pooling="attention"),
                      RAGGED, LABELS),
    "TransformerClassifier": (TransformerClassifier(**SMALL, nhead=2, num_layers=1),
                              RAGGED, LABELS),
    "LSTMRegressor": (LSTMRegressor(**SMALL), RAGGED, TARGET),
    "GRURegressor": (GRURegressor(**SMALL, bidirectional=True), RAGGED, TARGET),
    "RNNRegressor": (RNNRegressor(**SMALL), RAGGED, TARGET),
    "TransformerRegressor": (TransformerRegressor(**SMALL, nhead=2), RAGGED, TARGET),
    "AttentionForecaster": (AttentionForecaster(**SMALL, quantiles=(0.1, 0.5, 0.9)),
                            WINDOWS, NEXT),
    "SequenceAnomalyDetector": (SequenceAnomalyDetector(**SMALL), RAGGED, None),
    "BiRNNTextClassifier": (BiRNNTextClassifier(**SMALL), TEXTS, SENTIMENT),
    "LSTMTagger": (LSTMTagger(**SMALL), RAGGED, STEP_TAGS),
    "GRUTagger": (GRUTagger(**SMALL), RAGGED, STEP_TAGS),
    "TransformerTagger": (TransformerTagger(**SMALL), RAGGED, STEP_TAGS),
    "LSTMStepRegressor": (LSTMStepRegressor(**SMALL), RAGGED, STEP_SUMS),
    "GRUStepRegressor": (GRUStepRegressor(**SMALL), RAGGED, STEP_SUMS),
    "TransformerStepRegressor": (TransformerStepRegressor(**SMALL), RAGGED, STEP_SUMS),
    "Seq2SeqRegressor": (Seq2SeqRegressor(**SMALL), RAGGED, REVERSED),
    "BiRNNTextTagger": (BiRNNTextTagger(**SMALL), list(WORDS), list(WORD_TAGS)),
    "TextSeq2Seq": (TextSeq2Seq(**SMALL), list(SOURCES), list(TARGETS)),
    "PanelForecaster": (PanelForecaster(AttentionForecaster(hidden_size=4, max_iter=3),
                                        horizon=2, window=4, id_col="store",
                                        time_col="date", target="sales", season_length=7,
                                        level=(80,), random_state=0), PANEL, None),
}
NAMES = sorted(CASES)
# The ones the ONNX export covers.
ONNX = [n for n in NAMES if n not in ("PanelForecaster", "TransformerTagger",
                                      "TransformerStepRegressor")]
EXPLAINED = ["LSTMClassifier", "GRURegressor", "TransformerClassifier",
             "AttentionForecaster", "SequenceAnomalyDetector", "BiRNNTextClassifier"]


def _on(estimator, device, **params):
    """A clone of ``estimator`` on ``device`` (a PanelForecaster's network's)."""
    estimator = clone(estimator)
    if isinstance(estimator, PanelForecaster):
        inner = estimator.estimator.set_params(device=device, **params)
        return estimator.set_params(estimator=inner)
    return estimator.set_params(device=device, **params)


def _exact(estimator):
    """float64 and no dropout: the GPU and the CPU train the same model."""
    inner = estimator.estimator if isinstance(estimator, PanelForecaster) else estimator
    params = {"dtype": "float64"}
    if inner.get_params().get("dropout"):
        params["dropout"] = 0.0
    return params


def _fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # three epochs
        return estimator.fit(X) if y is None else estimator.fit(X, y)


def _outputs(estimator, X):
    """{method: its output on ``X``} for each method the estimator has (a
    forecast table without its id and time columns)."""
    out = {}
    for method in METHODS:
        if not hasattr(estimator, method):
            continue
        value = getattr(estimator, method)(X)
        if isinstance(value, pd.DataFrame):
            value = value.drop(columns=["store", "date"]).to_numpy()
        out[method] = value
    return out


def _flat(value):
    """An output as one float64 array, or as a list of strings (labels, tags, text)."""
    if isinstance(value, np.ndarray) and value.dtype != object:
        parts = [value]
    else:
        parts = [np.asarray(v) for v in value]
    if all(p.dtype.kind in "biuf" for p in parts):
        return np.concatenate([p.ravel().astype(np.float64) for p in parts])
    return [str(v) for p in parts for v in np.ravel(p)]


def _assert_same(a, b, atol):
    assert a.keys() == b.keys()
    for method in a:
        x, y = _flat(a[method]), _flat(b[method])
        if isinstance(x, list):
            assert x == y, method
        else:
            np.testing.assert_allclose(x, y, rtol=1e-4, atol=atol, err_msg=method)


def _networks(estimator):
    """The torch modules of a fitted estimator (a panel's through its estimator_)."""
    if isinstance(estimator, PanelForecaster):
        estimator = estimator.estimator_
    return [estimator.net_.module_]


def test_every_estimator_with_a_device_is_here():
    with_device = set()
    for name, cls in all_estimators():
        try:
            params = cls().get_params()
        except TypeError:  # a required argument: not a network of its own
            continue
        if "device" in params or name == "PanelForecaster":
            with_device.add(name)
    assert with_device == set(CASES)


@pytest.fixture(scope="module")
def fitted():
    """Each estimator fitted on the GPU, in float32 (the default)."""
    return {name: _fit(_on(est, DEVICE), X, y) for name, (est, X, y) in CASES.items()}


@pytest.fixture(scope="module")
def fitted64():
    """Each estimator fitted on the GPU in float64 without dropout: the CPU computes
    the same outputs from its weights (in float32, cuDNN's TF32 arithmetic and the
    CPU's differ in the fourth digit)."""
    return {name: _fit(_on(est, DEVICE, **_exact(est)), X, y)
            for name, (est, X, y) in CASES.items()}


@pytest.mark.parametrize("name", NAMES)
def test_gpu_fit_is_the_cpu_model(name, fitted64):
    estimator, X, y = CASES[name]
    cpu = _fit(_on(estimator, "cpu", **_exact(estimator)), X, y)
    gpu = fitted64[name]
    for module in _networks(gpu):
        assert {p.device.type for p in module.parameters()} == {torch.device(DEVICE).type}
    _assert_same(_outputs(gpu, X), _outputs(cpu, X), atol=1e-6)


@pytest.mark.parametrize("name", [n for n in NAMES if CASES[n][1] is RAGGED])
def test_gpu_batch_gives_each_sequence_its_own_output(name, fitted):
    estimator = fitted[name]
    batch = _outputs(estimator, RAGGED[:8])
    alone = [_outputs(estimator, [x]) for x in RAGGED[:8]]
    for method, value in batch.items():
        together = _flat(value)
        one_by_one = _flat([v for a in alone for v in a[method]])
        if isinstance(together, list):
            assert together == one_by_one, method
        else:
            # cuDNN picks its algorithm by the batch's shape: float32 rounding
            np.testing.assert_allclose(together, one_by_one, rtol=1e-3, atol=1e-4,
                                       err_msg=method)


@pytest.mark.parametrize("name", NAMES)
def test_gpu_model_pickles_saves_and_loads_on_the_gpu_and_the_cpu(name, fitted, fitted64,
                                                                  tmp_path):
    X = CASES[name][1]
    estimator = fitted[name]
    expected = _outputs(estimator, X)
    # On the GPU: the same model (and no warning that cuDNN's weights are scattered).
    _assert_same(_outputs(pickle.loads(pickle.dumps(estimator)), X), expected, atol=1e-6)
    save(estimator, tmp_path / "model.skseq")
    _assert_same(_outputs(load(tmp_path / "model.skseq"), X), expected, atol=1e-6)
    # On the CPU when asked.
    estimator = fitted64[name]
    expected = _outputs(estimator, X)
    save(estimator, tmp_path / "model64.skseq")
    on_cpu = load(tmp_path / "model64.skseq", device="cpu")
    for module in _networks(on_cpu):
        assert {p.device.type for p in module.parameters()} == {"cpu"}
    _assert_same(_outputs(on_cpu, X), expected, atol=1e-6)


def test_gpu_models_load_where_there_is_no_gpu(fitted64, tmp_path):
    """Every GPU model, saved in the safe format and with joblib, loaded by a process
    that sees no GPU: on the CPU, the same outputs (and the safe format says so)."""
    expected = {}
    for name, estimator in fitted64.items():
        save(estimator, tmp_path / f"{name}.skseq")
        joblib.dump(estimator, tmp_path / f"{name}.joblib")
        expected[name] = _outputs(estimator, CASES[name][1])
    script = (
        "import pickle, sys, warnings\n"
        "sys.path.insert(0, sys.argv[2])\n"
        "import joblib, torch\n"
        "assert not torch.cuda.is_available()\n"
        "import test_cuda as t\n"
        "from sklearn_seq import load\n"
        "out = {}\n"
        "for name in t.NAMES:\n"
        "    for kind, read in (('skseq', load), ('joblib', joblib.load)):\n"
        "        with warnings.catch_warnings(record=True) as caught:\n"
        "            warnings.simplefilter('always')\n"
        "            model = read(f'{sys.argv[1]}/{name}.{kind}')\n"
        "        out[name, kind] = (t._outputs(model, t.CASES[name][1]),\n"
        "                           [str(w.message) for w in caught],\n"
        "                           [str(p.device) for m in t._networks(model)\n"
        "                            for p in m.parameters()][:1])\n"
        "with open(f'{sys.argv[1]}/out.pkl', 'wb') as f:\n"
        "    pickle.dump(out, f)\n"
    )
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="", SKLEARN_SEQ_TEST_DEVICE="cpu")
    subprocess.run([sys.executable, "-c", script, str(tmp_path),
                    os.path.dirname(__file__)], check=True, env=env)
    with open(tmp_path / "out.pkl", "rb") as f:
        loaded = pickle.load(f)
    for name in NAMES:
        for kind in ("skseq", "joblib"):
            outputs, messages, devices = loaded[name, kind]
            _assert_same(outputs, expected[name], atol=1e-6)
            assert devices == ["cpu"], (name, kind)
            if ON_GPU and kind == "skseq":
                assert any("not available here; it is loaded on the CPU" in m
                           for m in messages), (name, messages)


@pytest.mark.parametrize("name", ONNX)
def test_gpu_model_exports_to_onnx(name, fitted):
    estimator, X = fitted[name], CASES[name][1]
    graph = ort.InferenceSession(to_onnx(estimator).SerializeToString(),
                                 providers=["CPUExecutionProvider"])
    assert graph.get_outputs()
    # The estimator is unchanged and still on the GPU.
    for module in _networks(estimator):
        assert {p.device.type for p in module.parameters()} == {torch.device(DEVICE).type}
    if name in ("LSTMRegressor", "TransformerClassifier", "SequenceAnomalyDetector"):
        lengths = np.array([len(x) for x in X], dtype=np.int64)
        x = np.zeros((len(X), lengths.max(), 2), dtype=np.float32)
        for i, s in enumerate(X):
            x[i, : len(s)] = s
        first = graph.run(None, {"x": x, "lengths": lengths})[0]
        method = {"LSTMRegressor": "predict", "TransformerClassifier": "predict_proba",
                  "SequenceAnomalyDetector": "score_samples"}[name]
        # onnxruntime on the CPU against cuDNN's TF32 arithmetic
        np.testing.assert_allclose(first, getattr(estimator, method)(X),
                                   rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("name", EXPLAINED)
def test_gpu_model_is_explained_as_on_the_cpu(name, fitted64, tmp_path):
    estimator, X = fitted64[name], CASES[name][1]
    save(estimator, tmp_path / "model.skseq")
    on_cpu = load(tmp_path / "model.skseq", device="cpu")
    X = X[:4]
    for method in ("integrated_gradients", "occlusion"):
        gpu = sequence_attributions(estimator, X, method=method, n_steps=8)
        cpu = sequence_attributions(on_cpu, X, method=method, n_steps=8)
        for a, b in zip(gpu.attributions, cpu.attributions):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-8, err_msg=method)


def test_auto_device_takes_the_gpu_where_there_is_one():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    est = _fit(LSTMRegressor(**SMALL, device="auto"), RAGGED, TARGET)
    assert est.device_ == expected
    assert next(est.net_.module_.parameters()).device.type == expected


def test_gpu_forecaster_forecasts_every_series_from_its_end(fitted):
    forecasts = fitted["PanelForecaster"].predict(PANEL)
    assert list(forecasts["store"].unique()) == ["S01", "S02", "S03", "S04"]
    assert (forecasts.groupby("store")["date"].min() == pd.Timestamp("2025-01-01")).all()
    assert np.isfinite(forecasts.drop(columns=["store", "date"]).to_numpy()).all()


def test_show_versions_names_the_gpus(capsys):
    sklearn_seq.show_versions()
    out = capsys.readouterr().out
    lines = {k.strip(): v.strip() for k, _, v in
             (line.partition(":") for line in out.splitlines() if ":" in line)}
    names = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    assert lines["CUDA available"] == str(torch.cuda.is_available())
    assert lines["GPUs"] == (", ".join(names) if torch.cuda.is_available() else "None")


@pytest.mark.parametrize("options", [
    dict(early_stopping=True, validation_fraction=0.25, n_iter_no_change=2),
    dict(class_weight="balanced"),
    dict(scoring="accuracy", early_stopping=True, validation_fraction=0.25),
], ids=["early_stopping", "class_weight", "scoring"])
def test_gpu_training_options_train_the_cpu_model(options):
    params = dict(SMALL, dtype="float64", **options)
    weights = np.linspace(0.5, 2.0, len(RAGGED))
    models = []
    for device in ("cpu", DEVICE):
        est = GRUClassifier(device=device, **params)
        models.append(_fit(est, RAGGED, LABELS) if "class_weight" not in options
                      else est.fit(RAGGED, LABELS, sample_weight=weights))
    cpu, gpu = models
    assert cpu.n_iter_ == gpu.n_iter_
    np.testing.assert_allclose(gpu.predict_proba(RAGGED), cpu.predict_proba(RAGGED),
                               atol=1e-6)


def test_gpu_partial_fit_and_warm_start_continue_as_on_the_cpu():
    params = dict(SMALL, dtype="float64")
    outputs = []
    for device in ("cpu", DEVICE):
        est = LSTMRegressor(device=device, **params)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.partial_fit(RAGGED, TARGET).partial_fit(RAGGED, TARGET)
            warm = LSTMRegressor(device=device, warm_start=True, **params)
            warm.fit(RAGGED, TARGET).fit(RAGGED, TARGET)
        outputs.append((est.predict(RAGGED), warm.predict(RAGGED)))
    for a, b in zip(*outputs):
        np.testing.assert_allclose(b, a, atol=1e-6)


@pytest.mark.parametrize("name", ["LSTMClassifier", "AttentionForecaster",
                                  "BiRNNTextClassifier", "PanelForecaster"])
def test_cpu_model_loads_onto_the_gpu(name, tmp_path):
    estimator, X, y = CASES[name]
    cpu = _fit(_on(estimator, "cpu", **_exact(estimator)), X, y)
    save(cpu, tmp_path / "model.skseq")
    gpu = load(tmp_path / "model.skseq", device=DEVICE)
    for module in _networks(gpu):
        assert {p.device.type for p in module.parameters()} == {torch.device(DEVICE).type}
    _assert_same(_outputs(gpu, X), _outputs(cpu, X), atol=1e-6)
