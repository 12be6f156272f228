"""Split a batch over the CPU cores: the fast convolution works on several parts of a batch in parallel threads.

Why threads work here: NumPy lets go of Python's GIL while it copies an array and while BLAS
multiplies two matrices, so plain Python threads doing those two things really run at the same
time, one per core. Meanwhile each matrix product is told to use one BLAS thread (otherwise
OpenBLAS would start its own threads for every product, and they would fight over the cores).

How many threads (`part_count`): at most as many as NumPy's BLAS may use (`OPENBLAS_NUM_THREADS`,
or threadpoolctl's `threadpool_limits`, e.g. inside `nnbook.config.one_thread()`: a program that keeps
NumPy on one thread keeps the convolution on one thread too), as this process has cores, and as
there are images; and few enough that each thread pays for itself. Starting a thread's part costs
about the same fixed time whatever its size (waking a thread, and Python code that runs one thread
at a time under the GIL), and these costs add up one after another: k threads cost about k * k0 on
top of work / k. Doubling k therefore pays only while work / (2k) > k * k0, i.e. k <= sqrt(work / (2 k0)).
`PART_COST` is k0 in the same unit as the work (multiply-adds), measured with `bench/bench_parts.py`:
it times convolutions of many sizes with one and with two threads, one call at a time, alternating,
and the smallest work from which on every pass gained at least 10% from the second thread (at the
median, on a 2-core AMD EPYC) is 8 k0, where two parts start (README, "Performance"). Below it a
second thread often made the call slower: waking a thread on another core, and the Python code of
each item that the threads run one at a time under the GIL, cost 0.15-0.3 ms per call there, more
than half of a small call. A batch too small for two threads stays in one.

How the work is shared (`split_batch`, `run_items`): the batch is cut into items of a few images,
and each thread takes the next item whenever it has finished one. On a machine busy with other
programs a helper thread may wait for a core; then the others do its share, and the helper costs
little more than being woken.
"""
import concurrent.futures
import functools
import itertools
import math
import os
import sys
import threading

PART_COST = 3 << 21   # what one more thread costs, in multiply-adds (about 0.1 ms of one core; measured, see below)
SWITCH_INTERVAL = 1e-4   # seconds: Python's GIL switch interval while the threads share a batch (see run_items)


