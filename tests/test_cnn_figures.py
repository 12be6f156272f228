"""nnbook.cnn.theory_figures: every figure draws, is titled in the notebook's language, and shows the right numbers."""
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib import ft2font  # noqa: E402

import nnbook  # noqa: E402
from nnbook.cnn import theory_figures as cf  # noqa: E402
from nnbook.cnn import images as im  # noqa: E402
from nnbook.config import korean_font_path, set_lang  # noqa: E402

nnbook.setup(lang="en")

HANGUL = re.compile(r"[\uac00-\ud7a3]")
X5 = np.array([[1, 2, 0, 1, 3], [0, 1, 3, 2, 1], [2, 1, 0, 1, 0], [1, 0, 2, 3, 1], [3, 1, 1, 0, 2]], float)
W3 = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]], float)


def all_figures():
    img = im.toy_image()
    photo = im.load_photo()
    ks = [im.sobel_kernel("x"), im.sobel_kernel("y")]
    maps = [im.filter_image(img, k) for k in ks]
    x = np.arange(16, dtype=float).reshape(4, 4)
    return {
        "architecture": cf.architecture_figure([("input", (1, 8, 8)), ("conv", (4, 8, 8)), ("pool", (4, 4, 4)),
                                                ("flatten", (64,)), ("fc", (10,)), ("softmax", (10,))],
                                               image=np.eye(8), classes=list(range(10))),
        "channels": cf.channels_figure(np.random.default_rng(0).random((10, 12, 3))),
        "bank": cf.filter_bank_figure(),
        "stride": cf.stride_padding_figure(),
        "fmap": cf.feature_map_figure(img, ks, maps, [np.maximum(m, 0) for m in maps], ["a", "b"]),
        "pool": cf.pooling_figure(x, np.array([[5, 7], [13, 15.]]), np.array([[2.5, 4.5], [10.5, 12.5]])),
        "rf": cf.receptive_field_figure(),
        "step": cf.conv_step_figure(X5, W3, im.filter_image(X5, W3), 1, 2),
        "row": cf.image_row([img, maps[0]], ["a", "b"], nnbook.tr("제목", "title"), signed=[False, True]),
        "gallery": cf.filter_gallery_figure(photo, ks, [im.filter_image(photo, k) for k in ks], ["x", "y"]),
        "explorer": cf.conv_arithmetic_frame(6, 3, 2, 1)[0],
        "explorer_k1": cf.conv_arithmetic_frame(5, 1, 2, 1)[0],
        "shift": cf.shift_change_figure([0, 1, 2], {1: [0, 1, 1], 4: [0, 0.3, 0.5]}),
    }


def texts(fig):
    out = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    return [t for t in out if t.strip()]


@pytest.fixture(scope="module", params=["ko", "en"])
def figures(request):
    set_lang(request.param)
    figs = {name: texts(fig) + [fig.axes[0].get_title(), fig._suptitle.get_text() if fig._suptitle else ""]
            for name, fig in all_figures().items()}
    plt.close("all")
    set_lang("en")
    return request.param, figs


def test_every_figure_is_titled_in_the_notebooks_language(figures):
    lang, figs = figures
    for name, strings in figs.items():
        assert any(s.strip() for s in strings[-2:]) or name == "gallery", f"{name}: no title"
        has_korean = bool(HANGUL.search(" ".join(strings)))
        assert has_korean == (lang == "ko"), f"{name}: labels are not in {lang}"


def test_korean_font_has_every_glyph_outside_mathtext(figures):
    lang, figs = figures
    cmap = ft2font.FT2Font(str(korean_font_path())).get_charmap()
    missing = set()
    for strings in figs.values():
        for t in strings:
            # a string with $...$ is drawn entirely by mathtext, whose font has no Hangul
            assert not ("$" in t and HANGUL.search(t)), f"Hangul inside a mathtext string: {t!r}"
            plain = re.sub(r"\$[^$]*\$", "", t)
            missing |= {ch for ch in plain if ord(ch) > 127 and ord(ch) not in cmap}
    assert not missing, f"characters NanumGothic cannot draw (use mathtext): {sorted(missing)}"


def test_conv_step_title_is_the_sum_of_products():
    set_lang("en")
    fig = cf.conv_step_figure(X5, W3, im.filter_image(X5, W3), 1, 2)
    expected = (X5[1:4, 2:5] * W3).sum()
    assert fig.axes[0].get_title().endswith(f"= {int(expected)}")
    plt.close(fig)


def test_stride_padding_labels_use_the_output_size_formula():
    set_lang("en")
    fig = cf.stride_padding_figure([(7, 3, 2, 0), (6, 5, 1, 2)])
    labels = [ax.get_xlabel() for ax in fig.axes]
    assert "output 3×3" in labels[0] and "output 6×6" in labels[1]
    plt.close(fig)


def test_shape_str():
    assert cf.shape_str((8, 28, 28)) == "8×28×28" and cf.shape_str(np.zeros((2, 3)).shape) == "2×3"


def test_covered_cells_marks_the_cut_off_end_and_the_gaps():
    assert cf.covered_cells(5, 3, 1).all()
    assert cf.covered_cells(6, 3, 2).tolist() == [True] * 5 + [False]          # floor((6 - 3) / 2) drops the end
    assert cf.covered_cells(7, 1, 2).tolist() == [True, False] * 3 + [True]     # S > K: gaps between windows
    with pytest.raises(ValueError, match="kernel 5 is larger than the padded input 3"):
        cf.covered_cells(3, 5, 1)


@pytest.mark.parametrize("I,K,S,P", [(5, 3, 1, 0), (6, 3, 2, 0), (7, 5, 2, 1), (5, 1, 2, 1), (7, 1, 1, 1)])
def test_conv_arithmetic_frame_fills_in_the_formula(I, K, S, P):
    from nnbook.scratch import conv_output_size
    set_lang("en")
    fig, caption = cf.conv_arithmetic_frame(I, K, S, P)
    O = conv_output_size(I, K, S, P)
    assert caption.startswith(f"O = ⌊({I} + 2·{P} − {K}) / {S}⌋ + 1 = {O}.")
    assert f"receptive field is {K}×{K}" in caption
    r2 = K + (K - 1) * S
    assert f"twice: receptive field {r2}×{r2}" in caption
    n = I + 2 * P
    unseen = n * n - cf.covered_cells(n, K, S).sum() ** 2
    assert caption.endswith(f"Cells no window sees: {unseen}")
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == [f"input {I}×{I}, padding {P}", f"output {O}×{O}"]
    # one dot per output cell on each panel
    dots = [line for ax in fig.axes for line in ax.get_lines()]
    assert [len(line.get_xdata()) for line in dots] == [O * O, O * O]
    plt.close(fig)
