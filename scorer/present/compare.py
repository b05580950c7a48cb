"""What differs between two scenarios: their inputs and their optimal portfolios.

Inputs: each criterion's effective weight, every scenario setting (budgets
total/yearly/per partner, rules, horizon, objective, method, solver, seed),
and the candidates added, removed or changed (fields and 0-100 values).
Results: both scenarios are optimised (checked like ``coprod optimize``)
and compared: projects in and out, moved start years, objective, spend by
year. Every table lists differences only; an empty table means "the same".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scorer.columns import (
    FLAG,
    FRACTION,
    ID,
    MONEY,
    NUMBER,
    POINTS,
    TEXT,
    YEAR,
    declare,
)
from scorer.errors import InfeasibleError
from scorer.inputs.loading import ScenarioInputs
from scorer.portfolio.feasibility import yearly_spend
from scorer.portfolio.solve import Solution
from scorer.present.output import records
from scorer.scoring.score import weights_table
from scorer.study.study import Study

# Tables in the order they are shown; the first is the main one (CSV).
TABLES = ("portfolio", "summary", "spend", "weights", "settings", "candidates")
TITLES = {
    "portfolio": "Projects in or out, or moved (an empty start: not selected)",
    "summary": "Results",
    "spend": "Spend by year, both partners",
    "weights": "Effective weights",
    "settings": "Scenario settings (budgets, rules, horizon, objective, method, solver)",
    "candidates": "Candidates added, removed or changed, with their 0-100 values",
}
# How the one-line "unchanged:" list names each table that can be empty.
SHORT = {"portfolio": "projects", "spend": "spend by year", "weights": "effective weights",
         "settings": "scenario settings", "candidates": "candidates"}
TEXT_FORMATS = ("table", "markdown")
_TOL = 1e-9


@dataclass(frozen=True)
class Side:
    """One scenario of a comparison: its study, candidate values and optimal portfolio."""

    label: str
    study: Study
    values: dict[str, float]
    solution: Solution

    @property
    def inputs(self) -> ScenarioInputs:
        """The scenario's loaded files."""
        return self.study.inputs


def solve_side(label: str, study: Study) -> Side:
    """Value the candidates and optimise one study; an infeasible one is named by ``label`` (its file)."""
    try:
        sol = study.solution
    except InfeasibleError as exc:
        # Keep the "infeasible: " start every command's infeasibility message has.
        raise InfeasibleError(f"infeasible: {label}: {str(exc).removeprefix('infeasible: ')}") from None
    ids = [c.id for c in study.inputs.candidates.candidates]
    return Side(label, study, dict(zip(ids, study.values.tolist())), sol)


def compare(a: Side, b: Side) -> dict[str, pd.DataFrame]:
    """Every difference between two solved scenarios, as tables named in :data:`TABLES`."""
    return {
        "portfolio": portfolio_changes(a.solution, b.solution),
        "summary": summary_table(a.solution, b.solution),
        "spend": spend_changes(a.solution, b.solution),
        "weights": weight_changes(a.study, b.study),
        "settings": setting_changes(a.inputs, b.inputs),
        "candidates": candidate_changes(a, b),
    }


def sides_values_line(a: Side, b: Side) -> str:
    """Whose values each side's portfolio maximises, for the text formats ('' when neither has perspectives)."""
    from scorer.present.objectives import values_of, values_text

    who = {label: values_of(side.study) for label, side in (("A", a), ("B", b))}
    if all(w is None for w in who.values()):
        return ""
    return "values: " + "; ".join(f"{label} {values_text(w)}" if w is not None else f"{label} joint (no perspectives)"
                                  for label, w in who.items()) + "\n\n"


def sides_document(tables: dict[str, pd.DataFrame], a: Side, b: Side) -> dict[str, Any] | None:
    """The JSON with ``values: {A: .., B: ..}`` (whose values each side uses); None when neither has perspectives."""
    from scorer.present.objectives import values_of

    who = {"A": values_of(a.study), "B": values_of(b.study)}
    if all(w is None for w in who.values()):
        return None
    return {**{name: records(t) for name, t in tables.items()}, "values": {k: w or "joint" for k, w in who.items()}}


