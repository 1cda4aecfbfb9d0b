"""Model files: the safe format round-trips, refuses hostile files, records versions."""

import json
import pathlib
import pickle
import re
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from safetensors import safe_open
from safetensors.torch import save_file
from sklearn.exceptions import InconsistentVersionWarning as SklearnVersionWarning
from sklearn.exceptions import NotFittedError
from skorch.exceptions import DeviceWarning

import sklearn_seq
from sklearn_seq import (
    BiRNNTextClassifier,
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
)
from sklearn_seq._persistence import (
    ALLOWED_ESTIMATORS,
    InconsistentVersionWarning,
    ModelFileError,
    load,
    save,
)
from sklearn_seq.anomaly import SequenceAnomalyDetector
from sklearn_seq.seq2seq import Seq2SeqRegressor, TextSeq2Seq
from sklearn_seq.forecasting import AttentionForecaster
from sklearn_seq.transformer import TransformerClassifier, TransformerRegressor
from sklearn_seq.tagging import (
    BiRNNTextTagger,
    GRUStepRegressor,
    GRUTagger,
    LSTMStepRegressor,
    LSTMTagger,
    TransformerStepRegressor,
    TransformerTagger,
)

SMALL = dict(hidden_size=4, max_iter=2, random_state=0)
rng = np.random.RandomState(0)
X3 = rng.randn(24, 5, 2).astype(np.float32)
X_RAGGED = [rng.randn(n, 2) for n in rng.randint(2, 7, size=24)]
Y_LABELS = np.array(["cat", "dog", "eel"])[np.arange(24) % 3]
Y_REG = rng.randn(24, 2)
DOCS = ["good film", "bad film", "great fun", "dull plot", "not good", "fun"] * 4
Y_DOCS = np.arange(24) % 2
Y_TAGS = [np.array(["B", "I", "O"])[np.arange(len(x)) % 3] for x in X_RAGGED]
Y_STEPS = rng.randn(24, 5)


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(X, y)


CASES = {
    "LSTMClassifier": (LSTMClassifier(**SMALL), X3, Y_LABELS),
    "GRUClassifier-ragged": (GRUClassifier(pooling="attention", **SMALL), X_RAGGED, Y_LABELS),
    "RNNClassifier-frame": (
        RNNClassifier(class_weight="balanced", **SMALL),
        pd.DataFrame(X3[:, :, 0], columns=[f"t{i}" for i in range(5)]),
        Y_LABELS,
    ),
    "LSTMRegressor-float64": (LSTMRegressor(dtype="float64", **SMALL), X3, Y_REG),
    "GRURegressor-early-stopping": (
        GRURegressor(early_stopping=True, validation_fraction=0.25, **SMALL),
        X3,
        Y_REG[:, 0],
    ),
    "RNNRegressor": (RNNRegressor(bidirectional=True, **SMALL), X3, Y_REG[:, 0]),
    "BiRNNTextClassifier-text": (
        BiRNNTextClassifier(embedding_dim=4, **SMALL),
        DOCS,
        Y_DOCS,
    ),
    "BiRNNTextClassifier-numeric": (BiRNNTextClassifier(**SMALL), X3, Y_DOCS),
    "AttentionForecaster-quantiles": (
        AttentionForecaster(quantiles=(0.1, 0.5, 0.9), **SMALL),
        X3,
        Y_REG,
    ),
    "SequenceAnomalyDetector": (SequenceAnomalyDetector(**SMALL), X3, None),
    "LSTMTagger-ragged": (LSTMTagger(class_weight="balanced", **SMALL), X_RAGGED, Y_TAGS),
    "GRUStepRegressor": (GRUStepRegressor(**SMALL), X3, Y_STEPS),
    "TransformerClassifier-ragged": (
        TransformerClassifier(nhead=2, pooling="attention", **SMALL), X_RAGGED, Y_LABELS
    ),
    "TransformerRegressor": (TransformerRegressor(nhead=2, **SMALL), X3, Y_REG),
    "GRUTagger": (GRUTagger(bidirectional=False, **SMALL), X3, Y_STEPS > 0),
    "BiRNNTextTagger": (
        BiRNNTextTagger(embedding_dim=4, min_df=1, **SMALL),
        [d.split() for d in DOCS],
        [["O", "B"] if len(d.split()) == 2 else ["B"] for d in DOCS],
    ),
    "LSTMStepRegressor-ragged": (
        LSTMStepRegressor(**SMALL), X_RAGGED, [x[:, 0] * 10 for x in X_RAGGED]
    ),
    "TextSeq2Seq-words": (
        TextSeq2Seq(analyzer="word", embedding_dim=4, beam_size=2, **SMALL),
        DOCS,
        [" ".join(reversed(d.split())) for d in DOCS],
    ),
    "Seq2SeqRegressor-ragged": (
        Seq2SeqRegressor(**SMALL), X_RAGGED, [x[:2] * 10 for x in X_RAGGED]
    ),
    "TransformerTagger-ragged": (TransformerTagger(nhead=2, **SMALL), X_RAGGED, Y_TAGS),
    "TransformerStepRegressor-causal": (
        TransformerStepRegressor(nhead=2, bidirectional=False, **SMALL), X3, Y_STEPS
    ),
    "BiRNNTextClassifier-transformer": (
        BiRNNTextClassifier(cell="transformer", nhead=2, embedding_dim=4, **SMALL),
        DOCS,
        Y_DOCS,
    ),
}


