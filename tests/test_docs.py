"""Every Python block of the README and the user guide runs, in order, as pasted.

Each file's blocks share one namespace (a reader pastes them one after the other
into one session), run in a temporary working directory with matplotlib's Agg
backend. ```bash blocks are not run. A block of ``>>>`` lines runs as a doctest in
that namespace, its output checked, as pytest's ``--doctest-glob`` does.
"""

import doctest
import re
from pathlib import Path

import matplotlib
import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ["README.md", "docs/user_guide.md"]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def python_blocks(path):
    """``(line of the block's first line, code)`` for each ```python block."""
    text = path.read_text(encoding="utf-8")
    for match in BLOCK.finditer(text):
        yield text.count("\n", 0, match.start(1)) + 1, match.group(1)


def run_doctest(code, namespace, name, lineno):
    test = doctest.DocTestParser().get_doctest(code, namespace, name, name, lineno - 1)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test, clear_globs=False)
    namespace.update(test.globs)
    return runner.failures


def test_blocks_are_found():
    blocks = {doc: list(python_blocks(ROOT / doc)) for doc in DOCS}
    assert len(blocks["README.md"]) >= 3
    assert len(blocks["docs/user_guide.md"]) >= 8
    assert all(code.strip() for found in blocks.values() for _, code in found)


@pytest.mark.parametrize("doc", DOCS)
def test_python_blocks_run_in_order(doc, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # for any worker process a block starts
    matplotlib.use("Agg")
    path = ROOT / doc
    namespace = {"__name__": "__main__"}
    for lineno, code in python_blocks(path):
        if code.lstrip().startswith(">>>"):
            assert run_doctest(code, namespace, str(path), lineno) == 0, (
                f"the doctest block at {doc}:{lineno} failed (output above)"
            )
        else:
            # Padding keeps the line numbers of a traceback those of the Markdown file.
            exec(compile("\n" * (lineno - 1) + code, str(path), "exec"), namespace)
    import matplotlib.pyplot as plt

    plt.close("all")
