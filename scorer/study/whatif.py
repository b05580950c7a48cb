"""Many what-ifs on one scenario, each answered as the command line answers it, fast enough to feel live.

The interactive page (``coprod serve``) asks one question per slider move:
these weights, this method, this budget and these year caps; what is the
ranking and the portfolio? :class:`WhatIf` keeps the scenario loaded and
answers each question with a :class:`scorer.study.study.Study` of those
overrides, so the ranking, the values and every check are the command line's.
The portfolio of the joint values is re-solved warm (a
:class:`scorer.portfolio.resolve.Resolver` per thread: its live model is
cleared and started from the base optimum before every solve, so an answer
does not depend on the questions before it, nor on the thread that answered);
a bargained objective (Nash, balanced, a partner's own, or partner floors)
takes the study's own solve, as ``coprod optimize --objective`` does.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from scorer.inputs.loading import ScenarioInputs
from scorer.scoring.score import ScoreResult
from scorer.study.study import Study

if TYPE_CHECKING:
    from scorer.portfolio.limit_keys import LimitKey
    from scorer.portfolio.problem import PortfolioProblem
    from scorer.portfolio.resolve import Resolver
    from scorer.portfolio.solve import Solution


@dataclass(frozen=True, eq=False)
class Answer:
    """One what-if answered: its study, the ranking and the checked portfolio.

    ``seconds`` is the wall time of the answer (scoring and solve).
    """

    study: Study
    scored: ScoreResult
    solution: Solution
    seconds: float


class WhatIf:
    """A scenario opened for many what-ifs (thread-safe: each thread re-solves its own live model).

    Parameters
    ----------
    inputs : ScenarioInputs
        The loaded scenario.
    time_limit : float, optional
        Each solve's time limit instead of the scenario's ``solver.time_limit``
        (a live page wants seconds, not a minute); the status and gap of a
        stopped solve say so.

    Raises
    ------
    SolverError
        A time limit that is not a positive number of seconds.
    """

    def __init__(self, inputs: ScenarioInputs, *, time_limit: float | None = None) -> None:
        self.base = Study(inputs, time_limit=time_limit)
        self._local = threading.local()

    @property
    def inputs(self) -> ScenarioInputs:
        """The loaded scenario."""
        return self.base.inputs

    def study(self, **overrides: Any) -> Study:
        """The study of the scenario with ``overrides`` (the fields of :class:`Study`), validated.

        Raises
        ------
        CoprodError
            As :class:`Study` (an unknown criterion or method, a negative weight, a year cap outside the horizon...).
        """
        return self.base.with_changes(**overrides)

    def evaluate(self, study: Study) -> Answer:
        """The ranking and the portfolio of ``study`` (one of :meth:`study`'s).

        Raises
        ------
        InfeasibleError, SolverError
            As :attr:`Study.solution`: no portfolio fits, or the solver failed.
        """
        t0 = time.perf_counter()
        scored = study.scored()
        solution = study.solution if study.bargained else self._warm(study)
        return Answer(study, scored, solution, time.perf_counter() - t0)

    @cached_property
    def baseline(self) -> Answer:
        """The answer at the scenario's own settings (what a what-if is compared with)."""
        return self.evaluate(self.base)

    def _warm(self, study: Study) -> Solution:
        solution = self._resolver().solve(study.values.copy(), rhs=limit_differences(self.base.problem, study.problem))
        # The model of the limits at these values: which limits bind, as the command line's solve carries it.
        return replace(solution, model=study.model)

    def _resolver(self) -> Resolver:
        resolver = getattr(self._local, "resolver", None)
        if resolver is None:
            resolver = self._local.resolver = self.base.resolver()
        return resolver


def limit_differences(base: PortfolioProblem, other: PortfolioProblem) -> dict[LimitKey, float]:
    """The total budget and year caps of ``other`` that differ from ``base``'s, as a re-solve takes them.

    Only these two limits are compared: they are the ones a what-if changes
    (:class:`Study`'s ``budget`` and ``year_caps``); ``inf`` is no cap.
    """
    from scorer.portfolio.limit_keys import LimitKey

    out: dict[LimitKey, float] = {}
    if not _same(base.total_cap, other.total_cap):
        out[LimitKey("total_budget")] = float(other.total_cap)
    changed = ~np.isclose(base.year_cap, other.year_cap, rtol=0.0, atol=0.0, equal_nan=True)
    for t in np.flatnonzero(changed).tolist():
        out[LimitKey("year_cap", year=int(base.years[t]))] = float(other.year_cap[t])
    return out


def _same(a: float, b: float) -> bool:
    return bool(np.isclose(a, b, rtol=0.0, atol=0.0, equal_nan=True))


def selection_changes(before: Solution, after: Solution) -> dict[str, Any]:
    """Projects ``after`` takes in, leaves out, and starts in another year than ``before``.

    Returns
    -------
    dict
        ``{"in": [ids], "out": [ids], "moved": [{"id", "from", "to"}]}`` in id order of the scenario.
    """
    ids = np.asarray(before.problem.ids)
    was, now = before.start >= 0, after.start >= 0
    moved = np.flatnonzero(was & now & (before.start != after.start))
    return {"in": ids[now & ~was].tolist(), "out": ids[was & ~now].tolist(),
            "moved": [{"id": str(ids[i]), "from": int(before.start[i]), "to": int(after.start[i])} for i in moved]}

