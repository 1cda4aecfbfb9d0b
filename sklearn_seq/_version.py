"""The installed version of sklearn-seq (read by the package and its file format)."""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("sklearn-seq")
except _metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"
