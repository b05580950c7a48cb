"""Value functions: raw scores on a criterion's scale to values in [0, 1].

A candidate's value on a criterion depends on its own score and the
criterion's definition only, never on the other candidates; that is what
keeps the weighted sum free of rank reversal when candidates come and go.
"""

from __future__ import annotations

import math

import numpy as np

from scorer.inputs.models import (
    CategoricalValue,
    CriteriaFile,
    Criterion,
    LinearValue,
    PiecewiseValue,
)


def linear_value(raw: np.ndarray, lo: float, hi: float, cost: bool = False) -> np.ndarray:
    """Map ``lo..hi`` linearly onto 0..1 (onto 1..0 for a cost), clamped to [0, 1].

    Any finite scale works: on -1e308..1e308, where ``hi - lo`` overflows,
    everything is halved first (see :func:`span_factor`), so 0 is worth 0.5.
    """
    f = span_factor(lo, hi)
    v = (np.asarray(raw, dtype=float) * f - lo * f) / (hi * f - lo * f)
    if cost:
        v = 1.0 - v
    return np.clip(v, 0.0, 1.0)


def piecewise_value(raw: np.ndarray, points: list[tuple[float, float]]) -> np.ndarray:
    """Interpolate between the user's ``(raw, value)`` points (flat beyond the ends).

    The points' values are the values: direction is already built into them.
    """
    xs = np.array([p[0] for p in points], dtype=float)
    ys = np.array([p[1] for p in points], dtype=float)
    f = span_factor(xs[0], xs[-1])  # np.interp's slopes are 0 where a step overflows
    return np.clip(np.interp(np.asarray(raw, dtype=float) * f, xs * f, ys), 0.0, 1.0)


def span_factor(lo: float, hi: float) -> float:
    """1, or 1/2 when ``hi - lo`` overflows to infinity.

    Multiplying by 1/2 is exact (short of the subnormal range), and half of
    any two finite doubles is less than the largest double apart, so every
    difference and slope of a halved scale is finite and the value of a
    score comes out as on any ordinary scale.
    """
    return 1.0 if math.isfinite(float(hi) - float(lo)) else 0.5


def criterion_value(raw: np.ndarray, criterion: Criterion) -> np.ndarray:
    """Values of raw scores (any shape) on one criterion.

    For a categorical criterion the raw number is already its level value.
    """
    vf = criterion.value_function
    if isinstance(vf, CategoricalValue):
        return np.clip(np.asarray(raw, dtype=float), 0.0, 1.0)
    if isinstance(vf, PiecewiseValue):
        return piecewise_value(raw, vf.points)
    return linear_value(raw, criterion.scale.min, criterion.scale.max, criterion.direction == "cost")


def value_matrix(raw: np.ndarray, criteria: CriteriaFile) -> np.ndarray:
    """Apply each criterion's value function to its column.

    Parameters
    ----------
    raw : numpy.ndarray
        Raw scores, shape (..., n_criteria): one matrix from
        :func:`scorer.scoring.matrix.raw_matrix`, or a stack of sampled matrices.
    criteria : CriteriaFile

    Returns
    -------
    numpy.ndarray
        Values in [0, 1], same shape as ``raw``.
    """
    raw = np.asarray(raw, dtype=float)
    # Linear columns (the common case) in one pass over the whole matrix:
    # v = (x f - origin) * slope, with origin/slope flipped for a cost and the
    # pass over x f only for a scale too wide to subtract (see span_factor).
    origin, slope, factor = _linear_coefficients(criteria)
    out = np.subtract(raw if (factor == 1).all() else raw * factor, origin)
    out *= slope
    np.clip(out, 0.0, 1.0, out=out)
    for j, crit in enumerate(criteria.criteria):  # a loop over criteria only, never candidates
        if crit.value_function is not None and not isinstance(crit.value_function, LinearValue):
            out[..., j] = criterion_value(raw[..., j], crit)
    return out


def _linear_coefficients(criteria: CriteriaFile) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    origin, slope, factor = [], [], []
    for c in criteria.criteria:
        lo, hi = (c.scale.min, c.scale.max) if c.scale is not None else (0.0, 1.0)
        cost = c.direction == "cost"
        f = span_factor(lo, hi)
        origin.append((hi if cost else lo) * f)
        slope.append((-1.0 if cost else 1.0) / (hi * f - lo * f))
        factor.append(f)
    return np.array(origin), np.array(slope), np.array(factor)
