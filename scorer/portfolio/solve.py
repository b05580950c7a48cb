"""The exact portfolio integer program: build it with PuLP, solve it, report honestly.

Pure: arrays in (a :class:`~scorer.portfolio.problem.PortfolioProblem` and the
candidates' values), a :class:`Solution` out. One binary per start option;
each named limit of :mod:`scorer.portfolio.problem` becomes one or more rows named
after it, so a row name leads back to the user's limit.

A built :class:`PortfolioModel` can be re-solved with another objective or
with options fixed on or off without being rebuilt (the explanations and the
robustness analysis re-solve it many times).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from scorer.errors import InfeasibleError, SolverError
from scorer.mip.config import SolverConfig
from scorer.mip.large import duration_text
from scorer.mip.outcome import Outcome
from scorer.portfolio.model import PortfolioModel
from scorer.portfolio.problem import (
    Options,
    PortfolioProblem,
    option_count,
)


@dataclass(frozen=True, eq=False)
class Solution:
    """An optimised portfolio that passed the independent check.

    ``start[i]`` is candidate i's start year, or -1 when it is left out.
    ``shares[i, j]`` is partner j's share of candidate i's cost: chosen within
    the ranges for a selected candidate with share ranges (see
    :mod:`scorer.portfolio.split`), else the problem's ``shares``.
    """

    problem: PortfolioProblem
    values: np.ndarray
    start: np.ndarray
    status: str
    objective: float
    bound: float
    gap: float
    build_seconds: float
    solve_seconds: float
    model: PortfolioModel | None = field(default=None, repr=False)
    shares: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.shares is None:
            object.__setattr__(self, "shares", self.problem.shares)

    @property
    def selected(self) -> np.ndarray:
        return self.start >= 0












def sweep_note(problem: PortfolioProblem, config: SolverConfig, solves: int) -> str | None:
    """What a sweep of at least ``solves`` re-solves may cost when each runs in a child process; else None."""
    k = option_count(problem)
    if not config.isolates(k):
        return None
    return (f"at least {solves:,} re-solves of a model with {k:,} start options, each in a child process with "
            f"the {config.time_limit:g} s time limit: up to {duration_text(solves * config.time_limit)}; "
            "Ctrl-C stops it")


















def optimize(problem: PortfolioProblem, values: np.ndarray, config: SolverConfig = SolverConfig()) -> Solution:
    """The best portfolio, checked independently before it is returned.

    Parameters
    ----------
    problem : PortfolioProblem
    values : array (n,)
        Each candidate's value on the 0-100 scale, in candidate order.
    config : SolverConfig

    Returns
    -------
    Solution

    Raises
    ------
    InfeasibleError
        No portfolio meets every limit; the message names the conflicting
        limits and the cheapest ways out.
    SolverError
        The solver failed, found nothing in time, or returned a portfolio
        that breaks a limit.
    """
    values = np.asarray(values, dtype=float)
    if values.shape != (problem.n,) or not np.isfinite(values).all():
        raise SolverError(f"need one finite value per candidate ({problem.n}), got shape {values.shape}")
    t0 = time.perf_counter()
    model = PortfolioModel(problem, values)
    return solve_built(model, config, time.perf_counter() - t0)


def solve_built(model: PortfolioModel, config: SolverConfig, built: float = 0.0) -> Solution:
    """Solve a model built by the caller (e.g. after writing it to a file); as :func:`optimize`."""
    outcome = model.solve(config)
    if outcome.status == "infeasible":
        from scorer.portfolio.infeasibility import explain_infeasibility

        raise InfeasibleError(explain_infeasibility(model.problem, config))
    return checked_solution(model.problem, model.values, model.options, outcome, built, model)


def checked_solution(problem: PortfolioProblem, values: np.ndarray, options: Options, outcome: Outcome,
                     built: float = 0.0, model: PortfolioModel | None = None) -> Solution:
    """Turn an outcome into a :class:`Solution`, refusing one that breaks a limit.

    Parameters
    ----------
    problem : PortfolioProblem
        The problem as solved (with any changed limits): the portfolio is checked against it.
    values : array (n,)
        The values solved for: the objective is recomputed from them.
    options : Options
        The start options ``outcome.x`` chooses among.
    outcome : Outcome
    built : float
        Seconds spent building the model.
    model : PortfolioModel, optional
        Kept in the solution for re-solves (explanations).
    """
    from scorer.portfolio.feasibility import violations, yearly_spend
    from scorer.portfolio.split import choose_split

    start = chosen_starts(options, outcome.x, problem.n)
    shares = choose_split(problem, start, yearly_spend(problem, start)) if problem.chooses_shares else problem.shares
    found = violations(problem, start, shares)
    if found:
        raise SolverError("the solver returned a portfolio that breaks a limit: " + "; ".join(found[:3]))
    objective = portfolio_value(problem, values, start)
    if abs(objective - outcome.objective) > 1e-6 * max(1.0, abs(objective)):
        raise SolverError(f"the solver's objective {outcome.objective:.6f} does not match the portfolio's "
                          f"value {objective:.6f}")
    # A proven optimum's bound is its objective (outcome_of says so with the solver's own float of it); the
    # objective recomputed from the portfolio replaces that float, so the bound does not depend on the
    # solve's path in its last digits (a warm re-solve and a cold one of the same model agree to the bit).
    bound = objective if outcome.status == "optimal" else max(outcome.bound, objective)
    return Solution(problem, values, start, outcome.status, objective, bound, outcome.gap,
                    built, outcome.seconds, model, shares)


def chosen_starts(options: Options, x: np.ndarray, n: int) -> np.ndarray:
    """Start year per candidate (-1 when not selected) from option choices."""
    start = np.full(n, -1, dtype=np.int64)
    on = np.flatnonzero(x)
    start[options.cand[on]] = options.start[on]
    return start


def portfolio_value(problem: PortfolioProblem, values: np.ndarray, start: np.ndarray) -> float:
    """Sum of selected values less the delay discount, computed from the portfolio itself."""
    sel = start >= 0
    delay = np.maximum(start[sel] - problem.earliest[sel], 0)
    return float(np.sum(np.asarray(values)[sel] * (1.0 - problem.delay_discount) ** delay))


