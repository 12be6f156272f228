"""A small LeNet-like CNN for the 8x8 digits, built and trained with nnbook.scratch only (NumPy).

Chapter 2 calls `train_digits_cnn` on the arrays of `nnbook.cnn.data.load_digits_split()`, and
`build_digits_cnn` + `load_torch_state_dict` to show that the NumPy net and the same net in
PyTorch give the same outputs.
"""
import time

import numpy as np

from .layers import Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential
from .optim import Adam

__all__ = ["build_digits_cnn", "train_digits_cnn", "random_shift", "validation_split", "DIGITS_NET"]

# The default net of `train_digits_cnn` (issue 19), chosen with `bench/tune_digits.py` on validation splits of
# the training images: the LeNet pattern ("cpcp", 24 and 48 filters, 120 and 84 hidden units) reached 98.1-98.4%
# there, the two convolutions before one pooling 98.7%.
DIGITS_NET = dict(layout="ccp", channels=(32, 64), hidden=(128,))


def build_digits_cnn(channels=(24, 48), hidden=(120, 84), n_classes=10, in_channels=1, image_size=8,
                     seed=0, dtype=np.float32, layout="cpcp"):
    """A small CNN for 8x8 images: padded 3x3 convolutions with ReLU, 2x2 max poolings, then fully connected layers.

    layout: the convolutions ('c') and poolings ('p') in order; the k-th 'c' has channels[k] filters.
    The default "cpcp" is the LeNet-5 pattern (conv-pool-conv-pool-fc-fc-fc) adapted to 1x8x8 images:
        conv3x3(pad 1) - ReLU - maxpool2 - conv3x3(pad 1) - ReLU - maxpool2 - fc - ReLU - fc - ReLU - fc;
    the padded 3x3 convolutions keep the size, each pooling halves it (8 -> 4 -> 2). "ccp" puts the
    two convolutions side by side before one pooling (8 -> 4): twice the multiply-adds in the second
    convolution, and a 4x4 map (not 2x2) for the fully connected layers to read.
    channels: filters of the convolutions; hidden: units of the fully connected layers before the
    last one (any number of them). x: (N, in_channels, image_size, image_size) -> logits (N, n_classes).
    The default net in PyTorch (same layer order, so `load_torch_state_dict` can copy its weights):
        nn.Sequential(nn.Conv2d(1, c1, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Conv2d(c1, c2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                      nn.Linear(c2 * 2 * 2, h1), nn.ReLU(), nn.Linear(h1, h2), nn.ReLU(),
                      nn.Linear(h2, n_classes))
    """
    if not layout or set(layout) - {"c", "p"} or layout.count("c") != len(channels):
        raise ValueError(f"build_digits_cnn: layout must be letters 'c' (one per entry of channels = {channels}) "
                         f"and 'p', got {layout!r}")
    side = image_size // 2 ** layout.count("p")
    if side < 1:
        raise ValueError(f"build_digits_cnn: image_size {image_size} is too small for {layout.count('p')} 2x2 poolings")
    rng = np.random.default_rng(seed)
    layers, c, k = [], in_channels, 0
    for step in layout:
        if step == "c":
            layers += [Conv2d(c, channels[k], 3, padding=1, rng=rng, dtype=dtype), ReLU()]
            c, k = channels[k], k + 1
        else:
            layers.append(MaxPool2d(2))
    layers.append(Flatten())
    width = c * side * side
    for h in hidden:
        layers += [Linear(width, h, rng=rng, dtype=dtype), ReLU()]
        width = h
    layers.append(Linear(width, n_classes, rng=rng, dtype=dtype))
    return Sequential(*layers)


def random_shift(x, shift, rng):
    """Move every image by a random whole number of pixels in [-shift, shift] each way, zeros filling in.

    x: (N, C, H, W) -> (N, C, H, W). A cheap data augmentation: a digit moved by a pixel is the same digit.
    """
    if shift == 0:
        return x
    N, C, H, W = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (shift, shift), (shift, shift)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (H, W), axis=(2, 3))  # (N, C, 2s+1, 2s+1, H, W)
    dy, dx = rng.integers(0, 2 * shift + 1, size=(2, N))
    return windows[np.arange(N), :, dy, dx]


