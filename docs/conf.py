"""Sphinx configuration of the sklearn-seq documentation.

Build it from the repository's root (README.md, "Documentation"):

    python -m sphinx -W -b html -D plot_gallery=0 docs docs/_build/html   # CI: no example runs
    python -m sphinx -b html docs docs/_build/html                        # runs every example

The pages are the project's Markdown files (read by myst-parser, never copied), the
API reference generated from the docstrings (autosummary, numpydoc) and the gallery
built from ``examples/`` (sphinx-gallery).
"""

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the package of this checkout, not an installed one
sys.path.insert(0, str(HERE / "_ext"))

import sklearn_seq  # noqa: E402

project = "sklearn-seq"
author = "The sklearn-seq developers"
copyright = "The sklearn-seq developers"
release = version = sklearn_seq.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
# `name` in a docstring is code, as in scikit-learn's documentation.
default_role = "literal"
templates_path = ["_templates"]
exclude_patterns = ["_build", "_templates", "_ext", "auto_examples/*.ipynb",
                    "auto_examples/*.py", "auto_examples/*.zip"]

# Markdown: the headings' {#id} anchors of the user guide, $math$, ::: fences.
myst_enable_extensions = ["attrs_block", "attrs_inline", "colon_fence", "dollarmath"]
myst_heading_anchors = 3

# API reference: one page per public name, numpydoc sections.
autosummary_generate = True
autodoc_default_options = {"members": True}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# "fit()" in the contents of a page, not "LSTMClassifier.fit()".
toc_object_entries_show_parents = "hide"

html_theme = "pydata_sphinx_theme"
html_title = f"sklearn-seq {release}"
html_static_path = ["_static"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 5,
}
# No left column on the single pages: their contents are on the right.
html_sidebars = {page: [] for page in ("index", "getting_started", "user_guide", "benchmarks",
                                        "reliability", "gpu_dask", "developer_guide")}

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Every script runs when the gallery is built (the default runs only plot_*.py).
    "filename_pattern": r"\.py$",
    # The scripts save their figures under examples/output/ and close them; the
    # gallery shows the files each script wrote.
    "image_scrapers": ("gallery_hooks.output_pngs",),
    "reset_modules": ("matplotlib", "gallery_hooks.start_example"),
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "within_subsection_order": "FileNameSortKey",
}


# The guides mark their headings' anchors as `## Title {#id}` (Pandoc's syntax, which
# myst-parser does not read): turn each into a MyST target above the heading, so that
# `[...](#id)` links and {ref}`...<id>` roles resolve, and no `{#id}` is shown.
_ANCHOR = re.compile(r"^(#{1,6} .*?) \{#([\w-]+)\}[ \t]*$", re.MULTILINE)


# Sphinx's own pages take these names: such an anchor gets the page's name in front.
_RESERVED = {"genindex", "modindex", "py-modindex", "search"}


def _heading_anchors(app, docname, source):
    def target(match):
        name = match[2] if match[2] not in _RESERVED else f"{docname}-{match[2]}"
        return f"({name})=\n{match[1]}"

    source[0] = _ANCHOR.sub(target, source[0])


def _skip_metadata_routing(app, what, name, obj, skip, options):
    # scikit-learn's metadata-routing methods (set_fit_request, ...): documented there,
    # with references to scikit-learn's own pages.
    if name == "get_metadata_routing" or re.fullmatch(r"set_\w+_request", name):
        return True
    return None


def setup(app):
    app.connect("source-read", _heading_anchors)
    app.connect("autodoc-skip-member", _skip_metadata_routing)
