"""Group judgements: several raters' AHP pairwise judgements combined into one set of weights.

Each rater judges the same criteria as a criteria file's ``weighting: {method:
ahp}`` does (``[a, b, x]``: a is x times as important as b, 1/9..9, every pair
once) and has an influence (any positive number; only the proportions count).
Two ways of combining them (Forman & Peniwati 1998, "Aggregating individual
judgments and priorities with the analytic hierarchy process", EJOR 108(1),
165-169):

* AIJ, aggregation of individual judgements, for a group that acts as one
  unit: the influence-weighted geometric mean of the raters' matrices, element
  by element (it keeps the matrix reciprocal), then its principal eigenvector.
* AIP, aggregation of individual priorities, for raters who act separately:
  the influence-weighted arithmetic (or geometric, normalised) mean of each
  rater's own eigenvector weights.

Each rater's and the group's consistency ratio come from the same eigenvector
code as a single criteria file (:func:`scorer.scoring.weights.ahp_weights`),
and :func:`consensus` says how far the raters agree (Goepel's AHP consensus
indicator S*). Pure numpy: no files, no printing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from scorer.errors import ScoringError
from scorer.scoring.weights import ahp_weights, normalise, pairwise_matrix

# The largest judgement of Saaty's fundamental scale: bounds a judgement, and sets
# the least entropy one rater's priorities can have in Goepel's consensus indicator.
SCALE_MAX = 9.0
# The criteria file accepts 1/9 down to this much below it (inputs.models.AhpSpec).
_SCALE_SLACK = 1e-9

Judgement = tuple[str, str, float]
Rater = tuple[str, float, Sequence[Judgement]]


@dataclass(frozen=True, eq=False)
class GroupJudgement:
    """Several raters' AHP judgements over the same criteria, combined.

    Attributes
    ----------
    raters : tuple of str
        Rater names in the order given.
    influence : numpy.ndarray
        Each rater's influence, normalised to sum to 1, shape (R,).
    criteria : tuple of str
        Criterion ids, the column order of every weight array.
    rater_weights : numpy.ndarray
        Each rater's own eigenvector weights, shape (R, m), rows summing to 1.
    rater_cr : numpy.ndarray
        Each rater's consistency ratio, shape (R,); NaN where Saaty's random
        index has no value (more than 15 criteria).
    aij_matrix : numpy.ndarray
        The influence-weighted geometric mean of the raters' matrices, (m, m),
        exactly reciprocal.
    aij_weights : numpy.ndarray
        Its principal eigenvector: the group's weights by AIJ, shape (m,).
    group_cr : float or None
        The consistency ratio of ``aij_matrix`` (None past 15 criteria).
    aip_weights : numpy.ndarray
        The influence-weighted arithmetic mean of ``rater_weights``, (m,).
    consensus : float
        Goepel's AHP consensus indicator S* of ``rater_weights``, in [0, 1]
        (see :func:`consensus`).
    """

    raters: tuple[str, ...]
    influence: np.ndarray
    criteria: tuple[str, ...]
    rater_weights: np.ndarray
    rater_cr: np.ndarray
    aij_matrix: np.ndarray
    aij_weights: np.ndarray
    group_cr: float | None
    aip_weights: np.ndarray
    consensus: float


def combine_judgements(criteria: Sequence[str], raters: Sequence[Rater], *,
                       setting: str = "raters") -> GroupJudgement:
    """Combine several raters' pairwise judgements by AIJ and by AIP.

    Parameters
    ----------
    criteria : sequence of str
        The criterion ids every rater judges, in the order of the results.
    raters : sequence of (name, influence, judgements)
        ``judgements`` as a criteria file writes them: ``(a, b, x)``, a is x
        times as important as b, x in [1/9, 9], every pair of criteria once
        (like ``weighting.ahp.pairwise``, a missing pair is an error, not a 1).
    setting : str, optional
        Where the raters come from, as the scenario spells it
        (``perspectives.JP.raters``): named in error messages.

    Returns
    -------
    GroupJudgement

    Raises
    ------
    ScoringError
        No raters, a repeated rater name, an influence that is not a positive
        finite number, no or repeated criteria, or a rater's judgement that
        names an unknown criterion, compares one with itself, repeats a pair,
        lies outside 1/9..9, or leaves a pair unjudged.
    """
    ids = _criteria_ids(criteria, setting)
    names = _rater_names(raters, setting)
    influence = _influence([r[1] for r in raters], [f"rater '{n}'" for n in names], setting)
    matrices = np.stack([_judgement_matrix(ids, name, r[2], setting) for name, r in zip(names, raters)])
    own = [ahp_weights(a) for a in matrices]
    rater_weights = np.stack([r.weights for r in own])
    group = aij_matrix(matrices, influence)
    result = ahp_weights(group)
    return GroupJudgement(
        raters=names,
        influence=_frozen(influence),
        criteria=ids,
        rater_weights=_frozen(rater_weights),
        rater_cr=_frozen(np.array([np.nan if r.cr is None else r.cr for r in own])),
        aij_matrix=_frozen(group),
        aij_weights=_frozen(result.weights),
        group_cr=result.cr,
        aip_weights=_frozen(combine_priorities(rater_weights, influence)),
        consensus=consensus(rater_weights, influence),
    )


def aij_matrix(matrices: np.ndarray, influence: np.ndarray) -> np.ndarray:
    """The element-wise weighted geometric mean of reciprocal matrices.

    Parameters
    ----------
    matrices : numpy.ndarray
        Positive reciprocal matrices, shape (R, m, m).
    influence : numpy.ndarray
        Non-negative weights of the R matrices, summing to 1, shape (R,).

    Returns
    -------
    numpy.ndarray
        Shape (m, m): ``prod_k a_k[i, j] ** influence[k]`` above the diagonal,
        its reciprocal below (computed once, so ``g[j, i] == 1 / g[i, j]``
        exactly), ones on the diagonal.
    """
    logs = np.tensordot(np.asarray(influence, dtype=float), np.log(np.asarray(matrices, dtype=float)), axes=1)
    upper = np.triu(np.exp(logs), k=1)
    with np.errstate(divide="ignore"):
        lower = np.where(upper > 0, 1.0 / upper, 0.0).T
    return upper + lower + np.eye(upper.shape[0])


def combine_priorities(priorities: np.ndarray, influence: np.ndarray, geometric: bool = False) -> np.ndarray:
    """Influence-weighted mean of several priority (weight) vectors, normalised (AIP).

    Also what derives joint weights from the partners' effective weights.

    Parameters
    ----------
    priorities : numpy.ndarray
        Non-negative weight vectors, one per row, shape (R, m); each row is
        normalised to sum to 1 first.
    influence : numpy.ndarray
        Positive finite numbers, shape (R,); only their proportions count.
    geometric : bool, optional
        False: ``sum_k lambda_k w_k``. True: ``prod_k w_k ** lambda_k``,
        normalised (Forman & Peniwati 1998; a criterion one rater gives zero
        weight gets zero).

    Returns
    -------
    numpy.ndarray
        Shape (m,), summing to 1.

    Raises
    ------
    ScoringError
        Shapes that do not match, a negative or non-finite weight, a row of
        zeros, an influence that is not positive and finite, or (geometric) a
        zero mean for every criterion.
    """
    w = _priorities(priorities)
    lam = _influence(influence, _vector_labels(w), "influence")
    if lam.shape[0] != w.shape[0]:
        raise ScoringError(f"{w.shape[0]} weight vectors but {lam.shape[0]} influences")
    if not geometric:
        return normalise(lam @ w)
    with np.errstate(divide="ignore"):
        logs = np.log(w)
    # 0 ** lambda = 0: a zero anywhere zeroes that criterion, and nan from 0 * -inf must not appear.
    zero = (w == 0).any(axis=0)
    mean = np.where(zero, 0.0, np.exp(lam @ np.where(w > 0, logs, 0.0)))
    if not (mean > 0).any():
        raise ScoringError("the geometric mean of the weights is zero for every criterion: each criterion "
                           "has zero weight in some vector")
    return normalise(mean)


def consensus(priorities: np.ndarray, influence: np.ndarray | None = None) -> float:
    """Goepel's AHP consensus indicator S* of several priority vectors, in [0, 1].

    Goepel, K. D. (2013), "Implementing the Analytic Hierarchy Process as a
    Standard Method for Multi-Criteria Decision Making in Corporate
    Enterprises", Proc. ISAHP 2013, Kuala Lumpur; as implemented in AHP-OS,
    Goepel (2018), Int. J. of the AHP 10(3), 469-487, eqs. 11-21
    (doi:10.13033/ijahp.v10i3.590). With ``H(w) = -sum_j w_j ln w_j``:

    * alpha entropy ``H_a = sum_k lambda_k H(w_k)``, gamma entropy
      ``H_g = H(sum_k lambda_k w_k)``, beta entropy ``H_b = H_g - H_a``;
    * relative homogeneity ``S = exp(-H_b)`` (1 when all agree);
    * ``H_a,min = -(M/(n+M-1)) ln(M/(n+M-1)) - ((n-1)/(n+M-1)) ln(1/(n+M-1))``,
      the entropy of one criterion judged M = 9 times as important as all
      others, and ``H_g,max = ln n``;
    * ``S* = (S - exp(H_a,min - H_g,max)) / (1 - exp(H_a,min - H_g,max))``.

    Goepel weighs the raters equally (``lambda_k = 1/K``); with influences
    the entropies are influence-weighted (the usual weighted form of the
    Shannon partition, so ``H_b >= 0`` still holds), which is his formula
    when the influences are equal. S* is 0 when each of n raters judges a
    different one of n criteria 9 times as important as the rest (Goepel
    2018, section 8), and 1 for identical priorities. Priorities more extreme
    than the 1..9 scale allows (weights typed in directly) could go below 0;
    the result is clipped to [0, 1].

    Parameters
    ----------
    priorities : numpy.ndarray
        Shape (R, m), non-negative rows, each normalised to sum to 1.
    influence : numpy.ndarray, optional
        Positive finite numbers, shape (R,); equal when omitted.

    Returns
    -------
    float
        1.0 for a single criterion or a single rater.
    """
    w = normalise(_priorities(priorities))
    lam = (np.full(w.shape[0], 1.0 / w.shape[0]) if influence is None
           else _influence(influence, _vector_labels(w), "influence"))
    n = w.shape[1]
    if n < 2:
        return 1.0
    homogeneity = math.exp(float(lam @ _entropy(w)) - float(_entropy(lam @ w)))
    spread = n + SCALE_MAX - 1.0
    h_alpha_min = -(SCALE_MAX / spread) * math.log(SCALE_MAX / spread) + ((n - 1) / spread) * math.log(spread)
    floor = math.exp(h_alpha_min - math.log(n))
    return float(min(1.0, max(0.0, (homogeneity - floor) / (1.0 - floor))))


# ------------------------------------------------------------ validation ---


def _entropy(w: np.ndarray) -> np.ndarray:
    """Shannon entropy (natural log) along the last axis, with 0 ln 0 = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(w > 0, w * np.log(w), 0.0)
    return -terms.sum(axis=-1)


