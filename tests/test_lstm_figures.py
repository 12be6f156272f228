"""Chapter 5 helpers: nnbook.lstm.counter_task (counter task, tiny LSTM, parameter counts) and
nnbook.lstm.theory_figures (cell diagram, gradient-norm plot, gate-view frames, parameter plot)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnbook  # noqa: E402
from nnbook.lstm import theory_figures as lf  # noqa: E402
from nnbook.lstm import counter_task as lt  # noqa: E402
from nnbook.config import set_lang  # noqa: E402


@pytest.fixture(autouse=True)
def _close_and_reset_language():
    yield
    plt.close("all")
    set_lang("en")


@pytest.fixture(scope="module")
def trained():
    return lt.train_counter_lstm(H=2, steps=40)


# ----------------------------------------------------------------------------- lstm_theory
def test_counter_targets_count_ones_since_last_reset():
    #         1  ·  1  1  R  ·  1  R  R  1
    tokens = [[1, 0, 1, 1, 2, 0, 1, 2, 2, 1]]
    assert lt.counter_targets(tokens)[0].tolist() == [1, 1, 2, 3, 0, 0, 1, 0, 0, 1]
    with pytest.raises(ValueError, match="0 \\(·\\), 1 \\(1\\) or 2 \\(R\\)"):
        lt.counter_targets([[0, 3]])
    with pytest.raises(ValueError, match="2-D"):
        lt.counter_targets([0, 1])


def test_counter_task_shapes_and_one_hot():
    x, y, tok = lt.counter_task(5, 7, np.random.default_rng(0))
    assert x.shape == (5, 7, 3) and y.shape == (5, 7) and tok.shape == (5, 7)
    assert np.array_equal(x.argmax(axis=2), tok) and np.all(x.sum(axis=2) == 1)
    assert np.array_equal(y, lt.counter_targets(tok))


def test_init_lstm_weights_shapes_range_and_forget_bias():
    D, H = 3, 5
    Wx, Wh, b = lt.init_lstm_weights(D, H, np.random.default_rng(0))
    Wx2, Wh2, b2 = lt.init_lstm_weights(D, H, np.random.default_rng(0), forget_bias=2.0)
    assert Wx.shape == (D, 4 * H) and Wh.shape == (H, 4 * H) and b.shape == (4 * H,)
    assert np.abs(Wx).max() <= 1 / np.sqrt(H) and np.abs(Wh).max() <= 1 / np.sqrt(H)
    assert np.array_equal(Wx, Wx2) and np.array_equal(Wh, Wh2)
    np.testing.assert_allclose(b2 - b, np.r_[np.zeros(H), 2 * np.ones(H), np.zeros(2 * H)])


@pytest.mark.parametrize("kind", ["rnn", "gru", "lstm"])
def test_param_count_equals_pytorch(kind):
    torch = pytest.importorskip("torch")
    module = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}[kind]
    for D, H in [(1, 1), (3, 7), (32, 64)]:
        assert lt.param_count(kind, D, H) == sum(p.numel() for p in module(D, H).parameters())
    assert lt.param_count(kind, 3, 7, biases=1) == lt.GATES[kind] * (7 * 3 + 49 + 7)
    with pytest.raises(ValueError, match="kind must be one of"):
        lt.param_count("transformer", 3, 7)


def test_training_lowers_the_loss_and_is_deterministic(trained):
    params, losses = trained
    assert losses.shape == (40,) and losses[-1] < 0.5 * losses[0]
    params2, losses2 = lt.train_counter_lstm(H=2, steps=40)
    assert np.array_equal(losses, losses2) and np.array_equal(params["Wh"], params2["Wh"])
    assert params["Wx"].shape == (3, 8) and params["Wh"].shape == (2, 8) and params["b"].shape == (8,)


def test_gate_record_is_consistent_with_the_lstm_equations(trained):
    params, _ = trained
    rec = lt.gate_record(params, [1, 0, 2, 1])
    for k in ("i", "f", "g", "o", "c", "h"):
        assert rec[k].shape == (4, 2)
    for k in ("i", "f", "o"):
        assert np.all((rec[k] > 0) & (rec[k] < 1))
    c_prev = np.vstack([np.zeros((1, 2)), rec["c"][:-1]])
    np.testing.assert_allclose(rec["c"], rec["f"] * c_prev + rec["i"] * rec["g"], atol=1e-12)
    np.testing.assert_allclose(rec["h"], rec["o"] * np.tanh(rec["c"]), atol=1e-12)
    np.testing.assert_allclose(rec["pred"], rec["h"] @ params["w_y"] + params["b_y"][0], atol=1e-12)
    assert "c" not in params and "w" not in params          # the read-out is w_y, b_y; c is the cell state
    assert rec["target"].tolist() == [1, 1, 0, 1]


def test_lstm_matches_torch_after_copy(trained):
    torch = pytest.importorskip("torch")
    from nnbook import scratch

    params, _ = trained
    x, _, _ = lt.counter_task(4, 6, np.random.default_rng(1))
    _, hs, _, _ = lt.counter_predict(params, x)
    lstm = torch.nn.LSTM(3, 2, batch_first=True).double()
    scratch.lstm_weights_to_torch(lstm, params["Wx"], params["Wh"], params["b"])
    with torch.no_grad():
        out, _ = lstm(torch.from_numpy(x))
    assert np.abs(out.numpy() - hs).max() < 1e-12


# ----------------------------------------------------------------------------- lstm_figures
@pytest.mark.parametrize("highlight", [None, *lf.HIGHLIGHTS])
def test_cell_diagram_highlights_only_the_chosen_gate(highlight):
    from matplotlib.colors import to_hex
    from matplotlib.patches import Rectangle

    fig = lf.draw_lstm_cell(highlight)
    ax = fig.axes[0]
    boxes = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(boxes) == 4                                        # the four gate boxes
    lit = [p for p in boxes if to_hex(p.get_facecolor()) == lf.HIGHLIGHT]
    assert len(lit) == (1 if highlight in ("f", "i", "g", "o") else 0)
    if highlight in ("f", "i", "g", "o"):
        x_of = {"f": lf.XF, "i": lf.XI, "g": lf.XG, "o": lf.XO}[highlight]
        assert abs(lit[0].get_x() + 0.5 - x_of) < 1e-9
    assert ax.get_title()


def test_cell_diagram_labels_follow_the_language():
    set_lang("ko")
    ko = lf.draw_lstm_cell("f").axes[0]
    texts_ko = " ".join(t.get_text() for t in ko.texts) + ko.get_title()
    set_lang("en")
    en = lf.draw_lstm_cell("f").axes[0]
    texts_en = " ".join(t.get_text() for t in en.texts) + en.get_title()
    assert "망각 게이트" in texts_ko and "셀 상태" in texts_ko and "forget" not in texts_ko
    assert "forget gate" in texts_en and "cell state" in texts_en and "망각" not in texts_en
    with pytest.raises(ValueError, match="highlight must be one of"):
        lf.draw_lstm_cell("x")


def test_grad_norm_plot_is_log_scale_with_distance_on_x():
    g = 0.5 ** np.arange(10)[::-1]                                  # last step 1, first 0.5**9
    fig = lf.plot_grad_norms([("a", g, {}), ("b", np.ones(10), {"ls": "--"})])
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and len(ax.lines) == 2
    x, y = ax.lines[0].get_data()
    assert x[0] == 0 and y[0] == 1 and y[-1] == 0.5 ** 9         # distance 0 is the last step
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    assert ax.yaxis.get_major_formatter()(1e-5, 0) == "$10^{-5}$"


def test_gate_frame_highlights_step_and_reports_it(trained):
    params, _ = trained
    rec = lt.gate_record(params, [1, 0, 1, 1, 0, 2, 1, 0, 1, 1, 1, 0])
    fig, caption = lf.gate_frame(rec, 5)
    assert "t = 6" in caption and "'R'" in caption and "target 0" in caption
    assert len(fig.axes) == 2 and fig.get_size_inches()[0] <= 8 and fig.get_size_inches()[1] <= 3.5
    frame = [p for p in fig.axes[0].patches if p.get_x() == 4.5]
    assert len(frame) == 1                                        # the orange frame around step 6
    with pytest.raises(ValueError, match="step t must be in 0..11"):
        lf.gate_frame(rec, 12)


def test_gate_frames_are_deterministic_for_the_slider(trained):
    from nnbook.widgets import slider

    params, _ = trained
    rec = lt.gate_record(params, [1, 0, 2])
    a = slider([1, 2], lambda t: lf.gate_frame(rec, t - 1), "t", "t-gates")
    b = slider([1, 2], lambda t: lf.gate_frame(rec, t - 1), "t", "t-gates")
    assert a.to_html() == b.to_html()


def test_param_count_plot_has_three_lines_with_ratio_four():
    fig = lf.plot_param_counts(16, [1, 4, 16])
    ax = fig.axes[0]
    assert len(ax.lines) == 3 and ax.get_xscale() == "log"
    lstm, gru, rnn = (line.get_ydata() for line in ax.lines)
    np.testing.assert_allclose(np.asarray(lstm) / np.asarray(rnn), 4)
    np.testing.assert_allclose(np.asarray(gru) / np.asarray(rnn), 3)


def test_gate_names_follow_the_language():
    set_lang("ko")
    assert lf.gate_names()["g"] == "후보 셀 상태"
    set_lang("en")
    assert lf.gate_names()["g"] == "candidate cell state"
    assert nnbook.get_lang() == "en"


def test_torch_oracle_agrees_with_scratch_hidden_grad_norms():
    pytest.importorskip("torch")
    from nnbook import scratch

    rng = np.random.default_rng(3)
    x = rng.normal(size=(1, 6, 2))
    Wx, Wh, b = lt.init_lstm_weights(2, 3, rng, forget_bias=1.0)
    dhs = rng.normal(size=(1, 6, 3))                               # a loss on every step
    z = np.zeros((1, 3))
    _, _, cache = scratch.lstm_forward(x, z, z, Wx, Wh, b)
    ours = scratch.hidden_grad_norms(dhs, cache)
    np.testing.assert_allclose(lt.torch_hidden_grad_norms(x, Wx, Wh, b, dhs), ours, rtol=1e-10)
    with pytest.raises(ValueError, match="x must be \\(1, T, D\\)"):
        lt.torch_hidden_grad_norms(np.zeros((2, 6, 2)), Wx, Wh, b, dhs)


def test_counter_unit_picks_the_unit_that_follows_the_count():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 5, size=(6, 8)).astype(float)
    cs = np.stack([rng.normal(size=y.shape), -0.3 * y + 0.01 * rng.normal(size=y.shape)], axis=2)
    u, r = lt.counter_unit(cs, y)
    assert u == 1 and r < -0.99                               # |correlation| decides, the sign is kept
    with pytest.raises(ValueError, match="cs must be \\(N, T, H\\)"):
        lt.counter_unit(cs[0], y)


def test_forget_bias_profile_shortcut_is_the_product_of_forget_gates():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(1, 6, 2))
    dhs = np.zeros((1, 6, 3))
    dhs[:, -1] = 1.0
    p = lt.forget_bias_profile(x, dhs, forget_bias=2.0, seed=3)
    assert p["grad"].shape == (6,) and p["f"].shape == (6, 3) and p["shortcut"].shape == (6,)
    f = p["f"]
    assert p["shortcut"][0] == 1.0
    np.testing.assert_allclose(p["shortcut"][2], np.mean(f[5] * f[4]), rtol=1e-12)
    np.testing.assert_allclose(p["shortcut"][5], np.mean(np.prod(f[1:], axis=0)), rtol=1e-12)
    # only b_f changes between calls: a larger bias opens the forget gate everywhere
    q = lt.forget_bias_profile(x, dhs, forget_bias=-2.0, seed=3)
    assert np.all(q["f"] < p["f"]) and np.all(q["shortcut"][1:] < p["shortcut"][1:])
    # the gradient agrees with the autograd oracle
    Wx, Wh, b = lt.init_lstm_weights(2, 3, np.random.default_rng(3), forget_bias=2.0)
    np.testing.assert_allclose(lt.torch_hidden_grad_norms(x, Wx, Wh, b, dhs), p["grad"], rtol=1e-10)
    with pytest.raises(ValueError, match="x must be \\(1, T, D\\)"):
        lt.forget_bias_profile(np.zeros((2, 6, 2)), dhs, 0.0)
    with pytest.raises(ValueError, match="dhs must be \\(1, 6, H\\)"):
        lt.forget_bias_profile(x, np.zeros((1, 5, 3)), 0.0)


def test_forget_bias_frame_reports_the_numbers_it_draws():
    rng = np.random.default_rng(6)
    T, H = 30, 4
    f = np.full((T, H), 0.9)
    prof = {"grad": 0.5 ** np.arange(T)[::-1], "f": f, "shortcut": 0.9 ** np.arange(T)}
    fig, caption = lf.forget_bias_frame(prof, 2, k_mark=10)
    assert len(fig.axes) == 2 and fig.get_size_inches()[1] <= 3
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and len(ax.lines) == 3 + 1           # three curves and the k_mark line
    assert "b_f = 2" in caption and "σ(b_f) = 0.88" in caption and "mean f = 0.90" in caption
    assert f"keeps {0.9 ** 10:.1e}" in caption and f"gradient is {0.5 ** 10:.1e}" in caption
    set_lang("ko")
    _, caption_ko = lf.forget_bias_frame(prof, 2, k_mark=10)
    assert "셀 상태 경로" in caption_ko and "path" not in caption_ko
    with pytest.raises(ValueError, match="k_mark must be in 0..29"):
        lf.forget_bias_frame(prof, 2, k_mark=30)
    with pytest.raises(ValueError, match="profile needs"):
        lf.forget_bias_frame({**prof, "shortcut": prof["shortcut"][:-1]}, 2)