def validation_split(X, y, fraction=0.2, seed=0):
    """Hold out `fraction` of every class at random: returns X_fit, y_fit, X_val, y_val.

    X: (N, ...), y: (N,) int labels. For choosing training settings without looking at the test set.
    """
    X, y = np.asarray(X), np.asarray(y)
    if not 0 < fraction < 1:
        raise ValueError(f"validation_split: fraction must be between 0 and 1, got {fraction}")
    rng = np.random.default_rng(seed)
    val = np.concatenate([rng.permutation(np.flatnonzero(y == c))[:int(round(fraction * np.sum(y == c)))]
                          for c in np.unique(y)])
    mask = np.zeros(len(y), dtype=bool)
    mask[val] = True
    return X[~mask], y[~mask], X[mask], y[mask]


def train_digits_cnn(X_train, y_train, X_test, y_test, epochs=20, batch_size=32, lr=2e-3, lr_decay=0.9,
                     weight_decay=0.0, shift=0, seed=0, model=None, verbose=False, validation=0.0):
    """Train a CNN on image arrays with mini-batch Adam; NumPy only, deterministic given seed.

    X_train, X_test: (N, 1, 8, 8) float (float32 is fastest); y_train, y_test: (N,) int labels.
    lr: Adam's step size, multiplied by lr_decay after every epoch; weight_decay: L2 penalty.
    shift: if > 0, each training batch is moved by up to `shift` pixels at random (`random_shift`).
    model: a Sequential to train (default: `build_digits_cnn(**DIGITS_NET, seed=seed)`); the batches
    are shuffled with np.random.default_rng(seed). verbose: print one line per epoch.
    validation: if > 0, that fraction of the training images (of every class, `validation_split`
    with the same seed) is held out of training, and its accuracy is reported after every epoch:
    the way to compare settings without the test set.
    Speed: the matrices are small, so NumPy's BLAS gains nothing from a second thread and, on a busy
    machine, loses a lot waiting for it; run it with one BLAS thread (OPENBLAS_NUM_THREADS=1, or
    threadpoolctl's threadpool_limits(1, "blas"), or `with nnbook.one_thread():`).
    Returns dict(model=..., history=[dict(epoch, loss, train_accuracy, test_accuracy) per epoch],
    (loss and train_accuracy: means over the epoch's batches, measured while the weights were moving),
    test_accuracy=float, seconds=float (training time, wall clock)); with validation > 0 also
    validation_accuracy=float and the same key in every epoch's record.
    """
    X_train, X_test = np.asarray(X_train), np.asarray(X_test)
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    if X_train.shape[0] != y_train.shape[0] or X_test.shape[0] != y_test.shape[0]:
        raise ValueError(f"train_digits_cnn: {X_train.shape[0]} training images but {y_train.shape[0]} labels, "
                         f"{X_test.shape[0]} test images but {y_test.shape[0]} labels")
    X_val = y_val = None
    if validation:
        X_train, y_train, X_val, y_val = validation_split(X_train, y_train, validation, seed)
    rng = np.random.default_rng(seed)
    if model is None:
        model = build_digits_cnn(**DIGITS_NET, in_channels=X_train.shape[1], image_size=X_train.shape[2], seed=seed,
                                 dtype=X_train.dtype if X_train.dtype == np.float64 else np.float32)
    dtype = model.params["0.W"].dtype if "0.W" in model.params else X_train.dtype
    X_train, X_test = X_train.astype(dtype, copy=False), X_test.astype(dtype, copy=False)
    if validation:
        X_val = X_val.astype(dtype, copy=False)
    optimizer = Adam(lr=lr, weight_decay=weight_decay)
    history = []
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(X_train))
        loss_sum, hits = 0.0, 0
        for i in range(0, len(order), batch_size):
            idx = order[i:i + batch_size]
            grads = model.gradient(random_shift(X_train[idx], shift, rng), y_train[idx])
            optimizer.update(model.params, grads)
            loss_sum += model.last_loss * len(idx)
            hits += int((model.logits.argmax(axis=1) == y_train[idx]).sum())
        record = dict(epoch=epoch, loss=loss_sum / len(order), train_accuracy=hits / len(order),
                      test_accuracy=model.accuracy(X_test, y_test))
        if validation:
            record["validation_accuracy"] = model.accuracy(X_val, y_val)
        history.append(record)
        optimizer.lr *= lr_decay
        if verbose:
            print(f"epoch {epoch:2d}  loss {record['loss']:.4f}  train acc {record['train_accuracy']:.4f}  "
                  f"test acc {record['test_accuracy']:.4f}")
    seconds = time.perf_counter() - start
    result = dict(model=model, history=history, test_accuracy=history[-1]["test_accuracy"] if history
                  else model.accuracy(X_test, y_test), seconds=seconds)
    if validation:
        result["validation_accuracy"] = history[-1]["validation_accuracy"] if history else model.accuracy(X_val, y_val)
    return result
