"""nnbook.scratch CNN layers against PyTorch (the oracle), numerical gradients, and bad input.

Every forward and backward is compared with torch.nn.functional under autograd in float64:
relative error (CS231n's rel_error) below 1e-9.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import nnbook
import nnbook.scratch as S
from nnbook.scratch import gradcheck, rel_error

TOL = 1e-9          # against PyTorch, float64
NUM_TOL = 1e-6      # against centred differences (eps 1e-6), whose own error is about 1e-9 to 1e-7
torch.set_num_threads(1)


def t64(a, grad=True):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def conv_case(rng, N, C, H, W, Fn, KH, KW):
    x = rng.standard_normal((N, C, H, W))
    w = rng.standard_normal((Fn, C, KH, KW))
    b = rng.standard_normal(Fn)
    return x, w, b


def check_conv_against_torch(x, w, b, stride, padding, forward=S.conv2d_forward, backward=S.conv2d_backward):
    out, cache = forward(x, w, b, stride=stride, padding=padding)
    tx, tw, tb = t64(x), t64(w), t64(b)
    tout = F.conv2d(tx, tw, tb, stride=stride, padding=padding)
    assert out.shape == tuple(tout.shape)
    assert rel_error(out, tout.detach().numpy()) < TOL
    dout = np.random.default_rng(1).standard_normal(out.shape)
    tout.backward(torch.tensor(dout))
    dx, dw, db = backward(dout, cache)
    assert dx.shape == x.shape and dw.shape == w.shape and db.shape == b.shape
    assert rel_error(dx, tx.grad.numpy()) < TOL
    assert rel_error(dw, tw.grad.numpy()) < TOL
    assert rel_error(db, tb.grad.numpy()) < TOL


# ---------------------------------------------------------------- convolution
CONV_CASES = [
    # (N, C, H, W), (F, KH, KW), stride, padding
    ((2, 3, 7, 7), (4, 3, 3), 1, 0),
    ((2, 3, 8, 6), (5, 3, 2), 1, 1),
    ((3, 2, 9, 10), (4, 2, 5), 2, 1),
    ((1, 1, 6, 6), (2, 3, 3), 3, 2),
    ((2, 4, 5, 11), (3, 1, 4), (1, 2), (2, 0)),
    ((2, 2, 10, 7), (3, 4, 2), (3, 1), (0, 1)),
    ((1, 3, 4, 4), (2, 4, 4), 1, 0),          # kernel as large as the input: 1x1 output
    ((2, 1, 5, 5), (1, 6, 6), 1, 1),          # kernel fits only thanks to padding
]


@pytest.mark.parametrize("xshape, wshape, stride, padding", CONV_CASES)
def test_conv2d_matches_torch(xshape, wshape, stride, padding):
    rng = np.random.default_rng(0)
    N, C, H, W = xshape
    Fn, KH, KW = wshape
    x, w, b = conv_case(rng, N, C, H, W, Fn, KH, KW)
    check_conv_against_torch(x, w, b, stride, padding)


@pytest.mark.parametrize("xshape, wshape, stride, padding", CONV_CASES[:5])
def test_conv2d_naive_matches_torch(xshape, wshape, stride, padding):
    rng = np.random.default_rng(0)
    N, C, H, W = xshape
    Fn, KH, KW = wshape
    x, w, b = conv_case(rng, N, C, H, W, Fn, KH, KW)
    check_conv_against_torch(x, w, b, stride, padding, S.conv2d_forward_naive, S.conv2d_backward_naive)


@st.composite
def conv_shapes(draw):
    N = draw(st.integers(1, 3))
    C = draw(st.integers(1, 4))
    Fn = draw(st.integers(1, 4))
    KH, KW = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    H = draw(st.integers(max(1, KH - 2 * ph), 10))
    W = draw(st.integers(max(1, KW - 2 * pw), 10))
    return (N, C, H, W), (Fn, KH, KW), (sh, sw), (ph, pw), draw(st.integers(0, 2**32 - 1))


@settings(max_examples=40, deadline=None)
@given(conv_shapes())
def test_conv2d_property_matches_torch(case):
    (N, C, H, W), (Fn, KH, KW), stride, padding, seed = case
    x, w, b = conv_case(np.random.default_rng(seed), N, C, H, W, Fn, KH, KW)
    check_conv_against_torch(x, w, b, stride, padding)


def test_conv2d_numerical_gradient():
    rng = np.random.default_rng(3)
    x, w, b = conv_case(rng, 2, 2, 5, 4, 3, 3, 2)
    out, cache = S.conv2d_forward(x, w, b, stride=(2, 1), padding=1)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = S.conv2d_backward(dout, cache)
    f = lambda: S.conv2d_forward(x, w, b, stride=(2, 1), padding=1)[0]  # noqa: E731
    assert gradcheck(f, x, dx, dout=dout) < NUM_TOL
    assert gradcheck(f, w, dw, dout=dout) < NUM_TOL
    assert gradcheck(f, b, db, dout=dout) < NUM_TOL


@pytest.mark.parametrize("parts", [2, 3])
def test_conv2d_batch_split_over_threads_matches_torch(monkeypatch, parts):
    """The batch split into parts that run in parallel threads gives PyTorch's answer."""
    from nnbook.scratch import conv
    monkeypatch.setattr(conv, "split_batch", lambda N, work, piece: (parts, [(i, i + 1) for i in range(N)]))
    rng = np.random.default_rng(6)
    for (N, C, H, W), (Fn, KH, KW), stride, padding in [((7, 2, 6, 5), (3, 3, 2), 1, 1),
                                                       ((5, 3, 8, 8), (4, 3, 3), 2, 0)]:
        check_conv_against_torch(*conv_case(rng, N, C, H, W, Fn, KH, KW), stride, padding)


