"""``coprod partners``: the partners' rankings side by side, where they agree and why they differ.

Tables, in the order shown (the first is the main one, CSV's):

- ``ranking``: each candidate's value and rank for each partner and jointly,
  and the rank difference (the largest minus the smallest partner rank),
  best joint rank first;
- ``agreement``: Kendall's tau-b between every two rankings (each partner's and the joint);
- ``weights``: the effective weight each partner and the joint give each criterion;
- ``disagreements``: for the (at most) :data:`DISAGREEMENTS` candidates with the
  largest rank difference, the :data:`EXPLAINING` criteria whose contributions
  differ most between the partner that ranks it best and the one that ranks it
  worst (additive methods only: weighted-sum and promethee-ii);
- ``raters``: for partners with raters, each rater's and the group's (AIJ)
  consistency ratio and the group's consensus indicator.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from scorer.columns import COUNT, FRACTION, ID, NUMBER, POINTS, TEXT, declare
from scorer.errors import ScoringError
from scorer.present.output import records
from scorer.scoring.perspectives import PartnerViews, kendall_tau_b
from scorer.study.study import Study

DISAGREEMENTS = 3  # candidates explained
EXPLAINING = 3  # criteria shown for each
JOINT = "joint"
TITLES = {
    "ranking": "Each partner's value and rank, and the joint (best joint rank first)",
    "agreement": "Agreement between the rankings (Kendall's tau-b: 1 the same order, -1 reversed)",
    "weights": "Effective weight of each criterion",
    "disagreements": "Where the partners disagree most: the criteria whose contributions differ most",
    "raters": "Raters: consistency ratios (CR; above 0.10 the judgements contradict each other) and consensus",
}
ADDITIVE = ("weighted-sum", "promethee-ii")


def study_views(study: Study, where: str) -> PartnerViews:
    """The study's partner views; a ScoringError naming ``where`` (the scenario) when it has no perspectives."""
    if study.views is None:
        raise ScoringError(f"{where} has no perspectives: give each partner's view under 'perspectives:' "
                           "(see 'coprod schema scenario')")
    return study.views


def partners_tables(views: PartnerViews) -> dict[str, pd.DataFrame]:
    """Every table of ``coprod partners`` (see the module docstring), in order; ``raters`` only when there are raters."""
    tables = {
        "ranking": ranking_table(views),
        "agreement": agreement_table(views),
        "weights": weights_table(views),
        "disagreements": disagreements_table(views),
    }
    raters = raters_table(views)
    if raters is not None:
        tables["raters"] = raters
    return tables


def partners_note(views: PartnerViews) -> str:
    """What the text formats say below the tables: the method, the joint weights, contributions."""
    joint = {"file": "the criteria file's weights", "mean": "the influence-weighted mean of the partners' weights",
             "geometric": "the influence-weighted geometric mean of the partners' weights"}[views.joint_method]
    influence = ", ".join(f"{p} {w:.3g}" for p, w in zip(views.partners, views.influence))
    text = f"\nmethod: {views.joint.method}; joint weights: {joint}; influence: {influence}\n"
    if views.joint.method not in ADDITIVE:
        text += f"{views.joint.method} scores do not split into criterion contributions, so no disagreement is explained\n"
    return text


