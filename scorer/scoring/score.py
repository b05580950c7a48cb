"""From loaded inputs to scores, ranks and explanation tables.

This is the thin layer between the files and the array maths:
:mod:`scorer.scoring.matrix` and :mod:`scorer.scoring.valuefunctions` build the matrices,
:mod:`scorer.scoring.weights` the weights, :mod:`scorer.scoring.aggregation` the scores and
:mod:`scorer.scoring.ranking` the ranks. The tables are pandas DataFrames ready for
:mod:`scorer.present.output`.

:func:`candidate_values` is the interface the portfolio optimiser uses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scorer.columns import COUNT, FRACTION, ID, NUMBER, POINTS, TEXT, declare
from scorer.errors import ScoringError
from scorer.inputs.loading import ScenarioInputs
from scorer.inputs.models import METHODS, CriteriaFile
from scorer.scoring import aggregation as agg
from scorer.scoring.matrix import AT_POINTS, raw_is_benefit, raw_matrix
from scorer.scoring.ranking import rank_order
from scorer.scoring.valuefunctions import value_matrix
from scorer.scoring.weights import (
    JOINT_GEOMETRIC,
    JOINT_MEAN,
    WeightReport,
    derive_weights,
)


@dataclass(frozen=True)
class ScoreResult:
    """Scores of every candidate under one method, in id order (as loaded).

    Attributes
    ----------
    method, at : str
        The aggregation method and the point of uncertain scores used.
    ids, names : list of str
        Candidates in id order (as loaded).
    criteria : list of str
        Criterion ids in file order.
    scores : numpy.ndarray
        Aggregate scores on 0-100, shape (n,).
    ranks : numpy.ndarray
        Competition ranks (ties share the rank).
    order : numpy.ndarray
        Candidate indices best first, ties by id.
    contributions : pandas.DataFrame or None
        Index = candidate ids, one column per criterion; each row sums to the
        score. For weighted-sum: ``100 w_j v_ij``; for promethee-ii:
        ``50 w_j (phi_j + 1)``. None for methods that are not additive.
    weights : WeightReport
    warnings : list of str
    """

    method: str
    at: str
    ids: list[str]
    names: list[str]
    criteria: list[str]
    scores: np.ndarray
    ranks: np.ndarray
    order: np.ndarray
    contributions: pd.DataFrame | None
    weights: WeightReport
    warnings: list[str] = field(default_factory=list)


def preference_functions(criteria: CriteriaFile) -> list[agg.PreferenceFunction]:
    """Each criterion's PROMETHEE preference function (default: usual)."""
    out = []
    for c in criteria.criteria:
        p = c.preference
        if p is None:
            out.append(agg.PreferenceFunction())
        else:
            out.append(agg.PreferenceFunction(p.type, p.q or 0.0, p.p or 0.0, p.s or 0.0))
    return out


def aggregate(method: str, raw: np.ndarray, values: np.ndarray, w: np.ndarray,
              benefit: np.ndarray, prefs: Sequence[agg.PreferenceFunction]) -> np.ndarray:
    """Scores on 0-100 by ``method`` (see :mod:`scorer.scoring.aggregation` for the shapes)."""
    if method == "weighted-sum":
        return agg.weighted_sum(values, w)
    if method == "weighted-product":
        return agg.weighted_product(values, w)
    if method == "topsis":
        return agg.topsis(raw, w, benefit)
    if method == "promethee-ii":
        return agg.promethee_ii(raw, w, benefit, prefs)
    raise ScoringError(f"unknown method '{method}' (choose from {', '.join(METHODS)})")


def score(inputs: ScenarioInputs, method: str | None = None,
          overrides: Mapping[str, float] | None = None, at: str = "value") -> ScoreResult:
    """Score, rank and explain every candidate of a scenario.

    Parameters
    ----------
    inputs : ScenarioInputs
        From :func:`scorer.inputs.loading.load_scenario`.
    method : str, optional
        One of :data:`scorer.inputs.models.METHODS`; default: the scenario's method.
    overrides : mapping of criterion id to number, optional
        Raw weights replacing the file's (see :func:`scorer.scoring.weights.derive_weights`).
    at : {"low", "value", "high"}
        Which point of an uncertain score to use.

    Raises
    ------
    ScoringError
        Unknown method or ``at``, or bad overrides.
    """
    method = method or inputs.scenario.method
    if method not in METHODS:
        raise ScoringError(f"unknown method '{method}' (choose from {', '.join(METHODS)})")
    return score_with(inputs, derive_weights(inputs.criteria, overrides), method, at)


