"""The greedy start: always feasible when it answers, never above the optimum, and it reads budgets right."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from scorer.portfolio.feasibility import violations
from scorer.mip.linear import satisfies
from scorer.portfolio.model import PortfolioModel
from scorer.portfolio.solve import chosen_starts, portfolio_value
from scorer.mip.warmstart import greedy_start
from testkit import brute_force, make_problem, small_problems


@pytest.mark.slow
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_a_greedy_start_meets_every_limit_and_never_beats_the_optimum(case) -> None:
    problem, values = case
    model = PortfolioModel(problem, values)
    x = greedy_start(model.linear())
    if x is None:
        return
    assert satisfies(model.linear(), x)
    start = chosen_starts(model.options, x.astype(np.int8), problem.n)
    assert violations(problem, start) == []
    best = brute_force(problem, values)
    assert best is not None and portfolio_value(problem, values, start) <= best + 1e-9


def test_value_per_budget_beats_value_alone() -> None:
    # Budget 10: A (value 10, cost 10) alone is worth less than B + C (6 + 6, cost 5 + 5).
    # Counting the one-start-per-project rows as use would rank A first (10/2 > 6/1.5).
    problem = make_problem([[10], [5], [5]], horizon=(2026, 2026), total=10)
    x = greedy_start(PortfolioModel(problem, np.array([10.0, 6.0, 6.0])).linear())
    assert x.tolist() == [0.0, 1.0, 1.0]


def test_ties_go_to_the_lower_column() -> None:
    problem = make_problem([[5], [5]], horizon=(2026, 2026), total=5)
    x = greedy_start(PortfolioModel(problem, np.array([6.0, 6.0])).linear())
    assert x.tolist() == [1.0, 0.0]


def test_minimums_are_met_first_even_by_worthless_projects() -> None:
    # Nothing has value, so only the minimum of one project makes greed take anything.
    problem = make_problem([[1], [1]], horizon=(2026, 2026), min_projects=1)
    assert greedy_start(PortfolioModel(problem, np.zeros(2)).linear()).tolist() == [1.0, 0.0]


def test_a_mandatory_project_goes_in_before_better_ones_spend_the_budget() -> None:
    # By value per cost, c1 and c2 (6 per 5) would fill the budget of 10 before c0 (1 per 6).
    problem = make_problem([[6], [5], [4]], horizon=(2026, 2026), total=10, mandatory=[0])
    x = greedy_start(PortfolioModel(problem, np.array([1.0, 6.0, 6.0])).linear())
    assert x.tolist() == [1.0, 0.0, 1.0]


def test_no_start_when_a_minimum_cannot_be_met() -> None:
    problem = make_problem([[6], [5]], horizon=(2026, 2026), total=5, mandatory=[0])
    assert greedy_start(PortfolioModel(problem, np.array([1.0, 6.0])).linear()) is None


def test_options_fixed_off_are_not_taken_to_meet_a_minimum() -> None:
    problem = make_problem([[1], [1]], horizon=(2026, 2026), min_projects=1)
    model = PortfolioModel(problem, np.zeros(2))
    model.fix(off=[0])
    assert greedy_start(model.linear()).tolist() == [0.0, 1.0]


def test_options_fixed_on_stay_on_and_fixed_off_stay_off() -> None:
    problem = make_problem([[4], [5], [5]], horizon=(2026, 2026), total=10)
    model = PortfolioModel(problem, np.array([1.0, 9.0, 9.0]))
    model.fix(on=[0], off=[1])
    x = greedy_start(model.linear())
    assert x.tolist() == [1.0, 0.0, 1.0]
    assert satisfies(model.linear(), x)


def test_minimising_or_continuous_models_get_no_start() -> None:
    from dataclasses import replace

    linear = PortfolioModel(make_problem([[1]]), np.array([1.0])).linear()
    assert greedy_start(replace(linear, maximize=False)) is None
    assert greedy_start(replace(linear, integer=np.zeros(linear.num_col, dtype=bool))) is None
    assert greedy_start(linear).tolist() == [1.0, 0.0, 0.0, 0.0, 0.0]  # the earliest of five starts


def test_no_start_when_options_fixed_on_already_break_a_budget() -> None:
    problem = make_problem([[5], [5]], horizon=(2026, 2026), total=5)
    model = PortfolioModel(problem, np.array([1.0, 1.0]))
    model.fix(on=[0, 1])
    assert greedy_start(model.linear()) is None
