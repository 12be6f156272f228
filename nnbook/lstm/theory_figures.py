"""Figures of chapter 5 (LSTM theory), labels in the notebook's language via `nnbook.tr`.

    draw_lstm_cell(highlight="f")      # the LSTM cell, one gate (or the cell-state path) highlighted
    plot_grad_norms(curves)            # ‖∂L/∂h_t‖ against the distance from the loss, log scale
    gate_frame(rec, t)                 # one frame of the gate-by-gate slider
    plot_param_counts(D, sizes)        # parameters of RNN / GRU / LSTM against the hidden size
    forget_bias_frame(profile, b_f)    # one frame of the forget-gate-bias slider

Each function returns a matplotlib Figure (titled, axes labelled); the notebook shows or closes it.
"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import colors as mcolors
from matplotlib.ticker import FuncFormatter
from matplotlib.patches import Circle, Ellipse, FancyBboxPatch, Rectangle

from ..config import tr
from .counter_task import COUNTER_TOKENS, param_count

__all__ = ["gate_names", "HIGHLIGHTS", "draw_lstm_cell", "plot_grad_norms", "gate_frame",
           "plot_param_counts", "forget_bias_frame"]

HIGHLIGHT = "#d95f02"     # the highlighted part
NORMAL = "#444444"        # everything when nothing is highlighted
DIM = "#bdbdbd"           # the rest when one part is highlighted

#: What `draw_lstm_cell(highlight=...)` accepts: the four gates and the cell-state path.
HIGHLIGHTS = ("f", "i", "g", "o", "c")


def gate_names():
    """The names of the four gates and the cell state in the notebook's language, by letter."""
    return {"i": tr("입력 게이트", "input gate"), "f": tr("망각 게이트", "forget gate"),
            "g": tr("후보 셀 상태", "candidate cell state"), "o": tr("출력 게이트", "output gate"),
            "c": tr("셀 상태", "cell state"), "h": tr("은닉 상태", "hidden state")}


# ----------------------------------------------------------------------------- the cell diagram
# Coordinates of the drawing (data units). Cell-state line at y = CY, hidden bus at y = HY.
CY, HY, GY, MY = 5.0, 0.8, 2.2, 3.7          # cell line, bus, gate boxes, middle row of ops
XF, XI, XG, XO, XT = 2.0, 3.6, 5.0, 6.6, 8.2  # x of forget, input, candidate, output, tanh(c)


def _parts():
    """Every stroke of the diagram: (kind, geometry, tags). A part is highlighted when one of its
    tags is the highlighted letter."""
    P = []

    def line(pts, tags, arrow=False):
        P.append(("line", (pts, arrow), tags))

    # cell state: c_{t-1} -> x(f) -> +(i g) -> c_t
    line([(-2.4, CY), (XF - 0.3, CY)], "c")
    line([(XF + 0.3, CY), (XG - 0.3, CY)], "c")
    line([(XG + 0.3, CY), (11.2, CY)], "c", arrow=True)
    P.append(("op", (XF, CY, "×"), "fc"))
    P.append(("op", (XG, CY, "+"), "cig"))
    # hidden bus: h_{t-1} from the left, x_t from below, feeding all four gates
    line([(-2.4, HY), (XO, HY)], "")
    line([(0.6, -0.9), (0.6, HY)], "")
    for x in (XF, XI, XG, XO):
        line([(x, HY), (x, GY - 0.4)], "", arrow=True)
    # forget gate: sigma -> x on the cell line
    line([(XF, GY + 0.4), (XF, CY - 0.3)], "f", arrow=True)
    # input gate and candidate: both into x, then into + on the cell line
    line([(XI, GY + 0.4), (XI, MY), (XG - 0.3, MY)], "i", arrow=True)
    line([(XG, GY + 0.4), (XG, MY - 0.3)], "g", arrow=True)
    P.append(("op", (XG, MY, "×"), "ig"))
    line([(XG, MY + 0.3), (XG, CY - 0.3)], "ig", arrow=True)
    # output gate: tanh(c_t) times o_t gives h_t
    line([(XT, CY), (XT, MY + 0.35)], "o", arrow=True)
    P.append(("tanh", (XT, MY), "o"))
    line([(XT, MY - 0.35), (XT, GY + 0.3)], "o", arrow=True)
    line([(XO + 0.45, GY), (XT - 0.3, GY)], "o", arrow=True)
    P.append(("op", (XT, GY, "×"), "o"))
    line([(XT, GY - 0.3), (XT, HY), (11.2, HY)], "o", arrow=True)
    line([(9.6, HY), (9.6, CY - 0.18)], "o")                     # h_t also leaves upwards,
    line([(9.6, CY + 0.18), (9.6, 6.6)], "o", arrow=True)       # passing under the cell line
    # the four gate boxes
    for x, key, sym in ((XF, "f", "σ"), (XI, "i", "σ"), (XG, "g", "tanh"), (XO, "o", "σ")):
        P.append(("box", (x, GY, sym), key))
    return P


