"""nnbook.scratch RNN/LSTM (issue 4): forward and every gradient against torch.nn.RNN / torch.nn.LSTM
under autograd in float64, numerical gradients, property tests over the sizes, the layer classes, and
one ValueError per kind of bad input."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import nnbook.scratch as S
from nnbook.scratch import numerical_gradient, rel_error

TOL = 1e-9


# ----------------------------------------------------------------------------- torch references
def _torch_rnn(x, h0, Wx, Wh, b, dhs, kind="RNN", c0=None):
    """Outputs and gradients of torch.nn.RNN/LSTM (batch_first, float64) with our weights copied in.

    The loss is sum(hs * dhs), so the upstream gradient on every h_t is dhs.
    """
    N, T, D = x.shape
    H = Wh.shape[0]
    module = getattr(torch.nn, kind)(D, H, batch_first=True).double()
    if kind == "RNN":
        S.rnn_weights_to_torch(module, Wx, Wh, b)
    else:
        S.lstm_weights_to_torch(module, Wx, Wh, b)
    xt = torch.tensor(x, requires_grad=True)
    h0t = torch.tensor(h0[None], requires_grad=True)
    if kind == "RNN":
        hs, _ = module(xt, h0t)
        states = [h0t]
    else:
        c0t = torch.tensor(c0[None], requires_grad=True)
        hs, (hn, cn) = module(xt, (h0t, c0t))
        states = [h0t, c0t]
    (hs * torch.tensor(dhs)).sum().backward()
    grads = [xt.grad.numpy()] + [s.grad[0].numpy() for s in states] + [
        module.weight_ih_l0.grad.numpy().T, module.weight_hh_l0.grad.numpy().T,
        module.bias_ih_l0.grad.numpy()]
    out = {"hs": hs.detach().numpy(), "grads": grads}
    if kind == "LSTM":
        out["cn"] = cn[0].detach().numpy()
    return out


def _data(rng, N, T, D, H, gates=1, scale=0.5):
    x = rng.standard_normal((N, T, D))
    h0 = rng.standard_normal((N, H))
    c0 = rng.standard_normal((N, H))
    Wx = rng.standard_normal((D, gates * H)) * scale
    Wh = rng.standard_normal((H, gates * H)) * scale
    b = rng.standard_normal(gates * H) * scale
    dhs = rng.standard_normal((N, T, H))
    return x, h0, c0, Wx, Wh, b, dhs


def _check_rnn(N, T, D, H, seed):
    rng = np.random.default_rng(seed)
    x, h0, _, Wx, Wh, b, dhs = _data(rng, N, T, D, H)
    ref = _torch_rnn(x, h0, Wx, Wh, b, dhs)
    hs, cache = S.rnn_forward(x, h0, Wx, Wh, b)
    assert hs.shape == (N, T, H)
    assert rel_error(hs, ref["hs"]) < TOL
    grads = S.rnn_backward(dhs, cache)
    for name, g, r in zip(["dx", "dh0", "dWx", "dWh", "db"], grads, ref["grads"]):
        assert g.shape == r.shape, name
        assert rel_error(g, r) < TOL, (name, rel_error(g, r))


def _check_lstm(N, T, D, H, seed):
    rng = np.random.default_rng(seed)
    x, h0, c0, Wx, Wh, b, dhs = _data(rng, N, T, D, H, gates=4)
    ref = _torch_rnn(x, h0, Wx, Wh, b, dhs, kind="LSTM", c0=c0)
    hs, cs, cache = S.lstm_forward(x, h0, c0, Wx, Wh, b)
    assert hs.shape == cs.shape == (N, T, H)
    assert rel_error(hs, ref["hs"]) < TOL
    assert rel_error(cs[:, -1], ref["cn"]) < TOL
    grads = S.lstm_backward(dhs, cache)
    for name, g, r in zip(["dx", "dh0", "dc0", "dWx", "dWh", "db"], grads, ref["grads"]):
        assert g.shape == r.shape, name
        assert rel_error(g, r) < TOL, (name, rel_error(g, r))


# ----------------------------------------------------------------------------- against PyTorch
@pytest.mark.parametrize("N,T,D,H", [(2, 5, 3, 4), (1, 1, 1, 1), (3, 1, 4, 2), (2, 7, 1, 3), (4, 12, 5, 8)])
def test_rnn_matches_torch(N, T, D, H):
    _check_rnn(N, T, D, H, seed=N * 1000 + T * 100 + D * 10 + H)


@pytest.mark.parametrize("N,T,D,H", [(2, 5, 3, 4), (1, 1, 1, 1), (3, 1, 4, 2), (2, 7, 1, 3), (4, 12, 5, 8)])
def test_lstm_matches_torch(N, T, D, H):
    _check_lstm(N, T, D, H, seed=N * 1000 + T * 100 + D * 10 + H)


sizes = st.tuples(st.integers(1, 4), st.integers(1, 8), st.integers(1, 5), st.integers(1, 6))


@settings(max_examples=15, deadline=None)
@given(sizes, st.integers(0, 2 ** 16))
def test_rnn_matches_torch_property(size, seed):
    _check_rnn(*size, seed)


@settings(max_examples=15, deadline=None)
@given(sizes, st.integers(0, 2 ** 16))
def test_lstm_matches_torch_property(size, seed):
    _check_lstm(*size, seed)


def test_lstm_gradient_on_final_cell_state():
    rng = np.random.default_rng(1)
    N, T, D, H = 2, 4, 3, 5
    x, h0, c0, Wx, Wh, b, dhs = _data(rng, N, T, D, H, gates=4)
    dcn = rng.standard_normal((N, H))
    module = torch.nn.LSTM(D, H, batch_first=True).double()
    S.lstm_weights_to_torch(module, Wx, Wh, b)
    xt, h0t, c0t = (torch.tensor(a, requires_grad=True) for a in (x, h0[None], c0[None]))
    hs, (hn, cn) = module(xt, (h0t, c0t))
    ((hs * torch.tensor(dhs)).sum() + (cn[0] * torch.tensor(dcn)).sum()).backward()
    _, _, cache = S.lstm_forward(x, h0, c0, Wx, Wh, b)
    dx, dh0, dc0, dWx, dWh, db = S.lstm_backward(dhs, cache, dc_last=dcn)
    assert rel_error(dx, xt.grad.numpy()) < TOL
    assert rel_error(dc0, c0t.grad[0].numpy()) < TOL
    assert rel_error(dWh, module.weight_hh_l0.grad.numpy().T) < TOL


def test_float32_stays_float32_and_matches_torch():
    rng = np.random.default_rng(2)
    module = torch.nn.LSTM(3, 4, batch_first=True)
    Wx, Wh, b = S.lstm_weights_from_torch(module)
    assert Wx.dtype == np.float32 and Wx.shape == (3, 16) and b.shape == (16,)
    x = rng.standard_normal((2, 6, 3)).astype(np.float32)
    h0 = np.zeros((2, 4), np.float32)
    hs, cs, _ = S.lstm_forward(x, h0, h0, Wx, Wh, b)
    assert hs.dtype == np.float32
    ref, _ = module(torch.from_numpy(x))
    assert np.abs(hs - ref.detach().numpy()).max() < 1e-6


# ----------------------------------------------------------------------------- weight copies
def test_weight_copies_round_trip():
    torch.manual_seed(0)
    rnn = torch.nn.RNN(3, 5, batch_first=True).double()
    Wx, Wh, b = S.rnn_weights_from_torch(rnn)
    assert Wx.dtype == np.float64 and (Wx.shape, Wh.shape, b.shape) == ((3, 5), (5, 5), (5,))
    np.testing.assert_array_equal(Wx, rnn.weight_ih_l0.detach().numpy().T)
    np.testing.assert_allclose(b, (rnn.bias_ih_l0 + rnn.bias_hh_l0).detach().numpy(), rtol=0, atol=0)
    other = torch.nn.RNN(3, 5, batch_first=True).double()
    S.rnn_weights_to_torch(other, Wx, Wh, b)
    assert torch.all(other.bias_hh_l0 == 0)
    x = torch.randn(2, 4, 3, dtype=torch.double)
    assert torch.allclose(rnn(x)[0], other(x)[0], rtol=0, atol=1e-15)
    lstm = torch.nn.LSTM(2, 3)
    W = S.lstm_weights_from_torch(lstm)
    lstm2 = S.lstm_weights_to_torch(torch.nn.LSTM(2, 3), *W)
    for a, c in zip(W, S.lstm_weights_from_torch(lstm2)):
        np.testing.assert_array_equal(a, c)


def test_weight_copy_rejects_wrong_modules():
    with pytest.raises(ValueError, match="expected a torch.nn.RNN"):
        S.rnn_weights_from_torch(torch.nn.LSTM(2, 3))
    with pytest.raises(ValueError, match="num_layers=2"):
        S.lstm_weights_from_torch(torch.nn.LSTM(2, 3, num_layers=2))
    with pytest.raises(ValueError, match="nonlinearity"):
        S.rnn_weights_from_torch(torch.nn.RNN(2, 3, nonlinearity="relu"))
    with pytest.raises(ValueError, match="Wh has shape"):
        S.rnn_weights_to_torch(torch.nn.RNN(2, 3), np.zeros((2, 3)), np.zeros((3, 4)), np.zeros(3))


# ----------------------------------------------------------------------------- numerical gradients
def test_rnn_numerical_gradients():
    rng = np.random.default_rng(3)
    x, h0, _, Wx, Wh, b, dhs = _data(rng, 2, 3, 2, 3)
    _, cache = S.rnn_forward(x, h0, Wx, Wh, b)
    grads = S.rnn_backward(dhs, cache)
    for arr, g in zip([x, h0, Wx, Wh, b], grads):
        num = numerical_gradient(lambda: S.rnn_forward(x, h0, Wx, Wh, b)[0], arr, dout=dhs)
        assert rel_error(g, num) < 1e-7


def test_lstm_numerical_gradients():
    rng = np.random.default_rng(4)
    x, h0, c0, Wx, Wh, b, dhs = _data(rng, 2, 3, 2, 2, gates=4)
    _, _, cache = S.lstm_forward(x, h0, c0, Wx, Wh, b)
    grads = S.lstm_backward(dhs, cache)
    for arr, g in zip([x, h0, c0, Wx, Wh, b], grads):
        num = numerical_gradient(lambda: S.lstm_forward(x, h0, c0, Wx, Wh, b)[0], arr, dout=dhs)
        assert rel_error(g, num) < 1e-7


def test_step_functions_agree_with_sequence_functions():
    rng = np.random.default_rng(5)
    x, h0, c0, Wx, Wh, b, dhs = _data(rng, 2, 1, 3, 4)
    hs, cache = S.rnn_forward(x, h0, Wx, Wh, b)
    h1, step_cache = S.rnn_step_forward(x[:, 0], h0, Wx, Wh, b)
    assert rel_error(hs[:, 0], h1) < 1e-14 and rel_error(h1, S.rnn_step(x[:, 0], h0, Wx, Wh, b)) == 0
    for g, gs in zip(S.rnn_backward(dhs, cache), S.rnn_step_backward(dhs[:, 0], step_cache)):
        assert rel_error(g.reshape(gs.shape), gs) < 1e-12
    x, h0, c0, Wx, Wh, b, dhs = _data(rng, 2, 1, 3, 4, gates=4)
    hs, cs, cache = S.lstm_forward(x, h0, c0, Wx, Wh, b)
    h1, c1, step_cache = S.lstm_step_forward(x[:, 0], h0, c0, Wx, Wh, b)
    assert rel_error(hs[:, 0], h1) < 1e-12 and rel_error(cs[:, 0], c1) < 1e-12
    assert all(rel_error(u, v) < 1e-14 for u, v in zip(S.lstm_step(x[:, 0], h0, c0, Wx, Wh, b), (h1, c1)))
    dc = np.zeros_like(h0)
    for g, gs in zip(S.lstm_backward(dhs, cache), S.lstm_step_backward(dhs[:, 0], dc, step_cache)):
        assert rel_error(g.reshape(gs.shape), gs) < 1e-12


@pytest.mark.parametrize("N,T,D,H", [(2, 5, 3, 4), (1, 1, 1, 1), (3, 6, 2, 5)])
def test_naive_loops_match_torch_and_the_fast_versions(N, T, D, H):
    """The readable loops over the step functions (rnn_reference.py, lstm_reference.py) against
    PyTorch, and the fast versions (recurrent.py, lstm.py) against them."""
    rng = np.random.default_rng(21)
    x, h0, _, Wx, Wh, b, dhs = _data(rng, N, T, D, H)
    ref = _torch_rnn(x, h0, Wx, Wh, b, dhs)
    hs, cache = S.rnn_forward_naive(x, h0, Wx, Wh, b)
    assert rel_error(hs, ref["hs"]) < TOL
    grads = S.rnn_backward_naive(dhs, cache)
    for g, r in zip(grads, ref["grads"]):
        assert g.shape == r.shape and rel_error(g, r) < TOL
    hs_fast, cache_fast = S.rnn_forward(x, h0, Wx, Wh, b)
    assert rel_error(hs_fast, hs) < 1e-12
    assert all(rel_error(u, v) < 1e-12 for u, v in zip(S.rnn_backward(dhs, cache_fast), grads))

    x, h0, c0, Wx, Wh, b, dhs = _data(rng, N, T, D, H, gates=4)
    ref = _torch_rnn(x, h0, Wx, Wh, b, dhs, kind="LSTM", c0=c0)
    hs, cs, cache = S.lstm_forward_naive(x, h0, c0, Wx, Wh, b)
    assert rel_error(hs, ref["hs"]) < TOL and rel_error(cs[:, -1], ref["cn"]) < TOL
    grads = S.lstm_backward_naive(dhs, cache)
    for g, r in zip(grads, ref["grads"]):
        assert g.shape == r.shape and rel_error(g, r) < TOL
    hs_fast, cs_fast, cache_fast = S.lstm_forward(x, h0, c0, Wx, Wh, b)
    assert rel_error(hs_fast, hs) < 1e-12 and rel_error(cs_fast, cs) < 1e-12
    assert all(rel_error(u, v) < 1e-12 for u, v in zip(S.lstm_backward(dhs, cache_fast), grads))
    dc_last = rng.standard_normal((N, H))
    assert all(rel_error(u, v) < 1e-12 for u, v in zip(S.lstm_backward(dhs, cache_fast, dc_last=dc_last),
                                                       S.lstm_backward_naive(dhs, cache, dc_last=dc_last)))


def test_naive_loops_numerical_gradients():
    rng = np.random.default_rng(22)
    x, h0, c0, Wx, Wh, b, dhs = _data(rng, 2, 3, 2, 3, gates=4)
    hs, cs, cache = S.lstm_forward_naive(x, h0, c0, Wx, Wh, b)
    grads = S.lstm_backward_naive(dhs, cache)
    for arr, g in zip((x, h0, c0, Wx, Wh, b), grads):
        num = numerical_gradient(lambda: S.lstm_forward_naive(x, h0, c0, Wx, Wh, b)[0], arr, dout=dhs)
        assert rel_error(g, num) < 1e-6    # centred differences: error 1e-9 to 1e-7
    x, h0, _, Wx, Wh, b, dhs = _data(rng, 2, 3, 2, 3)
    hs, cache = S.rnn_forward_naive(x, h0, Wx, Wh, b)
    grads = S.rnn_backward_naive(dhs, cache)
    for arr, g in zip((x, h0, Wx, Wh, b), grads):
        num = numerical_gradient(lambda: S.rnn_forward_naive(x, h0, Wx, Wh, b)[0], arr, dout=dhs)
        assert rel_error(g, num) < 1e-6    # centred differences: error 1e-9 to 1e-7


def test_lstm_backward_reuses_its_temporaries_safely():
    """Two caches alive at once, backward in either order: the thread's temporary buffers are shared
    between calls but never part of a cache."""
    rng = np.random.default_rng(23)
    a = _data(rng, 3, 4, 2, 5, gates=4)
    c = _data(rng, 3, 4, 2, 5, gates=4)
    _, _, cache_a = S.lstm_forward(*a[:6])
    _, _, cache_c = S.lstm_forward(*c[:6])
    first = S.lstm_backward(a[6], cache_a)
    S.lstm_backward(c[6], cache_c)
    assert all(np.array_equal(u, v) for u, v in zip(first, S.lstm_backward(a[6], cache_a)))


# ----------------------------------------------------------------------------- gates and gradient norms
def test_lstm_gates_match_the_equations():
    rng = np.random.default_rng(6)
    x, h0, c0, Wx, Wh, b, _ = _data(rng, 2, 4, 3, 5, gates=4)
    hs, cs, cache = S.lstm_forward(x, h0, c0, Wx, Wh, b)
    gates = S.lstm_gates(cache)
    assert set(gates) == {"i", "f", "g", "o"}
    assert all(v.shape == (2, 4, 5) for v in gates.values())
    h, c = h0, c0
    for t in range(4):
        a = x[:, t] @ Wx + h @ Wh + b
        i, f, g, o = np.split(a, 4, axis=1)
        sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
        for name, ref in zip("ifgo", (sig(i), sig(f), np.tanh(g), sig(o))):
            assert rel_error(gates[name][:, t], ref) < 1e-12
        h, c = S.lstm_step(x[:, t], h, c, Wx, Wh, b)
        assert rel_error(c, cs[:, t]) < 1e-12


def test_hidden_grad_norms():
    rng = np.random.default_rng(7)
    N, T, D, H = 1, 12, 2, 4
    x, h0, c0, Wx, Wh, b, _ = _data(rng, N, T, D, H)
    dhs = np.zeros((N, T, H))
    dhs[:, -1] = 1.0
    _, cache = S.rnn_forward(x, h0, Wx, Wh * 0.1, b)
    norms = S.hidden_grad_norms(dhs, cache)
    assert norms.shape == (T,)
    assert norms[-1] == pytest.approx(2.0)                 # ‖(1, 1, 1, 1)‖
    assert norms[0] < 1e-6 * norms[-1]                     # small Wh: the gradient vanishes
    # it is the total gradient reaching h_t: against torch with a hook on every step
    x, h0, c0, Wx, Wh, b, dhs = _data(rng, 3, 5, 2, 4, gates=4)
    _, _, cache = S.lstm_forward(x, h0, c0, Wx, Wh, b)
    dh = S.lstm_backward(dhs, cache, return_dh=True)[-1]
    h, c = torch.tensor(h0, requires_grad=True), torch.tensor(c0)
    hs = []
    for t in range(5):
        a = torch.tensor(x[:, t]) @ torch.tensor(Wx) + h @ torch.tensor(Wh) + torch.tensor(b)
        i, f, g, o = a.chunk(4, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        h.retain_grad()
        hs.append(h)
    (torch.stack(hs, 1) * torch.tensor(dhs)).sum().backward()
    ref = np.stack([h.grad.numpy() for h in hs], 1)
    assert rel_error(dh, ref) < TOL
    norms = S.hidden_grad_norms(dhs, cache)
    np.testing.assert_allclose(norms, np.linalg.norm(ref, axis=2).mean(axis=0), rtol=1e-12)


# ----------------------------------------------------------------------------- errors that teach
def _good(gates=1):
    rng = np.random.default_rng(8)
    x, h0, c0, Wx, Wh, b, _ = _data(rng, 3, 2, 4, 5, gates=gates)
    return x, h0, c0, Wx, Wh, b


@pytest.mark.parametrize("change,message", [
    (dict(x=np.zeros((3, 4))), r"x must be 3-D \(N, T, D\), got shape \(3, 4\)"),
    (dict(x=np.zeros((3, 0, 4))), r"x has no time steps"),
    (dict(Wx=np.zeros((6, 5))), r"Wx has 6 rows but x has D=4 features"),
    (dict(Wh=np.zeros((5, 6))), r"Wh must be square \(H, H\), got shape \(5, 6\)"),
    (dict(Wh=np.zeros((6, 6))), r"Wx has 5 columns but Wh says H = 6"),
    (dict(b=np.zeros(4)), r"b must have shape \(H,\) = \(5,\), got \(4,\)"),
    (dict(b=np.zeros((1, 5))), r"b must have shape"),
    (dict(h0=np.zeros((2, 5))), r"h0 has batch 2 but x has N=3"),
    (dict(h0=np.zeros((3, 4))), r"h0 has 4 features but the hidden size is H=5"),
    (dict(h0=np.zeros(5)), r"h0 must be 2-D \(N, H\)"),
    (dict(x=np.array([["a"]])), r"x must be a real numeric array"),
])
def test_rnn_forward_errors(change, message):
    x, h0, _, Wx, Wh, b = _good()
    args = dict(x=x, h0=h0, Wx=Wx, Wh=Wh, b=b, **{})
    args.update(change)
    with pytest.raises(ValueError, match="rnn_forward: " + message):
        S.rnn_forward(**args)


@pytest.mark.parametrize("change,message", [
    (dict(x=np.zeros((3, 2, 4, 1))), r"x must be 3-D"),
    (dict(Wx=np.zeros((3, 20))), r"Wx has 3 rows but x has D=4 features"),
    (dict(Wh=np.zeros((5, 5))), r"Wh must be \(H, 4H\) = \(5, 20\) for H=5, got shape \(5, 5\)"),
    (dict(Wx=np.zeros((4, 5))), r"Wx has 5 columns but Wh says 4H = 20"),
    (dict(b=np.zeros(5)), r"b must have shape \(4H,\) = \(20,\), got \(5,\)"),
    (dict(h0=np.zeros((4, 5))), r"h0 has batch 4 but x has N=3"),
    (dict(c0=np.zeros((2, 5))), r"c0 has batch 2 but x has N=3"),
    (dict(c0=np.zeros((3, 6))), r"c0 has 6 features but the hidden size is H=5"),
])
def test_lstm_forward_errors(change, message):
    x, h0, c0, Wx, Wh, b = _good(gates=4)
    args = dict(x=x, h0=h0, c0=c0, Wx=Wx, Wh=Wh, b=b)
    args.update(change)
    with pytest.raises(ValueError, match="lstm_forward: " + message):
        S.lstm_forward(**args)


def test_backward_errors():
    x, h0, c0, Wx, Wh, b = _good()
    _, cache = S.rnn_forward(x, h0, Wx, Wh, b)
    with pytest.raises(ValueError, match=r"rnn_backward: dhs must have shape \(3, 2, 5\)"):
        S.rnn_backward(np.zeros((3, 2, 4)), cache)
    with pytest.raises(ValueError, match="rnn_backward: cache must be the cache returned by rnn_forward"):
        S.rnn_backward(np.zeros((3, 2, 5)), (1, 2))
    x, h0, c0, Wx, Wh, b = _good(gates=4)
    _, _, cache = S.lstm_forward(x, h0, c0, Wx, Wh, b)
    with pytest.raises(ValueError, match=r"lstm_backward: dc_last must have shape \(3, 5\)"):
        S.lstm_backward(np.zeros((3, 2, 5)), cache, dc_last=np.zeros(5))
    with pytest.raises(ValueError, match="lstm_gates: cache must be"):
        S.lstm_gates(cache=None)
    with pytest.raises(ValueError, match="hidden_grad_norms: cache must come from"):
        S.hidden_grad_norms(np.zeros((3, 2, 5)), None)


def test_scratch_imports_without_torch():
    import subprocess
    import sys
    code = ("import sys; sys.modules['torch'] = None; import nnbook.scratch as s; "
            "print(s.lstm_forward.__name__, s.TimeLSTM.__name__ if hasattr(s, 'TimeLSTM') else '')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


# ----------------------------------------------------------------------------- layer classes
def test_time_embedding_linear_softmax_match_torch():
    rng = np.random.default_rng(9)
    N, T, V, E, M = 3, 4, 7, 5, 6
    idx = rng.integers(0, V, (N, T))
    idx[0, :2] = 2                                          # a repeated id: gradients must add up
    ts = rng.integers(0, M, (N, T))
    W_e = rng.standard_normal((V, E))
    W_l, b_l = rng.standard_normal((E, M)), rng.standard_normal(M)
    emb, lin, loss_layer = S.TimeEmbedding(W_e.copy()), S.TimeLinear(W_l.copy(), b_l.copy()), S.TimeSoftmaxWithLoss()
    loss = loss_layer.forward(lin.forward(emb.forward(idx)), ts)
    assert emb.backward(lin.backward(loss_layer.backward())) is None

    We, Wl, bl = (torch.tensor(a, requires_grad=True) for a in (W_e, W_l, b_l))
    scores = torch.nn.functional.embedding(torch.tensor(idx), We) @ Wl + bl
    ref = torch.nn.functional.cross_entropy(scores.reshape(-1, M), torch.tensor(ts).reshape(-1))
    ref.backward()
    assert abs(loss - ref.item()) < 1e-12
    assert rel_error(emb.grads["W"], We.grad.numpy()) < TOL
    assert rel_error(lin.grads["W"], Wl.grad.numpy()) < TOL
    assert rel_error(lin.grads["b"], bl.grad.numpy()) < TOL
    # many-to-one: (N, V) scores with (N,) labels
    assert S.TimeSoftmaxWithLoss().forward(scores[:, -1].detach().numpy(), ts[:, -1]) == pytest.approx(
        torch.nn.functional.cross_entropy(scores[:, -1], torch.tensor(ts[:, -1])).item(), abs=1e-12)


def test_time_layer_errors():
    with pytest.raises(ValueError, match=r"TimeEmbedding: ids must be in \[0, 3\)"):
        S.TimeEmbedding(np.zeros((3, 2))).forward(np.array([[0, 3]]))
    with pytest.raises(ValueError, match="TimeEmbedding: ids must be integers"):
        S.TimeEmbedding(np.zeros((3, 2))).forward(np.array([[0.5]]))
    with pytest.raises(ValueError, match=r"TimeLinear: x must be \(N, T, D\) with D=2"):
        S.TimeLinear(np.zeros((2, 3)), np.zeros(3)).forward(np.zeros((1, 4, 3)))
    with pytest.raises(ValueError, match="TimeSoftmaxWithLoss: scores"):
        S.TimeSoftmaxWithLoss().forward(np.zeros((2, 3, 4)), np.zeros((2, 4), int))
    with pytest.raises(ValueError, match=r"TimeSoftmaxWithLoss: labels must be in \[0, 4\)"):
        S.TimeSoftmaxWithLoss().forward(np.zeros((2, 3, 4)), np.full((2, 3), 4))
    with pytest.raises(ValueError, match="cell must be 'rnn' or 'lstm'"):
        S.CharRNNLM(5, 3, 4, cell="gru")


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_time_recurrent_layers_are_the_functions_and_stateful(cell):
    rng = np.random.default_rng(10)
    Wx, Wh, b = S.init_recurrent_weights(3, 4, cell, rng, dtype=np.float64)
    layer_cls = S.TimeRNN if cell == "rnn" else S.TimeLSTM
    x = rng.standard_normal((2, 6, 3))
    whole = layer_cls(Wx, Wh, b).forward(x)
    stateful = layer_cls(Wx, Wh, b, stateful=True)
    halves = np.concatenate([stateful.forward(x[:, :3]), stateful.forward(x[:, 3:])], axis=1)
    assert rel_error(whole, halves) < 1e-14                 # the state is carried over
    stateful.reset_state()
    assert rel_error(stateful.forward(x[:, 3:]), layer_cls(Wx, Wh, b).forward(x[:, 3:])) == 0
    layer = layer_cls(Wx, Wh, b)
    dhs = rng.standard_normal((2, 6, 4))
    layer.forward(x)
    dx = layer.backward(dhs)
    ref = (S.rnn_backward(dhs, S.rnn_forward(x, np.zeros((2, 4)), Wx, Wh, b)[1]) if cell == "rnn" else
           S.lstm_backward(dhs, S.lstm_forward(x, np.zeros((2, 4)), np.zeros((2, 4)), Wx, Wh, b)[2]))
    assert rel_error(dx, ref[0]) == 0
    assert rel_error(layer.grads["Wh"], ref[-2]) == 0 and set(layer.grads) == set(layer.params)
    if cell == "lstm":
        assert S.lstm_gates(layer.cache)["f"].shape == (2, 6, 4)
        Wx, Wh, b = S.init_recurrent_weights(3, 4, "lstm", forget_bias=1.0)
        assert np.all(b[4:8] == 1.0) and b.dtype == np.float32


def test_clip_grads_matches_torch():
    rng = np.random.default_rng(11)
    grads = {"a": rng.standard_normal((3, 4)), "b": rng.standard_normal(5)}
    tensors = [torch.tensor(g).requires_grad_() for g in grads.values()]
    for t, g in zip(tensors, grads.values()):
        t.grad = torch.tensor(g)
    ref = torch.nn.utils.clip_grad_norm_(tensors, 1.5).item()
    total = S.clip_grads(grads, 1.5)
    assert total == pytest.approx(ref, rel=1e-12)
    for t, g in zip(tensors, grads.values()):
        assert rel_error(g, t.grad.numpy()) < 1e-9
    assert S.clip_grads(grads, 100.0) == pytest.approx(1.5, rel=1e-5)   # already small: unchanged


def test_truncated_bptt_batches():
    ids = np.arange(23)
    batches = list(S.truncated_bptt_batches(ids, batch_size=2, time_size=5))
    assert len(batches) == 2                                # 11 steps per stream -> 2 windows of 5
    xs, ts = batches[1]
    np.testing.assert_array_equal(xs, [[5, 6, 7, 8, 9], [16, 17, 18, 19, 20]])
    np.testing.assert_array_equal(ts, xs + 1)


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_char_lm_learns(cell):
    text = "hello world, hello numpy. " * 8
    chars = sorted(set(text))
    ids = np.array([chars.index(ch) for ch in text])
    V = len(chars)
    model = S.CharRNNLM(V, 8, 24, cell=cell, seed=0)
    assert set(model.params) == {"embed.W", "rnn.Wx", "rnn.Wh", "rnn.b", "out.W", "out.b"}
    optimizer = S.Adam(lr=0.02)
    losses = []
    for epoch in range(12):
        model.reset_state()
        for xs, ts in S.truncated_bptt_batches(ids, batch_size=4, time_size=10):
            loss = model.forward(xs, ts)
            model.backward()
            S.clip_grads(model.grads, 5.0)
            optimizer.update(model.params, model.grads)
            losses.append(loss)
    assert losses[0] == pytest.approx(np.log(V), rel=0.1)   # starts near uniform guessing
    assert np.mean(losses[-5:]) < 0.5 * losses[0]
    sample = model.generate(chars.index("h"), 12, rng=np.random.default_rng(0))
    assert len(sample) == 12 and sample[0] == chars.index("h") and all(0 <= i < V for i in sample)


def test_char_lm_gradients_match_torch():
    """The whole model's gradients against the same model in PyTorch (float64, one batch)."""
    rng = np.random.default_rng(12)
    V, E, H, N, T = 6, 3, 5, 2, 4
    model = S.CharRNNLM(V, E, H, cell="lstm", seed=1, dtype=np.float64)
    xs, ts = rng.integers(0, V, (N, T)), rng.integers(0, V, (N, T))
    loss = model.forward(xs, ts)
    model.backward()
    p = {k: torch.tensor(v, requires_grad=True) for k, v in model.params.items()}
    lstm = torch.nn.LSTM(E, H, batch_first=True).double()
    S.lstm_weights_to_torch(lstm, model.params["rnn.Wx"], model.params["rnn.Wh"], model.params["rnn.b"])
    hs, _ = lstm(p["embed.W"][torch.tensor(xs)])
    scores = hs @ p["out.W"] + p["out.b"]
    ref = torch.nn.functional.cross_entropy(scores.reshape(-1, V), torch.tensor(ts).reshape(-1))
    ref.backward()
    assert loss == pytest.approx(ref.item(), rel=1e-12)
    for k in ("embed.W", "out.W", "out.b"):
        assert rel_error(model.grads[k], p[k].grad.numpy()) < TOL, k
    assert rel_error(model.grads["rnn.Wh"], lstm.weight_hh_l0.grad.numpy().T) < TOL


def test_lstm_workspace_reuse_and_stale_cache():
    rng = np.random.default_rng(13)
    x, h0, c0, Wx, Wh, b, dhs = _data(rng, 2, 5, 3, 4, gates=4)
    hs, cs, cache = S.lstm_forward(x, h0, c0, Wx, Wh, b)
    ref = S.lstm_backward(dhs, cache)
    ws = {}
    for _ in range(2):                                      # the second call reuses the buffers
        hs2, cs2, cache2 = S.lstm_forward(x, h0, c0, Wx, Wh, b, workspace=ws)
        assert np.array_equal(hs, hs2) and np.array_equal(cs, cs2)
        assert all(np.array_equal(u, v) for u, v in zip(ref, S.lstm_backward(dhs, cache2)))
    S.lstm_forward(x[:, :2], h0, c0, Wx, Wh, b, workspace=ws)
    with pytest.raises(ValueError, match="lstm_backward: this cache was overwritten"):
        S.lstm_backward(dhs, cache2)
