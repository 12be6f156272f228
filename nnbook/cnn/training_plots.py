"""Figures for chapter 2 (matplotlib; every label through nnbook.tr, so they follow the notebook's language).

Each function draws one figure and returns it: sample grid, training curves, confusion matrix,
misclassified examples, convolution filters and feature maps.
"""
import matplotlib.pyplot as plt
import numpy as np

from .theory_figures import no_ticks
from ..config import tr

__all__ = ["show_image_values", "sample_grid", "training_curves", "compare_curves", "confusion_matrix",
           "misclassified", "filters", "feature_maps", "ladder", "overfitting_curves", "kernel_frame"]


def _img(x):
    """(C, H, W) or (H, W) tensor/array -> (H, W) or (H, W, 3) array for imshow."""
    x = np.asarray(x.detach().cpu() if hasattr(x, "detach") else x, dtype=np.float64)
    if x.ndim == 3 and x.shape[0] == 1:
        return x[0]
    if x.ndim == 3 and x.shape[0] == 3:
        return x.transpose(1, 2, 0)
    return x


def show_image_values(images, titles, suptitle, figsize=(8, 2.8), annotate=False):
    """Images side by side, each with its own color bar showing its range of values.

    images: list of (H, W) arrays (or (1, H, W)); titles: one per image. annotate=True also writes
    each pixel's value into it (readable only for a large figure).
    """
    fig, axes = plt.subplots(1, len(images), figsize=figsize)
    for ax, im, title in zip(np.atleast_1d(axes), images, titles):
        a = _img(im)
        h = ax.imshow(a, cmap="gray")
        for (i, j), v in (np.ndenumerate(a) if annotate else []):
            ax.text(j, i, f"{v:.2g}" if abs(v) < 10 else f"{v:.0f}", ha="center", va="center", fontsize=6,
                    color="black" if v > (a.min() + a.max()) / 2 else "white")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel(tr("열", "column"))
        ax.set_ylabel(tr("행", "row"))
        fig.colorbar(h, ax=ax, fraction=0.046, pad=0.04)
    fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def sample_grid(X, y, classes=None, n=24, cols=12, title=None, pred=None):
    """A grid of the first n images X: (N, C, H, W) with their labels y: (N,) as titles.

    pred: optional predicted labels (N,), shown as "true->pred" (in red when wrong).
    """
    n = min(n, len(X))
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(min(8, 0.66 * cols), 0.8 * rows + 0.5))
    for k, ax in enumerate(np.ravel(axes)):
        ax.axis("off")
        if k >= n:
            continue
        ax.imshow(_img(X[k]), cmap="gray_r" if X[k].shape[0] == 1 else None)
        label = classes[int(y[k])] if classes is not None else str(int(y[k]))
        if pred is not None:
            p = classes[int(pred[k])] if classes is not None else str(int(pred[k]))
            ax.set_title(f"{label}->{p}", fontsize=8, color="tab:red" if p != label else "black")
        else:
            ax.set_title(label, fontsize=8)
    fig.suptitle(title if title is not None else tr("표본 이미지와 레이블", "Sample images and labels"))
    fig.tight_layout()
    return fig


def training_curves(history, title=None, eval_label=None):
    """Two panels from a `train_model` history: training loss per epoch, and train/evaluation accuracy.

    history["test_acc"] is the accuracy on whatever loader `train_model` evaluated on; eval_label names
    it in the legend (default: "validation").
    """
    epochs = np.arange(1, len(history["loss"]) + 1)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(8, 3))
    a1.plot(epochs, history["loss"], marker="o", ms=3)
    a1.set_xlabel(tr("에포크", "epoch"))
    a1.set_ylabel(tr("교차 엔트로피 손실", "cross-entropy loss"))
    a1.set_title(tr("학습 손실", "Training loss"))
    a2.plot(epochs, history["train_acc"], marker="o", ms=3, label=tr("학습 (미니배치)", "training (mini-batches)"))
    if history.get("test_acc"):
        a2.plot(epochs, history["test_acc"], marker="s", ms=3,
                label=eval_label if eval_label else tr("검증", "validation"))
    a2.set_xlabel(tr("에포크", "epoch"))
    a2.set_ylabel(tr("정확도", "accuracy"))
    a2.set_title(tr("정확도", "Accuracy"))
    a2.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def compare_curves(histories, title=None):
    """Test accuracy per epoch of several runs: histories is {label: history}."""
    fig, ax = plt.subplots(figsize=(7, 3.2))
    for label, h in histories.items():
        ax.plot(np.arange(1, len(h["test_acc"]) + 1), h["test_acc"], marker="o", ms=3, label=label)
    ax.set_xlabel(tr("에포크", "epoch"))
    low = 0.7                                     # zoom in on the top; say so when a curve starts lower
    cut = any(min(h["test_acc"]) < low for h in histories.values())
    ax.set_ylabel(tr("테스트 정확도" + (" (0.7 아래는 잘림)" if cut else ""),
                     "test accuracy" + (" (cut off below 0.7)" if cut else "")))
    ax.set_ylim(low, 1.0)
    ax.set_title(title if title else tr("개선 단계별 테스트 정확도", "Test accuracy of each improvement"))
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def confusion_matrix(confusion, classes=None, title=None):
    """A (K, K) confusion matrix (rows: true class, columns: predicted class) with the counts written in."""
    k = confusion.shape[0]
    classes = classes if classes is not None else [str(i) for i in range(k)]
    fig, ax = plt.subplots(figsize=(4.2, 3.8))
    ax.imshow(confusion, cmap="Blues")
    for (i, j), v in np.ndenumerate(confusion):
        if v:
            ax.text(j, i, str(v), ha="center", va="center", fontsize=8,
                    color="white" if v > confusion.max() / 2 else "black")
    ax.set_xticks(range(k), classes)
    ax.set_yticks(range(k), classes)
    ax.set_xlabel(tr("예측한 클래스", "predicted class"))
    ax.set_ylabel(tr("실제 클래스", "true class"))
    ax.set_title(title if title else tr("혼동 행렬", "Confusion matrix"))
    fig.tight_layout()
    return fig