def score_with(inputs: ScenarioInputs, report: WeightReport, method: str | None = None,
               at: str = "value") -> ScoreResult:
    """As :func:`score`, with weights already derived (a partner's, or the partners' joint weights).

    ``report.effective`` must be in the order of ``inputs.criteria``.
    """
    method = method or inputs.scenario.method
    if method not in METHODS:
        raise ScoringError(f"unknown method '{method}' (choose from {', '.join(METHODS)})")
    crit, cand = inputs.criteria, inputs.candidates
    raw = raw_matrix(crit, cand, at)
    values = value_matrix(raw, crit)
    benefit = raw_is_benefit(crit)
    prefs = preference_functions(crit)
    w = report.effective
    ids = [c.id for c in cand.candidates]
    criteria_ids = [c.id for c in crit.criteria]
    if method == "promethee-ii":
        flows = agg.net_flow_matrix(raw, benefit, prefs)
        parts = agg.promethee_contributions(flows, w)
        scores = parts.sum(axis=1)
    elif method == "weighted-sum":
        parts = agg.contributions(values, w)
        scores = agg.weighted_sum(values, w)
    else:
        parts = None
        scores = aggregate(method, raw, values, w, benefit, prefs)
    order, ranks = rank_order(scores, np.array(ids))
    table = None if parts is None else pd.DataFrame(parts, index=ids, columns=criteria_ids)
    return ScoreResult(
        method, at, ids, [c.name for c in cand.candidates], criteria_ids,
        scores, ranks, order, table, report, list(report.warnings),
    )


def candidate_values(inputs: ScenarioInputs, method: str | None = None,
                     overrides: Mapping[str, float] | None = None, at: str = "value") -> np.ndarray:
    """Each candidate's 0-100 aggregate score, in id order (as loaded).

    The portfolio value of a candidate (``formats.md``). Arguments as for
    :func:`score`; ``method=None`` uses the scenario's ``method``.

    Returns
    -------
    numpy.ndarray
        float64, shape (n_candidates,).
    """
    if at not in AT_POINTS:
        raise ScoringError(f"at must be one of {', '.join(AT_POINTS)}, got '{at}'", settings=("at",))
    return score(inputs, method, overrides, at).scores


def ranked_table(result: ScoreResult, top: int | None = None) -> pd.DataFrame:
    """The ranked list: ``rank,id,name,score`` then one column per criterion.

    The criterion columns are the additive contributions (they sum to
    ``score``) for weighted-sum and promethee-ii; for weighted-product and
    topsis, whose scores do not split into parts, they are left out.
    """
    idx = result.order if top is None else result.order[:max(top, 0)]
    table = pd.DataFrame({
        "rank": result.ranks[idx],
        "id": [result.ids[i] for i in idx],
        "name": [result.names[i] for i in idx],
        "score": result.scores[idx],
    })
    if result.contributions is not None:
        parts = result.contributions.to_numpy()[idx]
        for j, cid in enumerate(result.criteria):
            table[cid] = parts[:, j]
    # Contributions are points of the 0-100 score, whatever a criterion is called.
    return declare(table, {"rank": COUNT, "id": ID, "name": TEXT, "score": POINTS,
                           **{cid: POINTS for cid in result.criteria}})


def weights_table(report: WeightReport) -> pd.DataFrame:
    """One row per criterion: effective weight, group, raw weight, how it was derived."""
    derived = {
        "direct": "weight",
        "swing": "swing points",
        "rank": "rank-order centroid (%)",
        "ahp": "AHP eigenvector (%)",
        JOINT_MEAN: "mean of the partners' weights (%)",
        JOINT_GEOMETRIC: "geometric mean of the partners' weights (%)",
    }[report.method]
    overridden = set(report.overridden)
    table = pd.DataFrame({"id": report.ids})
    if report.group_weights:
        table["group"] = report.groups
        table["group_weight"] = [float(report.group_weights[g]) for g in report.groups]
    table["raw_weight"] = report.raw
    table["source"] = ["-w override" if cid in overridden else derived for cid in report.ids]
    table["effective_weight"] = report.effective
    return declare(table, {"id": ID, "group": ID, "group_weight": NUMBER, "raw_weight": NUMBER, "source": TEXT,
                           "effective_weight": FRACTION})
