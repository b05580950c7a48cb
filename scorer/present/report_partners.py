"""The briefing's section on the partners: their rankings side by side, the portfolio for each, the bargain.

Only a scenario with perspectives gets it (:func:`partners_blocks` is not
called otherwise, so such a report reads as before). The tables reuse
:mod:`scorer.present.partners` (the side-by-side ranking) and
:mod:`scorer.present.bargain` (the frontier and its solutions), shown with
the report's human headers (:mod:`scorer.present.report_tables`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scorer.portfolio.solve import Solution
from scorer.present.bargain import bargain_tables, objective_text
from scorer.present.partners import agreement_table, disagreements_table, ranking_table
from scorer.present.rendering import Block
from scorer.present.report_tables import FIT, SHARE, percent, table_blocks
from scorer.study.study import Study

if TYPE_CHECKING:
    from scorer.portfolio.bargain import Bargain

JOINT_WEIGHTS = {"file": "the criteria file's weights",
                 "mean": "the influence-weighted mean of the partners' weights",
                 "geometric": "the influence-weighted geometric mean of the partners' weights"}


def partners_blocks(study: Study, sol: Solution, bargain: Bargain | None, no_bargain: str = "") -> list[Block]:
    """The section: rankings side by side, this portfolio for each partner and its splits, then the bargain.

    ``no_bargain`` says why two partners have no frontier (the bargain's error), if so.
    """
    views = study.views
    names = views.partners
    title = "The two governments" if len(names) == 2 else "The partners"
    return [Block("h2", title, anchor="partners"),
            Block("p", "Each partner values the candidates from its own side: its own weights, and its own "
                       f"scores where it gives them. The joint values (every section above) use "
                       f"{JOINT_WEIGHTS[views.joint_method]}; influence: "
                       + ", ".join(f"{p} {w:.3g}" for p, w in zip(names, views.influence)) + "."),
            Block("chart", "partners", alt="Each partner's rank of each candidate, side by side"),
            *_rankings(views),
            *_this_portfolio(study, sol),
            *_splits(sol),
            *_bargain(bargain, study, no_bargain)]


def _rankings(views) -> list[Block]:
    names = views.partners
    labels = {"id": "ID", "name": "Name"}
    for p in (*names, "joint"):
        labels |= {f"value_{p}": f"Value, {p}", f"rank_{p}": f"Rank, {p}"}
    labels["rank_difference"] = "Rank difference"
    blocks = [Block("p", "Each candidate's value (0-100) and rank for each partner and jointly, best joint rank "
                         "first; the rank difference is the largest partner rank minus the smallest."),
              *table_blocks(ranking_table(views), labels, dict.fromkeys([f"value_{p}" for p in (*names, "joint")],
                                                                         ".1f"), keys=("id",)),
              Block("p", "Agreement between the rankings (Kendall's tau-b: 1 the same order, -1 reversed)."),
              *table_blocks(agreement_table(views), {"ranking_a": "Ranking", "ranking_b": "Against",
                                                     "kendall_tau": "Kendall's tau-b"}, {"kendall_tau": ".3f"})]
    why = disagreements_table(views)
    if len(why):
        blocks += [Block("p", "Where they disagree most: the criteria whose contributions differ most between "
                              "the partner that ranks the candidate best (ahead) and the one that ranks it worst "
                              "(behind), in points of the 0-100 scale."),
                   *table_blocks(why, {"id": "ID", "ahead": "Ahead", "rank_ahead": "Rank ahead", "behind": "Behind",
                                       "rank_behind": "Rank behind", "criterion": "Criterion",
                                       "contribution_ahead": "Contribution ahead",
                                       "contribution_behind": "Contribution behind", "difference": "Difference"},
                                 dict.fromkeys(["contribution_ahead", "contribution_behind", "difference"], ".2f"),
                                 keys=("id",))]
    return blocks


def _this_portfolio(study: Study, sol: Solution) -> list[Block]:
    """Each partner's value of the report's portfolio, its gain over its outside option, and what it pays."""
    from scorer.portfolio.bargain import partner_values
    from scorer.present.solution import partner_cost_table

    parties = study.parties
    values = partner_values(sol.problem, parties, sol.start)
    costs = partner_cost_table(sol).set_index("partner")
    pays = [float(costs.loc[p, "cost"]) if p in costs.index else 0.0 for p in parties.names]
    whole = float(values.sum())
    table = pd.DataFrame({"partner": list(parties.names), "value": values, "outside": parties.disagreement,
                          "gain": values - parties.disagreement,
                          "value_share": values / whole if whole > 0 else np.zeros(len(values)),
                          "pays": pays,
                          "cost_share": [float(costs.loc[p, "share"]) if p in costs.index else 0.0
                                         for p in parties.names]})
    labels = {"partner": "Partner", "value": "Value", "outside": "Outside option", "gain": "Gain",
              "value_share": "Share of the value", "pays": f"Pays ({sol.problem.currency})",
              "cost_share": "Share of the cost"}
    return [Block("h3", "This portfolio for each partner"),
            Block("p", f"The portfolio above maximises {objective_text(study.objective)}. Each partner's value of "
                       "it (the sum of its own values of the selected projects, discounted as the objective), its "
                       "outside option (its value if no deal is made), the gain over it, and what it pays with "
                       "the chosen split; its share of the value against its share of the cost."),
            *table_blocks(table, labels, {"value": ".2f", "outside": ".2f", "gain": ".2f", "value_share": SHARE,
                                          "pays": FIT, "cost_share": SHARE})]


def _splits(sol: Solution) -> list[Block]:
    """The split chosen for each selected project whose shares are ranges (nothing when none is)."""
    p = sol.problem
    rows = np.flatnonzero(sol.selected & p.ranged)
    if not len(rows):
        return []
    table = pd.DataFrame({"id": [p.ids[i] for i in rows], "name": [p.names[i] for i in rows]})
    labels = {"id": "ID", "name": "Name"}
    for j, q in enumerate(p.partners):
        table[f"range_{q}"] = [f"{percent(p.share_lo[i, j], 0)} to {percent(p.share_hi[i, j], 0)}" for i in rows]
        table[f"share_{q}"] = sol.shares[rows, j].astype(float)
        labels |= {f"range_{q}": f"Range, {q}", f"share_{q}": f"Chosen, {q}"}
    return [Block("h3", "Cost shares chosen within their ranges"),
            Block("p", "The projects whose split is not settled give each partner a range of cost shares; the "
                       "optimiser chose these splits so that every partner's budgets and share rules hold, as "
                       "close to the middle of each range as the limits allow."),
            *table_blocks(table, labels, {f"share_{q}": SHARE for q in p.partners}, keys=("id",))]


def _bargain(bargain: Bargain | None, study: Study, no_bargain: str) -> list[Block]:
    if bargain is None:
        if no_bargain:
            return [Block("p", f"The bargain has no answer here: {no_bargain}.")]
        return [Block("p", f"The Pareto frontier needs exactly two partners; this scenario has "
                           f"{len(study.views.partners)}.")]
    names = bargain.parties.names
    tables = bargain_tables(bargain)
    frontier, solved = tables["frontier"], tables["solutions"]
    solved.insert(2, "selected", [frontier.loc[k, "selected"] for k in solved["point"]])
    for p in names:
        solved[f"value_{p}"] = [frontier.loc[k, f"value_{p}"] for k in solved["point"]]
    money = bargain.problem.currency
    front_labels = {"point": "Point", **{f"value_{p}": f"Value, {p}" for p in names}, "joint": "Joint value",
                    "projects": "Projects", "selected": "Portfolio", "solution": "Solution"}
    sol_labels = {"solution": "Solution", "point": "Point", "selected": "Portfolio",
                  **{f"value_{p}": f"Value, {p}" for p in names}, **{f"gain_{p}": f"Gain, {p}" for p in names},
                  **{f"pays_{p}": f"Pays, {p}" for p in names}, "joint": "Joint value"}
    ideal = ", ".join(f"{p} {v:.2f}" for p, v in zip(names, bargain.frontier.ideal))
    outside = ", ".join(f"{p} {v:.2f}" for p, v in zip(names, bargain.parties.disagreement))
    return [Block("h3", "Portfolios both could accept"),
            Block("p", f"The Pareto frontier: the {len(frontier)} portfolios neither partner can improve on without "
                       f"the other losing. Ideal point (each partner's best, which no portfolio gives both): "
                       f"{ideal}. Outside options (the disagreement point, each partner's value if no deal is "
                       f"made): {outside}. The joint solution maximises the joint values; Nash the product of the "
                       "gains over the outside options (Nash 1950); balanced the smallest gain as a share of the "
                       "ideal gain (Kalai & Smorodinsky 1975)."),
            Block("chart", "pareto", alt="Pareto frontier of the two partners' values with the solutions marked"),
            *table_blocks(frontier, front_labels, {**{f"value_{p}": ".2f" for p in names}, "joint": ".2f"},
                          keys=("point",)),
            Block("p", f"Each solution's portfolio, each partner's value and gain over its outside option, and what "
                       f"it pays ({money}, at the split chosen for that portfolio within the share ranges)."),
            *table_blocks(solved, sol_labels, {**{f"{c}_{p}": ".2f" for c in ("value", "gain") for p in names},
                                               **{f"pays_{p}": FIT for p in names}, "joint": ".2f"},
                          keys=("solution",))]
