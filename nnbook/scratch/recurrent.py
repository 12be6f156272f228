"""A plain (Elman) recurrent network in NumPy, forward and backpropagation through time.

    h_t = tanh(x_t Wx + h_{t-1} Wh + b)

Row-vector convention, as in 밑바닥부터 시작하는 딥러닝 2 and CS231n: x_t: (N, D), h_t: (N, H),
Wx: (D, H), Wh: (H, H), b: (H,). `torch.nn.RNN` stores the transposes (weight_ih_l0 is (H, D)) and two
biases; `nnbook.scratch.rnn_weights_from_torch` converts.

Functions come in CS231n pairs: `*_forward -> (out, cache)` and `*_backward(dout, cache)`.
"""
import numpy as np

__all__ = [
    "rnn_step", "rnn_step_forward", "rnn_step_backward",
    "rnn_forward", "rnn_backward", "RNNCache",
]


# ----------------------------------------------------------------------------- argument checks
def _as_float(fn, **arrays):
    """The arrays converted to one common float dtype (float32 stays float32, ints become float64)."""
    arrays = {k: np.asarray(v) for k, v in arrays.items()}
    for name, a in arrays.items():
        if not np.issubdtype(a.dtype, np.number) or np.issubdtype(a.dtype, np.complexfloating):
            raise ValueError(f"{fn}: {name} must be a real numeric array, got dtype {a.dtype}")
    dtype = np.result_type(*arrays.values())
    if not np.issubdtype(dtype, np.floating):
        dtype = np.float64
    return [a.astype(dtype, copy=False) for a in arrays.values()]


def _check_sequence_args(fn, x, Wx, Wh, b, gates=1):
    """Check x: (N, T, D), Wx: (D, G*H), Wh: (H, G*H), b: (G*H,) with G = `gates`; return N, T, D, H.

    G is 1 for the plain RNN and 4 for the LSTM (gates i, f, g, o side by side).
    """
    if x.ndim != 3:
        raise ValueError(f"{fn}: x must be 3-D (N, T, D), got shape {x.shape}")
    N, T, D = x.shape
    if T == 0:
        raise ValueError(f"{fn}: x has no time steps (T = 0), shape {x.shape}")
    cols = "H" if gates == 1 else f"{gates}H"
    if Wx.ndim != 2:
        raise ValueError(f"{fn}: Wx must be 2-D (D, {cols}), got shape {Wx.shape}")
    if Wx.shape[0] != D:
        raise ValueError(f"{fn}: Wx has {Wx.shape[0]} rows but x has D={D} features")
    if Wh.ndim != 2:
        raise ValueError(f"{fn}: Wh must be 2-D (H, {cols}), got shape {Wh.shape}")
    H = Wh.shape[0]
    if gates == 1 and Wh.shape[1] != H:
        raise ValueError(f"{fn}: Wh must be square (H, H), got shape {Wh.shape}")
    if gates != 1 and Wh.shape[1] != gates * H:
        raise ValueError(f"{fn}: Wh must be (H, {cols}) = ({H}, {gates * H}) for H={H}, got shape {Wh.shape}")
    if Wx.shape[1] != gates * H:
        raise ValueError(f"{fn}: Wx has {Wx.shape[1]} columns but Wh says {cols} = {gates * H} (H={H})")
    if b.shape != (gates * H,):
        raise ValueError(f"{fn}: b must have shape ({cols},) = ({gates * H},), got {b.shape}")
    return N, T, D, H


def _check_state(fn, name, s, N, H):
    """Check an initial state h0 or c0: (N, H)."""
    if s.ndim != 2:
        raise ValueError(f"{fn}: {name} must be 2-D (N, H), got shape {s.shape}")
    if s.shape[0] != N:
        raise ValueError(f"{fn}: {name} has batch {s.shape[0]} but x has N={N}")
    if s.shape[1] != H:
        raise ValueError(f"{fn}: {name} has {s.shape[1]} features but the hidden size is H={H}")


def _check_dout(fn, name, d, shape):
    d = np.asarray(d)
    if d.shape != shape:
        raise ValueError(f"{fn}: {name} must have shape {shape} (like the forward output), got {d.shape}")
    return d


# ----------------------------------------------------------------------------- one time step
def rnn_step(x_t, h_prev, Wx, Wh, b):
    """One RNN step, the equation itself: h_t = tanh(x_t Wx + h_prev Wh + b).

    x_t: (N, D), h_prev: (N, H), Wx: (D, H), Wh: (H, H), b: (H,). Returns h_t: (N, H).
    """
    return np.tanh(x_t @ Wx + h_prev @ Wh + b)


def rnn_step_forward(x_t, h_prev, Wx, Wh, b):
    """`rnn_step` that also returns what `rnn_step_backward` needs.

    Returns (h_t: (N, H), cache).
    """
    h_t = rnn_step(x_t, h_prev, Wx, Wh, b)
    return h_t, (x_t, h_prev, Wx, Wh, h_t)


