"""Split a batch over the CPU cores: the fast convolution runs each part of the batch in its own thread.

Why threads work here: NumPy lets go of Python's GIL while it copies an array and while BLAS
multiplies two matrices, so plain Python threads doing those two things really run at the same
time, one per core. Meanwhile each matrix product is told to use one BLAS thread (otherwise
OpenBLAS would start its own threads for every product, and they would fight over the cores).

How many parts: as many threads as NumPy's BLAS may use (`OPENBLAS_NUM_THREADS`, or threadpoolctl's
`threadpool_limits`, e.g. inside `nnbook.config.one_thread()`). A program that keeps NumPy on one
thread keeps the convolution on one thread too.
"""
import concurrent.futures
import functools
import os
import threading

MIN_WORK = 1 << 17   # numbers to move below which one thread is faster than waking a second one


@functools.lru_cache(maxsize=1)
def _blas():
    """threadpoolctl's handle on NumPy's BLAS, or None without threadpoolctl (then: one thread)."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:       # pragma: no cover - threadpoolctl is a dependency
        return None
    blas = ThreadpoolController().select(user_api="blas")
    return blas if blas.lib_controllers else None


@functools.lru_cache(maxsize=None)
def _workers(pid):
    """Process `pid`'s worker threads and a lock (a forked child has none of its parent's threads).

    The lock lets one batch at a time be split: two threads of a program doing it at once would
    each save the other's BLAS limit as the setting to restore, and restore the wrong one.
    """
    return concurrent.futures.ThreadPoolExecutor(thread_name_prefix="nnbook-scratch"), threading.Lock()


def batch_parts(N, work):
    """Split range(N) into (start, stop) parts, one per BLAS thread (one part if `work` is small)."""
    blas = _blas()
    threads = max(lib.num_threads for lib in blas.lib_controllers) if blas is not None else 1
    k = max(1, min(threads, N)) if work >= MIN_WORK else 1
    bounds = [N * i // k for i in range(k + 1)]
    return list(zip(bounds[:-1], bounds[1:]))


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
