"""Chapter 6 (LSTM code): the seed's word task and the long-range memory task, in PyTorch.

Two small problems, each with its data, model and training loop:

- the word task of the seed blog: from `i like dog`, `i love coffee`, ... predict the third word from
  the first two (`build_vocab`, `word_task_data`, `WordLSTM`, `train_word_lstm`, `hidden_size_sweep`);
- the long-range memory task: the label is the first symbol of a sequence of length T whose other
  T - 1 symbols are noise (`memory_task_data`, `SequenceClassifier`, `train_memory`, `memory_sweep`),
  where an LSTM is compared with a basic RNN of the same hidden size and one of about the same
  parameter count;
- how strongly each input position reaches the answer of a memory-task model (`memory_influence`);
- `CharLSTM`, an LSTM language model for chapter 4's text, trained by chapter 4's functions.

Every training function seeds PyTorch itself right before building its model, so its result does
not depend on what ran before it.
"""
import copy
import time

import numpy as np
import torch
from torch import nn

from ..config import count_params, one_thread
from ..rnn.models import CharRNN

__all__ = [
    "SENTENCES", "build_vocab", "word_task_data", "WordLSTM", "train_word_lstm", "predict_words",
    "hidden_size_sweep", "smallest_solving_size",
    "memory_task_data", "SequenceClassifier", "set_forget_bias", "train_memory", "memory_sweep",
    "CharLSTM", "memory_influence",
]

SENTENCES = ("i like dog", "i love coffee", "i hate milk", "you like cat", "you love milk", "you hate coffee")


# ============================================================================ the word task
def build_vocab(sentences=SENTENCES):
    """The sorted list of distinct words: the index of a word is its position (deterministic)."""
    return sorted({w for s in sentences for w in s.split()})


def word_task_data(sentences=SENTENCES, vocab=None):
    """One-hot inputs and targets for 'predict the third word from the first two'.

    Returns x: (N, 2, V) float32, the first two words as one-hot rows (N sentences, V words);
    y: (N,) int64, the index of the third word; vocab: the list of V words.
    """
    vocab = build_vocab(sentences) if vocab is None else list(vocab)
    index = {w: k for k, w in enumerate(vocab)}
    words = [s.split() for s in sentences]
    if any(len(w) != 3 for w in words):
        raise ValueError("word_task_data: every sentence must have exactly three words")
    eye = np.eye(len(vocab), dtype=np.float32)
    x = np.stack([eye[[index[w] for w in ws[:2]]] for ws in words])
    y = np.array([index[ws[2]] for ws in words], dtype=np.int64)
    return torch.from_numpy(x), torch.from_numpy(y), vocab


class WordLSTM(nn.Module):
    """nn.LSTM over one-hot words, then a linear layer from the last hidden state to word scores.

    x: (N, T, V) one-hot (batch_first). state: (h0, c0), each (num_layers, N, H).
    forward returns (logits: (N, V), (h_n, c_n)) with h_n, c_n: (num_layers, N, H).
    """

    def __init__(self, vocab_size, hidden_size, num_layers=1):
        super().__init__()
        self.hidden_size, self.num_layers = hidden_size, num_layers
        self.lstm = nn.LSTM(vocab_size, hidden_size, num_layers=num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_size, vocab_size)

    def init_state(self, batch_size):
        """(h0, c0): zeros of shape (num_layers, N, H), the states before the first word."""
        shape = (self.num_layers, batch_size, self.hidden_size)
        return torch.zeros(shape), torch.zeros(shape)

    def forward(self, x, state):
        out, (h_n, c_n) = self.lstm(x, state)       # out: (N, T, H), the top layer's h_t
        return self.fc(out[:, -1]), (h_n, c_n)


