"""Split a batch over the CPU cores: the fast convolution runs each part of the batch in its own thread.

Why threads work here: NumPy lets go of Python's GIL while it copies an array and while BLAS
multiplies two matrices, so plain Python threads doing those two things really run at the same
time, one per core. Meanwhile each matrix product is told to use one BLAS thread (otherwise
OpenBLAS would start its own threads for every product, and they would fight over the cores).

How many parts (`part_count`): at most as many as NumPy's BLAS may use threads (`OPENBLAS_NUM_THREADS`,
or threadpoolctl's `threadpool_limits`, e.g. inside `nnbook.config.one_thread()`: a program that keeps
NumPy on one thread keeps the convolution on one thread too), as this process has cores, and as
there are images; and few enough that each part pays for its thread. Starting a part costs about
the same fixed time whatever its size (waking a thread, and Python code that runs one thread at a
time under the GIL), and these costs add up one after another: k parts cost about k * k0 on top of
work / k. Doubling k therefore pays only while work / (2k) > k * k0, i.e. k <= sqrt(work / (2 k0)).
`PART_COST` is k0 measured in the same unit as the work (multiply-adds); a batch too small for two
parts stays in one.
"""
import concurrent.futures
import functools
import math
import os
import threading

PART_COST = 1 << 19   # what starting one more part costs, in multiply-adds (about 10-30 us of one core)


@functools.lru_cache(maxsize=1)
def _blas():
    """threadpoolctl's handle on NumPy's BLAS, or None without threadpoolctl (then: one thread)."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:       # pragma: no cover - threadpoolctl is a dependency
        return None
    blas = ThreadpoolController().select(user_api="blas")
    return blas if blas.lib_controllers else None


def blas_threads():
    """How many threads NumPy's BLAS may use now (1 without threadpoolctl)."""
    blas = _blas()
    return max(lib.num_threads for lib in blas.lib_controllers) if blas is not None else 1


def cores():
    """How many CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:    # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def part_count(N, work, threads, cores):
    """Number of parts for a batch of N images costing `work` multiply-adds: see the module docstring.

    min(threads, cores, N, floor(sqrt(work / (2 * PART_COST)))), and at least 1.
    """
    return max(1, min(threads, cores, N, math.isqrt(max(0, int(work)) // (2 * PART_COST))))


def batch_parts(N, work):
    """Split range(N) into (start, stop) parts of nearly equal size, `part_count` of them."""
    k = part_count(N, work, blas_threads(), cores())
    bounds = [N * i // k for i in range(k + 1)]
    return list(zip(bounds[:-1], bounds[1:]))


@functools.lru_cache(maxsize=None)
def _workers(pid):
    """Process `pid`'s worker threads and a lock (a forked child has none of its parent's threads).

    The lock lets one batch at a time be split: two threads of a program doing it at once would
    each save the other's BLAS limit as the setting to restore, and restore the wrong one.
    """
    return concurrent.futures.ThreadPoolExecutor(thread_name_prefix="nnbook-scratch"), threading.Lock()


def run_parts(fn, parts):
    """[fn(start, stop) for each part], the parts in parallel threads; results in the parts' order."""
    if len(parts) == 1:
        return [fn(*parts[0])]
    pool, lock = _workers(os.getpid())
    with lock, _blas().limit(limits=1, user_api="blas"):
        futures = [pool.submit(fn, *part) for part in parts[1:]]
        try:
            first = fn(*parts[0])                  # this thread does the first part itself
        finally:
            concurrent.futures.wait(futures)
        return [first] + [f.result() for f in futures]
