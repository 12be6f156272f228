"""Long short-term memory (LSTM) in NumPy, the fast version: what the layers and the training code call.

Read `lstm_reference.py` first: the equations, one step forward and backward, and the loop over the
steps (`lstm_forward_naive` / `lstm_backward_naive`). `lstm_forward` / `lstm_backward` here compute the
same numbers with far fewer NumPy calls per step (see their docstrings); the tests check both
against PyTorch and against each other.

Shapes: x: (N, T, D), h_t, c_t: (N, H), Wx: (D, 4H), Wh: (H, 4H), b: (4H,), gates in PyTorch's
order (i, f, g, o).
"""
import threading

import numpy as np

from ._checks import as_float, check_dout, check_sequence_args, check_state
from .lstm_reference import lstm_step, lstm_step_backward, lstm_step_forward, sigmoid  # noqa: F401

__all__ = ["lstm_forward", "lstm_backward", "lstm_gates", "LSTMCache"]


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


_scratch = threading.local()     # per thread: lstm_backward's temporary buffers, kept for the next call


def _temporaries(workspace):
    """Where `lstm_backward` keeps its temporary buffers (arrays that never leave the call).

    The layer's workspace if there is one; otherwise a dict private to the calling thread, so that
    repeated calls with the same sizes reuse the same memory instead of mapping fresh pages (which
    costs here as much as the arithmetic). It holds one set of buffers, the last sizes used.
    """
    if workspace is not None:
        return workspace
    if not hasattr(_scratch, "buffers"):
        _scratch.buffers = {}
    return _scratch.buffers


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

    `lstm_forward_naive` (lstm_reference.py) calls `lstm_step_forward` T times; that is what this
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
    x, h0, c0, Wx, Wh, b = as_float(fn, x=x, h0=h0, c0=c0, Wx=Wx, Wh=Wh, b=b)
    N, T, D, H = check_sequence_args(fn, x, Wx, Wh, b, gates=4)
    check_state(fn, "h0", h0, N, H)
    check_state(fn, "c0", c0, N, H)
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

    `lstm_step_backward` written out on the feature-major buffers of `lstm_forward`. Only the two
    gradients that run backwards through time, dh and dc, need a loop; everything else is done for
    all steps at once:
    - before the loop, the factors that multiply dh and dc in the gradient of each pre-activation:
          da_o = dh * o (1 - o) tanh(c_t)        dc += dh * o (1 - tanh(c_t)^2)
          da_i = dc * i (1 - i) g                da_f = dc * f (1 - f) c_{t-1}     da_g = dc * i (1 - g^2)
      (P and Q below, one NumPy call per factor for all T steps);
    - in the loop, per step: dh += dh from step t + 1, da_o = P_o dh, dc += Q dh,
      [da_i; da_f; da_g] = P_ifg dc, dc *= f: six small calls, and one matrix product
      [dx_t; dh_{t-1}] = [Wx; Wh] da_t, instead of about twenty calls;
    - after the loop, the weight gradients of all steps in one batched product, da_t [x_t, h_{t-1}, 1]
      (added up from the last step back, the order in which `lstm_backward_naive` meets them).
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
    dhs = check_dout(fn, "dhs", dhs, (N, T, H))
    H2, H3 = 2 * H, 3 * H

    # the factors P (T, 4H, N) and Q (T, H, N), for every step at once (gates: o, i, f, g)
    tmp = _temporaries(ws)
    P = _buffer(tmp, "P", (T, 4 * H, N), dt)           # becomes da, the gradient of the pre-activations
    Q = _buffer(tmp, "Q", (T, H, N), dt)
    o, i, f, g = gates[:, :H], gates[:, H:H2], gates[:, H2:H3], gates[:, H3:]
    np.tanh(cs_tm[1:], out=Q)                          # tanh(c_t)
    np.subtract(1, gates[:, :H3], out=P[:, :H3])
    P[:, :H3] *= gates[:, :H3]                         # sigmoid' = s (1 - s) for o, i, f
    P[:, :H] *= Q                                      # o: * tanh(c_t)
    P[:, H:H2] *= g                                    # i: * g
    P[:, H2:H3] *= cs_tm[:T]                           # f: * c_{t-1}
    np.multiply(g, g, out=P[:, H3:])
    np.subtract(1, P[:, H3:], out=P[:, H3:])
    P[:, H3:] *= i                                     # g: (1 - g^2) i
    np.multiply(Q, Q, out=Q)
    np.subtract(1, Q, out=Q)
    Q *= o                                             # o (1 - tanh(c_t)^2)

    dh_all = _buffer(tmp, "dh", (T, H, N), dt)          # becomes the total gradient reaching h_t
    dh_all[...] = dhs.transpose(1, 2, 0)
    dc = np.zeros((H, N), dtype=dt) if dc_last is None else \
        np.array(check_dout(fn, "dc_last", dc_last, (N, H)).T, dtype=dt, order="C")
    W_xh = np.ascontiguousarray(W[:D + H])             # (D + H, 4H)
    dz = _buffer(tmp, "dz", (T + 1, D + H, N), dt)     # dz[t] = W_xh da_t = [dx_t; dh_{t-1}]
    dz[T, D:] = 0
    u = np.empty((H, N), dtype=dt)
    P_ifg = P[:, H:].reshape(T, 3, H, N)               # i, f, g blocks: each times dc
    for t in range(T - 1, -1, -1):
        dh = dh_all[t]
        dh += dz[t + 1, D:]                            # + the gradient from step t + 1
        da = P[t]
        da[:H] *= dh                                   # da_o
        np.multiply(Q[t], dh, out=u)
        dc += u
        P_ifg[t] *= dc                                 # da_i, da_f, da_g
        dc *= f[t]                                     # dc_{t-1} = dc_t * f
        np.matmul(W_xh, da, out=dz[t])                 # [dx_t; dh_{t-1}]
    z_rows = _buffer(tmp, "z_rows", (T, N, K), dt)      # [x_t, h_{t-1}, 1] as rows, for every step
    z_rows[...] = z[:T].transpose(0, 2, 1)
    dW_steps = np.matmul(P, z_rows)                    # (T, 4H, K): da_t [x_t, h_{t-1}, 1] for every t
    dW_T = np.zeros((4 * H, K), dtype=dt)
    for t in range(T - 1, -1, -1):                     # summed from the last step back, as BPTT meets them
        dW_T += dW_steps[t]
    dW = _to_pytorch(dW_T.T, H)                        # (K, 4H), PyTorch's gate order
    out = (dz[:T, :D].transpose(2, 0, 1).copy(), dz[0, D:].T.copy(), dc.T.copy(), dW[:D], dW[D:D + H], dW[D + H])
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