@pytest.fixture(scope="module")
def fitted():
    return {name: _fit(est, X, y) for name, (est, X, y) in CASES.items()}


def _outputs(est, X):
    """Every prediction method the estimator has, on ``X``."""
    out = {}
    for method in ("predict", "predict_proba", "predict_quantiles", "decision_function"):
        if hasattr(est, method):
            try:
                out[method] = getattr(est, method)(X)
            except ValueError:  # e.g. predict_quantiles without quantiles
                pass
    return out


def _assert_same_model(a, b, X):
    assert type(a) is type(b)
    assert repr(a.get_params()) == repr(b.get_params())
    assert vars(a).keys() == vars(b).keys()
    for key, value in vars(a).items():
        if key == "_label_encoder":
            np.testing.assert_array_equal(b._label_encoder.classes_, value.classes_)
        elif key != "net_":
            np.testing.assert_equal(getattr(b, key), value, err_msg=key)
    out_a, out_b = _outputs(a, X), _outputs(b, X)
    assert out_a.keys() == out_b.keys() and out_a
    for method in out_a:
        if isinstance(out_a[method], list):  # per-step outputs of ragged sequences
            for got, expected in zip(out_b[method], out_a[method], strict=True):
                np.testing.assert_array_equal(got, expected, err_msg=method)
        else:
            np.testing.assert_array_equal(out_a[method], out_b[method], err_msg=method)


def test_every_public_estimator_is_allowed():
    # The allow-list covers the exported networks (and what tests here save);
    # the numpy-only transformers hold no weights and pickle safely enough.
    from sklearn_seq.base import BaseRecurrent
    from sklearn_seq.utils.discovery import all_estimators

    public = {name for name, cls in all_estimators() if issubclass(cls, BaseRecurrent)}
    assert public <= set(ALLOWED_ESTIMATORS)
    # PanelForecaster's round trip (a file holding its network's file) is tested in
    # test_panel_forecasting.py, the transformers' in test_pipeline_persistence.py.
    transformers = {"ChannelsLast", "EventSequencer", "SequenceScaler", "SequenceWindower"}
    saved_here = set(ALLOWED_ESTIMATORS) - {"PanelForecaster"} - transformers
    assert {type(e).__name__ for e, _, _ in CASES.values()} == saved_here


@pytest.mark.parametrize("name", list(CASES))
def test_safe_format_round_trip_predicts_identically(name, fitted, tmp_path):
    est, X = fitted[name], CASES[name][1]
    path = tmp_path / "model.skseq"
    save(est, path)
    loaded = load(path)
    _assert_same_model(est, loaded, X)
    assert len(loaded.net_.history) == est.n_iter_


@pytest.mark.parametrize("name", ["LSTMClassifier", "GRURegressor-early-stopping",
                                  "AttentionForecaster-quantiles"])
