"""A short, human summary of a loaded scenario (what `coprod validate` prints, and a workbook's about sheet)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from scorer.errors import one_line
from scorer.files import display_path
from scorer.inputs.loading import ScenarioInputs


def summarise(inputs: ScenarioInputs) -> str:
    """Describe a valid scenario in a few lines."""
    s, crit, cand = inputs.scenario, inputs.criteria, inputs.candidates
    where = inputs.files["scenario"]
    h = s.horizon
    groups = f" in {len(crit.groups)} groups" if crit.groups else ""
    scored = sum(1 for c in cand.candidates for sc in c.scores.values() if sc.low is not None or sc.high is not None)
    rules = s.rules
    lines = [
        f"{display_path(where) if where else '<stdin>'}: valid",
        f"  scenario:   {s.name}",
        f"  criteria:   {len(crit.criteria)}{groups}, weighting {crit.weighting.method}",
        f"  candidates: {len(cand.candidates)} ({cand.currency}); {scored} scores with a low/high range",
        f"  horizon:    {h.start}-{h.end} ({h.end - h.start + 1} years)",
        f"  budget:     {_budget(inputs)}",
        f"  rules:      {_rules(rules)}",
        f"  method:     {s.method}; solver {s.solver.name} (time limit {s.solver.time_limit:g} s, gap {s.solver.gap:g}); seed {s.seed}",
    ]
    # Each line stays one line: a name holding a newline, CR or ESC shows it escaped.
    return "\n".join(one_line(line) for line in lines)


def _budget(inputs: ScenarioInputs) -> str:
    b = inputs.scenario.budget
    parts = []
    if b.total is not None:
        parts.append(f"total {b.total:g}")
    if b.per_year is not None:
        parts.append("per year " + (f"{b.per_year:g}" if not isinstance(b.per_year, dict) else f"set for {len(b.per_year)} years"))
    if b.per_partner:
        parts.append("per partner: " + ", ".join(sorted(b.per_partner)))
    return "; ".join(parts) or "none"


def _rules(rules) -> str:
    parts = []
    if rules.mandatory:
        parts.append("mandatory " + ", ".join(rules.mandatory))
    if rules.forbidden:
        parts.append("forbidden " + ", ".join(rules.forbidden))
    if rules.min_projects is not None:
        parts.append(f"at least {rules.min_projects} projects")
    if rules.max_projects is not None:
        parts.append(f"at most {rules.max_projects} projects")
    for name, rule in sorted(rules.categories.items()):
        bounds = [f">= {rule.min}" if rule.min is not None else "", f"<= {rule.max}" if rule.max is not None else ""]
        parts.append(f"{name} " + " and ".join(b for b in bounds if b))
    return "; ".join(parts) or "none"


def workbook_about(command: str, inputs: ScenarioInputs, solution: Any = None, label: str = "",
                   settings: Mapping[str, Any] | None = None) -> list[tuple[str, Any]]:
    """What a workbook of ``coprod COMMAND`` holds: the rows of its ``about`` sheet.

    Parameters
    ----------
    command : str
        The sub-command, e.g. ``optimize``.
    inputs : ScenarioInputs
        The scenario the results are of.
    solution : Solution, optional
        The portfolio the results are of (its status, objective, bound, gap).
    label : str
        Prefix of the scenario rows (``A``/``B`` for a comparison).
    settings : mapping, optional
        Further settings of the run (e.g. samples and seed), one row each.
    """
    from scorer import __version__

    rows: list[tuple[str, Any]] = [("command", f"coprod {command}"), ("coprod version", __version__)]
    return rows + scenario_about(inputs, solution, label) + [(k, _setting(v)) for k, v in (settings or {}).items()]


def scenario_about(inputs: ScenarioInputs, solution: Any = None, label: str = "") -> list[tuple[str, Any]]:
    """The scenario rows of a workbook's ``about`` sheet (see :func:`workbook_about`)."""
    where = inputs.files["scenario"]
    currency = inputs.candidates.currency
    prefix = f"{label} " if label else ""
    rows: list[tuple[str, Any]] = [
        ("scenario", inputs.scenario.name),
        ("scenario file", display_path(where) if where else "<stdin>"),
        ("currency", currency),
    ]
    if "notional" in currency.lower():
        rows.append(("figures", "notional (as the candidates file's currency says)"))
    if solution is not None:
        rows += [("status", solution.status), ("objective", _finite(solution.objective)),
                 ("bound", _finite(solution.bound)), ("gap", _finite(solution.gap))]
    return [(prefix + key, value) for key, value in rows]


def _finite(x: float) -> float | str:
    return float(x) if math.isfinite(x) else "none"


def _setting(value: Any) -> Any:
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        return value
    if value is None or (isinstance(value, dict | list | tuple) and not value):
        return "none"
    return str(value)
