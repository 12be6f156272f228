"""Small experiments of chapter 5 (LSTM theory): a counting task, a tiny LSTM trained on it in
NumPy, the gate record the gate-by-gate slider shows, and parameter counts of RNN / GRU / LSTM.

Everything runs on `nnbook.scratch` (NumPy); only `torch_hidden_grad_norms`, the autograd oracle for
the gradient-norm curves, imports torch (inside the function).

    x, y, tokens = counter_task(128, 12, rng)          # x: (N, T, 3) one-hot, y: (N, T) counts
    params, losses = train_counter_lstm(H=2)           # Wx: (3, 4H), Wh: (H, 4H), b: (4H,), w_y, b_y
    rec = gate_record(params, [1, 0, 1, 2, ...])        # gates, states, prediction of one sequence
    u = counter_unit(cs, y)                             # the hidden unit whose cell state counts
    prof = forget_bias_profile(x, dhs, forget_bias=3)   # gradient and forget-gate path of one LSTM
"""
import numpy as np

from ..scratch import Adam, hidden_grad_norms, lstm_backward, lstm_forward, lstm_gates

__all__ = [
    "COUNTER_TOKENS", "counter_task", "counter_targets", "init_lstm_weights", "train_counter_lstm",
    "counter_predict", "gate_record", "counter_unit", "param_count", "GATES", "torch_hidden_grad_norms",
    "forget_bias_profile",
]

#: The counter task's three input symbols: 0 "·" nothing, 1 "1" add one, 2 "R" reset to zero.
COUNTER_TOKENS = ("·", "1", "R")

#: Number of gate blocks per recurrent cell type (columns of Wx: (D, G*H)).
GATES = {"rnn": 1, "gru": 3, "lstm": 4}


def counter_targets(tokens):
    """The running count of "1" symbols since the last "R" (or the start).

    tokens: (N, T) ints in {0, 1, 2}. Returns (N, T) floats: the target at every step.
    """
    tokens = np.asarray(tokens)
    if tokens.ndim != 2:
        raise ValueError(f"counter_targets: tokens must be 2-D (N, T), got shape {tokens.shape}")
    if tokens.size and (tokens.min() < 0 or tokens.max() > 2):
        raise ValueError("counter_targets: tokens must be 0 (·), 1 (1) or 2 (R)")
    y = np.zeros(tokens.shape)
    count = np.zeros(tokens.shape[0])
    for t in range(tokens.shape[1]):
        count = np.where(tokens[:, t] == 2, 0.0, count + (tokens[:, t] == 1))
        y[:, t] = count
    return y


def counter_task(n, T, rng, p=(0.45, 0.4, 0.15)):
    """n random sequences of the counting task: count the "1"s since the last reset "R".

    rng: a numpy Generator. p: probabilities of (·, 1, R).
    Returns x: (n, T, 3) one-hot inputs, y: (n, T) counts, tokens: (n, T) ints.
    """
    tokens = rng.choice(3, size=(n, T), p=p)
    return np.eye(3)[tokens], counter_targets(tokens), tokens


def init_lstm_weights(D, H, rng, forget_bias=0.0):
    """LSTM weights drawn as PyTorch does, uniform in (-1/sqrt(H), 1/sqrt(H)), gates (i, f, g, o).

    forget_bias is added to the forget-gate block b[H:2H] (0 = PyTorch's default).
    Returns Wx: (D, 4H), Wh: (H, 4H), b: (4H,).
    """
    k = 1 / np.sqrt(H)
    Wx = rng.uniform(-k, k, (D, 4 * H))
    Wh = rng.uniform(-k, k, (H, 4 * H))
    b = rng.uniform(-k, k, 4 * H)
    b[H:2 * H] += forget_bias
    return Wx, Wh, b