@pytest.mark.parametrize("piece, small_product", [(1, 10 ** 6), (100, 50), (1, 1)])
def test_conv2d_pieces_and_groups_match_torch(monkeypatch, piece, small_product):
    """Images taken a few at a time (PIECE numbers of workspace) and each image's product cut into
    groups of rows (_groups) give PyTorch's answer, also with parts of the batch in threads."""
    from nnbook.scratch import conv
    monkeypatch.setattr(conv, "PIECE", piece)
    monkeypatch.setattr(conv, "SMALL_PRODUCT", small_product)
    monkeypatch.setattr(conv, "split_batch",
                        lambda N, work, piece: (2, [(a, min(a + piece, N)) for a in range(0, N, piece)]))
    rng = np.random.default_rng(7)
    for (N, C, H, W), (Fn, KH, KW), stride, padding in [((5, 2, 6, 9), (3, 3, 2), 1, 1),
                                                       ((4, 3, 12, 8), (2, 2, 3), (2, 1), (1, 0))]:
        check_conv_against_torch(*conv_case(rng, N, C, H, W, Fn, KH, KW), stride, padding)


def test_groups_keep_each_product_small():
    from nnbook.scratch.conv import SMALL_PRODUCT, _groups
    assert _groups(16 * 76, 28, 32) == 2               # 16*76 * 28*32 multiply-adds: just over 100**3
    assert _groups(8 * 10, 26, 28) == 1
    for mk, rows, row_len in [(16 * 76, 28, 32), (75 * 16, 32, 32), (7, 13, 5), (10 ** 7, 12, 3)]:
        g = _groups(mk, rows, row_len)
        assert rows % g == 0
        assert mk * rows // g * row_len <= SMALL_PRODUCT or g == rows


def test_conv2d_cache_serves_two_backward_passes():
    x, w, b = conv_case(np.random.default_rng(8), 3, 2, 7, 6, 4, 3, 3)
    out, cache = S.conv2d_forward(x, w, b, padding=1)
    dout = np.random.default_rng(9).standard_normal(out.shape)
    first = S.conv2d_backward(dout, cache)
    second = S.conv2d_backward(dout, cache)
    for a, c in zip(first, second):
        assert np.array_equal(a, c)


def test_conv2d_threads_work_in_a_forked_child():
    """A child forked after the parent used the worker threads must not wait for threads it lacks."""
    import multiprocessing

    from threadpoolctl import threadpool_limits
    x, w, b = conv_case(np.random.default_rng(7), 16, 3, 32, 32, 8, 5, 5)
    with threadpool_limits(limits=2, user_api="blas"):
        expected, _ = S.conv2d_forward(x, w, b)              # the parent starts its worker thread
        with multiprocessing.get_context("fork").Pool(1) as pool:
            result = pool.apply_async(_forward_in_child, (x, w, b))
            np.testing.assert_allclose(result.get(timeout=60), expected, rtol=1e-12)


def _forward_in_child(x, w, b):
    from threadpoolctl import threadpool_limits
    with threadpool_limits(limits=2, user_api="blas"):
        return np.ascontiguousarray(S.conv2d_forward(x, w, b)[0])


