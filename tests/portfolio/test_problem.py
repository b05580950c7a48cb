"""Start options, spend matrix and named limits built from a scenario."""

from __future__ import annotations

import numpy as np
import pytest

from portfolio_factory import make_problem
from scorer.defaults import default_scenario
from scorer.errors import ScoringError
from scorer.inputs.loading import load_scenario
from scorer.portfolio.problem import named_limits, problem_from_inputs, start_options


def test_options_respect_windows_and_horizon() -> None:
    p = make_problem([[1, 2], [3], [4]], horizon=(2026, 2029), earliest=[2027, None, None], latest=[None, 2027, None],
                     forbidden=[2])
    o = start_options(p)
    assert list(zip(o.cand.tolist(), o.start.tolist())) == [(0, 2027), (0, 2028), (1, 2026), (1, 2027)]
    assert o.spend[0].tolist() == [0, 1, 2, 0] and o.spend[1].tolist() == [0, 0, 1, 2]


def test_widened_options_count_window_violations() -> None:
    p = make_problem([[1, 2]], horizon=(2026, 2029), earliest=[2027], latest=[2028])
    o = start_options(p, widen=True)
    assert o.start.tolist() == [2026, 2027, 2028]
    assert o.early.tolist() == [1, 0, 0] and o.late.tolist() == [0, 0, 1]
    kinds = {lim.kind for lim in named_limits(p, o, widened=True)}
    assert {"earliest", "latest"} <= kinds


def test_delay_discount_weights() -> None:
    p = make_problem([[1]], horizon=(2026, 2028), earliest=[2026], delay_discount=0.1)
    assert np.allclose(start_options(p).weight, [1, 0.9, 0.81])


def test_default_scenario_arrays() -> None:
    inputs = load_scenario(default_scenario())
    p = problem_from_inputs(inputs, budget=4000, year_caps={2028: 1000})
    assert p.partners == ("JP", "US") and p.total_cap == 4000
    assert p.year_cap[2028 - 2026] == 1000 and p.year_cap[0] == 400
    assert p.partner_year_cap[p.partners.index("US")][0] == 550 and np.isinf(p.partner_total).sum() == 0
    assert p.mandatory.sum() == 1 and p.ids[p.mandatory.argmax()] == "gpi"
    assert ("tactical-trainer", "t7a") in [(p.ids[a], p.ids[b]) for a, b in p.requires]
    keys = {lim.name for lim in named_limits(p, start_options(p))}
    assert {"cap_total_2028", "cap_US_2028", "budget_JP", "mandatory_gpi", "cat_min_co_sustainment"} <= keys


@pytest.mark.parametrize("year, message", [
    (2020, "year cap for 2020 is outside the horizon 2026-2035"),  # before: would have capped 2030
    (2025, "year cap for 2025 is outside the horizon 2026-2035"),
    (2036, "year cap for 2036 is outside the horizon 2026-2035"),
    (2099, "year cap for 2099 is outside the horizon 2026-2035"),  # after: was an IndexError
    (2028.0, "year cap for 2028.0 is not for a year"),
    ("2028", "year cap for '2028' is not for a year"),
    (True, "year cap for True is not for a year"),
])
def test_a_year_cap_outside_the_horizon_is_refused(year, message) -> None:
    inputs = load_scenario(default_scenario())
    with pytest.raises(ScoringError, match=f"^{message}"):
        problem_from_inputs(inputs, year_caps={year: 5})
    edge = problem_from_inputs(inputs, year_caps={2026: 5, np.int64(2035): 6})
    assert edge.year_cap[0] == 5 and edge.year_cap[-1] == 6


def test_option_count_matches_the_built_options() -> None:
    from scorer.portfolio.problem import option_count

    problem = make_problem([[1, 2], [3], [1, 1, 1]], horizon=(2026, 2030), earliest=[2027, None, None],
                           latest=[None, 2028, None], forbidden=[2])
    assert option_count(problem) == start_options(problem).k == 3 + 3 + 0
