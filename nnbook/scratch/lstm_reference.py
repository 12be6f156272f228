"""Long short-term memory (LSTM) in NumPy, the readable version: one step, then a loop over the steps.

Read this module first; `lstm.py` computes the same numbers fast. With a = x_t Wx + h_{t-1} Wh + b
split into four blocks of H columns, in PyTorch's order:

    i = sigmoid(a_i)   input gate          f = sigmoid(a_f)   forget gate
    g = tanh(a_g)      cell candidate      o = sigmoid(a_o)   output gate
    c_t = f * c_{t-1} + i * g              h_t = o * tanh(c_t)

Shapes: x_t: (N, D), h_t, c_t: (N, H), Wx: (D, 4H), Wh: (H, 4H), b: (4H,). The weights keep PyTorch's
gate order (i, f, g, o) so that `Wx = lstm.weight_ih_l0.T` works as is (`lstm_weights_from_torch`).

- `lstm_step_forward` / `lstm_step_backward`: one time step and its gradients;
- `lstm_forward_naive` / `lstm_backward_naive`: a whole sequence, the step functions in a loop
  (backpropagation through time: the steps backwards, each passing dh and dc to the one before).
"""
import numpy as np

from ._checks import as_float, check_dout, check_sequence_args, check_state

__all__ = [
    "sigmoid", "lstm_step", "lstm_step_forward", "lstm_step_backward",
    "lstm_forward_naive", "lstm_backward_naive",
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
def lstm_forward_naive(x, h0, c0, Wx, Wh, b):
    """Run the LSTM over a whole sequence: `lstm_step_forward` for t = 0, 1, ..., T-1.

    x: (N, T, D), h0: (N, H), c0: (N, H), Wx: (D, 4H), Wh: (H, 4H), b: (4H,).
    Returns (hs: (N, T, H), cs: (N, T, H), cache): the hidden and cell states of every step, and
    the list of the steps' caches for `lstm_backward_naive`.
    """
    fn = "lstm_forward_naive"
    x, h0, c0, Wx, Wh, b = as_float(fn, x=x, h0=h0, c0=c0, Wx=Wx, Wh=Wh, b=b)
    N, T, D, H = check_sequence_args(fn, x, Wx, Wh, b, gates=4)
    check_state(fn, "h0", h0, N, H)
    check_state(fn, "c0", c0, N, H)
    h, c = h0, c0
    hs, cs, caches = [], [], []
    for t in range(T):
        h, c, step_cache = lstm_step_forward(x[:, t], h, c, Wx, Wh, b)
        hs.append(h)
        cs.append(c)
        caches.append(step_cache)
    return np.stack(hs, axis=1), np.stack(cs, axis=1), caches


def lstm_backward_naive(dhs, cache, dc_last=None):
    """Backpropagation through time for `lstm_forward_naive`: `lstm_step_backward` for t = T-1, ..., 0.

    dhs: (N, T, H), the gradient of the loss with respect to each output h_t; dc_last: optional (N, H),
    a gradient on the final cell state. Step t receives dhs[:, t] plus the dh that step t + 1 sends
    back, and the dc of step t + 1; the weight gradients of all steps add up (the same weights are
    used at every step). Returns (dx: (N, T, D), dh0: (N, H), dc0: (N, H), dWx, dWh, db).
    """
    N, T, H = dhs.shape
    dh = np.zeros((N, H), dtype=dhs.dtype)
    dc = np.zeros((N, H), dtype=dhs.dtype) if dc_last is None else np.array(dc_last, dtype=dhs.dtype)
    dxs = [None] * T
    dWx = dWh = db = 0
    for t in reversed(range(T)):
        dx_t, dh, dc, dWx_t, dWh_t, db_t = lstm_step_backward(dhs[:, t] + dh, dc, cache[t])
        dxs[t] = dx_t
        dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
    return np.stack(dxs, axis=1), dh, dc, dWx, dWh, db
