"""Sequence layer classes in the style of 밑바닥부터 시작하는 딥러닝 2 (common/time_layers.py).

Every layer works on a whole sequence at once, (N, T, ...), keeps its parameters in `params` and,
after `backward`, their gradients in `grads` (dicts with the same keys, so the optimizers in
`nnbook.scratch.optim` apply: `optimizer.update(layer.params, layer.grads)`). The functional core
(`rnn_forward`, `lstm_forward`, ...) does the work.

`CharRNNLM` puts them together: embedding -> RNN or LSTM -> time-distributed linear -> softmax loss,
the character-level language model of chapter 4.
"""
import numpy as np

from .lstm import lstm_backward, lstm_forward
from .recurrent import rnn_backward, rnn_forward

__all__ = [
    "TimeRNN", "TimeLSTM", "TimeEmbedding", "TimeLinear", "TimeSoftmaxWithLoss",
    "init_recurrent_weights", "clip_grads", "truncated_bptt_batches", "CharRNNLM",
]


def init_recurrent_weights(input_size, hidden_size, cell="rnn", rng=None, forget_bias=0.0,
                           dtype=np.float32):
    """Random (Wx, Wh, b) for an RNN or an LSTM, scaled like PyTorch's default (uniform ±1/sqrt(H)).

    Wx: (D, G*H), Wh: (H, G*H), b: (G*H,) with G = 1 ("rnn") or 4 ("lstm", gates i, f, g, o).
    forget_bias (LSTM only): the initial bias of the forget gate; 1.0 or more makes the cell keep
    its memory at the start of training (Jozefowicz et al., 2015).
    """
    if cell not in ("rnn", "lstm"):
        raise ValueError(f"init_recurrent_weights: cell must be 'rnn' or 'lstm', got {cell!r}")
    if forget_bias and cell != "lstm":
        raise ValueError("init_recurrent_weights: forget_bias only exists for cell='lstm'")
    rng = np.random.default_rng(0) if rng is None else rng
    G = 1 if cell == "rnn" else 4
    k = 1.0 / np.sqrt(hidden_size)
    Wx = rng.uniform(-k, k, (input_size, G * hidden_size)).astype(dtype)
    Wh = rng.uniform(-k, k, (hidden_size, G * hidden_size)).astype(dtype)
    b = rng.uniform(-k, k, G * hidden_size).astype(dtype)
    if cell == "lstm":
        b[hidden_size:2 * hidden_size] = forget_bias
    return Wx, Wh, b


class TimeRNN:
    """A tanh RNN over whole sequences. xs: (N, T, D) -> hs: (N, T, H).

    params: Wx: (D, H), Wh: (H, H), b: (H,). stateful=True carries the last hidden state over to the
    next `forward` (truncated backpropagation through time: the gradient stops at the batch edge).
    After `backward`, `dh` holds the gradient with respect to the initial state, (N, H).
    """

    def __init__(self, Wx, Wh, b, stateful=False):
        self.params = {"Wx": Wx, "Wh": Wh, "b": b}
        self.grads = {}
        self.stateful = stateful
        self.h = None
        self.dh = None
        self.cache = None

    def forward(self, xs, h0=None):
        """xs: (N, T, D); h0: optional (N, H) initial state (else the carried state or zeros)."""
        xs = np.asarray(xs)
        H = self.params["Wh"].shape[0]
        if h0 is None:
            h0 = self.h if (self.stateful and self.h is not None and len(self.h) == len(xs)) else \
                np.zeros((len(xs), H), dtype=self.params["Wh"].dtype)
        hs, self.cache = rnn_forward(xs, h0, self.params["Wx"], self.params["Wh"], self.params["b"])
        self.h = hs[:, -1].copy() if self.stateful else None
        return hs

    def backward(self, dhs):
        """dhs: (N, T, H) -> dxs: (N, T, D); fills grads and dh."""
        dxs, self.dh, self.grads["Wx"], self.grads["Wh"], self.grads["b"] = rnn_backward(dhs, self.cache)
        return dxs

    def set_state(self, h):
        self.h = h

    def reset_state(self):
        self.h = None