def test_conv2d_from_several_threads_at_once():
    import threading

    from threadpoolctl import threadpool_info, threadpool_limits
    x, w, b = conv_case(np.random.default_rng(8), 16, 3, 32, 32, 8, 5, 5)
    with threadpool_limits(limits=2, user_api="blas"):
        expected, _ = S.conv2d_forward(x, w, b)
        same = []

        def work():
            for _ in range(5):
                same.append(np.array_equal(S.conv2d_forward(x, w, b)[0], expected))
        threads = [threading.Thread(target=work) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert same == [True] * 15
        assert all(lib["num_threads"] == 2 for lib in threadpool_info() if lib["user_api"] == "blas")


def test_conv2d_threads_follow_blas_threads():
    from threadpoolctl import threadpool_limits

    from nnbook.scratch import _threads
    big = 10 ** 12                                            # work enough for any number of threads
    with threadpool_limits(limits=1, user_api="blas"):
        assert _threads.split_batch(64, big, 10) == (1, [(a, min(a + 10, 64)) for a in range(0, 64, 10)])
    if _threads.cores() >= 2:
        with threadpool_limits(limits=2, user_api="blas"):
            assert _threads.split_batch(64, big, 10) == (2, [(a, a + 10) for a in range(0, 60, 10)] + [(60, 64)])
            assert _threads.split_batch(64, big, 100) == (2, [(0, 16), (16, 32), (32, 48), (48, 64)])
            assert _threads.split_batch(3, big, 100) == (2, [(0, 1), (1, 2), (2, 3)])
            assert _threads.split_batch(1, big, 100) == (1, [(0, 1)])
            assert _threads.split_batch(64, 1000, 100) == (1, [(0, 64)])      # small work: one thread


def test_run_items_gives_every_result_in_order_and_raises():
    from nnbook.scratch._threads import run_items
    items = [(a, a + 3) for a in range(0, 30, 3)]
    for threads in (1, 2, 5, 20):
        assert run_items(lambda a, e: list(range(a, e)), items, threads) == [list(range(a, a + 3)) for a, _ in items]

    def fail(a, e):
        if a == 9:
            raise ValueError("item 9")
        return a
    with pytest.raises(ValueError, match="item 9"):
        run_items(fail, items, 3)


def test_run_items_computes_on_one_blas_thread_and_restores_it():
    """Also with one thread (a small batch): the products inside run on one BLAS thread, so OpenBLAS
    does not start threads of its own; the setting is restored afterwards, also after an error."""
    from threadpoolctl import threadpool_limits

    from nnbook.scratch._threads import blas_threads, run_items
    items = [(a, a + 1) for a in range(4)]
    with threadpool_limits(limits=3, user_api="blas"):
        for threads in (1, 2):
            assert run_items(lambda a, e: blas_threads(), items, threads) == [1] * 4
            assert blas_threads() == 3

        def fail(a, e):
            raise ValueError("inside")
        with pytest.raises(ValueError, match="inside"):
            run_items(fail, items, 1)
        assert blas_threads() == 3


def test_part_count_rule():
    """Parts: at most the BLAS threads, the cores, the images, and sqrt(work / (2 PART_COST)):
    a part too small to pay for its thread is not split off (tiny batches stay in one part)."""
    from nnbook.scratch._threads import PART_COST, part_count
    big = 10 ** 12
    assert part_count(64, big, threads=16, cores=16) == 16
    assert part_count(64, big, threads=16, cores=2) == 2       # never more parts than cores
    assert part_count(64, big, threads=2, cores=16) == 2       # nor than BLAS threads
    assert part_count(3, big, threads=16, cores=16) == 3       # nor than images
    assert part_count(64, 0, threads=16, cores=16) == 1
    assert part_count(64, 8 * PART_COST - 1, threads=16, cores=16) == 1   # two parts need work >= 8 k0
    assert part_count(64, 8 * PART_COST, threads=16, cores=16) == 2
    assert part_count(64, 2 * 16 ** 2 * PART_COST, threads=16, cores=16) == 16
    assert part_count(64, 2 * 16 ** 2 * PART_COST - 1, threads=16, cores=16) == 15
    # one batch of the digits CNN's first convolution (32 images 1x8x8, 24 filters 3x3, padding 1)
    # and the first bench shape's forward pass
    digits = 32 * 10 * 8 * 10 * (24 + 16)
    assert part_count(32, digits, threads=16, cores=16) == 1
    bench = 64 * 76 * 28 * 32 * (16 + 16)
    assert part_count(64, bench, threads=16, cores=16) == int(np.sqrt(bench / (2 * PART_COST)))
    # more threads never give fewer parts, and never parts too small
    for work in (10 ** 5, 10 ** 6, 10 ** 7, 10 ** 8, 10 ** 9):
        ks = [part_count(64, work, threads=t, cores=64) for t in (1, 2, 4, 8, 16, 32)]
        assert ks == sorted(ks)
        assert all(k == 1 or work >= 2 * k * k * PART_COST for k in ks)


# (N, C, H=W, F, K, padding): threads the forward and the backward pass get on two cores. In three
# runs of bench/bench_parts.py (README, "Performance") the bench shapes' passes and the second
# convolution of the digits CNN (DIGITS_NET) ran 10-35% faster with a second thread at the median,
# and are split; the digits CNN's first convolution and the LeNet-like net's second one ran 1.2-4.3
# times slower with it, a 28x28 forward pass of 128 images 1.3-1.4 times: they stay in one part.
# (That batch's backward pass, work under 8 * PART_COST, gained 7-18% and stays in one part too:
# the rule errs on the safe side.)
MEASURED_PARTS = [((64, 3, 32, 16, 5, 0), [2, 2]), ((64, 16, 14, 32, 3, 0), [2, 2]),
                  ((128, 1, 28, 8, 3, 0), [1, 1]), ((32, 1, 8, 32, 3, 1), [1, 1]),
                  ((32, 32, 8, 64, 3, 1), [2, 2]), ((32, 24, 4, 48, 3, 1), [1, 1])]


@pytest.mark.parametrize("shape, parts", MEASURED_PARTS)
def test_part_count_on_measured_shapes(monkeypatch, shape, parts):
    from nnbook.scratch import _threads, conv
    monkeypatch.setattr(_threads, "cores", lambda: 2)
    monkeypatch.setattr(_threads, "blas_threads", lambda: 2)
    seen, split = [], conv.split_batch
    monkeypatch.setattr(conv, "split_batch", lambda N, work, piece: seen.append(split(N, work, piece)[0])
                        or split(N, work, piece))
    N, C, H, F, K, P = shape
    x = np.ones((N, C, H, H), dtype=np.float32)
    out, cache = S.conv2d_forward(x, np.ones((F, C, K, K), np.float32), np.ones(F, np.float32), padding=P)
    S.conv2d_backward(np.ones_like(out), cache)
    assert seen == parts


@pytest.mark.parametrize("xshape, wshape, stride, padding", CONV_CASES)
def test_conv2d_im2col_matches_torch(xshape, wshape, stride, padding):
    """The readable matrix-product version (conv_reference.py) against PyTorch."""
    rng = np.random.default_rng(11)
    x, w, b = conv_case(rng, *xshape, *wshape)
    check_conv_against_torch(x, w, b, stride, padding, S.conv2d_forward_im2col, S.conv2d_backward_im2col)


def test_conv2d_im2col_numerical_gradient():
    rng = np.random.default_rng(12)
    x, w, b = conv_case(rng, 2, 2, 5, 6, 3, 3, 2)
    out, cache = S.conv2d_forward_im2col(x, w, b, stride=(1, 2), padding=(1, 0))
    dout = rng.standard_normal(out.shape)
    dx, dw, db = S.conv2d_backward_im2col(dout, cache)
    f = lambda: S.conv2d_forward_im2col(x, w, b, stride=(1, 2), padding=(1, 0))[0]  # noqa: E731
    for a, g in ((x, dx), (w, dw), (b, db)):
        assert gradcheck(f, a, g, dout=dout) < NUM_TOL


def test_im2col_and_col2im_are_adjoint():
    """<im2col(x), Y> = <x, col2im(Y)>: col2im is the transpose of the linear map im2col."""
    rng = np.random.default_rng(13)
    x = rng.standard_normal((2, 3, 7, 6))
    for stride, padding in [(1, 0), (2, 1), ((1, 2), (2, 0))]:
        cols = S.im2col(x, 3, 2, stride, padding)
        Y = rng.standard_normal(cols.shape)
        assert abs(np.sum(cols * Y) - np.sum(x * S.col2im(Y, x.shape, 3, 2, stride, padding))) < 1e-10
    cols = S.im2col(np.arange(16.0).reshape(1, 1, 4, 4), 2, 2)          # column (n, i, j) = window (i, j)
    assert cols.shape == (4, 9) and list(cols[:, 0]) == [0, 1, 4, 5] and list(cols[:, 4]) == [5, 6, 9, 10]


@pytest.mark.parametrize("xshape, wshape, stride, padding", CONV_CASES)
def test_conv2d_fast_equals_reference(xshape, wshape, stride, padding):
    """The fast conv (conv.py) gives the numbers of the readable versions (conv_reference.py)."""
    rng = np.random.default_rng(14)
    x, w, b = conv_case(rng, *xshape, *wshape)
    fast, fast_cache = S.conv2d_forward(x, w, b, stride, padding)
    ref, ref_cache = S.conv2d_forward_im2col(x, w, b, stride, padding)
    naive, _ = S.conv2d_forward_naive(x, w, b, stride, padding)
    assert rel_error(fast, ref) < 1e-12 and rel_error(naive, ref) < 1e-12
    dout = rng.standard_normal(fast.shape)
    for g, r in zip(S.conv2d_backward(dout, fast_cache), S.conv2d_backward_im2col(dout, ref_cache)):
        assert rel_error(g, r) < 1e-12


def test_conv2d_naive_equals_fast():
    rng = np.random.default_rng(4)
    x, w, b = conv_case(rng, 2, 3, 9, 8, 4, 3, 2)
    slow, _ = S.conv2d_forward_naive(x, w, b, stride=2, padding=1)
    fast, _ = S.conv2d_forward(x, w, b, stride=2, padding=1)
    assert rel_error(slow, fast) < TOL


def test_conv_output_size():
    assert S.conv_output_size(8, 3, 1, 1) == 8
    assert S.conv_output_size(32, 5, 1, 0) == 28
    assert S.conv_output_size(7, 3, 2, 0) == 3
    assert S.conv_output_size(8, 3, 2, 1) == 4           # floor((8 + 2 - 3) / 2) + 1
    with pytest.raises(ValueError, match="larger than the padded input"):
        S.conv_output_size(3, 5, 1, 0)
    with pytest.raises(ValueError, match="S must be at least 1"):
        S.conv_output_size(8, 3, 0, 0)
    with pytest.raises(ValueError, match="P must be at least 0"):
        S.conv_output_size(8, 3, 1, -1)


# ---------------------------------------------------------------- pooling
POOL_CASES = [
    ((2, 3, 8, 8), 2, None),
    ((2, 2, 7, 9), 3, 2),
    ((1, 3, 6, 7), (2, 3), (1, 2)),
    ((2, 1, 5, 5), 2, 1),                     # overlapping windows
    ((1, 2, 4, 6), (4, 1), None),
]


def _check_pool_against_torch(kind, x, kernel, stride, rng):
    """Forward and backward of max/avg pooling against torch.nn.functional in float64."""
    fwd, bwd, tfn = {"max": (S.max_pool2d_forward, S.max_pool2d_backward, F.max_pool2d),
                     "avg": (S.avg_pool2d_forward, S.avg_pool2d_backward, F.avg_pool2d)}[kind]
    out, cache = fwd(x, kernel, stride)
    tx = t64(x)
    tout = tfn(tx, kernel, stride)
    assert rel_error(out, tout.detach().numpy()) < TOL
    dout = rng.standard_normal(out.shape)
    tout.backward(torch.tensor(dout))
    assert rel_error(bwd(dout, cache), tx.grad.numpy()) < TOL


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("xshape, kernel, stride", POOL_CASES)
def test_pool_matches_torch(kind, xshape, kernel, stride):
    rng = np.random.default_rng(5)
    x = rng.standard_normal(xshape)
    _check_pool_against_torch(kind, x, kernel, stride, rng)


@st.composite
def pool_shapes(draw):
    KH, KW = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = draw(st.none() | st.tuples(st.integers(1, 3), st.integers(1, 3)))
    H, W = draw(st.integers(KH, 9)), draw(st.integers(KW, 9))
    return (draw(st.integers(1, 3)), draw(st.integers(1, 3)), H, W), (KH, KW), stride, draw(st.integers(0, 2**32 - 1))


@settings(max_examples=30, deadline=None)
@given(pool_shapes(), st.sampled_from(["max", "avg"]))
def test_pool_property_matches_torch(case, kind):
    xshape, kernel, stride, seed = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(xshape)
    _check_pool_against_torch(kind, x, kernel, stride, rng)


@pytest.mark.parametrize("kernel, stride", [(2, None), (3, 1), ((2, 3), (1, 2))])
def test_max_pool_ties_follow_torch(kernel, stride):
    """With ties the first maximum of the window (row by row) gets the gradient, as in PyTorch."""
    x = np.random.default_rng(6).integers(0, 2, size=(2, 2, 7, 7)).astype(np.float64)
    out, cache = S.max_pool2d_forward(x, kernel, stride)
    tx = t64(x)
    tout = F.max_pool2d(tx, kernel, stride)
    dout = np.random.default_rng(7).standard_normal(out.shape)
    tout.backward(torch.tensor(dout))
    assert rel_error(out, tout.detach().numpy()) < TOL
    assert rel_error(S.max_pool2d_backward(dout, cache), tx.grad.numpy()) < TOL


@pytest.mark.parametrize("fwd, bwd", [(S.max_pool2d_forward, S.max_pool2d_backward),
                                      (S.avg_pool2d_forward, S.avg_pool2d_backward)])
def test_pool_numerical_gradient(fwd, bwd):
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 2, 5, 6))
    out, cache = fwd(x, (2, 3), (1, 2))
    dout = rng.standard_normal(out.shape)
    assert gradcheck(lambda: fwd(x, (2, 3), (1, 2))[0], x, bwd(dout, cache), dout=dout) < NUM_TOL


