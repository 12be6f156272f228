"""Text data for the character-level language model of chapter 4: the Zen of Python.

The text ships with every Python (`import this` prints it); we read it without printing, so the
book needs no download. Everything here is NumPy only (the windows for truncated BPTT come
from `nnbook.scratch.truncated_bptt_batches`):

    text = zen_text()                     # 856 characters
    vocab = Vocab(text)                   # 45 distinct characters, sorted
    ids = vocab.encode(text)              # (L,) int64
    unigram_entropy(ids)                  # nats per character, the bar a model must beat
    train, valid = split_at_line(text, 15)        # lines 0-14 to learn from, 15-20 held out
    unigram_cross_entropy(vocab.encode(train), vocab.encode(valid), len(vocab))   # the bar on held-out text
"""
import codecs
import contextlib
import io

import numpy as np

__all__ = ["zen_text", "Vocab", "unigram_entropy", "split_at_line", "unigram_cross_entropy"]


def zen_text():
    """The Zen of Python as a string (the `this` module keeps it ROT13-encoded in `this.s`).

    `import this` prints the poem the first time it runs, so the import happens with stdout
    redirected: the notebook's output stays clean.
    """
    with contextlib.redirect_stdout(io.StringIO()):
        import this
    return codecs.decode(this.s, "rot13")


class Vocab:
    """Characters <-> integer ids. The characters are sorted, so the ids never depend on set order.

    vocab = Vocab("hello"); vocab.chars == ['e', 'h', 'l', 'o']; len(vocab) == 4
    """

    def __init__(self, text):
        if not text:
            raise ValueError("Vocab: the text is empty")
        self.chars = sorted(set(text))
        self.index = {c: i for i, c in enumerate(self.chars)}

    def __len__(self):
        return len(self.chars)

    def encode(self, text):
        """str of length L -> ids: (L,) int64."""
        try:
            return np.array([self.index[c] for c in text], dtype=np.int64)
        except KeyError as e:
            raise ValueError(f"Vocab.encode: character {e.args[0]!r} is not in the vocabulary") from None

    def decode(self, ids):
        """ids: (L,) of ints -> str of length L."""
        return "".join(self.chars[int(i)] for i in np.asarray(ids).ravel())

    def __repr__(self):
        return f"Vocab({len(self)} characters)"


def unigram_entropy(ids, vocab_size=None):
    """Entropy of the character frequencies, H = -sum_c p(c) ln p(c), in nats per character.

    ids: (L,) ints. This is the cross-entropy of the best model that ignores context (it always
    predicts the frequencies p(c)); a language model that uses the past must do better.
    Divide by ln 2 for bits.
    """
    ids = np.asarray(ids).ravel()
    if ids.size == 0:
        raise ValueError("unigram_entropy: no ids")
    counts = np.bincount(ids, minlength=vocab_size or 0).astype(np.float64)
    p = counts[counts > 0] / ids.size
    return float(-(p * np.log(p)).sum())


def split_at_line(text, line):
    """(text[:k], text[k:]) where k is the start of line number `line` (0-based).

    The first part keeps its final newline, so the two parts joined give the text back. Used to
    hold out the last lines of a text for validation.
    """
    lines = text.split("\n")
    if not 0 < line < len(lines):
        raise ValueError(f"split_at_line: line must be in [1, {len(lines) - 1}], got {line}")
    k = sum(len(s) + 1 for s in lines[:line])
    return text[:k], text[k:]


def unigram_cross_entropy(train_ids, eval_ids, vocab_size, alpha=1.0):
    """Cross-entropy (nats per character) of `eval_ids` under the character frequencies of `train_ids`.

    train_ids, eval_ids: 1-D int arrays. p(c) = (count_train(c) + alpha) / (L_train + alpha V),
    add-alpha smoothing so that a character missing from the training text does not cost
    infinity. It is the loss of the best context-free model *fitted on the training text*, so it
    is the bar a model must beat on held-out text.
    """
    train_ids, eval_ids = np.asarray(train_ids).ravel(), np.asarray(eval_ids).ravel()
    if train_ids.size == 0 or eval_ids.size == 0:
        raise ValueError(f"unigram_cross_entropy: empty ids (train {train_ids.shape}, eval {eval_ids.shape})")
    if max(train_ids.max(), eval_ids.max()) >= vocab_size or min(train_ids.min(), eval_ids.min()) < 0:
        raise ValueError(f"unigram_cross_entropy: ids must be in [0, {vocab_size - 1}]")
    counts = np.bincount(train_ids, minlength=vocab_size).astype(np.float64) + alpha
    p = counts / counts.sum()
    return float(-np.log(p[eval_ids]).mean())