def test_warm_start_after_load_continues_exactly(name, fitted, tmp_path):
    # The optimizer state travels with the weights: continuing the loaded model
    # equals continuing the original.
    est, X, y = CASES[name][0], CASES[name][1], CASES[name][2]
    path = tmp_path / "model.skseq"
    save(fitted[name], path)
    original = pickle.loads(pickle.dumps(fitted[name]))
    loaded = load(path)
    for model in (original, loaded):
        _fit(model.set_params(warm_start=True), X, y)
    assert loaded.n_iter_ == original.n_iter_ == 2 * est.max_iter
    np.testing.assert_array_equal(original.predict(X), loaded.predict(X))


def test_numpy_scalar_parameters_round_trip(tmp_path):
    # A class_weight built from np.unique's classes has numpy keys, and a grid built
    # with np.arange gives numpy integers: what save writes, load must read.
    y = np.arange(24) % 2
    weights = dict(zip(np.unique(y), np.array([0.5, 2.0])))
    est = _fit(LSTMClassifier(class_weight=weights, hidden_size=np.int64(4),
                              num_layers=np.int64(2), max_iter=2, random_state=0), X3, y)
    save(est, tmp_path / "m.skseq")
    loaded = load(tmp_path / "m.skseq")
    _assert_same_model(est, loaded, X3)
    assert loaded.class_weight == weights


def test_save_method_and_pickle_record_versions(fitted, tmp_path):
    est = fitted["LSTMClassifier"]
    assert est.save(tmp_path / "m.skseq") is est
    with safe_open(tmp_path / "m.skseq", framework="pt") as f:
        document = json.loads(f.metadata()["sklearn_seq"])
    assert set(document["versions"]) == {"sklearn_seq", "sklearn", "torch"}
    assert document["versions"]["torch"] == torch.__version__
    state = est.__getstate__()
    assert state["_sklearn_seq_versions"]["sklearn_seq"] == sklearn_seq.__version__
    # The record is popped on load, not left as an attribute.
    assert "_sklearn_seq_versions" not in vars(pickle.loads(pickle.dumps(est)))


def test_unfitted_estimator_cannot_be_saved(tmp_path):
    with pytest.raises(NotFittedError):
        save(LSTMClassifier(), tmp_path / "m.skseq")


def test_callable_parameter_refused_with_pickle_advice(tmp_path):
    est = _fit(BiRNNTextClassifier(tokenizer=str.split, embedding_dim=4, **SMALL), DOCS, Y_DOCS)
    with pytest.raises(TypeError, match="parameter 'tokenizer'.*pickle or joblib"):
        save(est, tmp_path / "m.skseq")


def test_subclass_refused(tmp_path):
    class Mine(LSTMClassifier):
        pass

    est = _fit(Mine(**SMALL), X3, Y_LABELS)
    with pytest.raises(TypeError, match="public sklearn_seq estimators"):
        save(est, tmp_path / "m.skseq")


# -- version checks --------------------------------------------------------------------


def test_other_library_version_warns_safe_format(fitted, tmp_path, monkeypatch):
    path = tmp_path / "m.skseq"
    save(fitted["LSTMClassifier"], path)
    monkeypatch.setattr(sklearn_seq._version, "__version__", "99.0")
    match = "saved with sklearn_seq .* under sklearn_seq 99.0"
    with pytest.warns(InconsistentVersionWarning, match=match) as rec:
        load(path)
    assert rec[0].message.original_version != "99.0"
    assert issubclass(InconsistentVersionWarning, SklearnVersionWarning)


@pytest.mark.parametrize("dumps,loads", [(pickle.dumps, pickle.loads), ("joblib", "joblib")])
def test_other_library_version_warns_pickle(dumps, loads, fitted, tmp_path, monkeypatch):
    est = fitted["GRURegressor-early-stopping"]
    if dumps == "joblib":
        joblib.dump(est, tmp_path / "m.joblib")
        monkeypatch.setattr(sklearn_seq._version, "__version__", "99.0")
        with pytest.warns(InconsistentVersionWarning, match="99.0"):
            joblib.load(tmp_path / "m.joblib")
        return
    data = dumps(est)
    loaded = loads(data)  # same version: no warning (warnings are errors here)
    np.testing.assert_array_equal(loaded.predict(X3), est.predict(X3))
    monkeypatch.setattr(sklearn_seq._version, "__version__", "99.0")
    with pytest.warns(InconsistentVersionWarning, match="99.0"):
        loads(data)


