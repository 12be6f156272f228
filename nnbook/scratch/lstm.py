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
    """What `lstm_forward` keeps for `lstm_backward`; use `lstm_gates(cache)` to read the gates.

    Arrays are time-major and feature-major (see `lstm_forward`): z: (T + 1, D + H + 1, N),
    z[t] = [x_t; h_{t-1}; 1] as columns; cs_tm: (T + 1, H, N) the cell states, cs_tm[0] = c0;
    gates: (T, 4H, N) the activated gates in the internal order (o, i, f, g);
    W: (D + H + 1, 4H) = [Wx; Wh; b] with its columns in that order; D: the input size;
    workspace, generation: see `lstm_forward`.
    """

    kind = "lstm"

    def __init__(self, z, cs_tm, gates, W, D, workspace=None):
        self.z, self.cs_tm, self.gates, self.W, self.D = z, cs_tm, gates, W, D
        self.workspace = workspace
        self.generation = None if workspace is None else workspace["generation"]


def _buffer(workspace, name, shape, dtype):
    """np.empty(shape, dtype), or the array kept under `name` in `workspace` if it fits.

    Fresh memory is not free: the operating system maps it page by page (4 KB) on first touch,
    and at these sizes that costs as much as the arithmetic. Reusing the buffers of the previous
    call avoids it; `TimeLSTM` keeps one workspace per layer.
    """
    if workspace is None:
        return np.empty(shape, dtype)
    a = workspace.get(name)
    if a is None or a.shape != shape or a.dtype != dtype:
        a = workspace[name] = np.empty(shape, dtype)
    return a


def _to_internal(w, H):
    """Columns (i, f, g, o) -> (o, i, f, g): a rotation by one block, so the three sigmoid gates
    are side by side (first 3H) and so are the three gates fed by dc (i, f, g: last 3H)."""
    return np.roll(w, H, axis=-1)


def _to_pytorch(w, H):
    """Columns (o, i, f, g) -> PyTorch's (i, f, g, o); the inverse of `_to_internal`."""
    return np.roll(w, -H, axis=-1)


