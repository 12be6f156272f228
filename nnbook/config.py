"""One set-up call for every notebook: language, seeds, threads, figure style, Korean font.

    import nnbook
    nnbook.setup(lang="ko")      # the only line that differs between a chapter's twins

After it, `nnbook.tr(ko=..., en=...)` picks the text of the notebook's language, so figure
labels drawn by nnbook come out in Korean or English.
"""
import contextlib
import unicodedata
import importlib.util
import os
import random
from pathlib import Path

import numpy as np

__all__ = ["setup", "tr", "get_lang", "seed_everything", "korean_font_path", "fmt_time", "num_threads", "one_thread",
           "count_params", "display_width", "pad"]

LANGUAGES = ("ko", "en")
_state = {"lang": "en"}


def get_lang():
    """The language set by `setup`: "ko" or "en"."""
    return _state["lang"]


def set_lang(lang):
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, got {lang!r}")
    _state["lang"] = lang


def tr(ko, en):
    """The Korean or the English text, whichever the notebook's language is."""
    return ko if _state["lang"] == "ko" else en


def seed_everything(seed=0):
    """Seed Python's, NumPy's and (if installed) PyTorch's random generators."""
    random.seed(seed)
    np.random.seed(seed)
    try:
        import torch
    except ImportError:
        return
    torch.manual_seed(seed)


def korean_font_path():
    """Path of NanumGothic (OFL), shipped inside the koreanize-matplotlib package.

    The package's own import pulls in `distutils` (gone in Python 3.12), so we only read its
    font file and never import it.
    """
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        for path in sorted(Path(root).rglob("NanumGothic*.ttf")):
            if path.stem == "NanumGothic":
                return path
    return None


# NanumGothic's glyphs for these are drawn tiny or out of place (arrows, super- and subscript
# digits, the partial sign); DejaVu Sans, the fallback font, draws them instead.
_LEFT_TO_FALLBACK = [*range(0x2190, 0x2200), 0x00B2, 0x00B3, 0x00B9, *range(0x2070, 0x20A0), 0x2202]


def _patched_font(font):
    """NanumGothic with two changes, cached in ~/.cache/nnbook.

    - U+2212 (minus) is drawn as the font's own hyphen. NanumGothic has no U+2212, and matplotlib's
      mathtext (log-axis tick labels such as 10^-3) always draws that character, whatever
      `axes.unicode_minus` says; this keeps every label in one font, with no missing-glyph warning.
    - The characters of `_LEFT_TO_FALLBACK` (such as "→" and "²") are taken out of its character
      map, so matplotlib draws them with the next font of `font.family`, DejaVu Sans.
    """
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "nnbook"
    target = cache / f"{font.stem}-nnbook2-{font.stat().st_size}.ttf"
    if target.exists():
        return target
    from fontTools.ttLib import TTFont

    ttf = TTFont(str(font))
    for table in ttf["cmap"].tables:
        if table.isUnicode() and 0x2D in table.cmap:
            table.cmap.setdefault(0x2212, table.cmap[0x2D])
            for code in _LEFT_TO_FALLBACK:
                table.cmap.pop(code, None)
    cache.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    ttf.save(str(tmp))
    os.replace(tmp, target)     # atomic: parallel notebooks may build it at the same time
    return target


def _setup_matplotlib():
    import matplotlib
    from matplotlib import font_manager

    font = korean_font_path()
    family = ["DejaVu Sans"]
    if font is not None:
        font = _patched_font(font)
        font_manager.fontManager.addfont(str(font))
        # NanumGothic for every label (Hangul, Latin, and the text of mixed "$h_t$ 은닉 상태"
        # mathtext strings); DejaVu Sans as the per-glyph fallback.
        family = [font_manager.FontProperties(fname=str(font)).get_name(), "DejaVu Sans"]
    matplotlib.rcParams.update({
        "font.family": family,
        "axes.unicode_minus": False,   # plain "-" in tick labels, as the brief of the book asks
        "figure.dpi": 80,
        "savefig.dpi": 80,
        "figure.figsize": (6.4, 3.6),
        "axes.grid": False,
        "image.cmap": "viridis",
        "svg.hashsalt": "nnbook",
    })


def setup(lang="en", seed=0, threads=2):
    """Prepare a notebook: language of labels, seeds, CPU threads, figure style, font.

    lang: "ko" or "en". seed: for Python, NumPy and PyTorch. threads: how many CPU threads PyTorch
    and NumPy's BLAS use, whatever the reader's machine has, so that a result's summation order, and
    with it every printed digit, does not depend on the number of cores (one_thread() narrows it to 1
    for the trainings).
    """
    set_lang(lang)
    os.environ.setdefault("TQDM_DISABLE", "1")
    seed_everything(seed)
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(True, warn_only=True)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        pass
    else:
        threadpool_limits(limits=threads, user_api="blas")   # stays in force for the whole kernel
    _setup_matplotlib()
    return None


def fmt_time(seconds):
    """A timing as the book prints it, e.g. '[time: 3.2 s]'.

    Timings differ from run to run, so nbval's sanitize file (tests/sanitize.cfg) masks exactly
    this form; every other number a cell prints is compared.
    """
    return f"[time: {seconds:.1f} s]"


@contextlib.contextmanager
def num_threads(n):
    """Run PyTorch and NumPy's BLAS on n CPU threads inside the block, then restore the settings.

    n=None leaves both as they are. See `one_thread` for why the book's trainings use n=1.
    """
    if n is None:
        yield
        return
    import torch

    old = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:                      # without threadpoolctl only PyTorch is limited
        limits = contextlib.nullcontext()
    else:
        limits = threadpool_limits(limits=n, user_api="blas")
    try:
        with limits:
            yield
    finally:
        torch.set_num_threads(old)


def one_thread():
    """Run PyTorch and NumPy's BLAS on one CPU thread inside the block, then restore the settings.

    The book's trainings use tiny matrices: splitting them over threads costs more in
    synchronisation than it saves, and on a busy machine a second thread that has to wait for a
    core makes every step many times slower. One thread also makes the summation order, hence
    every printed digit, independent of the machine's thread count.
    Use it as `with one_thread(): ...` or as a decorator `@one_thread()`.
    """
    return num_threads(1)


def count_params(model):
    """Number of trainable numbers in a PyTorch model (every weight and bias entry)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def display_width(text):
    """Columns `text` takes in a fixed-width font: Hangul and other wide characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def pad(text, width, align="<"):
    """`text` padded with spaces to `width` display columns (Hangul counts 2), for printed tables.

    f"{name:<8}" counts characters, so a column of Korean names misaligns; pad(name, 8) does not.
    align: "<" left, ">" right, "^" centre. Text wider than `width` is returned unchanged.
    """
    if align not in "<>^" or len(align) != 1:
        raise ValueError(f"pad: align must be '<', '>' or '^', got {align!r}")
    text = str(text)
    gap = max(0, width - display_width(text))
    if align == "<":
        return text + " " * gap
    if align == ">":
        return " " * gap + text
    return " " * (gap // 2) + text + " " * (gap - gap // 2)