# -- models trained on a GPU load on a CPU -------------------------------------------


def test_cuda_model_loads_on_cpu_safe_format(fitted, tmp_path, monkeypatch):
    est = pickle.loads(pickle.dumps(fitted["LSTMClassifier"]))
    est.device_ = est.net_.device = "cuda:0"  # as if trained on a GPU
    save(est, tmp_path / "m.skseq")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(DeviceWarning, match="trained on 'cuda:0'.*loaded on the CPU"):
        loaded = load(tmp_path / "m.skseq")
    assert loaded.device_ == "cpu" and str(loaded.net_.device) == "cpu"
    np.testing.assert_array_equal(loaded.predict_proba(X3),
                                  fitted["LSTMClassifier"].predict_proba(X3))


def test_cuda_model_loads_on_cpu_pickle(fitted, monkeypatch):
    # Tag every storage as a CUDA one while pickling, as a GPU-trained model is:
    # without mapping to the CPU, loading such tensors fails on a CPU-only machine.
    est = pickle.loads(pickle.dumps(fitted["LSTMClassifier"]))
    est.device_ = est.net_.device = "cuda"
    registry = torch.serialization._package_registry
    entry = (-1, lambda obj: "cuda:0", lambda obj, location: None)
    registry.insert(0, entry)
    try:
        data = pickle.dumps(est)
    finally:
        registry.remove(entry)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(DeviceWarning, match="(?i)cuda"):
        loaded = pickle.loads(data)
    assert loaded.device_ == "cpu" and str(loaded.net_.device) == "cpu"
    np.testing.assert_array_equal(loaded.predict_proba(X3),
                                  fitted["LSTMClassifier"].predict_proba(X3))


# -- hostile and broken files ------------------------------------------------------------


class _Payload:
    """Unpickling this creates ``marker``: the code a hostile pickle would run."""

    def __init__(self, marker):
        self.marker = pathlib.Path(marker)

    def __reduce__(self):
        return (pathlib.Path.touch, (self.marker,))


def test_pickle_payload_renamed_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "model.skseq"
    path.write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(ModelFileError, match="not a sklearn_seq model file"):
        load(path)
    assert not marker.exists()
    joblib.dump(_Payload(marker), path)
    with pytest.raises(ModelFileError, match="not a sklearn_seq model file"):
        load(path)
    assert not marker.exists()
    # The payload is live: pickle itself would have run it.
    pickle.loads(pickle.dumps(_Payload(marker)))
    assert marker.exists()


@pytest.mark.parametrize(
    "content",
    [b"", b"hello", b"\x08\x00\x00\x00\x00\x00\x00\x00{}      ", json.dumps({"a": 1}).encode()],
    ids=["empty", "text", "tiny-header", "json"],
)
def test_non_model_files_raise_clear_error(content, tmp_path):
    path = tmp_path / "model.skseq"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match="not a sklearn_seq model file"):
        load(path)


def test_load_a_directory_says_to_pass_the_file(tmp_path):
    # It raised "No such device (os error 19)" from safetensors.
    match = r"is a directory; pass the file written by sklearn_seq\.save\(estimator, path\)"
    with pytest.raises(IsADirectoryError, match=re.escape(repr(str(tmp_path))) + " " + match):
        load(tmp_path)


def test_load_a_missing_file_names_the_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    match = re.escape(f"No such file: 'missing.skseq' (in the working directory {str(tmp_path)!r})")
    with pytest.raises(FileNotFoundError, match=match + r".*written by sklearn_seq\.save"):
        load("missing.skseq")
    path = tmp_path / "missing.skseq"
    with pytest.raises(FileNotFoundError, match=re.escape(f"No such file: {str(path)!r}.")):
        load(path)


PICKLE_ADVICE = (
    r"is a joblib/pickle file, not a sklearn_seq model file; load it with joblib\.load only "
    r"if you trust its source"
)


