"""Choose the digits CNN's training recipe on a validation split of the TRAINING images (never the test set).

    python bench/tune_digits.py [--recipes NAME,...] [--seeds 0,1] [--folds 0,1]

Each fold holds out a stratified 20% of the 1347 training images of `load_digits_split()` (split seed =
fold); each recipe trains on the other 80% with every seed, under one BLAS thread, and reports the mean
validation accuracy and the mean training time. The recipe with the best validation accuracy (ties:
the faster one) became `train_digits_cnn`'s default; only then was it run on the test set.
"""
import argparse
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from nnbook.cnn.data import load_digits_split  # noqa: E402
from nnbook.scratch import build_digits_cnn, train_digits_cnn  # noqa: E402

RECIPES = {
    "old-default": dict(epochs=20, lr=2e-3, lr_decay=0.9),
    "shift1": dict(epochs=20, lr=2e-3, lr_decay=0.9, shift=1),
    "e30": dict(epochs=30, lr=2e-3, lr_decay=0.9),
    "e30-wd": dict(epochs=30, lr=2e-3, lr_decay=0.9, weight_decay=3e-4),
    "e40-lr3-d92": dict(epochs=40, lr=3e-3, lr_decay=0.92),
    "wide-e20": dict(epochs=20, lr=2e-3, lr_decay=0.9, channels=(32, 64)),
    "bs16-e20": dict(epochs=20, lr=1e-3, lr_decay=0.9, batch_size=16),
}


def split(X, y, fold, frac=0.2):
    """Stratified split of the training images: (X_fit, y_fit, X_val, y_val)."""
    rng = np.random.default_rng(1000 + fold)
    val = np.concatenate([rng.permutation(np.flatnonzero(y == c))[:int(round(frac * (y == c).sum()))]
                          for c in np.unique(y)])
    mask = np.zeros(len(y), bool)
    mask[val] = True
    return X[~mask], y[~mask], X[mask], y[mask]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--recipes", default=",".join(RECIPES))
    p.add_argument("--seeds", default="0,1")
    p.add_argument("--folds", default="0,1")
    p.add_argument("--test", action="store_true", help="train on all training images, report the TEST accuracy")
    a = p.parse_args()
    X, Xte, y, yte = load_digits_split()
    seeds = [int(s) for s in a.seeds.split(",")]
    for name in a.recipes.split(","):
        kw = dict(RECIPES[name])
        channels = kw.pop("channels", (24, 48))
        accs, secs = [], []
        for fold in ([None] if a.test else [int(f) for f in a.folds.split(",")]):
            Xf, yf, Xv, yv = (X, y, Xte, yte) if a.test else split(X, y, fold)
            for s in seeds:
                r = train_digits_cnn(Xf, yf, Xv, yv, seed=s, model=build_digits_cnn(channels=channels, seed=s), **kw)
                accs.append(r["test_accuracy"])
                secs.append(r["seconds"])
        what = "test" if a.test else "validation"
        print(f"{name:<18} {what} {100 * np.mean(accs):.2f}% (min {100 * min(accs):.2f}, max {100 * max(accs):.2f}, "
              f"n={len(accs)})  {np.mean(secs):.1f} s/run  {kw}", flush=True)


if __name__ == "__main__":
    main()
