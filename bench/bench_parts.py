"""When does a second thread pay? The measurement behind `nnbook.scratch._threads.PART_COST`.

    .venv/bin/python bench/bench_parts.py [--rounds 200] [--gain 0.10]

Times the NumPy convolution's forward and backward passes (float32) on convolutions of many sizes,
each with its batch kept in one part and split into two parts (two threads), whatever `part_count`
would choose. One call at a time, the two settings alternating in a shuffled order, each timed call
after an untimed one with the same setting; the 10th percentile and the median of --rounds calls
are kept. Rows are sorted by the call's work (multiply-adds, as the convolution passes it to
`split_batch`). The last line says the smallest work from which on every call gained at least
--gain from the second thread at the median, and the PART_COST that makes two parts start there
(`part_count` gives two parts from work 8 * PART_COST on), then `RESULT {...}` as JSON.
Needs two cores that are otherwise idle.
"""
import argparse
import json
import os
import random
import sys
import time

import numpy as np

if not any(os.path.isdir(os.path.join(p, "nnbook")) for p in sys.path if p):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from nnbook.scratch import _threads, conv, conv2d_backward, conv2d_forward  # noqa: E402

from bench_scaling import conv_data  # noqa: E402  (bench/ is on sys.path when a script in it runs)

SHAPES = [  # N, C, H(=W), F, K, padding: the bench shapes, the digits CNN's (DIGITS_NET, then the
    # LeNet-like net's), and sizes between them
    (64, 3, 32, 16, 5, 0), (16, 3, 32, 16, 5, 0), (24, 3, 32, 16, 5, 0),
    (64, 16, 14, 32, 3, 0), (24, 16, 14, 32, 3, 0), (32, 16, 14, 32, 3, 0),
    (64, 1, 28, 8, 3, 0), (128, 1, 28, 8, 3, 0), (192, 1, 28, 8, 3, 0), (256, 1, 28, 8, 3, 0),
    (32, 1, 8, 32, 3, 1), (32, 32, 8, 64, 3, 1),
    (32, 1, 8, 24, 3, 1), (128, 1, 8, 24, 3, 1), (256, 1, 8, 24, 3, 1),
    (32, 24, 4, 48, 3, 1), (64, 24, 4, 48, 3, 1), (96, 24, 4, 48, 3, 1), (128, 24, 4, 48, 3, 1),
    (32, 3, 32, 8, 3, 1), (64, 3, 32, 8, 3, 1), (128, 3, 32, 8, 3, 1),
]
PARTS = {"k": 1}                                   # the part count every call gets now


def cases():
    """[(label, pass, work, function)] for every shape's forward and backward pass, on float32 data."""
    out = []
    for i, shape in enumerate(SHAPES):
        label, x, w, b, P, dout = conv_data(i, shape)
        cache = conv2d_forward(x, w, b, padding=P)[1]
        fwd = lambda x=x, w=w, b=b, P=P: conv2d_forward(x, w, b, padding=P)     # noqa: E731
        bwd = lambda dout=dout, cache=cache: conv2d_backward(dout, cache)      # noqa: E731
        out += [(label, "fwd", work_of(fwd), fwd), (label, "bwd", work_of(bwd), bwd)]
    return out


def work_of(fn):
    """The work the call passes to split_batch."""
    seen, split = [], conv.split_batch
    conv.split_batch = lambda N, work, piece: seen.append(work) or split(N, work, piece)
    try:
        fn()
    finally:
        conv.split_batch = split
    return seen[0]


def measure(rounds):
    """{(label, pass, k): [seconds of each timed call]} for k = 1 and 2 parts."""
    _threads.part_count = lambda N, work, threads, cores: max(1, min(PARTS["k"], N))
    todo = cases()
    times = {(label, p, k): [] for label, p, _, _ in todo for k in (1, 2)}
    order = random.Random(0)
    for _ in range(rounds):
        for label, p, _, fn in todo:
            for k in order.sample([1, 2], 2):
                PARTS["k"] = k
                fn()                               # untimed: the same setting warms up
                t0 = time.perf_counter()
                fn()
                times[label, p, k].append(time.perf_counter() - t0)
    return todo, times


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--gain", type=float, default=0.10)
    a = ap.parse_args()
    todo, times = measure(a.rounds)
    print(f"NumPy conv (float32), one part against two, {a.rounds} alternating calls each, {_threads.cores()} cores, "
          f"load average {os.getloadavg()[0]:.1f}; ms, 10th percentile and median; ratio = two parts / one")
    head = f"{'shape':<26}{'pass':>5}{'work/2^21':>10}{'p10 1':>8}{'p10 2':>8}{'ratio':>7}{'med 1':>8}{'med 2':>8}{'ratio':>7}"
    print(head)
    print("-" * len(head))
    rows = []
    for label, p, work, _ in sorted(todo, key=lambda c: c[2]):
        q = {(k, s): float(np.percentile(times[label, p, k], s)) * 1e3 for k in (1, 2) for s in (10, 50)}
        rows.append({"shape": label, "pass": p, "work": work, "p10": [q[1, 10], q[2, 10]], "median": [q[1, 50], q[2, 50]]})
        print(f"{label:<26}{p:>5}{work / 2 ** 21:>10.1f}{q[1, 10]:>8.3f}{q[2, 10]:>8.3f}{q[2, 10] / q[1, 10]:>7.2f}"
              f"{q[1, 50]:>8.3f}{q[2, 50]:>8.3f}{q[2, 50] / q[1, 50]:>7.2f}")
    # the smallest work from which on every call gains at least `gain` at the median
    start = rows[-1]["work"] + 1
    for row in reversed(rows):
        if row["median"][1] > (1 - a.gain) * row["median"][0]:
            break
        start = row["work"]
    print(f"every call from work {start / 2 ** 21:.1f} x 2^21 on gained >= {a.gain:.0%} at the median: "
          f"PART_COST = that / 8 = {start / 8 / 2 ** 21:.2f} x 2^21 (nnbook's: {_threads.PART_COST / 2 ** 21:g} x 2^21)")
    print("RESULT " + json.dumps({"bench": "parts", "rows": rows, "start": start, "part_cost": _threads.PART_COST}))


if __name__ == "__main__":
    main()
