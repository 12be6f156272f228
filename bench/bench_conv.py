"""Benchmark: nnbook.scratch.conv2d (NumPy) against torch.nn.functional.conv2d, in the same run.

Run:  .venv/bin/python bench/bench_conv.py [--repeats 30] [--threads 2] [--same-process]

float32, stride 1, padding 0, the same number of threads for both (default 2: torch.set_num_threads,
and for NumPy's BLAS OPENBLAS_NUM_THREADS, set before NumPy is imported, and threadpoolctl's limit,
which also allows more threads than cores). Forward alone (torch
under no_grad) and forward + backward (torch autograd with x, w, b all requiring gradients, so it
computes dx, dw and db as NumPy does); the best (minimum) of --repeats calls is kept.

Each library is timed in its own worker process (three rounds, taking turns, so a moment of load
hits both alike): after a call, PyTorch's OpenMP threads and OpenBLAS's threads keep spinning for
a while, and in one process each library's idle threads would slow the other down (by up to a
third here). --same-process times both in this process instead, in blocks taking turns.
Goals (issue 19): NumPy/PyTorch <= 3.0x with 1 and 2 threads, <= 4.0x with more.
The last line, `RESULT {...}`, repeats the numbers as JSON for `bench/run_all.py`.
"""
import argparse
import os
import sys
import time

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--repeats", type=int, default=30, help="timings per variant (best is kept)")
parser.add_argument("--threads", type=int, default=2, help="threads for both libraries")
parser.add_argument("--same-process", action="store_true", help="time both libraries in this process")
parser.add_argument("--part-cost", type=int, help="override nnbook.scratch._threads.PART_COST (tuning)")
parser.add_argument("--worker", choices=["numpy", "torch"], help=argparse.SUPPRESS)
args = parser.parse_args()
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(args.threads))   # before NumPy loads OpenBLAS

import json  # noqa: E402
import subprocess  # noqa: E402

import numpy as np  # noqa: E402

if args.worker != "numpy":                    # the NumPy worker never loads PyTorch
    import torch  # noqa: E402
    import torch.nn.functional as F  # noqa: E402

from threadpoolctl import threadpool_limits  # noqa: E402

if not any(os.path.isdir(os.path.join(p, "nnbook")) for p in sys.path if p):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from nnbook.scratch import _threads, conv2d_backward, conv2d_forward  # noqa: E402

from bench_scaling import conv_data, parts_of  # noqa: E402  (bench/ is on sys.path when a script in it runs)

if args.part_cost:
    _threads.PART_COST = args.part_cost

SHAPES = [  # N, C, H(=W), F, K
    (64, 3, 32, 16, 5),
    (64, 16, 14, 32, 3),
    (128, 1, 28, 8, 3),
]
GOAL = 3.0 if args.threads <= 2 else 4.0


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def make_data(N, C, H, Fn, K, seed):
    """x: (N, C, H, H), w: (Fn, C, K, K), b: (Fn,), dout: (N, Fn, H-K+1, H-K+1), float32, from seed."""
    _, x, w, b, _, dout = conv_data(seed, (N, C, H, Fn, K, 0))
    return x, w, b, dout


def variants(lib, x, w, b, dout):
    """The two timed calls of one library: forward, forward + backward."""
    if lib == "numpy":
        def fwd():
            conv2d_forward(x, w, b)

        def fwd_bwd():
            _, cache = conv2d_forward(x, w, b)
            conv2d_backward(dout, cache)
        return {"fwd": fwd, "fb": fwd_bwd}
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    tdout = torch.tensor(dout)

    def torch_fwd():
        with torch.no_grad():
            F.conv2d(tx, tw, tb)

    def torch_fwd_bwd():
        tx.grad = tw.grad = tb.grad = None
        F.conv2d(tx, tw, tb).backward(tdout)
    return {"fwd": torch_fwd, "fb": torch_fwd_bwd}


