"""Candidates' scores as numeric matrices, one row per candidate, one column per criterion.

A categorical criterion's label becomes its level value; every other score is
the raw number on the criterion's scale. ``low``/``high`` fall back to
``value`` where a score gives no range.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from scorer.errors import ScoringError
from scorer.inputs.models import CandidatesFile, CriteriaFile

AT_POINTS = ("low", "value", "high")
At = Literal["low", "value", "high"]


def raw_matrix(criteria: CriteriaFile, candidates: CandidatesFile, at: str = "value") -> np.ndarray:
    """The raw score matrix of shape (candidates, criteria): candidates in id order (as loaded), criteria in file order.

    Parameters
    ----------
    criteria, candidates : CriteriaFile, CandidatesFile
        Cross-checked inputs (every candidate scores every criterion).
    at : {"low", "value", "high"}
        Which point of an uncertain score to take.

    Returns
    -------
    numpy.ndarray
        float64, shape (n_candidates, n_criteria).
    """
    if at not in AT_POINTS:
        raise ScoringError(f"at must be one of {', '.join(AT_POINTS)}, got '{at}'", settings=("at",))
    crits = criteria.criteria
    out = np.empty((len(candidates.candidates), len(crits)), dtype=float)
    for i, cand in enumerate(candidates.candidates):
        for j, crit in enumerate(crits):
            score = cand.scores[crit.id]
            if crit.is_categorical:
                out[i, j] = crit.value_function.levels[score.value]
            else:
                point = getattr(score, at)
                out[i, j] = score.value if point is None else point
    return out


def range_matrices(criteria: CriteriaFile, candidates: CandidatesFile) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``low``, ``value`` and ``high`` raw matrices, for sampling between them."""
    return tuple(raw_matrix(criteria, candidates, at) for at in AT_POINTS)  # type: ignore[return-value]


def raw_is_benefit(criteria: CriteriaFile) -> np.ndarray:
    """For raw-score methods: is a higher raw number better, per criterion?

    A categorical criterion's raw number is its level value, which is already
    a preference (higher is better) whatever the criterion's direction.
    """
    return np.array([c.is_categorical or c.direction == "benefit" for c in criteria.criteria], dtype=bool)
