"""How a solve is run: the solver, its time limit, gap and seed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SOLVERS = ("highs", "cbc")


@dataclass(frozen=True)
class SolverConfig:
    """How to solve: which solver, and the limits that are always passed to it."""

    name: str = "highs"
    time_limit: float = 60.0
    gap: float = 0.0
    seed: int = 42


def scenario_config(scenario: Any, name: str | None = None, time_limit: float | None = None,
                    gap: float | None = None) -> SolverConfig:
    """The scenario's ``solver`` settings and seed, with command-line overrides where given."""
    s = scenario.solver
    return SolverConfig(name or s.name, time_limit or s.time_limit, s.gap if gap is None else gap, scenario.seed)

