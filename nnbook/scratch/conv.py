"""2-D convolution (cross-correlation, as in PyTorch), forward and backward.

Two versions of the same layer:
- `conv2d_forward_naive` / `conv2d_backward_naive`: the definition written as loops, to read first;
- `conv2d_forward` / `conv2d_backward`: the fast version (strided windows + one matrix product,
  the batch split over the CPU cores), which the layers and the training code use.
The tests check that both give PyTorch's answer.
"""
import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._checks import as_float_arrays, check_ndim, pair
from ._threads import batch_parts, run_parts

__all__ = [
    "conv_output_size",
    "conv2d_forward_naive", "conv2d_backward_naive",
    "conv2d_forward", "conv2d_backward",
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


# ---------------------------------------------------------------- the definition, as loops
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


# ---------------------------------------------------------------- the fast version
def _view(a, shape):
    """a reshaped to `shape`, always a view of the same memory (plain reshape may copy, silently)."""
    return np.reshape(a, shape, copy=False)    # raises ValueError when only a copy would do


def _windows(xp, KH, KW, sh, sw, Ho, Wr):
    """All kernel windows of xp as a read-only strided view, without copying.

    xp: (N, C, Hp, Wp) -> view (C, KH, KW, N, Ho, Wr) with view[c, u, v, n, i, j] = xp[n, c, i*sh + u, j*sw + v].
    A step in u (or i) moves one row (or sh rows) in memory, a step in v (or j) one (or sw) column:
    only the strides change, so the view costs nothing.
    """
    sN, sC, sH, sW = xp.strides
    N, C = xp.shape[:2]
    return as_strided(xp, shape=(C, KH, KW, N, Ho, Wr),
                      strides=(sC, sH, sW, sN, sH * sh, sW * sw), writeable=False)


def conv2d_forward(x, w, b, stride=1, padding=0):
    """Fast convolution: strided windows of x, then one matrix product with all the filters.

    x: (N, C, H, W), w: (F, C, KH, KW), b: (F,); stride, padding: int or (vertical, horizontal).
    Returns out: (N, F, Ho, Wo), Ho = floor((H + 2*ph - KH) / sh) + 1 (same for Wo), and a cache
    for `conv2d_backward` (one backward per forward, as in PyTorch).

    The trick. The slow, obvious version (`conv2d_forward_naive`) loops over every output pixel
    and multiplies one window by one filter. Here `as_strided` gives all windows at once as a view
    of shape (C, KH, KW, N, Ho, Wo): no data is copied, only the strides change. Copying that
    view into a matrix
        cols: (C*KH*KW, N*Ho*Wo)      one column per output pixel, one row per kernel weight
    moves every window value into place in one C loop (this is "im2col"), and then
        out = w.reshape(F, C*KH*KW) @ cols      # (F, N*Ho*Wo)
    is one matrix product (BLAS GEMM) for all the pixels and filters. The result is returned as
    a view with the batch axis first (strides only, no copy), so it is not C-contiguous; every
    function here accepts that. (The im2col of 밑바닥부터 시작하는 딥러닝 fills the windows with a
    Python loop and transposes cols before the product; those copies, not the arithmetic, make it
    several times slower.)

    Three refinements make it fast:
    - "Wide rows": with stride 1 across, each output row is computed for all Wp columns of the
      padded input, not just the Wo that fit; the last Wp - Wo values of a row are garbage (their
      windows hang over the edge) and the returned view leaves them out. In exchange every window
      row continues straight into the next one in memory, so the copy moves long runs of Ho*Wp
      numbers instead of Ho short runs of Wo, and the backward pass can use the same layout.
    - The bias trick (as in CS231n's linear classifier): b is the weight of one more input that is
      always 1. cols gets a last row of ones and w2 a last column b, so the same product adds the
      bias (no second pass over out), and in the backward pass the same product gives db.
    - One part of the batch per core: the copy is a single-threaded loop. So the batch is split
      into as many parts as NumPy's BLAS has threads, and each thread pads, copies and multiplies
      its own images (`_threads.run_parts`), so that every core works for the whole call.
    """
    x, w, b, (sh, sw), (ph, pw), (Ho, Wo) = _check_conv_args("conv2d_forward", x, w, b, stride, padding)
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    Wr = W + 2 * pw if sw == 1 else Wo            # output row width: "wide rows" with stride 1 across
    P = Ho * Wr                                   # output columns per image
    xp = np.zeros((N, C, H + 2 * ph + 1, W + 2 * pw), dtype=x.dtype)   # + 1 spare row: wide rows read past the end
    windows = _windows(xp, KH, KW, sh, sw, Ho, Wr)             # (C, KH, KW, N, Ho, Wr), a view
    K = C * KH * KW                               # weights per filter
    cols = np.empty((K + 1, N * P), dtype=x.dtype)            # + a row of ones: the bias trick
    w2 = np.concatenate([w.reshape(F, K), b[:, None]], axis=1)   # (F, K + 1): the filters, then b
    out = np.empty((F, N * P), dtype=x.dtype)

    def images(n0, n1):                  # images n0..n1-1: their columns n0*P..n1*P of cols and out
        xp[n0:n1, :, ph:ph + H, pw:pw + W] = x[n0:n1]                                 # zero padding
        _view(cols[:K], (C, KH, KW, N, Ho, Wr))[:, :, :, n0:n1] = windows[:, :, :, n0:n1]  # im2col
        cols[K, n0 * P:n1 * P] = 1
        np.matmul(w2, cols[:, n0 * P:n1 * P], out=out[:, n0 * P:n1 * P])

    run_parts(images, batch_parts(N, cols.size))
    out = out.reshape(F, N, Ho, Wr).transpose(1, 0, 2, 3)[..., :Wo]   # (N, F, Ho, Wo): a view, no copy
    cache = {"cols": cols, "w2": w2, "w_shape": w.shape, "x_shape": x.shape, "stride": (sh, sw),
             "padding": (ph, pw)}
    return out, cache


def conv2d_backward(dout, cache):
    """Backward pass of `conv2d_forward`: dout: (N, F, Ho, Wo) -> dx: (N, C, H, W), dw: (F, C, KH, KW), db: (F,).

    With out = W2 @ cols (W2 = [w as an (F, C*KH*KW) matrix | b], dout as an (F, N*Ho*Wr) matrix
    D, zero in the garbage columns of the wide rows) the gradients are matrix products again:
        [dw | db] = D @ cols.T        dcols = W2.T @ D
    (db: cols's last row is ones, so its column of the product sums D over all pixels.)
    dcols is the gradient of every copied window value, and dx gathers it back ("col2im"): each
    input pixel sits in several windows, so its gradient is a sum. The slow version adds window by
    window, a Python loop over N*Ho*Wo pixels. Here the loop runs over the KH*KW kernel offsets
    (u, v) only; each step adds a whole strided slice,
        dx_pad[n, c, u + i*sh, v + j*sw] += dcols[c, u, v, n, i, j]   for all n, c, i, j at once,
    and thanks to the wide rows each slice is Ho*Wp numbers in a row (the zero columns add zeros).
    As in the forward pass each core takes its own part of the batch; the parts' shares of dw and
    db (sums over all pixels) are added at the end.
    dcols is written over cols, which is no longer needed once dw is known (a second buffer that
    large made the backward pass about 40% slower here): the cache is used up, as PyTorch frees its graph
    after backward (a second backward raises a ValueError).
    """
    if not isinstance(cache, dict) or "cols" not in cache:
        raise ValueError("conv2d_backward: cache must be the one conv2d_forward returned "
                         "(conv2d_forward_naive's goes to conv2d_backward_naive)")
    if cache["cols"] is None:
        raise ValueError("conv2d_backward: this cache was already used by a backward pass; "
                         "run conv2d_forward again")
    cols, w2, (N, C, H, W) = cache["cols"], cache["w2"], cache["x_shape"]
    (sh, sw), (ph, pw) = cache["stride"], cache["padding"]
    F, _, KH, KW = cache["w_shape"]
    K = C * KH * KW
    Hp, Wp = H + 2 * ph, W + 2 * pw
    Ho, Wo = (Hp - KH) // sh + 1, (Wp - KW) // sw + 1
    dout = np.asarray(dout)
    check_ndim("conv2d_backward", "dout", dout, 4, "(N, F, Ho, Wo)")
    if dout.shape != (N, F, Ho, Wo):
        raise ValueError(f"conv2d_backward: dout has shape {dout.shape}, but the forward output "
                         f"had shape {(N, F, Ho, Wo)}")
    dout = dout.astype(w2.dtype, copy=False)
    cache["cols"] = None
    Wr = Wp if sw == 1 else Wo
    P = Ho * Wr
    dxp = np.zeros((N, C, Hp + 1, Wp), dtype=w2.dtype)  # one spare row per image for the zero columns' spill
    sN, sC, sH, sW = dxp.strides

    def images(n0, n1):                  # images n0..n1-1 -> dx of those images, their share of dw and db
        n, columns = n1 - n0, slice(n0 * P, n1 * P)
        D = np.zeros((F, n, Ho, Wr), dtype=w2.dtype)       # dout, filters first, zero in the wide columns
        D[..., :Wo] = dout[n0:n1].transpose(1, 0, 2, 3)
        D = _view(D, (F, n * P))
        # [dw | db] = D @ cols.T, computed as (cols @ D.T).T: the same numbers, but OpenBLAS is
        # about twice as fast when the long pixel axis is the rows of the first operand
        dw_db = (cols[:, columns] @ D.T).T                # (F, K + 1)
        np.matmul(w2.T, D, out=cols[:, columns])          # dcols, written over this part of cols
        dcols6 = _view(cols[:K], (C, KH, KW, N, Ho, Wr))  # (the last row, d(ones), is not needed)
        flat = dxp[n0:n1].reshape(-1)
        for u in range(KH):
            for v in range(KW):
                target = as_strided(flat[u * Wp + v:], shape=(C, n, Ho, Wr),
                                    strides=(sC, sN, sH * sh, sW * sw))       # dx_pad[n, c, u + i*sh, v + j*sw]
                target += dcols6[:, u, v, n0:n1]
        return dw_db

    dw_db = sum(run_parts(images, batch_parts(N, cols.size)))      # the parts' shares added up
    dw, db = dw_db[:, :K].reshape(F, C, KH, KW), dw_db[:, K].copy()
    dx = dxp[:, :, ph:ph + H, pw:pw + W]
    return dx, dw, db