def misclassified(X, true, pred, classes=None, max_n=12, title=None):
    """The images the model got wrong, titled "true->pred". X: (N, C, H, W); true, pred: (N,)."""
    wrong = np.flatnonzero(np.asarray(true) != np.asarray(pred))[:max_n]
    if len(wrong) == 0:
        fig, ax = plt.subplots(figsize=(3, 1))
        ax.axis("off")
        ax.set_title(tr("틀린 이미지가 없다", "No misclassified images"))
        return fig
    return sample_grid([X[i] for i in wrong], np.asarray(true)[wrong], classes, n=len(wrong),
                       cols=max(len(wrong), 4), pred=np.asarray(pred)[wrong],
                       title=title if title else tr("잘못 분류한 테스트 이미지 (실제->예측)",
                                                    "Misclassified test images (true->predicted)"))


def filters(weight, title=None, max_n=16, cols=8):
    """First-layer filters: weight (F, 1, K, K) (a Conv2d's weight), each drawn as a K x K image.

    Colors are centered at zero (red positive, blue negative), the same scale for all filters.
    """
    w = np.asarray(weight.detach().cpu() if hasattr(weight, "detach") else weight)[:max_n, 0]
    rows = int(np.ceil(len(w) / cols))
    vmax = float(np.abs(w).max()) or 1.0
    fig, axes = plt.subplots(rows, cols, figsize=(min(8, 0.8 * cols), 0.85 * rows + 0.45))
    for k, ax in enumerate(np.ravel(axes)):
        no_ticks(ax)
        if k < len(w):
            ax.imshow(w[k], cmap="RdBu_r", vmin=-vmax, vmax=vmax)
            ax.set_xlabel(f"#{k}", fontsize=7, labelpad=1)
        else:
            ax.axis("off")
    fig.suptitle(title if title else tr("첫 번째 합성곱 계층의 필터", "Filters of the first convolution layer"),
                 fontsize=10)
    fig.tight_layout()
    return fig


def feature_maps(image, maps, title=None, max_n=8):
    """An input image and the feature maps it produces in several layers.

    image: (1, H, W); maps: list of (name, array (C, h, w)); each row shows the first max_n channels.
    """
    rows = len(maps)
    fig, axes = plt.subplots(rows, max_n + 1, figsize=(8, 1.0 * rows + 0.5))
    axes = np.atleast_2d(axes)
    for r, (name, m) in enumerate(maps):
        m = np.asarray(m.detach().cpu() if hasattr(m, "detach") else m)
        ax = axes[r, 0]
        no_ticks(ax)
        if r == 0:
            ax.imshow(_img(image), cmap="gray_r")
            ax.set_title(tr("입력", "input"), fontsize=8)
        else:
            ax.axis("off")
        for c in range(max_n):
            ax = axes[r, c + 1]
            no_ticks(ax)
            if c < m.shape[0]:
                ax.imshow(m[c], cmap="viridis")
            if c == 0:
                ax.set_ylabel(f"{name}\n{m.shape[1]}×{m.shape[2]}", fontsize=7)
            if r == 0:
                ax.set_title(tr(f"채널 {c}", f"channel {c}"), fontsize=7)
    fig.suptitle(title if title else tr("계층별 특징 맵", "Feature maps, layer by layer"), fontsize=10)
    fig.tight_layout()
    return fig


