"""Build small portfolio problems directly, without files (shared by the optimiser tests)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from scorer.portfolio import CategoryRule, PortfolioProblem

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
