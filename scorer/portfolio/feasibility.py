"""An independent check of a portfolio against every limit, in plain numpy.

It shares nothing with the model builder (no start options, no rows): it
recomputes each year's spend from the candidates' cost profiles and start
years, so a modelling mistake cannot hide from it.
"""

from __future__ import annotations

import numpy as np

from scorer.portfolio.problem import PortfolioProblem

# Money is compared with a tolerance relative to the size of each limit and of
# the spend against it, and nothing absolute: a limit of 1.5e-9 is broken by a
# spend of 2e-9 as surely as one of 1.5e9 by 2e9. Far above the rounding of
# summing the costs (n x 1.1e-16 relative), far below any real overrun.
RTOL = 1e-9
# A partner's value floor is met to within this share of its size (at least 1e-6 points): the
# solvers meet a row to 1e-7 absolute, and values are 0-100 per candidate, far coarser.
FLOOR_TOL = 1e-6
# A share is a fraction: a chosen one may stray from its range, or a split's sum from 1, by this much.
SHARE_TOL = 1e-9


def yearly_spend(problem: PortfolioProblem, start: np.ndarray) -> np.ndarray:
    """Spend per candidate and horizon year, (n, T); spend outside the horizon is dropped.

    Parameters
    ----------
    problem : PortfolioProblem
    start : array (n,)
        Start year per candidate, -1 when not selected.
    """
    out = np.zeros((problem.n, len(problem.years)))
    y0 = int(problem.years[0])
    for i in np.flatnonzero(start >= 0):
        for k, cost in enumerate(problem.costs[i]):
            t = int(start[i]) + k - y0
            if 0 <= t < len(problem.years):
                out[i, t] = cost
    return out


def violations(problem: PortfolioProblem, start: np.ndarray, shares: np.ndarray | None = None) -> list[str]:
    """Every limit the portfolio breaks, as readable strings (empty: feasible).

    Parameters
    ----------
    problem : PortfolioProblem
    start : array (n,)
        Start year per candidate, -1 when not selected.
    shares : array (n, P), optional
        Each partner's share of each candidate's cost (default: ``problem.shares``);
        a selected candidate's must lie within its ranges and sum to 1.
    """
    start = np.asarray(start)
    sel = start >= 0
    shares = problem.shares if shares is None else np.asarray(shares, dtype=float)
    found = _window_problems(problem, start)
    spend = yearly_spend(problem, start)
    found += _split_problems(problem, sel, shares)
    found += _money_problems(problem, spend, shares)
    found += _partner_share_problems(problem, spend, shares)
    found += _rule_problems(problem, start)
    for dep, req in problem.requires:
        if sel[dep] and not (sel[req] and start[req] + len(problem.costs[req]) - 1 < start[dep]):
            found.append(f"{problem.ids[dep]} requires {problem.ids[req]} to finish before it starts")
    for a, b in problem.excludes:
        if sel[a] and sel[b]:
            found.append(f"{problem.ids[a]} and {problem.ids[b]} exclude each other")
    found += _floor_problems(problem, start)
    return found


def _floor_problems(p: PortfolioProblem, start: np.ndarray) -> list[str]:
    """Each partner floor the portfolio's value (recomputed from the start years) falls short of."""
    found = []
    sel = start >= 0
    delay = np.maximum(start[sel] - p.earliest[sel], 0)
    for floor in p.floors:
        value = float(np.sum(np.asarray(floor.values, dtype=float)[sel] * (1.0 - p.delay_discount) ** delay))
        if value < floor.bound - FLOOR_TOL * max(1.0, abs(floor.bound)):
            found.append(f"{floor.partner}'s value {value:g} is below its floor {floor.bound:g}")
    return found


def _exceeds(amount: float, cap: float) -> bool:
    """Whether a spend breaks a cap by more than :data:`RTOL` of their size.

    Every cost and share is non-negative, so ``amount`` is also the sum of
    the absolute values of the terms that make it up.
    """
    return amount > cap + RTOL * max(abs(cap), abs(amount))


