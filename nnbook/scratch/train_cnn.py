"""A small LeNet-like CNN for the 8x8 digits, built and trained with nnbook.scratch only (NumPy).

Chapter 2 calls `train_digits_cnn` on the arrays of `nnbook.cnn.data.load_digits_split()`, and
`build_digits_cnn` + `load_torch_state_dict` to show that the NumPy net and the same net in
PyTorch give the same outputs.
"""
import time

import numpy as np

from .layers import Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential
from .optim import Adam

__all__ = ["build_digits_cnn", "train_digits_cnn", "random_shift"]


def build_digits_cnn(channels=(24, 48), hidden=(120, 84), n_classes=10, in_channels=1, image_size=8,
                     seed=0, dtype=np.float32):
    """conv3x3(pad 1) - ReLU - maxpool2 - conv3x3(pad 1) - ReLU - maxpool2 - fc - ReLU - fc - ReLU - fc.

    The LeNet-5 pattern (conv-pool-conv-pool-fc-fc-fc) adapted to 1x8x8 images: the padded 3x3
    convolutions keep the size, each pooling halves it (8 -> 4 -> 2).
    channels: (c1, c2) filters of the two convolutions; hidden: (h1, h2) units of the first two
    fully connected layers. x: (N, in_channels, image_size, image_size) -> logits (N, n_classes).
    The same net in PyTorch (same layer order, so `load_torch_state_dict` can copy its weights):
        nn.Sequential(nn.Conv2d(1, c1, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Conv2d(c1, c2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                      nn.Linear(c2 * 2 * 2, h1), nn.ReLU(), nn.Linear(h1, h2), nn.ReLU(),
                      nn.Linear(h2, n_classes))
    """
    rng = np.random.default_rng(seed)
    c1, c2 = channels
    h1, h2 = hidden
    side = image_size // 2 // 2
    if side < 1:
        raise ValueError(f"build_digits_cnn: image_size {image_size} is too small for two 2x2 poolings")
    return Sequential(
        Conv2d(in_channels, c1, 3, padding=1, rng=rng, dtype=dtype), ReLU(), MaxPool2d(2),
        Conv2d(c1, c2, 3, padding=1, rng=rng, dtype=dtype), ReLU(), MaxPool2d(2),
        Flatten(),
        Linear(c2 * side * side, h1, rng=rng, dtype=dtype), ReLU(),
        Linear(h1, h2, rng=rng, dtype=dtype), ReLU(),
        Linear(h2, n_classes, rng=rng, dtype=dtype),
    )


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


def train_digits_cnn(X_train, y_train, X_test, y_test, epochs=20, batch_size=32, lr=2e-3, lr_decay=0.9,
                     weight_decay=0.0, shift=0, seed=0, model=None, verbose=False):
    """Train a CNN on image arrays with mini-batch Adam; NumPy only, deterministic given seed.

    X_train, X_test: (N, 1, 8, 8) float (float32 is fastest); y_train, y_test: (N,) int labels.
    lr: Adam's step size, multiplied by lr_decay after every epoch; weight_decay: L2 penalty.
    shift: if > 0, each training batch is moved by up to `shift` pixels at random (`random_shift`).
    model: a Sequential to train (default: `build_digits_cnn(seed=seed)`); the batches are shuffled
    with np.random.default_rng(seed). verbose: print one line per epoch.
    Speed: the matrices are small, so NumPy's BLAS gains nothing from a second thread and, on a busy
    machine, loses a lot waiting for it; run it with one BLAS thread (OPENBLAS_NUM_THREADS=1, or
    threadpoolctl's threadpool_limits(1, "blas"), or `with nnbook.one_thread():`).
    Returns dict(model=..., history=[dict(epoch, loss, train_accuracy, test_accuracy) per epoch],
    (loss and train_accuracy: means over the epoch's batches, measured while the weights were moving),
    test_accuracy=float, seconds=float (training time, wall clock)).
    """
    X_train, X_test = np.asarray(X_train), np.asarray(X_test)
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    if X_train.shape[0] != y_train.shape[0] or X_test.shape[0] != y_test.shape[0]:
        raise ValueError(f"train_digits_cnn: {X_train.shape[0]} training images but {y_train.shape[0]} labels, "
                         f"{X_test.shape[0]} test images but {y_test.shape[0]} labels")
    rng = np.random.default_rng(seed)
    if model is None:
        model = build_digits_cnn(in_channels=X_train.shape[1], image_size=X_train.shape[2], seed=seed,
                                 dtype=X_train.dtype if X_train.dtype == np.float64 else np.float32)
    dtype = model.params["0.W"].dtype if "0.W" in model.params else X_train.dtype
    X_train, X_test = X_train.astype(dtype, copy=False), X_test.astype(dtype, copy=False)
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
        history.append(record)
        optimizer.lr *= lr_decay
        if verbose:
            print(f"epoch {epoch:2d}  loss {record['loss']:.4f}  train acc {record['train_accuracy']:.4f}  "
                  f"test acc {record['test_accuracy']:.4f}")
    seconds = time.perf_counter() - start
    return dict(model=model, history=history, test_accuracy=history[-1]["test_accuracy"] if history
                else model.accuracy(X_test, y_test), seconds=seconds)
