"""Figures and small experiments for chapter 3 (RNN theory); every label goes through `nnbook.tr`.

Data helpers (NumPy only):
    toy_weather()                   x: (N, T, D) = (2, 5, 3), a small sequence batch with real numbers
    sine_input(T)                   x: (1, T, 1), a noisy sine, the input of 3.5 and of the spectral-radius slider
    scale_to_spectral_radius(W, r)  W rescaled so that max |eigenvalue| = r
    random_rnn_weights(d, H, ...)   seeded Wx: (d, H), Wh: (H, H), b: (H,) for `nnbook.scratch.rnn_forward`
    rnn_param_count(d, H, biases)   d*H + H*H + biases*H
    jacobian_products(hs, Wh)       P_k = dh_T/dh_{T-k} for k = 0..T-1, from the hidden states of one sequence
    power_norm_rates(W, ks)         ‖W^k‖₂^(1/k) for each k, which tends to the spectral radius (Gelfand)
    gradient_through_time(x, radius, H)  the spectral-radius slider's numbers: hidden states and gradient norms

Pictures (each returns a matplotlib Figure):
    plot_sequence_shapes, plot_unrolled_rnn, plot_io_patterns, plot_param_counts,
    plot_jacobian_norms, plot_bptt_graph, plot_gradient_through_time
"""
import numpy as np

from ..config import tr

__all__ = [
    "toy_weather", "sine_input", "scale_to_spectral_radius", "random_rnn_weights", "rnn_param_count",
    "jacobian_products", "plot_sequence_shapes", "plot_unrolled_rnn", "plot_io_patterns",
    "plot_param_counts", "plot_jacobian_norms", "power_norm_rates",
    "gradient_through_time", "plot_bptt_graph", "plot_gradient_through_time",
]

C_IN, C_HID, C_OUT, C_HI = "#9ecae1", "#fdd0a2", "#a1d99b", "#e6550d"


# ----------------------------------------------------------------------------- data and numbers
def toy_weather(seed=0):
    """A tiny sequence batch: 2 cities × 5 days × 3 features (temperature °C, humidity %, wind m/s).

    Made-up but plausible values, rounded to one decimal, so a picture can print every number.
    Returns (x: (N, T, D) = (2, 5, 3), feature names (ko, en) pairs, city names (ko, en) pairs).
    """
    rng = np.random.default_rng(seed)
    base = np.array([[[14.0, 55.0, 3.0]], [[19.0, 70.0, 5.0]]])            # (N, 1, D)
    trend = np.array([1.0, -2.0, 0.3]) * np.arange(5)[:, None]             # (T, D)
    noise = rng.normal(scale=[1.0, 4.0, 0.8], size=(2, 5, 3))
    x = np.round(base + trend + noise, 1)
    features = [("기온", "temp."), ("습도", "humidity"), ("풍속", "wind")]
    cities = [("도시 A", "city A"), ("도시 B", "city B")]
    return x, features, cities


def sine_input(T=60, noise=0.1, seed=0):
    """A noisy sine wave of T steps shaped as one sequence: x: (1, T, 1). Period 20 steps."""
    rng = np.random.default_rng(seed)
    t = np.arange(T)
    return (np.sin(2 * np.pi * t / 20) + noise * rng.normal(size=T)).reshape(1, T, 1)


def scale_to_spectral_radius(W, radius):
    """W: (H, H) multiplied by a constant so that its spectral radius (max |eigenvalue|) is `radius`."""
    W = np.asarray(W, dtype=float)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"scale_to_spectral_radius: W must be square, got shape {W.shape}")
    rho = np.max(np.abs(np.linalg.eigvals(W)))
    if rho == 0:
        raise ValueError("scale_to_spectral_radius: W has spectral radius 0 and cannot be rescaled")
    return W * (radius / rho)


def random_rnn_weights(d, H, radius=0.9, seed=0):
    """Seeded RNN weights in the book's row-vector convention: Wx: (d, H), Wh: (H, H), b: (H,).

    Wx ~ N(0, 1/d), Wh ~ N(0, 1) rescaled to spectral radius `radius`, b ~ N(0, 0.1²).
    The same (d, H, radius, seed) always gives the same arrays.
    """
    rng = np.random.default_rng(seed)
    Wx = rng.normal(scale=1 / np.sqrt(d), size=(d, H))
    Wh = scale_to_spectral_radius(rng.normal(size=(H, H)), radius)
    b = rng.normal(scale=0.1, size=H)
    return Wx, Wh, b


