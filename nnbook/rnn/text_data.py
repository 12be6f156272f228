"""Text data for the character-level language model of chapter 4: the Zen of Python.

The text ships with every Python (`import this` prints it); we read it without printing, so the
book needs no download. Everything here is NumPy only (the windows for truncated BPTT come
from `nnbook.scratch.truncated_bptt_batches`):

    text = zen_text()                     # 856 characters
    vocab = Vocab(text)                   # 45 distinct characters, sorted
    ids = vocab.encode(text)              # (L,) int64
    unigram_entropy(ids)                  # nats per character, the bar a model must beat
"""
import codecs
import contextlib
import io

import numpy as np

__all__ = ["zen_text", "Vocab", "unigram_entropy"]


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
