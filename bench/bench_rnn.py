"""LSTM forward + backward: nnbook.scratch (NumPy) against torch.nn.LSTM, in the same run.

    .venv/bin/python bench/bench_rnn.py [--repeats 40] [--threads 2]

float32, --threads for both (torch.set_num_threads, and threadpoolctl's limit on NumPy's BLAS), best
of several repeats (the least disturbed run; the three
contenders take turns, so a busy moment on the machine hits all of them). Every contender does the
same work: the forward pass over the whole sequence from given (h0, c0), then the backward pass for
a random upstream gradient on every output h_t, giving dx, dh0, dc0 and all weight gradients.

- `TimeLSTM`: the layer class (밑바닥부터 시작하는 딥러닝 2 style) that the chapters train with; it
  keeps its internal buffers from one call to the next, as a training loop calls it.
- `functions`: `lstm_forward` + `lstm_backward` with fresh buffers on every call.

The goal (issues 4 and 19) is at most 2.0x PyTorch on both sizes with 1 and 2 threads. The last line,
`RESULT {...}`, repeats the numbers as JSON for `bench/run_all.py`.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
from threadpoolctl import threadpool_limits

if not any(os.path.isdir(os.path.join(p, "nnbook")) for p in sys.path if p):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from nnbook.scratch import TimeLSTM, lstm_backward, lstm_forward, lstm_weights_from_torch  # noqa: E402

SIZES = [(32, 35, 16, 64), (64, 100, 8, 32)]  # (N, T, D, H)


def contenders(N, T, D, H, seed=0):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    lstm = torch.nn.LSTM(D, H, batch_first=True)
    x = rng.standard_normal((N, T, D), dtype=np.float32)
    h0 = rng.standard_normal((N, H), dtype=np.float32)
    c0 = rng.standard_normal((N, H), dtype=np.float32)
    dhs = rng.standard_normal((N, T, H), dtype=np.float32)
    Wx, Wh, b = lstm_weights_from_torch(lstm)
    layer = TimeLSTM(Wx, Wh, b)

    xt = torch.from_numpy(x).requires_grad_()
    h0t = torch.from_numpy(h0)[None].requires_grad_()
    c0t = torch.from_numpy(c0)[None].requires_grad_()
    dhst = torch.from_numpy(dhs)

    def run_torch():
        lstm.zero_grad(set_to_none=True)
        xt.grad = h0t.grad = c0t.grad = None
        hs, _ = lstm(xt, (h0t, c0t))
        hs.backward(dhst)

    def run_layer():
        layer.forward(x, h0, c0)
        layer.backward(dhs)

    def run_functions():
        hs, cs, cache = lstm_forward(x, h0, c0, Wx, Wh, b)
        lstm_backward(dhs, cache)

    return {"torch": run_torch, "TimeLSTM": run_layer, "functions": run_functions}


def best_times(fns, repeats):
    """Best wall-clock time of each function, the functions taking turns."""
    for fn in fns.values():
        fn()  # warm-up
    best = {name: float("inf") for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"LSTM forward+backward, float32, {args.threads} thread(s) (NumPy's BLAS and torch "
          f"{torch.get_num_threads()}), torch {torch.__version__.split('+')[0]}, numpy {np.__version__}, "
          f"best of {args.repeats}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'N':>4} {'T':>4} {'D':>4} {'H':>4} {'torch ms':>9} {'TimeLSTM ms':>12} {'ratio':>6} "
          f"{'functions ms':>13} {'ratio':>6}")
    rows = []
    for N, T, D, H in SIZES:
        with threadpool_limits(limits=args.threads, user_api="blas"):
            t = best_times(contenders(N, T, D, H), args.repeats)
        r_layer, r_fn = t["TimeLSTM"] / t["torch"], t["functions"] / t["torch"]
        flag = "ok" if max(r_layer, r_fn) <= 2.0 else "over 2.0"
        print(f"{N:>4} {T:>4} {D:>4} {H:>4} {t['torch'] * 1e3:>9.3f} {t['TimeLSTM'] * 1e3:>12.3f} "
              f"{r_layer:>6.2f} {t['functions'] * 1e3:>13.3f} {r_fn:>6.2f}  {flag}")
        rows.append({"shape": f"N{N} T{T} D{D} H{H}", **{k: v * 1e3 for k, v in t.items()}})
    print("RESULT " + json.dumps({"bench": "lstm", "threads": args.threads, "rows": rows}))


if __name__ == "__main__":
    main()