def rnn_param_count(d, H, biases=1):
    """Parameters of one RNN layer: Wx (d·H) + Wh (H·H) + biases·H.

    biases=1 for the book's b; biases=2 for `torch.nn.RNN`, which keeps bias_ih and bias_hh.
    """
    return d * H + H * H + biases * H


def jacobian_products(hs, Wh):
    """The products of step Jacobians that backpropagation through time multiplies.

    hs: (T, H), the hidden states h_1..h_T of one sequence (e.g. `rnn_forward(...)[0][0]`); Wh: (H, H)
    in the row convention h_t = tanh(x_t Wx + h_{t-1} Wh + b).
    The step Jacobian is J_t = dh_t/dh_{t-1} = diag(1 - h_t²) Wh^T (entry [i, j] = ∂h_t[i]/∂h_{t-1}[j]).
    Returns P: (T, H, H) with P[0] = I and P[k] = J_T J_{T-1} ... J_{T-k+1} = ∂h_T/∂h_{T-k}, so that a
    gradient row vector g on h_T arrives at h_{T-k} as g @ P[k].
    """
    hs = np.asarray(hs, dtype=float)
    Wh = np.asarray(Wh, dtype=float)
    if hs.ndim != 2 or Wh.shape != (hs.shape[1], hs.shape[1]):
        raise ValueError(f"jacobian_products: need hs: (T, H) and Wh: (H, H), got {hs.shape} and {Wh.shape}")
    T, H = hs.shape
    P = np.empty((T, H, H))
    P[0] = np.eye(H)
    for k in range(1, T):
        J = (1 - hs[T - k] ** 2)[:, None] * Wh.T          # J_{T-k+1}: step index T-k+1 is hs[T-k]
        P[k] = P[k - 1] @ J
    return P


def power_norm_rates(W, ks):
    """‖W^k‖₂^(1/k) for every k in `ks`: the average growth per step of k multiplications by W.

    W: (H, H); ks: positive integers. By Gelfand's formula the rate tends to the spectral radius
    max |eigenvalue| as k grows, although ‖W‖₂ (k = 1) can be much larger for a non-normal W.
    Returns (len(ks),).
    """
    W = np.asarray(W, dtype=float)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"power_norm_rates: W must be square, got shape {W.shape}")
    ks = [int(k) for k in ks]
    if any(k < 1 for k in ks):
        raise ValueError(f"power_norm_rates: every k must be >= 1, got {ks}")
    return np.array([np.linalg.norm(np.linalg.matrix_power(W, k), ord=2) ** (1 / k) for k in ks])


def gradient_through_time(x, radius, H, seed=0):
    """The numbers behind the spectral-radius slider: one seeded RNN with ρ(Wh) = `radius`, run on x.

    x: (1, T, 1), e.g. `sine_input()`. The weights are `random_rnn_weights(1, H, radius, seed)`, so for
    one (H, seed) only the scale of Wh changes with `radius`. A loss at the last step sends a unit
    gradient g (seeded, ‖g‖ = 1) into h_T; `nnbook.scratch.rnn_backward` carries it back.
    Returns a dict with
      hs: (T, H)      the hidden states h_1..h_T;
      along: (T,)     ‖∂L/∂h_{T-k}‖ for k = 0..T-1 along these states (tanh' = 1 - h_t² at every step);
      linear: (T,)    the same at h = 0 (tanh' = 1), i.e. ‖g (Wh^T)^k‖, Wh alone;
      norm: float     ‖Wh‖₂, the largest singular value.
    """
    from ..scratch import hidden_grad_norms, rnn_forward

    x = np.asarray(x, dtype=float)
    if x.ndim != 3 or x.shape[0] != 1 or x.shape[2] != 1:
        raise ValueError(f"gradient_through_time: x must be (1, T, 1), got shape {x.shape}")
    T = x.shape[1]
    Wx, Wh, b = random_rnn_weights(1, H, radius=radius, seed=seed)
    hs, cache = rnn_forward(x, np.zeros((1, H)), Wx, Wh, b)
    g = np.random.default_rng(seed + 1).normal(size=H)
    g /= np.linalg.norm(g)
    dhs = np.zeros((1, T, H))
    dhs[0, -1] = g
    along = hidden_grad_norms(dhs, cache)[::-1]
    linear = np.empty(T)
    v = g.copy()
    for k in range(T):
        linear[k] = np.linalg.norm(v)
        v = v @ Wh.T
    return dict(hs=hs[0], along=along, linear=linear, norm=float(np.linalg.norm(Wh, ord=2)))


