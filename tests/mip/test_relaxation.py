"""The quick budget bound: never below the optimum, exact on a textbook fractional knapsack."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from scorer.portfolio.model import PortfolioModel
from scorer.mip.relaxation import budget_bound
from testkit import brute_force, make_problem, small_problems


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_the_bound_is_never_below_the_best_portfolio(case) -> None:
    problem, values = case
    best = brute_force(problem, values)
    if best is not None:
        assert budget_bound(PortfolioModel(problem, values).linear()) >= best - 1e-9


def test_fractional_knapsack_by_hand() -> None:
    # Budget 12; value/cost 10/10, 6/5, 6/5: both 1.2s whole (cost 10), then 2/10 of the first: 12 + 2 = 14.
    problem = make_problem([[10], [5], [5]], horizon=(2026, 2026), total=12)
    assert budget_bound(PortfolioModel(problem, np.array([10.0, 6.0, 6.0])).linear()) == pytest.approx(14.0)


def test_the_tightest_row_wins() -> None:
    # The total (12) allows 14 as above; the partner cap of 5 on the same costs allows 6 only.
    problem = make_problem([[10], [5], [5]], horizon=(2026, 2026), total=12, partner_total={"A": 5})
    assert budget_bound(PortfolioModel(problem, np.array([10.0, 6.0, 6.0])).linear()) == pytest.approx(6.0)


def test_each_project_counts_once_whatever_its_start_options() -> None:
    # One project with three possible start years and no budget: the bound is its value, not three times it.
    problem = make_problem([[1]], horizon=(2026, 2028))
    assert budget_bound(PortfolioModel(problem, np.array([7.0])).linear()) == pytest.approx(7.0)


def test_options_fixed_off_do_not_count() -> None:
    problem = make_problem([[10], [5], [5]], horizon=(2026, 2026), total=12)
    model = PortfolioModel(problem, np.array([10.0, 6.0, 6.0]))
    model.fix(off=[1, 2])
    assert budget_bound(model.linear()) == pytest.approx(10.0)


def test_no_bound_for_a_minimising_or_non_binary_model() -> None:
    linear = PortfolioModel(make_problem([[1]]), np.array([1.0])).linear()
    assert budget_bound(replace(linear, maximize=False)) == np.inf
    assert budget_bound(replace(linear, col_upper=linear.col_upper * 2)) == np.inf
    assert budget_bound(replace(linear, integer=~linear.integer)) == np.inf
