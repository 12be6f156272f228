"""Chapter 6 (LSTM code) figures: loss curves, accuracy against sequence length, hidden-size frames.

Every label goes through `nnbook.tr`, so the same call draws Korean or English text.
"""
import matplotlib.pyplot as plt
import numpy as np

from ..config import tr

__all__ = ["plot_loss", "plot_memory_accuracy", "plot_forget_bias", "word_sweep_frame", "model_label",
           "connectivity_frame", "plot_language_models"]


def model_label(kind, forget_bias=None, hidden_size=None):
    """The legend text of a (kind, forget_bias[, hidden_size]) model of the long-range task."""
    size = "" if hidden_size is None else f", H = {hidden_size}"
    if kind == "rnn":
        return f"RNN{size.replace(', ', ' (')}{')' if size else ''}"
    if forget_bias is None:
        return tr(f"LSTM (기본 초기화{size})", f"LSTM (default init{size})")
    return tr(f"LSTM (망각 게이트 편향 {forget_bias:g}{size})", f"LSTM (forget bias {forget_bias:g}{size})")


def plot_loss(losses, title=None, ax=None):
    """One training-loss curve: losses, a list of floats (one per step)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3))
    ax.plot(np.arange(1, len(losses) + 1), losses)
    _loss_axes(ax, title or tr("학습 손실", "training loss"))
    return ax.figure


def _loss_axes(ax, title):
    """Log-scale loss axes: labels, title and grid shared by the loss plots."""
    ax.set_yscale("log")
    ax.set_xlabel(tr("업데이트 횟수", "updates"))
    ax.set_ylabel(tr("교차 엔트로피 손실", "cross-entropy loss"))
    ax.set_title(title)
    ax.grid(alpha=0.3)


def plot_memory_accuracy(lengths, sweep, chance, ax=None):
    """Test accuracy against sequence length T for every model of a `memory_sweep` result.

    lengths: the T values; sweep: {(kind, forget_bias): {"accuracy": [one per T], ...}};
    chance: the accuracy of guessing (drawn as a dashed line).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.4))
    markers = {"rnn": "s", "lstm": "o"}
    for spec, res in sweep.items():
        ls = ":" if len(spec) == 3 else "-"
        ax.plot(lengths, res["accuracy"], marker=markers[spec[0]], ls=ls, label=model_label(*spec))
    ax.axhline(chance, color="gray", ls="--", lw=1,
               label=tr(f"무작위 추측({chance:.0%})", f"chance ({chance:.0%})"))
    ax.set_xscale("log", base=2)
    ax.set_xticks(lengths)
    ax.set_xticklabels([str(t) for t in lengths])
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(tr("시퀀스 길이 T", "sequence length T"))
    ax.set_ylabel(tr("테스트 정확도", "test accuracy"))
    ax.set_title(tr("첫 기호 기억하기: 길이에 따른 정확도", "Remembering the first symbol: accuracy vs length"))
    ax.legend(fontsize=8, loc="lower left")
    ax.grid(alpha=0.3)
    return ax.figure


