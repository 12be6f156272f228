"""Chapter 6 helpers: the word task, WordLSTM with explicit (h0, c0), the memory task, the plots."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import nnbook  # noqa: E402
from nnbook.lstm import models as lm  # noqa: E402
from nnbook.lstm import training_plots as lp  # noqa: E402


def test_vocab_is_sorted_and_data_is_one_hot():
    x, y, vocab = lm.word_task_data()
    assert vocab == sorted(vocab) and len(vocab) == len(set(vocab)) == 9
    assert x.shape == (6, 2, 9) and x.dtype == torch.float32
    assert torch.equal(x.sum(dim=2), torch.ones(6, 2))
    assert [vocab[k] for k in y.tolist()] == ["dog", "coffee", "milk", "cat", "milk", "coffee"]
    assert vocab[int(x[3, 0].argmax())] == "you" and vocab[int(x[3, 1].argmax())] == "like"


def test_word_task_rejects_other_lengths():
    with pytest.raises(ValueError, match="three words"):
        lm.word_task_data(["i like"])


def test_word_lstm_state_shapes_and_explicit_state_matters():
    torch.manual_seed(0)
    model = lm.WordLSTM(9, 5, num_layers=2)
    x, _, _ = lm.word_task_data()
    h0, c0 = model.init_state(6)
    assert h0.shape == c0.shape == (2, 6, 5)
    logits, (h, c) = model(x, (h0, c0))
    assert logits.shape == (6, 9) and h.shape == c.shape == (2, 6, 5)
    other, _ = model(x, (h0, torch.ones_like(c0)))
    assert not torch.allclose(logits, other), "c0 must reach the output"


def test_training_solves_the_word_task():
    nnbook.setup(lang="en")
    threads = torch.get_num_threads()
    model, losses, (x, y, vocab) = lm.train_word_lstm(hidden_size=8, steps=150, lr=0.03)
    assert len(losses) == 150 and losses[-1] < 0.05 < losses[0]
    assert lm.predict_words(model, x, vocab) == [s.split()[2] for s in lm.SENTENCES]
    assert torch.get_num_threads() == threads, "training must restore the thread count"


def test_training_is_reproducible():
    a = lm.train_word_lstm(hidden_size=2, steps=20, lr=0.03)[1]
    b = lm.train_word_lstm(hidden_size=2, steps=20, lr=0.03)[1]
    assert a == b


def test_sweep_and_smallest_size():
    res = lm.hidden_size_sweep(sizes=(1, 2), steps=10, lr=0.03)
    assert list(res) == [1, 2] and len(res[2]["losses"]) == 10 and len(res[2]["predictions"]) == 6
    assert res[1]["params"] == 4 * 1 * (9 + 1 + 2) + 9 * 1 + 9
    assert lm.smallest_solving_size({1: {"correct": 3, "predictions": [0] * 6},
                                     2: {"correct": 6, "predictions": [0] * 6}}) == 2
    assert lm.smallest_solving_size({1: {"correct": 3, "predictions": [0] * 6}}) is None


def test_memory_task_data():
    x, y = lm.memory_task_data(7, 50, seed=3, n_signal=3, n_noise=2)
    assert x.shape == (50, 7, 5) and y.shape == (50,)
    sym = x.argmax(dim=2)
    assert torch.equal(sym[:, 0], y) and bool((sym[:, 1:] >= 3).all())
    x2, y2 = lm.memory_task_data(7, 50, seed=3, n_signal=3, n_noise=2)
    assert torch.equal(x, x2) and torch.equal(y, y2)


def test_set_forget_bias_sets_only_the_forget_block():
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(3, 4, num_layers=2)
    before = lstm.bias_ih_l1.detach().clone()
    lm.set_forget_bias(lstm, 2.0)
    for k in range(2):
        b = getattr(lstm, f"bias_ih_l{k}") + getattr(lstm, f"bias_hh_l{k}")
        assert torch.equal(b[4:8].detach(), torch.full((4,), 2.0))
    assert torch.equal(lstm.bias_ih_l1[:4].detach(), before[:4])


def test_train_memory_short_sequences():
    r = lm.train_memory("lstm", 4, forget_bias=3.0, steps=60, n_train=128, n_test=200)
    assert r["accuracy"] > 0.9 and r["steps"] == len(r["losses"]) <= 60
    assert not torch.equal(r["model"].fc.weight, r["init_model"].fc.weight)
    with pytest.raises(ValueError, match="unknown options"):
        lm.train_memory("rnn", 4, hiden_size=3)
    with pytest.raises(ValueError, match="kind"):
        lm.SequenceClassifier("gru", 3, 4, 2)


def test_plots_draw_labelled_figures():
    import matplotlib.pyplot as plt

    nnbook.setup(lang="ko")
    res = lm.hidden_size_sweep(sizes=(2,), steps=5)
    fig, caption = lp.word_sweep_frame(2, res[2], lm.SENTENCES)
    assert "은닉 크기 2" in caption and fig.axes[0].get_title()
    sweep = {("rnn", None): {"accuracy": [1.0, 0.3]}, ("lstm", 1.0): {"accuracy": [1.0, 1.0]}}
    fig = lp.plot_memory_accuracy([5, 10], sweep, chance=0.25)
    assert fig.axes[0].get_xlabel() and len(fig.axes[0].get_legend().get_texts()) == 3
    plt.close("all")
    nnbook.setup(lang="en")
