"""A short, human summary of a loaded scenario (what `coprod validate` prints)."""

from __future__ import annotations

from scorer.loading import ScenarioInputs, display_path


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
    return "\n".join(lines)


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
