"""The independent check catches every kind of broken limit."""

from __future__ import annotations

import numpy as np
import pytest

from scorer.portfolio.feasibility import violations, yearly_spend
from testkit import make_problem


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


@pytest.mark.parametrize("cost", [1e-9, 1e-7, 1.0, 1e9])
def test_money_tolerance_is_relative_to_each_limit(cost: float) -> None:
    # Two costs against a budget of 1.5 of them: 33 % over at any size. An absolute floor
    # (1e-6 x max(1, cap)) let the 1e-9 and 1e-7 cases through.
    both = starts(2026, 2026)
    cases = [(make_problem([[cost], [cost]], total=1.5 * cost), "exceeds the budget"),
             (make_problem([[cost], [cost]], per_year=1.5 * cost), "exceeds the cap"),
             (make_problem([[cost], [cost]], partner_total={"A": 1.5 * cost}), "A total spend"),
             (make_problem([[cost], [cost]], partner_year={"A": 1.5 * cost}), "A spend")]
    for problem, expected in cases:
        assert any(expected in f for f in violations(problem, both)), (cost, expected)
        assert violations(problem, starts(2026, -1)) == []


def test_a_zero_cap_is_broken_by_any_spend() -> None:
    assert violations(make_problem([[1e-300]], total=0.0), starts(2026)) != []


@pytest.mark.parametrize("costs, cap", [([0.1, 0.2], 0.3), ([1e-9 / 3] * 3, 1e-9), ([1e12 / 7] * 7, 1e12)])
def test_rounding_of_the_sum_is_not_a_violation(costs: list[float], cap: float) -> None:
    # 0.1 + 0.2 is 0.30000000000000004 > 0.3: rounding, not an overrun.
    p = make_problem([[c] for c in costs], total=cap, per_year=cap)
    assert violations(p, starts(*[2026] * len(costs))) == []
