"""Long short-term memory (LSTM) in NumPy, forward and backpropagation through time.

With a = x_t Wx + h_{t-1} Wh + b split into four blocks of H columns, in PyTorch's order:

    i = sigmoid(a_i)   input gate          f = sigmoid(a_f)   forget gate
    g = tanh(a_g)      cell candidate      o = sigmoid(a_o)   output gate
    c_t = f * c_{t-1} + i * g              h_t = o * tanh(c_t)

Shapes: x_t: (N, D), h_t, c_t: (N, H), Wx: (D, 4H), Wh: (H, 4H), b: (4H,). The weights keep PyTorch's
gate order (i, f, g, o) so that `Wx = lstm.weight_ih_l0.T` works as is (`lstm_weights_from_torch`).
"""
import numpy as np

from .recurrent import _as_float, _check_dout, _check_sequence_args, _check_state

__all__ = [
    "sigmoid", "lstm_step", "lstm_step_forward", "lstm_step_backward",
    "lstm_forward", "lstm_backward", "lstm_gates", "LSTMCache",
]


def sigmoid(x):
    """The logistic function 1 / (1 + exp(-x)), computed as (1 + tanh(x / 2)) / 2.

    The two are equal; the tanh form never overflows (exp(-x) does for x < -709 in float64).
    """
    return 0.5 * (1 + np.tanh(0.5 * x))


# ----------------------------------------------------------------------------- one time step
def lstm_step(x_t, h_prev, c_prev, Wx, Wh, b):
    """One LSTM step, the equations as written.

    x_t: (N, D), h_prev: (N, H), c_prev: (N, H), Wx: (D, 4H), Wh: (H, 4H), b: (4H,).
    Returns (h_t: (N, H), c_t: (N, H)).
    """
    h_t, c_t, _ = lstm_step_forward(x_t, h_prev, c_prev, Wx, Wh, b)
    return h_t, c_t


def lstm_step_forward(x_t, h_prev, c_prev, Wx, Wh, b):
    """`lstm_step` that also returns what `lstm_step_backward` needs.

    Returns (h_t: (N, H), c_t: (N, H), cache).
    """
    a = x_t @ Wx + h_prev @ Wh + b
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)        # PyTorch's order: input, forget, cell, output
    i, f, g, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)
    c_t = f * c_prev + i * g
    tanh_c = np.tanh(c_t)
    h_t = o * tanh_c
    return h_t, c_t, (x_t, h_prev, c_prev, Wx, Wh, i, f, g, o, tanh_c)


def lstm_step_backward(dh_t, dc_t, cache):
    """Backward of one LSTM step.

    dh_t: (N, H) and dc_t: (N, H), the gradients reaching h_t and c_t.
    Returns (dx_t: (N, D), dh_prev: (N, H), dc_prev: (N, H), dWx: (D, 4H), dWh: (H, 4H), db: (4H,)).
    """
    x_t, h_prev, c_prev, Wx, Wh, i, f, g, o, tanh_c = cache
    dc = dc_t + dh_t * o * (1 - tanh_c ** 2)           # h_t = o * tanh(c_t)
    da = np.concatenate([
        dc * g * i * (1 - i),                          # sigmoid' = s (1 - s)
        dc * c_prev * f * (1 - f),
        dc * i * (1 - g ** 2),                         # tanh' = 1 - tanh^2
        dh_t * tanh_c * o * (1 - o),
    ], axis=1)
    return da @ Wx.T, da @ Wh.T, dc * f, x_t.T @ da, h_prev.T @ da, da.sum(axis=0)


# ----------------------------------------------------------------------------- a whole sequence
class LSTMCache:
    """What `lstm_forward` keeps for `lstm_backward`; arrays are time-major.

    x: (N, T, D); hs_tm, cs_tm: (T + 1, N, H) with index 0 the initial state; gates: (T, N, 4H) the
    activated gates in the internal order (o, i, f, g); tanh_c: (T, N, H); Wx_r: (D, 4H), Wh_r: (H, 4H)
    the weights with their columns in that internal order. Use `lstm_gates(cache)` to read the gates.
    """

    kind = "lstm"

    def __init__(self, x, hs_tm, cs_tm, gates, tanh_c, Wx_r, Wh_r):
        self.x, self.hs_tm, self.cs_tm = x, hs_tm, cs_tm
        self.gates, self.tanh_c, self.Wx_r, self.Wh_r = gates, tanh_c, Wx_r, Wh_r


