"""Efficient frontier: monotone values, levels, year sweeps, order of buy."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.errors import ScoringError
from scorer.robustness.frontier import buy_order, frontier, frontier_table, sweep_levels
from scorer.mip.config import SolverConfig
from scorer.portfolio.solve import optimize
from testkit import make_problem

CONFIG = SolverConfig(time_limit=10)


@pytest.mark.slow
@settings(max_examples=15, deadline=None)
@given(st.integers(2, 6), st.integers(0, 2**32 - 1))
def test_frontier_value_never_decreases_as_the_budget_grows(n, seed) -> None:
    rng = np.random.default_rng(seed)
    costs = [rng.integers(1, 10, rng.integers(1, 3)).astype(float) for _ in range(n)]
    problem = make_problem(costs, horizon=(2026, 2028), per_year=rng.integers(5, 15),
                           delay_discount=0.05)
    values = rng.random(n) * 100
    result = frontier(problem, values, CONFIG, sweep_levels(problem, None, None, 6))
    ok = np.isfinite(result.objective)
    assert ok[-1]  # at the top level everything is affordable in total
    assert (np.diff(result.objective[ok]) >= -1e-9).all()
    # and each level is the optimum found by a plain solve
    for level, obj in zip(result.levels[ok], result.objective[ok]):
        assert obj == pytest.approx(optimize(replace(problem, total_cap=level), values, CONFIG).objective)


def test_a_knapsack_frontier_by_hand() -> None:
    # Costs 2, 3, 4 with values 30, 40, 60 in one year. Budget 0: nothing (0);
    # 3: best of {a}=30, {b}=40 -> 40; 6: {a,c}=90 beats {b,c} (cost 7); 9: all, 130.
    problem = make_problem([[2.0], [3.0], [4.0]], horizon=(2026, 2026))
    result = frontier(problem, np.array([30.0, 40.0, 60.0]), CONFIG, np.array([0.0, 3.0, 6.0, 9.0]))
    assert result.objective.tolist() == [0.0, 40.0, 90.0, 130.0]
    table = frontier_table(result)
    assert table["portfolio"].tolist() == ["", "c1", "c0 c2", "c0 c1 c2"]
    assert table["added"].tolist() == ["", "c1", "c0 c2", "c1"]
    assert table["dropped"].tolist() == ["", "", "c1", ""]
    order = buy_order(result)
    # c1 enters first (level 3) but leaves at 6: the portfolios are not nested.
    assert order[["id", "enters_at", "stays_in"]].values.tolist() == [
        ["c1", 3.0, False], ["c0", 6.0, True], ["c2", 6.0, True]]


def test_infeasible_levels_are_reported_not_fatal() -> None:
    problem = make_problem([[5.0], [1.0]], horizon=(2026, 2026), mandatory=[0])
    result = frontier(problem, np.array([10.0, 1.0]), CONFIG, np.array([0.0, 4.0, 6.0]))
    assert result.status == ["infeasible", "infeasible", "optimal"]
    assert np.isnan(result.objective[:2]).all() and result.objective[2] == 11.0
    assert np.isnan(result.spend[0]) and result.spend[2] == 6.0


def test_sweeping_one_years_cap() -> None:
    # Two one-year projects that can only run in 2027; the 2027 cap decides.
    problem = make_problem([[2.0], [3.0]], horizon=(2026, 2027), earliest=[2027, 2027])
    result = frontier(problem, np.array([10.0, 20.0]), CONFIG, np.array([0.0, 2.0, 3.0, 5.0]), year=2027)
    assert result.limit == "year 2027"
    assert result.objective.tolist() == [0.0, 10.0, 20.0, 30.0]


def test_default_levels_and_bad_ranges() -> None:
    problem = make_problem([[2.0, 1.0], [3.0]], horizon=(2026, 2027))
    assert sweep_levels(problem, None, None, 3).tolist() == [0.0, 3.0, 6.0]
    # a year: the sum of each candidate's largest yearly cost, 2 + 3
    assert sweep_levels(problem, None, None, 3, year=2026).tolist() == [0.0, 2.5, 5.0]
    with pytest.raises(ScoringError, match="^the sweep needs 0 <= start < stop, got 5 to 1$"):
        sweep_levels(problem, 5.0, 1.0, 3)
    with pytest.raises(ScoringError, match="^steps must be at least 2, got 1$") as steps:
        sweep_levels(problem, None, None, 1)
    assert steps.value.settings == ("steps",)
    with pytest.raises(ScoringError, match="^the swept year 2030 is outside the horizon 2026-2027$") as year:
        sweep_levels(problem, None, None, 3, year=2030)
    assert year.value.settings == ("year",)