def train_word_lstm(hidden_size=8, steps=300, lr=0.01, seed=0, sentences=SENTENCES):
    """Train a `WordLSTM` on the word task, full batch, with Adam.

    Returns (model, losses, (x, y, vocab)): losses is the list of `steps` training losses (floats).
    """
    x, y, vocab = word_task_data(sentences)
    with one_thread():
        torch.manual_seed(seed)
        model = WordLSTM(len(vocab), hidden_size)
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        losses = []
        for _ in range(steps):
            logits, _ = model(x, model.init_state(len(x)))
            loss = nn.functional.cross_entropy(logits, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return model, losses, (x, y, vocab)


@torch.no_grad()
def predict_words(model, x, vocab):
    """The predicted third word for each row of x: (N, 2, V); a list of N words."""
    logits, _ = model(x, model.init_state(len(x)))
    return [vocab[k] for k in logits.argmax(dim=1).tolist()]


def hidden_size_sweep(sizes=(1, 2, 4, 8, 16), steps=300, lr=0.01, seed=0):
    """Train one `WordLSTM` per hidden size on the word task.

    Returns {H: {"losses": [...], "params": int, "predictions": [6 words], "correct": int,
    "seconds": float}}; "seconds" is the training time (volatile, print it only with fmt_time).
    """
    results = {}
    for H in sizes:
        start = time.perf_counter()
        model, losses, (x, y, vocab) = train_word_lstm(H, steps=steps, lr=lr, seed=seed)
        seconds = time.perf_counter() - start
        preds = predict_words(model, x, vocab)
        correct = sum(p == vocab[t] for p, t in zip(preds, y.tolist()))
        results[H] = {"losses": losses, "params": count_params(model), "predictions": preds,
                      "correct": correct, "seconds": seconds}
    return results


def smallest_solving_size(results):
    """The smallest hidden size in a `hidden_size_sweep` result with every sentence right (or None)."""
    solved = [H for H, r in results.items() if r["correct"] == len(r["predictions"])]
    return min(solved) if solved else None


# ============================================================================ long-range memory
def memory_task_data(T, n, seed, n_signal=4, n_noise=4):
    """Sequences whose label is their first symbol; the other T - 1 symbols are noise.

    Symbols 0 .. n_signal-1 are signals (only at step 1), n_signal .. n_signal+n_noise-1 are noise
    (drawn uniformly at every later step). Returns x: (n, T, n_signal + n_noise) float32 one-hot
    and y: (n,) int64 in [0, n_signal). Chance accuracy is 1 / n_signal.
    """
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_signal, n)
    sym = rng.integers(n_signal, n_signal + n_noise, (n, T))
    sym[:, 0] = y
    x = np.eye(n_signal + n_noise, dtype=np.float32)[sym]
    return torch.from_numpy(x), torch.from_numpy(y)


def set_forget_bias(lstm, value):
    """Set the forget-gate bias of every layer of an nn.LSTM to `value` (in place).

    PyTorch adds two bias vectors, bias_ih and bias_hh (4H each, gates i, f, g, o): the forget block
    [H:2H] of bias_ih is set to `value` and that of bias_hh to 0, so b_f = value exactly and
    f = sigmoid(value) at the start for a zero input.
    """
    H = lstm.hidden_size
    with torch.no_grad():
        for k in range(lstm.num_layers):
            getattr(lstm, f"bias_ih_l{k}")[H:2 * H] = value
            getattr(lstm, f"bias_hh_l{k}")[H:2 * H] = 0.0
    return lstm


class SequenceClassifier(nn.Module):
    """A one-layer nn.RNN (tanh) or nn.LSTM, then a linear layer on the last hidden state.

    kind: "rnn" or "lstm". x: (N, T, D) -> logits: (N, K). forget_bias: for kind="lstm", a value
    for `set_forget_bias`, or None to keep PyTorch's default initialisation.
    """

    def __init__(self, kind, input_size, hidden_size, n_classes, forget_bias=None):
        super().__init__()
        if kind not in ("rnn", "lstm"):
            raise ValueError(f"SequenceClassifier: kind must be 'rnn' or 'lstm', got {kind!r}")
        cls = nn.LSTM if kind == "lstm" else nn.RNN
        self.rnn = cls(input_size, hidden_size, batch_first=True)
        if kind == "lstm" and forget_bias is not None:
            set_forget_bias(self.rnn, forget_bias)
        self.fc = nn.Linear(hidden_size, n_classes)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1])


MEMORY_DEFAULTS = {"hidden_size": 32, "steps": 500, "lr": 0.01, "n_train": 512, "n_test": 1000,
                   "n_signal": 4, "n_noise": 4, "clip": 1.0, "stop_loss": 0.05}


def train_memory(kind, T, forget_bias=1.0, seed=0, **options):
    """Train an RNN or LSTM on the long-range memory task of length T and test it on fresh sequences.

    Full-batch Adam on `n_train` training sequences, gradient norm clipped to `clip`, for at most
    `steps` steps (it stops early once the training loss is below `stop_loss`). The accuracy is
    measured on `n_test` fresh sequences, so a network that learned noise patterns by heart
    instead of the first symbol scores near chance, however well it fits its training sequences
    (compare "train_accuracy"). forget_bias is used by the LSTM only. Options default to MEMORY_DEFAULTS.
    Returns {"accuracy": test accuracy (float), "train_accuracy": accuracy on the n_train training
    sequences after training (float), "losses": [...], "steps": steps taken,
    "model": the trained SequenceClassifier, "init_model": a copy of it before training}.
    """
    o = {**MEMORY_DEFAULTS, **options}
    unknown = set(options) - set(MEMORY_DEFAULTS)
    if unknown:
        raise ValueError(f"train_memory: unknown options {sorted(unknown)}")
    K, M = o["n_signal"], o["n_noise"]
    x, y = memory_task_data(T, o["n_train"], seed=1000 + seed, n_signal=K, n_noise=M)
    xt, yt = memory_task_data(T, o["n_test"], seed=5000 + seed, n_signal=K, n_noise=M)
    with one_thread():
        torch.manual_seed(seed)
        model = SequenceClassifier(kind, K + M, o["hidden_size"], K,
                                   forget_bias if kind == "lstm" else None)
        init_model = copy.deepcopy(model)
        opt = torch.optim.Adam(model.parameters(), lr=o["lr"])
        losses = []
        for _ in range(o["steps"]):
            loss = nn.functional.cross_entropy(model(x), y)
            losses.append(loss.item())
            if losses[-1] < o["stop_loss"]:
                break
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), o["clip"])
            opt.step()
        with torch.no_grad():
            acc = (model(xt).argmax(dim=1) == yt).float().mean().item()
            train_acc = (model(x).argmax(dim=1) == y).float().mean().item()
    return {"accuracy": acc, "train_accuracy": train_acc, "losses": losses, "steps": len(losses),
            "model": model, "init_model": init_model}


