"""Why in, why out: binding limits, marginal values and value thresholds.

All by re-solving the same model (bounds, right-hand sides or fixed options
changed and restored), never by LP duals of a relaxation: in an integer
program a dual price says little about what one more unit buys.

The value threshold of candidate i is exact, not bisected. With ``Z_out`` the
best objective without i and ``R_s`` the best objective of the others when i
starts in year s (discount factor ``w_s``), i is in the optimum exactly when
its value V satisfies ``max_s(R_s + V w_s) > Z_out``, i.e. V above
``min_s (Z_out - R_s) / w_s``: one solve per start option plus one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scorer.columns import FLAG, ID, NUMBER, POINTS, declare
from scorer.limits import SizeLimitError
from scorer.mip.config import SolverConfig
from scorer.portfolio.model import PortfolioModel
from scorer.portfolio.problem import Row
from scorer.portfolio.solve import Solution, chosen_starts

# Limits whose activity is reported as "binding"; rules like requires are logic, not budgets.
BINDING_KINDS = ("year_cap", "partner_year_cap", "total_budget", "partner_budget", "max_projects",
                 "min_projects", "category_min", "category_max")
TOL = 1e-6


@dataclass(frozen=True)
class LimitUse:
    """How much of a budget or counting rule the portfolio uses, and what more of it is worth.

    A limit is *binding* when it is at its bound or when removing it would
    raise the objective (in an integer program a limit can hold the answer
    back with slack left: the next project simply does not fit).
    """

    key: str
    kind: str
    field: str
    bound: float
    used: float
    slack: float
    tight: bool
    gain_removed: float | None  # objective gain without this limit (None: not computed)
    gain_unit: float | None  # objective gain from one more unit (one money unit, one project)

    @property
    def binding(self) -> bool:
        return self.tight or (self.gain_removed is not None and self.gain_removed > 1e-9)


def _activity(row: Row, x: np.ndarray) -> float:
    return float(np.dot(row.coef, x[row.idx]))


def limit_use(solution: Solution, config: SolverConfig | None = None) -> list[LimitUse]:
    """Use and slack of every budget and counting rule; with ``config``, their worth.

    Parameters
    ----------
    solution : Solution
        An optimised portfolio (it carries its model).
    config : SolverConfig, optional
        If given, each limit is removed and the model re-solved (gain without
        it), and each one whose removal gains is relaxed by one unit (one money
        unit, one project) and re-solved (marginal value).
    """
    model = solution.model
    if config is not None:
        check_explainable(solution, config)
    x = model.column_values(solution.start, solution.shares)  # share columns too: partner rows use them
    out = []
    for lim in model.limits:
        if lim.kind not in BINDING_KINDS:
            continue
        row = lim.rows[0]
        used = _activity(row, x)
        slack = row.rhs - used if row.sense == "<=" else used - row.rhs
        tight = abs(slack) <= TOL * max(1.0, abs(row.rhs))
        removed = unit = None
        if config is not None:
            loose = float(np.abs(row.coef).sum()) + 1.0 if row.sense == "<=" else 0.0
            removed = _gain(model, row, loose, solution.objective, config)
            if tight or (removed is not None and removed > 1e-9):
                unit = _gain(model, row, row.rhs + (1.0 if row.sense == "<=" else -1.0), solution.objective, config)
        out.append(LimitUse(lim.name, lim.kind, lim.field, lim.bound, used, slack, tight, removed, unit))
    return out


def binding_limits(solution: Solution, config: SolverConfig | None = None) -> list[LimitUse]:
    """The limits that hold the portfolio back (see :class:`LimitUse`)."""
    return [use for use in limit_use(solution, config) if use.binding]


def _option_vector(model: PortfolioModel, start: np.ndarray) -> np.ndarray:
    o = model.options
    return ((start[o.cand] == o.start) & (start[o.cand] >= 0)).astype(float)


def _gain(model: PortfolioModel, row: Row, rhs: float, objective: float, config: SolverConfig) -> float | None:
    """Objective change when one row's right-hand side is moved (restored afterwards)."""
    with model.changes():
        model.set_rhs(row.name, rhs)
        outcome = model.solve(config)
    if outcome.status == "infeasible":
        return None
    return round(outcome.objective - objective, 9) + 0.0