def draw_lstm_cell(highlight=None, ax=None, figsize=(6.4, 3.6)):
    """Draw one LSTM cell (Olah's layout); `highlight` in "f", "i", "g", "o", "c" (cell state) or None.

    With a highlight, that gate's box and its paths are drawn in color and everything else in
    light grey; with None the whole cell is drawn in dark grey. Labels (c_{t-1}, h_{t-1}, x_t,
    c_t, h_t and the gate names) are in the notebook's language. Returns the Figure.
    """
    if highlight is not None and highlight not in HIGHLIGHTS:
        raise ValueError(f"draw_lstm_cell: highlight must be one of {HIGHLIGHTS} or None, got {highlight!r}")
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    else:
        fig = ax.figure
    names = gate_names()

    def color(tags):
        if highlight is None:
            return NORMAL
        return HIGHLIGHT if highlight in tags else DIM

    ax.add_patch(FancyBboxPatch((-0.3, -0.1), 10.6, 6.0, boxstyle="round,pad=0.1,rounding_size=0.4",
                                fc="#f6f6f6", ec="#999999", lw=1))
    for kind, geom, tags in _parts():
        col = color(tags)
        lw = 2.6 if (highlight is not None and highlight in tags) else 1.5
        if kind == "line":
            pts, arrow = geom
            xs, ys = zip(*pts)
            if arrow:
                ax.plot(xs[:-1], ys[:-1], color=col, lw=lw, solid_capstyle="butt")
                ax.annotate("", xy=pts[-1], xytext=pts[-2],
                            arrowprops=dict(arrowstyle="-|>", color=col, lw=lw, shrinkA=0, shrinkB=0))
            else:
                ax.plot(xs, ys, color=col, lw=lw)
        elif kind == "op":
            x, y, sym = geom
            ax.add_patch(Circle((x, y), 0.3, fc="white", ec=col, lw=lw, zorder=3))
            ax.text(x, y, sym, ha="center", va="center", fontsize=12, color=col, zorder=4)
        elif kind == "tanh":
            x, y = geom[:2]
            ax.add_patch(Ellipse((x, y), 1.0, 0.7, fc="white", ec=col, lw=lw, zorder=3))
            ax.text(x, y, "tanh", ha="center", va="center", fontsize=9, color=col, zorder=4)
        elif kind == "box":
            x, y, sym = geom
            on = highlight is not None and highlight in tags
            fc = HIGHLIGHT if on else ("#fde0c5" if highlight is None else "#eeeeee")
            ax.add_patch(Rectangle((x - 0.5, y - 0.4), 1.0, 0.8, fc=fc, ec=col, lw=lw, zorder=3))
            ax.text(x, y, sym, ha="center", va="center", fontsize=9 if sym == "tanh" else 12,
                    color="white" if on else col, zorder=4)
            lx, ha = (x, "center") if tags == "o" else (x - 0.12, "right")
            ax.text(lx, y + 0.72, f"${tags}_t$", fontsize=11, ha=ha, va="center",
                    color=HIGHLIGHT if on else NORMAL)

    label = dict(fontsize=9, va="center")
    def text_color(tag):
        return HIGHLIGHT if (highlight is not None and highlight == tag) else NORMAL

    def name_and_symbol(x, y, name, symbol, color):
        # two artists: mathtext has no font fallback, so Hangul never goes inside $...$
        words = ax.text(x, y, name, ha="left", color=color, **label)
        ax.annotate(symbol, xy=(1, 0.5), xycoords=words, xytext=(3, 0), textcoords="offset points",
                    ha="left", va="center", color=color, fontsize=9)

    name_and_symbol(-2.5, CY + 0.4, names["c"], "$c_{t-1}$", text_color("c"))
    ax.text(11.2, CY + 0.4, "$c_t$", ha="right", color=text_color("c"), **label)
    name_and_symbol(-2.5, HY + 0.4, names["h"], "$h_{t-1}$", NORMAL)
    name_and_symbol(0.75, -0.75, tr("입력", "input"), "$x_t$", NORMAL)
    ax.text(11.2, HY + 0.4, "$h_t$", ha="right", color=text_color("o"), **label)
    ax.text(9.75, 6.45, "$h_t$", ha="left", color=text_color("o"), **label)
    if highlight is None:
        title = tr("장단기 메모리(LSTM) 셀", "The LSTM cell")
    else:
        title = tr(f"장단기 메모리 셀: {names[highlight]} ({highlight})",
                   f"LSTM cell: the {names[highlight]} ({highlight})")
    ax.set_title(title)
    ax.set_xlim(-2.6, 11.4)
    ax.set_ylim(-1.1, 6.9)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