# ---------------------------------------------------------------- relu, linear, flatten, loss
def test_relu_matches_torch_and_gradcheck():
    rng = np.random.default_rng(9)
    x = rng.standard_normal((3, 4, 5))
    x[0, 0, :2] = 0.0                                       # gradient at 0 is 0, as in torch
    out, cache = S.relu_forward(x)
    tx = t64(x)
    tout = F.relu(tx)
    dout = rng.standard_normal(x.shape)
    tout.backward(torch.tensor(dout))
    assert rel_error(out, tout.detach().numpy()) < TOL
    assert rel_error(S.relu_backward(dout, cache), tx.grad.numpy()) < TOL
    x2 = x + np.where(x >= 0, 0.1, -0.1)                            # away from the kink for the numerical check
    _, cache2 = S.relu_forward(x2)
    assert gradcheck(lambda: S.relu_forward(x2)[0], x2, S.relu_backward(dout, cache2), dout=dout) < NUM_TOL


@pytest.mark.parametrize("N, D, M", [(1, 1, 1), (4, 7, 3), (16, 32, 10)])
def test_linear_matches_torch_and_gradcheck(N, D, M):
    rng = np.random.default_rng(10)
    x, W, b = rng.standard_normal((N, D)), rng.standard_normal((D, M)), rng.standard_normal(M)
    out, cache = S.linear_forward(x, W, b)
    tx, tW, tb = t64(x), t64(W), t64(b)
    tout = F.linear(tx, tW.T, tb)
    dout = rng.standard_normal(out.shape)
    tout.backward(torch.tensor(dout))
    dx, dW, db = S.linear_backward(dout, cache)
    assert rel_error(out, tout.detach().numpy()) < TOL
    for mine, theirs in ((dx, tx), (dW, tW), (db, tb)):
        assert rel_error(mine, theirs.grad.numpy()) < TOL
    f = lambda: S.linear_forward(x, W, b)[0]  # noqa: E731
    for arr, grad in ((x, dx), (W, dW), (b, db)):
        assert gradcheck(f, arr, grad, dout=dout) < NUM_TOL


