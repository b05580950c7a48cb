"""An optimised portfolio as users see it: its tables, its JSON document and its headline."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from scorer.columns import FRACTION, ID, MONEY, POINTS, TEXT, YEAR, declare
from scorer.portfolio.feasibility import yearly_spend
from scorer.portfolio.solve import Solution
from scorer.present.output import records


def selection_table(sol: Solution) -> pd.DataFrame:
    """One row per selected candidate (``formats.md``).

    Columns ``id,name,start,finish,value,cost_total`` then ``cost_<partner>``
    per partner; ``value`` is the candidate's 0-100 value before any delay
    discount, ``discounted_value`` what it adds to the objective. When the
    problem chooses shares (ranges, or a partner-share rule), ``share_<partner>``
    columns follow: the split chosen, which the partner costs use.
    """
    p = sol.problem
    sel = np.flatnonzero(sol.selected)
    total = np.array([p.costs[i].sum() for i in sel])
    delay = np.maximum(sol.start[sel] - p.earliest[sel], 0)
    table = pd.DataFrame({
        "id": [p.ids[i] for i in sel],
        "name": [p.names[i] for i in sel],
        "start": sol.start[sel].astype(int),
        "finish": (sol.start[sel] + p.durations[sel] - 1).astype(int),
        "value": sol.values[sel].astype(float),
        "cost_total": total.astype(float),
    })
    for j, partner in enumerate(p.partners):
        table[f"cost_{partner}"] = total * sol.shares[sel, j]
    table["discounted_value"] = sol.values[sel] * (1.0 - p.delay_discount) ** delay
    money = {c: MONEY for c in table.columns if c.startswith("cost_")}
    shares = {}
    if p.chooses_shares:
        for j, partner in enumerate(p.partners):
            table[f"share_{partner}"] = sol.shares[sel, j].astype(float)
            shares[f"share_{partner}"] = FRACTION
    return declare(table, {"id": ID, "name": TEXT, "start": YEAR, "finish": YEAR, "value": POINTS, **money,
                           "discounted_value": POINTS, **shares})


def schedule_table(sol: Solution) -> pd.DataFrame:
    """Year x candidate spend, then each year's total, cap and slack, overall and by partner.

    Caps that are not set are empty (NaN); slack is cap minus spend.
    """
    p = sol.problem
    spend = yearly_spend(p, sol.start)
    sel = np.flatnonzero(sol.selected)
    table = pd.DataFrame({"year": p.years.astype(int)})
    for i in sel:
        table[p.ids[i]] = spend[i]
    _cap_columns(table, "total", spend.sum(axis=0), p.year_cap)
    partner = sol.shares.T @ spend
    for j, name in enumerate(p.partners):
        _cap_columns(table, name, partner[j], p.partner_year_cap[j])
    return declare(table, {"year": YEAR, **{c: MONEY for c in table.columns[1:]}})


def _cap_columns(table: pd.DataFrame, label: str, used: np.ndarray, cap: np.ndarray) -> None:
    capped = np.where(np.isfinite(cap), cap, np.nan)
    table[f"spend_{label}"] = used
    table[f"cap_{label}"] = capped
    table[f"slack_{label}"] = capped - used


def solution_json(sol: Solution, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON object of ``formats.md``: status, objective, bound, gap, selected, spend (+ extras)."""
    p = sol.problem
    spend = yearly_spend(p, sol.start)
    partner = sol.shares.T @ spend
    out: dict[str, Any] = {
        "status": sol.status,
        "objective": _num(sol.objective),
        "bound": _num(sol.bound),
        "gap": _num(sol.gap),
        "selected": [
            {"id": p.ids[i], "start": int(sol.start[i]), "finish": int(sol.start[i] + p.durations[i] - 1),
             "value": float(sol.values[i])}
            for i in np.flatnonzero(sol.selected)
        ],
        "spend": {
            str(int(year)): {"total": float(spend[:, t].sum()),
                             **{name: float(partner[j, t]) for j, name in enumerate(p.partners)}}
            for t, year in enumerate(p.years)
        },
        "currency": p.currency,
    }
    if p.chooses_shares:
        _add_shares(out, sol)
    out.update(extra or {})
    return out


def _add_shares(out: dict[str, Any], sol: Solution) -> None:
    """The chosen split on each selected item, and each partner's cost and share of the portfolio's."""
    p = sol.problem
    for item, i in zip(out["selected"], np.flatnonzero(sol.selected).tolist()):
        item["shares"] = {name: float(sol.shares[i, j]) for j, name in enumerate(p.partners)}
    out["partner_costs"] = {row["partner"]: {"cost": row["cost"], "share": row["share"]}
                            for row in records(partner_cost_table(sol))}