# ----------------------------------------------------------------------------- gradient norms
def plot_grad_norms(curves, figsize=(6.4, 3.6)):
    """‖∂L/∂h_t‖ against the distance T - 1 - t from the loss (loss on the last step), log scale.

    curves: list of (label, norms (T,), style) with norms[t] = ‖∂L/∂h_t‖ as returned by
    `nnbook.scratch.hidden_grad_norms`; style a dict of plot keywords (e.g. color, ls).
    Returns the Figure.
    """
    fig, ax = plt.subplots(figsize=figsize)
    for label, norms, style in curves:
        norms = np.asarray(norms, dtype=float)
        dist = np.arange(len(norms))
        ax.semilogy(dist, norms[::-1], label=label, **style)
    # powers of ten in plain mathtext (its own fonts have the minus sign U+2212)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"$10^{{{int(round(np.log10(v)))}}}$"))
    ax.set_xlabel(tr("손실로부터의 거리 T-1-t (시간 단계 수)", "distance from the loss T-1-t (time steps)"))
    ax.set_ylabel(r"$\Vert \partial L / \partial h_t \Vert$")
    ax.set_title(tr("시간을 거슬러 갈수록 기울기는 어떻게 되는가", "How the gradient fares going back in time"))
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- gate-by-gate view
def _strip_rgb(values, cmap, vmin, vmax):
    return plt.get_cmap(cmap)(mcolors.Normalize(vmin, vmax)(values))


