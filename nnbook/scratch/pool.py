"""Max and average pooling over KH x KW windows, forward and backward (no padding, like PyTorch's default)."""
import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._checks import as_float_arrays, check_ndim, pair

__all__ = [
    "max_pool2d_forward", "max_pool2d_backward",
    "avg_pool2d_forward", "avg_pool2d_backward",
]


def _pool_windows(fn, x, kernel_size, stride):
    """Check the arguments and return x, its windows (N, C, Ho, Wo, KH, KW) as a strided view, and the sizes.

    view[n, c, i, j, u, v] = x[n, c, i*sh + u, j*sw + v]; nothing is copied.
    """
    (x,) = as_float_arrays(fn, x)
    check_ndim(fn, "x", x, 4, "(N, C, H, W)")
    KH, KW = pair(fn, "kernel_size", kernel_size, 1)
    sh, sw = (KH, KW) if stride is None else pair(fn, "stride", stride, 1)
    N, C, H, W = x.shape
    for axis, n, k in (("height", H, KH), ("width", W, KW)):
        if k > n:
            raise ValueError(f"{fn}: kernel {axis} {k} is larger than the input {axis} {n}")
    Ho, Wo = (H - KH) // sh + 1, (W - KW) // sw + 1
    s = x.strides
    windows = as_strided(x, shape=(N, C, Ho, Wo, KH, KW),
                         strides=(s[0], s[1], s[2] * sh, s[3] * sw, s[2], s[3]), writeable=False)
    return x, windows, (KH, KW), (sh, sw), (Ho, Wo)


def _check_dout(fn, dout, out_shape):
    dout = np.asarray(dout)
    if dout.shape != out_shape:
        raise ValueError(f"{fn}: dout must have the forward output's shape {out_shape}, got {dout.shape}")
    return dout


def max_pool2d_forward(x, kernel_size, stride=None):
    """Max pooling: the largest value of each KH x KW window.

    x: (N, C, H, W); kernel_size, stride: int or (vertical, horizontal), stride None = kernel_size.
    Returns out: (N, C, Ho, Wo), Ho = (H - KH) // sh + 1, and a cache for `max_pool2d_backward`.
    Ties: the first maximum in the window (row by row) wins, as in PyTorch.
    The windows are a strided view of x (see conv.py); the slow version would loop over every pixel.
    """
    x, windows, (KH, KW), (sh, sw), (Ho, Wo) = _pool_windows("max_pool2d_forward", x, kernel_size, stride)
    flat = windows.reshape(*windows.shape[:4], KH * KW)      # (N, C, Ho, Wo, KH*KW), one copy
    argmax = flat.argmax(axis=-1)                            # first maximum, like PyTorch
    out = flat.max(axis=-1)
    return out, (x.shape, argmax, (KH, KW), (sh, sw))


def max_pool2d_backward(dout, cache):
    """Backward of max pooling: each window's gradient goes to the position of its maximum.

    dout: (N, C, Ho, Wo). Returns dx: (N, C, H, W). Loops over the KH*KW window offsets only:
    offset k adds dout where the window's argmax is k into a strided slice of dx.
    """
    x_shape, argmax, (KH, KW), (sh, sw) = cache
    dout = _check_dout("max_pool2d_backward", dout, argmax.shape)
    N, C, Ho, Wo = argmax.shape
    dx = np.zeros(x_shape, dtype=np.result_type(dout.dtype, np.float32))
    zero = np.zeros((), dtype=dx.dtype)
    for u in range(KH):
        for v in range(KW):
            dx[:, :, u:u + sh * Ho:sh, v:v + sw * Wo:sw] += np.where(argmax == u * KW + v, dout, zero)
    return dx


def avg_pool2d_forward(x, kernel_size, stride=None):
    """Average pooling: the mean of each KH x KW window.

    x: (N, C, H, W); kernel_size, stride: int or (vertical, horizontal), stride None = kernel_size.
    Returns out: (N, C, Ho, Wo) and a cache for `avg_pool2d_backward`.
    """
    x, windows, (KH, KW), (sh, sw), (Ho, Wo) = _pool_windows("avg_pool2d_forward", x, kernel_size, stride)
    out = windows.mean(axis=(4, 5))
    return out, (x.shape, (KH, KW), (sh, sw))


def avg_pool2d_backward(dout, cache):
    """Backward of average pooling: each window spreads dout / (KH*KW) evenly over its pixels.

    dout: (N, C, Ho, Wo). Returns dx: (N, C, H, W); loops over the KH*KW window offsets only.
    """
    x_shape, (KH, KW), (sh, sw) = cache
    dout = np.asarray(dout)
    if dout.ndim != 4 or dout.shape[:2] != tuple(x_shape[:2]):
        raise ValueError(f"avg_pool2d_backward: dout has shape {dout.shape}, which does not fit an input of shape {x_shape}")
    N, C, Ho, Wo = dout.shape
    if (Ho, Wo) != ((x_shape[2] - KH) // sh + 1, (x_shape[3] - KW) // sw + 1):
        raise ValueError(f"avg_pool2d_backward: dout has shape {dout.shape}, which does not fit an input of shape {x_shape}")
    dx = np.zeros(x_shape, dtype=np.result_type(dout.dtype, np.float32))
    share = dout / (KH * KW)
    for u in range(KH):
        for v in range(KW):
            dx[:, :, u:u + sh * Ho:sh, v:v + sw * Wo:sw] += share
    return dx
