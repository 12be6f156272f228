"""PyTorch recurrent models for chapter 4: a character-level language model and a sine predictor.

Many-to-many: `CharRNN` reads characters x: (N, T) and predicts the next one at every step,
logits: (N, T, V). `train_char_rnn` trains it with truncated backpropagation through time
(windows of `seq_len` steps, the hidden state carried across windows but cut from the graph) and
optional gradient clipping; `sample` generates text from it.

Many-to-one: `SineRNN` reads a window x: (N, T, 1) of a noisy sine wave and predicts the next
value, (N,). `noisy_sine` and `sine_windows` make the data, `train_regressor` trains full-batch.

Every function is deterministic given its seed (the callers build each model right after
`torch.manual_seed`), so a notebook prints the same numbers on every run.
"""
import math

import numpy as np
import torch
from torch import nn

from ..config import count_params, one_thread  # noqa: F401  (re-exported: chapter 4 imports them from here)
from ..scratch import truncated_bptt_batches

__all__ = [
    "one_thread", "CharRNN", "count_params", "train_char_rnn", "text_loss", "sample",
    "noisy_sine", "sine_windows", "SineRNN", "train_regressor",
]


# ----------------------------------------------------------------------------- many-to-many
class CharRNN(nn.Module):
    """Character-level RNN language model: Embedding(V, E) -> RNN(E, H, tanh) -> Linear(H, V).

    x: (N, T) int64 character ids, h: (1, N, H) or None (zeros).
    forward returns (logits: (N, T, V), h_T: (1, N, H)); softmax(logits[:, t]) is the model's
    distribution of the character after x[:, t].
    """

    def __init__(self, vocab_size, hidden_size, embed_size=16):
        super().__init__()
        self.vocab_size, self.hidden_size = vocab_size, hidden_size
        self.embed = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.RNN(embed_size, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, x, h=None):
        hs, h = self.rnn(self.embed(x), h)
        return self.head(hs), h


