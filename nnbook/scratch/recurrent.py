"""A plain (Elman) recurrent network in NumPy, the fast version: what the layers and the training code call.

Read `rnn_reference.py` first: the equation, one step forward and backward, and the loop over the
steps (`rnn_forward_naive` / `rnn_backward_naive`). `rnn_forward` / `rnn_backward` here compute the
same numbers with most of the work taken out of the loop (see their docstrings); the tests check
both against PyTorch and against each other.
"""
import numpy as np

from ._checks import as_float, check_dout, check_sequence_args, check_state
from .rnn_reference import rnn_step, rnn_step_backward, rnn_step_forward  # noqa: F401

__all__ = ["rnn_forward", "rnn_backward", "RNNCache"]


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

    `rnn_forward_naive` (rnn_reference.py) calls `rnn_step_forward` T times. Here the input part
    x_t Wx + b does not depend on h, so it is computed for all steps in one matrix product
    (N*T, D) @ (D, H) before the loop; the loop only does h_{t-1} Wh, an add and tanh, writing
    into a preallocated time-major buffer (T + 1, N, H) so that every step touches a contiguous
    block. Same numbers, much less Python per step.
    """
    fn = "rnn_forward"
    x, h0, Wx, Wh, b = as_float(fn, x=x, h0=h0, Wx=Wx, Wh=Wh, b=b)
    N, T, D, H = check_sequence_args(fn, x, Wx, Wh, b)
    check_state(fn, "h0", h0, N, H)

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

    `rnn_backward_naive` calls `rnn_step_backward` T times and adds up dWx, dWh, db in the loop.
    Only dh_{t-1} = da_t Wh^T must be sequential; so the loop just stores da_t, and afterwards one
    matrix product each gives dWx = X^T dA, dWh = H_prev^T dA and dx = dA Wx^T over all N*T rows.
    """
    fn = "rnn_backward"
    if not isinstance(cache, RNNCache):
        raise ValueError(f"{fn}: cache must be the cache returned by rnn_forward, got {type(cache).__name__}")
    x, hs_tm, Wx, Wh = cache.x, cache.hs_tm, cache.Wx, cache.Wh
    N, T, D = x.shape
    H = Wh.shape[0]
    dhs = check_dout(fn, "dhs", dhs, (N, T, H))

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