def gate_frame(rec, t, figsize=(8, 3.5)):
    """One frame of the gate-by-gate slider: the whole sequence as heat strips, step t highlighted.

    rec: from `nnbook.lstm.counter_task.gate_record` (tokens, target, pred: (T,); i, f, g, o, c, h: (T, H)).
    Left: rows i, f, o (0..1, white to dark), g, h (-1..1 red-blue) and c (±max |c|), one row per
    hidden unit, steps after t faded. Right: the values of i, f, o, g, c, h at step t, unit by unit.
    Returns (Figure, caption str).
    """
    T, H = rec["c"].shape
    if not 0 <= t < T:
        raise ValueError(f"gate_frame: step t must be in 0..{T - 1}, got {t}")
    names = gate_names()
    cmax = max(1.0, float(np.abs(rec["c"]).max()))
    rows = [("i", "Greens", 0, 1), ("f", "Blues", 0, 1), ("o", "Purples", 0, 1),
            ("g", "RdBu_r", -1, 1), ("c", "RdBu_r", -cmax, cmax), ("h", "RdBu_r", -1, 1)]
    blocks, ticks, ticklabels = [], [], []
    for k, (key, cmap, lo, hi) in enumerate(rows):
        rgb = _strip_rgb(rec[key].T, cmap, lo, hi)           # (H, T, 4)
        blocks.append(rgb)
        blocks.append(np.ones((1, T, 4)))                     # a white gap between blocks
        ticks.append(k * (H + 1) + (H - 1) / 2)
        ticklabels.append(f"{key}_t")
    img = np.concatenate(blocks[:-1], axis=0)
    img[:, t + 1:, :3] = 1 - 0.6 * (1 - img[:, t + 1:, :3])   # fade the future

    fig = plt.figure(figsize=figsize)
    ax = fig.add_axes([0.07, 0.14, 0.5, 0.7])
    ax.imshow(img, aspect="auto", interpolation="nearest")
    ax.add_patch(Rectangle((t - 0.5, -0.5), 1, img.shape[0], fill=False, ec=HIGHLIGHT, lw=2.5))
    ax.set_yticks(ticks, ticklabels)
    sym = [COUNTER_TOKENS[k] for k in rec["tokens"]]
    ax.set_xticks(range(T), sym, fontsize=11)
    ax.tick_params(length=0)
    for s, y in enumerate(rec["target"]):                    # the target count above each column
        ax.text(s, -0.9, f"{int(y)}", ha="center", va="bottom", fontsize=9,
                color=HIGHLIGHT if s == t else NORMAL)
    ax.text(-0.7, -0.9, tr("정답", "target"), ha="right", va="bottom", fontsize=9, color=NORMAL)
    ax.set_xlabel(tr("입력 기호 (왼쪽에서 오른쪽으로 시간 단계)", "input symbol (time steps, left to right)"),
                  fontsize=9)
    ax.set_title(tr(f"시간 단계 t = {t + 1} / {T}", f"time step t = {t + 1} / {T}"), fontsize=10, pad=16)

    bx = fig.add_axes([0.66, 0.14, 0.32, 0.7])
    width = 0.8 / H
    xs, vs, cols = [], [], []
    for k, (key, cmap, lo, hi) in enumerate(rows):
        for u in range(H):
            v = rec[key][t, u]
            xs.append(k + (u - (H - 1) / 2) * width)
            vs.append(v)
            cols.append(plt.get_cmap(cmap)(0.75 if lo == 0 else (0.85 if v > 0 else 0.15)))
    bx.bar(xs, vs, width * 0.9, color=cols)
    bx.axhline(0, color="black", lw=0.8)
    bx.axhline(1, color="#999999", lw=0.6, ls=":")
    bx.set_xticks(range(len(rows)), [f"{r[0]}_t" for r in rows])
    bx.set_ylim(-1.05, cmax + 0.1)
    bx.set_ylabel(tr("값", "value"), fontsize=9)
    bx.set_title(tr(f"t = {t + 1}의 값 (유닛마다 막대 하나)", f"values at t = {t + 1} (one bar per unit)"),
                 fontsize=10, pad=16)

    fmean, imean = rec["f"][t].mean(), rec["i"][t].mean()
    caption = tr(
        f"t = {t + 1}: 입력 '{sym[t]}', 정답 {int(rec['target'][t])}, 예측 {rec['pred'][t]:.2f}; "
        f"{names['f']} 평균 {fmean:.2f}, {names['i']} 평균 {imean:.2f}",
        f"t = {t + 1}: input '{sym[t]}', target {int(rec['target'][t])}, prediction {rec['pred'][t]:.2f}; "
        f"mean {names['f']} {fmean:.2f}, mean {names['i']} {imean:.2f}")
    return fig, caption


