"""Versions of the system, the dependencies and torch, for bug reports."""

import platform
import sys
from importlib.metadata import PackageNotFoundError, version

__all__ = ["show_versions"]

# Distribution names: the required dependencies, then the optional extras.
_DEPENDENCIES = (
    "sklearn-seq",
    "torch",
    "skorch",
    "scikit-learn",
    "numpy",
    "scipy",
    "pandas",
    "joblib",
    "safetensors",
    "tqdm",
    "polars",
    "matplotlib",
    "dask",
    "skops",
)


def _system_info():
    return {
        "python": sys.version.replace("\n", " "),
        "executable": sys.executable,
        "machine": platform.platform(),
    }


def _deps_info():
    """Installed version of each distribution, None when it is not installed."""
    info = {}
    for name in _DEPENDENCIES:
        try:
            info[name] = version(name)
        except PackageNotFoundError:
            info[name] = None
    return info


def _torch_info():
    import torch

    cuda = torch.cuda.is_available()
    return {
        "CUDA available": cuda,
        "CUDA version": torch.version.cuda,
        "GPUs": (
            ", ".join(torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count()))
            if cuda
            else None
        ),
        "threads": torch.get_num_threads(),
    }


def _print_section(title, info):
    print(f"\n{title}:")
    width = max(len(key) for key in info)
    for key, value in info.items():
        print(f"{key:>{width}}: {value}")


def show_versions():
    """Print the system, dependency and torch information for a bug report.

    The same report as :func:`sklearn.show_versions`, for the libraries
    sklearn-seq runs on: Python and the machine; the versions of sklearn-seq,
    torch, skorch, scikit-learn, numpy, scipy, pandas, joblib, safetensors and
    tqdm, and of the optional extras polars, matplotlib, dask and skops (None
    when not installed); whether torch sees a CUDA GPU, and how many threads it
    uses on the CPU.

    See Also
    --------
    sklearn.show_versions : The same report for scikit-learn.

    Examples
    --------
    >>> from sklearn_seq import show_versions
    >>> show_versions()  # doctest: +ELLIPSIS, +NORMALIZE_WHITESPACE
    <BLANKLINE>
    System:
        python: ...
    executable: ...
       machine: ...
    <BLANKLINE>
    Python dependencies:
     sklearn-seq: ...
           torch: ...
          skorch: ...
    scikit-learn: ...
    <BLANKLINE>
    torch:
    CUDA available: ...
        threads: ...
    """
    _print_section("System", _system_info())
    _print_section("Python dependencies", _deps_info())
    _print_section("torch", _torch_info())
