"""sphinx-gallery hooks: the examples' saved figures, and the ``__file__`` they need.

The examples save their plots under ``examples/output/`` (and close the figures), so
sphinx-gallery's matplotlib scraper finds none: ``output_pngs`` adds the PNG files a
script wrote while it ran. sphinx-gallery runs scripts without ``__file__``, from
which the examples find ``examples/output/``: ``start_example`` provides it.
"""

import builtins
import shutil
import time
from pathlib import Path

from sphinx_gallery.scrapers import figure_rst

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
OUTPUT = EXAMPLES / "output"
_started = {"at": 0.0}


def start_example(gallery_conf, fname, when):
    """Before each example: note the time, and give the script its ``__file__``."""
    if when == "before":
        _started["at"] = time.time()
        builtins.__file__ = str(EXAMPLES / Path(fname).name)


def output_pngs(block, block_vars, gallery_conf):
    """The rST of the PNG files written under examples/output/ since the script began."""
    new = sorted((p for p in OUTPUT.glob("*.png") if p.stat().st_mtime >= _started["at"]),
                 key=lambda p: p.stat().st_mtime)
    images = []
    for png, target in zip(new, block_vars["image_path_iterator"]):
        shutil.copyfile(png, target)
        images.append(target)
    _started["at"] = time.time()  # a later block of the same script shows only its own
    return figure_rst(images, gallery_conf["src_dir"])