class TimeLSTM:
    """An LSTM over whole sequences. xs: (N, T, D) -> hs: (N, T, H).

    params: Wx: (D, 4H), Wh: (H, 4H), b: (4H,), gates in PyTorch's order (i, f, g, o).
    stateful=True carries (h, c) over to the next `forward`. After `forward`, `cs` holds the cell
    states (N, T, H) and `lstm_gates(layer.cache)` the gate activations; after `backward`, `dh` and
    `dc` the gradients with respect to the initial states. The layer reuses its internal buffers
    from one `forward` to the next (see `lstm_forward`'s workspace), so repeated calls allocate
    only their outputs.
    """

    def __init__(self, Wx, Wh, b, stateful=False):
        self.params = {"Wx": Wx, "Wh": Wh, "b": b}
        self.grads = {}
        self.stateful = stateful
        self.h = self.c = None
        self.dh = self.dc = None
        self.cs = None
        self.cache = None
        self.workspace = {}

    def forward(self, xs, h0=None, c0=None):
        """xs: (N, T, D); h0, c0: optional (N, H) initial states (else carried states or zeros)."""
        xs = np.asarray(xs)
        N, H = len(xs), self.params["Wh"].shape[0]
        zeros = np.zeros((N, H), dtype=self.params["Wh"].dtype)
        carried = self.stateful and self.h is not None and len(self.h) == N
        if h0 is None:
            h0 = self.h if carried else zeros
        if c0 is None:
            c0 = self.c if carried else zeros
        hs, self.cs, self.cache = lstm_forward(xs, h0, c0, self.params["Wx"], self.params["Wh"],
                                               self.params["b"], workspace=self.workspace)
        if self.stateful:
            self.h, self.c = hs[:, -1].copy(), self.cs[:, -1].copy()
        return hs

    def backward(self, dhs):
        """dhs: (N, T, H) -> dxs: (N, T, D); fills grads, dh and dc."""
        dxs, self.dh, self.dc, self.grads["Wx"], self.grads["Wh"], self.grads["b"] = \
            lstm_backward(dhs, self.cache)
        return dxs

    def set_state(self, h, c=None):
        self.h = h
        self.c = np.zeros_like(h) if c is None else c

    def reset_state(self):
        self.h = self.c = None


class TimeEmbedding:
    """Row lookup for every step. idx: (N, T) integer ids -> (N, T, E); params W: (V, E).

    Same as one-hot (N, T, V) @ W, without building the one-hot vectors.
    """

    def __init__(self, W):
        self.params = {"W": W}
        self.grads = {}
        self.idx = None

    def forward(self, idx):
        idx = np.asarray(idx)
        V = self.params["W"].shape[0]
        if not np.issubdtype(idx.dtype, np.integer):
            raise ValueError(f"TimeEmbedding: ids must be integers, got dtype {idx.dtype}")
        if idx.size and (idx.min() < 0 or idx.max() >= V):
            raise ValueError(f"TimeEmbedding: ids must be in [0, {V}) for a vocabulary of {V}, "
                             f"got values from {idx.min()} to {idx.max()}")
        self.idx = idx
        return self.params["W"][idx]

    def backward(self, dout):
        """dout: (N, T, E). The same row can appear many times: np.add.at adds every occurrence."""
        dW = np.zeros_like(self.params["W"])
        np.add.at(dW, self.idx.reshape(-1), np.asarray(dout).reshape(-1, dW.shape[1]))
        self.grads["W"] = dW
        return None


