"""Benchmark: nnbook.scratch.conv2d (NumPy) against torch.nn.functional.conv2d, in the same run.

Run:  .venv/bin/python bench/bench_conv.py [--repeats 30] [--threads 2]

float32, stride 1, padding 0, the same number of threads for both (default 2: torch.set_num_threads
and OPENBLAS_NUM_THREADS, set before NumPy is imported, unless already set). Forward alone (torch
under no_grad) and forward + backward (torch autograd with x, w, b all requiring gradients, so it
computes dx, dw and db as NumPy does). Each variant runs in blocks of --repeats/5 calls in a row,
five rounds taking turns, and the best (minimum) call of each is kept: a moment of load on the
machine hits both libraries alike, and one library's idle worker threads (OpenMP and OpenBLAS
both spin for a while after a call) do not compete with the other's. Goal (issue 3):
NumPy/PyTorch <= 3.0x.
"""
import argparse
import os
import sys
import time

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--repeats", type=int, default=30, help="timings per variant (best is kept)")
parser.add_argument("--threads", type=int, default=2, help="threads for both libraries")
args = parser.parse_args()
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(args.threads))   # before NumPy loads OpenBLAS

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from nnbook.scratch import conv2d_backward, conv2d_forward  # noqa: E402

SHAPES = [  # N, C, H(=W), F, K
    (64, 3, 32, 16, 5),
    (64, 16, 14, 32, 3),
    (128, 1, 28, 8, 3),
]
GOAL = 3.0


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def bench_shape(N, C, H, Fn, K, repeats, rng):
    x = rng.standard_normal((N, C, H, H), dtype=np.float32)
    w = rng.standard_normal((Fn, C, K, K), dtype=np.float32)
    b = rng.standard_normal(Fn, dtype=np.float32)
    out, _ = conv2d_forward(x, w, b)
    dout = rng.standard_normal(out.shape, dtype=np.float32)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    tdout = torch.tensor(dout)

    def torch_fwd():
        with torch.no_grad():
            F.conv2d(tx, tw, tb)

    def torch_fwd_bwd():
        tx.grad = tw.grad = tb.grad = None
        F.conv2d(tx, tw, tb).backward(tdout)

    def numpy_fwd():
        conv2d_forward(x, w, b)

    def numpy_fwd_bwd():
        _, cache = conv2d_forward(x, w, b)
        conv2d_backward(dout, cache)

    # the same answer first (float32: agreement to about 1e-4 relative)
    torch_fwd_bwd()
    o, cache = conv2d_forward(x, w, b)
    dx, dw, db = conv2d_backward(dout, cache)
    with torch.no_grad():
        ref = F.conv2d(tx, tw, tb).numpy()
    err = max(float(np.abs(a - r).max() / np.abs(r).max())
              for a, r in ((o, ref), (dx, tx.grad.numpy()), (dw, tw.grad.numpy()), (db, tb.grad.numpy())))

    fns = {"torch_fwd": torch_fwd, "numpy_fwd": numpy_fwd,
           "torch_fb": torch_fwd_bwd, "numpy_fb": numpy_fwd_bwd}
    for fn in fns.values():                      # warm up
        fn()
        fn()
    best = {k: float("inf") for k in fns}
    rounds = 5
    for _ in range(rounds):
        for k, fn in fns.items():
            for _ in range(max(1, repeats // rounds)):
                best[k] = min(best[k], timed(fn))
    return best, err


def main():
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    print(f"conv2d, float32, stride 1, padding 0, {args.threads} thread(s) (OPENBLAS_NUM_THREADS="
          f"{os.environ['OPENBLAS_NUM_THREADS']}, torch {torch.get_num_threads()}), best of {args.repeats}; "
          f"NumPy {np.__version__}, PyTorch {torch.__version__.split('+')[0]}; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    header = (f"{'shape (N, C, H=W, F, K)':<26}{'torch fwd':>11}{'numpy fwd':>11}{'ratio':>7}"
              f"{'torch f+b':>11}{'numpy f+b':>11}{'ratio':>7}{'max rel err':>13}")
    print(header)
    print("-" * len(header))
    worst = 0.0
    for N, C, H, Fn, K in SHAPES:
        best, err = bench_shape(N, C, H, Fn, K, args.repeats, rng)
        r_f = best["numpy_fwd"] / best["torch_fwd"]
        r_fb = best["numpy_fb"] / best["torch_fb"]
        worst = max(worst, r_f, r_fb)
        ms = {k: v * 1e3 for k, v in best.items()}
        print(f"{f'N{N} C{C} {H}x{H} F{Fn} K{K}':<26}{ms['torch_fwd']:>9.2f}ms{ms['numpy_fwd']:>9.2f}ms"
              f"{r_f:>6.2f}x{ms['torch_fb']:>9.2f}ms{ms['numpy_fb']:>9.2f}ms{r_fb:>6.2f}x{err:>13.1e}")
    verdict = "met" if worst <= GOAL else "NOT met"
    print(f"worst ratio {worst:.2f}x; goal <= {GOAL:.1f}x: {verdict}")


if __name__ == "__main__":
    main()