# ----------------------------------------------------------------------------- forget-gate bias
def forget_bias_frame(profile, b_f, k_mark=25, floor=1e-20, figsize=(6.4, 2.5)):
    """One frame of the forget-gate-bias slider.

    profile: from `nnbook.lstm.counter_task.forget_bias_profile` (grad (T,), f (T, H), shortcut (T,))
    for the LSTM with forget-gate bias b_f. Left: against the distance k from the loss, log scale
    (fixed limits, so frames compare): the gradient reaching h_{T-k} (all paths, solid), what the
    cell-state path alone keeps, the mean product of k forget gates (dashed), and sigma(b_f)^k
    (dotted). Right: the histogram of all forget-gate values, sigma(b_f) marked.
    k_mark: the distance quoted in the caption. Returns (Figure, caption str).
    """
    grad = np.asarray(profile["grad"], dtype=float)
    f = np.asarray(profile["f"], dtype=float)
    short = np.asarray(profile["shortcut"], dtype=float)
    T = len(grad)
    if f.ndim != 2 or f.shape[0] != T or short.shape != (T,):
        raise ValueError(f"forget_bias_frame: profile needs grad (T,), f (T, H), shortcut (T,), "
                         f"got {grad.shape}, {f.shape}, {short.shape}")
    if not 0 <= k_mark < T:
        raise ValueError(f"forget_bias_frame: k_mark must be in 0..{T - 1}, got {k_mark}")
    s = 1 / (1 + np.exp(-b_f))
    k = np.arange(T)
    fig, (ax, hx) = plt.subplots(1, 2, figsize=figsize, gridspec_kw={"width_ratios": [2.2, 1]})
    ax.semilogy(k, np.maximum(grad[::-1], floor), color=HIGHLIGHT, lw=2,
                label=tr(r"기울기 $\Vert\partial L/\partial h\Vert$", r"gradient $\Vert\partial L/\partial h\Vert$"))
    ax.semilogy(k, np.maximum(short, floor), color="#1b9e77", ls="--",
                label=tr("셀 상태 경로: f의 곱", "cell-state path: product of f"))
    ax.semilogy(k, np.maximum(s ** k, floor), color="#777777", ls=":", label=r"$\sigma(b_f)^k$")
    ax.axvline(k_mark, color="#bbbbbb", lw=0.8)
    ax.set_ylim(floor, 3)
    ax.set_xlim(0, T - 1)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"$10^{{{int(round(np.log10(v)))}}}$"))
    ax.set_yticks([1e-20, 1e-15, 1e-10, 1e-5, 1])
    ax.set_xlabel(tr("손실로부터의 거리 k (시간 단계 수)", "distance k from the loss (time steps)"), fontsize=9)
    ax.set_title(tr(f"망각 게이트 편향 $b_f$ = {b_f:g}", f"forget-gate bias $b_f$ = {b_f:g}"), fontsize=10)
    ax.legend(fontsize=7, loc="lower left")
    hx.hist(f.ravel(), bins=np.linspace(0, 1, 21), color="#1b9e77")
    hx.axvline(s, color="#777777", ls=":")
    hx.set_xlim(0, 1)
    hx.set_yticks([])
    hx.set_xlabel(tr("망각 게이트 값 f", "forget-gate values f"), fontsize=9)
    hx.set_title(tr(f"평균 f = {f.mean():.2f}", f"mean f = {f.mean():.2f}"), fontsize=10)
    fig.tight_layout()
    caption = tr(
        f"b_f = {b_f:g}: σ(b_f) = {s:.2f}, 평균 f = {f.mean():.2f}; 거리 {k_mark}에서 셀 상태 경로가 남기는 몫 "
        f"{short[k_mark]:.1e}, 잰 기울기 {grad[T - 1 - k_mark]:.1e}",
        f"b_f = {b_f:g}: σ(b_f) = {s:.2f}, mean f = {f.mean():.2f}; at distance {k_mark} the cell-state path "
        f"keeps {short[k_mark]:.1e}, the measured gradient is {grad[T - 1 - k_mark]:.1e}")
    return fig, caption


# ----------------------------------------------------------------------------- parameter counts
def plot_param_counts(D, sizes, figsize=(6.4, 3.4)):
    """Parameters of one-layer RNN, GRU and LSTM (PyTorch's two biases) against the hidden size H.

    D: input size; sizes: the hidden sizes to plot. Log-log axes. Returns the Figure.
    """
    sizes = np.asarray(sizes)
    fig, ax = plt.subplots(figsize=figsize)
    for kind, label, col in (("lstm", tr("장단기 메모리(LSTM), 4배", "LSTM, 4x"), "#d95f02"),
                             ("gru", tr("게이트 순환 유닛(GRU), 3배", "GRU, 3x"), "#7570b3"),
                             ("rnn", tr("순환 신경망(RNN), 1배", "RNN, 1x"), "#1b9e77")):
        ax.loglog(sizes, [param_count(kind, D, int(h)) for h in sizes], "o-", ms=4, color=col, label=label)
    ax.set_xlabel(tr(f"은닉 크기 H (입력 크기 D = {D})", f"hidden size H (input size D = {D})"))
    ax.set_ylabel(tr("파라미터 수", "number of parameters"))
    ax.set_title(tr("순환 계층 하나의 파라미터 수", "Parameters of one recurrent layer"))
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=9)
    fig.tight_layout()
    return fig
