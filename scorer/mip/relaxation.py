"""A quick proven upper bound for a large maximising model, before HiGHS has one.

HiGHS proves its first bound at the end of the root LP, which took 15 s on
10,000 candidates x 15 years; a solve stopped before then could only say
"gap unknown". Dropping every limit but one budget row leaves a
multiple-choice knapsack whose LP relaxation is solved by sorting; each such
row gives a valid bound, and the smallest is kept. Dominating each project's
start options by one optimistic item (its best value, its smallest use of the
row) only loosens the relaxation, so the bound stays valid.
"""

from __future__ import annotations

import numpy as np

from scorer.mip.linear import LinearModel


def budget_bound(model: LinearModel) -> float:
    """An upper bound on the optimum of a maximising 0/1 model (``inf`` for any other model).

    Each row whose coefficients are all non-negative and whose upper limit
    is finite gives the fractional-knapsack value over projects (choice
    groups, see :attr:`LinearModel.choice_rows`); the result is the smallest.
    Columns fixed on are treated as free, which can only raise the bound.
    """
    binary = model.integer.all() and (model.col_lower >= 0).all() and (model.col_upper <= 1).all()
    if not model.maximize or model.num_col == 0 or not binary:
        return np.inf
    group = _groups(model)
    usable = (model.cost > 0) & (model.col_upper > 0.5)
    value = _group_max(np.where(usable, model.cost, 0.0), group)
    best = float(value.sum())  # no row at all: every project at its best
    negative = np.bincount(model.row_of, weights=model.value < 0, minlength=len(model.row_upper)) > 0
    rows = np.flatnonzero(~negative & np.isfinite(model.row_upper))
    rows = rows[rows >= model.choice_rows]
    for r in rows.tolist():
        use = np.zeros(model.num_col)
        lo, hi = model.start[r], model.start[r + 1]
        use[model.index[lo:hi]] = model.value[lo:hi]
        least = _group_min(np.where(usable, use, np.inf), group)
        best = min(best, _fractional_knapsack(value, least, max(float(model.row_upper[r]), 0.0)))
    return best


def _groups(model: LinearModel) -> np.ndarray:
    """Each column's project: its choice row, or a group of its own."""
    group = np.arange(model.num_col) + model.choice_rows
    end = model.start[model.choice_rows]
    group[model.index[:end]] = model.row_of[:end]
    _, dense = np.unique(group, return_inverse=True)
    return dense


def _group_max(x: np.ndarray, group: np.ndarray) -> np.ndarray:
    out = np.full(group.max() + 1, -np.inf)
    np.maximum.at(out, group, x)
    return np.maximum(out, 0.0)


def _group_min(x: np.ndarray, group: np.ndarray) -> np.ndarray:
    out = np.full(group.max() + 1, np.inf)
    np.minimum.at(out, group, x)
    return out


def _fractional_knapsack(value: np.ndarray, weight: np.ndarray, capacity: float) -> float:
    """max sum(v x) s.t. sum(w x) <= capacity, 0 <= x <= 1 (items of infinite weight unusable)."""
    take = (value > 0) & np.isfinite(weight)
    free = take & (weight <= 0)
    v, w = value[take & ~free], weight[take & ~free]
    order = np.argsort(-v / w, kind="stable")
    v, w = v[order], w[order]
    filled = np.cumsum(w)
    whole = int(np.searchsorted(filled, capacity, side="right"))
    total = float(value[free].sum() + v[:whole].sum())
    if whole < len(v):
        room = capacity - (filled[whole - 1] if whole else 0.0)
        total += float(v[whole] * room / w[whole])
    return total