def lstm_forward(x, h0, c0, Wx, Wh, b, workspace=None):
    """Run the LSTM over a whole sequence.

    x: (N, T, D), h0: (N, H), c0: (N, H), Wx: (D, 4H), Wh: (H, 4H), b: (4H,), gates in PyTorch's
    order (i, f, g, o). Returns (hs: (N, T, H), cs: (N, T, H), cache): the hidden and cell states.
    workspace: optional dict; pass the same one to every call to reuse the internal buffers (no
    new memory per call). The cache of the previous call with that workspace is then overwritten,
    and `lstm_backward` refuses it.

    The obvious version calls `lstm_step(x[:, t], h, c, Wx, Wh, b)` T times; that is what this
    computes. With small matrices most of the time goes to Python and NumPy call overhead and to
    memory, not arithmetic, so the loop makes as few and as cheap calls as possible:
    - one matrix product per step: a_t = [x_t, h_{t-1}, 1] @ [Wx; Wh; b] (the "bias trick"); the
      buffer z holds [x_t; h_{t-1}; 1] for every step and each new h_t is written straight into it;
    - states and gates are stored transposed, features x batch ((4H, N) per step instead of
      (N, 4H)), so each gate is a block of whole rows: a NumPy call on a column slice of an
      (N, 4H) array pays a per-row overhead, on a block of rows it does not (about 3x faster here);
    - the gate columns are kept in the order (o, i, f, g), so one slice covers the three sigmoids;
    - sigmoid(a) = (1 + tanh(a / 2)) / 2 with the sigmoid columns of W halved beforehand (exact:
      halving only changes the exponent), so ONE tanh call activates all four gates, then
      `*= 0.5; += 0.5` finishes the sigmoids;
    - all buffers are allocated once, before the loop (or reused, see workspace), and only what
      backward needs is kept.
    """
    fn = "lstm_forward"
    x, h0, c0, Wx, Wh, b = _as_float(fn, x=x, h0=h0, c0=c0, Wx=Wx, Wh=Wh, b=b)
    N, T, D, H = _check_sequence_args(fn, x, Wx, Wh, b, gates=4)
    _check_state(fn, "h0", h0, N, H)
    _check_state(fn, "c0", c0, N, H)
    dt = x.dtype
    K = D + H + 1

    W = _to_internal(np.concatenate([Wx, Wh, b[None]], axis=0), H)   # (K, 4H), columns o, i, f, g
    half = np.ones(4 * H, dtype=dt)
    half[:3 * H] = 0.5                                  # o, i, f columns: tanh(a / 2)
    W_half_T = np.ascontiguousarray((W * half).T)       # (4H, K)
    if workspace is not None:
        workspace["generation"] = workspace.get("generation", 0) + 1
    z = _buffer(workspace, "z", (T + 1, K, N), dt)      # z[t] = [x_t; h_{t-1}; 1]
    z[:T, :D] = x.transpose(1, 2, 0)
    z[0, D:D + H] = h0.T
    z[:, D + H] = 1
    gates = _buffer(workspace, "gates", (T, 4 * H, N), dt)
    cs_tm = _buffer(workspace, "cs", (T + 1, H, N), dt)
    cs_tm[0] = c0.T
    ig = np.empty((H, N), dtype=dt)
    tanh_c = np.empty((H, N), dtype=dt)
    H2, H3 = 2 * H, 3 * H
    for t in range(T):
        a = gates[t]
        np.matmul(W_half_T, z[t], out=a)                # pre-activations of all gates
        np.tanh(a, out=a)                               # all four gates in one call
        s = a[:H3]
        s *= 0.5
        s += 0.5                                        # o, i, f are now sigmoids
        c = cs_tm[t + 1]
        np.multiply(a[H2:H3], cs_tm[t], out=c)          # f * c_{t-1}
        np.multiply(a[H:H2], a[H3:], out=ig)            # i * g
        c += ig
        np.tanh(c, out=tanh_c)
        np.multiply(a[:H], tanh_c, out=z[t + 1, D:D + H])   # h_t = o * tanh(c_t)
    hs = z[1:, D:D + H].transpose(2, 0, 1).copy()
    cs = cs_tm[1:].transpose(2, 0, 1).copy()
    return hs, cs, LSTMCache(z, cs_tm, gates, W, D, workspace)