@functools.lru_cache(maxsize=1)
def _blas():
    """threadpoolctl's handle on NumPy's BLAS, or None without threadpoolctl (then: one thread)."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:       # pragma: no cover - threadpoolctl is a dependency
        return None
    blas = ThreadpoolController().select(user_api="blas")
    return blas if blas.lib_controllers else None


@functools.lru_cache(maxsize=1)
def _blas_thread_calls():
    """[(get, set)]: the functions that read and set each BLAS library's thread count.

    For OpenBLAS with its own threads (pthreads, as NumPy's wheels ship it) these are its C functions
    openblas_get/set_num_threads themselves, 0.1-0.2 us a call; threadpoolctl's methods, used for any
    other BLAS, take 0.5-0.8 us, and `run_items` calls them around every convolution (see
    `_one_blas_thread`).
    """
    blas = _blas()
    calls = []
    for lib in blas.lib_controllers if blas is not None else ():
        own, dynlib = None, getattr(lib, "dynlib", None)     # the ctypes handle (threadpoolctl 3.x)
        if dynlib is not None and lib.internal_api == "openblas" and lib.threading_layer == "pthreads":
            for prefix, suffix in itertools.product(("", "scipy_"), ("", "64_", "_64")):   # how builds name them
                get = getattr(dynlib, f"{prefix}openblas_get_num_threads{suffix}", None)
                set_ = getattr(dynlib, f"{prefix}openblas_set_num_threads{suffix}", None)
                if get is not None and set_ is not None:
                    own = (get, set_)
                    break
        calls.append(own or (lib.get_num_threads, lib.set_num_threads))
    return calls


class _one_blas_thread:
    """NumPy's BLAS on one thread inside the block (then its setting restored), for the products that
    the threads of `run_items` compute: the convolution decides its parallelism itself, also when it
    keeps a small batch in one thread (OpenBLAS would otherwise thread a mid-sized product on its own,
    which on a machine with fewer free cores than BLAS threads makes it slower). A class rather than a
    generator, and the libraries' own C functions: this runs around every convolution, and a
    generator-based context manager alone costs about a microsecond.
    """

    def __enter__(self):
        self.changed = [(set_, n) for get, set_ in _blas_thread_calls() if (n := get()) != 1]
        for set_, _ in self.changed:
            set_(1)

    def __exit__(self, *exc):
        for set_, n in self.changed:
            set_(n)


def blas_threads():
    """How many threads NumPy's BLAS may use now (1 without threadpoolctl)."""
    return max((get() for get, _ in _blas_thread_calls()), default=1)


def cores():
    """How many CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:    # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def part_count(N, work, threads, cores):
    """Number of threads for a batch of N images costing `work` multiply-adds: see the module docstring.

    min(threads, cores, N, floor(sqrt(work / (2 * PART_COST)))), and at least 1.
    """
    return max(1, min(threads, cores, N, math.isqrt(max(0, int(work)) // (2 * PART_COST))))


def split_batch(N, work, piece):
    """How many threads to use on a batch of N images, and the batch cut into items for them.

    work: the batch's cost in multiply-adds (see `part_count`); piece: the most images an item may
    hold (what fits a thread's workspace). Returns (threads, [(start, stop), ...]). With one thread
    the items are pieces of `piece` images; with more, each thread gets at least two items, so that
    a thread that starts late (its core busy with another program) leaves its share to the others.
    """
    k = part_count(N, work, blas_threads(), cores())
    size = piece if k == 1 else max(1, min(piece, -(-N // (2 * k))))
    return k, [(a, min(a + size, N)) for a in range(0, N, size)]


@functools.lru_cache(maxsize=None)
def _workers(pid):
    """Process `pid`'s worker threads and a lock (a forked child has none of its parent's threads).

    The lock lets one batch at a time be split: two threads of a program doing it at once would
    each save the other's BLAS limit as the setting to restore, and restore the wrong one.
    """
    return concurrent.futures.ThreadPoolExecutor(thread_name_prefix="nnbook-scratch"), threading.Lock()


def run_items(fn, items, threads):
    """[fn(start, stop) for (start, stop) in items], computed by `threads` threads; results in the items' order.

    This thread starts on the first item at once; the others join as they wake up. Each thread takes
    the next item not yet taken whenever it finishes one, so no thread waits for a slow one: if a
    helper never gets a core, this thread does every item itself, about as fast as with one thread.
    The call returns when every item is done (a helper that wakes up later finds nothing left).

    Python's switch interval (`sys.setswitchinterval`, 5 ms by default) is lowered to SWITCH_INTERVAL
    meanwhile. A thread that waits for the GIL asks for it only after that interval; until then it
    can take it only in the moment this thread lets go of it for a NumPy call, and on a busy machine
    it is usually too late for that moment. With the default a helper thread could wait 5 ms, longer
    than the whole convolution (measured here: with 2 threads, the first bench shape's forward pass
    took 2.2 ms with the default interval and 1.5 ms with 0.1 ms; with one thread 2.2 ms).
    """
    pool, lock = _workers(os.getpid())
    if threads <= 1 or len(items) <= 1:        # one thread, and its products on one BLAS thread too
        with lock, _one_blas_thread():
            return [fn(*item) for item in items]
    results = [None] * len(items)
    errors = []
    done = threading.Semaphore(0)
    order = itertools.count()                      # next(order): atomic under the GIL

    def work():
        for i in order:
            if i >= len(items):
                return
            try:
                results[i] = fn(*items[i])
            except BaseException as e:             # noqa: B902 - re-raised in the calling thread
                errors.append(e)
            finally:
                done.release()

    with lock, _one_blas_thread():
        interval = sys.getswitchinterval()
        sys.setswitchinterval(min(interval, SWITCH_INTERVAL))
        try:
            for _ in range(min(threads, len(items)) - 1):
                pool.submit(work)
            work()
            for _ in items:                        # wait for the items the helpers are still on
                done.acquire()
        finally:
            sys.setswitchinterval(interval)
    if errors:
        raise errors[0]
    return results
