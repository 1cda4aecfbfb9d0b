"""The file format's constants, errors, versions and the registry of the classes a file may name."""

import re
import warnings

import numpy as np
import torch
from sklearn.exceptions import InconsistentVersionWarning as _SklearnVersionWarning
from sklearn.preprocessing import LabelEncoder

from .. import _version


FORMAT = "sklearn-seq-model"
FORMAT_VERSION = 1  # a file holding one estimator with a network
# A file holding a pipeline or a transformer (earlier releases refuse it).
PIPELINE_FORMAT_VERSION = 2



def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_float_list(value):
    return isinstance(value, list) and all(_is_number(v) for v in value)


# The kinds of value a fitted attribute may hold, each with its test; each estimator
# class declares its fitted attributes with their kinds in ``_fitted_attributes``
# (merged through its hierarchy, as ``_parameter_constraints`` are), and the format
# saves and loads exactly those.
FITTED_KINDS = {
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "bool": lambda v: isinstance(v, bool),
    "str": lambda v: isinstance(v, str),
    "str_or_number": lambda v: isinstance(v, str) or _is_number(v),
    "array": lambda v: isinstance(v, np.ndarray),
    "array_or_none": lambda v: v is None or isinstance(v, np.ndarray),
    "dict": lambda v: isinstance(v, dict),
    "list": lambda v: isinstance(v, list),
    "label_encoder": lambda v: isinstance(v, LabelEncoder),
    "float_or_none": lambda v: v is None or _is_number(v),
    "float_list": _is_float_list,
    "float_list_or_none": lambda v: v is None or _is_float_list(v),
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


def _fail(where, message):
    raise ModelFileError(f"Invalid sklearn_seq model file: {where}: {message}")


def _estimator_class(name):
    if not isinstance(name, str) or name not in ALLOWED_ESTIMATORS:
        _fail(
            "estimator",
            f"{name!r:.60} is not one of the sklearn_seq estimators this format loads "
            f"({', '.join(sorted(ALLOWED_ESTIMATORS))})",
        )
    return ALLOWED_ESTIMATORS[name]