@pytest.mark.parametrize(
    "dump",
    [
        joblib.dump,
        *[lambda obj, path, p=p: path.write_bytes(pickle.dumps(obj, protocol=p))
          for p in range(2, pickle.HIGHEST_PROTOCOL + 1)],
    ],
    ids=["joblib", *[f"pickle-protocol-{p}" for p in range(2, pickle.HIGHEST_PROTOCOL + 1)]],
)
def test_load_a_joblib_or_pickle_file_says_what_it_is(dump, fitted, tmp_path):
    # It leaked safetensors' "header too large" before the advice.
    path = tmp_path / "model.joblib"
    dump(fitted["GRURegressor-early-stopping"], path)
    with pytest.raises(ModelFileError, match=re.escape(repr(str(path))) + " " + PICKLE_ADVICE):
        load(path)


@pytest.mark.parametrize("method", ["zlib", "gzip", "bz2", "xz", "lzma"])
def test_load_a_compressed_joblib_file_says_what_it_is(method, fitted, tmp_path):
    path = tmp_path / "model.joblib"
    joblib.dump(fitted["RNNRegressor"], path, compress=(method, 1))
    match = (
        rf"looks like a joblib/pickle file compressed with {method}, not a sklearn_seq model "
        r"file; load it with joblib\.load only if you trust its source"
    )
    with pytest.raises(ModelFileError, match=match):
        load(path)


@pytest.mark.parametrize("content", [b"hello world, some text", b"\xff" * 40])
def test_load_a_file_without_a_safetensors_header_says_so(content, tmp_path):
    path = tmp_path / "model.skseq"
    path.write_bytes(content)
    match = (
        r"not a sklearn_seq model file: it does not start with a safetensors header\. .*"
        r"sklearn_seq\.load reads the files written by sklearn_seq\.save"
    )
    with pytest.raises(ModelFileError, match=match) as info:
        load(path)
    assert "header too large" not in str(info.value)


def test_torch_save_file_is_refused(tmp_path, fitted):
    marker = tmp_path / "pwned"
    torch.save({"x": _Payload(marker)}, tmp_path / "m.pt")
    match = r"is a zip archive \(as torch\.save writes\), not a sklearn_seq model file"
    with pytest.raises(ModelFileError, match=match):
        load(tmp_path / "m.pt")
    assert not marker.exists()


