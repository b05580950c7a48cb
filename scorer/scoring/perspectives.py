"""Each partner's view of the candidates, and the joint view every command without a partner uses.

A partner scores with its own criteria file (else the shared one), its own
scores merged over the shared ones, and its own raw-weight overrides; its
raters, if any, replace that file's raw weights by the AHP weights of their
combined judgements (AIJ, :mod:`scorer.scoring.group`). The method and the
point of uncertain scores are the scenario's (or the override's), for every
partner alike.

Overrides (``-w``) change the shared criteria file's raw weights: the joint
weights under ``joint: file``, and the starting point of every partner that
has neither its own criteria file nor raters (the partner's own ``weights``
then apply over them). ``joint: mean|geometric`` makes the joint weights the
influence-weighted arithmetic or geometric mean (normalised) of the partners'
effective weights; the joint values use the shared scores.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from itertools import combinations

import numpy as np

from scorer.errors import ScoringError
from scorer.inputs.loading import ScenarioInputs
from scorer.inputs.models import AhpSpec, CriteriaFile, Weighting
from scorer.scoring.group import GroupJudgement, combine_judgements, combine_priorities
from scorer.scoring.score import ScoreResult, score_with
from scorer.scoring.weights import (
    JOINT_GEOMETRIC,
    JOINT_MEAN,
    WeightReport,
    derive_weights,
)

_JOINT_METHODS = {"mean": JOINT_MEAN, "geometric": JOINT_GEOMETRIC}
# Rows of the pair comparisons per block in kendall_tau_b: about 8 MB of signs at 1,000 candidates.
_TAU_BLOCK = 1024


@dataclass(frozen=True, eq=False)
class PartnerView:
    """One partner's weights, scores and outside option.

    Attributes
    ----------
    partner : str
    weights : WeightReport
        The partner's effective weights, in the shared criteria file's order.
    scored : ScoreResult
        The candidates scored with them (candidates in id order).
    disagreement : float
        The partner's value with no deal (its outside option).
    min_value, min_share_of_ideal : float or None
        Floors on the partner's portfolio value, as the scenario gives them.
    group : GroupJudgement or None
        The raters' combined judgements, when the perspective has raters.
    own_criteria : bool
        Whether the partner scores with its own criteria file.
    own_scores : tuple of str
        Candidates with at least one score of the partner's own.
    """

    partner: str
    weights: WeightReport
    scored: ScoreResult
    disagreement: float
    min_value: float | None
    min_share_of_ideal: float | None
    group: GroupJudgement | None
    own_criteria: bool
    own_scores: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class PartnerViews:
    """Every partner's view and the joint one.

    Attributes
    ----------
    partners : tuple of str
        Partner ids, sorted.
    views : mapping of str to PartnerView
    joint : ScoreResult
        The scores every command that names no partner uses.
    joint_method : str
        ``file``, ``mean`` or ``geometric``.
    influence : numpy.ndarray
        Each partner's influence, normalised to sum to 1, shape (P,), partner order.
    """

    partners: tuple[str, ...]
    views: Mapping[str, PartnerView]
    joint: ScoreResult
    joint_method: str
    influence: np.ndarray

    @property
    def values(self) -> np.ndarray:
        """Each partner's 0-100 value of each candidate, shape (P, n), candidates in id order."""
        return np.stack([self.views[p].scored.scores for p in self.partners])

    @property
    def disagreement(self) -> np.ndarray:
        """Each partner's value with no deal, shape (P,)."""
        return np.array([self.views[p].disagreement for p in self.partners], dtype=float)

    @property
    def weights(self) -> np.ndarray:
        """Each partner's effective weights, shape (P, m), criteria in the shared file's order."""
        return np.stack([self.views[p].weights.effective for p in self.partners])


def partner_views(inputs: ScenarioInputs, method: str | None = None,
                  overrides: Mapping[str, float] | None = None, at: str = "value", *,
                  partner_overrides: Mapping[str, Mapping[str, float]] | None = None) -> PartnerViews | None:
    """Every perspective of a loaded scenario scored, and the joint scores; None without perspectives.

    Parameters
    ----------
    inputs : ScenarioInputs
    method : str, optional
        Aggregation method for every partner and the joint (default: the scenario's).
    overrides : mapping of criterion id to number, optional
        Raw weights replacing the shared criteria file's (see the module's docstring).
    at : {"low", "value", "high"}
        The point of uncertain scores.
    partner_overrides : mapping of partner to (mapping of criterion id to number), optional
        Raw weights over a partner's own ``weights`` (what-ifs of one partner's view).

    Raises
    ------
    ScoringError
        A partner's weights leave nothing with weight, the geometric mean
        of the partners' weights is zero everywhere, or ``partner_overrides``
        names a partner the scenario does not have (or has no perspectives).
    """
    scenario = inputs.scenario
    extra = dict(partner_overrides or {})
    if not scenario.perspectives:
        if extra:
            raise ScoringError("partner weights need the partners' perspectives, and the scenario has none "
                               "(give them under 'perspectives:')")
        return None
    partners = tuple(sorted(scenario.perspectives))
    unknown = sorted(set(extra) - set(partners))
    if unknown:
        raise ScoringError(f"unknown partner '{unknown[0]}' (the perspectives are {', '.join(partners)})")
    # The overrides belong to the shared file, whether or not any partner starts from it: checked there.
    shared = derive_weights(inputs.criteria, overrides)
    views = {p: _view(inputs, p, method, overrides or {}, at, extra.get(p, {})) for p in partners}
    influence = np.array([scenario.joint.influence.get(p, 1.0) for p in partners], dtype=float)
    influence = influence / influence.sum()
    joint_method = scenario.joint.method
    if joint_method == "file":
        joint = score_with(inputs, shared, method, at)  # exactly score(inputs, method, overrides, at)
    else:
        stacked = np.stack([views[p].weights.effective for p in partners])
        joint = score_with(inputs, joint_weights(stacked, influence, joint_method, [c.id for c in inputs.criteria.criteria]),
                           method, at)
    return PartnerViews(partners, views, joint, joint_method, influence)


