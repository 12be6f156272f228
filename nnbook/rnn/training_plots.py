"""Figures of chapter 4 (RNN code): loss curves, gradient norms, the hidden-size frame, sine prediction.

Every function returns a matplotlib Figure whose title, axis labels and legend come from
`nnbook.tr`, so the same call draws Korean or English labels.
"""
import textwrap

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np

from ..config import tr

__all__ = ["plot_hidden_states", "entropy_line", "plot_losses", "plot_clipping", "hidden_size_frame", "plot_sine_prediction"]


def plot_hidden_states(states, figsize=(8, 2.6)):
    """Heatmaps of hidden states side by side, time on x, hidden unit on y, colours from -1 to 1.

    states: {panel title: array (T, D_h)}, e.g. one sequence's h_1 ... h_T from two initialisations.
    """
    fig, axes = plt.subplots(1, len(states), figsize=figsize, squeeze=False)
    for ax, (title, h) in zip(axes[0], states.items()):
        h = np.asarray(h)
        im = ax.imshow(h.T, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto", interpolation="nearest",
                       extent=(0.5, h.shape[0] + 0.5, h.shape[1] - 0.5, -0.5))
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(tr("시간 단계 t", "time step t"))
        ax.set_ylabel(tr("은닉 유닛", "hidden unit"))
    fig.colorbar(im, ax=axes[0].tolist(), label="$h_t$", fraction=0.03, pad=0.02)
    return fig


def entropy_line(ax, entropy):
    """A dashed horizontal line at the unigram entropy (nats), labelled, on the axes `ax`."""
    ax.axhline(entropy, color="0.3", ls="--", lw=1,
               label=tr(f"유니그램 엔트로피 {entropy:.3f}", f"unigram entropy {entropy:.3f}"))


def plot_losses(curves, entropy=None, title=None, xlabel=None, figsize=(6, 3.2)):
    """Loss curves in nats. curves: {label: sequence of losses}; entropy: the bar to beat, or None."""
    fig, ax = plt.subplots(figsize=figsize)
    for label, values in curves.items():
        ax.plot(np.arange(1, len(values) + 1), values, label=label)
    if entropy is not None:
        entropy_line(ax, entropy)
    ax.set_xlabel(xlabel or tr("에포크", "epoch"))
    ax.set_ylabel(tr("교차 엔트로피 손실 (nats/문자)", "cross-entropy loss (nats/char)"))
    ax.set_title(title or tr("학습 손실", "training loss"))
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_clipping(runs, max_norm, entropy=None, figsize=(8, 3.2)):
    """Two panels per update step, both on log scales: the loss and the gradient norm before clipping.

    runs: {label: history from `train_char_rnn`}; max_norm: the clipping threshold (drawn dotted).
    """
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=figsize)
    for label, hist in runs.items():
        steps = np.arange(1, len(hist["loss"]) + 1)
        ax1.semilogy(steps, hist["loss"], label=label, lw=1.2)
        ax2.semilogy(steps, hist["grad_norm"], label=label, lw=1.2)
    if entropy is not None:
        entropy_line(ax1, entropy)
    ax2.axhline(max_norm, color="0.3", ls=":", lw=1,
                label=tr(f"클리핑 문턱 {max_norm}", f"clipping threshold {max_norm}"))
    ax1.set_title(tr("손실 (로그 눈금)", "loss (log scale)"))
    ax1.set_ylabel(tr("손실 (nats/문자)", "loss (nats/char)"))
    # plain tick labels (0.1, 1, 10): the default 10^{-1} needs a minus glyph the Korean font lacks
    for ax in (ax1, ax2):
        ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(mticker.NullFormatter())
    ax2.set_title(tr("클리핑 전 기울기 노름", "gradient norm before clipping"))
    ax2.set_ylabel(tr("전체 기울기 노름", "total gradient norm"))
    for ax in (ax1, ax2):
        ax.set_xlabel(tr("업데이트 횟수", "update step"))
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def hidden_size_frame(hidden, histories, entropy, text, n_params, figsize=(7.2, 3.3)):
    """One slider frame: every size's loss curve (faint), this size's (bold), and its sampled text.

    hidden: this frame's hidden size H; histories: {H: list of epoch losses} for all sizes;
    entropy: unigram entropy (nats); text: a sample of generated text; n_params: parameter count.
    """
    fig, (ax, ax_t) = plt.subplots(1, 2, figsize=figsize, gridspec_kw={"width_ratios": [1.15, 1]})
    for h, losses in histories.items():
        bold = h == hidden
        ax.plot(np.arange(1, len(losses) + 1), losses, color="C0" if bold else "0.75",
                lw=2 if bold else 1, zorder=3 if bold else 2,
                label=tr(f"은닉 크기 {h}", f"hidden size {h}") if bold else None)
    entropy_line(ax, entropy)
    ax.set_ylim(0, max(max(v) for v in histories.values()) * 1.05)
    ax.set_xlabel(tr("에포크", "epoch"))
    ax.set_ylabel(tr("손실 (nats/문자)", "loss (nats/char)"))
    ax.set_title(tr(f"은닉 크기 {hidden}: 파라미터 {n_params:,}개",
                    f"hidden size {hidden}: {n_params:,} parameters"))
    ax.legend(fontsize=7, loc="upper right")
    ax_t.axis("off")
    ax_t.set_title(tr("생성한 텍스트 (온도 1, 시드 0)", "generated text (temperature 1, seed 0)"),
                   loc="left", fontsize=10)
    lines = []
    for line in text.split("\n"):
        lines.extend(textwrap.wrap(line, 40) or [""])
    ax_t.text(0.0, 1.0, "\n".join(lines[:13]), family="monospace", fontsize=8.5, va="top",
              transform=ax_t.transAxes)
    fig.tight_layout()
    return fig


def plot_sine_prediction(t, y, t_pred, pred, split=None, figsize=(8, 3.2)):
    """The noisy series y(t) (dots) and the model's one-step predictions (line).

    t, y: (L,); t_pred, pred: (M,) the time of each predicted value and the prediction;
    split: the first time step of the test part (a vertical line), or None.
    """
    fig, ax = plt.subplots(figsize=figsize)
    ax.plot(t, y, ".", ms=3, color="0.55", label=tr("관측값 (잡음 포함)", "observed (noisy)"))
    ax.plot(t_pred, pred, color="C3", lw=1.5, label=tr("RNN 예측", "RNN prediction"))
    if split is not None:
        ax.axvline(split, color="0.3", ls="--", lw=1,
                   label=tr("학습 | 테스트 경계", "train | test boundary"))
    ax.set_xlabel(tr("시간 단계 t", "time step t"))
    ax.set_ylabel(tr("값", "value"))
    ax.set_title(tr("다대일 RNN: 다음 값 예측", "many-to-one RNN: predicting the next value"))
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig
