"""Reading a model file: every value checked, nothing run."""

import json
import os
import warnings

import numpy as np
import torch
from skorch.exceptions import DeviceWarning

from .._engine.net import BatchHistory
from ._common import (
    _IDENTIFIER,
    _INIT_ONLY_MODULE_KWARGS,
    _NET_KEYS,
    _TOP_LEVEL_KEYS,
    ALLOWED_ESTIMATORS,
    FORMAT,
    FORMAT_VERSION,
    ModelFileError,
    _estimator_class,
    _fail,
    _warn_if_other_version,
)
from ._json import _check_kind, _decode


# What the first bytes of a file that is not a safetensors file say it is.
_PICKLE_PROTOCOLS = range(2, 6)  # pickle >= 2 starts with b"\x80" and the protocol
_COMPRESSED = {  # the compressions joblib.dump(..., compress=...) writes
    b"\x78\x01": "zlib",
    b"\x78\x5e": "zlib",
    b"\x78\x9c": "zlib",
    b"\x78\xda": "zlib",
    b"\x1f\x8b": "gzip",
    b"BZh": "bz2",
    b"\xfd7zXZ\x00": "xz",
    b"\x5d\x00\x00": "lzma",
    b"\x04\x22\x4d\x18": "lz4",
}
_PICKLE_ADVICE = (
    "load it with joblib.load only if you trust its source (loading a pickle runs "
    "code from the file); sklearn_seq.load reads the files written by sklearn_seq.save."
)


def _check_file(path):
    """Refuse, saying what it is and what to do, anything but a safetensors file."""
    shown = repr(path)
    if os.path.isdir(path):
        raise IsADirectoryError(
            f"{shown} is a directory; pass the file written by "
            "sklearn_seq.save(estimator, path) (a checkpoint_dir holds checkpoint.skseq)."
        )
    if not os.path.exists(path):
        where = "" if os.path.isabs(path) else f" (in the working directory {os.getcwd()!r})"
        raise FileNotFoundError(
            f"No such file: {shown}{where}. Pass the file written by "
            "sklearn_seq.save(estimator, path)."
        )
    with open(path, "rb") as f:
        head = f.read(9)
        size = os.fstat(f.fileno()).st_size
    if head[:1] == b"\x80" and len(head) > 1 and head[1] in _PICKLE_PROTOCOLS:
        raise ModelFileError(
            f"{shown} is a joblib/pickle file, not a sklearn_seq model file; {_PICKLE_ADVICE}"
        )
    for magic, method in _COMPRESSED.items():
        if head.startswith(magic):
            raise ModelFileError(
                f"{shown} looks like a joblib/pickle file compressed with {method}, not a "
                f"sklearn_seq model file; {_PICKLE_ADVICE}"
            )
    if head.startswith(b"PK\x03\x04"):
        raise ModelFileError(
            f"{shown} is a zip archive (as torch.save writes), not a sklearn_seq model "
            "file; load it with torch.load only if you trust its source. sklearn_seq.load "
            "reads the files written by sklearn_seq.save."
        )
    # safetensors: an 8-byte little-endian header length, then a JSON header.
    header_length = int.from_bytes(head[:8], "little")
    if len(head) < 9 or head[8:9] != b"{":
        raise ModelFileError(
            f"{shown} is not a sklearn_seq model file: it does not start with a "
            "safetensors header. If it is a joblib/pickle file, load it with joblib.load "
            "only if you trust its source; sklearn_seq.load reads the files written by "
            "sklearn_seq.save."
        )
    if header_length > size - 8:
        raise ModelFileError(
            f"{shown} is not a sklearn_seq model file as it stands: it is truncated or "
            f"corrupt (its header announces {header_length} bytes, the file holds "
            f"{size - 8} after the length). Copy it again, or save the model again."
        )


def _read(path):
    from safetensors import safe_open

    path = os.fspath(path)
    _check_file(path)
    try:
        with safe_open(path, framework="pt", device="cpu") as f:
            metadata = f.metadata() or {}
            if metadata.get("format") != FORMAT or "sklearn_seq" not in metadata:
                raise ModelFileError(
                    f"{path!r} is a safetensors file but not a sklearn_seq "
                    "model file (its header names no sklearn_seq model)."
                )
            tensors = {key: f.get_tensor(key) for key in f.keys()}
    except ModelFileError:
        raise
    except OSError:
        raise
    except Exception as exc:  # safetensors' own error type is not importable everywhere
        raise ModelFileError(
            f"{path!r} is a safetensors file but not a sklearn_seq model file as it "
            f"stands: it is truncated or corrupt ({exc}). Copy it again, or save the model again."
        ) from None
    try:
        document = json.loads(metadata["sklearn_seq"])
    except (ValueError, RecursionError) as exc:
        _fail("header", f"the model description is not valid JSON ({exc})")
    if not isinstance(document, dict):
        _fail("header", "the model description is not a JSON object")
    return document, tensors


