"""A safe model file: JSON for everything but the weights, safetensors for those.

``save(estimator, path)`` writes one safetensors file. Its header metadata holds
a JSON document (the estimator's class name, ``get_params()``, its fitted
non-tensor state, the network's constructor arguments, the training history and
the versions it was made with); its tensors are the network's ``state_dict`` and
the optimizer's state.

``load(path)`` never unpickles and never imports a name read from the file: the
class comes from a fixed allow-list of public estimators, every value is decoded
from a small tagged JSON vocabulary (numbers, strings, lists, dicts, numeric or
string arrays), the parameters are checked by the estimator's own
``_parameter_constraints`` and the weights must match the rebuilt network key for
key, shape for shape and dtype for dtype. Anything else is a ``ValueError``.

Pickle and joblib stay supported (the estimators record their versions in the
pickle, see :func:`add_versions`), but loading a pickle runs code: only load
pickles you trust.
"""

import json
import math
import os
import re
import tempfile
import warnings

import numpy as np
import torch
from sklearn.exceptions import InconsistentVersionWarning as _SklearnVersionWarning
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.validation import check_is_fitted
from skorch.exceptions import DeviceWarning

from ._engine.net import BatchHistory
from . import _version

__all__ = ["InconsistentVersionWarning", "ModelFileError", "load", "save"]

FORMAT = "sklearn-seq-model"
FORMAT_VERSION = 1

# The kinds of value a fitted attribute may hold; each estimator class declares its
# fitted attributes with their kinds in ``_fitted_attributes`` (merged through its
# hierarchy, as ``_parameter_constraints`` are), and the format saves and loads
# exactly those.
FITTED_KINDS = {
    "int", "bool", "str", "array", "array_or_none", "dict", "label_encoder",
    "float_list", "float_list_or_none", "float_or_none",
}

# The public estimators a file may name, by class name: each registers itself when
# its module is imported (BaseRecurrent.__init_subclass__). The loader builds only
# these; a file cannot name anything else.
ALLOWED_ESTIMATORS = {}


def register(cls):
    """Let files name the estimator class ``cls`` (by its class name)."""
    unknown = {k: v for k, v in cls._fitted_attributes.items() if v not in FITTED_KINDS}
    if unknown:
        raise TypeError(f"{cls.__name__}._fitted_attributes: unknown kinds {unknown}")
    ALLOWED_ESTIMATORS[cls.__name__] = cls
    return cls



# Network arguments that only give initial values of tensors in the state dict
# (input standardisation, pretrained embeddings): not stored, the weights restore them.
_INIT_ONLY_MODULE_KWARGS = {"input_mean", "input_scale", "embeddings"}

_TOP_LEVEL_KEYS = {"format", "format_version", "estimator", "versions", "params",
                   "fitted", "module", "net"}
_NET_KEYS = {"batch_size", "device", "history", "optimizer"}
_ARRAY_DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16",
                 "uint32", "uint64", "float16", "float32", "float64", "object"}
_MAX_DEPTH = 32
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ModelFileError(ValueError):
    """A file that is not a valid sklearn_seq model file (or was tampered with)."""


class InconsistentVersionWarning(_SklearnVersionWarning):
    """A model made with another sklearn_seq version is being loaded.

    A subclass of scikit-learn's warning of the same name, so filters set for
    scikit-learn's version warnings apply to this one too.

    Attributes
    ----------
    estimator_name : str
        The loaded estimator's class name.
    current_version, original_version : str
        sklearn_seq's version now and when the model was saved.
    """

    def __init__(self, *, estimator_name, current_version, original_version):
        self.estimator_name = estimator_name
        self.current_version = current_version
        self.original_version = original_version
        # scikit-learn's attribute names, for code written against its warning.
        self.current_sklearn_version = current_version
        self.original_sklearn_version = original_version

    def __str__(self):
        return (
            f"Loading {self.estimator_name} saved with sklearn_seq "
            f"{self.original_version} under sklearn_seq {self.current_version}. "
            "This might lead to breaking code or invalid results; refit the model "
            "with this version, or use the version it was saved with."
        )


def versions():
    """The versions a model file or pickle records."""
    import sklearn

    return {
        "sklearn_seq": _version.__version__,
        "sklearn": sklearn.__version__,
        "torch": torch.__version__,
    }


def _warn_if_other_version(estimator_name, saved):
    original = saved.get("sklearn_seq") if isinstance(saved, dict) else None
    if original != _version.__version__:
        warnings.warn(
            InconsistentVersionWarning(
                estimator_name=estimator_name,
                current_version=_version.__version__,
                original_version=str(original or "unknown"),
            ),
            stacklevel=3,
        )


