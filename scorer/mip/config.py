"""How a solve is run: the solver, its time limit, gap and seed, and where (in a child process or not)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SOLVERS = ("highs", "cbc")

# From this many start options a HiGHS solve runs in a child process that is killed at its
# deadline (see scorer.mip.large): in-process, a 130,000-option model overran a 60 s limit by
# 12 minutes. Below it the child's start-up (~0.1-0.7 s) would cost more than it protects.
ISOLATE_FROM = 20_000


@dataclass(frozen=True)
class SolverConfig:
    """How to solve: which solver, and the limits that are always passed to it."""

    name: str = "highs"
    time_limit: float = 60.0
    gap: float = 0.0
    seed: int = 42
    isolate_from: int = ISOLATE_FROM  # start options from which a HiGHS solve runs in a child process

    def isolates(self, k: int) -> bool:
        """Whether a HiGHS model with ``k`` start options is solved in a child process."""
        return k >= max(self.isolate_from, 1)  # an empty model is decided in-process (no columns, no child)


def scenario_config(scenario: Any, name: str | None = None, time_limit: float | None = None,
                    gap: float | None = None) -> SolverConfig:
    """The scenario's ``solver`` settings and seed, with command-line overrides where given."""
    s = scenario.solver
    # ISOLATE_FROM is read here, at each call, so that tests of the command line can lower it.
    return SolverConfig(name or s.name, time_limit or s.time_limit, s.gap if gap is None else gap, scenario.seed,
                        ISOLATE_FROM)

