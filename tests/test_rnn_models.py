"""nnbook.rnn.models: the chapter-4 PyTorch models, their training loops and sampling."""
import math

import numpy as np
import pytest
import torch

from nnbook.rnn.models import (CharRNN, SineRNN, count_params, noisy_sine, one_thread, sample,
                               sine_windows, text_loss, train_char_rnn, train_regressor)
from nnbook.rnn.text_data import Vocab, unigram_entropy

TEXT = "abcabcabd abcabcabd abcabcabd abcabcabd " * 6


def _model(H=16, seed=0, V=None):
    torch.manual_seed(seed)
    return CharRNN(V or len(Vocab(TEXT)), H, embed_size=8)


def test_char_rnn_shapes_and_parameter_count():
    V, H, E = 5, 7, 8
    torch.manual_seed(0)
    m = CharRNN(V, H, embed_size=E)
    logits, h = m(torch.zeros(3, 11, dtype=torch.long))
    assert logits.shape == (3, 11, V) and h.shape == (1, 3, H)
    # embedding V*E, RNN E*H + H*H + 2H (PyTorch keeps two biases), head H*V + V
    assert count_params(m) == V * E + (E * H + H * H + 2 * H) + (H * V + V)


def test_training_lowers_the_loss_below_the_unigram_entropy_and_is_deterministic():
    vocab = Vocab(TEXT)
    ids = vocab.encode(TEXT)
    runs = []
    for _ in range(2):
        m = _model()
        hist = train_char_rnn(m, ids, epochs=8, batch_size=4, seq_len=10, lr=0.03)
        runs.append((hist, text_loss(m, ids)))
    (hist, loss), (hist2, loss2) = runs
    assert hist["loss"] == hist2["loss"] and loss == loss2
    assert len(hist["epoch_loss"]) == 8 and len(hist["loss"]) == len(hist["grad_norm"])
    assert hist["epoch_loss"][-1] < hist["epoch_loss"][0]
    assert loss < unigram_entropy(ids)


def test_clipping_bounds_the_sgd_step_and_records_the_norm_before_clipping():
    vocab = Vocab(TEXT)
    ids = vocab.encode(TEXT)
    m = _model()
    before = torch.cat([p.detach().flatten().clone() for p in m.parameters()])
    lr, clip = 0.5, 1e-3
    hist = train_char_rnn(m, ids, epochs=1, batch_size=4, seq_len=59, lr=lr, clip=clip,
                          optimizer="sgd")
    after = torch.cat([p.detach().flatten() for p in m.parameters()])
    assert len(hist["loss"]) == 1
    assert hist["grad_norm"][0] > clip                      # measured before clipping
    assert float((after - before).norm()) <= lr * clip * (1 + 1e-4)


def test_carry_state_changes_training_and_bad_optimizer_raises():
    ids = Vocab(TEXT).encode(TEXT)
    h1 = train_char_rnn(_model(), ids, epochs=2, batch_size=4, seq_len=10, carry_state=True)
    h2 = train_char_rnn(_model(), ids, epochs=2, batch_size=4, seq_len=10, carry_state=False)
    assert h1["loss"][0] == h2["loss"][0] and h1["loss"][1] != h2["loss"][1]
    with pytest.raises(ValueError, match="optimizer"):
        train_char_rnn(_model(), ids, optimizer="rmsprop")


def test_sample_is_seeded_and_starts_with_the_prefix():
    vocab = Vocab(TEXT)
    m = _model()
    a = sample(m, vocab, "ab", length=30, seed=1)
    assert a == sample(m, vocab, "ab", length=30, seed=1)
    assert a.startswith("ab") and len(a) == 32 and set(a) <= set(vocab.chars)
    assert a != sample(m, vocab, "ab", length=30, seed=2)


def test_one_thread_restores_the_thread_count():
    old = torch.get_num_threads()
    with one_thread():
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == old


def test_sine_windows_and_many_to_one_model():
    t, y = noisy_sine(50, period=10, noise=0.0, seed=0)
    assert t.shape == y.shape == (50,) and y.dtype == np.float32
    assert np.allclose(y, np.sin(2 * np.pi * t / 10), atol=1e-6)
    x, target = sine_windows(y, window=5)
    assert x.shape == (45, 5, 1) and target.shape == (45,)
    assert np.array_equal(x[3, :, 0], y[3:8]) and target[3] == y[8]
    with pytest.raises(ValueError):
        sine_windows(y, window=50)
    torch.manual_seed(0)
    m = SineRNN(8)
    assert m(torch.as_tensor(x)).shape == (45,)
    losses = train_regressor(m, x, target, epochs=60, lr=0.02)
    assert len(losses) == 60 and losses[-1] < 0.2 * losses[0] and math.isfinite(losses[-1])
