"""``save`` and ``load``: one estimator, or a pipeline of them and scikit-learn's."""

import re
import warnings

from sklearn.exceptions import InconsistentVersionWarning as _SklearnVersionWarning
from sklearn.utils.validation import check_is_fitted

from ._common import (
    ALLOWED_ESTIMATORS,
    FORMAT,
    PIPELINE_FORMAT_VERSION,
    ModelFileError,
    _fail,
    _warn_if_other_version,
    versions,
)
from ._composite import CONTAINERS, Reader, Writer, _has_network
from ._load import _load_document, _read
from ._save import _document, _write
from ._skops import refused_names

_SKOPS_TENSOR = re.compile(r"^(0|[1-9][0-9]{0,8})\.skops$")


def save(estimator, path, *, include_optimizer=True):
    """Save a fitted estimator, transformer or pipeline to ``path`` in the safe format.

    Parameters
    ----------
    estimator : estimator instance
        A fitted public sklearn_seq estimator or transformer, or a fitted
        ``Pipeline``, ``FeatureUnion`` or ``ColumnTransformer`` (nested in any
        way) of them and of scikit-learn's own estimators. The sklearn_seq parts
        are stored as JSON and safetensors; every other part through skops (the
        ``[skops]`` extra), inside the same file.
    path : str or path-like
        The file to write (replaced atomically: a reader never sees half a file).
    include_optimizer : bool, default=True
        Also store the optimizers' state, so that ``warm_start`` or
        ``partial_fit`` after loading continue exactly where training stopped.

    Raises
    ------
    TypeError
        For a parameter that is not plain data (e.g. a callable ``tokenizer``),
        a sklearn_seq estimator held inside another scikit-learn object than
        these three containers, or a ``Pipeline`` with ``memory``: use pickle or
        joblib for such a model.
    ImportError
        When a part is not sklearn_seq's and skops is not installed.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import FunctionTransformer
    >>> import sklearn_seq
    >>> from sklearn_seq import GRUClassifier, SequenceScaler
    >>> X, y = np.random.RandomState(0).rand(12, 5, 2), [0, 1] * 6
    >>> pipe = make_pipeline(FunctionTransformer(np.log1p), SequenceScaler(),
    ...                      GRUClassifier(hidden_size=4, max_iter=2, random_state=0))
    >>> pipe = pipe.fit(X, y)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     sklearn_seq.save(pipe, os.path.join(folder, "pipe.skseq"))
    ...     loaded = sklearn_seq.load(os.path.join(folder, "pipe.skseq"))
    >>> bool((loaded.predict_proba(X) == pipe.predict_proba(X)).all())
    True
    """
    cls = type(estimator)
    if ALLOWED_ESTIMATORS.get(cls.__name__) is cls and _has_network(cls):
        tensors = {}
        document = _document(estimator, tensors, include_optimizer)
        return _write(document, tensors, path)
    if not (CONTAINERS.get(cls.__name__) is cls or ALLOWED_ESTIMATORS.get(cls.__name__) is cls):
        raise TypeError(
            f"save supports the public sklearn_seq estimators and transformers, and "
            f"Pipeline, FeatureUnion and ColumnTransformer; {cls.__module__}."
            f"{cls.__qualname__} is not one of them. Use skops.io.dump for scikit-learn's "
            "own estimators, or pickle or joblib."
        )
    check_is_fitted(estimator)
    writer = Writer(include_optimizer)
    root = writer.part(estimator, cls.__name__)
    recorded = versions()
    if any(key.endswith(".skops") for key in writer.tensors):
        import skops

        recorded["skops"] = skops.__version__
    document = {"format": FORMAT, "format_version": PIPELINE_FORMAT_VERSION,
                "versions": recorded, "root": root}
    _write(document, writer.tensors, path)


