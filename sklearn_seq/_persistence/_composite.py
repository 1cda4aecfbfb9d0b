"""Pipelines and transformers in the safe format: a tree of parts written as JSON.

A file holding a ``Pipeline``, ``FeatureUnion`` or ``ColumnTransformer`` (nested in
any way), or one of the package's transformers, holds the document ``{"format",
"format_version": 2, "versions", "root"}``. ``root`` is a *part*, a JSON object
with a ``kind``:

- ``"Pipeline"``, ``"FeatureUnion"``, ``"ColumnTransformer"``: the container's
  ``get_params(deep=False)`` and its other instance attributes (its fitted state),
  written here as tagged JSON; the objects they hold are parts
  (``{"__object__": part}``), slices ``{"__slice__": [start, stop, step]}``,
  pandas column names ``{"__index__": array}``;
- ``"sklearn_seq"``: a fitted estimator of this package, ``{"id", "document"}``,
  its tensors under ``"{id}."`` (the document of a single-estimator file, or
  ``{"estimator", "params", "fitted", "output"}`` for a transformer);
- ``"unfitted"``: an unfitted one, ``{"estimator", "params"}`` (the templates a
  ``ColumnTransformer`` keeps in ``transformers``);
- ``"skops"``: any other object (scikit-learn's estimators), the skops archive in
  the uint8 tensor ``"{id}.skops"``, built only after its trust check.
"""

import re

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.utils.validation import check_is_fitted

from ._common import _MAX_DEPTH, ALLOWED_ESTIMATORS, _estimator_class, _fail
from ._json import _decode, _encode
from ._load import _build_estimator, _load_document
from ._save import _check_allowed, _document, _fitted_state
from ._skops import dump_part, load_part

CONTAINERS = {cls.__name__: cls for cls in (Pipeline, FeatureUnion, ColumnTransformer)}
_PLAIN = (type(None), bool, int, float, str, np.generic, np.ndarray)
_OUTPUTS = {"default", "pandas", "polars"}
_ATTRIBUTE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TREE_DEPTH = 4 * _MAX_DEPTH


def _has_network(cls):
    return hasattr(cls, "_make_net") or bool(getattr(cls, "_nested_estimators", None))


class Writer:
    """Turns an object into a part, collecting the tensors of the file."""

    def __init__(self, include_optimizer):
        self.include_optimizer = include_optimizer
        self.tensors = {}
        self.n_parts = 0

    def part(self, obj, where):
        cls = type(obj)
        if CONTAINERS.get(cls.__name__) is cls:
            return self._container(obj, where)
        if ALLOWED_ESTIMATORS.get(cls.__name__) is cls:
            return self._ours(obj, where)
        if cls.__module__.split(".")[0] == "sklearn_seq":
            _check_allowed(obj)  # a private class: the error says to use pickle
        import torch

        part_id, self.n_parts = self.n_parts, self.n_parts + 1
        data = bytearray(dump_part(obj, where))
        self.tensors[f"{part_id}.skops"] = torch.frombuffer(data, dtype=torch.uint8).clone()
        return {"kind": "skops", "id": part_id}

    def _ours(self, est, where):
        try:
            check_is_fitted(est)
        except NotFittedError:
            params = est.get_params(deep=False)
            return {"kind": "unfitted", "estimator": type(est).__name__, "params": {
                k: _encode(v, f"{where}: parameter {k!r}") for k, v in params.items()}}
        part_id, self.n_parts = self.n_parts, self.n_parts + 1
        if _has_network(type(est)):
            inner = {}
            document = _document(est, inner, self.include_optimizer)
            self.tensors.update({f"{part_id}.{k}": v for k, v in inner.items()})
        else:
            document = _transformer_document(est)
        return {"kind": "sklearn_seq", "id": part_id, "document": document}

    def _container(self, obj, where):
        params = obj.get_params(deep=False)
        if params.get("memory") is not None:
            # a cache directory holds pickles, which a later fit would load
            raise TypeError(f"{where}: a Pipeline with memory={params['memory']!r} cannot be "
                            "saved in the safe format; set memory=None first.")
        fitted = {k: v for k, v in vars(obj).items() if k not in params}
        return {
            "kind": type(obj).__name__,
            "params": {k: self.value(v, f"{where}.{k}") for k, v in params.items()},
            "fitted": {k: self.value(v, f"{where}.{k}") for k, v in fitted.items()},
        }

    def value(self, v, where):
        if isinstance(v, _PLAIN):
            return _encode(v, where)
        if isinstance(v, slice):
            return {"__slice__": [_encode(x, where) for x in (v.start, v.stop, v.step)]}
        if type(v) is pd.Index:  # the column names a FeatureUnion keeps for pandas output
            return {"__index__": _encode(np.asarray(v, dtype=object), where)}
        if isinstance(v, tuple):
            return {"__tuple__": [self.value(x, f"{where}[{i}]") for i, x in enumerate(v)]}
        if isinstance(v, list):
            return [self.value(x, f"{where}[{i}]") for i, x in enumerate(v)]
        if isinstance(v, dict):
            if all(isinstance(k, str) and not k.startswith("__") for k in v):
                return {k: self.value(x, f"{where}[{k!r}]") for k, x in v.items()}
            return {"__dict__": [[_encode(k, where), self.value(x, f"{where}[{k!r}]")]
                                 for k, x in v.items()]}
        return {"__object__": self.part(v, where)}