def titled(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Each table's title, saying "no differences" for an empty one."""
    return {name: TITLES[name] + ("" if len(tables[name]) else " (no differences)") for name in tables}


def shown(tables: dict[str, pd.DataFrame], fmt: str) -> dict[str, pd.DataFrame]:
    """The tables an output in ``fmt`` holds, in :data:`TABLES` order.

    json and xlsx hold every table, so readers always find each key or sheet;
    CSV is the portfolio table, empty or not; the text formats leave out
    empty tables (:func:`unchanged_line` names them).
    """
    return {name: tables[name] for name in TABLES if fmt not in TEXT_FORMATS or len(tables[name])}


def unchanged_line(tables: dict[str, pd.DataFrame]) -> str:
    """``"unchanged: projects, effective weights\n"`` for the empty tables, or ``""``."""
    same = [SHORT[name] for name in TABLES if name in SHORT and not len(tables[name])]
    return f"unchanged: {', '.join(same)}\n" if same else ""


def differs(tables: dict[str, pd.DataFrame]) -> bool:
    """Whether anything differs (the summary always has rows; its ``diff`` column tells)."""
    rest = [t for name, t in tables.items() if name != "summary"]
    return any(len(t) for t in rest) or bool(tables["summary"]["changed"].any())


def _starts(sol: Solution) -> dict[str, int]:
    p = sol.problem
    return {p.ids[i]: int(sol.start[i]) for i in np.flatnonzero(sol.selected)}


def portfolio_changes(a: Solution, b: Solution) -> pd.DataFrame:
    """Projects only in A (out), only in B (in) or starting in another year (moved)."""
    sa, sb = _starts(a), _starts(b)
    names = dict(zip(a.problem.ids, a.problem.names)) | dict(zip(b.problem.ids, b.problem.names))
    rows = []
    for cid in sorted(sa.keys() | sb.keys()):
        if sa.get(cid) == sb.get(cid):
            continue
        change = "out" if cid not in sb else "in" if cid not in sa else "moved"
        rows.append({"id": cid, "name": names[cid], "change": change,
                     "start_a": sa.get(cid), "start_b": sb.get(cid)})
    table = pd.DataFrame(rows, columns=["id", "name", "change", "start_a", "start_b"])
    table = table.astype({"start_a": "Int64", "start_b": "Int64"})
    return declare(table, {"id": ID, "name": TEXT, "change": ID, "start_a": YEAR, "start_b": YEAR})


def summary_table(a: Solution, b: Solution) -> pd.DataFrame:
    """Status, objective, project count and total spend of both portfolios."""
    def total(sol: Solution) -> float:
        return float(yearly_spend(sol.problem, sol.start).sum())

    rows = [("status", a.status, b.status), ("objective", a.objective, b.objective),
            ("projects", int(a.selected.sum()), int(b.selected.sum())), ("spend_total", total(a), total(b))]
    table = pd.DataFrame(rows, columns=["metric", "a", "b"], dtype=object)
    table["changed"] = [x != y if isinstance(x, str) else abs(x - y) > _TOL for _, x, y in rows]
    # a and b hold a status, points, a count and money by row: plain numbers.
    return declare(table, {"metric": ID, "a": NUMBER, "b": NUMBER, "changed": FLAG})


def spend_changes(a: Solution, b: Solution) -> pd.DataFrame:
    """Years in which the two portfolios spend different totals (both partners together)."""
    def by_year(sol: Solution) -> dict[int, float]:
        return dict(zip(sol.problem.years.astype(int).tolist(), yearly_spend(sol.problem, sol.start).sum(axis=0)))

    ya, yb = by_year(a), by_year(b)
    years = sorted(ya.keys() | yb.keys())
    table = pd.DataFrame({"year": years, "spend_a": [ya.get(y, 0.0) for y in years],
                          "spend_b": [yb.get(y, 0.0) for y in years]})
    table["change"] = table["spend_b"] - table["spend_a"]
    declare(table, {"year": YEAR, "spend_a": MONEY, "spend_b": MONEY, "change": MONEY})
    return table[table["change"].abs() > _TOL].reset_index(drop=True)


def weight_changes(a: Study, b: Study) -> pd.DataFrame:
    """Criteria whose effective weight differs (a criterion missing on one side weighs 0 there)."""
    wa, wb = (dict(zip(t["id"], t["effective_weight"])) for t in
              (weights_table(x.weight_report) for x in (a, b)))
    ids = list(dict.fromkeys([*wa, *wb]))
    table = pd.DataFrame({"id": ids, "weight_a": [wa.get(i, 0.0) for i in ids],
                          "weight_b": [wb.get(i, 0.0) for i in ids]})
    table["change"] = table["weight_b"] - table["weight_a"]
    declare(table, {"id": ID, "weight_a": FRACTION, "weight_b": FRACTION, "change": FRACTION})
    return table[table["change"].abs() > _TOL].reset_index(drop=True)


def flatten(value: Any, prefix: str = "") -> dict[str, str]:
    """A nested settings object as ``{dotted.path: text}``; lists become sorted, comma-separated text."""
    if isinstance(value, dict):
        out: dict[str, str] = {}
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list | tuple | set):
        return {prefix: ", ".join(sorted(map(str, value)))}
    return {prefix: "" if value is None else _number_text(value)}


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def setting_changes(a: ScenarioInputs, b: ScenarioInputs) -> pd.DataFrame:
    """Scenario settings that differ, by field path (file names and the scenario's name left out)."""
    skip = {"name", "criteria", "candidates"}
    fa, fb = (flatten({k: v for k, v in x.scenario.model_dump(mode="json").items() if k not in skip})
              for x in (a, b))
    keys = [k for k in dict.fromkeys([*fa, *fb]) if fa.get(k, "") != fb.get(k, "")]
    table = pd.DataFrame({"field": keys, "a": [fa.get(k, "") for k in keys], "b": [fb.get(k, "") for k in keys]})
    return declare(table, {"field": ID, "a": ID, "b": ID})


def candidate_changes(a: Side, b: Side) -> pd.DataFrame:
    """Candidates added, removed, or with other fields or another value (weights change values too)."""
    ca = {c.id: c.model_dump(mode="json") for c in a.inputs.candidates.candidates}
    cb = {c.id: c.model_dump(mode="json") for c in b.inputs.candidates.candidates}
    rows = []
    for cid in dict.fromkeys([*ca, *cb]):
        va, vb = a.values.get(cid), b.values.get(cid)
        if cid not in cb or cid not in ca:
            fields = "added" if cid not in ca else "removed"
        else:
            fa, fb = flatten(ca[cid]), flatten(cb[cid])
            # A field absent on one side (a score for a criterion only A has) counts as
            # empty there, as its defaults do: only what is written on either side differs.
            fields = ", ".join(k for k in dict.fromkeys([*fa, *fb]) if fa.get(k, "") != fb.get(k, ""))
            if not fields and abs(va - vb) <= _TOL:
                continue
        rows.append({"id": cid, "change": fields or "value (criteria or weights)", "value_a": va, "value_b": vb})
    table = pd.DataFrame(rows, columns=["id", "change", "value_a", "value_b"])
    table = table.astype({"value_a": float, "value_b": float})
    return declare(table, {"id": ID, "change": ID, "value_a": POINTS, "value_b": POINTS})