def memory_sweep(lengths=(5, 10, 20, 40, 80), models=(("rnn", None), ("lstm", 1.0)), seed=0, **options):
    """`train_memory` for every model in `models` and every T in `lengths`.

    models: tuples (kind, forget_bias) or (kind, forget_bias, hidden_size); the hidden size defaults
    to options' (or MEMORY_DEFAULTS') hidden_size. Returns {model tuple: {"accuracy": [one per T],
    "train_accuracy": [...], "steps": [...], "losses": [...], "params": int,
    "runs": [the `train_memory` results]}}.
    """
    out = {}
    for spec in models:
        if len(spec) not in (2, 3):
            raise ValueError(f"memory_sweep: a model is (kind, forget_bias[, hidden_size]), got {spec!r}")
        kind, fb = spec[:2]
        opts = dict(options, **({"hidden_size": spec[2]} if len(spec) == 3 else {}))
        runs = [train_memory(kind, T, forget_bias=fb, seed=seed, **opts) for T in lengths]
        out[spec] = {key: [r[key] for r in runs] for key in ("accuracy", "train_accuracy", "steps", "losses")}
        out[spec]["params"] = count_params(runs[0]["model"])
        out[spec]["runs"] = runs
    return out


# ============================================================================ language model
class CharLSTM(CharRNN):
    """Character-level LSTM language model: Embedding(V, E) -> LSTM(E, H) -> Linear(H, V).

    Chapter 4's `nnbook.rnn.models.CharRNN` with nn.LSTM in place of nn.RNN (its constructor, so
    the same attributes embed, rnn, head created in the same order; float64 by default, the
    weights drawn in float32 and then converted).
    x: (N, T) int64 ids. The state travels as ONE tensor, state: (2, N, H) = h and c stacked
    (or None: zeros), so that chapter 4's `train_char_rnn` (which detaches the state between
    windows), `text_loss`, `position_losses` and `generate` work on it unchanged.
    forward returns (logits: (N, T, V), state_T: (2, N, H)).
    """

    recurrent = nn.LSTM

    def forward(self, x, state=None):
        if state is not None:
            if state.ndim != 3 or state.shape[0] != 2 or state.shape[2] != self.hidden_size:
                raise ValueError(f"CharLSTM: state must be (2, N, {self.hidden_size}) = h and c stacked, "
                                 f"got {tuple(state.shape)}")
            state = (state[:1].contiguous(), state[1:].contiguous())
        hs, (h, c) = self.rnn(self.embed(x), state)
        return self.head(hs), torch.cat([h, c], dim=0)


def memory_influence(model, x, y, t):
    """How strongly each input position influences a memory-task classifier's answer read at step t.

    model: a trained `SequenceClassifier`; x: (N, T, D) inputs, y: (N,) labels; 1 <= t <= T. The answer
    at step t is fc(h_t) (the trained read-out applied to the state after t inputs). Returns (t,) floats:
    for s = 1 .. t, the mean over the N sequences of the norm of the gradient of log p(y | h_t) with
    respect to the input x_s. Computed in float64 on a copy of the model, so tiny values stay exact.
    """
    if x.ndim != 3 or not 1 <= t <= x.shape[1]:
        raise ValueError(f"memory_influence: need x (N, T, D) and 1 <= t <= T, got shape {tuple(x.shape)}, t={t}")
    m = copy.deepcopy(model).double()
    with one_thread():
        xs = x[:, :t].double().requires_grad_(True)
        out, _ = m.rnn(xs)
        logp = torch.log_softmax(m.fc(out[:, -1]), dim=1)                 # (N, K)
        logp.gather(1, y[:, None]).sum().backward()
    return xs.grad.norm(dim=2).mean(dim=0).numpy()
