"""Does the NumPy convolution get slower with more threads? Time at 1, 2, 4, ... threads, in one process.

    .venv/bin/python bench/bench_scaling.py [--threads 1,2,4,8,16] [--rounds 400] [--ignore-cores]

NumPy only (no PyTorch in the process). For each shape, forward and forward+backward are timed with
NumPy's BLAS limited to t threads (threadpoolctl, which allows more threads than cores), one call at a
time: in each round every thread count gets one untimed call (to warm up with that setting) and one
timed call, the counts in a shuffled order, so that a slow moment of the machine (on a virtual machine
they last up to a second or so) falls on all counts alike. Of --rounds calls the 10th percentile (the
rule's time: a typical call that nothing else interrupted) and the median are kept. The rule (issue 19):
time with 2t threads <= 1.05 x time with t threads. The numbers in brackets are the threads
`nnbook.scratch._threads.split_batch` lets work (forward, and backward for f+b).
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
from nnbook.scratch import _threads, conv, conv2d_backward, conv2d_forward  # noqa: E402

SHAPES = [  # N, C, H(=W), F, K, padding: the three bench shapes, then the two convolutions of the digits CNN
    (64, 3, 32, 16, 5, 0),    # (nnbook.scratch.DIGITS_NET, batches of 32), then the LeNet-like net's second one
    (64, 16, 14, 32, 3, 0),
    (128, 1, 28, 8, 3, 0),
    (32, 1, 8, 32, 3, 1),
    (32, 32, 8, 64, 3, 1),
    (32, 24, 4, 48, 3, 1),
]
LIMIT = 1.05


def conv_data(seed, shape):
    """label, x, w, b, padding and an upstream gradient dout for one (N, C, H(=W), F, K, padding) shape, float32."""
    N, C, H, F, K, P = shape
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, C, H, H), dtype=np.float32)
    w = rng.standard_normal((F, C, K, K), dtype=np.float32)
    b = rng.standard_normal(F, dtype=np.float32)
    Ho = H + 2 * P - K + 1
    dout = rng.standard_normal((N, F, Ho, Ho), dtype=np.float32)
    return f"N{N} C{C} {H}x{H} F{F} K{K}" + (f" P{P}" if P else ""), x, w, b, P, dout


def cases():
    """{(shape label, 'fwd' or 'f+b'): function} on float32 data."""
    out = {}
    for i, shape in enumerate(SHAPES):
        label, x, w, b, P, dout = conv_data(i, shape)

        def fwd(x=x, w=w, b=b, P=P):
            conv2d_forward(x, w, b, padding=P)

        def fb(x=x, w=w, b=b, P=P, dout=dout):
            conv2d_backward(dout, conv2d_forward(x, w, b, padding=P)[1])
        out[(label, "fwd")] = fwd
        out[(label, "f+b")] = fb
    return out


def parts_of(fn):
    """The threads split_batch lets work in each convolution the call makes."""
    seen, split = [], conv.split_batch

    def recording(N, work, piece):
        k, items = split(N, work, piece)
        seen.append(k)
        return k, items
    conv.split_batch = recording
    try:
        fn()
    finally:
        conv.split_batch = split
    return "/".join(map(str, seen))


def measure(threads, rounds, ignore_cores):
    """{(case, t): [seconds of each timed call]} and {(case, t): threads working}; see the module docstring."""
    fns = cases()
    times = {(key, t): [] for key in fns for t in threads}
    parts = {}
    if ignore_cores:
        _threads.cores = lambda: max(threads)
    for t in threads:                               # warm up, and the part counts
        with threadpool_limits(limits=t, user_api="blas"):
            for key, fn in fns.items():
                fn()
                parts[key, t] = parts_of(fn)
    order = random.Random(0)
    for _ in range(rounds):
        for key, fn in fns.items():
            for t in order.sample(threads, len(threads)):
                with threadpool_limits(limits=t, user_api="blas"):
                    fn()
                    t0 = time.perf_counter()
                    fn()
                    times[key, t].append(time.perf_counter() - t0)
    return fns, times, parts


def worst_step(ms, threads):
    """The largest time(2t) / time(t) over the thread counts that double."""
    steps = [ms[j + 1] / ms[j] for j in range(len(threads) - 1) if threads[j + 1] == 2 * threads[j]]
    return max(steps) if steps else 0.0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", default="1,2,4,8,16")
    p.add_argument("--rounds", type=int, default=400)
    p.add_argument("--ignore-cores", action="store_true")
    p.add_argument("--part-cost", type=int, help="override nnbook.scratch._threads.PART_COST (tuning)")
    a = p.parse_args()
    if a.part_cost:
        _threads.PART_COST = a.part_cost
    threads = [int(t) for t in a.threads.split(",")]
    fns, times, parts = measure(threads, a.rounds, a.ignore_cores)
    print(f"NumPy conv2d (float32) at 1..{max(threads)} threads on {_threads.cores()} cores"
          f"{' (--ignore-cores: the rule assumes ' + str(max(threads)) + ')' if a.ignore_cores else ''}, "
          f"{a.rounds} calls each, PART_COST {_threads.PART_COST}; load average {os.getloadavg()[0]:.1f}")
    head = f"{'shape':<26}{'':>4}" + "".join(f"{f'{t} thr':>15}" for t in threads) + f"{'worst 2t/t':>12}{'(median)':>10}"
    print(head)
    print("-" * len(head))
    rows, worst_all, worst_median = [], 0.0, 0.0
    for key in fns:
        ms = [float(np.percentile(times[key, t], 10)) * 1e3 for t in threads]
        median = [float(np.median(times[key, t])) * 1e3 for t in threads]
        worst, worst_m = worst_step(ms, threads), worst_step(median, threads)
        worst_all, worst_median = max(worst_all, worst), max(worst_median, worst_m)
        cells = "".join(f"{f'{m:.3f} ({parts[key, t]})':>15}" for m, t in zip(ms, threads))
        print(f"{key[0]:<26}{key[1]:>4}{cells}{worst:>11.2f}x{worst_m:>9.2f}x")
        rows.append({"shape": key[0], "pass": key[1], "ms": ms, "median_ms": median,
                     "parts": [parts[key, t] for t in threads]})
    print(f"milliseconds, 10th percentile of single calls (threads working); worst time(2t) / time(t) "
          f"{worst_all:.2f} (medians: {worst_median:.2f}); rule <= {LIMIT}: {'met' if worst_all <= LIMIT else 'NOT met'}")
    print("RESULT " + json.dumps({"bench": "scaling", "threads": threads, "rows": rows, "worst": worst_all,
                                  "worst_median": worst_median, "part_cost": _threads.PART_COST,
                                  "ignore_cores": a.ignore_cores}))


if __name__ == "__main__":
    main()
