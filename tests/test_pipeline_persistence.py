"""Pipelines in the safe format: round trips, the skops parts' trust list, hostile files."""

import json
import os
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from safetensors import safe_open
from safetensors.torch import save_file
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.exceptions import InconsistentVersionWarning as SklearnVersionWarning
from sklearn.impute import SimpleImputer
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from sklearn_seq import (
    ChannelsLast,
    EventSequencer,
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    ModelFileError,
    SequenceScaler,
    SequenceWindower,
    load,
    save,
)

SMALL = dict(hidden_size=4, max_iter=2, random_state=0)
rng = np.random.RandomState(0)
X3 = rng.randn(24, 5, 2).astype(np.float32)
Y_LABELS = np.array(["a", "b", "c"])[np.arange(24) % 3]
TABLE = pd.DataFrame({"load": rng.rand(30) * 10, "price": rng.rand(30) * 100,
                      "shop": np.array(["n", "s"])[np.arange(30) % 2]})
Y_TABLE = rng.randn(30)
EVENTS = pd.DataFrame({"id": np.repeat(np.arange(12), 2), "t": np.tile([0, 1], 12),
                       "kind": np.array(["buy", "view", "view"])[np.arange(24) % 3]})


def _fit(est, X, y=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(X, y)


def _round_trip(model, tmp_path, **kwargs):
    path = tmp_path / "model.skseq"
    save(model, path)
    return load(path, **kwargs)


def _table_pipeline():
    columns = ColumnTransformer([
        ("load", StandardScaler(), ["load"]),
        ("price", FunctionTransformer(np.log1p, inverse_func=np.expm1), ["price"]),
        ("shop", OneHotEncoder(), ["shop"]),
    ])
    return make_pipeline(columns, SequenceWindower(window=4), LSTMRegressor(**SMALL))


PIPELINES = {
    "scaler-classifier": (
        lambda: make_pipeline(SequenceScaler(), LSTMClassifier(**SMALL)), X3, Y_LABELS,
        "predict_proba",
    ),
    "columns-windower-regressor": (_table_pipeline, TABLE, Y_TABLE, "predict"),
    "log1p-scaler-regressor": (
        lambda: make_pipeline(FunctionTransformer(np.log1p), StandardScaler(),
                              GRURegressor(**SMALL)),
        np.abs(X3[:, :, 0]), Y_TABLE[:24], "predict",
    ),
    "events-classifier": (
        lambda: make_pipeline(EventSequencer("id", "t"), GRUClassifier(**SMALL)),
        EVENTS, np.arange(12) % 2, "predict_proba",
    ),
    "channels-last": (
        lambda: make_pipeline(ChannelsLast(), LSTMClassifier(**SMALL)),
        X3.transpose(0, 2, 1), Y_LABELS, "predict_proba",
    ),
}


@pytest.mark.parametrize("name", list(PIPELINES))
def test_pipeline_round_trip_predicts_identically(name, tmp_path):
    make, X, y, method = PIPELINES[name]
    model = _fit(make(), X, y)
    loaded = _round_trip(model, tmp_path)
    assert type(loaded) is Pipeline
    assert [n for n, _ in loaded.steps] == [n for n, _ in model.steps]
    assert repr(loaded) == repr(model)
    np.testing.assert_array_equal(getattr(loaded, method)(X), getattr(model, method)(X))


def test_nested_containers_round_trip(tmp_path):
    # A ColumnTransformer holding a Pipeline and a FeatureUnion, a remainder
    # estimator and pandas output: every container's fitted state comes back.
    table = TABLE.assign(price=TABLE["price"].where(np.arange(30) % 7 > 0))
    union = FeatureUnion([("scaled", StandardScaler()), ("log", FunctionTransformer(np.log1p))])
    columns = ColumnTransformer(
        [("price", make_pipeline(SimpleImputer(), union), ["price"]),
         ("shop", OneHotEncoder(sparse_output=False), ["shop"])],
        remainder=StandardScaler(), verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    model = _fit(columns, table)
    loaded = _round_trip(model, tmp_path)
    pd.testing.assert_frame_equal(loaded.transform(table), model.transform(table))
    assert loaded.output_indices_ == model.output_indices_
    assert list(loaded.get_feature_names_out()) == list(model.get_feature_names_out())


@pytest.mark.parametrize("make, X", [
    (lambda: SequenceScaler().set_output(transform="pandas"),
     pd.DataFrame(X3[:, :, 0], columns=[f"t{i}" for i in range(5)])),
    (lambda: SequenceScaler(with_std=False), [x[: 2 + i % 3] for i, x in enumerate(X3)]),
    (lambda: SequenceWindower(window=3, padding="ragged"), TABLE[["load", "price"]]),
    (lambda: ChannelsLast(), X3),
    (lambda: EventSequencer("id", "t", time_delta="log", dtype="float64"), EVENTS),
], ids=["scaler-pandas", "scaler-ragged", "windower", "channels-last", "events"])
def test_every_transformer_round_trips(make, X, tmp_path):
    model = _fit(make(), X)
    loaded = _round_trip(model, tmp_path)
    assert repr(loaded) == repr(model)
    assert vars(loaded).keys() == vars(model).keys()
    for key, value in vars(model).items():
        np.testing.assert_equal(getattr(loaded, key), value, err_msg=key)
    expected, got = model.transform(X), loaded.transform(X)
    if isinstance(expected, pd.DataFrame):
        pd.testing.assert_frame_equal(got, expected)
    else:
        np.testing.assert_equal(got, expected)


def test_other_numpy_function_needs_trust(tmp_path):
    model = _fit(make_pipeline(FunctionTransformer(np.sin), GRURegressor(**SMALL)),
                 X3[:, :, 0], Y_TABLE[:24])
    path = tmp_path / "model.skseq"
    save(model, path)
    match = (r"not trusted by default \(sklearn\.preprocessing\._function_transformer\."
             r"FunctionTransformer: numpy\.sin\).*"
             r"sklearn_seq\.load\(path, trusted=\['numpy\.sin'\]\)")
    with pytest.raises(ModelFileError, match=match):
        load(path)
    loaded = load(path, trusted=["numpy.sin"])
    np.testing.assert_array_equal(loaded.predict(X3[:, :, 0]), model.predict(X3[:, :, 0]))
    with pytest.raises(TypeError, match="trusted must be a list of names"):
        load(path, trusted="numpy.sin")


# -- hostile files ----------------------------------------------------------------------

CANARY = '''
import pathlib
pathlib.Path({imported!r}).touch()  # importing this module is running its code


def mark(X):
    pathlib.Path({called!r}).touch()
    return X


class Payload:
    def __setstate__(self, state):
        pathlib.Path({called!r}).touch()
'''


@pytest.fixture
def canary(tmp_path, monkeypatch):
    """A module whose import, and whose function, each leave a file behind."""
    imported, called = tmp_path / "imported", tmp_path / "called"
    (tmp_path / "seq_canary.py").write_text(CANARY.format(imported=str(imported),
                                                          called=str(called)))
    monkeypatch.syspath_prepend(str(tmp_path))
    import seq_canary

    def forget():
        # as on a machine that receives the file: the module was never imported
        sys.modules.pop("seq_canary", None)
        imported.unlink(missing_ok=True)
        called.unlink(missing_ok=True)

    yield seq_canary, forget, imported, called
    sys.modules.pop("seq_canary", None)


def test_untrusted_function_is_refused_and_never_imported(canary, tmp_path):
    module, forget, imported, called = canary
    model = _fit(make_pipeline(FunctionTransformer(module.mark), LSTMClassifier(**SMALL)),
                 X3, Y_LABELS)
    path = tmp_path / "model.skseq"
    save(model, path)
    forget()
    with pytest.raises(ModelFileError, match=r"seq_canary\.mark.*trusted=\['seq_canary\.mark'\]"):
        load(path)
    assert "seq_canary" not in sys.modules
    assert not imported.exists() and not called.exists()
    # The canary is live: trusting it imports the module.
    loaded = load(path, trusted=["seq_canary.mark"])
    assert imported.exists()
    np.testing.assert_array_equal(loaded.predict_proba(X3), model.predict_proba(X3))


@pytest.mark.parametrize("func", [eval, os.system], ids=["eval", "system"])
def test_builtin_functions_are_refused(func, tmp_path):
    # fitted step by step: fitting the pipeline would call the function
    X = X3[:, :, 0]
    model = Pipeline([("f", FunctionTransformer(func).fit(X)), ("s", StandardScaler().fit(X))])
    name = f"{func.__module__}.{func.__name__}"
    with pytest.raises(ModelFileError, match=rf"trusted=\['{name}'\]"):
        _round_trip(model, tmp_path)


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


def _skops_tensor(obj):
    import skops.io as sio

    return torch.frombuffer(bytearray(sio.dumps(obj)), dtype=torch.uint8).clone()


@pytest.fixture(scope="module")
def table_model():
    return _fit(_table_pipeline(), TABLE, Y_TABLE)


def test_hostile_skops_part_is_refused_and_never_imported(canary, table_model, tmp_path):
    # The file's scikit-learn part replaced by a custom class whose loading runs code.
    module, forget, imported, called = canary
    payload = _skops_tensor(module.Payload())
    path = tmp_path / "model.skseq"
    save(table_model, path)
    forget()
    _tamper(path, edit_tensors=lambda t: t.update({"0.skops": payload}))
    with pytest.raises(ModelFileError, match=r"seq_canary\.Payload: seq_canary\.Payload"):
        load(path)
    assert "seq_canary" not in sys.modules
    assert not imported.exists() and not called.exists()


def _root(*keys, value):
    def edit(document):
        target = document["root"]
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return edit


def _step(index):
    return ("params", "steps", index, "__tuple__", 1, "__object__")


HOSTILE = {
    "container kind": (_root("kind", value="os.system"), "'os.system' is not one of the objects"),
    "our class name": (_root(*_step(2), "document", "estimator", value="eval"),
                       "not one of the sklearn_seq estimators"),
    "method shadowed": (_root("fitted", "predict", value="x"),
                        "unknown fitted attribute 'predict'"),
    "dunder attribute": (_root("fitted", "__class__", value="x"), "unknown fitted attribute"),
    "container parameter": (_root("params", "callback", value="os.system"),
                            "Pipeline has no parameter 'callback'"),
    "pipeline memory": (_root("params", "memory", value="/tmp"), "memory must be null"),
    "unknown tag": (_root("params", "verbose", value={"__reduce__": ["os.system", ["id"]]}),
                    "unknown tag"),
    "part id reused": (_root(*_step(2), "id", value=1), "invalid or repeated part id"),
    "zero scale": (_root(*_step(0), "params", "transformers", 0, "__tuple__", 1, "__object__",
                         value={"kind": "sklearn_seq", "id": 9, "document": {
                             "estimator": "SequenceScaler", "params": {}, "output": None,
                             "fitted": {"n_features_in_": 1, "n_features_per_step_": 1,
                                        "_fit_ndim": 3,
                                        "mean_": {"__ndarray__": {"dtype": "float64",
                                                                  "shape": [1], "data": [0]}},
                                        "scale_": {"__ndarray__": {"dtype": "float64",
                                                                   "shape": [1], "data": [0]}},
                                        }}}), "finite floats"),
    "format version": (lambda d: d.update(format_version=7), "format_version"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_tampered_pipeline_description_is_refused(case, table_model, tmp_path):
    edit, match = HOSTILE[case]
    path = tmp_path / "model.skseq"
    save(table_model, path)
    _tamper(path, edit_document=edit)
    with pytest.raises(ModelFileError, match=match):
        load(path)


HOSTILE_TENSORS = {
    "not a zip": ({"0.skops": torch.zeros(8, dtype=torch.uint8)}, "not a skops archive"),
    "stray part": ({"99.module.x": torch.zeros(1)}, r"unexpected tensors \['99\.module\.x'\]"),
    "odd skops name": ({"x.skops": torch.zeros(1, dtype=torch.uint8)}, "unexpected tensor"),
}


@pytest.mark.parametrize("case", list(HOSTILE_TENSORS))
def test_tampered_pipeline_tensors_are_refused(case, table_model, tmp_path):
    extra, match = HOSTILE_TENSORS[case]
    path = tmp_path / "model.skseq"
    save(table_model, path)
    _tamper(path, edit_tensors=lambda t: t.update(extra))
    with pytest.raises(ModelFileError, match=match):
        load(path)


def test_missing_skops_part_is_refused(table_model, tmp_path):
    path = tmp_path / "model.skseq"
    save(table_model, path)
    _tamper(path, edit_tensors=lambda t: t.pop("0.skops"))
    with pytest.raises(ModelFileError, match="no skops archive for part 0"):
        load(path)


# -- what save refuses, versions, skops missing ----------------------------------------------


def test_our_estimator_inside_other_meta_estimator_is_refused(tmp_path):
    model = _fit(TransformedTargetRegressor(LSTMRegressor(**SMALL)), X3, Y_TABLE[:24])
    with pytest.raises(TypeError, match="holding sklearn_seq objects.*directly in a Pipeline"):
        save(make_pipeline(StandardScaler(), model), tmp_path / "m.skseq")
    with pytest.raises(TypeError, match="not one of them. Use skops.io.dump"):
        save(model, tmp_path / "m.skseq")


def test_pipeline_with_memory_is_refused(tmp_path):
    model = _fit(Pipeline([("s", SequenceScaler())], memory=str(tmp_path)), X3)
    with pytest.raises(TypeError, match="memory=.*set memory=None"):
        save(model, tmp_path / "m.skseq")


def test_other_sklearn_version_warns(table_model, tmp_path, monkeypatch):
    import sklearn

    path = tmp_path / "model.skseq"
    save(table_model, path)
    monkeypatch.setattr(sklearn, "__version__", "0.1")
    match = "Pipeline from version .* when using version 0.1"
    with pytest.warns(SklearnVersionWarning, match=match):
        load(path)


def test_without_skops_our_parts_still_save(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "skops", None)
    monkeypatch.setitem(sys.modules, "skops.io", None)
    model = _fit(make_pipeline(StandardScaler(), SequenceScaler()), X3[:, :, 0])
    with pytest.raises(ImportError, match=r"StandardScaler\) needs skops.*sklearn-seq\[skops\]"):
        save(model, tmp_path / "m.skseq")
    ours = _fit(make_pipeline(SequenceScaler(), SequenceWindower(window=2)), X3[:, :, 0])
    np.testing.assert_array_equal(_round_trip(ours, tmp_path).transform(X3[:, :, 0]),
                                  ours.transform(X3[:, :, 0]))
