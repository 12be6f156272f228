"""2-D convolution, the fast version: what the layers and the training code call.

Read `conv_reference.py` first: `conv2d_forward_im2col` there is this computation in a few lines
(all windows copied into one matrix, one matrix product). Here the same numbers are computed with
less memory traffic and on every CPU core (see `conv2d_forward`'s docstring); the tests check that
both give PyTorch's answer.
"""
import threading

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._checks import check_ndim
from ._threads import run_items, split_batch
from .conv_reference import _check_conv_args

__all__ = ["conv2d_forward", "conv2d_backward"]


SMALL_PRODUCT = 100 ** 3   # multiply-adds up to which OpenBLAS uses its small-matrix kernel (see `_groups`)
PIECE = 1 << 18            # numbers in one thread's im2col workspace (1 MB in float32: stays in the CPU cache)
COPY = 16                  # a number copied into (or added out of) the window matrix costs about 16 multiply-adds


def _view(a, shape):
    """a reshaped to `shape`, always a view of the same memory (plain reshape may copy, silently)."""
    return np.reshape(a, shape, copy=False)    # raises ValueError when only a copy would do


def _windows(xp, KH, KW, sh, sw, Ho, Wr):
    """All kernel windows of xp as a read-only strided view, without copying.

    xp: (N, C, Hp, Wp) -> view (N, C, KH, KW, Ho, Wr) with view[n, c, u, v, i, j] = xp[n, c, i*sh + u, j*sw + v].
    A step in u (or i) moves one row (or sh rows) in memory, a step in v (or j) one (or sw) column:
    only the strides change, so the view costs nothing.
    """
    sN, sC, sH, sW = xp.strides
    N, C = xp.shape[:2]
    return as_strided(xp, shape=(N, C, KH, KW, Ho, Wr),
                      strides=(sN, sC, sH, sW, sH * sh, sW * sw), writeable=False)


