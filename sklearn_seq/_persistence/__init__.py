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

A fitted ``Pipeline``, ``FeatureUnion`` or ``ColumnTransformer`` of these and of
scikit-learn's estimators, or one of the package's transformers, is saved as a
tree of parts (``_composite``): the containers and the package's parts as JSON and
safetensors, scikit-learn's parts through skops inside the same file, built at load
only when every type and function they name is trusted (``_skops``).

Pickle and joblib stay supported (the estimators record their versions in the
pickle, see :func:`add_versions`), but loading a pickle runs code: only load
pickles you trust.

The package's modules: ``_common`` (constants, errors, versions, the registry of
classes), ``_json`` (the tagged JSON vocabulary), ``_save`` and ``_load`` (one
estimator's document), ``_composite``, ``_skops`` and ``_files`` (``save``, ``load``).
"""

from ._common import (
    ALLOWED_ESTIMATORS,
    FITTED_KINDS,
    FORMAT,
    FORMAT_VERSION,
    PIPELINE_FORMAT_VERSION,
    InconsistentVersionWarning,
    ModelFileError,
    add_versions,
    register,
    restore_state,
    versions,
)
from ._files import load, save
from ._skops import DEFAULT_TRUSTED

__all__ = [
    "ALLOWED_ESTIMATORS",
    "DEFAULT_TRUSTED",
    "FITTED_KINDS",
    "FORMAT",
    "FORMAT_VERSION",
    "PIPELINE_FORMAT_VERSION",
    "InconsistentVersionWarning",
    "ModelFileError",
    "add_versions",
    "load",
    "register",
    "restore_state",
    "save",
    "versions",
]
