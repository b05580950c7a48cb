"""Running many independent tasks: in this process, on local processes, or on Dask.

Results always come back in task order, so the output does not depend on
how many workers ran or which finished first. Anything random must be drawn
before the tasks are made (seeded, in the caller), never inside a task.

Tasks travel in contiguous chunks, a few per worker: a worker keeps what
it built for one chunk (a :class:`scorer.portfolio.resolve.Resolver` keeps its live
model per process) for the next. Local workers start with ``forkserver``
(never plain ``fork``: forking a process that runs threads, such as
HiGHS's or rich's, can deadlock the child), from a server that has already
imported the heavy modules once.

Ctrl-C cancels what has not started, stops the workers and raises
:class:`KeyboardInterrupt` in the caller within about a second; the command
line turns it into ``coprod: interrupted`` and exit code 130. The terminal
sends Ctrl-C to every process of the command; the forkserver and the workers
never see it (it is blocked when the forkserver starts, and they inherit the
block), so only this process reports it.

No local process outlives this one, whatever ends it (even SIGKILL, which
cannot be caught; see :mod:`scorer.lifetime`). Workers write nothing to this
process's standard output: their file descriptor 1 is their standard error.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import re
import signal
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from scorer import lifetime
from scorer.errors import ClusterError
from scorer.lifetime import PARENT_VARIABLE, kill_with_parent, stop_forkserver
from scorer.limits import MAX_WORKERS
from scorer.portfolio import resolve
from scorer.progress import ProgressBar

T = TypeVar("T")
R = TypeVar("R")

# Chunks per worker: enough to balance uneven tasks and move the bar, few enough
# that each chunk's set-up (unpickling, a model build) stays small.
CHUNKS_PER_WORKER = 8
# Modules the forkserver imports once, so each worker starts in milliseconds; the
# coprod modules the caller has imported are added (see :func:`pool_context`).
# scorer.lifetime first: it ties the forkserver's life to coprod's before the long imports.
PRELOAD = [lifetime.__name__, "numpy", "pandas", "pulp", "highspy", resolve.__name__]
# How long to wait for a Dask scheduler before giving up.
CONNECT_TIMEOUT = 5.0
# tcp://host:port, tls://host:port or host:port (tcp); IPv6 hosts in brackets.
SCHEDULER_ADDRESS = re.compile(r"(?:(?:tcp|tls)://)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):\d{1,5}")
# How often the waiting loop wakes up (progress, Ctrl-C).
POLL = 0.1


def run_map(fn: Callable[[T], R], tasks: Sequence[T], *, workers: int | None = 1,
            scheduler: str | None = None, label: str | None = None,
            progress: bool | None = None) -> list[R]:
    """``[fn(t) for t in tasks]``, possibly in parallel, in task order.

    Parameters
    ----------
    fn : callable
        A picklable function of one task (module-level, or a bound method
        of a picklable object such as ``resolver.solve``).
    tasks : sequence
    workers : int or None
        Local processes (None: every core this process may use; 1: this process).
    scheduler : str or None
        Address of a Dask scheduler (``tcp://host:8786``); overrides ``workers``.
        Needs the ``cluster`` extra: ``pip install "coprod[cluster]"``.
    label : str or None
        What a progress bar shows while the tasks run (None: no bar).
    progress : bool or None
        False never shows a bar; None follows :func:`scorer.progress.set_enabled`.

    Returns
    -------
    list
        One result per task, in task order.

    Raises
    ------
    ClusterError
        A worker count below 1, Dask not installed, or the scheduler unreachable.
    KeyboardInterrupt
        On Ctrl-C, after the pending work is cancelled and the workers stopped.
    """
    tasks = list(tasks)
    n = _worker_count(workers)
    with ProgressBar(label, len(tasks), enabled=progress) as bar:
        if scheduler is not None:
            return _run_dask(fn, tasks, scheduler, bar)
        if n == 1 or len(tasks) <= 1:
            return _run_here(fn, tasks, bar)
        return _run_pool(fn, tasks, n, bar)


def _worker_count(workers: int | None) -> int:
    if workers is None:
        return available_cores()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ClusterError(f"the number of workers must be a whole number of at least 1, not {workers!r}")
    if workers > MAX_WORKERS:
        raise ClusterError(f"workers is {workers:,}; the largest accepted is {MAX_WORKERS:,}")
    return workers


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity, not the machine's count)."""
    count = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if count is not None:
        return count() or 1
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def chunks(n_tasks: int, n_workers: int) -> list[range]:
    """Contiguous index ranges, up to :data:`CHUNKS_PER_WORKER` per worker, sizes within one."""
    k = max(1, min(n_tasks, n_workers * CHUNKS_PER_WORKER))
    bounds = [n_tasks * i // k for i in range(k + 1)]
    return [range(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]


def run_chunk(fn: Callable[[T], R], chunk: Sequence[T]) -> list[R]:
    """What a worker runs: ``fn`` on each task of one chunk."""
    return [fn(t) for t in chunk]


def _run_here(fn: Callable[[T], R], tasks: list[T], bar: ProgressBar) -> list[R]:
    out = []
    for i, task in enumerate(tasks):
        out.append(fn(task))
        bar.update(i + 1)
    return out


# --------------------------------------------------------- local processes ---


def _start_worker() -> None:
    """Worker initializer: end with coprod (see :mod:`scorer.lifetime`), leave Ctrl-C and stdout to it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent owns Ctrl-C: it stops the workers
    kill_with_parent()  # the parent is the forkserver, which ends with coprod
    if _is_null(1):  # already silenced (coprod -q): keep it so
        return
    try:  # a library's banner on fd 1 would land in coprod's data, and fd 1 would hold a pipe open
        os.dup2(2, 1)
    except OSError:  # no standard error: drop the output
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)


def _is_null(fd: int) -> bool:
    try:
        here, null = os.fstat(fd), os.stat(os.devnull)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (null.st_dev, null.st_ino)


def _start_servers(ctx: multiprocessing.context.BaseContext) -> None:
    """Start multiprocessing's resource tracker and forkserver with Ctrl-C blocked.

    Each is a fresh interpreter that imports for a second or more; a Ctrl-C
    reaching it meanwhile (the terminal signals the whole process group) would
    print its traceback. A signal blocked when a process starts stays blocked
    in it and in every process it forks; here it is only held back for the
    few milliseconds of the start, then raised as usual. The forkserver learns
    coprod's pid from its environment, to end with it (:mod:`scorer.lifetime`).
    """
    if ctx.get_start_method() != "forkserver":
        return  # pragma: no cover - not Linux
    from multiprocessing import forkserver, resource_tracker

    resource_tracker.ensure_running()  # first: it unblocks SIGINT itself after starting its process
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    os.environ[PARENT_VARIABLE] = str(os.getpid())
    try:
        forkserver.ensure_running()
    finally:
        os.environ.pop(PARENT_VARIABLE, None)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def pool_context() -> multiprocessing.context.BaseContext:
    """forkserver where the platform has it (safe with threads, cheap per worker), else spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        # Each worker re-runs the main module's imports. Preloading "__main__" would
        # cover them but is ignored by CPython 3.12's forkserver, so preload what the
        # main module brought in of coprod (and through it pandas, pydantic, ...).
        ours = sorted(m for m in sys.modules if m == "scorer" or m.startswith("scorer."))
        ctx.set_forkserver_preload(PRELOAD + ours)
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - not Linux


def _run_pool(fn: Callable[[T], R], tasks: list[T], workers: int, bar: ProgressBar) -> list[R]:
    parts = chunks(len(tasks), workers)
    context = pool_context()
    _start_servers(context)
    pool = cf.ProcessPoolExecutor(max_workers=min(workers, len(parts)), mp_context=context,
                                  initializer=_start_worker)
    futures: list[cf.Future] = []
    try:
        futures = [pool.submit(run_chunk, fn, [tasks[i] for i in part]) for part in parts]
        _wait(futures, parts, bar)
        results = [r for f in futures for r in f.result()]
    except BrokenProcessPool:
        _stop(pool, futures)
        raise ClusterError("a worker process died (out of memory, or killed); run again with fewer "
                           "workers") from None
    except KeyboardInterrupt:
        stop_forkserver()  # the workers end with it, including one still starting
        _stop(pool, futures)
        raise
    except BaseException:
        _stop(pool, futures)
        raise
    pool.shutdown(wait=True)
    return results


def _wait(futures: list[cf.Future], parts: list[range], bar: ProgressBar) -> None:
    """Wait for every chunk, moving the bar; the first failure is raised at once."""
    pending = set(futures)
    size = {f: len(p) for f, p in zip(futures, parts)}
    done = 0
    while pending:
        finished, pending = cf.wait(pending, timeout=POLL, return_when=cf.FIRST_COMPLETED)
        for f in finished:
            f.result()  # raises the worker's error
            done += size[f]
        bar.update(done)


def _stop(pool: cf.ProcessPoolExecutor, futures: list[cf.Future]) -> None:
    """Cancel what has not started and end the workers now, not when their chunks finish."""
    for f in futures:
        f.cancel()
    # The executor has no public way to end running workers before Python 3.14.
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        if p.is_alive():
            p.terminate()
    deadline = time.monotonic() + 1.0
    for p in procs:
        p.join(max(0.0, deadline - time.monotonic()))
        if p.is_alive():  # pragma: no cover - a worker that ignores SIGTERM
            p.kill()
            p.join(0.5)


# -------------------------------------------------------------------- Dask ---


def _client(scheduler: str) -> Any:
    """A client of the scheduler, or a :class:`ClusterError` within :data:`CONNECT_TIMEOUT` s."""
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError(f"running on a Dask scheduler ({scheduler}) needs the cluster extra: "
                           'pip install "coprod[cluster]"') from None
    if not SCHEDULER_ADDRESS.fullmatch(scheduler):
        # Checked before connecting: a Client that fails on a malformed address
        # hangs for 10 s at interpreter exit while it tries to close.
        raise ClusterError(f"'{scheduler}' is not a Dask scheduler address (expected e.g. tcp://host:8786)")
    try:
        return Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler} within {CONNECT_TIMEOUT:g} s "
                           f"({exc.__class__.__name__}); check the address and that it is running") from None


def _run_dask(fn: Callable[[T], R], tasks: list[T], scheduler: str, bar: ProgressBar) -> list[R]:
    client = _client(scheduler)
    futures: list[Any] = []
    try:
        workers = max(1, sum(client.nthreads().values()))
        parts = chunks(len(tasks), workers)
        futures = [client.submit(run_chunk, fn, [tasks[i] for i in part], pure=False) for part in parts]
        _wait_dask(futures, parts, bar)
        return [r for part in client.gather(futures) for r in part]
    except BaseException:
        if futures:
            client.cancel(futures)
        raise
    finally:
        client.close(timeout=CONNECT_TIMEOUT)


def _wait_dask(futures: list[Any], parts: list[range], bar: ProgressBar) -> None:
    """Poll the futures (so that Ctrl-C and the bar stay live); a failure is raised at once."""
    sizes = [len(p) for p in parts]
    while True:
        states = [f.status for f in futures]
        for f, state in zip(futures, states):
            if state in ("error", "cancelled"):
                f.result()  # raises the task's error
        bar.update(sum(s for s, state in zip(sizes, states) if state == "finished"))
        if all(state == "finished" for state in states):
            return
        time.sleep(POLL)