def partner_cost_table(sol: Solution) -> pd.DataFrame:
    """Each partner's part of the portfolio's cost with the chosen split, and its share of the whole."""
    p = sol.problem
    cost = yearly_spend(p, sol.start).sum(axis=1) @ sol.shares
    whole = float(cost.sum())
    table = pd.DataFrame({"partner": list(p.partners), "cost": cost.astype(float),
                          "share": cost / whole if whole > 0 else np.zeros(len(p.partners))})
    return declare(table, {"partner": ID, "cost": MONEY, "share": FRACTION})


def _num(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


_LIMITS_TITLE = ("Limits holding the portfolio back (gain_removed: objective gain without the limit; "
                 "gain_unit: gain from one more unit)")
_PARTNER_COSTS_TITLE = "Each partner's cost with the chosen split, and its share of the portfolio's cost"
_THRESHOLDS_TITLE = "Value thresholds (out: value needed to enter; in: value below which it leaves)"


def explanation_tables(sol: Solution, config: Any) -> dict[str, pd.DataFrame]:
    """Why in, why out (re-solves): every limit's use and gains, and each candidate's value threshold."""
    from scorer.portfolio.explain import (
        limit_use,
        limits_table,
        thresholds_table,
        value_thresholds,
    )

    return {"limits": limits_table(limit_use(sol, config)),
            "thresholds": thresholds_table(value_thresholds(sol, config))}


def headline(sol: Solution) -> str:
    """The first line of the text outputs: status, objective, bound, gap, projects, currency."""
    return (f"status: {sol.status}  objective: {sol.objective:.4f}  bound: {bound_text(sol)}  "
            f"gap: {gap_text(sol)}  projects: {int(sol.selected.sum())}  ({sol.problem.currency})\n\n")


def bound_text(sol: Solution) -> str:
    """The proven bound, or words saying that none was proven (a solve stopped before its root LP)."""
    return f"{sol.bound:.4f}" if math.isfinite(sol.bound) else "none proven"


def gap_text(sol: Solution) -> str:
    """The relative gap as a percentage, or ``unknown`` without a bound."""
    return f"{sol.gap:.4%}" if math.isfinite(sol.gap) else "unknown"


def portfolio_tables(sol: Solution, explained: dict[str, pd.DataFrame] | None
                     ) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """Every table of an optimised portfolio, with their titles.

    The selection (the ``formats.md`` columns, then ``discounted_value``,
    whose sum is the objective), the yearly schedule and, explained, every
    limit and every value threshold; :func:`portfolio_summary` is what the
    text formats show of them.
    """
    tables = {"portfolio": selection_table(sol), "schedule": schedule_table(sol)}
    titles = {"limits": _LIMITS_TITLE, "thresholds": _THRESHOLDS_TITLE}
    if sol.problem.chooses_shares:  # only then: other scenarios' outputs stay as they were
        tables["partner_costs"] = partner_cost_table(sol)
        titles["partner_costs"] = _PARTNER_COSTS_TITLE
    if explained:
        tables.update(limits=explained["limits"], thresholds=explained["thresholds"])
    return tables, titles


def portfolio_summary(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """What a reader of text is shown of :func:`portfolio_tables`: the selection and, explained, the binding limits.

    The schedule, the limits that do not bind and the thresholds' ``displaces``
    column (the note says it) stay in the workbook and JSON.
    """
    summary = {"portfolio": tables["portfolio"]}
    if "partner_costs" in tables:
        summary["partner_costs"] = tables["partner_costs"]
    if "limits" in tables:
        limits = tables["limits"]
        summary.update(limits=limits[limits["binding"]] if len(limits) else limits,
                       thresholds=tables["thresholds"].drop(columns="displaces"))
    return summary


def portfolio_document(sol: Solution, explained: dict[str, pd.DataFrame] | None) -> dict[str, Any]:
    """The JSON object of ``formats.md`` with ``binding`` (and, explained, ``limits``/``thresholds``)."""
    from scorer.portfolio.explain import binding_limits

    if not explained:
        return solution_json(sol, {"binding": [u.key for u in binding_limits(sol)]})
    extra = {name: records(table) for name, table in explained.items()}
    binding = [row["limit"] for row in extra["limits"] if row["binding"]]
    return solution_json(sol, {"binding": binding, **extra})