def limits_table(uses: list[LimitUse]) -> pd.DataFrame:
    """Limit use as a table: limit, field, bound, used, slack, binding, gain_removed, gain_unit.

    A bound is money, a number of projects or a share, by limit, so those columns are plain numbers.
    """
    table = pd.DataFrame({
        "limit": [u.key for u in uses],
        "field": [u.field for u in uses],
        "bound": [float(u.bound) for u in uses],
        "used": [round(u.used, 9) for u in uses],
        "slack": [round(u.slack, 9) + 0.0 for u in uses],
        "binding": np.array([u.binding for u in uses], dtype=bool),  # a mask even with no limits
        "gain_removed": [u.gain_removed for u in uses],
        "gain_unit": [u.gain_unit for u in uses],
    })
    return declare(table, {"limit": ID, "field": ID, "bound": NUMBER, "used": NUMBER, "slack": NUMBER,
                           "binding": FLAG, "gain_removed": POINTS, "gain_unit": POINTS})


@dataclass(frozen=True)
class Threshold:
    """The value at which a candidate enters or leaves the optimal portfolio."""

    id: str
    selected: bool
    value: float
    threshold: float | None  # None: it can never enter (or never leave)
    margin: float | None  # out: increase needed to enter; in: how far its value can fall
    displaces: tuple[str, ...]  # out: what it would push out of today's portfolio
    note: str
    exact: bool


def value_thresholds(solution: Solution, config: SolverConfig) -> list[Threshold]:
    """For each candidate, the value at which it would enter (or leave) the portfolio.

    Parameters
    ----------
    solution : Solution
    config : SolverConfig
        Used for the re-solves (about one per start option).
    """
    check_explainable(solution, config)
    return [_threshold(solution, i, config) for i in range(solution.problem.n)]


def check_explainable(solution: Solution, config: SolverConfig) -> None:
    """Refuse to explain a model too large to re-solve once per candidate.

    Models solved in a child process (see :meth:`SolverConfig.isolates`)
    take seconds to minutes per solve; at one re-solve per candidate and two
    per limit an explanation would run for hours or days.
    """
    k, n, limits = solution.model.options.k, solution.problem.n, len(solution.model.limits)
    if config.isolates(k):
        raise SizeLimitError(
            f"explaining the portfolio re-solves the model about once per candidate and twice per limit "
            f"({n:,} candidate{'s' * (n != 1)} and {limits:,} limit{'s' * (limits != 1)} here), and a model "
            f"with {k:,} start options takes seconds to minutes per solve; explanations are limited to "
            f"models under {config.isolate_from:,} start options (leave out the explanation)",
            settings=("explain",))


def _threshold(sol: Solution, i: int, config: SolverConfig) -> Threshold:
    p, model = sol.problem, sol.model
    sl = model.options.of(i)
    mine = list(range(sl.start, sl.stop))
    cid, value, sel = p.ids[i], float(sol.values[i]), bool(sol.start[i] >= 0)
    exact = sol.status == "optimal"
    if p.mandatory[i]:
        return Threshold(cid, sel, value, None, None, (), "mandatory: in at any value", exact)
    if not mine:
        return Threshold(cid, sel, value, None, None, (), "forbidden or no allowed start", True)
    if sel:
        with model.changes():
            model.force(i, chosen=False)
            out = model.solve(config)
        if out.status == "infeasible":
            return Threshold(cid, sel, value, None, None, (), "needed: no portfolio fits without it", exact)
        z_out, exact = out.objective, exact and out.status == "optimal"
        x_in = _option_vector(model, sol.start)
        f_in, w = sol.objective, _weight_at(model, x_in, mine)
    else:
        z_out = sol.objective
        got = _forced_in(model, i, value, config)
        if got is None:
            return Threshold(cid, sel, value, None, None, (), "cannot enter: no start fits the other limits", exact)
        f_in, x_in, exact = got.objective, got.x, exact and got.status == "optimal"
        w = _weight_at(model, x_in, mine)
    threshold, x_in, ok = _newton(model, i, value, f_in, w, x_in, z_out, config)
    return _phrase(sol, i, threshold, x_in, exact and ok)