def test_flatten_roundtrip():
    x = np.arange(2 * 3 * 4 * 5, dtype=np.float64).reshape(2, 3, 4, 5)
    assert S.flatten(x).shape == (2, 60)
    out, cache = S.flatten_forward(x)
    assert np.array_equal(out, torch.flatten(torch.tensor(x), 1).numpy())
    assert np.array_equal(S.flatten_backward(out, cache), x)
    layer = S.Flatten()
    assert np.array_equal(layer.backward(layer.forward(x)), x)


@pytest.mark.parametrize("N, K", [(1, 2), (5, 10), (32, 3)])
def test_softmax_cross_entropy_matches_torch(N, K):
    rng = np.random.default_rng(11)
    logits = rng.standard_normal((N, K)) * 3
    labels = rng.integers(0, K, size=N)
    loss, dlogits = S.softmax_cross_entropy(logits, labels)
    tl = t64(logits)
    tloss = F.cross_entropy(tl, torch.tensor(labels))
    tloss.backward()
    assert isinstance(loss, float)
    assert rel_error(loss, tloss.item()) < TOL
    assert rel_error(dlogits, tl.grad.numpy()) < TOL


def test_softmax_cross_entropy_gradcheck():
    rng = np.random.default_rng(18)
    logits, labels = rng.standard_normal((4, 5)), np.array([0, 4, 2, 2])
    _, dlogits = S.softmax_cross_entropy(logits, labels)
    assert gradcheck(lambda: S.softmax_cross_entropy(logits, labels)[0], logits, dlogits) < NUM_TOL


