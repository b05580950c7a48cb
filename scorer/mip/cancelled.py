"""HiGHS runs cancelled by Ctrl-C that had not stopped yet when their caller went on.

HiGHS hears ``cancelSolve`` only between steps of its work, so a cancelled
run can go on for a second or more; :func:`scorer.mip.pulp_adapter.run_interruptible`
leaves it finishing on its own (non-daemon) thread and lists it here. An
interpreter that ends normally waits for those threads, since tearing the
solver library down under a running solve aborts the process (measured:
7 of 12 interrupted runs ended by SIGABRT, "terminate called without an
active exception"); the ``coprod`` executable, which owns its process,
ends at once instead (:mod:`scorer.cli.launch`).

This module imports only :mod:`threading`, so the entry point can ask it
without loading the solver.
"""

from __future__ import annotations

import threading

_runs: set[threading.Thread] = set()
_lock = threading.Lock()


def leave_running(thread: threading.Thread) -> None:
    """Note a cancelled run's thread that is still working."""
    with _lock:
        _runs.add(thread)


def still_running() -> bool:
    """Whether a cancelled run is still at work (its threads are forgotten once they end)."""
    with _lock:
        _runs.difference_update([t for t in _runs if not t.is_alive()])
        return bool(_runs)
