"""What the interactive page shows, as JSON documents: the scenario, and each what-if's answer.

The portfolio of an answer is :func:`scorer.present.bargain.optimize_document`,
the very object ``coprod optimize --format json`` prints for the same
overrides, and the ranking is ``coprod score``'s rank, id and score; the page
adds what it draws (contributions, caps, what changed against the file).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from scorer.inputs.models import METHODS
from scorer.present.bargain import optimize_document
from scorer.present.output import records
from scorer.scoring.score import ScoreResult, ranked_table
from scorer.scoring.weights import derive_weights
from scorer.study.study import Study
from scorer.study.whatif import Answer, WhatIf, selection_changes


def scenario_document(whatif: WhatIf) -> dict[str, Any]:
    """What the page builds its controls from: criteria and weights, candidates, limits, partners."""
    base = whatif.base
    inputs = base.inputs
    criteria = inputs.criteria
    shared = derive_weights(criteria)
    problem = base.problem
    raw = [float(x) for x in shared.raw]
    views = base.views
    return {
        "name": inputs.scenario.name,
        "currency": problem.currency,
        "method": base.effective_method,
        "methods": list(METHODS),
        "objective": base.objective,
        "objectives": objectives(base),
        "weighting": criteria.weighting.method,
        "editable": criteria.weighting.method == "direct" and inputs.files.get("criteria") is not None,
        "joint": inputs.scenario.joint.method,
        "criteria": [{"id": c.id, "name": c.name, "group": c.group, "direction": c.direction, "raw": r,
                      "effective": float(e), "slider_max": slider_max(raw)}
                     for c, r, e in zip(criteria.criteria, raw, base.weight_report.effective)],
        "groups": [{"id": g.id, "name": g.name, "weight": float(g.weight)} for g in criteria.groups],
        "candidates": [{"id": c.id, "name": c.name, "category": c.category, "earliest_start": c.earliest_start,
                        "latest_finish": c.latest_finish} for c in inputs.candidates.candidates],
        "horizon": [int(problem.years[0]), int(problem.years[-1])],
        "budget": _money(problem.total_cap),
        "year_caps": _caps(problem.years, problem.year_cap),
        "partners": None if views is None else list(views.partners),
        "perspectives": None if views is None else {
            p: {"raw": dict(zip(v.weights.ids, map(float, v.weights.raw))),
                "effective": dict(zip(v.weights.ids, map(float, v.weights.effective)))}
            for p, v in views.views.items()},
        "time_limit": base.config.time_limit,
    }


def objectives(study: Study) -> list[str]:
    """The objectives the study can take: joint, and with perspectives nash, balanced and each partner."""
    if study.views is None:
        return ["joint"]
    return ["joint", "nash", "balanced", *study.views.partners]


def ranking_records(scored: ScoreResult) -> list[dict[str, Any]]:
    """``coprod score``'s rank, id and score of every candidate, best first."""
    return records(ranked_table(scored)[["rank", "id", "score"]])


def answer_document(answer: Answer, baseline: Answer) -> dict[str, Any]:
    """One what-if's answer: ranking, portfolio, and what the page draws of them."""
    study, sol, scored = answer.study, answer.solution, answer.scored
    views = study.views
    document: dict[str, Any] = {
        "ranking": ranking_records(scored),
        "portfolio": optimize_document(sol, study.parties, study.objective),
        "contributions": _contributions(scored),
        "effective": dict(zip(study.weight_report.ids, map(float, study.weight_report.effective))),
        "year_caps": _caps(sol.problem.years, sol.problem.year_cap),
        "budget": _money(sol.problem.total_cap),
        "changes": selection_changes(baseline.solution, sol),
        "partners": None,
        "seconds": round(answer.seconds, 6),
    }
    if views is not None:
        values = study.partner_values
        document["partners"] = {p: {"value": values[p],
                                    "effective": dict(zip(v.weights.ids, map(float, v.weights.effective)))}
                                for p, v in views.views.items()}
    return document


def _contributions(scored: ScoreResult) -> dict[str, dict[str, float]] | None:
    if scored.contributions is None:
        return None
    parts = scored.contributions.to_numpy(dtype=float)
    return {cid: dict(zip(scored.criteria, row.tolist())) for cid, row in zip(scored.ids, parts)}


def slider_max(all_raw: list[float]) -> float:
    """Where a weight slider ends: 100, or twice the largest raw weight when that is more."""
    return float(max(100.0, 2.0 * max(all_raw, default=0.0)))


def _money(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _caps(years: np.ndarray, caps: np.ndarray) -> dict[str, float | None]:
    return {str(int(y)): _money(c) for y, c in zip(years, caps)}
