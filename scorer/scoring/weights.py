"""Criterion weights: direct, swing, rank-order centroid and AHP, with groups and overrides.

The pure functions at the top work on numpy arrays; a 2-D weights array of
shape (samples, criteria) is accepted wherever the maths allows, so that the
robustness analysis can treat many weight samples at once.
:func:`derive_weights` turns a criteria file (plus ``-w`` overrides) into a
:class:`WeightReport` that says where every number came from.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from scorer.errors import Notice, ScoringError
from scorer.inputs.models import CriteriaFile, fmt_num

# Saaty's random consistency index RI(n) for n = 1..15 (T. L. Saaty, The
# Analytic Hierarchy Process, McGraw-Hill 1980; the n = 11..15 values as in
# Saaty's later tables). CR is undefined for n <= 2: such a matrix is always
# consistent.
RANDOM_INDEX = (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59)
CR_LIMIT = 0.10
# WeightReport.method of the weights derived from the partners' (a scenario's joint: mean or geometric).
JOINT_MEAN = "joint mean"
JOINT_GEOMETRIC = "joint geometric"

# ------------------------------------------------------------- pure maths ---


def normalise(w: np.ndarray) -> np.ndarray:
    """Weights scaled to sum to 1 along the last axis (a zero row stays zero).

    Any finite weights work: two weights of 1e308 give 0.5 and 0.5, not 0
    and 0 from a sum that overflowed (see :func:`_binary_scaled`).
    """
    w = np.asarray(w, dtype=float)
    w = _binary_scaled(w, np.max(w, axis=-1, keepdims=True, initial=0.0))
    total = w.sum(axis=-1, keepdims=True)
    return np.divide(w, total, out=np.zeros_like(w), where=total > 0)


def _binary_scaled(w: np.ndarray, top: np.ndarray) -> np.ndarray:
    """``w`` times the power of two that brings ``top`` (broadcast to ``w``) into [0.5, 1).

    A sum of up to 2**1000 such terms cannot overflow, and scaling by a power
    of two is exact: every share computed from the scaled weights has the
    same bits as from the originals whenever those did not overflow.
    """
    _, exponent = np.frexp(top)
    return np.ldexp(w, -exponent)


def grouped_weights(w: np.ndarray, membership: np.ndarray, group_w: np.ndarray) -> np.ndarray:
    """Effective weights: group share x share within the group.

    Parameters
    ----------
    w : numpy.ndarray
        Raw criterion weights, shape (m,) or (samples, m).
    membership : numpy.ndarray
        Group index of each criterion, ints in ``0..k-1``, shape (m,).
    group_w : numpy.ndarray
        Raw group weights, shape (k,) or (samples, k).

    Returns
    -------
    numpy.ndarray
        Shape of ``w``; a criterion in a group whose members all weigh zero
        gets zero (the caller decides whether that is an error).
    """
    w = np.asarray(w, dtype=float)
    group_w = np.asarray(group_w, dtype=float)
    onehot = np.eye(group_w.shape[-1])[membership]  # (m, k)
    # Each group scaled by its own largest weight: its sum cannot overflow, and a
    # group of tiny weights beside one of huge weights keeps its proportions.
    top = np.stack([w[..., membership == g].max(axis=-1, initial=0.0) for g in range(onehot.shape[1])], axis=-1)
    w = _binary_scaled(w, top[..., membership])
    within = w / np.maximum((w @ onehot) @ onehot.T, np.finfo(float).tiny)
    share = normalise(group_w) @ onehot.T
    return within * share


def rank_order_centroid(n: int) -> np.ndarray:
    """Rank-order centroid weights ``w_k = (1/n) sum_{i=k..n} 1/i`` for ranks 1..n.

    Barron & Barrett (1996), Management Science 42(11), 1515-1523.
    """
    inv = 1.0 / np.arange(1, n + 1)
    return np.cumsum(inv[::-1])[::-1] / n


@dataclass(frozen=True)
class AhpResult:
    """Principal-eigenvector weights of a pairwise matrix and its consistency."""

    weights: np.ndarray
    lambda_max: float
    ci: float
    ri: float | None
    cr: float | None  # None: no random index for this n


def ahp_weights(matrix: np.ndarray) -> AhpResult:
    """Saaty's eigenvector method.

    Parameters
    ----------
    matrix : numpy.ndarray
        Positive reciprocal matrix (n, n): ``a[i, j]`` says how much more
        important i is than j, and ``a[j, i] = 1 / a[i, j]``.

    Returns
    -------
    AhpResult
        Weights summing to 1, lambda_max, CI = (lambda_max - n)/(n - 1) and
        CR = CI / RI(n) (0 for n <= 2, None for n > 15).
    """
    a = np.asarray(matrix, dtype=float)
    n = a.shape[0]
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    vec = np.abs(vectors[:, k].real)  # Perron vector: one sign throughout
    lam = float(values[k].real)
    ci = (lam - n) / (n - 1) if n > 1 else 0.0
    ri = RANDOM_INDEX[n - 1] if n <= len(RANDOM_INDEX) else None
    if n <= 2:
        cr: float | None = 0.0
    else:
        cr = ci / ri if ri else None
    return AhpResult(vec / vec.sum(), lam, ci, ri, cr)


def pairwise_matrix(ids: list[str], pairs: list[tuple[str, str, float]]) -> np.ndarray:
    """The reciprocal matrix from ``[a, b, x]`` judgements (a is x times as important as b)."""
    pos = {cid: i for i, cid in enumerate(ids)}
    a = np.ones((len(ids), len(ids)))
    for first, second, x in pairs:
        a[pos[first], pos[second]] = x
        a[pos[second], pos[first]] = 1.0 / x
    return a


# --------------------------------------------------------- from the files ---


@dataclass(frozen=True)
class WeightReport:
    """Effective weights of one criteria file and how they were derived.

    Attributes
    ----------
    ids : list of str
        Criterion ids in file order.
    groups : list of str or None
        Each criterion's group.
    method : str
        ``direct``, ``swing``, ``rank`` or ``ahp``.
    raw : numpy.ndarray
        The within-file criterion weights before normalisation: the
        ``weight:`` fields, the swing points, or the rank/AHP weights in
        percent; ``-w`` overrides already applied.
    effective : numpy.ndarray
        Normalised weights (group rule applied), summing to 1.
    overridden : tuple of str
        Criteria whose raw weight came from ``-w``.
    group_weights : dict
        Group id -> raw group weight.
    ahp : AhpResult or None
    warnings : list of str
    """

    ids: list[str]
    groups: list[str | None]
    method: str
    raw: np.ndarray
    effective: np.ndarray
    overridden: tuple[str, ...] = ()
    group_weights: dict[str, float] = field(default_factory=dict)
    ahp: AhpResult | None = None
    warnings: list[str] = field(default_factory=list)


def derive_weights(criteria: CriteriaFile, overrides: Mapping[str, float] | None = None) -> WeightReport:
    """Effective criterion weights of a (cross-checked) criteria file.

    Parameters
    ----------
    criteria : CriteriaFile
    overrides : mapping of criterion id to number, optional
        Replaces a criterion's raw weight before normalisation (see
        :class:`WeightReport` for what "raw" means under each method).

    Raises
    ------
    ScoringError
        An override names an unknown criterion or is negative or not finite,
        or the weights leave nothing (or a weighted group) with weight.
    """
    ids = [c.id for c in criteria.criteria]
    method = criteria.weighting.method
    raw, ahp = _raw_weights(criteria)
    raw, overridden = _apply_overrides(ids, raw, overrides or {})
    groups = [c.group for c in criteria.criteria]
    group_w = {g.id: g.weight for g in criteria.groups}
    effective = _effective(ids, raw, groups, group_w, criteria)
    warnings = []
    if overridden and method != "direct":
        unit = "swing points" if method == "swing" else "derived weight in percent"
        warnings.append(Notice(f"weighting is {method}: the weight overrides replaced the {unit} of "
                               f"{', '.join(overridden)} before normalisation", settings=("weights",)))
    if ahp is not None and ahp.cr is not None and ahp.cr > CR_LIMIT:
        warnings.append(
            f"AHP consistency ratio {ahp.cr:.3f} is above {CR_LIMIT:.2f}: the pairwise judgements "
            "contradict each other; review them"
        )
    if ahp is not None and ahp.cr is None:
        warnings.append(f"AHP with {len(ids)} criteria: no random index, so no consistency ratio")
    return WeightReport(ids, groups, method, raw, effective, overridden, group_w, ahp, warnings)


def _raw_weights(criteria: CriteriaFile) -> tuple[np.ndarray, AhpResult | None]:
    w = criteria.weighting
    ids = [c.id for c in criteria.criteria]
    if w.method == "swing":
        return np.array([w.swing.points[cid] for cid in ids], dtype=float), None
    if w.method == "rank":
        roc = rank_order_centroid(len(ids))
        position = {cid: k for k, cid in enumerate(w.rank.order)}
        return 100.0 * np.array([roc[position[cid]] for cid in ids]), None
    if w.method == "ahp":
        result = ahp_weights(pairwise_matrix(ids, w.ahp.pairwise))
        return 100.0 * result.weights, result
    return np.array([c.weight for c in criteria.criteria], dtype=float), None


def _apply_overrides(ids: list[str], raw: np.ndarray, overrides: Mapping[str, float]) -> tuple[np.ndarray, tuple]:
    raw = raw.copy()
    pos = {cid: i for i, cid in enumerate(ids)}
    for cid, value in overrides.items():
        if cid not in pos:
            raise ScoringError(f"weight override {cid}=...: unknown criterion '{cid}' (criteria: {', '.join(ids)})",
                               settings=("weights",))
        if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
            raise ScoringError(f"weight override {cid}={value}: a weight must be a non-negative number",
                               settings=("weights",))
        raw[pos[cid]] = float(value)
    return raw, tuple(cid for cid in ids if cid in overrides)


def _effective(ids, raw, groups, group_w, criteria: CriteriaFile) -> np.ndarray:
    if not (raw > 0).any():
        raise ScoringError("every criterion weight is zero, so nothing can be scored")
    if not criteria.groups:
        return normalise(raw)
    order = [g.id for g in criteria.groups]
    membership = np.array([order.index(g) for g in groups])
    gw = np.array([group_w[g] for g in order], dtype=float)
    for k, gid in enumerate(order):
        if gw[k] > 0 and not (raw[membership == k] > 0).any():
            raise ScoringError(f"group '{gid}' has weight {fmt_num(gw[k])} but all its criteria weigh zero")
    return grouped_weights(raw, membership, gw)
