"""Large models: solved in a child process killed at the deadline, from a greedy start and a quick bound."""

from __future__ import annotations

import math
import time

import numpy as np

from scorer.errors import SolverError
from scorer.mip.child import solve_in_child
from scorer.mip.config import SolverConfig
from scorer.mip.linear import LinearModel, satisfies
from scorer.mip.outcome import Outcome, classified
from scorer.mip.relaxation import budget_bound
from scorer.mip.warmstart import greedy_start

# From this many start options a HiGHS solve runs in a child process that is killed at its
# deadline (see scorer.mip.child): in-process, a 130,000-option model overran a 60 s limit by
# 12 minutes. Below it the child's start-up (~0.1-0.7 s) would cost more than it protects.
ISOLATE_OPTIONS = 20_000


# HiGHS settings for isolated solves, measured on 10,000 candidates x 15 years: with presolve
# the first 30 s pass without any portfolio; without it the first comes at 2 s and one within
# 0.01 % of the bound at 18 s.
LARGE_OPTIONS: dict[str, object] = {"presolve": "off"}


def solve_large(linear: LinearModel, config: SolverConfig, start: np.ndarray | None = None) -> Outcome:
    """A large model's solve: a child process killed at the deadline, from a start and a quick bound.

    ``start`` (column values) is used when it meets every row, else the greedy
    start; the time limit covers finding the start and the bound too.
    ``Outcome.x`` is in ``linear``'s column order.
    """
    t0 = time.monotonic()
    options = {"mip_rel_gap": float(config.gap), "random_seed": int(config.seed), **LARGE_OPTIONS}
    if start is None or not satisfies(linear, start):
        start = greedy_start(linear)
    bound = budget_bound(linear)
    left = max(float(config.time_limit) - (time.monotonic() - t0), 0.0)
    return child_outcome(solve_in_child(linear, options, left, start, bound), config)


def isolates(k: int) -> bool:
    """Whether a HiGHS model with ``k`` start options is solved in a child process."""
    return k >= max(ISOLATE_OPTIONS, 1)  # an empty model is decided in-process (no columns, no child)


def duration_text(seconds: float) -> str:
    """``45 s``, ``12 minutes`` or ``3.5 hours``."""
    if seconds < 120:
        return f"{seconds:g} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:,.1f} hours"


def child_outcome(found, config: SolverConfig) -> Outcome:
    """Classify a :class:`~scorer.mip.child.ChildResult` as :meth:`PortfolioModel.solve` does its own."""
    if found.status in ("kInfeasible", "kUnboundedOrInfeasible"):
        return Outcome("infeasible", math.nan, math.nan, math.nan, np.zeros(0), found.seconds)
    if len(found.x) == 0 or not math.isfinite(found.objective):
        stopped = "stopped at the deadline" if found.status == "deadline" else found.status[1:]
        raise SolverError(
            f"the {config.name} solver found no portfolio ({stopped}) within the time limit of "
            f"{config.time_limit:g} s; raise solver.time_limit", settings=("solver.time_limit",))
    bound = found.bound if math.isfinite(found.bound) else math.inf
    x = (np.asarray(found.x) > 0.5).astype(np.int8)
    return classified(found.objective, bound, x, found.seconds)

