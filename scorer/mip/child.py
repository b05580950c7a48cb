"""A HiGHS solve in a child process, stopped hard at its deadline.

On large models HiGHS can overrun its own ``time_limit`` by minutes: measured
on 10,000 candidates x 15 years (130,000 binaries), after the root LP it
stops calling its interrupt callbacks, so neither the time limit nor
``cancelSolve`` is heard. In-process that holds the command and its Ctrl-C
hostage. Here the solve runs in a child process that streams every improving
portfolio and the proven bound to the parent; at the deadline (or on Ctrl-C)
the parent kills the child and keeps the last portfolio with its bound, which
:mod:`scorer.portfolio.solve` then reports as ``feasible`` with its gap.

The model travels as plain arrays (:class:`LinearModel`), so the child never
sees PuLP and nothing depends on pickling solver objects.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from scorer.errors import SolverError
from scorer.mip.linear import LinearModel, satisfies, to_highs

# How long past its time limit a child may run before it is killed. HiGHS that hears
# its limit returns within milliseconds; one that does not is stuck for minutes.
GRACE_SECONDS = 1.0
GRACE_SHARE = 0.02
# The child reports the proven bound at most this often (seconds).
BOUND_EVERY = 0.25
# The child's program: a fresh interpreter that imports only numpy, highspy and this module.
# Built from this module's own name, so a move or rename cannot leave the child importing a stale path.
CHILD_CODE = f"import sys; from {__name__} import child_main; child_main(int(sys.argv[1]), int(sys.argv[2]))"
# How often the parent wakes up to check the deadline and Ctrl-C.
POLL = 0.1




@dataclass(frozen=True, eq=False)
class ChildResult:
    """What the child found: HiGHS's status name, or ``deadline`` when it was killed."""

    status: str
    objective: float
    bound: float
    x: np.ndarray  # (num_col,) column values; empty when nothing was found
    seconds: float










def solve_in_child(model: LinearModel, options: dict[str, Any], time_limit: float,
                   start: np.ndarray | None = None, bound: float | None = None) -> ChildResult:
    """Solve ``model`` in a child process; kill it if it overruns ``time_limit``.

    The child is a fresh interpreter (``python -c``), not a fork or a
    multiprocessing start: it needs no ``if __name__ == "__main__"`` guard in
    the caller's script, shares no solver threads with the parent, and sits in
    its own session so that a terminal's Ctrl-C reaches only the parent, which
    kills it.

    Parameters
    ----------
    model : LinearModel
    options : dict
        HiGHS options (gap, seed, presolve, ...). ``time_limit`` is set here.
    time_limit : float
        Seconds from now until the child must have answered; it is killed
        ``GRACE_SECONDS`` (plus ``GRACE_SHARE`` of the limit) later.
    start : array, optional
        A starting portfolio (column values); kept as the answer so far if
        it meets every row.
    bound : float, optional
        A bound proven by the caller; the answer's bound is the better of it
        and HiGHS's.

    Returns
    -------
    ChildResult
        HiGHS's own answer when it returns in time, else status ``deadline``
        with the best portfolio streamed so far (``x`` empty if none) and the
        last proven bound.

    Raises
    ------
    SolverError
        The child died (out of memory, killed) before answering.
    KeyboardInterrupt
        Ctrl-C in the parent; the child is killed first.
    """
    allowed = time_limit + GRACE_SECONDS + GRACE_SHARE * time_limit
    t0 = time.monotonic()
    best = _Best(model.maximize, bound)
    if start is not None and satisfies(model, start):  # kept even if HiGHS never improves on it
        best.take(("solution", float(model.cost @ start), np.nan, np.asarray(start, dtype=float)))
    child = _Child()
    try:
        # The child gets wall-clock time (comparable across processes) to shorten its own limit.
        child.post((model, options, time_limit, time.time(), start))
        return _follow(child, t0 + allowed, best)
    finally:
        child.close()


class _Child:
    """The child process and its pipes; a thread reads its messages, another writes the model.

    Neither pipe is ever read or written by the caller's thread, so a child
    that stalls halfway through a message cannot hold the caller past its
    deadline.
    """

    def __init__(self) -> None:
        self.log = tempfile.TemporaryFile()  # the child's stderr: only for the message if it dies
        self.inbox: queue.SimpleQueue = queue.SimpleQueue()
        fds: list[int] = []
        try:
            fds += os.pipe()
            fds += os.pipe()
            # -P: the child must import this coprod, not a "scorer" folder in the working directory.
            self.process = subprocess.Popen(
                [sys.executable, "-P", "-c", CHILD_CODE, str(fds[0]), str(fds[3])],
                pass_fds=(fds[0], fds[3]), start_new_session=True, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=self.log)
        except BaseException:
            for fd in fds:
                os.close(fd)
            self.log.close()
            raise
        os.close(fds[0])
        os.close(fds[3])
        self.send = Connection(fds[1], readable=False)
        receive = Connection(fds[2], writable=False)
        self.writer: threading.Thread | None = None
        threading.Thread(target=self._read, args=(receive,), daemon=True).start()

    def post(self, payload: tuple) -> None:
        """Send ``payload`` from a thread of its own (a large model fills the pipe until the child reads)."""
        self.writer = threading.Thread(target=self._write, args=(payload,), daemon=True)
        self.writer.start()

    def _write(self, payload: tuple) -> None:
        try:
            self.send.send(payload)
        except OSError:  # the child is gone; the reader reports it
            pass

    def _read(self, receive: Connection) -> None:
        # This thread alone owns the read end and closes it, so its descriptor is never reused under it.
        try:
            while True:
                self.inbox.put(receive.recv())
        except (EOFError, OSError):  # OSError: the child died halfway through a message
            self.inbox.put(("eof",))
        finally:
            receive.close()

    def exit_text(self) -> str:
        """``exit code N`` and the child's last line on stderr, once it has ended."""
        code = self.process.wait()
        self.log.seek(0)
        lines = self.log.read().decode(errors="replace").strip().splitlines()
        return f"exit code {code}" + (f": {lines[-1]}" if lines else "")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        if self.writer is not None:
            self.writer.join()  # a blocked send fails at once now that the child is dead
        self.send.close()  # kept open until now: the child ends itself when it closes
        self.log.close()


