"""2-D convolution (cross-correlation, as in PyTorch), forward and backward: the readable versions.

Read this module first; `conv.py` computes the same numbers fast. Two readable versions, each a
forward/backward pair (the backward takes the cache its forward returned):

1. `conv2d_forward_naive` / `conv2d_backward_naive`: the definition written as loops over every
   output pixel, the way the chapters derive it;
2. `conv2d_forward_im2col` / `conv2d_backward_im2col`: the same with every window copied into a
   matrix (`im2col`), so that one matrix product per batch does all the multiply-adds, and the
   window gradients added back onto the image (`col2im`).

`conv.py` refines version 2 (cache-sized pieces, no transposes, the batch split over the CPU
cores); the tests check all three against PyTorch and against each other.

Shapes: x: (N, C, H, W), w: (F, C, KH, KW), b: (F,); stride and padding are an int or a pair
(vertical, horizontal); out: (N, F, Ho, Wo) with Ho = floor((H + 2*ph - KH) / sh) + 1, the same for Wo.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._checks import as_float_arrays, check_ndim, pair

__all__ = [
    "conv_output_size",
    "conv2d_forward_naive", "conv2d_backward_naive",
    "im2col", "col2im", "conv2d_forward_im2col", "conv2d_backward_im2col",
]


def conv_output_size(H, K, S=1, P=0):
    """Output length of a convolution or pooling along one axis: floor((H + 2P - K) / S) + 1.

    H: input length, K: kernel length, S: stride (>= 1), P: zero padding on each side (>= 0).
    Raises ValueError when the kernel does not fit into the padded input (output length < 1).
    """
    for name, v, lo in (("H", H, 1), ("K", K, 1), ("S", S, 1), ("P", P, 0)):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
            raise ValueError(f"conv_output_size: {name} must be an int, got {v!r}")
        if v < lo:
            raise ValueError(f"conv_output_size: {name} must be at least {lo}, got {v}")
    out = (H + 2 * P - K) // S + 1
    if out < 1:
        raise ValueError(
            f"conv_output_size: kernel {K} is larger than the padded input {H} + 2*{P} = {H + 2 * P}")
    return int(out)


def _check_conv_args(fn, x, w, b, stride, padding):
    """Validate and normalise conv arguments; returns x, w, b (one float dtype), (sh, sw), (ph, pw), (Ho, Wo)."""
    x, w, b = as_float_arrays(fn, x, w, b)
    check_ndim(fn, "x", x, 4, "(N, C, H, W)")
    check_ndim(fn, "w", w, 4, "(F, C, KH, KW)")
    N, C, H, W = x.shape
    F, Cw, KH, KW = w.shape
    if C != Cw:
        raise ValueError(f"{fn}: x has {C} channels but w expects {Cw}")
    if KH < 1 or KW < 1:
        raise ValueError(f"{fn}: the kernel must be at least 1x1, w has shape {w.shape}")
    if b.shape != (F,):
        raise ValueError(f"{fn}: b must have shape ({F},), one bias per filter, got {b.shape}")
    sh, sw = pair(fn, "stride", stride, 1)
    ph, pw = pair(fn, "padding", padding, 0)
    for axis, n, k, p in (("height", H, KH, ph), ("width", W, KW, pw)):
        if k > n + 2 * p:
            raise ValueError(f"{fn}: kernel {axis} {k} is larger than the padded input {axis} "
                             f"{n} + 2*{p} = {n + 2 * p}")
    Ho = (H + 2 * ph - KH) // sh + 1
    Wo = (W + 2 * pw - KW) // sw + 1
    return x, w, b, (sh, sw), (ph, pw), (Ho, Wo)


def _pad(x, ph, pw):
    """x: (N, C, H, W) -> (N, C, H + 2ph, W + 2pw), zeros around (no copy when there is no padding)."""
    if ph == 0 and pw == 0:
        return x
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


# ---------------------------------------------------------------- 1. the definition, as loops
def conv2d_forward_naive(x, w, b, stride=1, padding=0):
    """Convolution by its definition, four nested loops (slow; for reading and for tests).

    out[n, f, i, j] = b[f] + sum_{c, u, v} w[f, c, u, v] * x_pad[n, c, i*sh + u, j*sw + v]

    x: (N, C, H, W), w: (F, C, KH, KW), b: (F,); stride, padding: int or (vertical, horizontal).
    Returns out: (N, F, Ho, Wo) and cache = (x, w, b, stride, padding) for `conv2d_backward_naive`.
    """
    x, w, b, (sh, sw), (ph, pw), (Ho, Wo) = _check_conv_args("conv2d_forward_naive", x, w, b, stride, padding)
    N, F = x.shape[0], w.shape[0]
    KH, KW = w.shape[2:]
    xp = _pad(x, ph, pw)
    out = np.zeros((N, F, Ho, Wo), dtype=x.dtype)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    window = xp[n, :, i * sh:i * sh + KH, j * sw:j * sw + KW]   # (C, KH, KW)
                    out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    return out, (x, w, b, (sh, sw), (ph, pw))


def conv2d_backward_naive(dout, cache):
    """Backward pass of `conv2d_forward_naive`, with the same loops.

    Every output pixel out[n, f, i, j] used one window of x_pad and the whole filter w[f], so its
    gradient dout[n, f, i, j] flows back to exactly that window (dx) and that filter (dw).
    dout: (N, F, Ho, Wo). Returns dx: (N, C, H, W), dw: (F, C, KH, KW), db: (F,).
    """
    x, w, b, (sh, sw), (ph, pw) = cache
    N, F = x.shape[0], w.shape[0]
    KH, KW = w.shape[2:]
    Ho, Wo = dout.shape[2:]
    xp = _pad(x, ph, pw)
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    g = dout[n, f, i, j]
                    dxp[n, :, i * sh:i * sh + KH, j * sw:j * sw + KW] += g * w[f]
                    dw[f] += g * xp[n, :, i * sh:i * sh + KH, j * sw:j * sw + KW]
    db = dout.sum(axis=(0, 2, 3)).astype(w.dtype)
    dx = dxp[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]]
    return dx, dw, db


# ---------------------------------------------------------------- 2. windows as a matrix: im2col
def im2col(x, KH, KW, stride=1, padding=0):
    """Every kernel window of x as one column of a matrix.

    x: (N, C, H, W) -> cols: (C*KH*KW, N*Ho*Wo). Column (n, i, j) holds the window of x_pad under
    output pixel out[n, :, i, j], flattened in the order (c, u, v), the same order as a filter
    w[f] flattened. `sliding_window_view` gives all windows as a view (N, C, Hp-KH+1, Wp-KW+1, KH, KW)
    without copying; the stride keeps every sh-th row and sw-th column of them; the reshape copies.
    """
    sh, sw = pair("im2col", "stride", stride, 1)
    ph, pw = pair("im2col", "padding", padding, 0)
    xp = _pad(np.asarray(x), ph, pw)
    windows = sliding_window_view(xp, (KH, KW), axis=(2, 3))[:, :, ::sh, ::sw]   # (N, C, Ho, Wo, KH, KW)
    N, C, Ho, Wo = windows.shape[:4]
    return windows.transpose(1, 4, 5, 0, 2, 3).reshape(C * KH * KW, N * Ho * Wo)


def col2im(dcols, x_shape, KH, KW, stride=1, padding=0):
    """The adjoint of `im2col`: add every column back onto the window it came from.

    dcols: (C*KH*KW, N*Ho*Wo), e.g. the gradient of the loss with respect to the im2col matrix.
    Returns dx: (N, C, H, W). A pixel that lies in several windows receives the sum of their
    values; `np.add.at` adds without buffering, so repeated indices all count (plain `+=` with
    fancy indices would keep only the last one).
    """
    N, C, H, W = x_shape
    sh, sw = pair("col2im", "stride", stride, 1)
    ph, pw = pair("col2im", "padding", padding, 0)
    Ho, Wo = conv_output_size(H, KH, sh, ph), conv_output_size(W, KW, sw, pw)
    d = np.asarray(dcols).reshape(C, KH, KW, N, Ho, Wo)
    dxp = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=d.dtype)
    rows = (np.arange(Ho) * sh)[:, None] + np.arange(KH)[None, :]       # (Ho, KH): row i*sh + u
    cols = (np.arange(Wo) * sw)[:, None] + np.arange(KW)[None, :]       # (Wo, KW): column j*sw + v
    n, c, i, j, u, v = np.ix_(range(N), range(C), range(Ho), range(Wo), range(KH), range(KW))
    np.add.at(dxp, (n, c, rows[i, u], cols[j, v]), d.transpose(3, 0, 4, 5, 1, 2))
    return dxp[:, :, ph:ph + H, pw:pw + W]


def conv2d_forward_im2col(x, w, b, stride=1, padding=0):
    """Convolution as one matrix product: out = w as a matrix @ im2col(x) + b.

    w: (F, C, KH, KW) flattened to (F, C*KH*KW) lines up with the (c, u, v) order of the columns,
    so row f of the product is filter f applied to every window of every image.
    Returns out: (N, F, Ho, Wo) and cache = (x, w, b, stride, padding, cols) for `conv2d_backward_im2col`.
    """
    x, w, b, (sh, sw), (ph, pw), (Ho, Wo) = _check_conv_args("conv2d_forward_im2col", x, w, b, stride, padding)
    N, F = x.shape[0], w.shape[0]
    KH, KW = w.shape[2:]
    cols = im2col(x, KH, KW, (sh, sw), (ph, pw))                      # (C*KH*KW, N*Ho*Wo)
    out = w.reshape(F, -1) @ cols + b[:, None]                          # (F, N*Ho*Wo)
    out = out.reshape(F, N, Ho, Wo).transpose(1, 0, 2, 3)
    return out, (x, w, b, (sh, sw), (ph, pw), cols)


def conv2d_backward_im2col(dout, cache):
    """Backward pass of `conv2d_forward_im2col`: the backward of a matrix product, then col2im.

    With out = W @ cols + b (W: (F, C*KH*KW), D = dout as an (F, N*Ho*Wo) matrix):
        dW = D @ cols.T        db = D summed over its columns        dcols = W.T @ D
    and dx = col2im(dcols). dout: (N, F, Ho, Wo). Returns dx: (N, C, H, W), dw: (F, C, KH, KW), db: (F,).
    """
    x, w, b, stride, padding, cols = cache
    F, _, KH, KW = w.shape
    D = np.asarray(dout).transpose(1, 0, 2, 3).reshape(F, -1)          # (F, N*Ho*Wo)
    dw = (D @ cols.T).reshape(w.shape)
    db = D.sum(axis=1)
    dx = col2im(w.reshape(F, -1).T @ D, x.shape, KH, KW, stride, padding)
    return dx, dw, db
