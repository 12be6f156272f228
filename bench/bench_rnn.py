"""LSTM forward + backward: nnbook.scratch (NumPy) against torch.nn.LSTM, in the same run.

    .venv/bin/python bench/bench_rnn.py [--repeats 30]

float32, torch.set_num_threads(2), best of several repeats (the least disturbed run). Both sides do
the same work: the forward pass over the whole sequence from given (h0, c0), then the backward pass
for a random upstream gradient on every output h_t, giving dx, dh0, dc0 and all weight gradients.
The goal (issue 4) is a ratio NumPy / PyTorch of at most 2.0 on both sizes.
"""
import argparse
import time

import numpy as np
import torch

from nnbook.scratch import lstm_backward, lstm_forward, lstm_weights_from_torch

SIZES = [(32, 35, 16, 64), (64, 100, 8, 32)]  # (N, T, D, H)


def best_time(fn, repeats):
    fn()  # warm-up
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def bench(N, T, D, H, repeats, seed=0):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    lstm = torch.nn.LSTM(D, H, batch_first=True)
    x = rng.standard_normal((N, T, D), dtype=np.float32)
    h0 = rng.standard_normal((N, H), dtype=np.float32)
    c0 = rng.standard_normal((N, H), dtype=np.float32)
    dhs = rng.standard_normal((N, T, H), dtype=np.float32)
    Wx, Wh, b = lstm_weights_from_torch(lstm)

    xt = torch.from_numpy(x).requires_grad_()
    h0t = torch.from_numpy(h0)[None].requires_grad_()
    c0t = torch.from_numpy(c0)[None].requires_grad_()
    dhst = torch.from_numpy(dhs)

    def run_numpy():
        hs, cs, cache = lstm_forward(x, h0, c0, Wx, Wh, b)
        lstm_backward(dhs, cache)

    def run_torch():
        lstm.zero_grad(set_to_none=True)
        xt.grad = h0t.grad = c0t.grad = None
        hs, _ = lstm(xt, (h0t, c0t))
        hs.backward(dhst)

    return best_time(run_numpy, repeats), best_time(run_torch, repeats)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    torch.set_num_threads(2)
    print(f"LSTM forward+backward, float32, torch {torch.__version__} ({torch.get_num_threads()} threads), "
          f"numpy {np.__version__}, best of {args.repeats}")
    print(f"{'N':>4} {'T':>4} {'D':>4} {'H':>4} {'numpy ms':>9} {'torch ms':>9} {'ratio':>6}")
    for N, T, D, H in SIZES:
        t_np, t_torch = bench(N, T, D, H, args.repeats)
        ratio = t_np / t_torch
        flag = "ok" if ratio <= 2.0 else "SLOW (goal <= 2.0)"
        print(f"{N:>4} {T:>4} {D:>4} {H:>4} {t_np * 1e3:>9.3f} {t_torch * 1e3:>9.3f} {ratio:>6.2f}  {flag}")


if __name__ == "__main__":
    main()