def _to_internal(w, H):
    """Columns (i, f, g, o) -> (o, i, f, g): a rotation by one block, so the three sigmoid gates
    are side by side (columns :3H) and the two gates fed by dc (i, f, g) too (columns H:)."""
    return np.roll(w, H, axis=-1)


def _to_pytorch(w, H):
    """Columns (o, i, f, g) -> PyTorch's (i, f, g, o); the inverse of `_to_internal`."""
    return np.roll(w, -H, axis=-1)


def lstm_forward(x, h0, c0, Wx, Wh, b):
    """Run the LSTM over a whole sequence.

    x: (N, T, D), h0: (N, H), c0: (N, H), Wx: (D, 4H), Wh: (H, 4H), b: (4H,), gates in PyTorch's
    order (i, f, g, o). Returns (hs: (N, T, H), cs: (N, T, H), cache): the hidden and cell states.

    The obvious version calls `lstm_step(x[:, t], h, c, Wx, Wh, b)` T times. With T steps of
    small matrices most of its time is Python and NumPy call overhead, so this version
    - computes the input part x_t Wx + b of all steps in one matrix product (N*T, D) @ (D, 4H);
    - keeps the gate columns in the order (o, i, f, g), so one slice covers the three sigmoids;
    - uses sigmoid(a) = (1 + tanh(a / 2)) / 2 with the sigmoid columns of the weights halved
      beforehand (exact: halving only changes the exponent), so ONE tanh call activates all four
      gates, then `*= 0.5; += 0.5` finishes the sigmoids;
    - writes into preallocated time-major buffers (T, N, ...), each step a contiguous block.
    """
    fn = "lstm_forward"
    x, h0, c0, Wx, Wh, b = _as_float(fn, x=x, h0=h0, c0=c0, Wx=Wx, Wh=Wh, b=b)
    N, T, D, H = _check_sequence_args(fn, x, Wx, Wh, b, gates=4)
    _check_state(fn, "h0", h0, N, H)
    _check_state(fn, "c0", c0, N, H)
    dt = x.dtype

    Wx_r, Wh_r, b_r = _to_internal(Wx, H), _to_internal(Wh, H), _to_internal(b, H)
    half = np.ones(4 * H, dtype=dt)
    half[:3 * H] = 0.5                                   # o, i, f columns: tanh(a / 2)
    # pre-activations of every step from the input, time-major: gates[t] = x_t Wx + b  (T, N, 4H)
    gates = (x.transpose(1, 0, 2).reshape(T * N, D) @ (Wx_r * half) + b_r * half).reshape(T, N, 4 * H)
    Wh_half = Wh_r * half
    hs_tm = np.empty((T + 1, N, H), dtype=dt)
    cs_tm = np.empty((T + 1, N, H), dtype=dt)
    tanh_c = np.empty((T, N, H), dtype=dt)
    hs_tm[0], cs_tm[0] = h0, c0
    rec = np.empty((N, 4 * H), dtype=dt)
    ig = np.empty((N, H), dtype=dt)
    H3 = 3 * H
    for t in range(T):
        a = gates[t]
        np.matmul(hs_tm[t], Wh_half, out=rec)
        a += rec
        np.tanh(a, out=a)                                # all four gates in one call
        s = a[:, :H3]
        s *= 0.5
        s += 0.5                                         # o, i, f are now sigmoids
        np.multiply(a[:, 2 * H:H3], cs_tm[t], out=cs_tm[t + 1])          # f * c_{t-1}
        np.multiply(a[:, H:2 * H], a[:, H3:], out=ig)                    # i * g
        cs_tm[t + 1] += ig
        np.tanh(cs_tm[t + 1], out=tanh_c[t])
        np.multiply(a[:, :H], tanh_c[t], out=hs_tm[t + 1])               # o * tanh(c_t)
    hs = hs_tm[1:].transpose(1, 0, 2).copy()
    cs = cs_tm[1:].transpose(1, 0, 2).copy()
    return hs, cs, LSTMCache(x, hs_tm, cs_tm, gates, tanh_c, Wx_r, Wh_r)