def lstm_backward(dhs, cache, dc_last=None, return_dh=False):
    """Backpropagation through time for `lstm_forward`.

    dhs: (N, T, H), the gradient of the loss with respect to each output h_t. dc_last: optional
    (N, H), a gradient on the final cell state c_T (when c_T feeds something else, e.g. a decoder).
    Returns (dx: (N, T, D), dh0: (N, H), dc0: (N, H), dWx: (D, 4H), dWh: (H, 4H), db: (4H,)), the
    weight gradients in PyTorch's gate order; with return_dh=True a seventh array dh: (N, T, H)
    follows, the total gradient reaching h_t (from its output and from step t + 1).

    The loop body is `lstm_step_backward` written out on the transposed (feature-major) buffers
    of `lstm_forward`, with every intermediate in a small preallocated (H, N) array (no temporary
    arrays, which cost more than the arithmetic at these sizes). Per step, two matrix products:
    [dx_t; dh_{t-1}] = [Wx; Wh] da_t at once, and dW += z_t da_t^T for all of [Wx; Wh; b] at once.
    Both take contiguous operands: z is copied once into row form for the second, because the
    same product with a transposed view (`da @ z[t].T`) was 3-5x slower here (OpenBLAS takes
    another, multithreaded path for it).
    """
    fn = "lstm_backward"
    if not isinstance(cache, LSTMCache):
        raise ValueError(f"{fn}: cache must be the cache returned by lstm_forward, got {type(cache).__name__}")
    ws = cache.workspace
    if ws is not None and ws.get("generation") != cache.generation:
        raise ValueError(f"{fn}: this cache was overwritten by a later lstm_forward with the same workspace")
    z, cs_tm, gates, W, D = cache.z, cache.cs_tm, cache.gates, cache.W, cache.D
    T, K, N = z.shape[0] - 1, z.shape[1], z.shape[2]
    H = cs_tm.shape[1]
    dt = z.dtype
    dhs = _check_dout(fn, "dhs", dhs, (N, T, H))
    H2, H3 = 2 * H, 3 * H

    dh_all = _buffer(ws, "dh", (T, H, N), dt)          # becomes the total gradient reaching h_t
    dh_all[...] = dhs.transpose(1, 2, 0)
    dc = np.zeros((H, N), dtype=dt) if dc_last is None else \
        np.array(_check_dout(fn, "dc_last", dc_last, (N, H)).T, dtype=dt, order="C")
    dz = _buffer(ws, "dz", (T + 1, D + H, N), dt)      # dz[t] = [dx_t; dh_{t-1}]
    dz[T, D:] = 0
    W_xh = np.ascontiguousarray(W[:D + H])              # (D + H, 4H)
    da = np.empty((4 * H, N), dtype=dt)                 # gradient of the pre-activations, one step
    z_rows = _buffer(ws, "z_rows", (T, N, K), dt)      # z_t^T for every step: [x_t, h_{t-1}, 1] as rows
    z_rows[...] = z[:T].transpose(0, 2, 1)
    dW_T = np.zeros((4 * H, K), dtype=dt)
    dW_step = np.empty((4 * H, K), dtype=dt)
    sig_grad = np.empty((H3, N), dtype=dt)
    tanh_c, u = np.empty((H, N), dtype=dt), np.empty((H, N), dtype=dt)
    for t in range(T - 1, -1, -1):
        a = gates[t]
        o, i, f, g = a[:H], a[H:H2], a[H2:H3], a[H3:]
        dh = dh_all[t]
        dh += dz[t + 1, D:]                             # + gradient from step t + 1
        np.tanh(cs_tm[t + 1], out=tanh_c)
        np.subtract(1, a[:H3], out=sig_grad)
        sig_grad *= a[:H3]                              # sigmoid' = s (1 - s) for o, i, f
        # output gate: h_t = o * tanh(c_t)
        sig_grad[:H] *= tanh_c
        np.multiply(sig_grad[:H], dh, out=da[:H])
        # the cell state collects dh through tanh: dc += dh * o * (1 - tanh^2 c_t)
        np.multiply(tanh_c, tanh_c, out=u)
        np.subtract(1, u, out=u)
        u *= o
        u *= dh
        dc += u
        # c_t = f * c_{t-1} + i * g
        sig_grad[H:H2] *= g
        np.multiply(sig_grad[H:H2], dc, out=da[H:H2])   # input gate
        sig_grad[H2:] *= cs_tm[t]
        np.multiply(sig_grad[H2:], dc, out=da[H2:H3])   # forget gate
        np.multiply(g, g, out=u)
        np.subtract(1, u, out=u)                        # tanh' = 1 - g^2
        u *= i
        np.multiply(u, dc, out=da[H3:])                 # cell candidate
        dc *= f                                         # dc_{t-1} = dc_t * f
        np.matmul(W_xh, da, out=dz[t])                  # [dx_t; dh_{t-1}]
        np.matmul(da, z_rows[t], out=dW_step)           # da_t [x_t, h_{t-1}, 1]
        dW_T += dW_step
    dW = _to_pytorch(dW_T.T, H)                         # (K, 4H), PyTorch's gate order
    dx = dz[:T, :D].transpose(2, 0, 1).copy()
    out = (dx, dz[0, D:].T.copy(), dc.T.copy(), dW[:D], dW[D:D + H], dW[D + H])
    if return_dh:
        out += (dh_all.transpose(2, 0, 1).copy(),)
    return out


def lstm_gates(cache):
    """The gate activations of every step, from an `lstm_forward` cache.

    Returns a dict {"i", "f", "g", "o"} of arrays (N, T, H): input gate, forget gate, cell
    candidate and output gate at each time step (sigmoid values in (0, 1); g in (-1, 1)).
    """
    if not isinstance(cache, LSTMCache):
        raise ValueError(f"lstm_gates: cache must be the cache returned by lstm_forward, got {type(cache).__name__}")
    H = cache.cs_tm.shape[1]
    blocks = {"o": 0, "i": 1, "f": 2, "g": 3}
    return {k: cache.gates[:, blocks[k] * H:(blocks[k] + 1) * H].transpose(2, 0, 1).copy()
            for k in ("i", "f", "g", "o")}