# ----------------------------------------------------------------------------- drawing helpers
def _box(ax, x, y, w, h, color, text="", fontsize=10, lw=1.0, ec="0.25"):
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02,rounding_size=0.08",
                                fc=color, ec=ec, lw=lw))
    if text:
        ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


def _arrow(ax, x0, y0, x1, y1, color="0.2", lw=1.2, style="-|>", rad=0.0):
    ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                arrowprops=dict(arrowstyle=style, color=color, lw=lw, shrinkA=0, shrinkB=0,
                                connectionstyle=f"arc3,rad={rad}"))


def _grid(ax, x0, y0, values, cw=0.62, ch=0.36, color="white", highlight=None, fontsize=7.5):
    """Draw a table of numbers with its top-left corner at (x0, y0); rows go down.

    values: (R, C). highlight: a row index to fill in the highlight color, or None.
    """
    from matplotlib.patches import Rectangle

    R, C = values.shape
    for r in range(R):
        for c in range(C):
            fc = "#fdae6b" if highlight is not None and r == highlight else color
            ax.add_patch(Rectangle((x0 + c * cw, y0 - (r + 1) * ch), cw, ch, fc=fc, ec="0.35", lw=0.7))
            ax.text(x0 + (c + 0.5) * cw, y0 - (r + 0.5) * ch, f"{values[r, c]:g}", ha="center",
                    va="center", fontsize=fontsize)
    return x0 + C * cw, y0 - R * ch


# ----------------------------------------------------------------------------- pictures
def plot_sequence_shapes(x, t, features, cities):
    """Three shapes of the same data: a table N × D, a sequence batch N × T × D, one step N × 1 × D.

    x: (N, T, D); t: the time step (0-based) shown as the RNN's input at one step;
    features: D (ko, en) name pairs; cities: N (ko, en) name pairs. The table is the mean over time.
    """
    import matplotlib.pyplot as plt

    N, T, D = x.shape
    cw, ch = 0.62, 0.36
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.set_axis_off()
    feat = [tr(*f) for f in features]
    city = [tr(*c) for c in cities]

    def header(x0, y0):
        for c, name in enumerate(feat):
            ax.text(x0 + (c + 0.5) * cw, y0 + 0.1, name, ha="center", va="bottom", fontsize=7, rotation=0)

    # (1) the table: one row per city (mean over the days)
    x0, top = 0.7, 3.2
    table = np.round(x.mean(axis=1), 1)
    header(x0, top)
    _grid(ax, x0, top, table, color="white")
    for n in range(N):
        ax.text(x0 - 0.08, top - (n + 0.5) * ch, city[n], ha="right", va="center", fontsize=7)
    ax.text(x0 + D * cw / 2, top - N * ch - 0.25,
            tr(f"표 데이터(기간 평균)\n$N \\times D$ = {N} × {D}",
               f"tabular data (mean over days)\n$N \\times D$ = {N} × {D}"),
            ha="center", va="top", fontsize=9)

    # (2) the sequence batch: one T × D block per city, time going down
    x0 = 3.6
    for n in range(N):
        xs = x0 + n * (D * cw + 0.45)
        header(xs, top)
        _grid(ax, xs, top, x[n], color="#deebf7", highlight=t)
        ax.text(xs + D * cw / 2, top - T * ch - 0.08, city[n], ha="center", va="top", fontsize=7)
    for r in range(T):
        ax.text(x0 - 0.08, top - (r + 0.5) * ch, f"t={r + 1}", ha="right", va="center", fontsize=7)
    ax.text(x0 + D * cw + 0.22, top - T * ch - 0.45,
            tr(f"시퀀스 데이터\n$N \\times T \\times D$ = {N} × {T} × {D}",
               f"sequence data\n$N \\times T \\times D$ = {N} × {T} × {D}"),
            ha="center", va="top", fontsize=9)

    # (3) what the RNN sees at step t
    x0 = 8.75
    step = x[:, t, :]
    header(x0, top)
    _grid(ax, x0, top, step, color="#fdae6b")
    for n in range(N):
        ax.text(x0 + D * cw + 0.08, top - (n + 0.5) * ch, city[n], ha="left", va="center", fontsize=7)
    ax.text(x0 + D * cw / 2, top - N * ch - 0.25,
            tr(f"시간 단계 t={t + 1}의 입력\n$N \\times 1 \\times D$ = {N} × 1 × {D}",
               f"input at time step t={t + 1}\n$N \\times 1 \\times D$ = {N} × 1 × {D}"),
            ha="center", va="top", fontsize=9)
    _arrow(ax, 3.6 + 2 * (D * cw + 0.45) - 0.3, top - (t + 0.5) * ch, x0 - 0.1, top - 0.5 * ch,
           color=C_HI, lw=1.5)
    ax.set_xlim(-0.3, 11.3)
    ax.set_ylim(0.0, 3.75)
    ax.set_title(tr("같은 데이터의 세 가지 모양", "Three shapes of the same data"))
    return fig