# -- pickle ------------------------------------------------------------------------

_PICKLE_VERSIONS_KEY = "_sklearn_seq_versions"


def add_versions(state):
    """Add the current versions to an estimator's pickle state (``__getstate__``)."""
    return {**state, _PICKLE_VERSIONS_KEY: versions()}


def restore_state(estimator, state):
    """Prepare an unpickled state (``__setstate__``): check versions, map the device.

    Warns with :class:`InconsistentVersionWarning` when the pickle was made with
    another sklearn_seq version. skorch maps the net of a model trained on a GPU
    to the CPU when no GPU is present; ``device_`` then follows the net.
    """
    state = dict(state)
    _warn_if_other_version(type(estimator).__name__, state.pop(_PICKLE_VERSIONS_KEY, None))
    net = state.get("net_")
    if net is not None and "device_" in state and getattr(net, "device", None) is not None:
        state["device_"] = str(net.device)
    return state


# -- tagged JSON -------------------------------------------------------------------


def _encode(value, where):
    """Plain data -> JSON-able, tagging what JSON cannot hold; anything else raises."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, os.PathLike):  # checkpoint_dir: stored as the path's string
        return os.fspath(value)
    if isinstance(value, (int, float)) and not isinstance(value, (np.generic,)):
        return value
    if isinstance(value, np.generic):
        if value.dtype.name not in _ARRAY_DTYPES - {"object"}:
            raise TypeError(f"{where}: numpy scalar of dtype {value.dtype} is not supported")
        return {"__scalar__": {"dtype": value.dtype.name, "value": value.item()}}
    if isinstance(value, np.ndarray):
        return {"__ndarray__": _encode_array(value, where)}
    if isinstance(value, LabelEncoder):
        return {"__label_encoder__": _encode_array(value.classes_, where)}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v, where) for v in value]}
    if isinstance(value, list):
        return [_encode(v, where) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("__") for k in value):
            return {k: _encode(v, where) for k, v in value.items()}
        return {"__dict__": [[_encode(k, where), _encode(v, where)] for k, v in value.items()]}
    raise TypeError(
        f"{where} is a {type(value).__module__}.{type(value).__qualname__}, which the "
        "safe format cannot store (it stores numbers, strings, lists, dicts and "
        "arrays). Use pickle or joblib for such a model, and load it only from a "
        "trusted source."
    )


def _encode_array(arr, where):
    name = arr.dtype.name
    if arr.dtype.kind == "U":
        name = "str"
    elif name not in _ARRAY_DTYPES:
        raise TypeError(f"{where}: arrays of dtype {arr.dtype} are not supported")
    data = arr.ravel().tolist()
    if name == "object":
        for v in data:
            if not (v is None or isinstance(v, (bool, int, float, str))):
                raise TypeError(f"{where}: object array holding {type(v).__name__}")
    return {"dtype": name, "shape": list(arr.shape), "data": data}


def _fail(where, message):
    raise ModelFileError(f"Invalid sklearn_seq model file: {where}: {message}")


def _decode(value, where, depth=0):
    """JSON -> plain data, accepting only the tags :func:`_encode` writes."""
    if depth > _MAX_DEPTH:
        _fail(where, "nested too deeply")
    if value is None or isinstance(value, (bool, str, int, float)):
        return value
    if isinstance(value, list):
        return [_decode(v, where, depth + 1) for v in value]
    if not isinstance(value, dict):
        _fail(where, f"unexpected JSON value of type {type(value).__name__}")
    tags = [k for k in value if k.startswith("__")]
    if not tags:
        return {k: _decode(v, where, depth + 1) for k, v in value.items()}
    if len(value) != 1:
        _fail(where, f"unexpected keys {sorted(value)}")
    tag, body = next(iter(value.items()))
    if tag == "__tuple__" and isinstance(body, list):
        return tuple(_decode(v, where, depth + 1) for v in body)
    if tag == "__dict__" and isinstance(body, list):
        out = {}
        for pair in body:
            if not (isinstance(pair, list) and len(pair) == 2):
                _fail(where, "a dict entry is not a [key, value] pair")
            key = _decode(pair[0], where, depth + 1)
            # numpy scalars are keys too: class_weight built from np.unique's classes
            if not (key is None or isinstance(key, (bool, int, float, str, np.generic))):
                _fail(where, f"dict key of type {type(key).__name__}")
            out[key] = _decode(pair[1], where, depth + 1)
        return out
    if tag == "__ndarray__":
        return _decode_array(body, where)
    if tag == "__label_encoder__":
        encoder = LabelEncoder()
        encoder.classes_ = _decode_array(body, where)
        if encoder.classes_.ndim != 1:
            _fail(where, "label encoder classes must be 1D")
        return encoder
    if tag == "__scalar__" and isinstance(body, dict) and set(body) == {"dtype", "value"}:
        dtype = body["dtype"]
        if dtype not in _ARRAY_DTYPES - {"object"} or not isinstance(
            body["value"], (bool, int, float)
        ):
            _fail(where, f"invalid numpy scalar {body!r:.80}")
        return _checked_cast(np.asarray([body["value"]]), dtype, where)[0]
    _fail(where, f"unknown tag {tag!r:.40}")


def _checked_cast(values, dtype, where):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return values.astype(dtype)
    except (ValueError, TypeError, OverflowError, RuntimeWarning) as exc:
        _fail(where, f"values do not fit dtype {dtype}: {exc}")


def _decode_array(body, where):
    if not (isinstance(body, dict) and set(body) == {"dtype", "shape", "data"}):
        _fail(where, "an array needs exactly 'dtype', 'shape' and 'data'")
    dtype, shape, data = body["dtype"], body["shape"], body["data"]
    if dtype not in _ARRAY_DTYPES | {"str"}:
        _fail(where, f"array dtype {dtype!r:.40} is not allowed")
    if not (isinstance(shape, list) and all(
        isinstance(s, int) and not isinstance(s, bool) and 0 <= s for s in shape
    )) or len(shape) > 8:
        _fail(where, f"invalid array shape {shape!r:.80}")
    if not isinstance(data, list) or len(data) != math.prod(shape):
        _fail(where, f"array data does not match its shape {shape}")
    scalars = (bool, int, float) if dtype not in ("str", "object") else (str,)
    if dtype == "object":
        scalars = (type(None), bool, int, float, str)
    if not all(isinstance(v, scalars) for v in data):
        _fail(where, f"array of dtype {dtype} holds values of another type")
    if dtype == "object":
        arr = np.empty(len(data), dtype=object)
        arr[:] = data
    elif dtype == "str":
        arr = np.asarray(data, dtype=str) if data else np.empty(0, dtype="<U1")
    else:
        arr = _checked_cast(np.asarray(data, dtype=np.float64 if dtype.startswith("float")
                                       else None), dtype, where) if data else np.empty(0, dtype)
    return arr.reshape(shape)


def _check_kind(name, value, kind):
    ok = {
        "int": isinstance(value, int) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "str": isinstance(value, str),
        "array": isinstance(value, np.ndarray),
        "array_or_none": value is None or isinstance(value, np.ndarray),
        "dict": isinstance(value, dict),
        "label_encoder": isinstance(value, LabelEncoder),
        "float_or_none": value is None or (
            isinstance(value, (int, float)) and not isinstance(value, bool)
        ),
        "float_list": isinstance(value, list) and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value
        ),
    }
    ok["float_list_or_none"] = value is None or ok["float_list"]
    if not ok[kind]:
        _fail(f"fitted attribute {name!r}", f"expected {kind}, got {type(value).__name__}")


# -- save ----------------------------------------------------------------------------


def _estimator_class(name):
    if not isinstance(name, str) or name not in ALLOWED_ESTIMATORS:
        _fail(
            "estimator",
            f"{name!r:.60} is not one of the sklearn_seq estimators this format loads "
            f"({', '.join(sorted(ALLOWED_ESTIMATORS))})",
        )
    return ALLOWED_ESTIMATORS[name]


def _module_kwargs(net):
    kwargs = {}
    for key, value in net.get_params_for("module").items():
        if key in _INIT_ONLY_MODULE_KWARGS:
            continue
        if isinstance(value, torch.dtype):
            value = str(value).removeprefix("torch.")
        kwargs[key] = _encode(value, f"network argument {key!r}")
    return kwargs


def _history_records(net):
    # Epoch-level entries only: the per-batch records are not needed to continue.
    return [
        {k: _encode(v, "history") for k, v in row.items() if k != "batches"}
        for row in net.history
    ]


def _optimizer_state(optimizer, tensors):
    state = optimizer.state_dict()
    per_param = {}
    for index, entries in state["state"].items():
        scalars = {}
        for key, value in entries.items():
            if isinstance(value, torch.Tensor):
                tensors[f"optimizer.{index}.{key}"] = value.detach().to("cpu").contiguous()
            else:
                scalars[key] = _encode(value, f"optimizer state {key!r}")
        per_param[str(index)] = scalars
    groups = [_encode(g, "optimizer settings") for g in state["param_groups"]]
    return {"param_groups": groups, "state": per_param}


def _document(estimator, tensors, include_optimizer):
    name = type(estimator).__name__
    if ALLOWED_ESTIMATORS.get(name) is not type(estimator):
        raise TypeError(
            f"save supports the public sklearn_seq estimators; {type(estimator).__module__}."
            f"{type(estimator).__qualname__} is not one of them. Use pickle or joblib."
        )
    check_is_fitted(estimator)
    params = estimator.get_params(deep=False)
    fitted = {}
    declared = type(estimator)._fitted_attributes
    for key, value in vars(estimator).items():
        if key in params or key == "net_" or key.startswith("_sklearn"):
            continue
        if key not in declared:
            if not (key.endswith("_") or key.startswith("_")):
                continue  # not estimator state (e.g. a user's own attribute)
            raise TypeError(
                f"{name} has the fitted attribute {key!r}, which the safe format does "
                f"not know; declare it in {name}._fitted_attributes."
            )
        fitted[key] = _encode(value, f"fitted attribute {key!r}")
    net = estimator.net_
    for key, value in net.module_.state_dict().items():
        tensors[f"module.{key}"] = value.detach().to("cpu").contiguous().clone()
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "estimator": name,
        "versions": versions(),
        "params": {k: _encode(v, f"parameter {k!r}") for k, v in params.items()},
        "fitted": fitted,
        "module": {"name": estimator._module, "kwargs": _module_kwargs(net)},
        "net": {
            "batch_size": int(net.batch_size),
            "device": str(net.device),
            "history": _history_records(net),
            "optimizer": (
                _optimizer_state(net.optimizer_, tensors) if include_optimizer else None
            ),
        },
    }


def save(estimator, path, *, include_optimizer=True):
    """Save a fitted estimator to ``path`` in the safe format.

    Parameters
    ----------
    estimator : estimator instance
        A fitted public sklearn_seq estimator.
    path : str or path-like
        The file to write (replaced atomically: a reader never sees half a file).
    include_optimizer : bool, default=True
        Also store the optimizer's state, so that ``warm_start`` or
        ``partial_fit`` after loading continue exactly where training stopped.

    Raises
    ------
    TypeError
        For a parameter that is not plain data (e.g. a callable ``tokenizer``):
        use pickle or joblib for such a model.
    """
    from safetensors.torch import save_file

    tensors = {}
    document = _document(estimator, tensors, include_optimizer)
    text = json.dumps(document, allow_nan=True, separators=(",", ":"))
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".skseq")
    os.close(fd)
    try:
        save_file(tensors, tmp, metadata={"format": FORMAT, "sklearn_seq": text})
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# -- load ----------------------------------------------------------------------------


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
    allowed = set(cls().get_params(deep=False))
    params = {}
    for key, value in document["params"].items():
        if key not in allowed:
            _fail("params", f"{cls.__name__} has no parameter {key!r:.60}")
        params[key] = _decode(value, f"parameter {key!r}")
    estimator = cls(**params)
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

    from . import nn as seq_nn

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


def load(path, *, device=None):
    """Load a model saved by :func:`save`, without running code from the file.

    Parameters
    ----------
    path : str or path-like
        A file written by :func:`save` (or ``estimator.save``).
    device : str, default=None
        Device to load the network on. None: the device the model was trained
        on when it is available here, else the CPU (with a ``DeviceWarning``).

    Returns
    -------
    estimator : estimator instance
        The fitted estimator, predicting as the saved one did.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist (the message names it).
    IsADirectoryError
        When ``path`` is a directory: pass the file inside it.
    ModelFileError
        (a ``ValueError``) for a file that is not a sklearn_seq model file (the
        message says what it is: a joblib/pickle file, compressed or not, a
        ``torch.save`` archive, another safetensors file), is truncated, or holds
        unexpected keys, types, classes or weights.

    Warns
    -----
    InconsistentVersionWarning
        When the file was saved with another sklearn_seq version.
    """
    document, tensors = _read(path)
    _check_top_level(document)
    estimator = _build_estimator(document)
    _warn_if_other_version(type(estimator).__name__, document["versions"])
    missing = [a for a in ("device_", "n_iter_") if not hasattr(estimator, a)]
    if missing:
        _fail("fitted", f"missing fitted attributes {missing}")
    module_kwargs = _module_arguments(estimator, document["module"])
    net_doc = document["net"]
    batch_size = net_doc["batch_size"]
    if not (isinstance(batch_size, int) and not isinstance(batch_size, bool) and batch_size > 0):
        _fail("net", f"batch_size {batch_size!r:.20} is not a positive integer")
    history = _history(net_doc["history"])
    device = _resolve_load_device(estimator.device_, device)
    early_stopping = bool(history) and "valid_score" in history[-1]
    try:
        net = estimator._make_net(module_kwargs, batch_size, device,
                                  early_stopping=early_stopping)
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
