"""Figures of chapter 4 (RNN code): loss curves, gradient norms, the hidden-size frame, sine prediction.

Every function returns a matplotlib Figure whose title, axis labels and legend come from
`nnbook.tr`, so the same call draws Korean or English labels.
"""
import textwrap

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np

from ..config import tr

__all__ = ["plot_hidden_states", "entropy_line", "plot_losses", "plot_train_valid", "plot_clipping",
           "hidden_size_frame", "temperature_frame", "plot_sine_prediction"]


def plot_hidden_states(states, figsize=(8, 2.6)):
    """Heatmaps of hidden states side by side, time on x, hidden unit on y, colors from -1 to 1.

    states: {panel title: array (T, D_h)}, e.g. one sequence's h_1 ... h_T from two initializations.
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


def entropy_line(ax, entropy, valid=None):
    """Horizontal lines at the unigram bars (nats), labelled, on the axes `ax`.

    entropy: the training text's unigram entropy (dashed); valid: the unigram cross-entropy of the
    held-out text under the training frequencies (dotted), or None.
    """
    ax.axhline(entropy, color="0.3", ls="--", lw=1,
               label=tr(f"유니그램 엔트로피 {entropy:.3f}", f"unigram entropy {entropy:.3f}"))
    if valid is not None:
        ax.axhline(valid, color="C3", ls=":", lw=1.2,
                   label=tr(f"검증 텍스트의 유니그램 기준 {valid:.3f}", f"unigram bar, validation {valid:.3f}"))


def plot_train_valid(runs, entropy, valid_bar, title=None, figsize=(6, 3.2)):
    """Training (solid) and validation (dashed) loss per epoch, one color per run, with both bars.

    runs: {label: history from `train_char_rnn(..., valid_ids=...)`} (keys 'train_loss', 'valid_loss');
    entropy: unigram entropy of the training text; valid_bar: unigram cross-entropy of the held-out text.
    """
    fig, ax = plt.subplots(figsize=figsize)
    for i, (label, hist) in enumerate(runs.items()):
        epochs = np.arange(1, len(hist["train_loss"]) + 1)
        ax.plot(epochs, hist["train_loss"], color=f"C{i}", lw=1.5, label=tr(f"{label}: 학습", f"{label}: training"))
        ax.plot(epochs, hist["valid_loss"], color=f"C{i}", lw=1.5, ls="--",
                label=tr(f"{label}: 검증", f"{label}: validation"))
    entropy_line(ax, entropy, valid_bar)
    _finish_loss_axes(fig, ax, tr("에포크", "epoch"), title or tr("학습 손실과 검증 손실", "training and validation loss"), 7)
    return fig


def plot_losses(curves, entropy=None, title=None, xlabel=None, figsize=(6, 3.2)):
    """Loss curves in nats. curves: {label: sequence of losses}; entropy: the bar to beat, or None."""
    fig, ax = plt.subplots(figsize=figsize)
    for label, values in curves.items():
        ax.plot(np.arange(1, len(values) + 1), values, label=label)
    if entropy is not None:
        entropy_line(ax, entropy)
    _finish_loss_axes(fig, ax, xlabel or tr("에포크", "epoch"), title or tr("학습 손실", "training loss"), 8)
    return fig


def _finish_loss_axes(fig, ax, xlabel, title, legend_size):
    """Labels, title, y from 0 and legend of a loss-per-epoch plot (nats per character)."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(tr("교차 엔트로피 손실(nats/문자)", "cross-entropy loss (nats/char)"))
    ax.set_title(title)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=legend_size)
    fig.tight_layout()


def plot_clipping(runs, max_norm, entropy=None, figsize=(8, 3.2)):
    """Two panels per update step, both on log scales: the loss and the gradient norm before clipping.

    runs: {label: history from `train_char_rnn`, or a list of histories (one per seed, drawn
    thin in the label's color)}; max_norm: the clipping threshold (drawn dotted).
    """
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=figsize)
    for i, (label, hists) in enumerate(runs.items()):
        hists = hists if isinstance(hists, (list, tuple)) else [hists]
        lw = 1.2 if len(hists) == 1 else 0.7
        for k, hist in enumerate(hists):
            steps = np.arange(1, len(hist["loss"]) + 1)
            name = label if k == 0 else None
            ax1.semilogy(steps, hist["loss"], label=name, lw=lw, color=f"C{i}", alpha=0.8)
            ax2.semilogy(steps, hist["grad_norm"], label=name, lw=lw, color=f"C{i}", alpha=0.8)
    if entropy is not None:
        entropy_line(ax1, entropy)
    ax2.axhline(max_norm, color="0.3", ls=":", lw=1,
                label=tr(f"클리핑 문턱 {max_norm}", f"clipping threshold {max_norm}"))
    ax1.set_title(tr("손실(로그 눈금)", "loss (log scale)"))
    ax1.set_ylabel(tr("손실(nats/문자)", "loss (nats/char)"))
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


