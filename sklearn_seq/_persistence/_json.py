"""The tagged JSON vocabulary of the file format: the only values a file may hold."""

import math
import os
import warnings

import numpy as np
from sklearn.preprocessing import LabelEncoder

from ._common import _ARRAY_DTYPES, _MAX_DEPTH, FITTED_KINDS, _fail


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
    if not FITTED_KINDS[kind](value):
        _fail(f"fitted attribute {name!r}", f"expected {kind}, got {type(value).__name__}")