def _check_top_level(document):
    keys = set(document)
    if keys != _TOP_LEVEL_KEYS:
        extra, missing = sorted(keys - _TOP_LEVEL_KEYS), sorted(_TOP_LEVEL_KEYS - keys)
        _fail("header", f"unexpected keys {extra}, missing keys {missing}")
    if document["format"] != FORMAT:
        _fail("format", f"{document['format']!r:.40} is not {FORMAT!r}")
    if document["format_version"] != FORMAT_VERSION:
        _fail(
            "format_version",
            f"{document['format_version']!r:.20}; this sklearn_seq reads version "
            f"{FORMAT_VERSION}. Load it with the sklearn_seq it was saved with.",
        )
    for key in ("versions", "params", "fitted", "module", "net"):
        if not isinstance(document[key], dict):
            _fail(key, "expected a JSON object")
    if set(document["net"]) != _NET_KEYS:
        _fail("net", f"expected the keys {sorted(_NET_KEYS)}")
    if set(document["module"]) != {"name", "kwargs"}:
        _fail("module", "expected the keys ['kwargs', 'name']")


def _build_estimator(document):
    cls = _estimator_class(document["estimator"])
    allowed = set(cls._get_param_names())
    # A parameter added since the file was written takes the value that reproduces
    # what the file's estimator did (not the new default), where the class names one.
    params = dict(getattr(cls, "_params_before_they_existed", {}))
    for key, value in document["params"].items():
        if key not in allowed:
            _fail("params", f"{cls.__name__} has no parameter {key!r:.60}")
        params[key] = _decode(value, f"parameter {key!r}")
    try:
        estimator = cls(**params)  # a transformer may have required parameters
    except TypeError as exc:
        _fail("params", str(exc))
    try:
        estimator._validate_params()
    except (ValueError, TypeError) as exc:
        _fail("params", str(exc))
    declared = cls._fitted_attributes
    for key, value in document["fitted"].items():
        if key not in declared:
            _fail("fitted", f"unknown fitted attribute {key!r:.60}")
        value = _decode(value, f"fitted attribute {key!r}")
        _check_kind(key, value, declared[key])
        setattr(estimator, key, value)
    return estimator


def _module_arguments(estimator, module):
    import inspect

    from .. import nn as seq_nn

    name, kwargs = module["name"], module["kwargs"]
    if name != estimator._module:
        _fail("module", f"{name!r:.60} is not the network of this {type(estimator).__name__}")
    if not isinstance(kwargs, dict):
        _fail("module", "kwargs must be a JSON object")
    signature = inspect.signature(getattr(seq_nn, estimator._module))
    out = {}
    for key, value in kwargs.items():
        if key not in signature.parameters or key in _INIT_ONLY_MODULE_KWARGS:
            _fail("module", f"unexpected network argument {key!r:.60}")
        value = _decode(value, f"network argument {key!r}")
        if isinstance(value, np.generic):  # written by versions that kept numpy scalars
            value = value.item()
        if isinstance(value, (list, tuple)):
            # layer sizes (conv_channels, kernel_size): a short sequence of integers
            value = tuple(v.item() if isinstance(v, np.generic) else v for v in value)
            if len(value) > 64 or not all(
                isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 1 << 24
                for v in value
            ):
                _fail("module", f"network argument {key!r} must hold at most 64 integers")
        elif not (value is None or isinstance(value, (bool, int, float, str))):
            _fail("module", f"network argument {key!r} must be a number or a string")
        out[key] = value
    _check_consistency(estimator, out)
    if out.get("dtype") not in ("float32", "float64"):
        _fail("module", f"network dtype {out.get('dtype')!r:.20} is not float32 or float64")
    for key, value in out.items():
        if isinstance(value, int) and not isinstance(value, bool) and not 0 <= value <= 1 << 24:
            _fail("module", f"network argument {key!r} = {value} is out of range")
    return out


