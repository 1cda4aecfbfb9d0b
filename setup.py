"""The package's one compiled part: the GRU layer's per-step loops (C, no torch headers).

Everything else is in pyproject.toml. The extension is optional: without a C compiler
the install still succeeds and the GRU runs the same loops in Python (slower at small
sizes, same numbers).
"""

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

# Lets the compiler vectorise the float32 gate loops; the code sets no floating-point
# trap and reads no errno.
_UNIX_FLAGS = ["-O3", "-fno-trapping-math", "-fno-math-errno"]


class _BuildExt(build_ext):
    def build_extensions(self):
        if self.compiler.compiler_type == "unix":
            for ext in self.extensions:
                ext.extra_compile_args = _UNIX_FLAGS
                ext.libraries = ["m"]
        super().build_extensions()


setup(
    ext_modules=[
        Extension("sklearn_seq.nn._gru_loops", ["sklearn_seq/nn/_gru_loops.c"], optional=True)
    ],
    cmdclass={"build_ext": _BuildExt},
)
