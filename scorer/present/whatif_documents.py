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


def flips_document(study: Study) -> dict[str, Any]:
    """Each weight slider's intervals (raw weight) keeping the top candidate and the portfolio (see
    :func:`scorer.study.slider_flips.slider_flips`), and what changes beyond them."""
    from scorer.study.slider_flips import slider_flips

    # The sliders' ends are the file's, whatever the overrides: a slider does not rescale as it moves.
    raw = [float(x) for x in derive_weights(study.inputs.criteria).raw]
    ends = dict.fromkeys((c.id for c in study.inputs.criteria.criteria), slider_max(raw))
    return {"criteria": {f.criterion: {
        "raw": f.raw, "slider_max": f.slider_max, "top": [f.top_low, f.top_high],
        "leader": f.leader, "leader_below": f.leader_below, "leader_above": f.leader_above,
        "portfolio": None if f.portfolio_low is None else [f.portfolio_low, f.portfolio_high],
        "change_below": _change(f.change_below), "change_above": _change(f.change_above),
    } for f in slider_flips(study, ends)}}


def _change(change: Any) -> Any:
    if change is None:
        return None
    entering, leaving = change
    return {"in": list(entering), "out": list(leaving)}


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


EXPORTS = ("ranking", "portfolio")
EXPORT_FORMATS = {"csv": "text/csv; charset=utf-8",
                  "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def export_file(answer: Answer, what: str, fmt: str) -> tuple[bytes, str]:
    """The ranking or the portfolio of an answer as ``coprod score``/``optimize`` write it in ``fmt``.

    Returns the file's bytes and its name (``ranking.csv``...).

    Raises
    ------
    UsageError
        An unknown table or format.
    """
    from scorer.errors import UsageError
    from scorer.inputs.summary import workbook_about
    from scorer.present.bargain import with_partner_values
    from scorer.present.output import render, to_xlsx
    from scorer.present.solution import portfolio_tables

    if what not in EXPORTS or fmt not in EXPORT_FORMATS:
        raise UsageError(f"can export {' or '.join(EXPORTS)} as {' or '.join(EXPORT_FORMATS)}, not {what} as {fmt}")
    study, sol = answer.study, answer.solution
    if what == "ranking":
        tables, titles = {"ranking": ranked_table(answer.scored)}, {}
        about = workbook_about("score", study.inputs, settings={"method": answer.scored.method,
                                                                "scores at": answer.scored.at})
    else:
        tables, titles = portfolio_tables(sol, None)
        if study.parties is not None:
            tables, _, titles, _ = with_partner_values(sol, study.parties, study.objective, tables, {}, titles, "")
        about = workbook_about("optimize", study.inputs, sol)
    if fmt == "csv":
        return render(next(iter(tables.values())), "csv").encode("utf-8"), f"{what}.csv"
    return to_xlsx(tables, about, titles), f"{what}.xlsx"


def briefing_html(study: Study) -> bytes:
    """``coprod report``'s report.html for the study's settings (explained, with the scenario's robustness)."""
    from scorer.present.report import analyse, build_report
    from scorer.study.settings import RobustnessSettings

    robust = RobustnessSettings.from_scenario(study.inputs.scenario)
    return build_report(analyse(study, explain=True, robust=robust)).html.encode("utf-8")