def _priorities(priorities: np.ndarray) -> np.ndarray:
    w = np.asarray(priorities, dtype=float)
    if w.ndim != 2 or w.shape[0] == 0 or w.shape[1] == 0:
        raise ScoringError(f"weight vectors must be given as a non-empty (vectors, criteria) array, "
                           f"not of shape {w.shape}")
    if not np.isfinite(w).all() or (w < 0).any():
        raise ScoringError("a weight must be a non-negative number")
    if (w.sum(axis=1) == 0).any():
        raise ScoringError(f"weight vector {int(np.argmin(w.sum(axis=1))) + 1} gives every criterion zero weight")
    return normalise(w)


def _criteria_ids(criteria: Sequence[str], setting: str) -> tuple[str, ...]:
    ids = tuple(criteria)
    if not ids:
        raise ScoringError(f"{setting}: there are no criteria to judge", settings=(setting,))
    repeated = sorted({c for c in ids if ids.count(c) > 1})
    if repeated:
        raise ScoringError(f"{setting}: criterion '{repeated[0]}' is listed twice", settings=(setting,))
    return ids


def _rater_names(raters: Sequence[Rater], setting: str) -> tuple[str, ...]:
    if not raters:
        raise ScoringError(f"{setting}: no raters; at least one rater's judgements are needed",
                           settings=(setting,))
    names = tuple(str(r[0]) for r in raters)
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ScoringError(f"{setting}: rater '{repeated[0]}' is listed twice", settings=(setting,))
    return names