class TimeLinear:
    """The same affine map at every step. x: (N, T, D) -> (N, T, M); params W: (D, M), b: (M,).

    One matrix product over all N*T rows instead of a loop over t.
    """

    def __init__(self, W, b):
        self.params = {"W": W, "b": b}
        self.grads = {}
        self.x = None

    def forward(self, x):
        x = np.asarray(x)
        W, b = self.params["W"], self.params["b"]
        if x.ndim != 3 or x.shape[2] != W.shape[0]:
            raise ValueError(f"TimeLinear: x must be (N, T, D) with D={W.shape[0]}, got shape {x.shape}")
        self.x = x
        N, T, D = x.shape
        return (x.reshape(N * T, D) @ W + b).reshape(N, T, -1)

    def backward(self, dout):
        N, T, D = self.x.shape
        dout = np.asarray(dout).reshape(N * T, -1)
        self.grads["W"] = self.x.reshape(N * T, D).T @ dout
        self.grads["b"] = dout.sum(axis=0)
        return (dout @ self.params["W"].T).reshape(N, T, D)


class TimeSoftmaxWithLoss:
    """Softmax + cross-entropy at every step, averaged over all N*T predictions.

    forward(xs: (N, T, V) scores, ts: (N, T) integer labels) -> loss (a float), as
    torch.nn.functional.cross_entropy(xs.reshape(-1, V), ts.reshape(-1)). (N, V) scores with (N,)
    labels are accepted too (one step, many-to-one).
    """

    def __init__(self):
        self.params, self.grads = {}, {}
        self.cache = None

    def forward(self, xs, ts):
        xs, ts = np.asarray(xs), np.asarray(ts)
        if xs.ndim not in (2, 3) or ts.shape != xs.shape[:-1]:
            raise ValueError(f"TimeSoftmaxWithLoss: scores (N, T, V) need labels (N, T); "
                             f"got scores {xs.shape} and labels {ts.shape}")
        if not np.issubdtype(ts.dtype, np.integer):
            raise ValueError(f"TimeSoftmaxWithLoss: labels must be integers, got dtype {ts.dtype}")
        V = xs.shape[-1]
        if ts.size and (ts.min() < 0 or ts.max() >= V):
            raise ValueError(f"TimeSoftmaxWithLoss: labels must be in [0, {V}), "
                             f"got values from {ts.min()} to {ts.max()}")
        x2, t1 = xs.reshape(-1, V), ts.reshape(-1)
        z = x2 - x2.max(axis=1, keepdims=True)             # shift for a stable exp
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        rows = np.arange(len(t1))
        self.cache = (np.exp(log_p), t1, xs.shape)
        return float(-log_p[rows, t1].mean())

    def backward(self, dout=1.0):
        """Returns dxs shaped like the scores: (softmax - one_hot(t)) * dout / (N*T)."""
        p, t1, shape = self.cache
        dx = p.copy()
        dx[np.arange(len(t1)), t1] -= 1
        dx *= dout / len(t1)
        return dx.reshape(shape)


def clip_grads(grads, max_norm):
    """Scale all gradients together so that their global L2 norm is at most max_norm (in place).

    grads: a dict of arrays (or a list). Returns the total norm before clipping, as
    torch.nn.utils.clip_grad_norm_ does.
    """
    arrays = list(grads.values()) if isinstance(grads, dict) else list(grads)
    total = float(np.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in arrays)))
    if max_norm <= 0:
        raise ValueError(f"clip_grads: max_norm must be positive, got {max_norm}")
    scale = max_norm / (total + 1e-6)
    if scale < 1:
        for g in arrays:
            g *= scale
    return total


def truncated_bptt_batches(ids, batch_size, time_size):
    """(xs, ts) mini-batches for a stateful language model, one pass over the text.

    ids: (L,) integer ids of the whole text. The text is cut into `batch_size` parallel streams,
    each read `time_size` steps at a time, so row n of one batch continues row n of the previous
    one (what a stateful TimeRNN / TimeLSTM expects). xs, ts: (batch_size, time_size), ts the
    next id after each xs.
    """
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"truncated_bptt_batches: ids must be 1-D, got shape {ids.shape}")
    steps = (len(ids) - 1) // batch_size
    if steps < time_size:
        raise ValueError(f"truncated_bptt_batches: {len(ids)} ids are too few for batch_size={batch_size} "
                         f"and time_size={time_size}")
    streams = ids[:steps * batch_size + 1]
    xs_all = np.stack([streams[n * steps:(n + 1) * steps] for n in range(batch_size)])
    ts_all = np.stack([streams[n * steps + 1:(n + 1) * steps + 1] for n in range(batch_size)])
    for start in range(0, steps - time_size + 1, time_size):
        yield xs_all[:, start:start + time_size], ts_all[:, start:start + time_size]


