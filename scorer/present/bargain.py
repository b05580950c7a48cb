"""The partners' bargain as tables and JSON: the frontier, its solutions, what each partner gains and pays.

``coprod bargain`` shows :class:`~scorer.portfolio.bargain.Bargain`;
``coprod optimize`` adds :func:`partner_values_table` (through :func:`with_partner_values`) when the scenario has perspectives.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from scorer.columns import FRACTION, ID, MONEY, POINTS, declare
from scorer.portfolio.bargain import Bargain, Parties, Point, partner_spend, partner_values
from scorer.portfolio.problem import PortfolioProblem
from scorer.portfolio.solve import Solution
from scorer.present.solution import portfolio_document

TITLES = {
    "frontier": "Portfolios neither partner can improve on without the other losing (first partner's value descending)",
    "solutions": "The solution concepts on the frontier: each partner's gain over its disagreement value, and what it pays",
    "partners": "Each partner's ideal (its best portfolio) and disagreement value (no deal)",
}
OBJECTIVE_NOTE = {
    "joint": "the joint values (today's objective)",
    "nash": "the Nash bargaining solution (max product of the gains over the disagreement values; Nash 1950)",
    "balanced": "the balanced solution (max smallest gain as a share of the ideal gain, then the sum of values; "
                "Kalai & Smorodinsky 1975)",
}


def partner_values_table(problem: PortfolioProblem, parties: Parties, start: np.ndarray,
                         shares: np.ndarray | None = None) -> pd.DataFrame:
    """Each partner's value of the portfolio, its disagreement value and gain, what it pays with the
    split ``shares`` (default: the problem's), and its share of the partners' value against its share
    of the cost (a partner paying much more than it values is what a negotiation must see)."""
    values = partner_values(problem, parties, start)
    pays = partner_spend(problem, parties, start, shares)
    return declare(pd.DataFrame({
        "partner": list(parties.names), "value": values, "disagreement": parties.disagreement,
        "gain": values - parties.disagreement, "pays": pays,
        "value_share": _share_of(values), "cost_share": _share_of(pays),
    }), {"partner": ID, "value": POINTS, "disagreement": POINTS, "gain": POINTS, "pays": MONEY,
         "value_share": FRACTION, "cost_share": FRACTION})


def _share_of(amounts: np.ndarray) -> np.ndarray:
    total = float(np.sum(amounts))
    return amounts / total if total > 0 else np.full(len(amounts), np.nan)


def with_partner_values(sol: Solution, parties: Parties, objective: str, tables: dict, summary: dict,
                        titles: dict, preamble: str) -> tuple[dict, dict, dict, str]:
    """``coprod optimize``'s outputs with each partner's value added: a table and a line saying what was maximised."""
    shown = partner_values_table(sol.problem, parties, sol.start, sol.shares)
    titles = {**titles, "partner_values": "Each partner's value of the portfolio, its gain over its "
                                          "disagreement value, what it pays, and its shares of value and cost"}
    return ({**tables, "partner_values": shown}, {**summary, "partner_values": shown}, titles,
            preamble + f"maximised: {objective_text(objective)}\n\n")


def optimize_document(sol: Solution, parties: Parties | None, objective: str,
                      explained: dict[str, pd.DataFrame] | None = None) -> dict[str, Any]:
    """The object ``coprod optimize --format json`` prints (and ``coprod serve``'s portfolio).

    :func:`scorer.present.solution.portfolio_document`, with perspectives
    ``objective_concept`` and ``partner_values`` (each partner's value of the portfolio).
    """
    document = portfolio_document(sol, explained)
    if parties is not None:
        document["objective_concept"] = objective
        values = partner_values(sol.problem, parties, sol.start)
        document["partner_values"] = dict(zip(parties.names, np.asarray(values, dtype=float).tolist()))
    return document


def objective_text(objective: str) -> str:
    """What ``optimize --objective`` maximised, in words (a partner id: its own value)."""
    return OBJECTIVE_NOTE.get(objective, f"{objective}'s own value, then the others' and the joint value")


def _selected(problem: PortfolioProblem, pt: Point) -> list[dict[str, Any]]:
    return [{"id": problem.ids[i], "start": int(pt.start[i]), "finish": int(pt.start[i] + problem.durations[i] - 1),
             "shares": {p: float(pt.shares[i, j]) for j, p in enumerate(problem.partners)}}
            for i in np.flatnonzero(pt.selected)]


def _point(b: Bargain, pt: Point) -> dict[str, Any]:
    names = b.parties.names
    return {"values": {p: float(v) for p, v in zip(names, pt.values)}, "joint": float(pt.joint),
            "selected": _selected(b.problem, pt)}


def bargain_document(b: Bargain) -> dict[str, Any]:
    """The JSON of ``formats.md``: partners, ideal, disagreement, frontier, solutions (each a frontier point).

    Each solution also says which frontier point it is (``point``, from 0),
    each partner's ``gain`` over its disagreement value and what it ``pays``.
    """
    names, front = b.parties.names, b.frontier
    solutions = {}
    for concept, k in b.solutions.items():
        pt = front.points[k]
        solutions[concept] = {**_point(b, pt), "point": k,
                              "gain": {p: float(v - d) for p, v, d in zip(names, pt.values, b.parties.disagreement)},
                              "pays": {p: float(x) for p, x in zip(names, partner_spend(b.problem, b.parties, pt.start, pt.shares))}}
    return {
        "partners": list(names),
        "ideal": {p: float(v) for p, v in zip(names, front.ideal)},
        "disagreement": {p: float(v) for p, v in zip(names, b.parties.disagreement)},
        "frontier": [_point(b, pt) for pt in front.points],
        "solutions": solutions,
        "exact": bool(front.optimal and all(front.on_grid) and front.spacing is None),
        "resolution": {p: float(q) for p, q in zip(names, front.step)},
        "spacing": None if front.spacing is None else float(front.spacing),
        "currency": b.problem.currency,
    }


def bargain_tables(b: Bargain) -> dict[str, pd.DataFrame]:
    """The frontier (one row per point, its solutions marked), the solutions, and the partners' ideal points."""
    names, front, problem = b.parties.names, b.frontier, b.problem
    marks = {k: [] for k in range(len(front.points))}
    for concept, k in b.solutions.items():
        marks[k].append(concept)
    frontier = pd.DataFrame({
        "point": np.arange(len(front.points)),
        **{f"value_{p}": [float(pt.values[j]) for pt in front.points] for j, p in enumerate(names)},
        "joint": [pt.joint for pt in front.points],
        "projects": [int(pt.selected.sum()) for pt in front.points],
        "selected": [" ".join(problem.ids[i] for i in np.flatnonzero(pt.selected)) for pt in front.points],
        "solution": [", ".join(marks[k]) for k in range(len(front.points))],
    })
    rows = []
    for concept, k in b.solutions.items():
        pt = front.points[k]
        pays = partner_spend(problem, b.parties, pt.start, pt.shares)
        rows.append({"solution": concept, "point": k,
                     **{f"gain_{p}": float(pt.values[j] - b.parties.disagreement[j]) for j, p in enumerate(names)},
                     **{f"pays_{p}": float(pays[j]) for j, p in enumerate(names)}, "joint": pt.joint})
    partners = pd.DataFrame({"partner": list(names), "ideal": front.ideal, "disagreement": b.parties.disagreement,
                             "influence": b.parties.influence})
    return {"frontier": frontier, "solutions": pd.DataFrame(rows), "partners": partners}


def bargain_note(b: Bargain) -> str:
    """What the text formats say below the tables: how exact the frontier is, and how many solves it took."""
    front = b.frontier
    if not front.optimal:
        exact = "some solve stopped at its time limit: points may be missing"
    elif front.spacing is not None:
        first, second = front.partners
        exact = (f"coarse: every non-dominated point not listed has {second}'s value less than {front.spacing:.4g} "
                 f"above a listed one that is at least as good for {first}; the joint, Nash and balanced values "
                 "are exact")
    elif all(front.on_grid):
        exact = "exact: every non-dominated point, none missed"
    else:
        exact = "values closer than " + ", ".join(f"{p} {q:g}" for p, q in zip(front.partners, front.step)) \
            + " count as one"
    # No seconds: the same inputs must print the same bytes.
    return (f"\n{len(front.points)} frontier points from {front.solves} solves; {exact}; "
            f"money in {b.problem.currency}\n")