def test_other_safetensors_file_is_refused(tmp_path):
    save_file({"w": torch.zeros(2)}, tmp_path / "weights.safetensors")
    with pytest.raises(ModelFileError, match="safetensors file but not a sklearn_seq model"):
        load(tmp_path / "weights.safetensors")


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.99])
def test_truncated_file_is_refused(fraction, fitted, tmp_path):
    path = tmp_path / "m.skseq"
    save(fitted["LSTMClassifier"], path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(ModelFileError, match="truncated or corrupt|not a sklearn_seq"):
        load(path)


def _tamper(path, edit_document=None, edit_tensors=None):
    with safe_open(path, framework="pt") as f:
        metadata = f.metadata()
        tensors = {k: f.get_tensor(k) for k in f.keys()}
    document = json.loads(metadata["sklearn_seq"])
    if edit_document:
        edit_document(document)
    if edit_tensors:
        edit_tensors(tensors)
    metadata["sklearn_seq"] = json.dumps(document)
    save_file(tensors, path, metadata=metadata)


def _set(*keys, value):
    def edit(document):
        target = document
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return edit


def _nest(depth):
    value = 1
    for _ in range(depth):
        value = [value]
    return value


HOSTILE_DOCUMENTS = {
    "extra top-level key": (_set("__reduce__", value="os.system"), "unexpected keys"),
    "class outside allow-list": (
        _set("estimator", value="sklearn.linear_model.LogisticRegression"),
        "not one of the sklearn_seq estimators",
    ),
    "builtin class name": (_set("estimator", value="eval"), "not one of the sklearn_seq"),
    "class name not a string": (_set("estimator", value=["os", "system"]), "not one of"),
    "unknown parameter": (_set("params", "callback", value="os.system"), "no parameter 'callback'"),
    "parameter wrong type": (_set("params", "hidden_size", value="4"), "hidden_size"),
    "parameter out of range": (_set("params", "hidden_size", value=-1), "hidden_size"),
    "unknown fitted attribute": (_set("fitted", "__class__", value="x"),
                                 "unknown fitted attribute"),
    "fitted attribute wrong type": (_set("fitted", "n_iter_", value="many"), "expected int"),
    "unknown tag": (
        _set("params", "random_state", value={"__reduce__": ["os.system", ["id"]]}),
        "unknown tag",
    ),
    "array of objects": (
        _set("fitted", "classes_",
             value={"__ndarray__": {"dtype": "object", "shape": [1], "data": [{"a": 1}]}}),
        "holds values of another type",
    ),
    "array dtype not allowed": (
        _set("fitted", "classes_",
             value={"__ndarray__": {"dtype": "V8", "shape": [1], "data": [1]}}),
        "not allowed",
    ),
    "array shape lies": (
        _set("fitted", "classes_",
             value={"__ndarray__": {"dtype": "int64", "shape": [1000000000], "data": [1]}}),
        "does not match its shape",
    ),
    "deep nesting": (_set("params", "random_state", value=_nest(100)), "nested too deeply"),
    "classes do not match the network": (
        _set("fitted", "classes_",
             value={"__ndarray__": {"dtype": "str", "shape": [2], "data": ["a", "b"]}}),
        "outputs",
    ),
    "unexpected network argument": (_set("module", "kwargs", "cls", value="os.system"),
                                    "unexpected network argument"),
    "other network": (_set("module", "name", value="TextNetwork"), "not the network"),
    "huge network": (_set("module", "kwargs", "hidden_size", value=10**12), "out of range"),
    "format version": (_set("format_version", value=99), "format_version"),
    "history record names": (_set("net", "history", value=[{"bad name": 1}]),
                             "unexpected record name"),
}


@pytest.mark.parametrize("case", list(HOSTILE_DOCUMENTS))
def test_tampered_description_is_refused(case, fitted, tmp_path):
    edit, match = HOSTILE_DOCUMENTS[case]
    path = tmp_path / "m.skseq"
    save(fitted["LSTMClassifier"], path)
    _tamper(path, edit_document=edit)
    with pytest.raises(ModelFileError, match=match):
        load(path)


def test_invalid_json_is_refused(fitted, tmp_path):
    path = tmp_path / "m.skseq"
    save(fitted["LSTMClassifier"], path)
    with safe_open(path, framework="pt") as f:
        metadata, tensors = f.metadata(), {k: f.get_tensor(k) for k in f.keys()}
    metadata["sklearn_seq"] = metadata["sklearn_seq"][:-10]
    save_file(tensors, path, metadata=metadata)
    with pytest.raises(ModelFileError, match="not valid JSON"):
        load(path)


def _replace(key, value):
    def edit(tensors):
        tensors[key] = value(tensors[key]) if callable(value) else value

    return edit


HOSTILE_TENSORS = {
    "wrong shape": (_replace("module.head.weight", lambda t: torch.zeros(7, 4)), "has shape"),
    "wrong dtype": (_replace("module.head.weight", lambda t: t.double()), "dtype"),
    "NaN weights": (_replace("module.head.bias", lambda t: t * float("nan")), "NaN or infinite"),
    "extra tensor": (_replace("module.extra", torch.zeros(1)), "unexpected"),
    "missing tensor": (lambda tensors: tensors.pop("module.head.bias"), "missing"),
    "optimizer moment wrong shape": (
        _replace("optimizer.0.exp_avg", lambda t: torch.zeros(3)),
        "optimizer",
    ),
    "stray tensor": (_replace("payload", torch.zeros(1)), "unexpected tensors"),
    "NaN optimizer moment": (
        _replace("optimizer.0.exp_avg_sq", lambda t: t * float("nan")),
        "optimizer: tensor 'optimizer.0.exp_avg_sq' holds NaN or infinite",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE_TENSORS))
def test_tampered_weights_are_refused(case, fitted, tmp_path):
    edit, match = HOSTILE_TENSORS[case]
    path = tmp_path / "m.skseq"
    save(fitted["LSTMClassifier"], path)
    _tamper(path, edit_tensors=edit)
    with pytest.raises(ModelFileError, match=match):
        load(path)


def test_failed_save_leaves_previous_file(fitted, tmp_path):
    path = tmp_path / "m.skseq"
    save(fitted["LSTMClassifier"], path)
    before = path.read_bytes()
    est = _fit(BiRNNTextClassifier(tokenizer=str.split, embedding_dim=4, **SMALL), DOCS, Y_DOCS)
    with pytest.raises(TypeError):
        save(est, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.skseq"]


# -- skops ---------------------------------------------------------------------------------


def test_skops_round_trip_with_trusted_types(fitted, tmp_path):
    sio = pytest.importorskip("skops.io")
    est = fitted["LSTMClassifier"]
    sio.dump(est, tmp_path / "m.skops")
    untrusted = sio.get_untrusted_types(file=tmp_path / "m.skops")
    # skops must be told to trust skorch's net, torch's optimizer and functools.partial.
    assert {"sklearn_seq._engine.net.BatchHistory", "sklearn_seq._engine.net.SequenceNet",
            "functools.partial"} <= set(untrusted)
    loaded = sio.load(tmp_path / "m.skops", trusted=untrusted)
    np.testing.assert_array_equal(loaded.predict_proba(X3), est.predict_proba(X3))


def test_skops_trusting_the_net_runs_embedded_pickles(fitted, tmp_path, monkeypatch):
    # Why skops is not the safe format for these models: skorch's net keeps its
    # module and optimizer as pickled bytes and unpickles them in __setstate__, so a
    # skops file whose (trusted) net carries a hostile pickle runs it on load.
    sio = pytest.importorskip("skops.io")
    from sklearn_seq._engine.net import SequenceNet

    marker = tmp_path / "pwned"
    getstate = SequenceNet.__getstate__

    def hostile_getstate(self):
        state = getstate(self)
        state["__cuda_dependent_attributes__"] = pickle.dumps(
            {"module_": _Payload(marker)}
        )
        return state

    est = fitted["LSTMClassifier"]
    monkeypatch.setattr(SequenceNet, "__getstate__", hostile_getstate)
    sio.dump(est, tmp_path / "m.skops")
    monkeypatch.undo()
    untrusted = sio.get_untrusted_types(file=tmp_path / "m.skops")
    assert "_Payload" not in " ".join(untrusted)  # skops cannot see inside the bytes
    sio.load(tmp_path / "m.skops", trusted=untrusted)
    assert marker.exists()


# -- files written by earlier versions ----------------------------------------------


@pytest.mark.parametrize("name, inputs", [
    ("lstm_classifier", "X"), ("attention_forecaster", "X"), ("birnn_text_classifier", "text"),
])
def test_files_written_before_the_engine_split_still_load(name, inputs):
    # Written by the library as it was before the training engine moved to
    # sklearn_seq/_engine and the defaults of issue #19 (commit a6ba730): the format
    # is unchanged (version 1), so they load and predict as they did.
    import json
    from pathlib import Path

    from sklearn_seq import load

    data = Path(__file__).parent / "data"
    expected = json.loads((data / "expected_v0.1.0.json").read_text())
    model = load(data / f"{name}_v0.1.0.skseq")
    if inputs == "text":
        out = model.predict_proba(expected["text_docs"])
    elif name == "lstm_classifier":
        out = model.predict_proba(np.asarray(expected["X"], dtype=np.float32))
    else:
        out = model.predict(np.asarray(expected["X"], dtype=np.float32))
    key = {"lstm_classifier": "lstm", "attention_forecaster": "forecaster",
           "birnn_text_classifier": "text"}[name]
    np.testing.assert_allclose(out, expected[key], rtol=1e-5, atol=1e-6)
    if name == "birnn_text_classifier":
        # parameters added since take the values of what the file holds, not the
        # new defaults: its network has no bag-of-words part
        assert model.bag_of_words is False and model.net_.module_.bag is None
        assert model.label_smoothing == 0.0
    if name == "lstm_classifier":
        # the network of its time: no front end, the last state; it trains on, at the
        # constant rate of its time
        assert (model.conv_channels_, model.pooling_) == ((), "last")
        assert (model.learning_rate, model.conv_norm, model.conv_branch) == (
            "constant", None, False)
        X = np.asarray(expected["X"] * 4, dtype=np.float32)
        model.set_params(warm_start=True, max_iter=2).fit(X, np.arange(12) % 2)
        assert model.n_iter_ == 5
