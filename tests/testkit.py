"""Build small portfolio problems directly, without files (shared by the optimiser tests)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

import itertools

import pytest
from hypothesis import strategies as st

from scorer.portfolio.problem import CategoryRule, PortfolioProblem
from scorer.errors import InfeasibleError
from scorer.portfolio.feasibility import violations
from scorer.portfolio.solve import optimize, portfolio_value

INF = float("inf")


def make_problem(
    costs: Sequence[Sequence[float]],
    *,
    horizon: tuple[int, int] = (2026, 2030),
    partners: Sequence[str] = ("A",),
    shares: Sequence[Sequence[float]] | None = None,
    earliest: Sequence[int | None] | None = None,
    latest: Sequence[int | None] | None = None,
    total: float | None = None,
    per_year: float | Mapping[int, float] | None = None,
    partner_total: Mapping[str, float] | None = None,
    partner_year: Mapping[str, float | Mapping[int, float]] | None = None,
    mandatory: Sequence[int] = (),
    forbidden: Sequence[int] = (),
    max_projects: int | None = None,
    min_projects: int | None = None,
    categories: Sequence[str | None] | None = None,
    category_rules: Mapping[str, tuple[int | None, int | None]] | None = None,
    requires: Sequence[tuple[int, int]] = (),
    excludes: Sequence[tuple[int, int]] = (),
    delay_discount: float = 0.0,
) -> PortfolioProblem:
    """A problem over candidates c0, c1, ... with the given limits (indices refer to candidates)."""
    n = len(costs)
    years = np.arange(horizon[0], horizon[1] + 1)
    earliest = list(earliest or [None] * n)
    latest = list(latest or [None] * n)
    shares = np.array(shares if shares is not None else [[1.0] + [0.0] * (len(partners) - 1)] * n, dtype=float)
    categories = list(categories or [None] * n)

    def caps(spec):
        if spec is None:
            return np.full(len(years), INF)
        if isinstance(spec, Mapping):
            return np.array([float(spec.get(int(y), INF)) for y in years])
        return np.full(len(years), float(spec))

    return PortfolioProblem(
        ids=tuple(f"c{i}" for i in range(n)),
        names=tuple(f"Candidate {i}" for i in range(n)),
        categories=tuple(categories),
        partners=tuple(partners),
        years=years,
        costs=tuple(np.array(c, dtype=float) for c in costs),
        shares=shares,
        earliest=np.array([max(horizon[0], e or horizon[0]) for e in earliest]),
        latest=np.array([min(horizon[1], x or horizon[1]) for x in latest]),
        earliest_given=tuple(earliest),
        latest_given=tuple(latest),
        total_cap=INF if total is None else float(total),
        year_cap=caps(per_year),
        partner_total=np.array([float((partner_total or {}).get(p, INF)) for p in partners]),
        partner_year_cap=np.array([caps((partner_year or {}).get(p)) for p in partners]).reshape(len(partners), -1),
        mandatory=np.isin(np.arange(n), list(mandatory)),
        forbidden=np.isin(np.arange(n), list(forbidden)),
        max_projects=max_projects,
        min_projects=min_projects,
        category_rules=tuple(
            CategoryRule(name, np.array([c == name for c in categories]), lo, hi)
            for name, (lo, hi) in (category_rules or {}).items()
        ),
        requires=tuple(requires),
        excludes=tuple(tuple(sorted(e)) for e in excludes),
        delay_discount=delay_discount,
    )


INF_OR_NONE = float("inf")


def brute_force(p, values) -> float | None:
    """Best objective by enumerating every (candidate -> left out or start year) assignment.

    Independent of the model: spend comes from the cost profiles and start
    years directly, and every limit is checked by :func:`violations`.
    """
    choices = []
    for i in range(p.n):
        if p.forbidden[i]:
            choices.append([-1])
            continue
        lo = max(int(p.years[0]), p.earliest_given[i] or int(p.years[0]))
        hi = min(int(p.years[-1]), p.latest_given[i] or int(p.years[-1])) - len(p.costs[i]) + 1
        choices.append([-1, *range(lo, hi + 1)])
    best = None
    for combo in itertools.product(*choices):
        start = np.array(combo)
        if not violations(p, start):
            value = portfolio_value(p, values, start)
            best = value if best is None else max(best, value)
    return best


@st.composite
def small_problems(draw):
    """Up to 12 candidates on a 4-year horizon, with few enough start options to enumerate."""
    n = draw(st.integers(1, 12))
    years = 4
    costs, earliest, latest, room = [], [], [], 3000
    for _ in range(n):
        d = draw(st.integers(1, years))
        costs.append(draw(st.lists(st.integers(0, 9), min_size=d, max_size=d)))
        slack = years - d  # extra start years the horizon allows
        width = draw(st.integers(0, slack)) if room >= (slack + 2) * 2 else 0
        room //= width + 2
        e = 2026 + draw(st.integers(0, slack - width))
        earliest.append(e)
        latest.append(e + d - 1 + width)
    cats = [draw(st.sampled_from(["a", "b", None])) for _ in range(n)]
    pairs = [(i, j) for i in range(n) for j in range(n) if i != j]
    requires = draw(st.lists(st.sampled_from(pairs), max_size=2, unique=True)) if pairs else []
    requires = [(a, b) for a, b in requires if a > b]  # acyclic: depend on earlier candidates only
    excludes = draw(st.lists(st.sampled_from(pairs), max_size=2, unique=True)) if pairs else []
    excludes = [e for e in excludes if e not in requires and e[::-1] not in requires]
    share = [draw(st.sampled_from([0.0, 0.5, 1.0])) for _ in range(n)]
    rules = {}
    if "a" in cats:
        rules["a"] = (draw(st.sampled_from([None, 1])), draw(st.sampled_from([None, 1, 2])))
        if rules["a"] == (None, None):
            rules.pop("a")
    mandatory = draw(st.lists(st.integers(0, n - 1), max_size=1))
    forbidden = [i for i in draw(st.lists(st.integers(0, n - 1), max_size=1)) if i not in mandatory]
    problem = make_problem(
        costs, horizon=(2026, 2029), partners=("US", "JP"), shares=[[s, 1 - s] for s in share],
        earliest=earliest, latest=latest,
        total=draw(st.sampled_from([None, 10, 25, 60])),
        per_year=draw(st.sampled_from([None, 6, 12, {2027: 5}])),
        partner_total={"US": draw(st.sampled_from([INF_OR_NONE, 8, 20]))},
        partner_year={"JP": draw(st.sampled_from([3, 6, 100]))},
        mandatory=mandatory, forbidden=forbidden,
        max_projects=draw(st.sampled_from([None, 2, 4])), min_projects=draw(st.sampled_from([None, 1])),
        categories=cats, category_rules=rules, requires=requires, excludes=excludes,
        delay_discount=draw(st.sampled_from([0.0, 0.1])),
    )
    values = np.array(draw(st.lists(st.integers(0, 100), min_size=n, max_size=n)), dtype=float)
    return problem, values


def check_against_brute_force(problem, values) -> None:
    """optimize() proves the brute-force optimum with a portfolio that meets every limit, or says infeasible."""
    best = brute_force(problem, values)
    if best is None:
        with pytest.raises(InfeasibleError, match="^infeasible: "):
            optimize(problem, values)
        return
    sol = optimize(problem, values)
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(best, abs=1e-6)
    assert violations(problem, sol.start) == []
    assert portfolio_value(problem, values, sol.start) == pytest.approx(sol.objective)


def hard_problem(n: int = 120):
    """A strongly correlated three-year knapsack: HiGHS cannot prove it in a fraction of a second."""
    rng = np.random.default_rng(3)
    costs = rng.integers(20, 100, size=(n, 3)).astype(float)
    caps = {2026 + t: costs[:, t].sum() / 2 for t in range(3)}
    problem = make_problem(costs.tolist(), horizon=(2026, 2028), per_year=caps, earliest=[2026] * n,
                           latest=[2028] * n)
    values = costs.sum(axis=1) + rng.uniform(-10, 10, n)
    return problem, 100 * values / values.max()

