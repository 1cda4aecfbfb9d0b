"""The benchmark scripts stay runnable: each one's imports resolve and its command line parses.

They are not run here (they are timed scripts, not tests); ``--help`` imports every
module a script needs at its top and builds its argument parser.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import sklearn_seq

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
SCRIPTS = sorted(BENCHMARKS.glob("bench_*.py"))


def test_the_benchmark_folder_has_its_scripts():
    names = {p.name for p in SCRIPTS}
    assert {"bench_fit.py", "bench_predict.py", "bench_ragged.py", "bench_search.py",
            "bench_windowing.py", "bench_peers.py", "bench_forecast.py"} <= names


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_benchmark_script_parses_its_command_line(script):
    # The package as imported here, also where it is not installed.
    root = str(Path(sklearn_seq.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [root, *filter(None, [os.environ.get("PYTHONPATH")])])}
    done = subprocess.run([sys.executable, script.name, "--help"], cwd=BENCHMARKS, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    first_line = script.read_text().split('"""')[1].splitlines()[0]
    # argparse prints the docstring's first line as the description (rewrapped)
    assert " ".join(first_line.split()[:4]) in " ".join(done.stdout.split())


def test_bench_accuracy_times_its_fits_on_the_threads_it_was_given():
    # aeon's RocketClassifier (the ROCKET baseline) sets torch's OpenMP pool to all
    # the cores; the script's fits after it must still run on --threads.
    code = (
        "import numpy as np, torch\n"
        "torch.set_num_threads(1)\n"
        "import bench_accuracy as b\n"
        "lib, cls = b.rocket_class()\n"
        "rng = np.random.RandomState(0)\n"
        "X, y = rng.randn(10, 30, 1).astype(np.float32), np.arange(10) % 2\n"
        "b.rocket(cls, X, y, X, y, 0)\n"
        "print(lib, torch.get_num_threads())\n"
    )
    root = str(Path(sklearn_seq.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [root, *filter(None, [os.environ.get("PYTHONPATH")])])}
    done = subprocess.run([sys.executable, "-c", code], cwd=BENCHMARKS, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-2:] == ["aeon", "1"]
