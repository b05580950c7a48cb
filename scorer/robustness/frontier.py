"""The efficient frontier: the best portfolio at each level of a budget.

The total budget (or one year's cap, both partners together) is swept over
a range of levels; each level is optimised independently, so levels run in
parallel through :func:`scorer.robustness.parallel.run_map`. A level at which no
portfolio fits (e.g. below the cost of a mandatory project) is reported as
infeasible rather than stopping the sweep.

The *order of buy* lists projects by the lowest level at which they enter
the optimal portfolio. Portfolios need not be nested (more money can swap
two small projects for a large one), so each project also says whether it
stays in at every higher level.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scorer.columns import COUNT, FLAG, FRACTION, ID, MONEY, POINTS, TEXT, declare
from scorer.errors import InfeasibleError, ScoringError
from scorer.limits import MAX_STEPS, check_count
from scorer.mip.config import SolverConfig
from scorer.portfolio.limit_keys import LimitKey
from scorer.portfolio.problem import PortfolioProblem
from scorer.portfolio.resolve import Resolver
from scorer.robustness.parallel import run_map

if TYPE_CHECKING:
    from scorer.portfolio.bargain import Parties


@dataclass(frozen=True, eq=False)
class Frontier:
    """Optimal value and portfolio at each swept level.

    Attributes
    ----------
    limit : str
        What was swept: ``"total"`` or ``"year <YEAR>"``.
    ids, names : tuple of str
        Candidates in id order (as loaded).
    levels : numpy.ndarray
        (L,) the swept budget levels, ascending.
    objective : numpy.ndarray
        (L,) optimal value; NaN where no portfolio fits.
    status : list of str
        Per level: optimal, feasible (stopped by a limit, see ``gap``) or infeasible.
    gap : numpy.ndarray
        (L,) relative gap of each solve (NaN where infeasible).
    selected : numpy.ndarray
        (L, n) bool: the optimal portfolio at each level.
    spend : numpy.ndarray
        (L,) total cost of that portfolio (NaN where infeasible).
    """

    limit: str
    ids: tuple[str, ...]
    names: tuple[str, ...]
    levels: np.ndarray
    objective: np.ndarray
    status: list[str]
    gap: np.ndarray
    selected: np.ndarray
    spend: np.ndarray


def sweep_levels(problem: PortfolioProblem, start: float | None, stop: float | None, steps: int,
                 year: int | None = None) -> np.ndarray:
    """The levels to sweep: ``steps`` evenly spaced from ``start`` to ``stop``.

    Defaults: from 0 to the cost of every candidate together (for a year,
    to what every candidate could spend in one year at most).
    """
    if steps < 2:
        raise ScoringError(f"steps must be at least 2, got {steps}", settings=("steps",))
    check_count("steps", steps, MAX_STEPS)
    if year is not None and year not in problem.years:
        raise ScoringError(f"the swept year {year} is outside the horizon {problem.years[0]}-{problem.years[-1]}",
                           settings=("year",))
    ceiling = float(sum(c.sum() for c in problem.costs)) if year is None else float(
        sum(c.max() for c in problem.costs if len(c)))
    lo = 0.0 if start is None else float(start)
    hi = ceiling if stop is None else float(stop)
    if not (np.isfinite(lo) and np.isfinite(hi) and 0 <= lo < hi):
        raise ScoringError(f"the sweep needs 0 <= start < stop, got {lo:g} to {hi:g}", settings=("start", "stop"))
    return np.linspace(lo, hi, steps)


def _limit_key(year: int | None) -> LimitKey:
    """The swept limit (see :func:`scorer.portfolio.resolve.limit_fields`)."""
    return LimitKey("total_budget") if year is None else LimitKey("year_cap", year=year)


def _solve_level(task: tuple[Resolver, float, LimitKey]) -> tuple[str, float, float, np.ndarray]:
    """(status, objective, gap, start) at one level; infeasible levels do not raise."""
    resolver, level, key = task
    try:
        sol = resolver.solve(resolver.values, rhs={key: level}, explain=False)
    except InfeasibleError:
        return "infeasible", np.nan, np.nan, np.full(resolver.problem.n, -1)
    return sol.status, sol.objective, sol.gap, sol.start


def frontier(problem: PortfolioProblem, values: np.ndarray, config: SolverConfig, levels: np.ndarray, *,
             year: int | None = None, workers: int | None = 1, scheduler: str | None = None) -> Frontier:
    """Optimise at every level of the total budget (or of ``year``'s cap).

    Parameters
    ----------
    problem : PortfolioProblem
    values : array (n,)
        Candidate values (0-100).
    config : SolverConfig
    levels : array (L,)
        From :func:`sweep_levels`.
    year : int, optional
        Sweep this year's cap instead of the total budget.
    workers, scheduler
        As :func:`scorer.robustness.parallel.run_map`; one task per level.
    """
    levels = np.asarray(levels, dtype=float)
    # One model, re-solved with only the swept limit's bound changed at each level.
    resolver = Resolver(problem, np.asarray(values, dtype=float), config)
    tasks = [(resolver, float(v), _limit_key(year)) for v in levels]
    found = run_map(_solve_level, tasks, workers=workers, scheduler=scheduler, label="frontier")
    selected = np.array([start >= 0 for _, _, _, start in found], dtype=bool).reshape(len(levels), problem.n)
    totals = np.array([c.sum() for c in problem.costs])
    status = [f[0] for f in found]
    spend = np.where([s == "infeasible" for s in status], np.nan, selected.astype(float) @ totals)
    return Frontier(
        "total" if year is None else f"year {year}", problem.ids, problem.names, levels,
        np.array([f[1] for f in found], dtype=float), status,
        np.array([f[2] for f in found], dtype=float), selected, spend,
    )


def frontier_table(result: Frontier) -> pd.DataFrame:
    """One row per level: ``level,status,objective,gap,spend,projects,added,dropped,portfolio``.

    ``added``/``dropped`` compare with the previous feasible level; ids are space-separated.
    """
    ids = np.array(result.ids)
    added, dropped = [], []
    prev = None
    for row, status in zip(result.selected, result.status):  # a loop over levels (tens), not candidates
        feasible = status != "infeasible"
        added.append(" ".join(ids[row & ~prev]) if feasible and prev is not None else "")
        dropped.append(" ".join(ids[prev & ~row]) if feasible and prev is not None else "")
        prev = row if feasible else prev
    table = pd.DataFrame({
        "level": result.levels, "status": result.status, "objective": result.objective, "gap": result.gap,
        "spend": result.spend, "projects": result.selected.sum(axis=1).astype(int),
        "added": added, "dropped": dropped, "portfolio": [" ".join(ids[row]) for row in result.selected],
    })
    return declare(table, {"level": MONEY, "status": TEXT, "objective": POINTS, "gap": FRACTION, "spend": MONEY,
                           "projects": COUNT, "added": ID, "dropped": ID, "portfolio": ID})


def buy_order(result: Frontier) -> pd.DataFrame:
    """Projects in the order they enter: ``order,id,name,enters_at,stays_in`` (never-selected ones left out).

    ``enters_at`` is the lowest swept level whose portfolio holds the
    project; ``stays_in`` says whether every higher level's portfolio does too.
    """
    sel = result.selected
    ever = sel.any(axis=0)
    first = np.where(ever, sel.argmax(axis=0), len(result.levels))
    # stays in: selected at every feasible level from its first one on
    feasible = np.array([s != "infeasible" for s in result.status])
    later = np.arange(len(result.levels))[:, None] >= first[None, :]
    stays = ~((later & feasible[:, None]) & ~sel).any(axis=0)
    idx = np.flatnonzero(ever)
    idx = idx[np.lexsort((np.array(result.ids)[idx], first[idx]))]
    table = pd.DataFrame({
        "order": np.arange(1, len(idx) + 1), "id": [result.ids[i] for i in idx],
        "name": [result.names[i] for i in idx], "enters_at": result.levels[first[idx]],
        "stays_in": stays[idx],
    })
    return declare(table, {"order": COUNT, "id": ID, "name": TEXT, "enters_at": MONEY, "stays_in": FLAG})


def concept_frontier(problem: PortfolioProblem, parties: Parties, objective: str, config: SolverConfig,
                     levels: np.ndarray, *, year: int | None = None) -> Frontier:
    """The portfolio a solution concept picks at every level (see :func:`frontier` for the rest).

    Parameters
    ----------
    problem, config, levels, year
        As :func:`frontier`.
    parties : Parties
        The partners (see :mod:`scorer.portfolio.bargain`).
    objective : str
        ``nash``, ``balanced`` (or ``joint`` or a partner id): solved at each level by
        :func:`scorer.portfolio.bargain.solve_objective`, one level after another
        (each is a sequence of solves). ``objective`` is the portfolio's joint value.
        A level where no portfolio gives every partner more than its disagreement
        value has status ``no agreement`` (NaN value), as an infeasible one.
    """
    levels = np.asarray(levels, dtype=float)
    found = [_concept_level(problem, parties, objective, config, float(v), year) for v in levels]
    selected = np.array([start >= 0 for _, _, _, start in found], dtype=bool).reshape(len(levels), problem.n)
    totals = np.array([c.sum() for c in problem.costs])
    status = [f[0] for f in found]
    spend = np.where([s in ("infeasible", "no agreement") for s in status], np.nan, selected.astype(float) @ totals)
    return Frontier(
        "total" if year is None else f"year {year}", problem.ids, problem.names, levels,
        np.array([f[1] for f in found], dtype=float), status,
        np.array([f[2] for f in found], dtype=float), selected, spend,
    )


def _concept_level(problem: PortfolioProblem, parties: Parties, objective: str, config: SolverConfig,
                   level: float, year: int | None) -> tuple[str, float, float, np.ndarray]:
    from scorer.portfolio.bargain import solve_objective

    if year is None:
        at = replace(problem, total_cap=level)
    else:
        caps = problem.year_cap.copy()
        caps[int(np.flatnonzero(problem.years == year)[0])] = level
        at = replace(problem, year_cap=caps)
    try:
        pt = solve_objective(at, parties, objective, config).point
    except InfeasibleError:
        return "infeasible", np.nan, np.nan, np.full(problem.n, -1)
    except ScoringError as exc:
        if exc.settings == ("objective",):  # not this level's doing: an objective the parties cannot take
            raise
        return "no agreement", np.nan, np.nan, np.full(problem.n, -1)
    proven = pt.status == "optimal"
    return ("optimal" if proven else "feasible"), pt.joint, (0.0 if proven else np.nan), pt.start
