"""nnbook.setup: language, seeds, Korean font, no glyph warnings."""
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnbook  # noqa: E402
from nnbook.config import korean_font_path  # noqa: E402


def test_language_switch_and_tr():
    nnbook.setup(lang="ko")
    assert nnbook.get_lang() == "ko" and nnbook.tr("가", "a") == "가"
    nnbook.setup(lang="en")
    assert nnbook.tr("가", "a") == "a"
    with pytest.raises(ValueError, match="lang"):
        nnbook.setup(lang="fr")


def test_seeds_make_runs_repeat():
    import torch

    nnbook.setup(lang="en", seed=3)
    a = (np.random.rand(3), torch.rand(3))
    nnbook.setup(lang="en", seed=3)
    b = (np.random.rand(3), torch.rand(3))
    assert np.array_equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert torch.get_num_threads() == 2


def test_korean_font_ships_and_renders_without_glyph_warnings():
    assert korean_font_path() is not None and korean_font_path().name == "NanumGothic.ttf"
    nnbook.setup(lang="ko")
    assert matplotlib.rcParams["axes.unicode_minus"] is False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig, ax = plt.subplots()
        ax.set_title("합성곱 신경망 −1 -1 → 10² log₂")
        ax.plot([-1, 1])
        ax2 = fig.add_subplot(2, 1, 2)
        ax2.semilogy([1e-12, 1.0, 1e3])        # log-axis tick labels are mathtext with U+2212
        ax2.set_xlabel(r"시간 단계 $t$, $\|\partial L / \partial h_t\|$, $10^{-3}$")
        fig.canvas.draw()
        plt.close(fig)


def test_patched_font_draws_minus_and_leaves_arrows_to_dejavu():
    from fontTools.ttLib import TTFont

    from nnbook.config import _patched_font
    cmap = TTFont(str(_patched_font(korean_font_path()))).getBestCmap()
    original = TTFont(str(korean_font_path())).getBestCmap()
    assert 0x2212 not in original and cmap[0x2212] == cmap[0x2D]       # minus: the font's hyphen
    assert 0x2192 in original and 0x2192 not in cmap                   # "→": DejaVu Sans draws it
    assert 0xAC00 in cmap and cmap[0xD7A3] == original[0xD7A3]         # Hangul untouched


def test_fmt_time_matches_the_sanitize_pattern():
    import re
    from pathlib import Path

    cfg = (Path(__file__).parent / "sanitize.cfg").read_text()
    pattern = re.search(r"regex: (\\\[time.*)", cfg).group(1)
    assert re.fullmatch(pattern, nnbook.fmt_time(3.14159)) and nnbook.fmt_time(3.14159) == "[time: 3.1 s]"


def test_pad_counts_hangul_as_two_columns():
    from nnbook.config import display_width, pad

    assert display_width("합성곱") == 6 and display_width("conv") == 4
    rows = [pad(name, 10) + "|" for name in ["합성곱", "conv", "최대 풀링"]]
    assert len({display_width(r) for r in rows}) == 1          # the bars line up
    assert pad("가", 5, ">") == "   가" and pad("ab", 6, "^") == "  ab  " and pad("긴 이름입니다", 4) == "긴 이름입니다"
    with pytest.raises(ValueError):
        pad("x", 3, "left")


def test_setup_fixes_the_blas_threads():
    from threadpoolctl import threadpool_info

    nnbook.setup(lang="en", threads=1)
    assert all(pool["num_threads"] == 1 for pool in threadpool_info() if pool["user_api"] == "blas")
    nnbook.setup(lang="en")
    assert all(pool["num_threads"] == 2 for pool in threadpool_info() if pool["user_api"] == "blas")
