"""Large models: solved in a child process killed at the deadline, from a greedy start and a quick bound."""

from __future__ import annotations

import math
import time

import numpy as np

from scorer.mip.child import solve_in_child
from scorer.mip.config import SolverConfig
from scorer.mip.linear import LinearModel, satisfies
from scorer.mip.outcome import Outcome, Said, outcome_of
from scorer.mip.relaxation import budget_bound
from scorer.mip.warmstart import greedy_start

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
    return outcome_of(child_said(solve_in_child(linear, options, left, start, bound), config))


def duration_text(seconds: float) -> str:
    """``45 s``, ``12 minutes`` or ``3.5 hours``."""
    if seconds < 120:
        return f"{seconds:g} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:,.1f} hours"


def child_said(found, config: SolverConfig) -> Said:
    """What a :class:`~scorer.mip.child.ChildResult` says, as a :class:`~scorer.mip.outcome.Said`."""
    if found.status in ("kInfeasible", "kUnboundedOrInfeasible"):
        return Said("infeasible", math.nan, math.nan, np.zeros(0), found.seconds, config)
    why = "stopped at the deadline" if found.status == "deadline" else found.status[1:]
    if len(found.x) == 0 or not math.isfinite(found.objective):
        return Said("none", math.nan, math.nan, np.zeros(0), found.seconds, config, why)
    bound = found.bound if math.isfinite(found.bound) else math.inf
    return Said("answer", found.objective, bound, np.asarray(found.x), found.seconds, config, why)