def _check_consistency(estimator, kwargs):
    """The fitted state and the network must describe the same model."""
    try:
        n_quantiles = estimator._n_quantiles() if hasattr(estimator, "_n_quantiles") else 1
        expected = estimator._n_outputs() * n_quantiles
    except (AttributeError, TypeError) as exc:
        _fail("fitted", f"incomplete fitted state ({exc})")
    if "n_outputs" in kwargs and kwargs["n_outputs"] != expected:
        _fail("module", f"the network has {kwargs.get('n_outputs')!r:.20} outputs, the "
              f"fitted state needs {expected}")
    if hasattr(estimator, "n_features_per_step_") and kwargs.get("input_size") not in (
        None, estimator.n_features_per_step_
    ):
        _fail("module", "the network's input size differs from n_features_per_step_")
    for name in ("_y_mean", "_y_scale"):
        value = getattr(estimator, name, None)
        if value is not None and (
            value.shape != (getattr(estimator, "n_outputs_", -1),)
            or value.dtype.kind != "f"
            or not np.isfinite(value).all()
        ):
            _fail(f"fitted attribute {name!r}", "expected n_outputs_ finite floats")
    classes = getattr(estimator, "classes_", None)
    if classes is not None and classes.ndim != 1:
        _fail("fitted attribute 'classes_'", "expected a 1D array")


