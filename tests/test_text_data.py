"""nnbook.rnn.text_data: the Zen of Python, its vocabulary and its unigram entropy."""
import math

import numpy as np
import pytest

from nnbook.rnn.text_data import Vocab, unigram_entropy, zen_text


def test_zen_text_is_read_without_printing(capsys):
    text = zen_text()
    assert text.startswith("The Zen of Python, by Tim Peters")
    assert "Beautiful is better than ugly." in text
    assert len(text) == 856
    assert capsys.readouterr().out == ""


def test_vocab_is_sorted_and_round_trips():
    text = zen_text()
    vocab = Vocab(text)
    assert vocab.chars == sorted(set(text))
    assert len(vocab) == 45
    ids = vocab.encode(text)
    assert ids.dtype == np.int64 and ids.shape == (len(text),)
    assert ids.min() == 0 and ids.max() == len(vocab) - 1
    assert vocab.decode(ids) == text
    assert vocab.encode("ab").tolist() == [vocab.index["a"], vocab.index["b"]]


def test_vocab_rejects_unknown_characters_and_empty_text():
    with pytest.raises(ValueError, match="'%'"):
        Vocab("hello").encode("he%")
    with pytest.raises(ValueError, match="empty"):
        Vocab("")


def test_unigram_entropy_known_cases():
    assert unigram_entropy([3, 3, 3, 3]) == 0.0
    assert unigram_entropy([0, 1, 2, 3]) == pytest.approx(math.log(4))
    assert unigram_entropy([0, 0, 0, 1]) == pytest.approx(-(0.75 * math.log(0.75) + 0.25 * math.log(0.25)))
    with pytest.raises(ValueError):
        unigram_entropy([])


def test_unigram_entropy_of_the_zen_is_below_uniform():
    text = zen_text()
    vocab = Vocab(text)
    h = unigram_entropy(vocab.encode(text), len(vocab))
    assert h == pytest.approx(3.1088, abs=1e-4)
    assert h < math.log(len(vocab))
