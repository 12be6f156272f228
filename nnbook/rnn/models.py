"""PyTorch recurrent models for chapter 4: a character-level language model and a sine predictor.

Many-to-many: `CharRNN` reads characters x: (N, T) and predicts the next one at every step,
logits: (N, T, V). `train_char_rnn` trains it with truncated backpropagation through time
(windows of `seq_len` steps, the hidden state carried across windows but cut from the graph) and
optional gradient clipping, and measures a held-out text after every epoch; `generate` and
`sample` write text with it (greedy, sampled, or sampled at a temperature).

Many-to-one: `SineRNN` reads a window x: (N, T, 1) of a noisy sine wave and predicts the next
value, (N,). `noisy_sine` and `sine_windows` make the data, `train_regressor` trains full-batch.

Every function is deterministic given its seed (the callers build each model right after
`torch.manual_seed`), so a notebook prints the same numbers on every run. `CharRNN` computes in
float64 by default: at this size it costs little, and the trained losses then agree to many
more digits than a notebook prints on every CPU and every set of numeric kernels.
"""
import math

import numpy as np
import torch
from torch import nn

from ..config import one_thread
from ..scratch import truncated_bptt_batches

__all__ = [
    "CharRNN", "train_char_rnn", "text_loss", "position_losses",
    "generate", "sample",
    "noisy_sine", "sine_windows", "SineRNN", "train_regressor",
]


# ----------------------------------------------------------------------------- many-to-many
class CharRNN(nn.Module):
    """Character-level RNN language model: Embedding(V, E) -> RNN(E, H, tanh) -> Linear(H, V).

    x: (N, T) int64 character ids, h: (1, N, H) or None (zeros).
    forward returns (logits: (N, T, V), h_T: (1, N, H)); softmax(logits[:, t]) is the model's
    distribution of the character after x[:, t]. dtype: torch.float64 (default) or float32; the
    weights are drawn in float32 (PyTorch's default initialization) and then converted, so both
    dtypes start from the same values. `recurrent` is the recurrent layer's class (chapter 6's
    `nnbook.lstm.models.CharLSTM` sets nn.LSTM).
    """

    recurrent = nn.RNN

    def __init__(self, vocab_size, hidden_size, embed_size=16, dtype=torch.float64):
        super().__init__()
        self.vocab_size, self.hidden_size = vocab_size, hidden_size
        self.embed = nn.Embedding(vocab_size, embed_size)
        self.rnn = self.recurrent(embed_size, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)
        self.to(dtype)

    def forward(self, x, h=None):
        hs, h = self.rnn(self.embed(x), h)
        return self.head(hs), h


@one_thread()
def train_char_rnn(model, ids, epochs=20, batch_size=8, seq_len=25, lr=0.01, clip=None,
                   optimizer="adam", carry_state=True, valid_ids=None):
    """Train a `CharRNN` on the id sequence `ids`: (L,) with truncated BPTT; returns a history dict.

    Each epoch walks the text once in windows (x, y): (batch_size, seq_len) from
    `nnbook.scratch.truncated_bptt_batches` (the same batches the NumPy model trains on). carry_state=True starts each window from the previous window's last hidden
    state, detached (the gradient stops at the window border: that is the truncation);
    False restarts every window from zeros. clip: None, or the maximum total gradient norm
    (`torch.nn.utils.clip_grad_norm_`). optimizer: "adam" or "sgd" (plain SGD).

    History: 'loss' (one mean cross-entropy in nats per update), 'grad_norm' (the total gradient
    norm per update, measured before clipping), 'epoch_loss' (mean of the epoch's updates).
    With valid_ids: (M,), the text that follows `ids`, after every epoch the model reads
    ids + valid_ids in one pass from h = 0 (`position_losses`) and the history gets 'train_loss'
    (mean over the L - 1 targets inside `ids`) and 'valid_loss' (mean over the M held-out targets):
    both curves measured the same way, the validation targets never trained on.
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
    if valid_ids is not None:
        both = np.concatenate([np.asarray(ids), np.asarray(valid_ids)])
        n_train = len(ids) - 1
        hist["train_loss"], hist["valid_loss"] = [], []
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
        if valid_ids is not None:
            per_pos = position_losses(model, both)
            hist["train_loss"].append(float(per_pos[:n_train].mean()))
            hist["valid_loss"].append(float(per_pos[n_train:].mean()))
            model.train()
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
def position_losses(model, ids):
    """Cross-entropy (nats) of every target, reading ids: (L,) in one pass from h = 0: (L - 1,) array.

    Entry t is -ln p(ids[t + 1] | ids[0..t]); its mean is `text_loss(model, ids)`. Slicing it
    splits one reading into parts, e.g. the training text and the held-out text after it.
    """
    was_training = model.training
    model.eval()
    ids = torch.as_tensor(np.asarray(ids), dtype=torch.long)
    logits, _ = model(ids[None, :-1])
    out = nn.functional.cross_entropy(logits[0], ids[1:], reduction="none").double().numpy()
    model.train(was_training)
    return out


@one_thread()
@torch.no_grad()
def generate(model, vocab, prefix, length=120, temperature=1.0, seed=0):
    """Write `length` characters after `prefix` (a str); returns (prefix + text, entropy: (length,)).

    The prefix sets the hidden state; then each step picks the next character and feeds it back
    in (the model reads its own output: free running). temperature > 0 draws it from
    softmax(logits / temperature) with a seeded `torch.Generator` (same model, same seed: same
    text); temperature == 0 is greedy decoding, the most likely character every time.
    entropy[k] is the entropy (nats) of the distribution the k-th character was chosen from
    (0 for greedy: all probability on one character).
    """
    if temperature < 0:
        raise ValueError(f"generate: temperature must be >= 0, got {temperature}")
    gen = torch.Generator().manual_seed(seed)
    model.eval()
    x = torch.as_tensor(vocab.encode(prefix), dtype=torch.long)[None]
    logits, h = model(x)
    out, entropy = [], []
    for _ in range(length):
        z = logits[0, -1].double()
        if temperature == 0:
            nxt, ent = int(torch.argmax(z)), 0.0
        else:
            logp = torch.log_softmax(z / temperature, dim=0)
            ent = float(-(logp.exp() * logp).sum())
            nxt = int(torch.multinomial(logp.exp(), 1, generator=gen))
        out.append(nxt)
        entropy.append(ent)
        logits, h = model(torch.tensor([[nxt]]), h)
    return prefix + vocab.decode(out), np.array(entropy)


def sample(model, vocab, prefix, length=120, temperature=1.0, seed=0):
    """Generate `length` characters after `prefix` (a str), one at a time; returns prefix + text.

    `generate` without the entropies: temperature 0 is greedy, otherwise seeded sampling from
    softmax(logits / temperature). Same model, same seed: same text.
    """
    return generate(model, vocab, prefix, length, temperature, seed)[0]


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