def rnn_step_backward(dh_t, cache):
    """Backward of one RNN step.

    dh_t: (N, H), the gradient of the loss with respect to h_t.
    Returns (dx_t: (N, D), dh_prev: (N, H), dWx: (D, H), dWh: (H, H), db: (H,)).
    tanh'(a) = 1 - tanh(a)^2, so the pre-activation gradient is da = dh_t * (1 - h_t^2).
    """
    x_t, h_prev, Wx, Wh, h_t = cache
    da = dh_t * (1 - h_t ** 2)
    return da @ Wx.T, da @ Wh.T, x_t.T @ da, h_prev.T @ da, da.sum(axis=0)


# ----------------------------------------------------------------------------- a whole sequence
class RNNCache:
    """What `rnn_forward` keeps for `rnn_backward` (time-major arrays, see `rnn_forward`).

    x: (N, T, D) the input; hs_tm: (T + 1, N, H) with hs_tm[0] = h0 and hs_tm[t + 1] = h_t;
    Wx: (D, H); Wh: (H, H).
    """

    kind = "rnn"

    def __init__(self, x, hs_tm, Wx, Wh):
        self.x, self.hs_tm, self.Wx, self.Wh = x, hs_tm, Wx, Wh


def rnn_forward(x, h0, Wx, Wh, b):
    """Run the RNN over a whole sequence.

    x: (N, T, D), h0: (N, H), Wx: (D, H), Wh: (H, H), b: (H,).
    Returns (hs: (N, T, H), cache) with hs[:, t] = h_t.

    The obvious version calls `rnn_step(x[:, t], h, Wx, Wh, b)` T times. Here the input part
    x_t Wx + b does not depend on h, so it is computed for all steps in one matrix product
    (N*T, D) @ (D, H) before the loop; the loop only does h_{t-1} Wh, an add and tanh, writing
    into a preallocated time-major buffer (T + 1, N, H) so that every step touches a contiguous
    block. Same numbers, much less Python per step.
    """
    fn = "rnn_forward"
    x, h0, Wx, Wh, b = _as_float(fn, x=x, h0=h0, Wx=Wx, Wh=Wh, b=b)
    N, T, D, H = _check_sequence_args(fn, x, Wx, Wh, b)
    _check_state(fn, "h0", h0, N, H)

    # a[t] = x_t Wx + b for every t at once, time-major: (T, N, H)
    a = (x.transpose(1, 0, 2).reshape(T * N, D) @ Wx + b).reshape(T, N, H)
    hs_tm = np.empty((T + 1, N, H), dtype=x.dtype)
    hs_tm[0] = h0
    tmp = np.empty((N, H), dtype=x.dtype)
    for t in range(T):
        np.matmul(hs_tm[t], Wh, out=tmp)
        tmp += a[t]
        np.tanh(tmp, out=hs_tm[t + 1])
    hs = hs_tm[1:].transpose(1, 0, 2).copy()
    return hs, RNNCache(x, hs_tm, Wx, Wh)


def rnn_backward(dhs, cache, return_dh=False):
    """Backpropagation through time for `rnn_forward`.

    dhs: (N, T, H), the gradient of the loss with respect to each output h_t (from the layers above).
    Returns (dx: (N, T, D), dh0: (N, H), dWx: (D, H), dWh: (H, H), db: (H,)); with return_dh=True
    a sixth array dh: (N, T, H) follows, the *total* gradient reaching h_t (from the output at step t
    plus from step t + 1) — the quantity whose norm shrinks or grows in the vanishing-gradient plot.

    The obvious version calls `rnn_step_backward` T times and adds up dWx, dWh, db in the loop.
    Only dh_{t-1} = da_t Wh^T must be sequential; so the loop just stores da_t, and afterwards one
    matrix product each gives dWx = X^T dA, dWh = H_prev^T dA and dx = dA Wx^T over all N*T rows.
    """
    fn = "rnn_backward"
    if not isinstance(cache, RNNCache):
        raise ValueError(f"{fn}: cache must be the cache returned by rnn_forward, got {type(cache).__name__}")
    x, hs_tm, Wx, Wh = cache.x, cache.hs_tm, cache.Wx, cache.Wh
    N, T, D = x.shape
    H = Wh.shape[0]
    dhs = _check_dout(fn, "dhs", dhs, (N, T, H))

    dh_tm = np.array(dhs.transpose(1, 0, 2), dtype=x.dtype, order="C")    # (T, N, H), becomes the total dh_t
    da = 1 - hs_tm[1:] ** 2                                       # tanh' for every step, (T, N, H)
    WhT = np.ascontiguousarray(Wh.T)
    dh_next = np.zeros((N, H), dtype=x.dtype)
    for t in range(T - 1, -1, -1):
        dh_tm[t] += dh_next
        da[t] *= dh_tm[t]
        np.matmul(da[t], WhT, out=dh_next)
    da2 = da.reshape(T * N, H)
    dx = (da2 @ Wx.T).reshape(T, N, D).transpose(1, 0, 2).copy()
    dWx = x.transpose(1, 0, 2).reshape(T * N, D).T @ da2
    dWh = hs_tm[:-1].reshape(T * N, H).T @ da2
    db = da2.sum(axis=0)
    out = (dx, dh_next, dWx, dWh, db)
    if return_dh:
        out += (dh_tm.transpose(1, 0, 2).copy(),)
    return out
