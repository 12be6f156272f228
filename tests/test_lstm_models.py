"""Chapter 6 helpers: the word task, WordLSTM with explicit (h0, c0), the memory task, the plots."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

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


def test_train_memory_reports_the_accuracy_on_its_own_training_sequences():
    r = lm.train_memory("rnn", 6, steps=5, hidden_size=4, n_train=64, n_test=32, seed=2)
    x, y = lm.memory_task_data(6, 64, seed=1002)             # train_memory's training data for seed 2
    with torch.no_grad():
        expected = (r["model"](x).argmax(dim=1) == y).float().mean().item()
    assert r["train_accuracy"] == expected
    res = lm.memory_sweep((4, 6), models=(("rnn", None),), hidden_size=2, steps=2, n_train=16, n_test=16)
    assert [run["train_accuracy"] for run in res[("rnn", None)]["runs"]] == res[("rnn", None)]["train_accuracy"]
    assert len(res[("rnn", None)]["train_accuracy"]) == 2


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


def test_memory_sweep_accepts_a_hidden_size_per_model():
    res = lm.memory_sweep((4,), models=(("rnn", None, 3), ("lstm", 3.0)), hidden_size=2, steps=3,
                          n_train=16, n_test=16)
    assert res[("rnn", None, 3)]["params"] == 3 * (8 + 3 + 2) + 3 * 4 + 4
    assert res[("lstm", 3.0)]["params"] == 4 * 2 * (8 + 2 + 2) + 2 * 4 + 4
    with pytest.raises(ValueError, match="kind, forget_bias"):
        lm.memory_sweep((4,), models=(("rnn",),), steps=1)


def test_memory_influence_vanishes_for_the_rnn_not_for_the_lstm_with_forget_bias():
    x, y = lm.memory_task_data(40, 20, seed=1)
    torch.manual_seed(0)
    rnn = lm.SequenceClassifier("rnn", 8, 16, 4)
    torch.manual_seed(0)
    lstm = lm.SequenceClassifier("lstm", 8, 16, 4, forget_bias=3.0)
    g_rnn, g_lstm = lm.memory_influence(rnn, x, y, 40), lm.memory_influence(lstm, x, y, 40)
    assert g_rnn.shape == g_lstm.shape == (40,)
    assert g_rnn[0] < 1e-6 * g_rnn[-1], "the untrained RNN's gradient from 40 steps back vanishes"
    assert g_lstm[0] > 1e-2 * g_lstm[-1], "with b_f = 3 it does not"
    assert rnn.fc.weight.dtype == torch.float32, "the model itself is left as it was"
    with pytest.raises(ValueError, match=r"\(N, T, D\)"):
        lm.memory_influence(rnn, x, y, 41)


def test_char_lstm_trains_with_chapter_4s_functions():
    from nnbook.rnn import models as rm

    ids = np.arange(300) % 7                       # a periodic text: easy to predict
    torch.manual_seed(0)
    model = lm.CharLSTM(7, 8, embed_size=4)
    assert model.head.weight.dtype == torch.float64
    logits, state = model(torch.as_tensor(ids[None, :10]))
    assert logits.shape == (1, 10, 7) and state.shape == (2, 1, 8)
    again, _ = model(torch.as_tensor(ids[None, 5:10]), model(torch.as_tensor(ids[None, :5]))[1])
    assert torch.allclose(again, logits[:, 5:]), "the stacked (h, c) carries the whole state"
    hist = rm.train_char_rnn(model, ids[:250], epochs=6, batch_size=2, seq_len=10, lr=0.05,
                             valid_ids=ids[250:])
    assert len(hist["valid_loss"]) == 6 and hist["valid_loss"][-1] < 0.5 * hist["valid_loss"][0]
    assert rm.text_loss(model, ids) < 0.5
    with pytest.raises(ValueError, match=r"\(2, N, 8\)"):
        model(torch.as_tensor(ids[None, :3]), torch.zeros(1, 1, 8))


def test_char_lstm_draws_its_weights_in_chapter_4s_order():
    torch.manual_seed(0)
    model = lm.CharLSTM(7, 8, embed_size=4)
    torch.manual_seed(0)
    by_hand = [nn.Embedding(7, 4), nn.LSTM(4, 8, batch_first=True), nn.Linear(8, 7)]   # embed, rnn, head
    assert isinstance(model.rnn, nn.LSTM) and not isinstance(model.rnn, nn.RNN)
    for part, ref in zip((model.embed, model.rnn, model.head), by_hand):
        for (name, w), (_, w_ref) in zip(part.named_parameters(), ref.named_parameters()):
            assert torch.equal(w, w_ref.double()), name


def test_new_plots_label_their_axes():
    import matplotlib.pyplot as plt

    nnbook.setup(lang="ko")
    fig = lp.connectivity_frame(5, {"RNN": np.full(5, 1e-3), "LSTM": np.ones(5)}, "t = 5", T=10)
    assert fig.axes[0].get_yscale() == "log" and "입력 위치" in fig.axes[0].get_xlabel()
    fig = lp.plot_language_models({"RNN": {"train_loss": [3.0, 2.0], "valid_loss": [3.1, 2.9]}}, bar=3.0)
    assert len(fig.axes[0].get_legend().get_texts()) == 3 and "검증" in fig.axes[0].get_legend().get_texts()[1].get_text()
    assert lp.model_label("rnn", None, 64) == "RNN (H = 64)"
    plt.close("all")
    nnbook.setup(lang="en")