def _influence(values: Sequence[float] | np.ndarray, labels: Sequence[str], setting: str) -> np.ndarray:
    values = list(np.asarray(values, dtype=object).ravel())
    for label, value in zip(labels, values):
        number = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
        if not number or not math.isfinite(value) or value <= 0:
            raise ScoringError(f"{setting}: {label} has influence {value}; an influence must be "
                               "a positive number", settings=(setting,))
    if not values:
        raise ScoringError(f"{setting}: no influences given", settings=(setting,))
    return normalise(np.array(values, dtype=float))


def _judgement_matrix(ids: tuple[str, ...], name: str, judgements: Sequence[Judgement], setting: str) -> np.ndarray:
    """One rater's reciprocal matrix, checked as the criteria file's AHP judgements are."""
    known = set(ids)
    seen: set[frozenset] = set()
    pairs = []
    for i, judgement in enumerate(judgements):
        where = f"{setting}: rater '{name}', judgement {i + 1}"
        if len(judgement) != 3:
            raise ScoringError(f"{where}: a judgement is [a, b, x] (a is x times as important as b)",
                               settings=(setting,))
        a, b, x = judgement
        bad = [c for c in (a, b) if c not in known]
        if bad:
            raise ScoringError(f"{where}: unknown criterion '{bad[0]}' (criteria: {', '.join(ids)})",
                               settings=(setting,))
        if a == b:
            raise ScoringError(f"{where}: compares '{a}' with itself", settings=(setting,))
        if frozenset((a, b)) in seen:
            raise ScoringError(f"{where}: the pair {a}/{b} is judged twice", settings=(setting,))
        number = isinstance(x, int | float | np.integer | np.floating) and not isinstance(x, bool)
        if not number or not math.isfinite(x) or not 1 / SCALE_MAX - _SCALE_SLACK <= x <= SCALE_MAX:
            raise ScoringError(f"{where}: {a}/{b} = {x}; a judgement must be a number from 1/9 to 9",
                               settings=(setting,))
        seen.add(frozenset((a, b)))
        pairs.append((a, b, float(x)))
    absent = sorted("/".join(sorted(p)) for p in {frozenset(p) for p in combinations(ids, 2)} - seen)
    if absent:
        shown = ", ".join(absent[:5]) + (f" and {len(absent) - 5} more" if len(absent) > 5 else "")
        raise ScoringError(f"{setting}: rater '{name}': every pair of criteria needs a judgement; missing {shown}",
                           settings=(setting,))
    return pairwise_matrix(list(ids), pairs)


def _vector_labels(w: np.ndarray) -> list[str]:
    return [f"weight vector {k + 1}" for k in range(w.shape[0])]


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.setflags(write=False)
    return a
