"""The independent check catches every kind of broken limit."""

from __future__ import annotations

import numpy as np

from portfolio_factory import make_problem
from scorer.feasibility import violations, yearly_spend


def starts(*xs):
    return np.array(xs)


def test_yearly_spend_follows_the_cost_profile() -> None:
    p = make_problem([[1, 2, 3]], horizon=(2026, 2030))
    assert yearly_spend(p, starts(2027)).tolist() == [[0, 1, 2, 3, 0]]


def test_a_feasible_portfolio_passes() -> None:
    p = make_problem([[1, 2], [3]], per_year=4, total=10)
    assert violations(p, starts(2026, 2028)) == []


def test_each_limit_is_checked() -> None:
    cases = [
        (make_problem([[5]], per_year=4), starts(2026), "exceeds the cap"),
        (make_problem([[5, 5]], total=8), starts(2026), "exceeds the budget"),
        (make_problem([[5]], partners=("A", "B"), shares=[[0.5, 0.5]], partner_year={"B": 2}), starts(2026),
         "B spend 2.5 in 2026"),
        (make_problem([[5, 5]], partner_total={"A": 9}), starts(2026), "A total spend"),
        (make_problem([[1]], mandatory=[0]), starts(-1), "mandatory c0"),
        (make_problem([[1]], forbidden=[0]), starts(2026), "forbidden c0"),
        (make_problem([[1], [1]], max_projects=1), starts(2026, 2026), "max_projects"),
        (make_problem([[1], [1]], min_projects=2), starts(2026, -1), "min_projects"),
        (make_problem([[1]], categories=["a"], category_rules={"a": (None, 0)}), starts(2026), "maximum"),
        (make_problem([[1]], categories=["a"], category_rules={"a": (1, None)}), starts(-1), "minimum"),
        (make_problem([[1, 1]], earliest=[2027]), starts(2026), "earliest_start"),
        (make_problem([[1, 1]], latest=[2028]), starts(2028), "latest_finish"),
        (make_problem([[1, 1]]), starts(2030), "outside the horizon"),
        (make_problem([[1, 1], [1]], requires=[(1, 0)]), starts(2026, 2027), "requires c0"),
        (make_problem([[1], [1]], excludes=[(0, 1)]), starts(2026, 2027), "exclude each other"),
    ]
    for problem, start, expected in cases:
        found = violations(problem, start)
        assert any(expected in f for f in found), (expected, found)