def partners_document(views: PartnerViews, tables: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """The JSON document: partners, method, joint settings, then every table as a list of rows."""
    return {
        "partners": list(views.partners),
        "method": views.joint.method,
        "joint": {"method": views.joint_method,
                  "influence": {p: float(w) for p, w in zip(views.partners, views.influence)}},
        "contributions": views.joint.method in ADDITIVE,
        **{name: records(table) for name, table in tables.items()},
    }


def ranking_table(views: PartnerViews) -> pd.DataFrame:
    """One row per candidate, best joint rank first: values and ranks per partner and joint, rank difference."""
    joint = views.joint
    order = joint.order
    table = pd.DataFrame({"id": [joint.ids[i] for i in order], "name": [joint.names[i] for i in order]})
    kinds = {"id": ID, "name": TEXT, "rank_difference": COUNT}
    for p in views.partners:
        scored = views.views[p].scored
        table[f"value_{p}"] = scored.scores[order]
        table[f"rank_{p}"] = scored.ranks[order]
        kinds |= {f"value_{p}": POINTS, f"rank_{p}": COUNT}
    table[f"value_{JOINT}"] = joint.scores[order]
    table[f"rank_{JOINT}"] = joint.ranks[order]
    kinds |= {f"value_{JOINT}": POINTS, f"rank_{JOINT}": COUNT}
    ranks = _partner_ranks(views)[:, order]
    table["rank_difference"] = ranks.max(axis=0) - ranks.min(axis=0)
    return declare(table, kinds)


def agreement_table(views: PartnerViews) -> pd.DataFrame:
    """Kendall's tau-b between every two partners' rankings, then each partner's against the joint."""
    ranks = {p: views.views[p].scored.ranks for p in views.partners} | {JOINT: views.joint.ranks}
    pairs = [*combinations(views.partners, 2), *((p, JOINT) for p in views.partners)]
    table = pd.DataFrame({
        "ranking_a": [a for a, _ in pairs],
        "ranking_b": [b for _, b in pairs],
        "kendall_tau": [kendall_tau_b(ranks[a], ranks[b]) for a, b in pairs],
    })
    return declare(table, {"ranking_a": ID, "ranking_b": ID, "kendall_tau": NUMBER})


def weights_table(views: PartnerViews) -> pd.DataFrame:
    """One row per criterion (the shared file's order): each partner's and the joint effective weight."""
    table = pd.DataFrame({"criterion": views.joint.criteria})
    for p, w in zip(views.partners, views.weights):
        table[f"weight_{p}"] = w
    table[f"weight_{JOINT}"] = views.joint.weights.effective
    return declare(table, {"criterion": ID, **{c: FRACTION for c in table.columns[1:]}})


def disagreements_table(views: PartnerViews) -> pd.DataFrame:
    """The criteria behind the largest rank differences (empty for non-additive methods or one partner).

    For each of the :data:`DISAGREEMENTS` candidates with the largest rank
    difference (ties: better joint rank first), the partner ranking it best
    (``ahead``) and worst (``behind``), and the :data:`EXPLAINING` criteria
    with the largest absolute difference of contribution, ahead minus behind:
    a positive difference is a criterion that makes ``ahead`` like it more.
    """
    columns = ["id", "ahead", "rank_ahead", "behind", "rank_behind", "criterion",
               "contribution_ahead", "contribution_behind", "difference"]
    kinds = {"id": ID, "ahead": ID, "rank_ahead": COUNT, "behind": ID, "rank_behind": COUNT, "criterion": ID,
             "contribution_ahead": POINTS, "contribution_behind": POINTS, "difference": POINTS}
    ranks = _partner_ranks(views)
    spread = ranks.max(axis=0) - ranks.min(axis=0)
    if views.joint.method not in ADDITIVE or len(views.partners) < 2:
        return declare(pd.DataFrame(columns=columns), kinds)
    joint_position = np.empty_like(views.joint.order)
    joint_position[views.joint.order] = np.arange(len(views.joint.order))
    chosen = np.lexsort((joint_position, -spread))[:DISAGREEMENTS]
    chosen = chosen[spread[chosen] > 0]
    parts = np.stack([views.views[p].scored.contributions.to_numpy() for p in views.partners])  # (P, n, m)
    rows = []
    for i in chosen:  # at most DISAGREEMENTS candidates
        a, b = int(np.argmin(ranks[:, i])), int(np.argmax(ranks[:, i]))
        diff = parts[a, i] - parts[b, i]
        for j in np.argsort(-np.abs(diff), kind="stable")[:EXPLAINING]:
            rows.append([views.joint.ids[i], views.partners[a], int(ranks[a, i]), views.partners[b], int(ranks[b, i]),
                         views.joint.criteria[j], parts[a, i, j], parts[b, i, j], diff[j]])
    return declare(pd.DataFrame(rows, columns=columns), kinds)


def raters_table(views: PartnerViews) -> pd.DataFrame | None:
    """Each rater's influence and CR, and per partner the group's (AIJ) CR and consensus; None without raters."""
    rows = []
    for p in views.partners:
        group = views.views[p].group
        if group is None:
            continue
        for name, influence, cr in zip(group.raters, group.influence, group.rater_cr):
            rows.append([p, name, float(influence), _ratio(cr), np.nan])
        rows.append([p, "group (AIJ)", 1.0, _ratio(np.nan if group.group_cr is None else group.group_cr),
                     group.consensus])
    if not rows:
        return None
    table = pd.DataFrame(rows, columns=["partner", "rater", "influence", "consistency_ratio", "consensus"])
    return declare(table, {"partner": ID, "rater": TEXT, "influence": FRACTION, "consistency_ratio": NUMBER,
                           "consensus": FRACTION})


def _ratio(cr: float) -> float:
    # A consistent matrix's eigenvalue is n up to rounding: a CR of -1e-16 is 0, not "-0.0000".
    return max(float(cr), 0.0) if np.isfinite(cr) else float("nan")


def _partner_ranks(views: PartnerViews) -> np.ndarray:
    return np.stack([views.views[p].scored.ranks for p in views.partners])
