"""The cost split of a chosen portfolio: each ranged project's shares, as near their ranges' middle as budgets allow.

The integer program decides which projects start when; any split within the
ranges that meets every partner's caps and share rules is as good as another
for its objective (values do not depend on who pays). So the split is chosen
afterwards, with the portfolio fixed, by two small linear programs:

1. the least total distance ``sum |y_ij - t_ij|`` of the shares from their
   targets ``t`` (the middle of the ranges, scaled to sum to 1; see
   :func:`~scorer.portfolio.problem.nominal_split`);
2. among splits within a hair of that least distance, the least distance
   weighted by candidate order (then partner order), earlier ids heavier: a
   tie goes to the earlier id, which keeps its split nearer the middle.

Both depend on the portfolio only, never on the split the solver happened to
return, so the same portfolio always gets the same split.
"""

from __future__ import annotations

import numpy as np

from scorer.errors import SolverError
from scorer.mip.linear import LinearModel, to_highs
from scorer.portfolio.problem import PortfolioProblem

# The second stage keeps the first stage's distance to within this (relative, and as much absolute).
NEAR = 1e-9


def choose_split(problem: PortfolioProblem, start: np.ndarray, spend: np.ndarray) -> np.ndarray:
    """Each partner's share of each candidate (n, P): chosen for selected ranged candidates, else ``problem.shares``.

    Parameters
    ----------
    problem : PortfolioProblem
    start : array (n,)
        Start year per candidate, -1 when not selected.
    spend : array (n, T)
        Each candidate's spend per horizon year at those starts.

    Raises
    ------
    SolverError
        No split of this portfolio meets the partners' caps and share rules
        (the integer program said one does: a solver fault).
    """
    shares = np.array(problem.shares, dtype=float, copy=True)
    ranged = np.flatnonzero(problem.ranged & (np.asarray(start) >= 0))
    if len(ranged) == 0:
        return shares
    cand, partner = np.nonzero(problem.share_hi[ranged] > 0)
    cand = ranged[cand]
    rows = _rows(problem, cand, partner, spend, start)
    m = len(cand)
    box = problem.share_lo[cand, partner], problem.share_hi[cand, partner]
    first = _solve(rows, box, np.ones(m))
    weights = (m - np.arange(m)) / m  # pairs in candidate (id) order, then partner order
    near = np.concatenate([np.zeros(m), np.ones(m)]), -np.inf, first * (1 + NEAR) + NEAR
    y = _solve([*rows, near], box, weights, values=True)
    shares[cand, partner] = np.clip(y, problem.share_lo[cand, partner], problem.share_hi[cand, partner])
    return shares


def _rows(p: PortfolioProblem, cand: np.ndarray, partner: np.ndarray, spend: np.ndarray,
          start: np.ndarray) -> list[tuple[np.ndarray, float, float]]:
    """Dense rows over (y, d) as (coefficients, lower, upper), money rows scaled to their largest figure."""
    m = len(cand)
    rows = []
    for i in np.unique(cand):  # each ranged project's shares sum to 1
        rows.append((np.concatenate([(cand == i).astype(float), np.zeros(m)]), 1.0, 1.0))
    target = p.shares[cand, partner]
    eye = np.eye(m)
    for r in range(m):  # d >= |y - t|
        rows.append((np.concatenate([-eye[r], eye[r]]), -target[r], np.inf))
        rows.append((np.concatenate([eye[r], eye[r]]), target[r], np.inf))
    fixed = np.where((np.asarray(start) >= 0)[:, None] & ~p.ranged[:, None], p.shares, 0.0)  # (n, P)
    paid = fixed.T @ spend  # (P, T) spend of fixed shares
    cost = spend.sum(axis=1)
    for j in range(len(p.partners)):
        mine = partner == j
        for t in range(len(p.years)):
            if np.isfinite(p.partner_year_cap[j, t]):
                room = p.partner_year_cap[j, t] - paid[j, t]
                rows.append(_money(np.where(mine, spend[cand, t], 0.0), m, -np.inf, room))
        if np.isfinite(p.partner_total[j]):
            rows.append(_money(np.where(mine, cost[cand], 0.0), m, -np.inf, p.partner_total[j] - paid[j].sum()))
        for bound, lower in ((p.partner_share_min[j], True), (p.partner_share_max[j], False)):
            if np.isfinite(bound):
                rhs = bound * cost.sum() - paid[j].sum()
                rows.append(_money(np.where(mine, cost[cand], 0.0), m, *((rhs, np.inf) if lower else (-np.inf, rhs))))
    return rows


def _money(coef: np.ndarray, m: int, lower: float, upper: float) -> tuple[np.ndarray, float, float]:
    scale = max(float(np.abs(coef).max(initial=0.0)), 1e-300)
    return np.concatenate([coef / scale, np.zeros(m)]), lower / scale, upper / scale


def _solve(rows: list, box: tuple[np.ndarray, np.ndarray], weights: np.ndarray, values: bool = False):
    """Minimise ``weights @ d`` over the rows, shares within ``box``; the least distance (``values``: the shares)."""
    m = len(weights)
    a = np.array([r[0] for r in rows])
    nz = a != 0
    model = LinearModel(
        cost=np.concatenate([np.zeros(m), weights]), col_lower=np.concatenate([box[0], np.zeros(m)]),
        col_upper=np.concatenate([box[1], np.full(m, np.inf)]), integer=np.zeros(2 * m, dtype=bool),
        row_lower=np.array([r[1] for r in rows], dtype=float), row_upper=np.array([r[2] for r in rows], dtype=float),
        start=np.concatenate([[0], np.cumsum(nz.sum(axis=1))]).astype(np.int32),
        index=np.nonzero(nz)[1].astype(np.int32), value=a[nz], maximize=False)
    h = to_highs(model, {})
    h.run()
    if h.getModelStatus().name != "kOptimal":
        raise SolverError("no cost split of the chosen portfolio meets the partners' budgets and share rules "
                          f"({h.getModelStatus().name[1:]})")
    x = np.asarray(h.getSolution().col_value, dtype=float)
    return x[:m] if values else float(weights @ x[m:])