def hidden_size_frame(hidden, histories, entropy, valid_bar, n_params, figsize=(5.6, 3.0)):
    """One slider frame: this size's training (solid) and validation (dashed) curves, bold, over
    the validation curves of all other sizes (faint), with both unigram bars.

    hidden: this frame's hidden size H; histories: {H: history with 'train_loss', 'valid_loss'};
    entropy, valid_bar: the unigram bars (nats) of the training and the held-out text.
    """
    fig, ax = plt.subplots(figsize=figsize)
    top = 0.0
    for h, hist in histories.items():
        epochs = np.arange(1, len(hist["valid_loss"]) + 1)
        top = max(top, max(hist["valid_loss"]))
        if h != hidden:
            ax.plot(epochs, hist["valid_loss"], color="0.82", lw=0.8, ls="--", zorder=1)
    hist = histories[hidden]
    epochs = np.arange(1, len(hist["train_loss"]) + 1)
    ax.plot(epochs, hist["train_loss"], color="C0", lw=2, label=tr("학습", "training"), zorder=3)
    ax.plot(epochs, hist["valid_loss"], color="C1", lw=2, ls="--", label=tr("검증", "validation"), zorder=3)
    best = int(np.argmin(hist["valid_loss"]))
    ax.plot(best + 1, hist["valid_loss"][best], "o", color="C1", ms=5, zorder=4)
    entropy_line(ax, entropy, valid_bar)
    ax.set_ylim(0, top * 1.05)
    ax.set_xlabel(tr("에포크", "epoch"))
    ax.set_ylabel(tr("손실(nats/문자)", "loss (nats/char)"))
    ax.set_title(tr(f"은닉 크기 {hidden}: 파라미터 {n_params:,}개", f"hidden size {hidden}: {n_params:,} parameters"),
                 fontsize=10)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return fig


def temperature_frame(temperature, text, entropy, max_entropy, width=44, figsize=(7.2, 3.0)):
    """One slider frame: a generated text (left) and the entropy of each step's distribution (right).

    temperature: 0 for greedy decoding; text: the generated str (prefix included); entropy: (K,)
    nats per generated step (from `nnbook.rnn.models.generate`); max_entropy: ln V, the top of the axis.
    """
    fig, (ax_t, ax) = plt.subplots(1, 2, figsize=figsize, gridspec_kw={"width_ratios": [1.15, 1]})
    ax_t.axis("off")
    name = tr("탐욕 디코딩", "greedy decoding") if temperature == 0 else tr(f"온도 {temperature}", f"temperature {temperature}")
    ax_t.set_title(name, loc="left", fontsize=10)
    lines = []
    for line in text.split("\n"):
        lines.extend(textwrap.wrap(line, width) or [""])
    ax_t.text(0.0, 1.0, "\n".join(lines[:12]), family="monospace", fontsize=7.5, va="top", transform=ax_t.transAxes)
    steps = np.arange(1, len(entropy) + 1)
    ax.plot(steps, entropy, color="C0", lw=0.8)
    ax.axhline(float(np.mean(entropy)), color="C3", lw=1.2,
               label=tr(f"평균 {np.mean(entropy):.2f}", f"mean {np.mean(entropy):.2f}"))
    ax.axhline(max_entropy, color="0.3", ls="--", lw=1, label=f"ln V = {max_entropy:.2f}")
    ax.set_ylim(-0.05, max_entropy * 1.08)
    ax.set_xlabel(tr("생성한 문자 번호", "generated character"))
    ax.set_ylabel(tr("엔트로피(nats)", "entropy (nats)"))
    ax.set_title(tr("단계마다 고르는 분포의 엔트로피", "entropy of each step's distribution"), fontsize=10)
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    return fig


def plot_sine_prediction(t, y, t_pred, pred, split=None, figsize=(8, 3.2)):
    """The noisy series y(t) (dots) and the model's one-step predictions (line).

    t, y: (L,); t_pred, pred: (M,) the time of each predicted value and the prediction;
    split: the first time step of the test part (a vertical line), or None.
    """
    fig, ax = plt.subplots(figsize=figsize)
    ax.plot(t, y, ".", ms=3, color="0.55", label=tr("관측값(잡음 포함)", "observed (noisy)"))
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
