"""The API reference (docs/api.rst) lists every public name of the package."""

import importlib
import re
from pathlib import Path

import pytest

import sklearn_seq

API = Path(__file__).resolve().parents[1] / "docs" / "api.rst"
# Public modules beyond the package's lazily loaded ones.
EXTRA_MODULES = ["utils.estimator_checks", "utils.discovery"]


def documented():
    """``module.name`` of each autosummary entry, and the names in ``code`` text."""
    entries, module = set(), None
    text = API.read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith(".. currentmodule:: "):
            module = line.split()[-1]
        elif re.fullmatch(r"   \w+", line):
            entries.add(f"{module}.{line.strip()}")
    return entries, set(re.findall(r"``(\w+)``", text))


def public_names():
    """``(module, name)`` for each name in the ``__all__`` of the package's modules."""
    names = [("sklearn_seq", n) for n in sklearn_seq.__all__ if n != "__version__"]
    for sub in [*sklearn_seq._submodules, *EXTRA_MODULES]:
        module = importlib.import_module(f"sklearn_seq.{sub}")
        names += [(module.__name__, n) for n in getattr(module, "__all__", [])]
    if not hasattr(importlib.import_module("sklearn_seq.utils.discovery"), "__all__"):
        names.append(("sklearn_seq.utils.discovery", "all_estimators"))
    return names


@pytest.mark.parametrize("module, name", public_names())
def test_every_public_name_is_in_the_api_reference(module, name):
    entries, literals = documented()
    obj = getattr(importlib.import_module(module), name)
    # A name exported by the package itself is documented there, once.
    where = "sklearn_seq" if getattr(sklearn_seq, name, None) is obj else module
    if name.isupper():  # constants are named in the text of their section
        assert name in literals, f"{module}.{name} is not named in docs/api.rst"
    else:
        assert f"{where}.{name}" in entries, f"{where}.{name} is missing from docs/api.rst"


def test_the_reader_finds_entries_and_constants():
    entries, literals = documented()
    assert {"sklearn_seq.LSTMClassifier", "sklearn_seq.datasets.load_airline"} <= entries
    assert "PAD_ID" in literals