def joint_weights(weights: np.ndarray, influence: np.ndarray, how: str, ids: list[str]) -> WeightReport:
    """The joint weights from the partners' effective weights (P, m): ``mean`` or ``geometric``, normalised.

    Returns a :class:`WeightReport` whose raw weights are the joint effective
    weights in percent, without groups (the partners' groups are in their weights already).
    """
    if how not in _JOINT_METHODS:
        raise ScoringError(f"unknown joint method '{how}' (choose from file, {', '.join(_JOINT_METHODS)})")
    try:
        w = combine_priorities(weights, influence, geometric=how == "geometric")
    except ScoringError as exc:
        raise ScoringError(f"joint weights: {exc}") from None
    return WeightReport(list(ids), [None] * len(ids), _JOINT_METHODS[how], 100.0 * w, w)


def _view(inputs: ScenarioInputs, partner: str, method: str | None, overrides: Mapping[str, float],
          at: str, own_overrides: Mapping[str, float]) -> PartnerView:
    spec = inputs.scenario.perspectives[partner]
    own = inputs.perspectives[partner]
    criteria, group = own.criteria, None
    if spec.raters:
        group = combine_judgements([c.id for c in criteria.criteria],
                                   [(r.name, r.influence, r.pairwise) for r in spec.raters],
                                   setting=f"perspectives.{partner}.raters")
        criteria = _judged_by(criteria, group)
    start = {} if own.own_criteria or spec.raters else dict(overrides)
    try:
        report = derive_weights(criteria, {**start, **spec.weights, **own_overrides})
    except ScoringError as exc:
        raise ScoringError(f"perspective {partner}: {exc}") from None
    # The partner's own warnings name the perspective, not a command-line override.
    report = replace(report, warnings=[f"perspective {partner}: {w}" for w in report.warnings])
    partner_inputs = replace(inputs, criteria=criteria, candidates=own.candidates)
    scored = score_with(partner_inputs, report, method, at)
    return PartnerView(partner, report, scored, spec.disagreement, spec.min_value, spec.min_share_of_ideal,
                       group, own.own_criteria, own.overlaid)


def _judged_by(criteria: CriteriaFile, group: GroupJudgement) -> CriteriaFile:
    """The criteria file weighted by AHP on the raters' combined (AIJ) matrix, groups kept."""
    ids = list(group.criteria)
    a = group.aij_matrix
    pairs = [(ids[i], ids[j], float(a[i, j])) for i, j in combinations(range(len(ids)), 2)]
    weighting = Weighting(method="ahp", ahp=AhpSpec(pairwise=pairs))
    return criteria.model_copy(update={"weighting": weighting})


def kendall_tau_b(x: np.ndarray, y: np.ndarray) -> float:
    """Kendall's tau-b between two rankings (or any two score vectors), NaN when one is constant.

    ``(C - D) / sqrt((n0 - n1) (n0 - n2))`` with C, D the concordant and
    discordant pairs, n0 = n(n-1)/2 and n1, n2 the pairs tied in x and in y
    (Kendall 1945, "The treatment of ties in ranking problems", Biometrika 33).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = x.shape[0]
    n0 = n * (n - 1) / 2
    # Sum over ordered pairs, in row blocks so that no (n, n) array is held: twice C - D.
    s = 0.0
    for start in range(0, n, _TAU_BLOCK):
        rows = slice(start, min(start + _TAU_BLOCK, n))
        s += float((np.sign(x[rows, None] - x[None, :]) * np.sign(y[rows, None] - y[None, :])).sum())
    n1, n2 = _tied_pairs(x), _tied_pairs(y)
    denominator = np.sqrt((n0 - n1) * (n0 - n2))
    return float(s / 2 / denominator) if denominator > 0 else float("nan")


def _tied_pairs(x: np.ndarray) -> float:
    _, counts = np.unique(x, return_counts=True)
    return float((counts * (counts - 1) / 2).sum())