def counter_predict(params, x):
    """Run the counter model: LSTM, then a linear read-out of each hidden state.

    x: (N, T, 3). Returns (pred: (N, T), hs: (N, T, H), cs: (N, T, H), cache).
    """
    N, H = x.shape[0], params["Wh"].shape[0]
    z = np.zeros((N, H))
    hs, cs, cache = lstm_forward(x, z, z, params["Wx"], params["Wh"], params["b"])
    return hs @ params["w_y"] + params["b_y"][0], hs, cs, cache


def train_counter_lstm(H=2, T=12, n=128, steps=300, lr=0.05, seed=1):
    """Train a tiny LSTM (hidden size H) plus a linear read-out on the counting task, in NumPy.

    Full batch of n sequences of length T, mean squared error on every step, Adam.
    Returns (params, losses): params has Wx: (3, 4H), Wh: (H, 4H), b: (4H,) in PyTorch's gate
    order, w_y: (H,), b_y: (1,) the read-out (prediction = h_t @ w_y + b_y; named so that c stays
    the cell state); losses: (steps,) the training loss.
    """
    rng = np.random.default_rng(seed)
    x, y, _ = counter_task(n, T, rng)
    Wx, Wh, b = init_lstm_weights(3, H, rng)
    params = {"Wx": Wx, "Wh": Wh, "b": b, "w_y": rng.uniform(-1, 1, H) / np.sqrt(H), "b_y": np.zeros(1)}
    opt = Adam(lr=lr)
    losses = np.empty(steps)
    for s in range(steps):
        pred, hs, _, cache = counter_predict(params, x)
        err = pred - y
        losses[s] = np.mean(err ** 2)
        dpred = 2 * err / err.size                                   # d loss / d pred: (n, T)
        grads = {"w_y": np.einsum("nth,nt->h", hs, dpred), "b_y": np.array([dpred.sum()])}
        _, _, _, grads["Wx"], grads["Wh"], grads["b"] = lstm_backward(dpred[..., None] * params["w_y"], cache)
        opt.update(params, grads)
    return params, losses


def gate_record(params, tokens):
    """Everything the gate-by-gate view shows for one sequence of the counter task.

    tokens: (T,) ints in {0, 1, 2}. Returns a dict of numpy arrays:
    tokens (T,), target (T,), pred (T,), and i, f, g, o, c, h each (T, H) (gates from `lstm_gates`).
    """
    tokens = np.asarray(tokens)
    x = np.eye(3)[tokens][None]
    pred, hs, cs, cache = counter_predict(params, x)
    gates = lstm_gates(cache)
    rec = {"tokens": tokens, "target": counter_targets(tokens[None])[0], "pred": pred[0],
           "c": cs[0], "h": hs[0]}
    rec.update({k: gates[k][0] for k in ("i", "f", "g", "o")})
    return rec


def counter_unit(cs, y):
    """The hidden unit that does the counting: the one whose cell state follows the target best.

    cs: (N, T, H) cell states, y: (N, T) target counts. Returns (unit index, its correlation
    coefficient with y), the largest |correlation| over the H units.
    """
    cs, y = np.asarray(cs, dtype=float), np.asarray(y, dtype=float)
    if cs.ndim != 3 or cs.shape[:2] != y.shape:
        raise ValueError(f"counter_unit: cs must be (N, T, H) and y (N, T), got {cs.shape} and {y.shape}")
    r = np.array([np.corrcoef(cs[..., u].ravel(), y.ravel())[0, 1] for u in range(cs.shape[2])])
    u = int(np.argmax(np.abs(r)))
    return u, float(r[u])


