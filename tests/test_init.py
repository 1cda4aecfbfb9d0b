"""The package namespace: public names only; show_versions for bug reports."""

import importlib.metadata
import json
import os
import subprocess
import sys
import types

import numpy as np
import pytest
import torch

import sklearn_seq

# The modules users import from (``from sklearn_seq.datasets import ...``).
PUBLIC_MODULES = {
    "anomaly",
    "base",
    "datasets",
    "forecasting",
    "inspection",
    "metrics",
    "nn",
    "plotting",
    "preprocessing",
    "recurrent",
    "seq2seq",
    "tagging",
    "text",
    "transformer",
    "utils",
}


def _is_dunder(name):
    return name.startswith("__") and name.endswith("__")


def test_dir_lists_the_public_names_and_modules():
    names = {name for name in dir(sklearn_seq) if not _is_dunder(name)}
    assert names == {n for n in sklearn_seq.__all__ if not _is_dunder(n)} | PUBLIC_MODULES
    assert "__version__" in dir(sklearn_seq) and "__version__" in sklearn_seq.__all__


def test_no_leaked_import_names():
    # importlib.metadata's helpers were reachable as sklearn_seq.version(), which raised.
    assert not hasattr(sklearn_seq, "version")
    assert not hasattr(sklearn_seq, "PackageNotFoundError")
    public = {name for name in vars(sklearn_seq) if not name.startswith("_")}
    assert public <= set(sklearn_seq.__all__) | PUBLIC_MODULES


def test_all_names_and_public_modules_resolve():
    for name in sklearn_seq.__all__:
        getattr(sklearn_seq, name)
    for name in PUBLIC_MODULES:
        module = getattr(sklearn_seq, name)
        assert isinstance(module, types.ModuleType)
        assert module.__name__ == f"sklearn_seq.{name}"
    with pytest.raises(AttributeError, match="module 'sklearn_seq' has no attribute 'versio'"):
        sklearn_seq.versio


def test_fresh_import_namespace_and_lazy_modules():
    # A fresh interpreter: nothing else has imported the submodules yet.
    code = (
        "import json, sklearn_seq\n"
        "names = sorted(n for n in dir(sklearn_seq) if not n.startswith('__'))\n"
        "sklearn_seq.datasets.make_sequence_classification(n_samples=4, random_state=0)\n"
        "print(json.dumps(names))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    expected = sorted({n for n in sklearn_seq.__all__ if not _is_dunder(n)} | PUBLIC_MODULES)
    assert json.loads(out.stdout) == expected


def test_version_is_the_installed_distributions():
    assert sklearn_seq.__version__ == importlib.metadata.version("sklearn-seq")


def _printed(out):
    """``name: value`` lines of show_versions' output as a dict."""
    return {
        key.strip(): value.strip()
        for key, _, value in (line.partition(":") for line in out.splitlines())
        if value.strip()
    }


def test_show_versions_prints_system_dependencies_and_torch(capsys):
    sklearn_seq.show_versions()
    out = capsys.readouterr().out
    lines = _printed(out)
    assert lines["python"].startswith(sys.version.split()[0])
    assert lines["executable"] == sys.executable
    assert "machine" in lines
    for name in ["sklearn-seq", "torch", "skorch", "scikit-learn", "numpy", "scipy",
                 "pandas", "polars", "matplotlib", "dask", "skops"]:
        assert lines[name] == importlib.metadata.version(name), name
    assert lines["sklearn-seq"] == sklearn_seq.__version__
    assert lines["numpy"] == np.__version__
    assert lines["CUDA available"] == str(torch.cuda.is_available())
    assert lines["threads"] == str(torch.get_num_threads())
    assert out.index("System:") < out.index("Python dependencies:") < out.index("torch:")


def test_show_versions_says_none_for_a_missing_extra(capsys, monkeypatch):
    from sklearn_seq.utils import _show_versions

    real = importlib.metadata.version

    def version(name):
        if name == "skops":
            raise importlib.metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(_show_versions, "version", version)
    sklearn_seq.show_versions()
    lines = _printed(capsys.readouterr().out)
    assert lines["skops"] == "None"
    assert lines["torch"] == torch.__version__
