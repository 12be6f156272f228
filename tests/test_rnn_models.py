"""nnbook.rnn.models: the chapter-4 PyTorch models, their training loops and sampling."""
import math

import numpy as np
import pytest
import torch

from nnbook import count_params, one_thread
from nnbook.rnn.models import (CharRNN, SineRNN, generate, noisy_sine, position_losses, sample,
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


def test_char_rnn_is_float64_by_default_and_float32_starts_from_the_same_weights():
    torch.manual_seed(0)
    m64 = CharRNN(5, 7)
    torch.manual_seed(0)
    m32 = CharRNN(5, 7, dtype=torch.float32)
    assert all(p.dtype == torch.float64 for p in m64.parameters())
    assert all(p.dtype == torch.float32 for p in m32.parameters())
    for a, b in zip(m64.parameters(), m32.parameters()):
        assert torch.equal(a.float(), b)


def test_position_losses_average_to_text_loss_and_split_a_reading():
    vocab = Vocab(TEXT)
    ids = vocab.encode(TEXT)
    m = _model()
    per = position_losses(m, ids)
    assert per.shape == (len(ids) - 1,) and per.dtype == np.float64
    assert per.mean() == pytest.approx(text_loss(m, ids), rel=1e-12)
    assert m.training                       # the mode is restored (a new module trains)
    m.eval()
    position_losses(m, ids)
    assert not m.training


def test_validation_curves_are_measured_every_epoch_on_the_held_out_targets():
    vocab = Vocab(TEXT)
    ids = vocab.encode(TEXT)
    train, valid = ids[:161], ids[161:]
    m = _model()
    hist = train_char_rnn(m, train, epochs=3, batch_size=4, seq_len=10, lr=0.03, valid_ids=valid)
    assert len(hist["train_loss"]) == len(hist["valid_loss"]) == 3
    per = position_losses(m, ids)
    assert hist["train_loss"][-1] == pytest.approx(per[:160].mean(), rel=1e-12)
    assert hist["valid_loss"][-1] == pytest.approx(per[160:].mean(), rel=1e-12)
    assert hist["train_loss"][-1] < hist["train_loss"][0]
    assert "train_loss" not in train_char_rnn(_model(), train, epochs=1, batch_size=4, seq_len=10)


def test_generate_greedy_sampled_and_entropies():
    vocab = Vocab(TEXT)
    m = _model()
    train_char_rnn(m, vocab.encode(TEXT), epochs=5, batch_size=4, seq_len=10, lr=0.03)
    g1, e1 = generate(m, vocab, "ab", length=25, temperature=0, seed=1)
    g2, _ = generate(m, vocab, "ab", length=25, temperature=0, seed=2)
    assert g1 == g2 and len(g1) == 27 and np.all(e1 == 0)          # greedy ignores the seed
    s, e = generate(m, vocab, "ab", length=25, temperature=1.0, seed=1)
    assert s == sample(m, vocab, "ab", length=25, temperature=1.0, seed=1)
    assert e.shape == (25,) and np.all(e > 0) and np.all(e <= math.log(len(vocab)) + 1e-12)
    _, hot = generate(m, vocab, "ab", length=25, temperature=5.0, seed=1)
    assert hot.mean() > e.mean()                                      # a higher temperature flattens p
    with pytest.raises(ValueError, match="temperature"):
        generate(m, vocab, "ab", temperature=-1)


def test_slider_frames_draw():
    import matplotlib
    matplotlib.use("Agg")
    from nnbook.rnn import training_plots as rp
    hist = {"train_loss": [3.0, 2.0, 1.0], "valid_loss": [3.1, 2.9, 3.3], "loss": [1.0], "grad_norm": [0.5]}
    fig = rp.hidden_size_frame(8, {4: hist, 8: hist}, 3.0, 3.2, 1333)
    assert "1,333" in fig.axes[0].get_title()
    fig = rp.temperature_frame(0.5, "Beautiful is\nbetter", np.array([0.1, 0.5]), max_entropy=math.log(45))
    assert len(fig.axes) == 2
    fig = rp.plot_train_valid({"H = 8": hist}, 3.0, 3.2)
    assert len(fig.axes[0].lines) == 4            # training, validation, two bars
    fig = rp.plot_clipping({"a": [hist, hist], "b": hist}, max_norm=1.0, entropy=3.0)
    assert len(fig.axes) == 2