def ladder(names, train, val, title=None):
    """The improvement ladder: for each step, the validation accuracy over seeds (mean, error bar = one
    standard deviation, dots = the seeds) and the mean training accuracy; the gap between them is the
    overfitting. names: step labels; train, val: (steps, seeds) accuracies in [0, 1]."""
    train, val = np.asarray(train) * 100, np.asarray(val) * 100
    y = np.arange(len(names))[::-1]
    fig, ax = plt.subplots(figsize=(7, 0.42 * len(names) + 1.0))
    for yi, v in zip(y, val):
        ax.plot(v, np.full(len(v), yi), "o", ms=3, color="tab:blue", alpha=0.4)
    ax.errorbar(val.mean(1), y, xerr=val.std(1, ddof=1), fmt="s", color="tab:blue", capsize=3,
                label=tr("검증 (평균 ± 표준편차)", "validation (mean ± sd)"))
    ax.plot(train.mean(1), y, "^", color="tab:orange", label=tr("학습 데이터 (평균)", "training data (mean)"))
    ax.set_yticks(y, names, fontsize=8)
    ax.set_xlabel(tr("정확도 (%)", "accuracy (%)"))
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title(title if title else tr("단계별 정확도, 시드 5개", "Accuracy of each step, 5 seeds"), fontsize=10)
    fig.tight_layout()
    return fig


def overfitting_curves(train_curves, val_curves, chosen=None, title=None):
    """Mean training and validation accuracy per epoch over seeds, the gap shaded.

    train_curves, val_curves: (seeds, epochs) accuracies in [0, 1]; chosen: an epoch (1-based) to mark.
    """
    tr_m, va_m = np.mean(train_curves, 0) * 100, np.mean(val_curves, 0) * 100
    epochs = np.arange(1, len(tr_m) + 1)
    fig, ax = plt.subplots(figsize=(6, 2.8))
    ax.plot(epochs, tr_m, marker="^", ms=3, color="tab:orange", label=tr("학습 데이터", "training data"))
    ax.plot(epochs, va_m, marker="s", ms=3, color="tab:blue", label=tr("검증 데이터", "validation data"))
    ax.fill_between(epochs, va_m, tr_m, where=tr_m > va_m, color="tab:red", alpha=0.15,
                    label=tr("차이 (과적합)", "gap (overfitting)"))
    if chosen is not None:
        ax.axvline(chosen, color="gray", ls="--", lw=1)
    ax.set_ylim(max(50.0, float(min(va_m.min(), tr_m.min())) - 2), 100.5)
    ax.set_xlabel(tr("에포크", "epoch"))
    ax.set_ylabel(tr("정확도 (%, 시드 평균)", "accuracy (%, mean over seeds)"))
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title(title if title else tr("학습 정확도와 검증 정확도", "Training and validation accuracy"), fontsize=10)
    fig.tight_layout()
    return fig


def kernel_frame(weight, k, sizes, acc, params, fields, title=None):
    """One slider frame: the first-layer filters learned with kernel size k, beside bars of what each
    kernel size measured. weight: (F, 1, k, k); sizes: kernel sizes; acc: (len(sizes), seeds) validation
    accuracies; params, fields: parameter count and receptive field (pixels) per size."""
    w = np.asarray(weight.detach().cpu() if hasattr(weight, "detach") else weight)[:8, 0]
    acc = np.asarray(acc) * 100
    fig = plt.figure(figsize=(7.2, 2.5))
    grid = fig.add_gridspec(2, 7, width_ratios=[1, 1, 1, 1, 0.3, 2.4, 2.4])
    vmax = float(np.abs(w).max()) or 1.0
    for i in range(8):
        ax = fig.add_subplot(grid[i // 4, i % 4])
        no_ticks(ax)
        if i < len(w):
            ax.imshow(w[i], cmap="RdBu_r", vmin=-vmax, vmax=vmax)
        else:
            ax.axis("off")
    colors = ["tab:red" if s == k else "tab:gray" for s in sizes]
    labels = [f"{s}×{s}" for s in sizes]
    a1 = fig.add_subplot(grid[:, 5])
    a1.bar(labels, acc.mean(1), yerr=acc.std(1, ddof=1), color=colors, capsize=2)
    a1.set_ylim(max(0.0, float(acc.min()) - 5), 100)
    a1.set_title(tr("검증 정확도 (%)", "validation accuracy (%)"), fontsize=8)
    a1.tick_params(labelsize=7)
    a2 = fig.add_subplot(grid[:, 6])
    a2.bar(labels, np.asarray(params) / 1000, color=colors)
    for i, f in enumerate(fields):
        a2.text(i, params[i] / 1000, f"RF {f}", ha="center", va="bottom", fontsize=7)
    a2.set_title(tr("파라미터 (천 개), RF", "parameters (thousands), RF"), fontsize=8)
    a2.tick_params(labelsize=7)
    a2.set_ylim(0, max(params) / 1000 * 1.2)
    fig.suptitle(title if title else tr(f"커널 {k}×{k}: 첫 계층 필터 {len(w)}개와 측정값",
                                        f"kernel {k}×{k}: {len(w)} first-layer filters and the measurements"), fontsize=9)
    fig.tight_layout()
    return fig