def best_times(fns, repeats, rounds=1):
    """Best time of each function over `repeats` calls, in `rounds` blocks taking turns."""
    for fn in fns.values():                      # warm up
        fn()
        fn()
    best = {k: float("inf") for k in fns}
    for _ in range(rounds):
        for k, fn in fns.items():
            for _ in range(max(1, repeats // rounds)):
                best[k] = min(best[k], timed(fn))
    return best


def worker(lib, repeats):
    """Time one library on every shape; print {shape index: {"fwd": s, "fb": s}} as JSON."""
    if lib == "torch":
        torch.set_num_threads(args.threads)
    with threadpool_limits(limits=args.threads, user_api="blas"):
        result = {i: best_times(variants(lib, *make_data(*shape, seed=i)), repeats)
                  for i, shape in enumerate(SHAPES)}
    print(json.dumps(result))


def max_rel_error(x, w, b, dout):
    """Largest error of NumPy's out, dx, dw, db relative to PyTorch's (float32: about 1e-6)."""
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    ref = F.conv2d(tx, tw, tb)
    ref.backward(torch.tensor(dout))
    out, cache = conv2d_forward(x, w, b)
    mine = (out, *conv2d_backward(dout, cache))
    theirs = (ref.detach(), tx.grad, tw.grad, tb.grad)
    return max(float(np.abs(a - r.numpy()).max() / np.abs(r.numpy()).max()) for a, r in zip(mine, theirs))


def measure(repeats):
    """{shape index: {"torch_fwd", "numpy_fwd", "torch_fb", "numpy_fb"}}: best seconds."""
    best = {i: {} for i in range(len(SHAPES))}
    if args.same_process:
        with threadpool_limits(limits=args.threads, user_api="blas"):
            for i, shape in enumerate(SHAPES):
                data = make_data(*shape, seed=i)
                fns = {f"{lib}_{k}": fn for lib in ("torch", "numpy") for k, fn in variants(lib, *data).items()}
                best[i] = best_times({k: fns[k] for k in ("torch_fwd", "numpy_fwd", "torch_fb", "numpy_fb")},
                                     repeats, rounds=5)
        return best
    rounds = 3
    for r in range(rounds):
        for lib in (("numpy", "torch") if r % 2 else ("torch", "numpy")):
            done = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", lib,
                                   "--repeats", str(max(1, repeats // rounds)), "--threads", str(args.threads)]
                                  + (["--part-cost", str(args.part_cost)] if args.part_cost else []),
                                  check=True, capture_output=True, text=True)
            for i, times in json.loads(done.stdout).items():
                for k, t in times.items():
                    key = f"{lib}_{k}"
                    best[int(i)][key] = min(best[int(i)].get(key, float("inf")), t)
    return best


def main():
    if args.worker:
        return worker(args.worker, args.repeats)
    torch.set_num_threads(args.threads)
    where = "one process" if args.same_process else "a worker process per library"
    print(f"conv2d, float32, stride 1, padding 0, {args.threads} thread(s) (NumPy's BLAS and torch "
          f"{torch.get_num_threads()}), best of {args.repeats}, {where}; NumPy {np.__version__}, PyTorch "
          f"{torch.__version__.split('+')[0]}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
          + (f"; PART_COST {_threads.PART_COST}" if args.part_cost else ""))
    errors = [max_rel_error(*make_data(*shape, seed=i)) for i, shape in enumerate(SHAPES)]
    best = measure(args.repeats)
    with threadpool_limits(limits=args.threads, user_api="blas"):
        parts = [int(parts_of(lambda x=x, w=w, b=b: conv2d_forward(x, w, b)))       # threads of the forward pass
                 for x, w, b, _ in (make_data(*shape, seed=i) for i, shape in enumerate(SHAPES))]
    header = (f"{'shape (N, C, H=W, F, K)':<26}{'torch fwd':>11}{'numpy fwd':>11}{'ratio':>7}"
              f"{'torch f+b':>11}{'numpy f+b':>11}{'ratio':>7}{'thr':>5}{'max rel err':>13}")
    print(header)
    print("-" * len(header))
    worst = 0.0
    rows = []
    for i, (N, C, H, Fn, K) in enumerate(SHAPES):
        t = {k: v * 1e3 for k, v in best[i].items()}
        r_f = t["numpy_fwd"] / t["torch_fwd"]
        r_fb = t["numpy_fb"] / t["torch_fb"]
        worst = max(worst, r_f, r_fb)
        print(f"{f'N{N} C{C} {H}x{H} F{Fn} K{K}':<26}{t['torch_fwd']:>9.2f}ms{t['numpy_fwd']:>9.2f}ms"
              f"{r_f:>6.2f}x{t['torch_fb']:>9.2f}ms{t['numpy_fb']:>9.2f}ms{r_fb:>6.2f}x{parts[i]:>5}"
              f"{errors[i]:>13.1e}")
        rows.append({"shape": f"N{N} C{C} {H}x{H} F{Fn} K{K}", **t, "parts_fwd": parts[i]})
    verdict = "met" if worst <= GOAL else "NOT met"
    print(f"worst ratio {worst:.2f}x; goal <= {GOAL:.1f}x: {verdict}")
    print("RESULT " + json.dumps({"bench": "conv", "threads": args.threads, "rows": rows, "worst": worst,
                                  "goal": GOAL}))


if __name__ == "__main__":
    main()
