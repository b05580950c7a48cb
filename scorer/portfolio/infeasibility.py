"""Why no portfolio fits, in the user's terms, and the cheapest ways out.

Two steps, both on the *analysis model* (windows and the forbidden list
become limits too, see :func:`scorer.portfolio.problem.start_options`):

1. A deletion filter over the named limits finds a minimal conflicting set:
   drop each limit in turn and keep it out if the rest is still infeasible.
2. For each limit of that set, an elastic model lets only that limit be
   violated, at a cost, and minimises the violation: the amount is the
   smallest change of that one limit that makes room ("raise the 2028 cap
   by 250"). If no single limit can be relaxed alone, one elastic model over
   every limit gives the cheapest combined relaxation.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from scorer.errors import one_line
from scorer.mip.config import SolverConfig
from scorer.portfolio.model import PortfolioModel, violation_cost
from scorer.portfolio.limit_keys import LimitKey
from scorer.portfolio.problem import Limit, PortfolioProblem

MONEY_WHERE = {
    "year_cap": ("in {year}", "the {year} cap"),
    "partner_year_cap": ("from {partner} in {year}", "{partner}'s {year} cap"),
    "total_budget": ("in total", "the total budget"),
    "partner_budget": ("from {partner} in total", "{partner}'s total budget"),
}


def explain_infeasibility(problem: PortfolioProblem, config: SolverConfig) -> str:
    """A few lines for an infeasible problem; the first starts ``infeasible:``.

    Parameters
    ----------
    problem : PortfolioProblem
        A problem whose model has no solution.
    config : SolverConfig
        Solver and time limit for the analysis solves.
    """
    config = replace(config, gap=0.0)
    zero = np.zeros(problem.n)
    limits = {lim.key: lim for lim in PortfolioModel(problem, zero, widen=True).limits}
    conflict = minimal_conflict(problem, list(limits), config)
    if not conflict:
        return "infeasible: no portfolio fits, but no single limit is to blame (the solver may have run out of time)"
    fixes = [(k, a[k]) for k in conflict if (a := relaxation(problem, {k}, config)) is not None]
    joined = ", or "
    if not fixes:
        combined = relaxation(problem, set(limits), config) or {}
        fixes = [(k, a) for k, a in combined.items() if a > 1e-9]
        joined = " and "
    fixes.sort(key=lambda ka: (violation_cost(limits[ka[0]]) * ka[1], limits[ka[0]].name))
    # The headline's "need" counts the conflicting limits only, not every other limit.
    others = set(limits) - set(conflict)
    need = {k: a[k] for k in conflict if limits[k].kind in MONEY_WHERE
            and (a := relaxation(problem, {k}, config, dropped=others)) is not None}
    head = _headline([limits[k] for k in conflict], need)
    remedy = joined.join(fix_text(limits[k], a) + _share(a, need.get(k)) for k, a in fixes)
    fields = "; ".join(_field_text(limits[k]) for k in conflict)
    # Two lines of its own; a limit's key from the inputs cannot make a third (or drive the terminal).
    return f"infeasible: {one_line(head)} — {one_line(remedy)}\nconflicting limits: {one_line(fields)}"


def _feasible(problem: PortfolioProblem, dropped: set[LimitKey], config: SolverConfig) -> bool:
    model = PortfolioModel(problem, np.zeros(problem.n), widen=True, dropped=dropped)
    return model.solve(config).status != "infeasible"


def minimal_conflict(problem: PortfolioProblem, keys: list[LimitKey], config: SolverConfig) -> list[LimitKey]:
    """A minimal set of limit keys that cannot hold together (deletion filter).

    Every limit outside the returned set may be removed and the rest is still
    infeasible; removing any one limit of the set makes it feasible.
    Returns an empty list if the problem is feasible without any named limit.
    """
    if _feasible(problem, set(), config):
        return []  # the analysis model is feasible: nothing named conflicts
    kept = list(keys)
    for key in keys:
        trial = [k for k in kept if k != key]
        if _infeasible_with(problem, set(trial), set(keys), config):
            kept = trial
    return kept


def _infeasible_with(problem: PortfolioProblem, active: set[LimitKey], every: set[LimitKey],
                     config: SolverConfig) -> bool:
    return not _feasible(problem, every - active, config)


def relaxation(problem: PortfolioProblem, elastic: set[LimitKey], config: SolverConfig,
               dropped: set[LimitKey] = frozenset()) -> dict[LimitKey, float] | None:
    """The cheapest violation of the ``elastic`` limits that makes room, or None if none does.

    Limits in ``dropped`` are left out; every other limit holds.
    """
    model = PortfolioModel(problem, np.zeros(problem.n), widen=True, elastic=elastic, dropped=dropped)
    outcome = model.solve(config)
    if outcome.status == "infeasible":
        return None
    return {k: round(float(v.varValue or 0.0), 6) for k, v in model.violation.items()}


# ----------------------------------------------------------------- phrasing ---


def fmt_amount(x: float) -> str:
    """1,450 or 12.5: thousands separators, at most two decimals."""
    text = f"{x:,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _plural(k: float, word: str) -> str:
    k = int(round(k))
    return f"{k} {word}" + ("" if k == 1 else "s")


def describe(lim: Limit) -> str:
    """A limit as a short phrase: "the 2028 cap (1,200)", "mandatory gpi"."""
    b = fmt_amount(lim.bound)
    if lim.kind in MONEY_WHERE:
        return MONEY_WHERE[lim.kind][1].format(year=lim.year, partner=lim.partner) + f" ({b})"
    if lim.unit == "share":
        return _share_phrases(lim, 0.0)[0]
    return {
        "mandatory": f"mandatory {lim.candidate}",
        "forbidden": f"forbidden {lim.candidate}",
        "max_projects": f"max_projects {b}",
        "min_projects": f"min_projects {b}",
        "category_min": f"at least {_plural(lim.bound, f'{lim.category} project')}",
        "category_max": f"at most {_plural(lim.bound, f'{lim.category} project')}",
        "earliest": f"{lim.candidate}'s earliest_start {b.replace(',', '')}",
        "latest": f"{lim.candidate}'s latest_finish {b.replace(',', '')}",
        "requires": f"{lim.candidate} requiring {lim.other} first",
        "excludes": f"{lim.candidate} and {lim.other} excluding each other" if lim.mutual
        else f"{lim.candidate} excluding {lim.other}",
        "partner_floor": f"{lim.partner}'s value floor ({b})",
    }[lim.kind]


def _share(amount: float, own: float | None) -> str:
    """Why a money fix is larger than the headline's shortfall: the other limits in force use the rest."""
    if own is None or amount - own <= 1e-6 * max(1.0, amount):
        return ""
    return f" ({fmt_amount(own)} for these limits, {fmt_amount(amount - own)} for the others in force)"


