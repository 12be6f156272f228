"""nnbook.rnn.theory_figures: the numbers behind chapter 3's pictures, and that every picture draws in both languages."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import nnbook  # noqa: E402
from nnbook.rnn import theory_figures as rf  # noqa: E402
from nnbook.scratch import hidden_grad_norms, rnn_forward  # noqa: E402


def test_toy_weather_shapes_and_rounding():
    x, features, cities = rf.toy_weather()
    assert x.shape == (2, 5, 3)
    assert len(features) == 3 and len(cities) == 2
    assert np.array_equal(x, np.round(x, 1))
    assert np.array_equal(x, rf.toy_weather()[0])          # seeded


def test_sine_input_shape_and_determinism():
    x = rf.sine_input(T=40)
    assert x.shape == (1, 40, 1)
    assert np.array_equal(x, rf.sine_input(T=40))
    assert not np.array_equal(x, rf.sine_input(T=40, seed=1))


@pytest.mark.parametrize("radius", [0.5, 1.0, 1.5])
def test_scale_to_spectral_radius(radius):
    W = np.random.default_rng(0).normal(size=(16, 16))
    W2 = rf.scale_to_spectral_radius(W, radius)
    assert np.max(np.abs(np.linalg.eigvals(W2))) == pytest.approx(radius, rel=1e-10)


def test_scale_to_spectral_radius_errors():
    with pytest.raises(ValueError, match="square"):
        rf.scale_to_spectral_radius(np.ones((2, 3)), 1.0)
    with pytest.raises(ValueError, match="spectral radius 0"):
        rf.scale_to_spectral_radius(np.zeros((3, 3)), 1.0)


def test_random_rnn_weights_shapes_seed_and_radius():
    Wx, Wh, b = rf.random_rnn_weights(3, 8, radius=0.9, seed=0)
    assert Wx.shape == (3, 8) and Wh.shape == (8, 8) and b.shape == (8,)
    assert np.max(np.abs(np.linalg.eigvals(Wh))) == pytest.approx(0.9)
    Wx2, Wh2, b2 = rf.random_rnn_weights(3, 8, radius=0.9, seed=0)
    assert np.array_equal(Wx, Wx2) and np.array_equal(Wh, Wh2) and np.array_equal(b, b2)


@pytest.mark.parametrize("d, H", [(1, 2), (4, 8), (10, 20), (3, 64)])
def test_param_count_matches_torch(d, H):
    n_torch = sum(p.numel() for p in torch.nn.RNN(d, H).parameters())
    assert rf.rnn_param_count(d, H, biases=2) == n_torch
    assert rf.rnn_param_count(d, H) == n_torch - H
    Wx, Wh, b = rf.random_rnn_weights(d, H)
    assert rf.rnn_param_count(d, H) == Wx.size + Wh.size + b.size


def test_jacobian_products_match_finite_differences():
    """P[k] = dh_T/dh_{T-k}: perturb h_{T-k} and run the remaining k steps forward."""
    rng = np.random.default_rng(0)
    T, D, H, k = 7, 2, 5, 4
    x = rng.normal(size=(1, T, D))
    Wx, Wh, b = rf.random_rnn_weights(D, H, radius=1.2, seed=3)
    hs, _ = rnn_forward(x, np.zeros((1, H)), Wx, Wh, b)
    P = rf.jacobian_products(hs[0], Wh)
    assert P.shape == (T, H, H)
    assert np.array_equal(P[0], np.eye(H))
    start = hs[:, T - 1 - k]                                # h_{T-k}
    rest = x[:, T - k:]                                     # the inputs of steps T-k+1 .. T
    eps = 1e-6
    num = np.empty((H, H))
    for j in range(H):
        e = np.zeros((1, H))
        e[0, j] = eps
        hp = rnn_forward(rest, start + e, Wx, Wh, b)[0][0, -1]
        hm = rnn_forward(rest, start - e, Wx, Wh, b)[0][0, -1]
        num[:, j] = (hp - hm) / (2 * eps)
    assert np.allclose(P[k], num, atol=1e-8)


def test_jacobian_products_agree_with_bptt():
    T, H = 30, 12
    x = rf.sine_input(T=T)
    Wx, Wh, b = rf.random_rnn_weights(1, H, radius=1.0, seed=0)
    hs, cache = rnn_forward(x, np.zeros((1, H)), Wx, Wh, b)
    g = np.random.default_rng(1).normal(size=H)
    dhs = np.zeros((1, T, H))
    dhs[0, -1] = g
    by_code = hidden_grad_norms(dhs, cache)[::-1]
    by_formula = np.linalg.norm(g @ rf.jacobian_products(hs[0], Wh), axis=1)
    assert np.allclose(by_code, by_formula, rtol=1e-10)


def test_jacobian_products_at_zero_state_are_powers_of_Wh():
    Wh = rf.scale_to_spectral_radius(np.random.default_rng(0).normal(size=(6, 6)), 1.5)
    P = rf.jacobian_products(np.zeros((20, 6)), Wh)
    assert np.allclose(P[5], np.linalg.matrix_power(Wh.T, 5))
    # spectral radius 1.5: the norm grows roughly like 1.5^k
    norms = np.linalg.norm(P, ord=2, axis=(1, 2))
    assert norms[19] > 1.5 ** 15


def test_jacobian_products_shape_error():
    with pytest.raises(ValueError, match="jacobian_products"):
        rf.jacobian_products(np.zeros((5, 3)), np.zeros((4, 4)))


def _texts(fig):
    out = []
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts] + [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        leg = ax.get_legend()
        if leg is not None:
            out += [t.get_text() for t in leg.get_texts()]
    for leg in fig.legends:
        out += [t.get_text() for t in leg.get_texts()]
    if fig._suptitle is not None:
        out.append(fig._suptitle.get_text())
    return " ".join(out)


def _all_figures():
    x, features, cities = rf.toy_weather()
    ks = np.arange(10)
    return [
        rf.plot_sequence_shapes(x, 2, features, cities),
        rf.plot_unrolled_rnn(T=3),
        rf.plot_io_patterns(),
        rf.plot_param_counts(4, [2, 4, 8]),
        rf.plot_jacobian_norms({0.5: 0.5 ** ks}, {0.5: 0.4 ** ks}),
        rf.plot_bptt_graph(T=3),
    ]


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_figures_draw_with_labels_in_the_language(lang):
    nnbook.setup(lang=lang)
    try:
        figs = _all_figures()
        for fig in figs:
            fig.canvas.draw()
        text = " ".join(_texts(f) for f in figs)
        has_hangul = any("\uac00" <= ch <= "\ud7a3" for ch in text)
        assert has_hangul == (lang == "ko")
        # the sequence picture prints the numbers of the data
        x = rf.toy_weather()[0]
        assert f"{x[0, 2, 0]:g}" in _texts(figs[0])
    finally:
        plt.close("all")
        nnbook.setup(lang="en")


# ----------------------------------------------------------------------------- spectral radius, Gelfand, BPTT graph
def test_power_norm_rates_tend_to_the_spectral_radius_not_the_norm():
    Wh = rf.scale_to_spectral_radius(np.random.default_rng(0).normal(size=(32, 32)), 1.0)
    rates = rf.power_norm_rates(Wh, [1, 10, 1000])
    assert rates[0] == pytest.approx(np.linalg.norm(Wh, ord=2))
    assert rates[0] > 1.5                     # a random matrix is far from normal: ||W||_2 well above rho = 1
    assert abs(rates[2] - 1.0) < 0.01         # Gelfand: ||W^k||^(1/k) -> rho
    assert abs(rates[2] - 1.0) < abs(rates[1] - 1.0) < abs(rates[0] - 1.0)
    S = rf.scale_to_spectral_radius(Wh + Wh.T, 0.7)   # symmetric, hence normal: rate = rho for every k
    assert np.allclose(rf.power_norm_rates(S, [1, 5, 20]), 0.7)


def test_power_norm_rates_errors():
    with pytest.raises(ValueError, match="square"):
        rf.power_norm_rates(np.ones((2, 3)), [1])
    with pytest.raises(ValueError, match=">= 1"):
        rf.power_norm_rates(np.eye(2), [0])


def test_gradient_through_time_matches_jacobian_products():
    x = rf.sine_input(T=30)
    res = rf.gradient_through_time(x, 1.2, 8)
    Wx, Wh, b = rf.random_rnn_weights(1, 8, radius=1.2, seed=0)
    hs, _ = rnn_forward(x, np.zeros((1, 8)), Wx, Wh, b)
    assert np.array_equal(res["hs"], hs[0])
    g = np.random.default_rng(1).normal(size=8)
    g /= np.linalg.norm(g)
    assert np.allclose(res["along"], np.linalg.norm(g @ rf.jacobian_products(hs[0], Wh), axis=1), rtol=1e-10)
    assert np.allclose(res["linear"], np.linalg.norm(g @ rf.jacobian_products(np.zeros((30, 8)), Wh), axis=1),
                       rtol=1e-10)
    assert res["along"][0] == pytest.approx(1.0) and res["linear"][0] == pytest.approx(1.0)
    assert res["norm"] == pytest.approx(np.linalg.norm(Wh, ord=2))


def test_gradient_through_time_vanishes_below_and_explodes_above_one_at_zero_state():
    x = rf.sine_input(T=60)
    low, high = rf.gradient_through_time(x, 0.8, 16), rf.gradient_through_time(x, 1.5, 16)
    assert low["linear"][50] < 1e-3 and low["along"][50] < 1e-3
    assert high["linear"][50] > 1e6
    assert high["along"][50] < high["linear"][50]          # tanh' <= 1 along the states pulls it down


def test_gradient_through_time_shape_error():
    with pytest.raises(ValueError, match="gradient_through_time"):
        rf.gradient_through_time(np.zeros((2, 10, 1)), 1.0, 4)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_new_figures_draw_in_the_language(lang):
    nnbook.setup(lang=lang)
    try:
        x = rf.sine_input(T=20)
        res = rf.gradient_through_time(x, 1.1, 4)
        figs = [rf.plot_bptt_graph(T=3), rf.plot_gradient_through_time(x[0, :, 0], res, 1.1, 4)]
        for fig in figs:
            fig.canvas.draw()
        text = " ".join(_texts(f) for f in figs)
        assert any("\uac00" <= ch <= "\ud7a3" for ch in text) == (lang == "ko")
        assert "$h_3$" in _texts(figs[0]) and "$x_1$" in _texts(figs[0])
        assert "$D_h$ = 4" in _texts(figs[1])
        lines = figs[1].axes[1].get_lines()
        assert np.allclose(lines[0].get_ydata(), res["along"])
    finally:
        plt.close("all")
        nnbook.setup(lang="en")
