"""The scikit-learn parts of a pipeline file, stored and read by skops with a trust list.

skops (the ``[skops]`` extra) writes an object as a zip archive whose ``schema.json``
names every type and function in it; ``skops.io.loads`` builds only what is trusted.
It trusts by default scikit-learn's estimators, numpy's and the built-in types, and
every numpy and scipy ufunc. This loader narrows the functions: a part may name
only the functions of ``DEFAULT_TRUSTED`` unless the caller trusts more, so a
``FunctionTransformer(func=numpy.log1p)`` loads and ``FunctionTransformer(numpy.sin)``
needs ``trusted=["numpy.sin"]``. Every check reads the schema as JSON: nothing from
the part is imported or built before it passes.
"""

import io
import json
import zipfile

from ._common import ModelFileError

# What a part may name beyond skops' default types without being trusted explicitly:
# numpy.dtype (which SimpleImputer and others keep, and skops does not trust by
# default), and the only functions trusted by default, elementwise numpy functions
# used as FunctionTransformer(func=..., inverse_func=...) for skewed features.
DEFAULT_TRUSTED = (
    "numpy.dtype",
    "numpy.absolute",
    "numpy.arcsinh",
    "numpy.cbrt",
    "numpy.exp",
    "numpy.expm1",
    "numpy.log",
    "numpy.log10",
    "numpy.log1p",
    "numpy.log2",
    "numpy.sign",
    "numpy.sinh",
    "numpy.sqrt",
    "numpy.square",
)

_MAX_SCHEMA_BYTES = 64 << 20


def _import_skops(what):
    try:
        import skops.io as sio
    except ImportError as exc:
        raise ImportError(
            f"{what} needs skops, which stores scikit-learn's own estimators without "
            "pickle: pip install 'sklearn-seq[skops]'."
        ) from exc
    return sio


def _schema_names(data, where):
    """The types and the functions the part's schema names, read as JSON only."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("schema.json")
            if info.file_size > _MAX_SCHEMA_BYTES:
                raise ValueError("its schema is too large")
            schema = json.loads(archive.read(info))
    except (zipfile.BadZipFile, KeyError, ValueError, RecursionError, OSError) as exc:
        raise ModelFileError(
            f"Invalid sklearn_seq model file: {where}: not a skops archive ({exc})"
        ) from None
    types, functions, stack = set(), set(), [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            module, name = node.get("__module__"), node.get("__class__")
            if isinstance(module, str) and isinstance(name, str):
                full = f"{module}.{name}"
                (functions if node.get("__loader__") == "FunctionNode" else types).add(full)
            stack.extend(node.values())
    root = f"{schema.get('__module__')}.{schema.get('__class__')}" if isinstance(
        schema, dict) else "?"
    return root, types, functions


def _skops_ufuncs():
    """The ufuncs skops trusts by default (a private list of skops': empty if it moves)."""
    try:
        from skops.io._trusted_types import NUMPY_UFUNC_TYPE_NAMES, SCIPY_UFUNC_TYPE_NAMES
    except ImportError:
        return set()
    return set(NUMPY_UFUNC_TYPE_NAMES) | set(SCIPY_UFUNC_TYPE_NAMES)


def dump_part(obj, where):
    """The skops bytes of ``obj``; a ``TypeError`` when it holds sklearn_seq objects."""
    sio = _import_skops(
        f"Saving the scikit-learn part {where} ({type(obj).__name__})"
    )
    data = sio.dumps(obj)
    _, types, functions = _schema_names(data, where)
    ours = sorted(n for n in types | functions if n.split(".")[0] == "sklearn_seq")
    if ours:
        raise TypeError(
            f"{where} is a {type(obj).__module__}.{type(obj).__qualname__} holding "
            f"sklearn_seq objects ({', '.join(ours[:3])}): the safe format stores "
            "sklearn_seq estimators directly in a Pipeline, FeatureUnion or "
            "ColumnTransformer only, not inside other scikit-learn objects. Use pickle "
            "or joblib for such a model, and load it only from a trusted source."
        )
    return data


def refused_names(data, trusted, where):
    """The names a part needs trusted beyond the defaults and ``trusted``, and the
    list to pass to skops."""
    sio = _import_skops("Loading the scikit-learn parts of this file")
    root, types, functions = _schema_names(data, where)
    try:
        untrusted = set(sio.get_untrusted_types(data=data))
    except Exception as exc:  # skops raises many kinds on a broken schema
        raise ModelFileError(
            f"Invalid sklearn_seq model file: {where}: unreadable skops archive ({exc})"
        ) from None
    # A ufunc named under another loader than skops' FunctionNode is a function too.
    functions = functions | (types & _skops_ufuncs())
    needed = (untrusted | functions) - set(DEFAULT_TRUSTED)
    return root, sorted(needed - set(trusted)), sorted(untrusted)


def load_part(data, skops_trusted, where):
    """Build a part whose names have all been checked by :func:`refused_names`."""
    sio = _import_skops("Loading the scikit-learn parts of this file")
    try:
        return sio.loads(data, trusted=skops_trusted)
    except Exception as exc:  # a consistent schema can still fail to build
        raise ModelFileError(
            f"Invalid sklearn_seq model file: {where}: the skops archive cannot be "
            f"loaded ({type(exc).__name__}: {exc})"
        ) from None