def _transformer_document(est):
    name = _check_allowed(est)
    params = est.get_params(deep=False)
    return {
        "estimator": name,
        "params": {k: _encode(v, f"parameter {k!r}") for k, v in params.items()},
        "fitted": _fitted_state(est, params),
        "output": getattr(est, "_sklearn_output_config", None),
    }


class Reader:
    """Builds the parts of a file whose skops parts have passed their trust check."""

    def __init__(self, tensors, device, skops_trusted):
        self.tensors = tensors
        self.device = device
        self.skops_trusted = skops_trusted  # part id -> the list to pass to skops
        self.used = set()

    def part(self, spec, where, depth):
        if not (isinstance(spec, dict) and isinstance(spec.get("kind"), str)):
            _fail(where, "a stored object must be a JSON object with a 'kind'")
        kind = spec["kind"]
        if kind in CONTAINERS:
            return self._container(CONTAINERS[kind], spec, where, depth)
        if kind == "unfitted":
            _keys(spec, {"kind", "estimator", "params"}, where)
            return _build_estimator({**spec, "fitted": {}})
        if kind not in ("sklearn_seq", "skops"):
            _fail(where, f"{kind!r:.60} is not one of the objects this format loads "
                         f"({', '.join(sorted(CONTAINERS))}, sklearn_seq, skops)")
        _keys(spec, {"kind", "id", "document"} if kind == "sklearn_seq" else {"kind", "id"},
              where)
        part_id = spec["id"]
        if not (isinstance(part_id, int) and not isinstance(part_id, bool)) or (
            part_id in self.used
        ):
            _fail(where, f"invalid or repeated part id {part_id!r:.20}")
        self.used.add(part_id)
        if kind == "skops":
            if part_id not in self.skops_trusted:
                _fail(where, f"no skops archive for part {part_id}")
            data = self.tensors[f"{part_id}.skops"].numpy().tobytes()
            return load_part(data, self.skops_trusted[part_id], where)
        prefix = f"{part_id}."
        inner = {k[len(prefix):]: v for k, v in self.tensors.items() if k.startswith(prefix)}
        return self._ours(spec["document"], inner, where)

    def _ours(self, document, tensors, where):
        if not isinstance(document, dict):
            _fail(where, "the stored estimator is not a JSON object")
        cls = _estimator_class(document.get("estimator"))
        if _has_network(cls):
            return _load_document(document, tensors, self.device)
        _keys(document, {"estimator", "params", "fitted", "output"}, where)
        if tensors:
            _fail(where, f"unexpected tensors for a transformer {sorted(tensors)[:5]}")
        est = _build_estimator(document)
        _check_transformer(est, document["output"], where)
        return est

    def _container(self, cls, spec, where, depth):
        _keys(spec, {"kind", "params", "fitted"}, where)
        if not (isinstance(spec["params"], dict) and isinstance(spec["fitted"], dict)):
            _fail(where, "params and fitted must be JSON objects")
        allowed = set(cls._get_param_names())
        params = {}
        for key, value in spec["params"].items():
            if key not in allowed:
                _fail(where, f"{cls.__name__} has no parameter {key!r:.60}")
            params[key] = self.value(value, f"{where}.{key}", depth + 1)
        if params.get("memory") is not None:
            _fail(where, "memory must be null (a cache directory holds pickles)")
        try:
            obj = cls(**params)
            if hasattr(obj, "_parameter_constraints"):  # FeatureUnion has none
                obj._validate_params()
        except (TypeError, ValueError) as exc:
            _fail(where, str(exc))
        for key, value in spec["fitted"].items():
            # plain data under names of the instance's own: no method or property
            # of the class can be shadowed
            if not (_ATTRIBUTE.match(key) and not key.startswith("__")
                    and key not in allowed and not hasattr(cls, key)):
                _fail(where, f"unknown fitted attribute {key!r:.60} of {cls.__name__}")
            setattr(obj, key, self.value(value, f"{where}.{key}", depth + 1))
        return obj

    def value(self, v, where, depth):
        if depth > _TREE_DEPTH:
            _fail(where, "nested too deeply")
        if isinstance(v, list):
            return [self.value(x, where, depth + 1) for x in v]
        if not isinstance(v, dict) or not any(k.startswith("__") for k in v):
            if isinstance(v, dict):
                return {k: self.value(x, where, depth + 1) for k, x in v.items()}
            return _decode(v, where)
        if len(v) != 1:
            _fail(where, f"unexpected keys {sorted(v)[:5]}")
        tag, body = next(iter(v.items()))
        if tag == "__object__":
            return self.part(body, where, depth + 1)
        if tag == "__tuple__" and isinstance(body, list):
            return tuple(self.value(x, where, depth + 1) for x in body)
        if tag == "__slice__" and isinstance(body, list) and len(body) == 3:
            if not all(x is None or (isinstance(x, int) and not isinstance(x, bool))
                       for x in body):
                _fail(where, "a slice holds integers or null")
            return slice(*body)
        if tag == "__index__":
            values = _decode(body, where)
            if not (isinstance(values, np.ndarray) and values.ndim == 1):
                _fail(where, "an index holds a 1D array")
            return pd.Index(values)
        if tag == "__dict__" and isinstance(body, list):
            if not all(isinstance(p, list) and len(p) == 2 for p in body):
                _fail(where, "a dict entry is not a [key, value] pair")
            out = {}
            for key, x in body:
                key = _decode(key, where)
                try:
                    hash(key)
                except TypeError:
                    _fail(where, f"dict key of type {type(key).__name__}")
                out[key] = self.value(x, where, depth + 1)
            return out
        return _decode(v, where)