def test_softmax_cross_entropy_is_stable_for_large_logits():
    loss, d = S.softmax_cross_entropy(np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([0, 0]))
    assert np.isfinite(loss) and np.all(np.isfinite(d))
    assert abs(loss - 500.0) < 1e-9


# ---------------------------------------------------------------- dtypes
def test_float32_stays_float32():
    rng = np.random.default_rng(12)
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    out, cache = S.conv2d_forward(x, w, b, padding=1)
    assert out.dtype == np.float32
    assert all(g.dtype == np.float32 for g in S.conv2d_backward(np.ones_like(out), cache))
    for fwd, bwd in ((S.max_pool2d_forward, S.max_pool2d_backward), (S.avg_pool2d_forward, S.avg_pool2d_backward)):
        p, c = fwd(out, 2)
        assert p.dtype == np.float32 and bwd(np.ones_like(p), c).dtype == np.float32
    r, c = S.relu_forward(out)
    assert r.dtype == np.float32 and S.relu_backward(np.ones_like(r), c).dtype == np.float32
    h = S.flatten(r)
    W = rng.standard_normal((h.shape[1], 5)).astype(np.float32)
    o, c = S.linear_forward(h, W, np.zeros(5, np.float32))
    assert o.dtype == np.float32
    assert all(g.dtype == np.float32 for g in S.linear_backward(np.ones_like(o), c))
    _, d = S.softmax_cross_entropy(o, np.array([0, 4]))
    assert d.dtype == np.float32
    net = S.build_digits_cnn(seed=0)
    assert net.predict(np.zeros((2, 1, 8, 8), np.float32)).dtype == np.float32
    assert all(g.dtype == np.float32 for g in net.gradient(np.zeros((2, 1, 8, 8), np.float32),
                                                           np.array([1, 2])).values())


