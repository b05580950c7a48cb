"""Near-optimal alternatives: the k best distinct portfolios.

Two portfolios are *distinct* when they select different sets of
candidates; the same set with other start years is the same portfolio (each
set is shown with its best schedule). After each solve a no-good cut

    sum_{i in S} y_i - sum_{i not in S} y_i <= |S| - 1,

with ``y_i`` the sum of candidate i's start options, removes exactly the
set ``S`` just found, and the model is solved again. With a zero gap each
answer is optimal among the sets not yet found, so the values never
increase. Projects in every one of the k portfolios are the *core*; those in
some are *swappable*.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scorer.columns import COUNT, ID, PERCENT, POINTS, TEXT, declare
from scorer.errors import ScoringError
from scorer.limits import MAX_ALTERNATIVES, check_count
from scorer.mip.config import SolverConfig
from scorer.portfolio.model import PortfolioModel
from scorer.portfolio.problem import PortfolioProblem, no_good
from scorer.portfolio.solve import Solution, checked_solution, solve_built
from scorer.progress import ProgressBar


@dataclass(frozen=True, eq=False)
class Alternatives:
    """The k best distinct portfolios, best first (fewer when fewer exist).

    Attributes
    ----------
    ids, names : tuple of str
        Candidates in id order (as loaded).
    solutions : list of Solution
        Each checked against every limit; ``solutions[0]`` is the optimum.
    """

    ids: tuple[str, ...]
    names: tuple[str, ...]
    solutions: list[Solution]

    @property
    def selected(self) -> np.ndarray:
        """(k, n) bool: the selection of each alternative."""
        return np.array([s.selected for s in self.solutions], dtype=bool).reshape(len(self.solutions), -1)

    @property
    def objective(self) -> np.ndarray:
        return np.array([s.objective for s in self.solutions])


def exclude_selection(model: PortfolioModel, selected: np.ndarray, name: str) -> None:
    """Add the no-good cut that forbids exactly this set of selected candidates."""
    model.add_row(no_good(model.options, np.asarray(selected, dtype=bool), name))


def k_best(problem: PortfolioProblem, values: np.ndarray, config: SolverConfig, k: int) -> Alternatives:
    """The ``k`` best distinct portfolios by repeated solves with no-good cuts.

    Parameters
    ----------
    problem : PortfolioProblem
    values : array (n,)
        Candidate values (0-100).
    config : SolverConfig
        With a positive gap an answer may not be the best remaining one; the
        status of each solution says so.
    k : int
        How many portfolios (at least 1).

    Raises
    ------
    InfeasibleError
        No portfolio fits at all (explained as by ``coprod optimize``).
    """
    if k < 1:
        raise ScoringError(f"k (the number of alternatives) must be at least 1, got {k}", settings=("k",))
    check_count("k", k, MAX_ALTERNATIVES)
    model = PortfolioModel(problem, values)
    found = [solve_built(model, config)]
    with ProgressBar("alternative portfolios", k) as bar:
        while len(found) < k:  # one solve per alternative
            bar.update(len(found))
            exclude_selection(model, found[-1].selected, f"nogood_{len(found)}")
            outcome = model.solve(config)
            if outcome.status == "infeasible":  # every feasible set has been listed
                break
            found.append(checked_solution(model.problem, model.values, model.options, outcome, model=model))
    return Alternatives(problem.ids, problem.names, found)


def alternatives_table(result: Alternatives) -> pd.DataFrame:
    """One row per portfolio: ``rank,status,objective,gap_to_best,gap_pct,projects,portfolio``.

    ``gap_to_best`` is the best objective minus this one; ``gap_pct`` the
    same as a percentage of the best.
    """
    obj = result.objective
    best = obj[0]
    ids = np.array(result.ids)
    table = pd.DataFrame({
        "rank": np.arange(1, len(obj) + 1), "status": [s.status for s in result.solutions],
        "objective": obj, "gap_to_best": best - obj,
        "gap_pct": 100.0 * (best - obj) / max(abs(best), 1e-9),
        "projects": result.selected.sum(axis=1).astype(int),
        "portfolio": [" ".join(ids[row]) for row in result.selected],
    })
    # gap_to_best is in objective points and gap_pct already in percent: neither is a fraction.
    return declare(table, {"rank": COUNT, "status": TEXT, "objective": POINTS, "gap_to_best": POINTS,
                           "gap_pct": PERCENT, "projects": COUNT, "portfolio": ID})


def roles_table(result: Alternatives) -> pd.DataFrame:
    """One row per candidate: ``id,name,role,in_portfolios`` with role core, swappable or out.

    Core: in all k portfolios; swappable: in some; out: in none. Sorted by
    role, then by how many portfolios hold it, then by id.
    """
    sel = result.selected
    count = sel.sum(axis=0)
    k = sel.shape[0]
    role = np.where(count == k, "core", np.where(count > 0, "swappable", "out"))
    rank = np.select([count == k, count > 0], [0, 1], 2)
    order = np.lexsort((np.array(result.ids), -count, rank))
    table = pd.DataFrame({
        "id": [result.ids[i] for i in order], "name": [result.names[i] for i in order],
        "role": role[order], "in_portfolios": count[order].astype(int),
    })
    return declare(table, {"id": ID, "name": TEXT, "role": ID, "in_portfolios": COUNT})
