"""A plain (Elman) recurrent network in NumPy, the readable version: one step, then a loop over the steps.

    h_t = tanh(x_t Wx + h_{t-1} Wh + b)

Read this module first; `recurrent.py` computes the same numbers fast. Row-vector convention, as in
밑바닥부터 시작하는 딥러닝 2 and CS231n: x_t: (N, D), h_t: (N, H), Wx: (D, H), Wh: (H, H), b: (H,).
`torch.nn.RNN` stores the transposes (weight_ih_l0 is (H, D)) and two biases;
`nnbook.scratch.rnn_weights_from_torch` converts.

Functions come in CS231n pairs: `*_forward -> (out, cache)` and `*_backward(dout, cache)`:
- `rnn_step_forward` / `rnn_step_backward`: one time step and its gradients;
- `rnn_forward_naive` / `rnn_backward_naive`: a whole sequence, the step functions in a loop
  (backpropagation through time: the steps backwards, each passing dh to the one before).
"""
import numpy as np

from ._checks import as_float, check_sequence_args, check_state

__all__ = ["rnn_step", "rnn_step_forward", "rnn_step_backward", "rnn_forward_naive", "rnn_backward_naive"]


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
def rnn_forward_naive(x, h0, Wx, Wh, b):
    """Run the RNN over a whole sequence: `rnn_step_forward` for t = 0, 1, ..., T-1.

    x: (N, T, D), h0: (N, H), Wx: (D, H), Wh: (H, H), b: (H,).
    Returns (hs: (N, T, H), cache): hs[:, t] = h_t, and the list of the steps' caches.
    """
    fn = "rnn_forward_naive"
    x, h0, Wx, Wh, b = as_float(fn, x=x, h0=h0, Wx=Wx, Wh=Wh, b=b)
    N, T, D, H = check_sequence_args(fn, x, Wx, Wh, b)
    check_state(fn, "h0", h0, N, H)
    h, hs, caches = h0, [], []
    for t in range(T):
        h, step_cache = rnn_step_forward(x[:, t], h, Wx, Wh, b)
        hs.append(h)
        caches.append(step_cache)
    return np.stack(hs, axis=1), caches


def rnn_backward_naive(dhs, cache):
    """Backpropagation through time for `rnn_forward_naive`: `rnn_step_backward` for t = T-1, ..., 0.

    dhs: (N, T, H), the gradient of the loss with respect to each output h_t. Step t receives
    dhs[:, t] plus the dh that step t + 1 sends back; the weight gradients of all steps add up.
    Returns (dx: (N, T, D), dh0: (N, H), dWx: (D, H), dWh: (H, H), db: (H,)).
    """
    N, T, H = dhs.shape
    dh = np.zeros((N, H), dtype=dhs.dtype)
    dxs = [None] * T
    dWx = dWh = db = 0
    for t in reversed(range(T)):
        dxs[t], dh, dWx_t, dWh_t, db_t = rnn_step_backward(dhs[:, t] + dh, cache[t])
        dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
    return np.stack(dxs, axis=1), dh, dWx, dWh, db