def _load_weights(module, tensors, prefix, where):
    expected = module.state_dict()
    given = {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
    if set(given) != set(expected):
        extra = sorted(set(given) - set(expected))[:5]
        missing = sorted(set(expected) - set(given))[:5]
        _fail(where, f"weights do not match the network: unexpected {extra}, missing {missing}")
    for key, value in given.items():
        if value.shape != expected[key].shape or value.dtype != expected[key].dtype:
            _fail(
                where,
                f"weight {key!r} has shape {tuple(value.shape)} and dtype {value.dtype}; "
                f"the network needs {tuple(expected[key].shape)} and {expected[key].dtype}",
            )
        if value.is_floating_point() and not torch.isfinite(value).all():
            _fail(where, f"weight {key!r} holds NaN or infinite values")
    module.load_state_dict(given, strict=True)


def _load_optimizer(net, saved, tensors):
    known = {k for k in tensors if k.startswith("optimizer.")}
    if saved is None:
        if known:
            _fail("optimizer", "optimizer tensors without optimizer settings")
        return
    if not isinstance(saved, dict) or set(saved) != {"param_groups", "state"}:
        _fail("optimizer", "expected 'param_groups' and 'state'")
    fresh = net.optimizer_.state_dict()
    groups = _decode(saved["param_groups"], "optimizer settings")
    if not isinstance(groups, list) or len(groups) != len(fresh["param_groups"]):
        _fail("optimizer", "the parameter groups do not match the network")
    params = [p for group in net.optimizer_.param_groups for p in group["params"]]
    for group, current in zip(groups, fresh["param_groups"]):
        if not isinstance(group, dict) or set(group) != set(current):
            _fail("optimizer", "unexpected optimizer settings")
        if group["params"] != current["params"]:
            _fail("optimizer", "the parameter groups do not match the network")
        for key, value in group.items():
            if key != "params" and not (
                value is None or isinstance(value, (bool, int, float, str, tuple))
            ):
                _fail("optimizer", f"setting {key!r} is not a number")
        # Device-dependent implementation choices stay those of this machine.
        for key in ("fused", "foreach", "capturable", "differentiable"):
            if key in current:
                group[key] = current[key]
    state = {}
    if not isinstance(saved["state"], dict):
        _fail("optimizer", "state must be a JSON object")
    for index, scalars in saved["state"].items():
        if not (index.isdigit() and int(index) < len(params)) or not isinstance(scalars, dict):
            _fail("optimizer", f"state for unknown parameter {index!r:.20}")
        entry = {k: _decode(v, "optimizer state") for k, v in scalars.items()}
        state[int(index)] = entry
    for key in known:
        parts = key.split(".")
        if len(parts) != 3 or not parts[1].isdigit() or int(parts[1]) not in state:
            _fail("optimizer", f"unexpected tensor {key!r:.60}")
        param = params[int(parts[1])]
        value = tensors[key]
        if value.dim() and value.shape != param.shape:
            _fail("optimizer", f"tensor {key!r} has shape {tuple(value.shape)}, "
                  f"its parameter {tuple(param.shape)}")
        # Adam's moments and step count: non-finite values would surface only as a
        # diverged loss in the next warm-started fit.
        if value.is_floating_point() and not torch.isfinite(value).all():
            _fail("optimizer", f"tensor {key!r} holds NaN or infinite values")
        state[int(parts[1])][parts[2]] = value
    try:
        net.optimizer_.load_state_dict({"state": state, "param_groups": groups})
    except (ValueError, KeyError, RuntimeError, TypeError) as exc:
        _fail("optimizer", str(exc))


def _history(rows):
    rows = _decode(rows, "history")
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        _fail("history", "expected a list of epoch records")
    history = BatchHistory()
    for row in rows:
        history.new_epoch()
        for key, value in row.items():
            if not isinstance(key, str) or not _IDENTIFIER.match(key):
                _fail("history", f"unexpected record name {key!r:.40}")
            history.record(key, value)
    return history


def _resolve_load_device(saved, device):
    if device is not None:
        return device
    if str(saved).startswith("cuda") and not torch.cuda.is_available():
        warnings.warn(
            f"The model was trained on {saved!r}, which is not available here; it is "
            "loaded on the CPU.",
            DeviceWarning,
            stacklevel=3,
        )
        return "cpu"
    return saved


def _training_record(net_doc):
    """The stored net's batch size and history."""
    batch_size = net_doc["batch_size"]
    if not (isinstance(batch_size, int) and not isinstance(batch_size, bool) and batch_size > 0):
        _fail("net", f"batch_size {batch_size!r:.20} is not a positive integer")
    return batch_size, _history(net_doc["history"])


_NESTED_TOP_LEVEL_KEYS = (_TOP_LEVEL_KEYS - {"module", "net"}) | {"nested"}


def _load_nested(document, tensors, device):
    """A model holding fitted models of this package, each a document of its own."""
    keys = set(document)
    if keys != _NESTED_TOP_LEVEL_KEYS:
        _fail("header", f"unexpected keys {sorted(keys - _NESTED_TOP_LEVEL_KEYS)}, missing "
                        f"keys {sorted(_NESTED_TOP_LEVEL_KEYS - keys)}")
    if document["format"] != FORMAT or document["format_version"] != FORMAT_VERSION:
        _fail("format_version", f"this sklearn_seq reads {FORMAT!r} version {FORMAT_VERSION}")
    cls = _estimator_class(document["estimator"])
    nested = cls._nested_estimators
    plain = {k: v for k, v in document["params"].items() if k not in nested}
    estimator = _build_estimator({**document, "params": plain})
    for key in nested:
        spec = document["params"].get(key)
        if spec is None:
            continue
        if not (isinstance(spec, dict) and set(spec) == {"estimator", "params"}
                and isinstance(spec["params"], dict)):
            _fail("params", f"{key} is not a stored estimator")
        setattr(estimator, key, _build_estimator(
            {"estimator": spec["estimator"], "params": spec["params"], "fitted": {}}))
    if not isinstance(document["nested"], dict) or set(document["nested"]) != set(
        nested.values()
    ):
        _fail("nested", f"expected the models {sorted(nested.values())}")
    for attribute, inner_document in document["nested"].items():
        if not isinstance(inner_document, dict):
            _fail("nested", f"{attribute} is not a JSON object")
        prefix = f"{attribute}."
        inner_tensors = {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
        setattr(estimator, attribute, _load_document(inner_document, inner_tensors, device))
    extra = sorted(k for k in tensors if not k.startswith(tuple(f"{a}." for a in nested.values())))
    if extra:
        _fail("weights", f"unexpected tensors {extra[:5]}")
    return estimator


def _load_document(document, tensors, device):
    name = document.get("estimator")
    if isinstance(name, str) and getattr(
        ALLOWED_ESTIMATORS.get(name), "_nested_estimators", None
    ):
        return _load_nested(document, tensors, device)
    _check_top_level(document)
    estimator = _build_estimator(document)
    if getattr(estimator, "_fit_ndim", 2) != 2 and not hasattr(estimator, "vocabulary_"):
        # Files written before n_features_in_ meant the columns of a 2D fit only (a
        # model of text, which has a vocabulary, sets its own).
        estimator.__dict__.pop("n_features_in_", None)
    _warn_if_other_version(type(estimator).__name__, document["versions"])
    missing = [a for a in ("device_", "n_iter_") if not hasattr(estimator, a)]
    if missing:
        _fail("fitted", f"missing fitted attributes {missing}")
    module_kwargs = _module_arguments(estimator, document["module"])
    net_doc = document["net"]
    batch_size, history = _training_record(net_doc)
    device = _resolve_load_device(estimator.device_, device)
    early_stopping = bool(history) and "valid_score" in history[-1]
    try:
        net = estimator._make_net(module_kwargs, batch_size, device, early_stopping)
    except (TypeError, ValueError, RuntimeError) as exc:
        _fail("module", f"cannot build the network from the stored arguments: {exc}")
    _load_weights(net.module_, tensors, "module.", "weights")
    _load_optimizer(net, net_doc["optimizer"], tensors)
    extra = sorted(k for k in tensors if not k.startswith(("module.", "optimizer.")))
    if extra:
        _fail("weights", f"unexpected tensors {extra[:5]}")
    net.history = history
    estimator.net_ = net
    estimator.device_ = str(device)
    return estimator

