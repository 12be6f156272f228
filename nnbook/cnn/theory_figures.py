"""Figures of chapter 1 (CNN theory): the architecture, the terms, convolution step by step, filters.

Every function draws one figure with matplotlib and returns it; labels come from `nnbook.tr`, so
they are in the notebook's language. The numbers a figure shows are passed in by the notebook
(computed there with nnbook.scratch), so a figure never claims what a cell did not compute.
"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.patches import Rectangle

from ..config import tr
from ..scratch import conv_output_size

__all__ = [
    "shape_str", "architecture_figure", "channels_figure", "filter_bank_figure", "stride_padding_figure",
    "feature_map_figure", "pooling_figure", "receptive_field_figure", "conv_step_figure",
    "image_row", "filter_gallery_figure", "covered_cells", "conv_arithmetic_frame", "shift_change_figure",
]

BLUE, ORANGE, GREEN, GREY = "#1f77b4", "#ff7f0e", "#2ca02c", "0.85"


def shape_str(shape):
    """(8, 28, 28) -> '8×28×28'."""
    return "×".join(str(int(s)) for s in shape)


def no_ticks(*axes):
    """Hide the tick marks and numbers of image axes (the labels stay)."""
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])


def _num(v):
    """A grid value as short text: integers without decimals, others with up to two."""
    v = float(v)
    if v == int(v):
        return str(int(v))
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _grid(ax, values, x0, y0, cell=1.0, colors=None, text=True, fontsize=9, edge="0.35", lw=0.8):
    """Draw a 2-D array as a grid of cells with its values, top-left corner at (x0, y0); y grows downward.

    values: (R, C) array (NaN cells stay empty); colors: None, one color, or an (R, C) array of colors.
    """
    values = np.asarray(values, dtype=float)
    R, C = values.shape
    for r in range(R):
        for c in range(C):
            fc = "white"
            if isinstance(colors, str):
                fc = colors
            elif colors is not None:
                fc = colors[r][c]
            ax.add_patch(Rectangle((x0 + c * cell, y0 + r * cell), cell, cell, facecolor=fc,
                                   edgecolor=edge, lw=lw))
            if text and not np.isnan(values[r, c]):
                ax.text(x0 + (c + 0.5) * cell, y0 + (r + 0.5) * cell, _num(values[r, c]),
                        ha="center", va="center", fontsize=fontsize)


def _outline(ax, x0, y0, w, h, color, lw=2.5, ls="-"):
    ax.add_patch(Rectangle((x0, y0), w, h, fill=False, edgecolor=color, lw=lw, ls=ls, zorder=5))


def _canvas(ax, x1, y1, x0=0.0, y0=0.0):
    """Equal-aspect drawing area from (x0, y0) to (x1, y1), y downward, no ticks."""
    ax.set_xlim(x0, x1)
    ax.set_ylim(y1, y0)
    ax.set_aspect("equal")
    no_ticks(ax)
    for s in ax.spines.values():
        s.set_visible(False)


def _arrow(ax, x0, y0, x1, y1, color="0.3", text=None, fontsize=9):
    ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                arrowprops=dict(arrowstyle="->", color=color, lw=1.5))
    if text:
        ax.text((x0 + x1) / 2, min(y0, y1) - 0.3, text, ha="center", va="bottom", fontsize=fontsize)


def _volume(ax, x, y_mid, depth, side, color, max_sheets=6, step=0.18, image=None):
    """A feature-map volume as a stack of offset squares; returns the x where it ends.

    depth: number of channels (at most max_sheets sheets are drawn); side: square size; the
    stack is centered vertically on y_mid. image: optional (H, W) array drawn on the front sheet.
    """
    n = int(min(depth, max_sheets))
    top = y_mid - side / 2 - (n - 1) * step / 2
    for s in range(n - 1, -1, -1):
        xs, ys = x + s * step, top + (n - 1 - s) * step
        ax.add_patch(Rectangle((xs, ys), side, side, facecolor=color, edgecolor="0.25", lw=0.8))
    if image is not None:
        ax.imshow(image, cmap="gray_r", extent=(x, x + side, top + (n - 1) * step + side, top + (n - 1) * step),
                  zorder=3)
    return x + side + (n - 1) * step


# ------------------------------------------------------------------ 1. the architecture
_KIND = {
    "input": (lambda: tr("입력", "input"), "white"),
    "conv": (lambda: tr("합성곱+ReLU", "conv + ReLU"), "#9ecae1"),
    "pool": (lambda: tr("풀링", "pooling"), "#fdd0a2"),
    "flatten": (lambda: tr("평탄화", "flatten"), "#c7e9c0"),
    "fc": (lambda: tr("완전연결 계층", "fully connected"), "#dadaeb"),
    "softmax": (lambda: tr("소프트맥스", "softmax"), "#fcbba1"),
}


def architecture_figure(stages, image=None, classes=None):
    """The CNN pipeline: input -> [conv -> activation -> pooling] x n -> flatten -> FC -> class probabilities.

    stages: list of (kind, shape), kind in {"input", "conv", "pool", "flatten", "fc", "softmax"},
    shape a tuple such as (8, 28, 28) or (784,) (as printed by the notebook's model).
    image: optional (H, W) input picture drawn on the input block. classes: labels of the output cells.
    """
    fig, ax = plt.subplots(figsize=(10, 3.9))
    H0 = max(s[1][-1] for s in stages if len(s[1]) == 3)
    x, y_mid, xs = 0.3, 2.2, []
    for i, (kind, shape) in enumerate(stages):
        name, color = _KIND[kind][0](), _KIND[kind][1]
        x_start = x
        if len(shape) == 3:
            side = 0.6 + 1.4 * shape[-1] / H0
            x_end = _volume(ax, x, y_mid, shape[0], side, color, image=image if kind == "input" else None)
        else:
            n = shape[0]
            if kind == "flatten":
                h = 3.0
                ax.add_patch(Rectangle((x, y_mid - h / 2), 0.3, h, facecolor=color, edgecolor="0.25"))
                for t in np.linspace(y_mid - h / 2, y_mid + h / 2, 13)[1:-1]:
                    ax.plot([x, x + 0.3], [t, t], color="0.55", lw=0.5)
                x_end = x + 0.3
            else:
                h = 0.28 * n
                for j in range(n):
                    ax.add_patch(Rectangle((x, y_mid - h / 2 + 0.28 * j), 0.3, 0.28, facecolor=color,
                                           edgecolor="0.25", lw=0.7))
                    if kind == "softmax" and classes is not None:
                        ax.text(x + 0.42, y_mid - h / 2 + 0.28 * (j + 0.5), str(classes[j]), fontsize=7,
                                va="center")
                x_end = x + 0.3
        label = name if kind != "softmax" else tr("클래스 확률", "class probabilities")
        label = label.replace(" ", "\n", 1) if len(shape) == 1 else label
        ax.text((x_start + x_end) / 2, y_mid + 1.75, f"{label}\n{shape_str(shape)}", ha="center", va="top",
                fontsize=8)
        xs.append((x_start, x_end))
        if i + 1 < len(stages):
            gap = 0.65 if len(shape) == 3 else 1.05
            _arrow(ax, x_end + 0.08, y_mid, x_end + gap - 0.1, y_mid)
            x = x_end + gap
    conv_idx = [i for i, (k, _) in enumerate(stages) if k in ("conv", "pool")]
    if conv_idx:
        a, b = xs[conv_idx[0]][0], xs[conv_idx[-1]][1]
        ax.plot([a, a, b, b], [0.75, 0.6, 0.6, 0.75], color="0.3", lw=1)
        ax.text((a + b) / 2, 0.5, tr("[합성곱 → 활성화 함수 → 풀링] × n: 작은 특징(모서리)이 모여 큰 특징(모양)이 된다",
                                     "[convolution → activation → pooling] × n: small features (edges) build larger ones (shapes)"),
                ha="center", va="bottom", fontsize=8.5)
        rest = [i for i, (k, _) in enumerate(stages) if k in ("flatten", "fc", "softmax")]
        if rest:
            a, b = xs[rest[0]][0], xs[rest[-1]][1] + 0.3
            ax.plot([a, a, b, b], [0.75, 0.6, 0.6, 0.75], color="0.3", lw=1)
            ax.text((a + b) / 2, 0.5, tr("분류", "classification"), ha="center", va="bottom", fontsize=8.5)
    _canvas(ax, x_end + 0.8, 4.1, y0=0.0)
    ax.set_title(tr("합성곱 신경망의 구조(모양: 채널×높이×너비)", "The architecture of a CNN (shapes: channels×height×width)"))
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------ 2. terms
def channels_figure(rgb):
    """A color photo and its three channels. rgb: (H, W, 3) floats in [0, 1]."""
    fig, axes = plt.subplots(1, 4, figsize=(10, 2.3))
    H, W = rgb.shape[:2]
    axes[0].imshow(np.clip(rgb, 0, 1))
    axes[0].set_title(tr("컬러 사진", "color photo"))
    axes[0].set_xlabel(shape_str((H, W, 3)))
    names = [tr("R 채널", "R channel"), tr("G 채널", "G channel"), tr("B 채널", "B channel")]
    for c, (ax, color) in enumerate(zip(axes[1:], ["red", "green", "blue"])):
        cmap = LinearSegmentedColormap.from_list(f"black-{color}", ["black", color])
        ax.imshow(rgb[:, :, c], cmap=cmap, vmin=0, vmax=1)
        ax.set_title(names[c])
        ax.set_xlabel(shape_str((H, W)))
    no_ticks(*axes)
    fig.suptitle(tr("채널: 한 사진은 3개의 2차원 배열(R, G, B)이다", "Channels: one photo is three 2-D arrays (R, G, B)"),
                 y=1.02)
    fig.tight_layout()
    return fig


def filter_bank_figure(C=3, H=8, K=3, F=4):
    """Input C×H×H, F filters of shape C×K×K, output F×Ho×Ho (stride 1, no padding)."""
    Ho = conv_output_size(H, K, 1, 0)
    fig, ax = plt.subplots(figsize=(9, 3.2))
    y_mid = 2.0
    x1 = _volume(ax, 0.2, y_mid, C, 2.4, "#c6dbef", max_sheets=C, step=0.3)
    ax.text(1.4, 3.9, tr(f"입력\n{shape_str((C, H, H))}", f"input\n{shape_str((C, H, H))}"), ha="center", va="top",
            fontsize=9)
    _arrow(ax, x1 + 0.1, y_mid, x1 + 0.8, y_mid, text=tr("합성곱", "convolution"))
    colors = ["#9ecae1", "#fdae6b", "#a1d99b", "#bcbddc", "#fc9272", "#c7e9c0"]
    xf = x1 + 1.0
    for f in range(F):
        yf = 0.55 + f * 0.95
        _volume(ax, xf, yf, C, 0.75, colors[f % len(colors)], max_sheets=C, step=0.12)
    ax.text(xf + 0.5, 4.45, tr(f"필터 {F}개\n각 {shape_str((C, K, K))}", f"{F} filters\neach {shape_str((C, K, K))}"),
            ha="center", va="top", fontsize=9)
    x2 = xf + 1.3
    _arrow(ax, x2, y_mid, x2 + 0.7, y_mid, text=tr("합산", "sum"))
    x3 = _volume(ax, x2 + 0.9, y_mid, F, 1.8, "#9ecae1", max_sheets=F, step=0.3)
    for f in range(F):   # color each output sheet like its filter
        n = F
        top = y_mid - 1.8 / 2 - (n - 1) * 0.3 / 2
        ax.add_patch(Rectangle((x2 + 0.9 + f * 0.3, top + (n - 1 - f) * 0.3), 1.8, 1.8,
                               facecolor=colors[f % len(colors)], edgecolor="0.25", lw=0.8, zorder=2 + F - f))
    ax.text((x2 + 0.9 + x3) / 2, 3.9, tr(f"특징 맵 {F}장\n{shape_str((F, Ho, Ho))}", f"{F} feature maps\n{shape_str((F, Ho, Ho))}"),
            ha="center", va="top", fontsize=9)
    _canvas(ax, x3 + 0.3, 4.5, y0=-0.3)
    ax.set_title(tr("필터 하나 = 입력의 모든 채널에 걸친 커널 묶음, 필터 하나가 특징 맵 한 장을 만든다",
                    "One filter = one kernel per input channel; each filter makes one feature map"), fontsize=10)
    fig.tight_layout()
    return fig


def stride_padding_figure(configs=((5, 3, 1, 0), (5, 3, 1, 1), (5, 3, 2, 1))):
    """For each (H, K, S, P): the zero-padded input with the first two windows, and the output grid."""
    fig, axes = plt.subplots(1, len(configs), figsize=(3.4 * len(configs), 3.3))
    axes = np.atleast_1d(axes)
    for ax, (H, K, S, P) in zip(axes, configs):
        Ho = conv_output_size(H, K, S, P)
        Hp = H + 2 * P
        colors = [[GREY if (r < P or r >= P + H or c < P or c >= P + H) else "white" for c in range(Hp)]
                  for r in range(Hp)]
        vals = np.full((Hp, Hp), np.nan)
        vals[:P, :], vals[P + H:, :], vals[:, :P], vals[:, P + H:] = 0, 0, 0, 0
        _grid(ax, vals, 0, 0, colors=colors, fontsize=7)
        _outline(ax, 0, 0, K, K, BLUE)
        if Ho > 1:
            _outline(ax, S, 0, K, K, ORANGE, ls="--")
        ox = Hp + 1.0
        oc = [["white"] * Ho for _ in range(Ho)]
        oc[0][0] = "#c6dbef"
        if Ho > 1:
            oc[0][1] = "#fdd0a2"
        _grid(ax, np.full((Ho, Ho), np.nan), ox, (Hp - Ho) / 2, colors=oc)
        _arrow(ax, Hp + 0.1, Hp / 2, ox - 0.1, Hp / 2)
        _canvas(ax, ox + Ho + 0.2, Hp + 0.2, x0=-0.2, y0=-0.2)
        ax.set_title(f"H={H}, K={K}, S={S}, P={P}", fontsize=10)
        ax.set_xlabel(tr(f"입력 {H}×{H} → 출력 {Ho}×{Ho}", f"input {H}×{H} → output {Ho}×{Ho}"), fontsize=9)
    fig.suptitle(tr("스트라이드 S와 패딩 P (회색 = 0으로 채운 패딩, 파란/주황 = 첫째/둘째 창)",
                    "Stride S and padding P (gray = zero padding, blue/orange = first/second window)"), fontsize=10)
    fig.tight_layout()
    return fig


def feature_map_figure(img, kernels, maps, act_maps, names):
    """Rows: one filter each: input, kernel (numbers), feature map (signed), activation map after ReLU."""
    n = len(kernels)
    fig, axes = plt.subplots(n, 4, figsize=(8.5, 2.5 * n))
    axes = np.atleast_2d(axes)
    for r in range(n):
        a = axes[r]
        a[0].imshow(img, cmap="gray", vmin=0, vmax=1)
        a[0].set_title(tr("입력", "input"), fontsize=9)
        a[0].set_xlabel(shape_str(img.shape), fontsize=8)
        k = np.asarray(kernels[r])
        a[1].imshow(k, cmap="RdBu_r", vmin=-np.abs(k).max(), vmax=np.abs(k).max())
        for (i, j), v in np.ndenumerate(k):
            a[1].text(j, i, _num(v), ha="center", va="center", fontsize=9,
                      color="white" if abs(v) > 0.6 * np.abs(k).max() else "black")
        a[1].set_title(tr(f"커널: {names[r]}", f"kernel: {names[r]}"), fontsize=9)
        a[1].set_xlabel(shape_str(k.shape), fontsize=8)
        m = np.abs(maps[r]).max() or 1.0
        a[2].imshow(maps[r], cmap="RdBu_r", vmin=-m, vmax=m)
        a[2].set_title(tr("특징 맵(빨강 +, 파랑 -)", "feature map (red +, blue -)"), fontsize=9)
        a[2].set_xlabel(shape_str(maps[r].shape), fontsize=8)
        a[3].imshow(act_maps[r], cmap="Reds", vmin=0, vmax=m)
        a[3].set_title(tr("ReLU 뒤 활성화 맵", "activation map after ReLU"), fontsize=9)
        a[3].set_xlabel(shape_str(act_maps[r].shape), fontsize=8)
        no_ticks(*a)
    fig.suptitle(tr("특징 맵: 필터마다 한 장, 필터가 찾는 무늬가 있는 곳에서 값이 크다",
                    "Feature maps: one per filter, large where the filter's pattern is"), fontsize=10)
    fig.tight_layout()
    return fig


def pooling_figure(x, max_out, avg_out, k=2):
    """A small input (H, W) with its k×k blocks colored, and its max-pooled and average-pooled outputs."""
    x = np.asarray(x)
    H, W = x.shape
    palette = ["#c6dbef", "#fdd0a2", "#c7e9c0", "#dadaeb", "#fcbba1", "#fee391"]
    block = lambda r, c: palette[((r // k) * (W // k) + c // k) % len(palette)]
    fig, ax = plt.subplots(figsize=(7.5, 2.8))
    _grid(ax, x, 0, 0, colors=[[block(r, c) for c in range(W)] for r in range(H)], fontsize=10)
    Ho, Wo = max_out.shape
    oc = [[block(r * k, c * k) for c in range(Wo)] for r in range(Ho)]
    x1, x2 = W + 2.0, W + 2.0 + Wo + 2.5
    y = (H - Ho) / 2
    _grid(ax, max_out, x1, y, colors=oc, fontsize=10)
    _grid(ax, avg_out, x2, y, colors=oc, fontsize=10)
    _arrow(ax, W + 0.2, H / 2, x1 - 0.2, H / 2)
    _arrow(ax, x1 + Wo + 0.2, H / 2, x2 - 0.2, H / 2)
    ax.text(x1 + Wo / 2, y + Ho + 0.4, tr("최대 풀링", "max pooling"), ha="center", va="top", fontsize=10)
    ax.text(x2 + Wo / 2, y + Ho + 0.4, tr("평균 풀링", "average pooling"), ha="center", va="top", fontsize=10)
    ax.text(W / 2, H + 0.4, tr(f"입력 {H}×{W}", f"input {H}×{W}"), ha="center", va="top", fontsize=10)
    _canvas(ax, x2 + Wo + 0.2, H + 1.2, x0=-0.2, y0=-0.2)
    ax.set_title(tr(f"{k}×{k} 풀링(스트라이드 {k}): 색이 같은 칸이 한 창이다",
                    f"{k}×{k} pooling (stride {k}): cells of one color form one window"), fontsize=10)
    fig.tight_layout()
    return fig


def receptive_field_figure(k=3, layers=2):
    """Stacked k×k convolutions (stride 1): one unit of the last map sees a (1 + layers*(k-1))² input patch."""
    n_last = 3
    sizes = [n_last + (layers - l) * (k - 1) for l in range(layers + 1)]          # input first
    fig, ax = plt.subplots(figsize=(8, 3.2))
    x, boxes = 0.0, []
    for l, n in enumerate(sizes):
        rf = 1 + (layers - l) * (k - 1)                 # region of layer l that the last unit sees
        lo = (n - rf) // 2
        colors = [["#fdae6b" if lo <= r < lo + rf and lo <= c < lo + rf else "white" for c in range(n)]
                  for r in range(n)]
        y = (sizes[0] - n) / 2
        _grid(ax, np.full((n, n), np.nan), x, y, colors=colors)
        boxes.append((x + lo, y + lo, rf))
        name = tr("입력", "input") if l == 0 else tr(f"{l}계층 특징 맵", f"layer {l} feature map")
        ax.text(x + n / 2, sizes[0] + 0.4, f"{name}\n{n}×{n}", ha="center", va="top", fontsize=9)
        ax.text(x + n / 2, y - 0.3, tr(f"수용 영역 {rf}×{rf}", f"receptive field {rf}×{rf}") if l < layers
                else tr("한 칸", "one unit"), ha="center", va="bottom", fontsize=9, color="#d94801")
        x += n + 2.0
    for (xa, ya, ra), (xb, yb, rb) in zip(boxes[:-1], boxes[1:]):
        for (ua, va), (ub, vb) in (((xa + ra, ya), (xb, yb)), ((xa + ra, ya + ra), (xb, yb + rb))):
            ax.plot([ua, ub], [va, vb], color="#d94801", lw=0.8, ls="--")
    _canvas(ax, x - 1.8, sizes[0] + 1.4, x0=-0.2, y0=-1.2)
    ax.set_title(tr(f"{k}×{k} 합성곱 {layers}번: 깊이 갈수록 한 칸이 보는 입력 영역이 넓어진다",
                    f"{layers} stacked {k}×{k} convolutions: deeper units see a larger input region"), fontsize=10)
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------ 3. convolution step by step
def conv_step_figure(x, w, out, i, j):
    """One step of a convolution: window (i, j) of x, times the kernel w, summed into out[i, j].

    x: (H, W) input, w: (K, K) kernel, out: (Ho, Wo) full output (computed by the notebook);
    only the cells up to (i, j), row by row, are filled in.
    """
    x, w, out = np.asarray(x), np.asarray(w), np.asarray(out)
    H, W = x.shape
    K = w.shape[0]
    Ho, Wo = out.shape
    prod = x[i:i + K, j:j + K] * w
    fig, ax = plt.subplots(figsize=(8, 2.6))
    colors = [["#c6dbef" if i <= r < i + K and j <= c < j + K else "white" for c in range(W)] for r in range(H)]
    _grid(ax, x, 0, 0, colors=colors)
    _outline(ax, j, i, K, K, BLUE)
    y = (H - K) / 2
    xk = W + 1.0
    _grid(ax, w, xk, y, colors="#fdd0a2")
    xp = xk + K + 1.0
    _grid(ax, prod, xp, y, colors="#e5f5e0")
    xo = xp + K + 1.6
    filled = np.full((Ho, Wo), np.nan)
    for r in range(Ho):
        for c in range(Wo):
            if (r, c) <= (i, j):
                filled[r, c] = out[r, c]
    oc = [["#c7e9c0" if (r, c) == (i, j) else "white" for c in range(Wo)] for r in range(Ho)]
    yo = (H - Ho) / 2
    _grid(ax, filled, xo, yo, colors=oc)
    ax.text(W + 0.5, H / 2, r"$\odot$", ha="center", va="center", fontsize=14)
    ax.text(xk + K + 0.5, H / 2, "=", ha="center", va="center", fontsize=14)
    ax.text(xp + K + 0.8, H / 2, r"$\Sigma\!\rightarrow$", ha="center", va="center", fontsize=13)
    for xc, wdt, yb, lab in ((0, W, H, tr("입력", "input")), (xk, K, y + K, tr("커널", "kernel")),
                             (xp, K, y + K, tr("원소별 곱", "products")), (xo, Wo, yo + Ho, tr("출력", "output"))):
        ax.text(xc + wdt / 2, yb + 0.3, lab, ha="center", va="top", fontsize=9)
    _canvas(ax, xo + Wo + 0.2, H + 1.0, x0=-0.2, y0=-0.2)
    ax.set_title(tr(f"창({i}, {j}): 곱의 합 = {_num(prod.sum())}", f"window ({i}, {j}): sum of products = {_num(prod.sum())}"),
                 fontsize=10)
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------ 4. images and filters
def image_row(images, titles, suptitle, signed=None, figsize=None):
    """Images side by side, each titled and labelled with its shape.

    signed: list of bools; True draws the image with a red/blue scale symmetric around 0.
    """
    n = len(images)
    signed = signed or [False] * n
    fig, axes = plt.subplots(1, n, figsize=figsize or (2.3 * n, 2.4))
    axes = np.atleast_1d(axes)
    for ax, img, title, sg in zip(axes, images, titles, signed):
        img = np.asarray(img)
        if sg:
            m = np.abs(img).max() or 1.0
            ax.imshow(img, cmap="RdBu_r", vmin=-m, vmax=m)
        else:
            ax.imshow(img, cmap="gray")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel(shape_str(img.shape), fontsize=8)
        no_ticks(ax)
    fig.suptitle(suptitle, fontsize=10)
    fig.tight_layout()
    return fig


def filter_gallery_figure(img, kernels, outputs, names):
    """The photo, then one column per filter: its kernel (top) and the filtered photo (bottom)."""
    n = len(kernels)
    fig = plt.figure(figsize=(2.1 * (n + 1.6), 4.3))
    gs = fig.add_gridspec(2, n + 1, width_ratios=[1.6] + [1] * n, height_ratios=[1, 1.3])
    ax0 = fig.add_subplot(gs[:, 0])
    ax0.imshow(img, cmap="gray", vmin=0, vmax=1)
    ax0.set_title(tr("원본(흑백)", "original (grayscale)"), fontsize=9)
    ax0.set_xlabel(shape_str(img.shape), fontsize=8)
    no_ticks(ax0)
    for c, (k, out, name) in enumerate(zip(kernels, outputs, names)):
        k = np.asarray(k)
        axk = fig.add_subplot(gs[0, c + 1])
        m = np.abs(k).max()
        axk.imshow(k, cmap="RdBu_r", vmin=-m, vmax=m)
        if k.shape[0] <= 3:
            for (i, j), v in np.ndenumerate(k):
                axk.text(j, i, _num(v), ha="center", va="center", fontsize=9,
                         color="white" if abs(v) > 0.6 * m else "black")
        axk.set_title(name, fontsize=9)
        axk.set_xlabel(tr(f"커널 {shape_str(k.shape)}", f"kernel {shape_str(k.shape)}"), fontsize=8)
        axo = fig.add_subplot(gs[1, c + 1])
        if k.sum() == 0:       # edge filters: signed output
            mo = np.abs(out).max()
            axo.imshow(out, cmap="RdBu_r", vmin=-mo, vmax=mo)
        else:
            axo.imshow(out, cmap="gray", vmin=0, vmax=1)
        axo.set_xlabel(shape_str(out.shape), fontsize=8)
        no_ticks(axk, axo)
    fig.suptitle(tr("사진에 적용한 고전적인 필터(가장자리 필터: 빨강 +, 파랑 -)",
                    "Classic filters on a photograph (edge filters: red +, blue -)"), fontsize=10)
    fig.tight_layout()
    return fig


def covered_cells(n, K, S):
    """Which of n (padded) input positions along one axis some window covers.

    Windows of size K start at 0, S, 2S, ... and stay inside the n positions (the output-size formula);
    returns a bool array (n,). False marks a position no output cell ever sees: the cut-off end when
    (n - K) is not a multiple of S, and the gaps between windows when S > K.
    """
    if K > n:
        raise ValueError(f"covered_cells: kernel {K} is larger than the padded input {n}")
    seen = np.zeros(n, dtype=bool)
    for start in range(0, n - K + 1, S):
        seen[start:start + K] = True
    return seen


def conv_arithmetic_frame(I, K, S, P):
    """One frame of the convolution-arithmetic explorer: a square input I×I, kernel K, stride S, padding P.

    Left: the padded input (I + 2P)² (gray = zero padding), the windows of the first two output cells
    (blue, orange) and of the last one (green), a dot at the center of every window (the output grid
    laid over the input), and in red the cells no window covers. Right: the output grid O×O with
    O = floor((I + 2P - K) / S) + 1, and that formula with the numbers filled in. Returns (figure, caption).
    """
    O = conv_output_size(I, K, S, P)
    n = I + 2 * P
    seen = covered_cells(n, K, S)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(5.4, 3.0))
    colors, vals = [], np.full((n, n), np.nan)
    for r in range(n):
        row = []
        for c in range(n):
            pad = r < P or r >= P + I or c < P or c >= P + I
            dot = K == 1 and r % S == 0 and c % S == 0 and r <= n - K and c <= n - K
            if pad and not dot:          # (a dot marks a window center; K = 1 puts it on a padding cell)
                vals[r, c] = 0
            row.append("#f4a582" if not (seen[r] and seen[c]) else (GREY if pad else "white"))
        colors.append(row)
    _grid(ax, vals, 0, 0, colors=colors, fontsize=7)
    _outline(ax, 0, 0, K, K, BLUE, lw=2.5)
    if O > 1:
        _outline(ax, S, 0, K, K, ORANGE, lw=2.0, ls="--")
        last = (O - 1) * S
        _outline(ax, last, last, K, K, GREEN, lw=2.0, ls=":")
    centers = np.arange(O) * S + K / 2
    cx, cy = np.meshgrid(centers, centers)
    ax.plot(cx.ravel(), cy.ravel(), "o", color="0.15", ms=3.5, zorder=6)
    _canvas(ax, n + 0.1, n + 0.1, x0=-0.1, y0=-0.1)
    ax.set_title(tr(f"입력 {I}×{I}, 패딩 {P}", f"input {I}×{I}, padding {P}"), fontsize=9)
    ax.set_xlabel(tr("회색: 패딩(0) · 빨강: 어떤 창도 보지 않는 칸", "gray: padding (0) · red: seen by no window"),
                  fontsize=8)
    oc = [["white"] * O for _ in range(O)]
    oc[0][0] = "#c6dbef"
    if O > 1:
        oc[0][1] = "#fdd0a2"
        oc[O - 1][O - 1] = "#c7e9c0"
    side = max(n, 5)
    _grid(ax2, np.full((O, O), np.nan), (side - O) / 2, 0, colors=oc)
    ax2.plot(cx.ravel() / S - K / (2 * S) + 0.5 + (side - O) / 2, cy.ravel() / S - K / (2 * S) + 0.5, "o",
             color="0.15", ms=3.5, zorder=6)
    _canvas(ax2, side + 0.1, side + 0.1, x0=-0.1, y0=-0.1)
    ax2.set_title(tr(f"출력 {O}×{O}", f"output {O}×{O}"), fontsize=9)
    num = I + 2 * P - K
    ax2.text(side / 2, O + 0.6, rf"$O = \lfloor ({I} + 2\cdot{P} - {K})/{S} \rfloor + 1$" + "\n"
             + rf"$\;\;\, = \lfloor {num}/{S} \rfloor + 1 = {O}$",
             ha="center", va="top", fontsize=9)
    fig.suptitle(tr(f"커널 {K}×{K}, 스트라이드 {S}: 점 하나 = 출력 한 칸(창의 중심)",
                    f"kernel {K}×{K}, stride {S}: one dot = one output cell (its window's center)"), fontsize=9)
    fig.tight_layout()
    r2 = K + (K - 1) * S
    unseen = int(n * n - seen.sum() ** 2)
    if K > S:
        ko_gap, en_gap = f"이웃한 두 창은 {K - S}칸 겹친다", f"neighboring windows overlap by {K - S}"
    elif K == S:
        ko_gap, en_gap = "이웃한 두 창은 겹치지 않고 맞닿는다", "neighboring windows touch without overlap"
    else:
        ko_gap, en_gap = f"이웃한 두 창 사이에 {S - K}칸이 빈다", f"neighboring windows leave a gap of {S - K}"
    caption = tr(f"O = ⌊({I} + 2·{P} − {K}) / {S}⌋ + 1 = {O}. 출력 한 칸의 수용 영역은 {K}×{K}, {ko_gap}. "
                 f"같은 계층을 한 번 더 쌓으면 수용 영역은 {r2}×{r2}. 어떤 창도 보지 않는 칸: {unseen}개",
                 f"O = ⌊({I} + 2·{P} − {K}) / {S}⌋ + 1 = {O}. One output cell's receptive field is {K}×{K}; "
                 f"{en_gap}. Stack the same layer twice: receptive field {r2}×{r2}. Cells no window sees: {unseen}")
    return fig, caption


def shift_change_figure(shifts, changes):
    """Relative change of a feature map vs shift, one line per pooling size.

    shifts: list of pixel shifts; changes: {pool size: list of relative changes, one per shift}.
    """
    fig, ax = plt.subplots(figsize=(6, 3.2))
    for p, ys in changes.items():
        label = tr("풀링 없음", "no pooling") if p == 1 else tr(f"{p}×{p} 최대 풀링", f"{p}×{p} max pooling")
        ax.plot(shifts, ys, marker="o", label=label)
    ax.set_xlabel(tr("입력 이동(픽셀)", "input shift (pixels)"))
    ax.set_ylabel(tr("출력의 상대 변화", "relative change of output"))
    ax.set_xticks(list(shifts))
    ax.set_title(tr("풀링이 클수록 작은 이동에 덜 변한다", "Larger pooling: less change under small shifts"), fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