def _keys(spec, expected, where):
    if set(spec) != expected:
        _fail(where, f"expected the keys {sorted(expected)}, got {sorted(spec)[:8]}")


def _check_transformer(est, output, where):
    """The fitted state of a transformer must describe one transformer."""
    declared = type(est)._fitted_attributes
    # feature names are optional, and n_features_in_ belongs to 2D fits only
    optional = {"feature_names_in_"} | (
        set() if vars(est).get("_fit_ndim", 2) == 2 else {"n_features_in_"}
    )
    missing = sorted(k for k in declared if k not in optional and k not in vars(est))
    if missing:
        _fail(where, f"missing fitted attributes {missing}")
    for key in ("mean_", "scale_"):
        value = vars(est).get(key)
        if value is not None and not (
            value.shape == (est.n_features_per_step_,) and value.dtype.kind == "f"
            and np.isfinite(value).all() and (key == "mean_" or (value > 0).all())
        ):
            _fail(f"fitted attribute {key!r}", "expected n_features_per_step_ finite floats")
    if output is not None:
        if not (isinstance(output, dict) and set(output) <= {"transform"}
                and output.get("transform", "default") in _OUTPUTS
                and hasattr(est, "set_output")):
            _fail(where, f"invalid output configuration {output!r:.60}")
        if "transform" in output:
            est.set_output(transform=output["transform"])
