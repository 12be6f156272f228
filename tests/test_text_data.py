"""nnbook.rnn.text_data: the Zen of Python, its vocabulary and its unigram entropy."""
import math

import numpy as np
import pytest

from nnbook.rnn.text_data import Vocab, split_at_line, unigram_cross_entropy, unigram_entropy, zen_text


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


def test_split_at_line_keeps_the_newline_and_joins_back():
    text = zen_text()
    train, valid = split_at_line(text, 15)
    assert train + valid == text and train.endswith("\n")
    assert (len(train), len(valid)) == (526, 330)
    assert valid.startswith("Although that way may not be obvious")
    assert split_at_line("a\nbc\nd", 1) == ("a\n", "bc\nd")
    with pytest.raises(ValueError, match="line"):
        split_at_line("a\nb", 2)
    with pytest.raises(ValueError, match="line"):
        split_at_line("a\nb", 0)


def test_unigram_cross_entropy():
    ids = np.array([0, 0, 1, 2])
    # without smoothing, a text's cross-entropy with its own frequencies is its entropy
    assert unigram_cross_entropy(ids, ids, 3, alpha=0.0) == pytest.approx(unigram_entropy(ids))
    # add-one smoothing: a character missing from training costs -ln(1 / (L + V)), finite
    assert unigram_cross_entropy([0, 0], [1], 2) == pytest.approx(math.log(4))
    assert unigram_cross_entropy(ids, [0], 3) < unigram_cross_entropy(ids, [2], 3)
    with pytest.raises(ValueError, match="empty"):
        unigram_cross_entropy([], [0], 3)
    with pytest.raises(ValueError, match=r"\[0, 2\]"):
        unigram_cross_entropy([0, 3], [0], 3)