def forget_bias_profile(x, dhs, forget_bias, seed=1):
    """How far the gradient of an untrained LSTM travels back, for one forget-gate bias b_f.

    x: (1, T, D) one input sequence; dhs: (1, T, H) the gradient of the loss at each h_t (e.g.
    only on the last step). The LSTM is `init_lstm_weights(D, H, default_rng(seed), forget_bias)`
    with zero initial states, so only b_f changes between calls with the same seed.
    Returns a dict of numpy arrays:
      grad (T,)     ‖∂L/∂h_t‖ from `hidden_grad_norms` (all paths),
      f (T, H)      the forget gate at every step,
      shortcut (T,) shortcut[k] = mean over units of f_{T-k+1} ... f_T (1-based steps, k factors),
                    the factor by which the cell-state path alone carries the gradient of c_T
                    back to c_{T-k}; shortcut[0] = 1.
    """
    x, dhs = np.asarray(x, dtype=float), np.asarray(dhs, dtype=float)
    if x.ndim != 3 or x.shape[0] != 1:
        raise ValueError(f"forget_bias_profile: x must be (1, T, D), got shape {x.shape}")
    T, D = x.shape[1:]
    if dhs.ndim != 3 or dhs.shape[:2] != (1, T):
        raise ValueError(f"forget_bias_profile: dhs must be (1, {T}, H), got shape {dhs.shape}")
    H = dhs.shape[2]
    Wx, Wh, b = init_lstm_weights(D, H, np.random.default_rng(seed), forget_bias=forget_bias)
    z = np.zeros((1, H))
    _, _, cache = lstm_forward(x, z, z, Wx, Wh, b)
    f = lstm_gates(cache)["f"][0]                                    # (T, H)
    prods = np.cumprod(f[::-1], axis=0)                             # prods[k-1] = f_T ... f_{T-k+1}
    shortcut = np.concatenate([[1.0], prods.mean(axis=1)[:-1]])
    return {"grad": hidden_grad_norms(dhs, cache), "f": f, "shortcut": shortcut}


def param_count(kind, D, H, biases=2):
    """Number of parameters of a one-layer recurrent cell with input size D and hidden size H.

    kind: "rnn", "gru" or "lstm" (G = 1, 3, 4 blocks). Each block has an input matrix (H x D), a
    recurrent matrix (H x H) and `biases` bias vectors (H,): PyTorch keeps two (bias_ih, bias_hh),
    the equations of the book need one. Returns G * (H*D + H*H + biases*H).
    """
    if kind not in GATES:
        raise ValueError(f"param_count: kind must be one of {sorted(GATES)}, got {kind!r}")
    return GATES[kind] * (H * D + H * H + biases * H)


def torch_hidden_grad_norms(x, Wx, Wh, b, dhs):
    """‖∂L/∂h_t‖ of an LSTM computed by PyTorch autograd: the oracle for `scratch.hidden_grad_norms`.

    x: (1, T, D), Wx: (D, 4H), Wh: (H, 4H), b: (4H,) in PyTorch's gate order, zero initial states;
    dhs: (1, T, H), L = sum_t h_t . dhs[:, t]. Runs `torch.nn.LSTMCell` step by step in float64 and
    keeps the gradient of every h_t. Returns (T,).
    """
    import torch

    x, dhs = np.asarray(x, dtype=np.float64), np.asarray(dhs, dtype=np.float64)
    if x.ndim != 3 or x.shape[0] != 1:
        raise ValueError(f"torch_hidden_grad_norms: x must be (1, T, D), got shape {x.shape}")
    T, D = x.shape[1:]
    H = Wh.shape[0]
    cell = torch.nn.LSTMCell(D, H).double()
    with torch.no_grad():
        cell.weight_ih.copy_(torch.from_numpy(np.ascontiguousarray(Wx.T)))
        cell.weight_hh.copy_(torch.from_numpy(np.ascontiguousarray(Wh.T)))
        cell.bias_ih.copy_(torch.from_numpy(np.asarray(b, dtype=np.float64)))
        cell.bias_hh.zero_()
    h = torch.zeros(1, H, dtype=torch.float64)
    c = torch.zeros(1, H, dtype=torch.float64)
    X, G = torch.from_numpy(x), torch.from_numpy(dhs)
    hs, loss = [], 0
    for t in range(T):
        h, c = cell(X[:, t], (h, c))
        h.retain_grad()
        hs.append(h)
        loss = loss + (h * G[:, t]).sum()
    loss.backward()
    return np.array([float(h.grad.norm()) for h in hs])