def plot_unrolled_rnn(T=4):
    """The RNN folded (one cell with a loop) and unrolled over T steps, with shared weights marked."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3.3))
    ax.set_axis_off()
    bw, bh = 0.8, 0.6
    yx, yc, yh = 0.35, 1.45, 2.55
    # folded
    _box(ax, 0.6, yc, bw, bh, C_HID, "RNN")
    _box(ax, 0.6, yx, 0.55, 0.4, C_IN, "$x_t$")
    _box(ax, 0.6, yh, 0.55, 0.4, C_OUT, "$h_t$")
    _arrow(ax, 0.6, yx + 0.2, 0.6, yc - bh / 2)
    _arrow(ax, 0.6, yc + bh / 2, 0.6, yh - 0.2)
    _arrow(ax, 0.6 + bw / 2, yc + 0.12, 0.6 + bw / 2, yc - 0.12, rad=-2.6, color=C_HI)
    ax.text(1.45, yc, "$W_h$", ha="left", va="center", fontsize=10, color=C_HI)
    ax.text(0.68, (yx + yc) / 2, "$W_x$", ha="left", va="center", fontsize=9)
    ax.text(2.1, yc, tr("펼치기\n⟹", "unroll\n⟹"), ha="center", va="center", fontsize=10)
    # unrolled
    x0, dx = 4.25, 1.75
    _box(ax, x0 - 1.45, yc, 0.55, 0.4, "white", "$h_0$")
    for i in range(T):
        xc = x0 + i * dx
        _box(ax, xc, yc, bw, bh, C_HID, "tanh")
        _box(ax, xc, yx, 0.55, 0.4, C_IN, f"$x_{i + 1}$")
        _box(ax, xc, yh, 0.55, 0.4, C_OUT, f"$h_{i + 1}$")
        _arrow(ax, xc, yx + 0.2, xc, yc - bh / 2)
        _arrow(ax, xc, yc + bh / 2, xc, yh - 0.2)
        ax.text(xc + 0.06, (yx + yc) / 2, "$W_x$", ha="left", va="center", fontsize=9)
        left = x0 - 1.45 + 0.275 if i == 0 else xc - dx + bw / 2
        _arrow(ax, left, yc, xc - bw / 2, yc, color=C_HI, lw=1.5)
        ax.text((left + xc - bw / 2) / 2, yc + 0.08, "$W_h$", ha="center", va="bottom", fontsize=9,
                color=C_HI)
    ax.text(x0 + (T - 1) * dx / 2, -0.05,
            tr("모든 시간 단계가 같은 $W_x$, $W_h$, $b$를 쓴다",
               "every time step uses the same $W_x$, $W_h$, $b$"),
            ha="center", va="top", fontsize=9)
    ax.set_xlim(0, x0 + (T - 1) * dx + 0.6)
    ax.set_ylim(-0.4, 2.9)
    ax.set_title(tr("순환 신경망을 시간 축으로 펼치기: $h_t = \\tanh(x_t W_x + h_{t-1} W_h + b)$",
                    "Unrolling a recurrent network in time: $h_t = \\tanh(x_t W_x + h_{t-1} W_h + b)$"),
                 fontsize=10)
    return fig


def _pattern(ax, inputs, outputs, n, split=None):
    """One I/O pattern on `ax`: n RNN cells; inputs/outputs: the step indices that have one.

    split: for encoder–decoder, the number of encoder cells (drawn in a darker shade).
    """
    ax.set_axis_off()
    dx = 1.0
    for i in range(n):
        color = "#fdae6b" if split is not None and i < split else C_HID
        _box(ax, i * dx, 1.0, 0.6, 0.5, color)
        if i > 0:
            _arrow(ax, (i - 1) * dx + 0.3, 1.0, i * dx - 0.3, 1.0, color=C_HI, lw=1.2)
        if i in inputs:
            _box(ax, i * dx, 0.0, 0.45, 0.4, C_IN)
            _arrow(ax, i * dx, 0.2, i * dx, 0.75)
        if i in outputs:
            _box(ax, i * dx, 2.0, 0.45, 0.4, C_OUT)
            _arrow(ax, i * dx, 1.25, i * dx, 1.8)
    ax.set_xlim(-0.6, max(n, 4) * dx - 0.4)
    ax.set_ylim(-0.4, 2.4)


def plot_io_patterns():
    """Four input/output patterns of an RNN (inputs blue, cells orange, outputs green), with tasks."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(8, 4.6))
    specs = [
        (tr("다대일(many-to-one)", "many-to-one"), tr("예: 문장 감성 분류(긍정/부정)", "e.g. sentiment of a sentence"),
         dict(inputs=range(4), outputs=[3], n=4)),
        (tr("다대다(many-to-many)", "many-to-many"), tr("예: 다음 글자 예측, 품사 태깅", "e.g. next-character prediction, POS tagging"),
         dict(inputs=range(4), outputs=range(4), n=4)),
        (tr("일대다(one-to-many)", "one-to-many"), tr("예: 이미지 캡션 생성", "e.g. image captioning"),
         dict(inputs=[0], outputs=range(4), n=4)),
        (tr("인코더-디코더(encoder–decoder)", "encoder–decoder"), tr("예: 기계 번역(입력과 출력의 길이가 다름)", "e.g. machine translation (lengths differ)"),
         dict(inputs=range(3), outputs=range(3, 6), n=6, split=3)),
    ]
    for ax, (name, task, kw) in zip(axes.ravel(), specs):
        _pattern(ax, **kw)
        ax.set_title(f"{name}\n{task}", fontsize=9)
    from matplotlib.patches import Patch

    fig.legend(handles=[Patch(fc=C_IN, ec="0.25", label=tr("입력", "input")),
                        Patch(fc=C_HID, ec="0.25", label=tr("RNN 셀", "RNN cell")),
                        Patch(fc="#fdae6b", ec="0.25", label=tr("인코더 셀", "encoder cell")),
                        Patch(fc=C_OUT, ec="0.25", label=tr("출력", "output"))],
               loc="lower center", ncol=4, fontsize=8, frameon=False)
    fig.suptitle(tr("순환 신경망의 입출력 패턴", "Input/output patterns of a recurrent network"))
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def plot_param_counts(d, hidden_sizes):
    """Parameters of one RNN layer against the hidden size D_h (log-log): Wx, Wh, b and the total."""
    import matplotlib.pyplot as plt

    H = np.asarray(hidden_sizes)
    fig, ax = plt.subplots(figsize=(6, 3.4))
    ax.plot(H, d * H, "o-", label=tr(f"$W_x$: $d \\cdot D_h$ (d={d})", f"$W_x$: $d \\cdot D_h$ (d={d})"))
    ax.plot(H, H * H, "s-", label="$W_h$: $D_h^2$")
    ax.plot(H, H, "^-", label="$b$: $D_h$")
    ax.plot(H, rnn_param_count(d, H), "k--", lw=2, label=tr("합계", "total"))
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel(tr("은닉 크기 $D_h$", "hidden size $D_h$"))
    ax.set_ylabel(tr("파라미터 수", "number of parameters"))
    ax.set_title(tr("파라미터 수는 $D_h^2$로 늘어난다", "Parameters grow as $D_h^2$"))
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    return fig