def test_float32_conv_is_close_to_torch():
    rng = np.random.default_rng(13)
    x = rng.standard_normal((4, 3, 10, 10)).astype(np.float32)
    w = rng.standard_normal((5, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    out, _ = S.conv2d_forward(x, w, b, stride=2, padding=1)
    ref = F.conv2d(torch.tensor(x), torch.tensor(w), torch.tensor(b), stride=2, padding=1).numpy()
    assert np.abs(out - ref).max() < 1e-4


# ---------------------------------------------------------------- errors that teach
x4 = np.zeros((2, 3, 8, 8))
w4 = np.zeros((4, 3, 3, 3))
b4 = np.zeros(4)


@pytest.mark.parametrize("call, match", [
    (lambda: S.conv2d_forward(np.zeros((3, 8, 8)), w4, b4), r"x must be 4-D \(N, C, H, W\), got shape \(3, 8, 8\)"),
    (lambda: S.conv2d_forward(x4, np.zeros((4, 3, 3)), b4), r"w must be 4-D"),
    (lambda: S.conv2d_forward(x4, np.zeros((4, 2, 3, 3)), b4), r"x has 3 channels but w expects 2"),
    (lambda: S.conv2d_forward(x4, w4, np.zeros(3)), r"b must have shape \(4,\)"),
    (lambda: S.conv2d_forward(x4, w4, np.zeros((4, 1))), r"b must have shape \(4,\)"),
    (lambda: S.conv2d_forward(x4, np.zeros((4, 3, 0, 3)), b4), r"kernel must be at least 1x1"),
    (lambda: S.conv2d_forward(x4, w4, b4, stride=0), r"stride must be at least 1"),
    (lambda: S.conv2d_forward(x4, w4, b4, stride=(1, 0)), r"stride must be at least 1"),
    (lambda: S.conv2d_forward(x4, w4, b4, stride=1.5), r"stride must be an int"),
    (lambda: S.conv2d_forward(x4, w4, b4, padding=-1), r"padding must be non-negative"),
    (lambda: S.conv2d_forward(x4, np.zeros((4, 3, 11, 3)), b4), r"kernel height 11 is larger than the padded input height"),
    (lambda: S.conv2d_forward(x4, np.zeros((4, 3, 3, 11)), b4, padding=1), r"kernel width 11 is larger than the padded input width 8 \+ 2\*1 = 10"),
    (lambda: S.conv2d_forward_naive(x4, np.zeros((4, 2, 3, 3)), b4), r"conv2d_forward_naive: x has 3 channels but w expects 2"),
    (lambda: S.conv2d_backward(np.zeros((2, 4, 5, 5)), S.conv2d_forward(x4, w4, b4)[1]), r"conv2d_backward: dout has shape"),
    (lambda: S.conv2d_backward(np.zeros((2, 4, 6, 6)), S.conv2d_forward_naive(x4, w4, b4)[1]), r"cache must be the one"),
    (lambda: S.max_pool2d_forward(np.zeros((8, 8)), 2), r"max_pool2d_forward: x must be 4-D"),
    (lambda: S.max_pool2d_forward(x4, 9), r"kernel height 9 is larger than the input height 8"),
    (lambda: S.max_pool2d_forward(x4, 2, stride=0), r"stride must be at least 1"),
    (lambda: S.avg_pool2d_forward(x4, 0), r"kernel_size must be at least 1"),
    (lambda: S.max_pool2d_backward(np.zeros((2, 3, 3, 3)), S.max_pool2d_forward(x4, 2)[1]), r"dout must have"),
    (lambda: S.linear_forward(np.zeros((2, 5)), np.zeros((4, 3)), np.zeros(3)), r"x has 5 features but W expects 4"),
    (lambda: S.linear_forward(np.zeros((2, 3, 4)), np.zeros((4, 3)), np.zeros(3)), r"x must be 2-D"),
    (lambda: S.linear_forward(np.zeros((2, 4)), np.zeros((4, 3)), np.zeros(4)), r"b must have shape \(3,\)"),
    (lambda: S.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3])), r"labels must be in \[0, 3\)"),
    (lambda: S.softmax_cross_entropy(np.zeros((2, 3)), np.array([-1, 0])), r"labels must be in \[0, 3\)"),
    (lambda: S.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 1, 2])), r"labels must have shape \(2,\)"),
    (lambda: S.softmax_cross_entropy(np.zeros((2, 3)), np.array([[0], [1]])), r"labels must have shape \(2,\)"),
    (lambda: S.softmax_cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0])), r"labels must be integers"),
    (lambda: S.softmax_cross_entropy(np.zeros(3), np.array([0])), r"logits must be 2-D"),
    (lambda: S.relu_backward(np.zeros(3), S.relu_forward(np.zeros(4))[1]), r"dout has shape"),
])
def test_bad_input_raises_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ---------------------------------------------------------------- layers, net, optimizers
def torch_digits_cnn(c1=4, c2=6, h1=12, h2=10, n_classes=10):
    nn = torch.nn
    return nn.Sequential(nn.Conv2d(1, c1, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(c1, c2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(c2 * 2 * 2, h1), nn.ReLU(), nn.Linear(h1, h2), nn.ReLU(),
                         nn.Linear(h2, n_classes)).double()


def test_torch_weights_give_identical_outputs_and_gradients():
    torch.manual_seed(0)
    tnet = torch_digits_cnn()
    net = S.build_digits_cnn(channels=(4, 6), hidden=(12, 10), dtype=np.float64)
    assert S.load_torch_state_dict(net, tnet.state_dict()) is net
    rng = np.random.default_rng(14)
    x = rng.random((5, 1, 8, 8))
    t = rng.integers(0, 10, size=5)
    assert rel_error(net.predict(x), tnet(torch.tensor(x)).detach().numpy()) < TOL
    grads = net.gradient(x, t)
    tloss = F.cross_entropy(tnet(torch.tensor(x)), torch.tensor(t))
    tloss.backward()
    assert rel_error(net.last_loss, tloss.item()) < TOL
    tparams = [p for p in tnet.parameters()]
    keys = list(net.params)
    assert len(keys) == len(tparams)
    for key, tp in zip(keys, tparams):
        tg = tp.grad.numpy()
        assert rel_error(grads[key], tg.T if tg.ndim == 2 else tg) < TOL


def test_load_torch_state_dict_rejects_a_different_net():
    tnet = torch_digits_cnn(c1=5)
    net = S.build_digits_cnn(channels=(4, 6), hidden=(12, 10), dtype=np.float64)
    with pytest.raises(ValueError, match="has shape"):
        S.load_torch_state_dict(net, tnet.state_dict())
    with pytest.raises(ValueError, match="weight/bias entries"):
        S.load_torch_state_dict(net, dict(list(tnet.state_dict().items())[:4]))


def test_sequential_numerical_gradient():
    rng = np.random.default_rng(15)
    net = S.Sequential(S.Conv2d(2, 3, (3, 2), padding=1, rng=rng, dtype=np.float64), S.ReLU(),
                       S.MaxPool2d(2), S.Conv2d(3, 2, 2, stride=1, rng=rng, dtype=np.float64),
                       S.AvgPool2d(2, 1), S.Flatten(), S.Linear(2 * 1 * 2, 3, rng=rng, dtype=np.float64))
    for p in net.params.values():
        p += rng.standard_normal(p.shape) * 0.1           # non-zero biases
    x = rng.standard_normal((3, 2, 6, 7))
    t = np.array([0, 2, 1])
    grads = net.gradient(x, t)
    for key, p in net.params.items():
        assert gradcheck(lambda: net.loss(x, t), p, grads[key]) < NUM_TOL, key


@pytest.mark.parametrize("name, kwargs", [("SGD", dict(lr=0.1)), ("SGD", dict(lr=0.1, momentum=0.9)),
                                          ("SGD", dict(lr=0.1, momentum=0.5, weight_decay=0.01)),
                                          ("Adam", dict(lr=0.01)), ("Adam", dict(lr=0.01, weight_decay=0.1))])
def test_optimizers_match_torch(name, kwargs):
    rng = np.random.default_rng(16)
    p0 = rng.standard_normal((3, 4))
    params = {"p": p0.copy()}
    tp = torch.nn.Parameter(torch.tensor(p0))
    opt, topt = getattr(S, name)(**kwargs), getattr(torch.optim, name)([tp], **kwargs)
    for _ in range(5):
        g = rng.standard_normal(p0.shape)
        opt.update(params, {"p": g})
        tp.grad = torch.tensor(g)
        topt.step()
    assert rel_error(params["p"], tp.detach().numpy()) < TOL


# ---------------------------------------------------------------- training for real
def test_random_shift_moves_whole_images():
    x = np.random.default_rng(19).random((20, 1, 8, 8))
    shifted = S.random_shift(x, 1, np.random.default_rng(0))
    assert shifted.shape == x.shape
    for a, b in zip(x, shifted):        # each image is the original moved by (dy, dx) in {-1, 0, 1}^2
        padded = np.pad(a, ((0, 0), (1, 1), (1, 1)))
        assert any(np.array_equal(padded[:, dy:dy + 8, dx:dx + 8], b) for dy in range(3) for dx in range(3))
    assert S.random_shift(x, 0, np.random.default_rng(0)) is x


def test_training_is_deterministic():
    X = np.random.default_rng(17).random((64, 1, 8, 8), dtype=np.float32)
    y = np.arange(64) % 10
    a = S.train_digits_cnn(X[:48], y[:48], X[48:], y[48:], epochs=2, seed=3)
    b = S.train_digits_cnn(X[:48], y[:48], X[48:], y[48:], epochs=2, seed=3)
    assert a["history"] == b["history"]


def test_digits_cnn_reaches_98_5_percent():
    """The default net and recipe (chosen on validation splits of the training images, bench/tune_digits.py):
    99.33% with seed 0 on the machine it was chosen on (99.19% averaged over seeds 0-2); 98.5% leaves
    room for other CPUs' rounding."""
    from nnbook.cnn.data import load_digits_split
    X_train, X_test, y_train, y_test = load_digits_split()
    with nnbook.one_thread():          # the digits CNN's matrices are small: one BLAS thread
        result = S.train_digits_cnn(X_train, y_train, X_test, y_test, seed=0)
    print(f"digits CNN (NumPy, 1 BLAS thread): test accuracy {result['test_accuracy']:.4f} "
          f"in {result['seconds']:.1f} s")
    assert len(result["history"]) > 0
    assert result["test_accuracy"] >= 0.985
