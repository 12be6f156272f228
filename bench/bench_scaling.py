"""Does the NumPy convolution get slower with more threads? Time at 1, 2, 4, ... threads, in one process.

    .venv/bin/python bench/bench_scaling.py [--threads 1,2,4,8,16] [--rounds 30] [--ignore-cores]

NumPy only (no PyTorch in the process). For each shape, forward and forward+backward are timed with
NumPy's BLAS limited to t threads (threadpoolctl, which allows more threads than cores): each timing
is a run of calls lasting about 2 ms, the thread counts take turns right after one another (shuffled)
so that a busy moment hits all of them, and the best of --rounds is kept. The rule (issue 19): time with 2t threads <= 1.05 x time with t threads. The number in
brackets is how many threads `nnbook.scratch._threads.part_count` lets work on the forward pass.
--ignore-cores lets the rule believe the machine has as many cores as threads (to watch the work
limit alone on a machine with fewer cores; then the extra threads share the cores).
The last line, `RESULT {...}`, repeats the numbers as JSON for `bench/run_all.py`.
"""
import argparse
import json
import os
import random
import sys
import time

import numpy as np
from threadpoolctl import threadpool_limits

if not any(os.path.isdir(os.path.join(p, "nnbook")) for p in sys.path if p):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from nnbook.scratch import _threads, conv2d_backward, conv2d_forward  # noqa: E402

SHAPES = [  # N, C, H(=W), F, K, padding: the three bench shapes, then the digits CNN's two convolutions
    (64, 3, 32, 16, 5, 0),
    (64, 16, 14, 32, 3, 0),
    (128, 1, 28, 8, 3, 0),
    (32, 1, 8, 24, 3, 1),
    (32, 24, 4, 48, 3, 1),
]
LIMIT = 1.05


def cases():
    """{(shape label, 'fwd' or 'f+b'): (function, N, forward work)} on float32 data."""
    out = {}
    for i, (N, C, H, F, K, P) in enumerate(SHAPES):
        rng = np.random.default_rng(i)
        x = rng.standard_normal((N, C, H, H), dtype=np.float32)
        w = rng.standard_normal((F, C, K, K), dtype=np.float32)
        b = rng.standard_normal(F, dtype=np.float32)
        Ho = H + 2 * P - K + 1
        dout = rng.standard_normal((N, F, Ho, Ho), dtype=np.float32)
        label = f"N{N} C{C} {H}x{H} F{F} K{K}" + (f" P{P}" if P else "")
        work = N * (C * K * K + 1) * Ho * (H + 2 * P) * (F + 16)

        def fwd(x=x, w=w, b=b, P=P):
            conv2d_forward(x, w, b, padding=P)

        def fb(x=x, w=w, b=b, P=P, dout=dout):
            conv2d_backward(dout, conv2d_forward(x, w, b, padding=P)[1])
        out[(label, "fwd")] = (fwd, N, work)
        out[(label, "f+b")] = (fb, N, work)
    return out


def measure(threads, rounds, ignore_cores, seconds=2e-3):
    """Best time per call of every case at every thread count, in seconds, and the part counts.

    Each timing runs a case `reps` times in a row (as many calls as take about `seconds`), so that a
    0.1 ms call is not at the mercy of one interruption; in each round every case is timed at all thread
    counts one right after the other, in a shuffled order, so that a busy moment of the machine hits them
    alike. The best of `rounds` is kept.
    """
    fns = cases()
    best = {(key, t): float("inf") for key in fns for t in threads}
    parts, reps = {}, {}
    if ignore_cores:
        _threads.cores = lambda: max(threads)
    for t in threads:                               # warm up, and the part counts
        with threadpool_limits(limits=t, user_api="blas"):
            for key, (fn, N, work) in fns.items():
                fn()
                parts[key, t] = _threads.split_batch(N, work, N)[0]
    for key, (fn, _, _) in fns.items():             # calls per timing
        t0 = time.perf_counter()
        fn()
        reps[key] = max(1, round(seconds / (time.perf_counter() - t0)))
    order = random.Random(0)
    for _ in range(rounds):
        for key, (fn, _, _) in fns.items():
            for t in order.sample(threads, len(threads)):
                with threadpool_limits(limits=t, user_api="blas"):
                    t0 = time.perf_counter()
                    for _ in range(reps[key]):
                        fn()
                    best[key, t] = min(best[key, t], (time.perf_counter() - t0) / reps[key])
    return fns, best, parts


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", default="1,2,4,8,16")
    p.add_argument("--rounds", type=int, default=60)
    p.add_argument("--ignore-cores", action="store_true")
    p.add_argument("--part-cost", type=int, help="override nnbook.scratch._threads.PART_COST (tuning)")
    a = p.parse_args()
    if a.part_cost:
        _threads.PART_COST = a.part_cost
    threads = [int(t) for t in a.threads.split(",")]
    fns, best, parts = measure(threads, a.rounds, a.ignore_cores)
    print(f"NumPy conv2d (float32) at 1..{max(threads)} threads on {_threads.cores()} cores"
          f"{' (--ignore-cores: the rule assumes ' + str(max(threads)) + ')' if a.ignore_cores else ''}, "
          f"best of {a.rounds} rounds, PART_COST {_threads.PART_COST}; load average {os.getloadavg()[0]:.1f}")
    head = f"{'shape':<26}{'':>4}" + "".join(f"{f'{t} thr':>14}" for t in threads) + f"{'worst 2t/t':>12}"
    print(head)
    print("-" * len(head))
    rows, worst_all = [], 0.0
    for key in fns:
        ms = [best[key, t] * 1e3 for t in threads]
        steps = [ms[j + 1] / ms[j] for j in range(len(threads) - 1) if threads[j + 1] == 2 * threads[j]]
        worst = max(steps) if steps else 0.0
        worst_all = max(worst_all, worst)
        cells = "".join(f"{f'{m:.3f} ({parts[key, t]})':>14}" for m, t in zip(ms, threads))
        print(f"{key[0]:<26}{key[1]:>4}{cells}{worst:>11.2f}x")
        rows.append({"shape": key[0], "pass": key[1], "ms": ms, "parts": [parts[key, t] for t in threads]})
    print(f"milliseconds (threads working); worst time(2t) / time(t) {worst_all:.2f}; rule <= {LIMIT}: "
          f"{'met' if worst_all <= LIMIT else 'NOT met'}")
    print("RESULT " + json.dumps({"bench": "scaling", "threads": threads, "rows": rows, "worst": worst_all,
                                  "part_cost": _threads.PART_COST, "ignore_cores": a.ignore_cores}))


if __name__ == "__main__":
    main()