def plot_jacobian_norms(linear, trajectory):
    """Two log-scale panels of ‖∂h_T/∂h_{T-k}‖₂ against k, one line per spectral radius of Wh.

    linear, trajectory: dict radius -> (K,) norms for k = 0..K-1; `linear` at h = 0 (tanh' = 1, the
    product is Wh^T to the power k), `trajectory` along the states of a real input sequence.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator

    fig, axes = plt.subplots(1, 2, figsize=(8, 3.4), sharey=True)
    panels = [(axes[0], linear, tr("$h \\approx 0$ ($\\tanh' = 1$): $W_h$만 반복",
                                    "$h \\approx 0$ ($\\tanh' = 1$): $W_h$ alone")),
              (axes[1], trajectory, tr("실제 입력의 궤적을 따라($\\tanh' \\leq 1$)",
                                       "along a real input ($\\tanh' \\leq 1$)"))]
    for ax, curves, title in panels:
        for r, norms in curves.items():
            ax.plot(np.arange(len(norms)), np.maximum(norms, 1e-300), label=f"$\\rho(W_h)$ = {r:g}")
        ax.set_yscale("log")
        ax.set_xlabel(tr("거슬러 올라간 시간 단계 수 $k$", "steps back in time $k$"))
        ax.set_title(title, fontsize=9)
        ax.grid(alpha=0.3, which="major")
        ax.axhline(1.0, color="0.5", lw=0.8, ls=":")
    # LogFormatter writes $\mathdefault{10^{-12}}$ in the text font, and NanumGothic has no U+2212 minus:
    # plain mathtext (DejaVu) has it.
    axes[0].yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"$10^{{{np.log10(v):.0f}}}$"))
    axes[0].set_ylabel(r"$\|\partial h_T / \partial h_{T-k}\|_2$")
    axes[0].set_ylim(1e-12, 1e12)
    axes[0].yaxis.set_major_locator(LogLocator(base=10, numticks=7))
    axes[0].legend(fontsize=8)
    fig.suptitle(tr("시간에 따른 역전파에서 기울기는 $W_h$를 곱할 때마다 줄거나 커진다",
                    "In backpropagation through time the gradient shrinks or grows with every $W_h$"),
                 fontsize=10)
    fig.tight_layout()
    return fig


def plot_bptt_graph(T=3):
    """The computational graph of a scalar RNN over T steps, forward (black) and backward (red).

    Nodes per step: x_t -> a_t = w_x x_t + w_h h_{t-1} + b -> h_t = tanh(a_t) -> ŷ_t = w_y h_t + b_y
    -> L_t = (ŷ_t - y_t)² / 2, all L_t summed into L. Red arrows carry ∂L/∂(node) backwards and are
    labeled with the local derivative they multiply by; h_t has two red arrows in (from ŷ_t and a_{t+1}),
    which is why its gradient δ_t is a sum.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.2, 3.6))
    ax.set_axis_off()
    dx, bw, bh = 2.1, 0.56, 0.42
    yx, ya, yh, yy, yl = 0.0, 1.0, 2.0, 3.0, 4.0
    red = "#cb181d"
    _box(ax, -1.0, yh, bw, bh, "white", "$h_0$")
    for i in range(T):
        t = i + 1
        xc = i * dx
        for y, color, text in [(yx, C_IN, f"$x_{t}$"), (ya, "white", f"$a_{t}$"), (yh, C_HID, f"$h_{t}$"),
                               (yy, C_OUT, f"$\\hat y_{t}$"), (yl, "#efedf5", f"$L_{t}$")]:
            _box(ax, xc, y, bw, bh, color, text)
        # forward (black, left of the center line), with the weight or function on the left
        for y0, y1, lab in [(yx, ya, "$w_x$"), (ya, yh, "tanh"), (yh, yy, "$w_y$"), (yy, yl, "")]:
            _arrow(ax, xc - 0.09, y0 + bh / 2, xc - 0.09, y1 - bh / 2)
            if lab:
                ax.text(xc - 0.16, (y0 + y1) / 2, lab, ha="right", va="center", fontsize=8)
        # backward (red, right of the center line), labeled with the local derivative
        for y0, y1, lab in [(yl, yy, f"$\\hat y_{t} - y_{t}$"), (yy, yh, "$w_y$"), (yh, ya, f"$1 - h_{t}^2$")]:
            _arrow(ax, xc + 0.09, y0 - bh / 2, xc + 0.09, y1 + bh / 2, color=red, lw=1.0)
            ax.text(xc + 0.16, (y0 + y1) / 2, lab, ha="left", va="center", fontsize=8, color=red)
        # h_{t-1} -> a_t (forward, w_h) and a_t -> h_{t-1} (backward, times w_h)
        x0 = (-1.0 if i == 0 else xc - dx) + bw / 2
        _arrow(ax, x0, yh - 0.08, xc - bw / 2, ya + 0.08, color=C_HI, lw=1.3)
        _arrow(ax, xc - bw / 2, ya - 0.08, x0, yh - bh / 2 + 0.02, color=red, lw=1.0)
        ax.text(xc - bw / 2 - 0.45, ya + 0.38, "$w_h$", ha="center", va="bottom", fontsize=8, color=C_HI)
        ax.text(xc - bw / 2 - 0.3, ya + 0.02, "$w_h$", ha="center", va="top", fontsize=8, color=red)
    xr = (T - 1) * dx + 0.75
    ax.text(xr, yl, "$L = L_1 + \\dots + L_{%d}$" % T, ha="left", va="center", fontsize=9)
    ax.text(xr, yh + 0.5,
            tr("$\\delta_t = \\partial L / \\partial h_t$:\n빨간 화살표 두 개가\n들어오므로 두 몫의 합",
               "$\\delta_t = \\partial L / \\partial h_t$:\ntwo red arrows come in,\nso it is a sum of two"),
            ha="left", va="center", fontsize=8, color=red)
    ax.set_xlim(-1.4, (T - 1) * dx + 2.7)
    ax.set_ylim(-0.3, 4.3)
    ax.set_title(tr("스칼라 RNN의 계산 그래프: 순전파(검정)와 역전파(빨강)",
                    "Computational graph of a scalar RNN: forward (black) and backward (red)"), fontsize=10)
    return fig