def fix_text(lim: Limit, amount: float) -> str:
    """The change of one limit by ``amount`` in the user's units."""
    a = fmt_amount(amount)
    year = str(int(lim.bound)) if lim.unit == "years" else ""
    if lim.kind in MONEY_WHERE:
        return "raise " + MONEY_WHERE[lim.kind][1].format(year=lim.year, partner=lim.partner) + f" by {a}"
    if lim.unit == "share":
        return _share_phrases(lim, amount)[1]
    return {
        "mandatory": f"drop {lim.candidate} from mandatory",
        "forbidden": f"allow {lim.candidate} (drop it from forbidden)",
        "max_projects": f"raise max_projects by {a}",
        "min_projects": f"lower min_projects by {a}",
        "category_min": f"lower the {lim.category} minimum by {a}",
        "category_max": f"raise the {lim.category} maximum by {a}",
        "earliest": f"let {lim.candidate} start {_plural(amount, 'year')} before its earliest_start {year}",
        "latest": f"let {lim.candidate} finish {_plural(amount, 'year')} after its latest_finish {year}",
        "requires": f"drop {lim.other} from {lim.candidate}'s requires",
        "excludes": f"drop {lim.other} from {lim.candidate}'s excludes"
        + (f" and {lim.candidate} from {lim.other}'s" if lim.mutual else ""),
        "partner_floor": f"lower {lim.partner}'s value floor by {a}",
    }[lim.kind]


def _share_phrases(lim: Limit, amount: float) -> tuple[str, str]:
    """(what the limit says, how to relax it by ``amount``) for share ranges and partner-share rules.

    A range's violation is in share units; a partner-share rule's in money
    (its row is the partner's cost less the share of the portfolio's).
    """
    b, who, side = fmt_share(lim.bound), lim.partner, lim.kind.rsplit("_", 1)[1]
    if lim.kind in ("share_min", "share_max"):
        least = "at least" if side == "min" else "at most"
        wider = fmt_share(min(max(lim.bound + (amount if side == "max" else -amount), 0.0), 1.0))
        return (f"{lim.candidate}'s {who} share of {least} {b}",
                f"widen {lim.candidate}'s {who} share to {wider}")
    least = "at least" if side == "min" else "at most"
    change = "less" if side == "min" else "more"
    return (f"{who}'s share of the portfolio's cost of {least} {b}",
            f"let {who} pay {fmt_amount(amount)} {change} than its {side}imum share {b} of the portfolio's cost")


def fmt_share(x: float) -> str:
    """A share as a fraction with up to four significant digits: 0.45, 0.3333."""
    return f"{x:.4g}"


def _headline(conflict: list[Limit], amounts: dict[LimitKey, float]) -> str:
    """"mandatory gpi and cca need 1,450 in 2028 but the 2028 cap is 1,200", or a plain list."""
    money = [lim for lim in conflict if lim.kind in MONEY_WHERE and lim.key in amounts]
    if money:
        cap = money[0]
        others = _join_phrases([lim for lim in conflict if lim is not cap]) or "the portfolio"
        where, what = (s.format(year=cap.year, partner=cap.partner) for s in MONEY_WHERE[cap.kind])
        rest = [lim for lim in conflict if lim is not cap]
        # "mandatory a and b" are two limits; "at least 2 x projects" is one limit but plural
        plural = len(rest) > 1 or any(lim.kind in ("category_min", "min_projects") and lim.bound != 1 for lim in rest)
        verb = "need" if plural else "needs"
        return f"{others} {verb} {fmt_amount(cap.bound + amounts[cap.key])} {where} but {what} is {fmt_amount(cap.bound)}"
    return f"{_join_phrases(conflict)} cannot all hold"


def _join_phrases(limits: list[Limit]) -> str:
    mandatory = [lim.candidate for lim in limits if lim.kind == "mandatory"]
    phrases = [f"mandatory {_join(mandatory)}"] if mandatory else []
    phrases += [describe(lim) for lim in limits if lim.kind != "mandatory"]
    if len(phrases) > 1 and any(" and " in ph for ph in phrases):
        return ", ".join(phrases[:-1]) + ", and " + phrases[-1]  # keep "mandatory a and b" together
    return _join(phrases)


def _join(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _field_text(lim: Limit) -> str:
    if lim.unit == "rule":
        arrow = " <-> " if lim.mutual else " -> "
        return f"{lim.field}: {lim.candidate}" + (f"{arrow}{lim.other}" if lim.other else "")
    bound = str(int(lim.bound)) if lim.unit == "years" else fmt_share(lim.bound) if lim.unit == "share" \
        else fmt_amount(lim.bound)
    return f"{lim.field} = {bound}"
