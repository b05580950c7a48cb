"""What a solve returned, classified honestly: optimal only when the bound proves it."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from scorer.errors import SolverError
from scorer.mip.config import SolverConfig

# Gaps at or below this count as proven optimal (solver tolerances are ~1e-9..1e-6).
OPTIMAL_GAP = 1e-6


# A binary further than this from 0 or 1 is fractional, so no portfolio (ten times the
# integrality tolerance of HiGHS and CBC, 1e-6 in both).
INTEGRAL = 1e-5


@dataclass(frozen=True, eq=False)
class Outcome:
    """What one solve returned, before any interpretation of the portfolio."""

    status: str  # optimal | feasible | infeasible
    objective: float
    bound: float
    gap: float
    x: np.ndarray  # (K,) 0/1 option choices (empty when infeasible)
    seconds: float


def classified(objective: float, bound: float, x: np.ndarray, seconds: float, sense: float = 1.0) -> Outcome:
    """An outcome with an honest status: ``optimal`` only when the bound proves it.

    Every solve of every solver ends here, through :func:`outcome_of` (PuLP's HiGHS and CBC,
    the live HiGHS of :mod:`scorer.portfolio.resolve`, the child process of :mod:`scorer.mip.child`).

    Parameters
    ----------
    objective : float
        The incumbent's objective.
    bound : float
        The best proven bound in the problem's sense (``inf``: none). A
        "bound" on the wrong side of the incumbent bounds nothing (CBC stopped
        on time mid-way through its cuts reports such figures, e.g. -4.8e12
        against an incumbent of 97): it counts as none.
    x : array (K,)
        0/1 option choices, in :attr:`PortfolioModel.x` order.
    seconds : float
        Solve time.
    sense : float
        1 for a maximisation, -1 for a minimisation.
    """
    if math.isfinite(bound) and sense * (bound - objective) < -OPTIMAL_GAP * max(abs(objective), 1.0):
        bound = math.inf * sense
    gap = abs(bound - objective) / max(abs(objective), 1e-9) if math.isfinite(bound) else math.inf
    if gap <= OPTIMAL_GAP or abs(bound - objective) <= 1e-9:
        return Outcome("optimal", objective, objective, 0.0, x, seconds)
    return Outcome("feasible", objective, bound, gap, x, seconds)



@dataclass(frozen=True, eq=False)
class Said:
    """What a solver said about one solve, in no solver's terms (see the adapters that make one).

    ``status`` is the class of the ending: ``"infeasible"`` (proven: no
    answer exists), ``"answer"`` (an incumbent, in ``values``) or ``"none"``
    (neither: stopped before finding one, or failed). ``why`` is the
    solver's own word for how it ended, for the message when there is no answer.
    """

    status: str  # infeasible | answer | none
    objective: float  # the incumbent's objective (nan: none)
    bound: float  # the best proven bound in the problem's sense (inf: none)
    values: np.ndarray  # (K,) the incumbent's column values (empty: none)
    seconds: float
    config: SolverConfig
    why: str = ""
    sense: float = 1.0


def outcome_of(said: Said) -> Outcome:
    """The one place that decides what a solve returned: infeasible, optimal or feasible, else an error.

    Raises
    ------
    SolverError
        The solver stopped with no portfolio and no proof that none exists.
    """
    if said.status == "infeasible":
        return Outcome("infeasible", math.nan, math.nan, math.nan, np.zeros(0), said.seconds)
    if said.status != "answer" or not math.isfinite(said.objective):
        raise no_portfolio_error(said.config, said.why)
    x = (np.asarray(said.values) > 0.5).astype(np.int8)
    return classified(said.objective, said.bound, x, said.seconds, said.sense)


def no_portfolio_error(config: SolverConfig, why: str) -> SolverError:
    """The error of a solve that ended with no portfolio and no proof that none fits."""
    return SolverError(
        f"the {config.name} solver found no portfolio ({why}) within the "
        f"time limit of {config.time_limit:g} s; raise solver.time_limit", settings=("solver.time_limit",))