def plot_gradient_through_time(x, res, radius, H):
    """One frame of the spectral-radius slider: hidden states (left), gradient norms over k (right).

    x: (T,) the input; res: the dict of `gradient_through_time(x, radius, H)`. Left: up to 8 units
    of h_t over t. Right, log scale: ‖∂L/∂h_{T-k}‖ along the states (solid), at h = 0 (dashed) and
    the rate ρ^k (dotted), all starting from 1 at k = 0.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator

    hs = res["hs"]
    T = hs.shape[0]
    fig, (a0, a1) = plt.subplots(1, 2, figsize=(7.6, 2.7), gridspec_kw=dict(width_ratios=[1, 1.1]))
    t = np.arange(1, T + 1)
    a0.plot(t, x, color="0.75", lw=2.0, label=tr("입력 $x_t$", "input $x_t$"))
    a0.plot(t, hs[:, :8], lw=0.9)
    a0.set_ylim(-1.25, 1.25)
    a0.set_xlabel(tr("시간 단계 $t$", "time step $t$"))
    a0.set_ylabel(tr("은닉 상태 $h_t$ (유닛 8개까지)", "hidden state $h_t$ (up to 8 units)"), fontsize=8)
    a0.legend(loc="lower left", fontsize=7, frameon=False)
    k = np.arange(T)
    a1.plot(k, np.maximum(res["along"], 1e-300), color="C3", lw=1.8,
            label=tr("실제 입력의 궤적을 따라", "along the real input"))
    a1.plot(k, np.maximum(res["linear"], 1e-300), color="C0", lw=1.2, ls="--",
            label=tr("$h \\approx 0$ ($W_h$만)", "$h \\approx 0$ ($W_h$ alone)"))
    a1.plot(k, float(radius) ** k, color="0.4", lw=1.0, ls=":", label="$\\rho^k$")
    a1.set_yscale("log")
    a1.set_ylim(1e-12, 1e12)
    a1.yaxis.set_major_locator(LogLocator(base=10, numticks=7))
    a1.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"$10^{{{np.log10(v):.0f}}}$"))
    a1.axhline(1.0, color="0.5", lw=0.8)
    a1.set_xlabel(tr("거슬러 올라간 시간 단계 수 $k$", "steps back in time $k$"))
    a1.set_ylabel(r"$\|\partial L / \partial h_{T-k}\|$")
    a1.legend(loc="lower left", fontsize=7, frameon=False)
    a1.grid(alpha=0.3, which="major")
    fig.suptitle(tr(f"$\\rho(W_h)$ = {radius:g}, $D_h$ = {H}: 은닉 상태와 시간을 거슬러 가는 기울기",
                    f"$\\rho(W_h)$ = {radius:g}, $D_h$ = {H}: hidden states and the gradient going back in time"),
                 fontsize=10)
    fig.tight_layout()
    return fig