@one_thread()
def train_char_rnn(model, ids, epochs=20, batch_size=8, seq_len=25, lr=0.01, clip=None,
                   optimizer="adam", carry_state=True):
    """Train a `CharRNN` on the id sequence `ids`: (L,) with truncated BPTT; returns a history dict.

    Each epoch walks the text once in windows (x, y): (batch_size, seq_len) from
    `nnbook.scratch.truncated_bptt_batches` (the same batches the NumPy model trains on). carry_state=True starts each window from the previous window's last hidden
    state, detached (the gradient stops at the window border: that is the truncation);
    False restarts every window from zeros. clip: None, or the maximum total gradient norm
    (`torch.nn.utils.clip_grad_norm_`). optimizer: "adam" or "sgd" (plain SGD).

    History: 'loss' (one mean cross-entropy in nats per update), 'grad_norm' (the total gradient
    norm per update, measured before clipping), 'epoch_loss' (mean of the epoch's updates).
    A non-finite loss stops training early (the history then ends with it).
    """
    ids_t = torch.as_tensor(np.asarray(ids), dtype=torch.long)
    if optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=lr)
    elif optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=lr)
    else:
        raise ValueError(f"train_char_rnn: optimizer must be 'adam' or 'sgd', got {optimizer!r}")
    loss_fn = nn.CrossEntropyLoss()
    hist = {"loss": [], "grad_norm": [], "epoch_loss": []}
    model.train()
    for _ in range(epochs):
        h, losses = None, []
        for x, y in truncated_bptt_batches(ids_t.numpy(), batch_size, seq_len):
            x, y = torch.from_numpy(x), torch.from_numpy(y)
            if h is not None:
                h = h.detach() if carry_state else None
            logits, h = model(x, h)
            loss = loss_fn(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
            opt.zero_grad()
            loss.backward()
            max_norm = clip if clip is not None else math.inf
            norm = float(nn.utils.clip_grad_norm_(model.parameters(), max_norm))
            opt.step()
            value = loss.item()
            hist["loss"].append(value)
            hist["grad_norm"].append(norm)
            losses.append(value)
            if not math.isfinite(value):
                break
        hist["epoch_loss"].append(float(np.mean(losses)))
        if not math.isfinite(hist["epoch_loss"][-1]):
            break
    model.eval()
    return hist


@one_thread()
@torch.no_grad()
def text_loss(model, ids):
    """Mean cross-entropy (nats per character) of predicting ids[1:] from ids[:-1] in one pass.

    ids: (L,). The whole text is one sequence of L - 1 steps starting from h = 0, so this is the
    number to compare with `nnbook.rnn.text_data.unigram_entropy(ids)`.
    """
    ids = torch.as_tensor(np.asarray(ids), dtype=torch.long)
    logits, _ = model(ids[None, :-1])
    return float(nn.functional.cross_entropy(logits[0], ids[1:]))


@one_thread()
@torch.no_grad()
def sample(model, vocab, prefix, length=120, temperature=1.0, seed=0):
    """Generate `length` characters after `prefix` (a str), one at a time; returns prefix + text.

    The prefix sets the hidden state; then each step draws the next character from
    softmax(logits / temperature) with a seeded `torch.Generator`, and feeds it back in.
    Same model, same seed: same text.
    """
    gen = torch.Generator().manual_seed(seed)
    model.eval()
    x = torch.as_tensor(vocab.encode(prefix), dtype=torch.long)[None]
    logits, h = model(x)
    out = []
    for _ in range(length):
        probs = torch.softmax(logits[0, -1].double() / temperature, dim=0)
        nxt = int(torch.multinomial(probs, 1, generator=gen))
        out.append(nxt)
        logits, h = model(torch.tensor([[nxt]]), h)
    return prefix + vocab.decode(out)


# ----------------------------------------------------------------------------- many-to-one
def noisy_sine(n_points=400, period=25.0, noise=0.1, seed=0):
    """A sampled sine wave with Gaussian noise: (t: (n_points,), y: (n_points,)), float32.

    y[k] = sin(2 pi t[k] / period) + noise * eps_k, t[k] = k, eps ~ N(0, 1) from a seeded generator.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(n_points, dtype=np.float32)
    y = np.sin(2 * np.pi * t / period) + noise * rng.standard_normal(n_points)
    return t, y.astype(np.float32)


def sine_windows(y, window=20):
    """Sliding windows for many-to-one prediction.

    y: (L,). Returns x: (L - window, window, 1) with x[i, :, 0] = y[i : i + window], and the
    target of each window, the value right after it: (L - window,) = y[window:].
    """
    y = np.asarray(y, dtype=np.float32)
    if not 1 <= window < y.size:
        raise ValueError(f"sine_windows: window must be in [1, {y.size - 1}], got {window}")
    idx = np.arange(y.size - window)[:, None] + np.arange(window)[None, :]
    return y[idx][..., None], y[window:].copy()


class SineRNN(nn.Module):
    """Many-to-one RNN: RNN(1, H) over x: (N, T, 1), then Linear(H, 1) on the last hidden state.

    forward returns (N,): the predicted next value of each window.
    """

    def __init__(self, hidden_size=16):
        super().__init__()
        self.rnn = nn.RNN(1, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, 1)

    def forward(self, x):
        hs, _ = self.rnn(x)
        return self.head(hs[:, -1]).squeeze(-1)


@one_thread()
def train_regressor(model, x, y, epochs=200, lr=0.01):
    """Full-batch Adam on the mean squared error; x: (N, T, 1), y: (N,) arrays. Returns losses per epoch."""
    x = torch.as_tensor(x, dtype=torch.float32)
    y = torch.as_tensor(y, dtype=torch.float32)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    model.train()
    for _ in range(epochs):
        loss = nn.functional.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    model.eval()
    return losses
