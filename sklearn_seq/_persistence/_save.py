"""Writing a model file."""

import json
import os
import tempfile

import torch
from sklearn.utils.validation import check_is_fitted

from ._common import (
    _INIT_ONLY_MODULE_KWARGS,
    ALLOWED_ESTIMATORS,
    FORMAT,
    FORMAT_VERSION,
    versions,
)
from ._json import _encode


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
    # A learning rate schedule's note of where it started ("initial_lr") is not
    # kept: every fit starts its schedule again at learning_rate_init.
    groups = [_encode({k: v for k, v in g.items() if k != "initial_lr"}, "optimizer settings")
              for g in state["param_groups"]]
    return {"param_groups": groups, "state": per_param}


def _check_allowed(estimator):
    name = type(estimator).__name__
    if ALLOWED_ESTIMATORS.get(name) is not type(estimator):
        raise TypeError(
            f"save supports the public sklearn_seq estimators; {type(estimator).__module__}."
            f"{type(estimator).__qualname__} is not one of them. Use pickle or joblib."
        )
    check_is_fitted(estimator)
    return name


def _fitted_state(estimator, params, skip=()):
    name = type(estimator).__name__
    fitted = {}
    declared = type(estimator)._fitted_attributes
    for key, value in vars(estimator).items():
        if key in params or key in skip or key.startswith("_sklearn"):
            continue
        if key not in declared:
            if not (key.endswith("_") or key.startswith("_")):
                continue  # not estimator state (e.g. a user's own attribute)
            raise TypeError(
                f"{name} has the fitted attribute {key!r}, which the safe format does "
                f"not know; declare it in {name}._fitted_attributes."
            )
        fitted[key] = _encode(value, f"fitted attribute {key!r}")
    return fitted


def _nested_document(estimator, tensors, include_optimizer):
    """A model holding fitted models of this package (``_nested_estimators``: parameter
    name -> fitted attribute), each stored as a whole document of its own, its
    tensors under the attribute's name."""
    name = _check_allowed(estimator)
    nested = type(estimator)._nested_estimators
    params = estimator.get_params(deep=False)
    encoded = {}
    for key, value in params.items():
        if key in nested and value is not None:
            if ALLOWED_ESTIMATORS.get(type(value).__name__) is not type(value):
                raise TypeError(
                    f"{name}'s {key} is a {type(value).__qualname__}; the safe format "
                    "stores models of this package only. Use pickle or joblib."
                )
            value = {"estimator": type(value).__name__, "params": {
                k: _encode(v, f"parameter {key}__{k}")
                for k, v in value.get_params(deep=False).items()
            }}
        encoded[key] = value if key in nested else _encode(value, f"parameter {key!r}")
    documents = {}
    for attribute in nested.values():
        inner = {}
        documents[attribute] = _document(getattr(estimator, attribute), inner, include_optimizer)
        tensors.update({f"{attribute}.{k}": v for k, v in inner.items()})
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "estimator": name,
        "versions": versions(),
        "params": encoded,
        "fitted": _fitted_state(estimator, params, skip=set(nested.values())),
        "nested": documents,
    }


def _document(estimator, tensors, include_optimizer):
    if getattr(type(estimator), "_nested_estimators", None):
        return _nested_document(estimator, tensors, include_optimizer)
    name = _check_allowed(estimator)
    params = estimator.get_params(deep=False)
    fitted = _fitted_state(estimator, params, skip={"net_"})
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


def _write(document, tensors, path):
    """Write ``document`` (JSON in the header) and ``tensors`` to ``path``, atomically."""
    from safetensors.torch import save_file

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