def lstm_backward(dhs, cache, dc_last=None, return_dh=False):
    """Backpropagation through time for `lstm_forward`.

    dhs: (N, T, H), the gradient of the loss with respect to each output h_t. dc_last: optional
    (N, H), a gradient on the final cell state c_T (when c_T feeds something else, e.g. a decoder).
    Returns (dx: (N, T, D), dh0: (N, H), dc0: (N, H), dWx: (D, 4H), dWh: (H, 4H), db: (4H,)), the
    weight gradients in PyTorch's gate order; with return_dh=True a seventh array dh: (N, T, H)
    follows, the total gradient reaching h_t (from its output and from step t + 1).

    The obvious version calls `lstm_step_backward` T times. Here every factor that does not depend
    on the incoming gradient (sigmoid' = s(1 - s), tanh', c_{t-1}, ...) is computed for all steps
    at once before the loop, so a step is: add dh from the future, update dc, scale the
    precomputed factors by dh and dc, one matmul for dh_{t-1}. The weight gradients and dx are then
    one matrix product each over all N*T rows (dWh = H_prev^T dA instead of T small products).
    """
    fn = "lstm_backward"
    if not isinstance(cache, LSTMCache):
        raise ValueError(f"{fn}: cache must be the cache returned by lstm_forward, got {type(cache).__name__}")
    x, hs_tm, cs_tm, gates, tanh_c = cache.x, cache.hs_tm, cache.cs_tm, cache.gates, cache.tanh_c
    N, T, D = x.shape
    H = hs_tm.shape[2]
    dt = x.dtype
    dhs = _check_dout(fn, "dhs", dhs, (N, T, H))
    o, i, f, g = (gates[..., k * H:(k + 1) * H] for k in range(4))

    # da[t] = (factor that multiplies dh or dc) for every gate and step; scaled in the loop.
    da = np.empty((T, N, 4 * H), dtype=dt)
    da[..., :H] = tanh_c * o * (1 - o)                 # d h_t / d a_o
    da[..., H:2 * H] = g * i * (1 - i)                 # d c_t / d a_i
    da[..., 2 * H:3 * H] = cs_tm[:-1] * f * (1 - f)    # d c_t / d a_f
    da[..., 3 * H:] = i * (1 - g * g)                  # d c_t / d a_g
    dc_from_h = o * (1 - tanh_c * tanh_c)              # d h_t / d c_t   (T, N, H)
    da4 = da.reshape(T, N, 4, H)

    dh_tm = dhs.transpose(1, 0, 2).astype(dt, copy=True)   # becomes the total dh_t
    dc = np.zeros((N, H), dtype=dt) if dc_last is None else \
        _check_dout(fn, "dc_last", dc_last, (N, H)).astype(dt, copy=True)
    dh_next = np.zeros((N, H), dtype=dt)
    tmp = np.empty((N, H), dtype=dt)
    WhT = np.ascontiguousarray(cache.Wh_r.T)
    for t in range(T - 1, -1, -1):
        dh = dh_tm[t]
        dh += dh_next
        np.multiply(dh, dc_from_h[t], out=tmp)
        dc += tmp
        da[t, :, :H] *= dh                             # output gate
        da4[t, :, 1:] *= dc[:, None, :]                # input, forget, candidate
        dc *= f[t]                                     # dc_{t-1} = dc_t * f
        np.matmul(da[t], WhT, out=dh_next)
    da2 = da.reshape(T * N, 4 * H)
    dx = (da2 @ cache.Wx_r.T).reshape(T, N, D).transpose(1, 0, 2).copy()
    dWx = _to_pytorch(x.transpose(1, 0, 2).reshape(T * N, D).T @ da2, H)
    dWh = _to_pytorch(hs_tm[:-1].reshape(T * N, H).T @ da2, H)
    db = _to_pytorch(da2.sum(axis=0), H)
    out = (dx, dh_next, dc, dWx, dWh, db)
    if return_dh:
        out += (dh_tm.transpose(1, 0, 2).copy(),)
    return out


def lstm_gates(cache):
    """The gate activations of every step, from an `lstm_forward` cache.

    Returns a dict {"i", "f", "g", "o"} of arrays (N, T, H): input gate, forget gate, cell
    candidate and output gate at each time step (sigmoid values in (0, 1); g in (-1, 1)).
    """
    if not isinstance(cache, LSTMCache):
        raise ValueError(f"lstm_gates: cache must be the cache returned by lstm_forward, got {type(cache).__name__}")
    H = cache.hs_tm.shape[2]
    blocks = {"o": 0, "i": 1, "f": 2, "g": 3}
    return {k: cache.gates[..., blocks[k] * H:(blocks[k] + 1) * H].transpose(1, 0, 2).copy()
            for k in ("i", "f", "g", "o")}
