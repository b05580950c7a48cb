"""Flip points: how far one criterion's weight can move before the answer changes.

One criterion's effective weight ``t`` moves over [0, 1] while the others
keep their proportions: ``w(t) = t e_c + (1 - t) r`` with
``r_j = w_j / (1 - w_c)`` for the other criteria (equal shares if ``w_c`` is
1). For the weighted sum and PROMETHEE II each candidate's score is linear in
``t`` (for the weighted product its logarithm is), so the interval in which
the top-ranked candidate stays on top is exact: each bound is the root of
the linear difference between the leader and a rival. TOPSIS is not linear
in the weights; its interval comes from a grid of 201 weights refined by
bisection (a flip narrower than the grid step can be missed).

For the optimal portfolio (a selection, start years aside) the interval is
found by bisection on re-solves to a stated tolerance: the reported bound
is the farthest weight verified to keep the portfolio, and the change is
the portfolio at a weight at most ``tolerance`` beyond it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scorer.columns import FRACTION, ID, declare
from scorer.mip.config import SolverConfig
from scorer.portfolio.problem import PortfolioProblem
from scorer.portfolio.resolve import Resolver
from scorer.robustness.parallel import run_map
from scorer.robustness.sampling import ScoringBasis
from scorer.scoring.ranking import rank_positions

# Score differences within this are ties (scores are on 0-100).
_TIE = 1e-9
_GRID = 201
_BISECT_ROUNDS = 40


def weights_at(w: np.ndarray, c: int, t: np.ndarray | float) -> np.ndarray:
    """Weights with criterion ``c`` at ``t`` and the others rescaled proportionally: (m,) or (len(t), m)."""
    w = np.asarray(w, dtype=float)
    rest = w.copy()
    rest[c] = 0.0
    total = rest.sum()
    if total > 0:
        rest /= total
    else:  # c carried all the weight: share the rest equally
        rest = np.full(len(w), 1.0 / max(len(w) - 1, 1))
        rest[c] = 0.0
    t_arr = np.asarray(t, dtype=float)
    out = np.multiply.outer(1.0 - t_arr, rest)
    out[..., c] = t_arr
    return out


@dataclass(frozen=True)
class RankFlip:
    """The weight interval of one criterion within which the top candidate stays on top.

    ``below``/``above``: the candidate on top just below ``low`` / just above
    ``high`` (None when the interval reaches 0 / 1).
    """

    criterion: str
    weight: float
    low: float
    high: float
    leader: str
    below: str | None
    above: str | None


def _leader(scores: np.ndarray, ids: list[str]) -> int:
    return int(rank_positions(scores, ids)[0, 0])


def ranking_flips(basis: ScoringBasis) -> list[RankFlip]:
    """Exact (linear methods) or bisected (TOPSIS) top-rank intervals for every criterion."""
    linear = basis.linear_utilities()
    lead = _leader(basis.scores(basis.weights), basis.ids)
    out = []
    for c, cid in enumerate(basis.criteria):  # a loop over criteria only
        if linear is not None:
            low, high, below, above = _linear_interval(linear[0], basis.weights, c, lead, basis.ids)
        else:
            low, high, below, above = _bisected_interval(basis, c, lead)
        out.append(RankFlip(cid, float(basis.weights[c]), low, high, basis.ids[lead],
                            None if below is None else basis.ids[below],
                            None if above is None else basis.ids[above]))
    return out


def _linear_interval(u: np.ndarray, w: np.ndarray, c: int, lead: int, ids: list[str]):
    """Roots of ``d_i(t) = a_i + s_i t`` (rival i minus the leader) around the current weight."""
    ends = weights_at(w, c, np.array([0.0, 1.0])) @ u.T  # scores at t = 0 and t = 1, (2, n)
    a = ends[0] - ends[0, lead]
    s = (ends[1] - ends[1, lead]) - a
    with np.errstate(divide="ignore", invalid="ignore"):
        root = np.where(s != 0, -a / s, np.nan)
    low = float(np.max(root[s < -_TIE], initial=0.0))
    high = float(np.min(root[s > _TIE], initial=1.0))
    low, high = max(low, 0.0), min(high, 1.0)
    lead_at = ends[0, lead] + (ends[1, lead] - ends[0, lead]) * np.array([low, high])
    return (low, high, _taker(a + s * low, -s, low > 0, lead_at[0], ids),
            _taker(a + s * high, s, high < 1, lead_at[1], ids))


def _taker(diff: np.ndarray, gain: np.ndarray, crossed: bool, lead_score: float, ids: list[str]) -> int | None:
    """Who leads just past a crossing: of those level with the leader there, the fastest gainer."""
    if not crossed:
        return None
    # Level relative to the leader's own score: other differences can be
    # astronomically large (the weighted product's floored log of zero).
    level = np.abs(diff) <= 1e-7 * max(1.0, abs(float(lead_score)))
    key = np.where(level, gain, -np.inf)
    top = key.max()
    best = np.flatnonzero(key >= top - 1e-9 * max(1.0, abs(top)))
    return int(best[np.argsort(np.array(ids)[best], kind="stable")[0]])


def _bisected_interval(basis: ScoringBasis, c: int, lead: int):
    """The run of grid weights around ``w_c`` led by ``lead``, its ends refined by bisection."""
    wc = float(basis.weights[c])
    grid = np.union1d(np.linspace(0.0, 1.0, _GRID), [wc])
    leaders = rank_positions(basis.scores(weights_at(basis.weights, c, grid)), basis.ids)[:, 0]
    at = int(np.searchsorted(grid, wc))
    other = np.flatnonzero(leaders != lead)
    left, right = other[other < at], other[other > at]
    low = high = None
    below = above = None
    if len(left):
        low, below = _bisect(basis, c, lead, grid[left[-1] + 1], grid[left[-1]])
    if len(right):
        high, above = _bisect(basis, c, lead, grid[right[0] - 1], grid[right[0]])
    return (0.0 if low is None else low), (1.0 if high is None else high), below, above


def _bisect(basis: ScoringBasis, c: int, lead: int, inside: float, outside: float) -> tuple[float, int]:
    taker = -1
    for _ in range(_BISECT_ROUNDS):  # a loop over bisection steps
        mid = 0.5 * (inside + outside)
        top = _leader(basis.scores(weights_at(basis.weights, c, mid)), basis.ids)
        if top == lead:
            inside = mid
        else:
            outside, taker = mid, top
    if taker < 0:
        taker = _leader(basis.scores(weights_at(basis.weights, c, outside)), basis.ids)
    return float(inside), taker


# ---------------------------------------------------------------- portfolio ---


@dataclass(frozen=True)
class PortfolioFlip:
    """The weight interval of one criterion within which the optimal selection stays the same.

    ``low``/``high`` are the farthest weights verified to keep it; beyond
    them (within ``tolerance``) the selection gains ``*_in`` and loses
    ``*_out`` (empty at 0 / 1 when it never changes).
    """

    criterion: str
    weight: float
    low: float
    high: float
    tolerance: float
    below_in: tuple[str, ...]
    below_out: tuple[str, ...]
    above_in: tuple[str, ...]
    above_out: tuple[str, ...]


def _side(task: tuple) -> tuple[float, np.ndarray | None]:
    """Bisect one side of one criterion: (bound kept, selection just beyond or None)."""
    basis, resolver, c, outer, tolerance, base = task
    inner = float(basis.weights[c])

    def selection(t: float) -> np.ndarray:
        return resolver.solve(basis.scores(weights_at(basis.weights, c, t))).selected

    beyond = selection(outer)
    if np.array_equal(beyond, base):
        return outer, None
    while abs(outer - inner) > tolerance:  # one re-solve per halving
        mid = 0.5 * (inner + outer)
        here = selection(mid)
        if np.array_equal(here, base):
            inner = mid
        else:
            outer, beyond = mid, here
    return inner, beyond


def portfolio_flips(basis: ScoringBasis, problem: PortfolioProblem, config: SolverConfig, *,
                    tolerance: float = 0.01, workers: int | None = 1,
                    scheduler: str | None = None) -> list[PortfolioFlip]:
    """For every criterion, the weight interval that keeps the optimal selection (bisection on re-solves).

    Parameters
    ----------
    basis : ScoringBasis
    problem : PortfolioProblem
    config : SolverConfig
    tolerance : float
        Width on the effective-weight scale (0-1) within which each bound is located.
    workers, scheduler
        As :func:`scorer.robustness.parallel.run_map`; one task per criterion and side.
    """
    # One resolver for every task: a worker process builds its model once and
    # re-solves it for each task it receives.
    resolver = Resolver(problem, basis.scores(basis.weights), config)
    base = resolver.solve(basis.scores(basis.weights)).selected
    tasks = [(basis, resolver, c, outer, tolerance, base)
             for c in range(len(basis.criteria)) for outer in (0.0, 1.0)]
    sides = run_map(_side, tasks, workers=workers, scheduler=scheduler, label="portfolio flip points")
    ids = np.array(basis.ids)
    out = []
    for c, cid in enumerate(basis.criteria):  # a loop over criteria only
        (low, sel_low), (high, sel_high) = sides[2 * c], sides[2 * c + 1]
        b_in, b_out = _change(base, sel_low, ids)
        a_in, a_out = _change(base, sel_high, ids)
        out.append(PortfolioFlip(cid, float(basis.weights[c]), low, high, tolerance, b_in, b_out, a_in, a_out))
    return out


def _change(base: np.ndarray, other: np.ndarray | None, ids: np.ndarray) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if other is None:
        return (), ()
    return tuple(ids[other & ~base].tolist()), tuple(ids[base & ~other].tolist())


def flips_table(ranks: list[RankFlip], portfolios: list[PortfolioFlip] | None = None) -> pd.DataFrame:
    """One row per criterion: current weight, top-rank interval and who takes over, then the portfolio interval.

    Change columns read ``+entering -leaving`` (ids space-separated).
    """
    table = pd.DataFrame({
        "criterion": [r.criterion for r in ranks],
        "weight": [r.weight for r in ranks],
        "leader": [r.leader for r in ranks],
        "top_low": [r.low for r in ranks],
        "top_high": [r.high for r in ranks],
        "leader_below": [r.below or "" for r in ranks],
        "leader_above": [r.above or "" for r in ranks],
    })
    if portfolios is not None:
        table["portfolio_low"] = [p.low for p in portfolios]
        table["portfolio_high"] = [p.high for p in portfolios]
        table["change_below"] = [_phrase(p.below_in, p.below_out) for p in portfolios]
        table["change_above"] = [_phrase(p.above_in, p.above_out) for p in portfolios]
    # Every interval end is an effective weight, a fraction of the whole.
    return declare(table, {"criterion": ID, "weight": FRACTION, "leader": ID, "top_low": FRACTION,
                           "top_high": FRACTION, "leader_below": ID, "leader_above": ID,
                           "portfolio_low": FRACTION, "portfolio_high": FRACTION, "change_below": ID,
                           "change_above": ID})


def _phrase(entering: tuple[str, ...], leaving: tuple[str, ...]) -> str:
    # Words rather than +/- signs: a cell starting with + or - is a formula to a spreadsheet.
    parts = ([f"in: {' '.join(entering)}"] if entering else []) + ([f"out: {' '.join(leaving)}"] if leaving else [])
    return "; ".join(parts)
