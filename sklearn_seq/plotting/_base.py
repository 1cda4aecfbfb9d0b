"""What every display uses: the axes to draw on, a Pipeline's final step, and a
font for CJK tick labels."""

import re
import warnings

from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ..utils._validation import user_stacklevel


def _pyplot(caller):
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            f"{caller} needs matplotlib: pip install matplotlib "
            '(or pip install "sklearn-seq[plot]").'
        ) from exc
    return plt


def _axes(ax, caller):
    plt = _pyplot(caller)
    if ax is None:
        _, ax = plt.subplots()
    return ax


def _final_estimator(estimator, X=None):
    """The estimator that computes, and ``X`` as it reaches it.

    For a Pipeline (nested ones too), its last step and ``X`` transformed by the
    steps before it; otherwise ``estimator`` and ``X`` unchanged.
    """
    check_is_fitted(estimator)
    while isinstance(estimator, Pipeline):
        if X is not None and len(estimator.steps) > 1:
            X = estimator[:-1].transform(X)
        estimator = estimator[-1]
    return estimator, X


def _rows(ax, n, caller, height=1.2, width=8.0):
    """``n`` Axes stacked vertically: a new figure's when ``ax`` is None, else
    ``ax`` itself (``n == 1``) or the space of ``ax`` split into ``n`` rows."""
    if ax is None:
        _, axes = _pyplot(caller).subplots(n, 1, figsize=(width, 0.8 + height * n), squeeze=False,
                                 layout="constrained")
        return list(axes[:, 0])
    ax = _axes(ax, caller)
    if n == 1:
        return [ax]
    grid = ax.get_subplotspec().subgridspec(n, 1)
    fig = ax.figure
    ax.remove()
    return [fig.add_subplot(cell) for cell in grid]


# Characters of Chinese, Japanese and Korean text (ideographs, kana, hangul, their
# punctuation and full-width forms), which matplotlib's default font lacks.
_CJK = re.compile(
    "[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"
)

# Fonts that cover CJK text, in order of preference, as they are named on Linux,
# macOS and Windows.
_CJK_FAMILIES = (
    "Noto Sans CJK JP", "Noto Sans CJK SC", "Noto Sans CJK TC", "Noto Sans CJK KR",
    "Source Han Sans", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback",
    "AR PL UMing CN", "IPAexGothic", "IPAGothic", "PingFang SC", "Hiragino Sans",
    "Apple SD Gothic Neo", "Microsoft YaHei", "SimHei", "Malgun Gothic", "Arial Unicode MS",
)

_warned_cjk = []


def _cjk_font():
    """The name of an installed font that covers CJK text, or None."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in _CJK_FAMILIES:
        if name in installed:
            return name
    return next((name for name in sorted(installed) if "CJK" in name), None)


def _text_font(labels):
    """Font properties for tick labels ``labels``: matplotlib's font, falling back
    to an installed CJK font when a label holds CJK text; None when no change is
    needed. Warns once when CJK text has no font to show it."""
    if not any(_CJK.search(str(label)) for label in labels):
        return None
    font = _cjk_font()
    if font is None:
        if not _warned_cjk:
            _warned_cjk.append(True)
            warnings.warn(
                "The tokens hold Chinese, Japanese or Korean text, but no installed font "
                "covers it, so it shows as empty boxes. Install one (e.g. Noto Sans CJK: "
                "apt-get install fonts-noto-cjk, or the OS's own CJK fonts), then delete "
                "matplotlib's font cache (the fontlist-*.json files in "
                "matplotlib.get_cachedir()) so that matplotlib finds it.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        return None
    from matplotlib import rcParams

    return {"family": [*rcParams["font.family"], font]}


def _token_ticks(ax, tokens):
    """``tokens`` as the x tick labels of ``ax``, one per column, readable (turned
    when there are many, in a CJK font where needed)."""
    font = _text_font(tokens)
    # Turned only when crowded: every column is as wide as the others, and about 65
    # characters fit across a row (a CJK one is two wide), with a space between.
    widest = max((len(str(t)) + len(_CJK.findall(str(t))) for t in tokens), default=0)
    turned = (widest + 1) * len(tokens) > 65
    ax.set_xticks(range(len(tokens)), [str(t) for t in tokens],
                  rotation=60 if turned else 0, ha="right" if turned else "center",
                  rotation_mode="anchor", fontproperties=None if font is None else font)
