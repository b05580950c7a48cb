"""Whose values an analysis uses: the study's objective (``joint``, ``nash``, ``balanced`` or a partner id).

``joint`` is the analyses as always. A partner id runs them on that partner's
values (its weights and its own scores; sampling around its effective
weights). ``nash`` and ``balanced`` are bargains between the partners'
values, not one value per candidate: an analysis that is a sequence of
optimisations solves them (compare's two sides, frontier's levels, the
report's portfolio); one that needs a single value per candidate or a
frontier per sample (sensitivity's samples, alternatives' next-best
portfolios) refuses them with :func:`single_values`' error.

A scenario without perspectives takes only ``joint`` (:class:`Study` checks
that), and its outputs say nothing of whose values they use.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from scorer.errors import ScoringError
from scorer.study.study import Study

if TYPE_CHECKING:
    from scorer.robustness.frontier import Frontier
    from scorer.robustness.sampling import ScoringBasis

CONCEPTS = ("nash", "balanced")
# Why each analysis needs one value per candidate: its refusal of a bargain.
_NEEDS = {
    "sensitivity": "sensitivity re-optimises one sampled set of values after another, and the {0} solution would take a "
                   "whole frontier per sample",
    "alternatives": "alternatives lists the next-best portfolios of one value per candidate, and the {0} solution is a "
                    "bargain between the partners' values with no such order",
    "robustness": "the report's robustness analyses re-optimise sampled values (flip points, Monte Carlo, "
                  "the near-optimal alternatives), and the {0} solution would take a whole frontier per sample",
}


def single_values(study: Study, analysis: str) -> np.ndarray:
    """The one value per candidate ``analysis`` runs on: the joint values, or the objective partner's.

    Raises
    ------
    ScoringError
        The objective is ``nash`` or ``balanced`` (names the setting ``objective``).
    """
    objective = study.objective
    if objective == "joint":
        return study.values
    if objective in CONCEPTS:
        # The report can also leave its robustness analyses out.
        raise ScoringError(f"{_NEEDS[analysis].format(objective)}: choose the objective joint or a "
                           "partner", settings=("objective", "robustness") if analysis == "robustness" else ("objective",))
    return np.asarray(study.views.views[objective].scored.scores, dtype=float)


def analysis_basis(study: Study, analysis: str) -> ScoringBasis:
    """What the robustness analyses resample: the study's basis, or the objective partner's.

    A partner's basis is its own criteria file (or the shared one) and its own
    scores, at its effective weights, so samples centre on that partner's view.

    Raises
    ------
    ScoringError
        As :func:`single_values`.
    """
    single_values(study, analysis)  # refuses a bargain
    if study.objective == "joint":
        return study.basis
    from scorer.robustness.sampling import scoring_basis

    own = study.inputs.perspectives[study.objective]
    view = study.views.views[study.objective]
    inputs = replace(study.inputs, criteria=own.criteria, candidates=own.candidates)
    return replace(scoring_basis(inputs, study.method), weights=view.weights.effective)


def values_of(study: Study) -> str | None:
    """Whose values the analysis uses (``joint``, a concept or a partner id); None without perspectives."""
    return None if study.views is None else study.objective


def values_line(study: Study) -> str:
    """The line the text formats print about whose values are used ('' without perspectives)."""
    who = values_of(study)
    if who is None:
        return ""
    return f"values: {values_text(who)}\n\n"


def values_text(who: str) -> str:
    """``who``'s values in words."""
    if who == "joint":
        return "joint (the joint weights and scores)"
    if who in CONCEPTS:
        return f"the {who} solution of the partners' values at each optimisation"
    return f"{who}'s own (its weights and scores)"


def with_values(document: dict[str, Any], study: Study) -> dict[str, Any]:
    """``document`` with a ``values`` field saying whose values (unchanged without perspectives)."""
    who = values_of(study)
    return document if who is None else {**document, "values": who}


def objective_frontier(study: Study, levels: np.ndarray, *, year: int | None = None, workers: int | None = 1,
                       scheduler: str | None = None) -> Frontier:
    """The frontier of the study's objective: each level optimised on its values, or by its concept.

    ``nash`` and ``balanced`` solve each level in turn
    (:func:`scorer.robustness.frontier.concept_frontier`, the value shown the
    portfolio's joint value); ``joint`` and a partner sweep in parallel as
    :func:`scorer.robustness.frontier.frontier` does.
    """
    from scorer.robustness.frontier import concept_frontier, frontier

    if study.objective in CONCEPTS:
        return concept_frontier(study.problem, study.parties, study.objective, study.config, levels, year=year)
    return frontier(study.problem, single_values(study, "frontier"), study.config, levels, year=year,
                    workers=workers, scheduler=scheduler)