def load(path, *, device=None, trusted=None):
    """Load a model saved by :func:`save`, without running code from the file.

    Parameters
    ----------
    path : str or path-like
        A file written by :func:`save` (or ``estimator.save``).
    device : str, default=None
        Device to load the networks on. None: the device each was trained on
        when it is available here, else the CPU (with a ``DeviceWarning``).
    trusted : list of str, default=None
        For the scikit-learn parts of a pipeline file: types and functions to
        trust beyond the defaults, by the names the error lists (as
        ``skops.io.get_untrusted_types`` gives them). Trusted by default:
        scikit-learn's estimators, numpy's and the built-in types (skops'
        defaults, and ``numpy.dtype``) and the numpy functions ``absolute``, ``arcsinh``, ``cbrt``,
        ``exp``, ``expm1``, ``log``, ``log10``, ``log1p``, ``log2``, ``sign``,
        ``sinh``, ``sqrt`` and ``square``. Trust only names you know: loading a
        trusted function or class can run its code.

    Returns
    -------
    estimator : estimator instance
        The fitted estimator or pipeline, predicting as the saved one did.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist (the message names it).
    IsADirectoryError
        When ``path`` is a directory: pass the file inside it.
    ModelFileError
        (a ``ValueError``) for a file that is not a sklearn_seq model file (the
        message says what it is: a joblib/pickle file, compressed or not, a
        ``torch.save`` archive, another safetensors file), is truncated, holds
        unexpected keys, types, classes or weights, or whose scikit-learn parts
        name types or functions that are not trusted (the message lists them;
        nothing of the file is built then).

    Warns
    -----
    InconsistentVersionWarning
        When the file was saved with another sklearn_seq version (or, for a
        pipeline, another scikit-learn version).
    """
    trusted = _check_trusted(trusted)
    document, tensors = _read(path)
    if "root" not in document:
        return _load_document(document, tensors, device)
    if set(document) != {"format", "format_version", "versions", "root"}:
        _fail("header", f"unexpected keys {sorted(document)[:8]}")
    if document["format"] != FORMAT or document["format_version"] != PIPELINE_FORMAT_VERSION:
        _fail("format_version", f"{document['format_version']!r:.20}; this sklearn_seq reads "
                                f"pipeline files of version {PIPELINE_FORMAT_VERSION}")
    skops_trusted = _audit(tensors, trusted)
    if not isinstance(document["versions"], dict):
        _fail("versions", "expected a JSON object")
    _warn_if_other_versions(document)
    reader = Reader(tensors, device, skops_trusted)
    estimator = reader.part(document["root"], "root", 0)
    stray = sorted(k for k in tensors if k.split(".")[0] not in {str(i) for i in reader.used})
    if stray:
        _fail("weights", f"unexpected tensors {stray[:5]}")
    return estimator


def _check_trusted(trusted):
    if trusted is None:
        return []
    if isinstance(trusted, str) or not all(isinstance(t, str) for t in trusted):
        raise TypeError(
            f"trusted must be a list of names such as ['numpy.sin'], got {trusted!r:.80}"
        )
    return list(trusted)


def _audit(tensors, trusted):
    """Check every skops part before anything is built: part id -> the list for skops."""
    checked, refused = {}, []
    for key, tensor in tensors.items():
        if not key.endswith(".skops"):
            continue
        if not _SKOPS_TENSOR.match(key) or tensor.dtype.is_floating_point or tensor.ndim != 1:
            _fail("weights", f"unexpected tensor {key!r:.60}")
        root, missing, skops_trusted = refused_names(
            tensor.numpy().tobytes(), trusted, f"part {key}"
        )
        if missing:
            refused.append((root, missing))
        checked[int(key.split(".")[0])] = skops_trusted
    if refused:
        names = sorted({n for _, missing in refused for n in missing})
        parts = "; ".join(f"{root}: {', '.join(m)}" for root, m in sorted(refused))
        raise ModelFileError(
            f"The scikit-learn parts of this file name types or functions that are not "
            f"trusted by default ({parts}). Loading them can run their code, so nothing "
            "was loaded. If you trust this file's source and these names, pass them: "
            f"sklearn_seq.load(path, trusted={names!r})."
        )
    return checked


def _warn_if_other_versions(document):
    import sklearn

    saved = document["versions"]
    name = document["root"].get("kind") if isinstance(document["root"], dict) else None
    _warn_if_other_version(str(name), saved)
    if saved.get("sklearn") != sklearn.__version__:
        warnings.warn(
            _SklearnVersionWarning(
                estimator_name=str(name),
                current_sklearn_version=sklearn.__version__,
                original_sklearn_version=str(saved.get("sklearn")),
            ),
            stacklevel=3,
        )