def _weight_at(model: PortfolioModel, x: np.ndarray, mine: list[int]) -> float:
    """The discount factor of candidate i's chosen start in option vector ``x``."""
    j = mine[int(np.argmax(np.asarray(x)[mine]))]
    return float(model.options.weight[j])


def _forced_in(model: PortfolioModel, i: int, value: float, config: SolverConfig):
    """Best outcome with candidate i selected (any start) at the given value, or None."""
    values = model.values.copy()
    values[i] = value
    with model.changes():
        model.set_values(values)
        model.force(i)
        got = model.solve(config)
    return None if got.status == "infeasible" else got


def _newton(model, i, value, f_v, w, x_v, z_out, config, rounds: int = 20):
    """Solve f(V) = z_out for the convex, increasing best-with-i objective f.

    f(V) = max_s (R_s + V w_s) is piecewise linear and convex, so each tangent
    step lands at or right of the root and the steps fall monotonically onto
    it, one start option's piece at a time (few re-solves).
    """
    v = value + (z_out - f_v) / w  # at or right of the root
    for _ in range(rounds):
        got = _forced_in(model, i, v, config)
        if got is None:
            return v, x_v, False
        x_v = got.x
        excess = got.objective - z_out
        if excess <= 1e-7 * max(1.0, abs(z_out)):
            return v, x_v, got.status == "optimal"
        v -= excess / _weight_at(model, got.x, list(range(*_span(model, i))))
    return v, x_v, False


def _span(model: PortfolioModel, i: int) -> tuple[int, int]:
    sl = model.options.of(i)
    return sl.start, sl.stop


def _phrase(sol: Solution, i: int, best: float, best_x: np.ndarray, exact: bool) -> Threshold:
    p, cid, value = sol.problem, sol.problem.ids[i], float(sol.values[i])
    sel = bool(sol.start[i] >= 0)
    best = round(best, 9) + 0.0  # no "-0.00"
    if sel:
        if best <= 0:  # values live on 0-100: a threshold below 0 means it never leaves
            return Threshold(cid, True, value, 0.0, round(value, 9), (), "stays in even at value 0", exact)
        note = f"leaves if its value falls below {best:.2f}"
        return Threshold(cid, True, value, best, round(value - best, 9), (), note, exact)
    forced = chosen_starts(sol.model.options, best_x, p.n)
    gone = tuple(p.ids[k] for k in np.flatnonzero((sol.start >= 0) & (forced < 0)))
    note = f"enters if its value exceeds {best:.2f}" + (f", displacing {', '.join(gone)}" if gone else "")
    return Threshold(cid, False, value, best, round(max(best - value, 0.0), 9), gone, note, exact)


def thresholds_table(items: list[Threshold]) -> pd.DataFrame:
    """The thresholds as a table: id, selected, value, threshold, margin, displaces, note."""
    table = pd.DataFrame({
        "id": [t.id for t in items],
        "selected": [t.selected for t in items],
        "value": [t.value for t in items],
        "threshold": [t.threshold for t in items],
        "margin": [t.margin for t in items],
        "displaces": [" ".join(t.displaces) for t in items],
        "note": [t.note for t in items],
    })
    return declare(table, {"id": ID, "selected": FLAG, "value": POINTS, "threshold": POINTS, "margin": POINTS,
                           "displaces": ID, "note": ID})