class CharRNNLM:
    """Character-level language model: ids (N, T) -> embedding -> RNN/LSTM -> linear -> next-id scores.

    vocab_size V, embed_size E, hidden_size H; cell "rnn" or "lstm". The recurrent layer is
    stateful (truncated BPTT across consecutive batches; `reset_state()` at the start of a pass).
    params / grads: flat dicts ("embed.W", "rnn.Wx", "rnn.Wh", "rnn.b", "out.W", "out.b") sharing
    the arrays of the layers, so `optimizer.update(model.params, model.grads)` trains it.
    """

    def __init__(self, vocab_size, embed_size, hidden_size, cell="rnn", seed=0, dtype=np.float32,
                 forget_bias=0.0):
        if cell not in ("rnn", "lstm"):
            raise ValueError(f"CharRNNLM: cell must be 'rnn' or 'lstm', got {cell!r}")
        rng = np.random.default_rng(seed)
        V, E, H = vocab_size, embed_size, hidden_size
        self.cell = cell
        self.embed = TimeEmbedding((rng.standard_normal((V, E)) * 0.1).astype(dtype))
        Wx, Wh, b = init_recurrent_weights(E, H, cell, rng, forget_bias=forget_bias, dtype=dtype)
        self.rnn = (TimeRNN if cell == "rnn" else TimeLSTM)(Wx, Wh, b, stateful=True)
        k = 1.0 / np.sqrt(H)
        self.out = TimeLinear(rng.uniform(-k, k, (H, V)).astype(dtype), np.zeros(V, dtype=dtype))
        self.loss_layer = TimeSoftmaxWithLoss()
        self.layers = {"embed": self.embed, "rnn": self.rnn, "out": self.out}

    @property
    def params(self):
        return {f"{name}.{k}": v for name, layer in self.layers.items() for k, v in layer.params.items()}

    @property
    def grads(self):
        return {f"{name}.{k}": v for name, layer in self.layers.items() for k, v in layer.grads.items()}

    def predict(self, xs):
        """xs: (N, T) ids -> scores (N, T, V) for the next id at every step."""
        return self.out.forward(self.rnn.forward(self.embed.forward(xs)))

    def forward(self, xs, ts):
        """xs, ts: (N, T) ids (ts = xs shifted by one). Returns the mean cross-entropy (a float)."""
        return self.loss_layer.forward(self.predict(xs), ts)

    def backward(self, dout=1.0):
        """Fill `grads` for the last `forward`."""
        d = self.loss_layer.backward(dout)
        self.embed.backward(self.rnn.backward(self.out.backward(d)))

    def reset_state(self):
        self.rnn.reset_state()

    def generate(self, start_id, length, rng=None, temperature=1.0):
        """Sample `length` ids, the first being start_id, each drawn from the model's softmax.

        rng: a np.random.Generator (default: seed 0). temperature < 1 sharpens the distribution.
        The training state of the recurrent layer is left as it was.
        """
        rng = np.random.default_rng(0) if rng is None else rng
        saved = (self.rnn.h, getattr(self.rnn, "c", None))
        self.rnn.reset_state()
        ids = [int(start_id)]
        try:
            while len(ids) < length:
                scores = self.predict(np.array([[ids[-1]]]))[0, -1].astype(np.float64) / temperature
                p = np.exp(scores - scores.max())
                ids.append(int(rng.choice(len(p), p=p / p.sum())))
        finally:
            self.rnn.h = saved[0]
            if self.cell == "lstm":
                self.rnn.c = saved[1]
        return ids[:length]