class _Best:
    """The parent's view of the child's progress."""

    def __init__(self, maximize: bool, bound: float | None) -> None:
        self.sign = 1.0 if maximize else -1.0
        self.objective, self.x = np.nan, np.zeros(0)
        self.bound = self.sign * np.inf if bound is None else bound

    def tighter(self, bound: float) -> float:
        """The better of the bound so far and ``bound`` (both are proven; NaN proves nothing)."""
        if np.isnan(bound):
            return self.bound
        return min(self.bound, bound) if self.sign > 0 else max(self.bound, bound)

    def beats(self, objective: float) -> bool:
        """Whether a portfolio of this objective is better than the best so far (or the first)."""
        return len(self.x) == 0 or self.sign * (objective - self.objective) > 0

    def take(self, message: tuple) -> ChildResult | None:
        kind = message[0]
        if kind == "solution":
            _, objective, bound, x = message
            if self.beats(objective):  # HiGHS may drop our start and find worse ones first
                self.objective, self.x = objective, x
            self.bound = self.tighter(bound)
        elif kind == "bound":
            self.bound = self.tighter(message[1])
        elif kind == "done":
            return self._done(*message[1:])
        elif kind == "error":
            raise SolverError(f"the highs solver failed: {message[1]}")
        return None

    def _done(self, status: str, objective: float, bound: float, x: np.ndarray, seconds: float) -> ChildResult:
        if status in ("kInfeasible", "kUnboundedOrInfeasible"):
            if len(self.x):
                raise SolverError("the highs solver found no feasible portfolio, yet the start portfolio meets "
                                  "every limit to within 1e-9 of it: a limit sits at the edge of the solver's "
                                  "tolerance; loosen it slightly")
            return ChildResult(status, objective, bound, x, seconds)
        if len(x) and self.beats(objective):
            self.objective, self.x = objective, x
        return ChildResult(status, self.objective, self.tighter(bound), self.x, seconds)


def _follow(child: _Child, deadline: float, best: _Best) -> ChildResult:
    """Take the child's messages until it answers or dies, or the deadline passes."""
    t0 = time.monotonic()
    while True:
        left = deadline - time.monotonic()
        try:
            # Past the deadline only what has already arrived is read (an answer may be among it).
            message = child.inbox.get(timeout=min(left, POLL)) if left > 0 else child.inbox.get_nowait()
        except queue.Empty:
            if left <= 0:
                return ChildResult("deadline", best.objective, best.bound, best.x, time.monotonic() - t0)
            continue
        if message[0] == "eof":
            raise SolverError(f"the solver process stopped without an answer ({child.exit_text()}); "
                              "the model may be too large for this machine's memory")
        done = best.take(message)
        if done is not None:
            return done


def child_main(receive_fd: int, send_fd: int) -> None:
    """The child's side: read the model, solve it, stream progress, answer."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent owns Ctrl-C: it kills this process
    receive, send = Connection(receive_fd, writable=False), Connection(send_fd, readable=False)
    try:
        model, options, time_limit, t0, start = receive.recv()
        threading.Thread(target=_exit_with_parent, args=(receive,), daemon=True).start()
        h = to_highs(model, options)
        h.setOptionValue("time_limit", max(time_limit - (time.time() - t0), 0.01))
        if start is not None:
            h.setSolution(len(start), np.arange(len(start), dtype=np.int32), np.asarray(start, dtype=float))
        _stream(h, send)
        h.run()
        info = h.getInfo()
        x = np.asarray(h.getSolution().col_value, dtype=float) if info.primal_solution_status == 2 else np.zeros(0)
        send.send(("done", h.getModelStatus().name, float(info.objective_function_value),
                   float(info.mip_dual_bound), x, time.time() - t0))
    except Exception as exc:  # noqa: BLE001 - whatever it is, the parent must hear it
        send.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        send.close()


def _exit_with_parent(receive: Connection) -> None:
    """End this process when the parent goes away (its end of the pipe closes)."""
    try:
        receive.recv()
    except (EOFError, OSError):
        pass
    os._exit(1)


def _stream(h, send) -> None:
    """Send every improving portfolio, and the bound at most every BOUND_EVERY seconds."""
    lock = threading.Lock()  # HiGHS may call back from more than one thread
    last = [0.0]

    def improving(event) -> None:
        out = event.data_out
        with lock:
            send.send(("solution", float(out.objective_function_value), float(out.mip_dual_bound),
                       np.array(out.mip_solution, dtype=float)))

    def progress(event) -> None:
        now = time.monotonic()
        if now - last[0] >= BOUND_EVERY:
            last[0] = now
            with lock:
                send.send(("bound", float(event.data_out.mip_dual_bound)))

    h.cbMipImprovingSolution.subscribe(improving)
    h.cbMipInterrupt.subscribe(progress)