def _groups(mk, rows, row_len):
    """How many groups of whole rows to cut an image's rows*row_len columns into for the products.

    A product of an (m, k) matrix with one group of columns takes mk * (rows / g) * row_len
    multiply-adds; g is the smallest divisor of `rows` that keeps this at most SMALL_PRODUCT.
    Why: NumPy's BLAS (OpenBLAS) multiplies such small products with a special kernel that reads
    the matrices where they are instead of first repacking them. For the first benchmark layer
    that is ~100 GFLOP/s per core here, against ~62 for the same numbers in one big product.
    """
    for g in range(1, rows):
        if rows % g == 0 and mk * (rows // g) * row_len <= SMALL_PRODUCT:
            return g
    return rows                                   # one row per product: as small as it gets


def _column_groups(a, g):
    """a: (n, k, columns) -> view (n, g, k, columns / g): g matrices per image, for one stacked np.matmul."""
    n, k, columns = a.shape
    return _view(a, (n, k, g, columns // g)).transpose(0, 2, 1, 3)


_local = threading.local()      # per thread: the workspaces of the last calls, reused (see `_workspace`)


def _workspace(key, shape, dtype, init):
    """A workspace array private to the calling thread, kept from one call to the next.

    key: what the array is for, with everything that decides which of its entries are written
    (they are overwritten on every use; the others keep what `init` put there, e.g. zeros).
    Fresh memory is not free: the operating system maps it page by page on first touch, and with
    many threads doing that at once they queue for the same lock. A few recent ones are kept.
    """
    cache = getattr(_local, "workspaces", None)
    if cache is None:
        cache = _local.workspaces = {}
    key = (key, shape, np.dtype(dtype).str)
    a = cache.get(key)
    if a is None:
        if len(cache) >= 16:
            cache.clear()
        a = cache[key] = np.empty(shape, dtype=dtype)
        init(a)
    return a


def _cols_workspace(n, C, KH, KW, Ho, Wr, g, dtype):
    """An im2col matrix for n images, cols: (n, C*KH*KW + 1, Ho*Wr), its last row all ones (the bias trick).

    Returns two views of it: (n, C, KH, KW, Ho, Wr) to copy the windows into, and (n, g, C*KH*KW + 1,
    Ho*Wr / g), the groups of columns for the products (`_column_groups`).
    """
    K = C * KH * KW

    def ones_row(cols):
        cols[:, K] = 1
    cols = _workspace("cols", (n, K + 1, Ho * Wr), dtype, ones_row)
    return _view(cols[:, :K], (n, C, KH, KW, Ho, Wr)), _column_groups(cols, g)


def conv2d_forward(x, w, b, stride=1, padding=0):
    """Fast convolution: strided windows of x, then matrix products with all the filters.

    x: (N, C, H, W), w: (F, C, KH, KW), b: (F,); stride, padding: int or (vertical, horizontal).
    Returns out: (N, F, Ho, Wo), Ho = floor((H + 2*ph - KH) / sh) + 1 (same for Wo), and a cache
    for `conv2d_backward` (the padded input and the filters).

    The trick. The slow, obvious version (`conv2d_forward_naive`) loops over every output pixel
    and multiplies one window by one filter. Here `as_strided` gives all windows at once as a view
    of shape (N, C, KH, KW, Ho, Wo): no data is copied, only the strides change. Copying an
    image's windows into a matrix
        cols: (C*KH*KW, Ho*Wo)      one column per output pixel, one row per kernel weight
    moves every window value into place in one C loop (this is "im2col"), and then
        out[n] = w.reshape(F, C*KH*KW) @ cols      # (F, Ho*Wo)
    is one matrix product (BLAS GEMM) for all the pixels and filters. (The im2col of 밑바닥부터
    시작하는 딥러닝 fills the windows with a Python loop and transposes cols before the product;
    those copies, not the arithmetic, make it several times slower.)

    Four refinements make it fast:
    - "Wide rows": with stride 1 across, each output row is computed for all Wp columns of the
      padded input, not just the Wo that fit; the last Wp - Wo values of a row are garbage (their
      windows hang over the edge) and the returned view leaves them out. In exchange every window
      row continues straight into the next one in memory, so the copy moves long runs of Ho*Wp
      numbers instead of Ho short runs of Wo.
    - The bias trick (as in CS231n's linear classifier): b is the weight of one more input that is
      always 1. cols gets a last row of ones and the filter matrix w2 a last column b, so the same
      product adds the bias (no second pass over out), and in the backward pass it gives db.
    - Cache-sized pieces: cols for a few images at a time goes into a small workspace (PIECE
      numbers) that stays in the CPU cache, where the product finds it; the workspace is reused.
      Nothing of that size is kept: the backward pass copies the windows again (cheap next to
      keeping and re-reading a matrix C*KH*KW times the size of x from memory). Each image's
      product is cut into groups of rows small enough for OpenBLAS's fastest kernel (`_groups`).
    - Several cores: the copy is a single-threaded loop. So with more than one BLAS thread the batch
      is cut into items of a few images, and several threads pad, copy and multiply item after item
      (`_threads.split_batch`, `run_items`): as many threads as pay for themselves, never more than
      NumPy's BLAS may use or the machine has cores.
    """
    x, w, b, (sh, sw), (ph, pw), (Ho, Wo) = _check_conv_args("conv2d_forward", x, w, b, stride, padding)
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    Wr = W + 2 * pw if sw == 1 else Wo            # output row width: "wide rows" with stride 1 across
    P = Ho * Wr                                   # output columns per image
    K = C * KH * KW                               # weights per filter
    xp = np.zeros((N, C, H + 2 * ph + 1, W + 2 * pw), dtype=x.dtype)   # + 1 spare row: wide rows read past the end
    windows = _windows(xp, KH, KW, sh, sw, Ho, Wr)             # (N, C, KH, KW, Ho, Wr), a view
    w2 = np.concatenate([w.reshape(F, K), b[:, None]], axis=1)   # (F, K + 1): the filters, then b
    out = np.empty((N, F, Ho, Wr), dtype=x.dtype)
    g = _groups(F * (K + 1), Ho, Wr)              # products per image (see _groups)
    out_groups = _column_groups(_view(out, (N, F, P)), g)
    piece = max(1, PIECE // ((K + 1) * P))        # images per piece of work
    threads, items = split_batch(N, N * (K + 1) * P * (F + COPY), piece)   # the product and the copy
    size = items[0][1]                            # the most images in one item

    def images(a, e):                             # images a..e-1, in whichever thread takes them
        cols6, cols_groups = _cols_workspace(size, C, KH, KW, Ho, Wr, g, x.dtype)   # reused
        xp[a:e, :, ph:ph + H, pw:pw + W] = x[a:e]                        # zero padding
        cols6[:e - a] = windows[a:e]                                     # im2col
        np.matmul(w2, cols_groups[:e - a], out=out_groups[a:e])          # out = w2 @ cols, per image

    run_items(images, items, threads)
    cache = {"xp": xp, "w2": w2, "w_shape": w.shape, "x_shape": x.shape, "stride": (sh, sw),
             "padding": (ph, pw)}
    return out[..., :Wo], cache


def conv2d_backward(dout, cache):
    """Backward pass of `conv2d_forward`: dout: (N, F, Ho, Wo) -> dx: (N, C, H, W), dw: (F, C, KH, KW), db: (F,).

    With out = W2 @ cols for each image (W2 = [W | b], W = w as an (F, C*KH*KW) matrix) the
    gradients are matrix products again:
        [dw | db] = sum over images of D @ cols.T        dcols = W.T @ D
    where D is the image's dout as an (F, pixels) matrix. (db: cols's last row is ones, so its
    column of the product sums D over all pixels.) cols is copied again from the windows of the
    padded input, a piece at a time, as in the forward pass; the product is computed as
    cols @ D.T (dout transposed, pixel by pixel), the orientation OpenBLAS is fastest at here.

    dcols is the gradient of every copied window value, and dx gathers it back ("col2im"): each
    input pixel sits in several windows, so its gradient is a sum. The slow version adds window by
    window, a Python loop over N*Ho*Wo pixels. Here the loop runs over the KH*KW kernel offsets
    (u, v) only, and each step is one addition of long rows of numbers. For that, D is laid out on
    the grid of the padded input (dout[n, f, i, j] at row i*sh, column j*sw, zeros elsewhere), so
    dcols = W.T @ D has one column per input position, and its rows are ordered (u, v, c). Then the
    offset (u, v) adds the block dcols[(u, v, all c), :], all channel planes of an image in a row,
    onto dx_pad shifted by u rows and v columns:
        dx_pad[n, c, u + y, v + x] += dcols[n, (u, v, c), (y, x)]      for all n, c, y, x at once.
    (What a shifted block carries past the end of a plane is zero: only positions where D is zero.)
    As in the forward pass each core takes its own part of the batch; the parts' shares of dw and
    db (sums over all pixels) are added at the end.
    """
    if not isinstance(cache, dict) or "xp" not in cache:
        raise ValueError("conv2d_backward: cache must be the one conv2d_forward returned "
                         "(conv2d_forward_naive's goes to conv2d_backward_naive)")
    xp, w2, (N, C, H, W) = cache["xp"], cache["w2"], cache["x_shape"]
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
    Wr = Wp if sw == 1 else Wo
    P = Ho * Wr
    L = Hp * Wp                                   # positions in one channel plane of dx_pad
    windows = _windows(xp, KH, KW, sh, sw, Ho, Wr)
    w_uvc = w2[:, :K].reshape(F, C, KH, KW).transpose(2, 3, 1, 0).reshape(K, F)   # W.T, rows ordered (u, v, c)
    dxp = np.zeros((N, C, Hp, Wp), dtype=w2.dtype)
    dx_rows = _view(dxp, (N, C * L))              # each image's channel planes one after another
    dt = w2.dtype
    piece = max(1, PIECE // ((K + 1) * max(P, L)))  # images per piece: cols and dcols stay in the cache
    g, gL = _groups((K + 1) * F, Ho, Wr), _groups(K * F, Hp, Wp)     # products per image (see _groups)
    threads, items = split_batch(N, N * K * (P + L) * (F + COPY), piece)   # two products, copy, col2im
    size = items[0][1]                            # the most images in one item
    geometry = (KH, KW, sh, sw, Ho, Wo)           # decides which entries of Dt and D are written

    def images(a, e):                             # images a..e-1 -> their dx, and their share of dw and db
        k = e - a
        cols6, cols_groups = _cols_workspace(size, C, KH, KW, Ho, Wr, g, dt)   # workspaces, reused
        # dout pixel by pixel (its wide columns stay zero), and on the grid of the padded input (zero elsewhere)
        Dt = _workspace(("Dt", geometry), (size, Ho, Wr, F), dt, lambda arr: arr.fill(0))
        D = _workspace(("D", geometry), (size, F, Hp, Wp), dt, lambda arr: arr.fill(0))
        dcols = _workspace("dcols", (size, K, L), dt, lambda arr: None)
        cols6[:k] = windows[a:e]                                         # im2col again
        Dt[:k, :, :Wo] = dout[a:e].transpose(0, 2, 3, 1)
        dw_db = np.matmul(cols_groups[:k], _view(Dt, (size, g, P // g, F))[:k]).sum(axis=(0, 1))
        D[:k, :, :(Ho - 1) * sh + 1:sh, :(Wo - 1) * sw + 1:sw] = dout[a:e]
        np.matmul(w_uvc, _column_groups(_view(D, (size, F, L)), gL)[:k],
                  out=_column_groups(dcols, gL)[:k])                     # dcols = W.T @ D
        blocks = _view(dcols, (size, KH, KW, C * L))  # block (u, v): all channels of an image
        for u in range(KH):                                              # col2im
            for v in range(KW):
                shift = u * Wp + v
                dx_rows[a:e, shift:] += blocks[:k, u, v, :C * L - shift]
        return dw_db                              # [dw | db], transposed

    dw_db = sum(run_items(images, items, threads))    # the items' shares added up, in order
    dw, db = dw_db[:K].T.reshape(F, C, KH, KW), dw_db[K].copy()
    dx = dxp[:, :, ph:ph + H, pw:pw + W]
    return dx, dw, db
