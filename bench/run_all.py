"""Every performance figure of the book in one run (`make bench`): conv and LSTM against PyTorch at
1, 2, 4, ... threads, and the NumPy convolution's scaling with the thread count.

    .venv/bin/python bench/run_all.py [--threads 1,2,4,...] [--repeats 30] [--quick]

Prints the machine (CPU model from lscpu, cores, versions), then for each thread count (default:
1, 2, 4, ... up to the cores this process may use) the tables of `bench_conv.py` and `bench_rnn.py`,
each run in its own process, then `bench_scaling.py` over the same thread counts, and a summary
against the goals of issue 19: conv <= 3.0x PyTorch at 1 and 2 threads and <= 4.0x at more; LSTM
<= 2.0x at 1 and 2 threads; NumPy conv time with 2t threads <= 1.05 x time with t threads (the
10th percentile of single calls, see bench_scaling.py; the medians' worst step is printed beside it).
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if not any(os.path.isdir(os.path.join(p, "nnbook")) for p in sys.path if p):
    sys.path.insert(0, str(HERE.parent))


def cpu_model():
    """lscpu's 'Model name' (or /proc/cpuinfo's 'model name'), e.g. 'AMD EPYC 9B14'."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True,
                             env={**os.environ, "LC_ALL": "C"}).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def default_threads(n):
    """1, 2, 4, ... up to n, and n itself."""
    ts, t = [], 1
    while t < n:
        ts.append(t)
        t *= 2
    return ts + [n]


def run(script, *args):
    """Run a bench script, print its output without the RESULT line, return that line's JSON."""
    done = subprocess.run([sys.executable, str(HERE / script), *args], capture_output=True, text=True)
    result = None
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            result = json.loads(line[len("RESULT "):])
        else:
            print(line)
    if done.returncode:
        print(done.stderr, file=sys.stderr)
        raise SystemExit(f"{script} failed")
    sys.stdout.flush()
    return result


def versions():
    code = ("import numpy, torch, threadpoolctl; b = [i for i in threadpoolctl.threadpool_info() "
            "if i['user_api'] == 'blas']; print(f'NumPy {numpy.__version__} (' + ', '.join("
            "f\"{i['internal_api']} {i['version']} {i.get('architecture') or ''}\".strip() for i in b) + "
            "f'), PyTorch {torch.__version__}')")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", help="comma-separated thread counts (default 1, 2, 4, ... up to the cores)")
    p.add_argument("--repeats", type=int, default=30, help="timings per variant in each bench (best is kept)")
    p.add_argument("--rounds", type=int, default=400, help="timed calls per count in bench_scaling.py")
    a = p.parse_args()
    threads = [int(t) for t in a.threads.split(",")] if a.threads else default_threads(cores())
    print(f"nnbook benchmarks, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"CPU: {cpu_model()}, {cores()} cores ({platform.machine()}); Python {platform.python_version()}; "
          f"{versions()}; load average {os.getloadavg()[0]:.1f}")
    import nnbook.scratch
    print(f"nnbook.scratch from {Path(nnbook.scratch.__file__).parent}")
    results = {}
    for t in threads:
        print(f"\n## {t} thread{'s' if t > 1 else ''}\n", flush=True)
        results[t] = (run("bench_conv.py", "--threads", str(t), "--repeats", str(a.repeats)),
                      run("bench_rnn.py", "--threads", str(t), "--repeats", str(a.repeats)))
        print()
    print("## scaling of the NumPy convolution with the thread count\n", flush=True)
    scaling = run("bench_scaling.py", "--threads", ",".join(map(str, threads)), "--rounds", str(a.rounds))

    print("\n## summary (NumPy / PyTorch, worst over the shapes)\n")
    print(f"{'threads':>7}{'conv fwd':>10}{'conv f+b':>10}{'goal':>7}{'LSTM':>8}{'goal':>7}")
    met = True
    for t, (conv, lstm) in results.items():
        fwd = max(r["numpy_fwd"] / r["torch_fwd"] for r in conv["rows"])
        fb = max(r["numpy_fb"] / r["torch_fb"] for r in conv["rows"])
        ls = max(max(r["TimeLSTM"], r["functions"]) / r["torch"] for r in lstm["rows"])
        goal_c = 3.0 if t <= 2 else 4.0
        ok_c = max(fwd, fb) <= goal_c
        ok_l = ls <= 2.0 if t <= 2 else True
        met &= ok_c and ok_l
        print(f"{t:>7}{fwd:>9.2f}x{fb:>9.2f}x{'<=' + str(goal_c):>7}{ls:>7.2f}x"
              f"{'<=2.0' if t <= 2 else '-':>7}  {'ok' if ok_c and ok_l else 'NOT met'}")
    ok_s = scaling["worst"] <= 1.05
    print(f"scaling: worst time(2t) / time(t) {scaling['worst']:.2f} (rule <= 1.05): {'ok' if ok_s else 'NOT met'}; "
          f"medians {scaling['worst_median']:.2f}")
    print(f"all goals {'met' if met and ok_s else 'NOT all met'}")


if __name__ == "__main__":
    main()