def _window_problems(p: PortfolioProblem, start: np.ndarray) -> list[str]:
    found = []
    for i in np.flatnonzero(start >= 0):
        finish = start[i] + len(p.costs[i]) - 1
        if start[i] < p.years[0] or finish > p.years[-1]:
            found.append(f"{p.ids[i]} runs {start[i]}-{finish}, outside the horizon")
        if p.earliest_given[i] is not None and start[i] < p.earliest_given[i]:
            found.append(f"{p.ids[i]} starts {start[i]}, before its earliest_start {p.earliest_given[i]}")
        if p.latest_given[i] is not None and finish > p.latest_given[i]:
            found.append(f"{p.ids[i]} finishes {finish}, after its latest_finish {p.latest_given[i]}")
    return found


def _split_problems(p: PortfolioProblem, sel: np.ndarray, shares: np.ndarray) -> list[str]:
    """A selected candidate's shares: each within its range, together 1 (to within :data:`SHARE_TOL`)."""
    if shares.shape != p.share_lo.shape:
        return [f"{shares.shape} shares for {p.n} candidates and {len(p.partners)} partners"]
    found = []
    for i in np.flatnonzero(sel):
        for j, name in enumerate(p.partners):
            if not p.share_lo[i, j] - SHARE_TOL <= shares[i, j] <= p.share_hi[i, j] + SHARE_TOL:
                found.append(f"{p.ids[i]}'s {name} share {shares[i, j]:g} is outside "
                             f"[{p.share_lo[i, j]:g}, {p.share_hi[i, j]:g}]")
        if abs(shares[i].sum() - 1.0) > SHARE_TOL:
            found.append(f"{p.ids[i]}'s shares sum to {shares[i].sum():.12g}, not 1")
    return found


def _partner_share_problems(p: PortfolioProblem, spend: np.ndarray, shares: np.ndarray) -> list[str]:
    """rules.partner_share: each partner's part of the portfolio's cost, against the whole."""
    cost = spend.sum(axis=1)
    whole = float(cost.sum())
    part = shares.T @ cost
    found = []
    for j, name in enumerate(p.partners):
        low, high = p.partner_share_min[j], p.partner_share_max[j]
        if np.isfinite(low) and _exceeds(low * whole, part[j]):
            found.append(f"{name} pays {part[j]:g} of the portfolio's {whole:g}, below its minimum share {low:g}")
        if np.isfinite(high) and _exceeds(part[j], high * whole):
            found.append(f"{name} pays {part[j]:g} of the portfolio's {whole:g}, above its maximum share {high:g}")
    return found


def _money_problems(p: PortfolioProblem, spend: np.ndarray, shares: np.ndarray) -> list[str]:
    found = []
    per_year = spend.sum(axis=0)
    for t, year in enumerate(p.years):
        if _exceeds(per_year[t], p.year_cap[t]):
            found.append(f"spend {per_year[t]:g} in {year} exceeds the cap {p.year_cap[t]:g}")
    if _exceeds(per_year.sum(), p.total_cap):
        found.append(f"total spend {per_year.sum():g} exceeds the budget {p.total_cap:g}")
    partner = shares.T @ spend  # (P, T)
    for j, name in enumerate(p.partners):
        for t, year in enumerate(p.years):
            if _exceeds(partner[j, t], p.partner_year_cap[j, t]):
                found.append(f"{name} spend {partner[j, t]:g} in {year} exceeds its cap {p.partner_year_cap[j, t]:g}")
        if _exceeds(partner[j].sum(), p.partner_total[j]):
            found.append(f"{name} total spend {partner[j].sum():g} exceeds its budget {p.partner_total[j]:g}")
    return found


def _rule_problems(p: PortfolioProblem, start: np.ndarray) -> list[str]:
    sel = start >= 0
    found = [f"mandatory {p.ids[i]} is not selected" for i in np.flatnonzero(p.mandatory & ~sel)]
    found += [f"forbidden {p.ids[i]} is selected" for i in np.flatnonzero(p.forbidden & sel)]
    count = int(sel.sum())
    if p.max_projects is not None and count > p.max_projects:
        found.append(f"{count} projects exceed max_projects {p.max_projects}")
    if p.min_projects is not None and count < p.min_projects:
        found.append(f"{count} projects are fewer than min_projects {p.min_projects}")
    for rule in p.category_rules:
        k = int((sel & rule.members).sum())
        if rule.min is not None and k < rule.min:
            found.append(f"{k} {rule.name} projects are fewer than its minimum {rule.min}")
        if rule.max is not None and k > rule.max:
            found.append(f"{k} {rule.name} projects exceed its maximum {rule.max}")
    return found
