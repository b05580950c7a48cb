"""Value functions: raw scores on a criterion's scale to values in [0, 1].

A candidate's value on a criterion depends on its own score and the
criterion's definition only, never on the other candidates; that is what
keeps the weighted sum free of rank reversal when candidates come and go.
"""

from __future__ import annotations

import numpy as np

from scorer.models import CategoricalValue, Criterion, CriteriaFile, PiecewiseValue


def linear_value(raw: np.ndarray, lo: float, hi: float, cost: bool = False) -> np.ndarray:
    """Map ``lo..hi`` linearly onto 0..1 (onto 1..0 for a cost), clamped to [0, 1]."""
    v = (np.asarray(raw, dtype=float) - lo) / (hi - lo)
    if cost:
        v = 1.0 - v
    return np.clip(v, 0.0, 1.0)


def piecewise_value(raw: np.ndarray, points: list[tuple[float, float]]) -> np.ndarray:
    """Interpolate between the user's ``(raw, value)`` points (flat beyond the ends).

    The points' values are the values: direction is already built into them.
    """
    xs = np.array([p[0] for p in points], dtype=float)
    ys = np.array([p[1] for p in points], dtype=float)
    return np.clip(np.interp(raw, xs, ys), 0.0, 1.0)


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
        :func:`scorer.matrix.raw_matrix`, or a stack of sampled matrices.
    criteria : CriteriaFile

    Returns
    -------
    numpy.ndarray
        Values in [0, 1], same shape as ``raw``.
    """
    raw = np.asarray(raw, dtype=float)
    out = np.empty_like(raw)
    for j, crit in enumerate(criteria.criteria):  # a loop over criteria only, never candidates
        out[..., j] = criterion_value(raw[..., j], crit)
    return out