def plot_forget_bias(curves, T, ax=None):
    """Training-loss curves of LSTMs that differ only in their forget-gate bias.

    curves: {forget_bias (None = PyTorch default): list of losses}; T: the sequence length.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.2))
    for fb, losses in curves.items():
        ax.plot(np.arange(1, len(losses) + 1), losses, label=model_label("lstm", fb))
    _loss_axes(ax, tr(f"망각 게이트 편향과 학습(T = {T})", f"Forget-gate bias and training (T = {T})"))
    ax.legend(fontsize=8)
    return ax.figure


def word_sweep_frame(hidden_size, result, sentences, max_steps=None):
    """One slider frame of the hidden-size sweep: loss curve on the left, the six predictions right
    (a wrong prediction in red, followed by the right word in parentheses).

    result: one entry of `hidden_size_sweep` ({"losses", "params", "predictions", "correct"}).
    Returns (fig, caption).
    """
    fig, (ax, ax_text) = plt.subplots(1, 2, figsize=(7.5, 3), gridspec_kw={"width_ratios": [1.3, 1]})
    losses = result["losses"]
    ax.plot(np.arange(1, len(losses) + 1), losses, color="C0")
    ax.set_yscale("log")
    ax.set_ylim(1e-3, 5)
    if max_steps:
        ax.set_xlim(0, max_steps)
    ax.set_xlabel(tr("업데이트 횟수", "updates"))
    ax.set_ylabel(tr("손실", "loss"))
    ax.set_title(tr(f"은닉 크기 H = {hidden_size}", f"hidden size H = {hidden_size}"))
    ax.grid(alpha=0.3)
    ax_text.axis("off")
    ax_text.set_title(tr("예측", "predictions"))
    for k, (sentence, pred) in enumerate(zip(sentences, result["predictions"])):
        first, target = " ".join(sentence.split()[:2]), sentence.split()[2]
        ok = pred == target
        shown = f"{first} -> {pred}" + ("" if ok else f"  ({target})")
        ax_text.text(0.0, 0.88 - 0.15 * k, shown, fontsize=10,
                     color="black" if ok else "crimson", transform=ax_text.transAxes)
        ax_text.text(0.85, 0.88 - 0.15 * k, "O" if ok else "X", fontsize=10,
                     color="green" if ok else "crimson", transform=ax_text.transAxes)
    fig.tight_layout()
    n = len(sentences)
    caption = tr(f"은닉 크기 {hidden_size}: 파라미터 {result['params']}개, 마지막 손실 {losses[-1]:.3f}, "
                 f"{result['correct']}/{n} 문장 정답",
                 f"hidden size {hidden_size}: {result['params']} parameters, final loss {losses[-1]:.3f}, "
                 f"{result['correct']}/{n} sentences right")
    return fig, caption


def connectivity_frame(t, curves, title, T=None):
    """One frame of the connectivity view: how strongly each input position s influences the answer
    read at step t (log scale), one line per model.

    curves: {legend label: (t,) gradient norms for s = 1 .. t} (from `lstm.models.memory_influence`);
    title: the frame's title; T: the sequence length (fixes the x range, default t).
    """
    fig, ax = plt.subplots(figsize=(6.4, 2.9))
    for k, (label, g) in enumerate(curves.items()):
        ax.plot(np.arange(1, len(g) + 1), np.maximum(g, 1e-30), color=f"C{k}", lw=1.5, label=label)
    ax.axvline(t, color="gray", ls="--", lw=1)
    ax.set_yscale("log")
    ax.set_ylim(1e-22, 1e2)
    ax.set_xlim(0, (T or t) + 1)
    ax.set_xlabel(tr("입력 위치 s (1 = 기억할 첫 기호)", "input position s (1 = the symbol to remember)"))
    ax.set_ylabel(r"$\|\partial \log p / \partial x_s\|$")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_language_models(histories, bar, ax=None):
    """Training loss (dashed) and validation loss (solid) per epoch for several language models.

    histories: {label: history of chapter 4's `train_char_rnn(..., valid_ids=...)`, with its
    "train_loss" and "valid_loss" lists}; bar: the validation bar, the unigram cross-entropy of the
    held-out text (a dotted line: a model below it uses context that carries over to new text).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.2))
    for k, (label, h) in enumerate(histories.items()):
        epochs = np.arange(1, len(h["train_loss"]) + 1)
        ax.plot(epochs, h["train_loss"], color=f"C{k}", ls="--", lw=1, label=tr(f"{label} 학습", f"{label} training"))
        ax.plot(epochs, h["valid_loss"], color=f"C{k}", lw=2, label=tr(f"{label} 검증", f"{label} validation"))
    ax.axhline(bar, color="gray", ls=":", lw=1, label=tr("검증 기준(유니그램)", "validation bar (unigram)"))
    ax.set_xlabel(tr("에포크", "epoch"))
    ax.set_ylabel(tr("손실(nats/문자)", "loss (nats/character)"))
    ax.set_title(tr("Zen of Python: 학습 손실과 검증 손실", "Zen of Python: training and validation loss"))
    ax.legend(fontsize=7, ncol=2)
    ax.grid(alpha=0.3)
    return ax.figure
