"""Start options, spend matrix and named limits built from a scenario."""

from __future__ import annotations

import numpy as np
import pytest

from scorer.defaults import default_scenario
from scorer.errors import ScoringError
from scorer.inputs.loading import load_scenario
from scorer.portfolio.problem import named_limits, problem_from_inputs, start_options
from testkit import make_problem


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


def test_the_plain_constructor_builds_what_the_scenario_loader_builds() -> None:
    from scorer.portfolio.problem import build_problem

    inputs = load_scenario(default_scenario())
    loaded = problem_from_inputs(inputs)
    sc, cands = inputs.scenario, inputs.candidates.candidates
    pb = sc.budget.per_partner
    built = build_problem(
        [c.cost for c in cands], horizon=(sc.horizon.start, sc.horizon.end), ids=[c.id for c in cands],
        names=[c.name for c in cands], categories=[c.category for c in cands], partners=loaded.partners,
        shares=[[c.partners.get(p, 0.0) for p in loaded.partners] for c in cands],
        earliest=[c.earliest_start for c in cands], latest=[c.latest_finish for c in cands],
        total=sc.budget.total, per_year=sc.budget.per_year,
        partner_total={p: b.total for p, b in pb.items() if b.total is not None},
        partner_year={p: b.per_year for p, b in pb.items() if b.per_year is not None},
        mandatory=sc.rules.mandatory, forbidden=sc.rules.forbidden,
        max_projects=sc.rules.max_projects, min_projects=sc.rules.min_projects,
        category_rules={name: (r.min, r.max) for name, r in sc.rules.categories.items()},
        requires=[(c.id, r) for c in cands for r in c.requires], excludes=[(c.id, e) for c in cands for e in c.excludes],
        delay_discount=sc.objective.delay_discount, currency=inputs.candidates.currency,
    )
    for field in ("ids", "names", "categories", "partners", "earliest_given", "latest_given", "max_projects",
                  "min_projects", "requires", "excludes", "delay_discount", "currency", "total_cap"):
        assert getattr(built, field) == getattr(loaded, field), field
    for field in ("years", "shares", "earliest", "latest", "year_cap", "partner_total", "partner_year_cap",
                  "mandatory", "forbidden"):
        assert np.array_equal(getattr(built, field), getattr(loaded, field)), field
    assert all(np.array_equal(a, b) for a, b in zip(built.costs, loaded.costs, strict=True))
    assert [(r.name, r.members.tolist(), r.min, r.max) for r in built.category_rules] == [
        (r.name, r.members.tolist(), r.min, r.max) for r in loaded.category_rules]
    options = start_options(built)
    assert [lim.key for lim in named_limits(built, options)] == [
        lim.key for lim in named_limits(loaded, start_options(loaded))]


def test_the_plain_constructor_takes_positions_or_ids() -> None:
    from scorer.portfolio.problem import build_problem

    by_id = build_problem([[1], [2], [3]], horizon=(2026, 2027), ids=["a", "b", "c"], mandatory=["b"],
                          requires=[("c", "a")], excludes=[("b", "a")])
    by_position = build_problem([[1], [2], [3]], horizon=(2026, 2027), ids=["a", "b", "c"], mandatory=[1],
                                requires=[(2, 0)], excludes=[(1, 0)])
    for p in (by_id, by_position):
        assert p.mandatory.tolist() == [False, True, False] and p.requires == ((2, 0),) and p.excludes == ((0, 1),)
        assert p.names == ("a", "b", "c") and p.shares.tolist() == [[1.0], [1.0], [1.0]]
        assert np.isinf(p.total_cap) and np.isinf(p.year_cap).all() and np.isinf(p.partner_total).all()


@pytest.mark.parametrize("changes, message", [
    ({"horizon": (2030, 2026)}, "the horizon 2030-2026"),
    ({"ids": ["a", "a"]}, "ids must be unique"),
    ({"names": ["only one"]}, "names has 1 entries for 2 candidates"),
    ({"costs": [[1], []]}, "the cost of c1 must be one or more"),
    ({"costs": [[1], [-1]]}, "the cost of c1 must be one or more finite amounts of at least 0"),
    ({"shares": [[0.5], [1.0]]}, "sum to 1"),
    ({"shares": [[1.0, 0.0]]}, "shares must be 2 rows of 1 partner shares"),
    ({"per_year": {2031: 5}}, "the yearly cap for 2031 is outside the horizon 2026-2030"),
    ({"per_year": -1}, "the yearly cap must be at least 0"),
    ({"total": float("nan")}, "the total budget must be at least 0"),
    ({"partner_total": {"B": 5}}, "unknown partner 'B'"),
    ({"partner_year": {"A": {2020: 5}}}, "A's yearly cap for 2020 is outside the horizon"),
    ({"mandatory": [2]}, "mandatory names 2, which is neither a candidate id nor a position"),
    ({"forbidden": ["zz"]}, "forbidden names 'zz'"),
    ({"requires": [(0, 0)]}, "requires pairs a candidate with itself"),
    ({"max_projects": -1}, "max_projects must be a whole number of at least 0"),
    ({"category_rules": {"a": (1.5, None)}}, "the rule of category 'a' must be a whole number"),
    ({"delay_discount": 1.0}, "the delay discount must be at least 0 and below 1"),
    ({"earliest": [2026.5, None]}, "earliest holds 2026.5, not a whole year"),
])
def test_the_plain_constructor_refuses_bad_values_with_a_library_error(changes, message) -> None:
    from scorer.errors import ScoringError
    from scorer.portfolio.problem import build_problem

    arguments = {"costs": [[1], [2]], "horizon": (2026, 2030), **changes}
    with pytest.raises(ScoringError, match="^cannot build the portfolio problem: ") as err:
        build_problem(arguments.pop("costs"), **arguments)
    assert message in str(err.value)


def test_every_row_has_a_name_of_its_own_when_limit_names_collide() -> None:
    # Partners J-P and J_P, and ids a-b and a_b, give limits of one name: before, their rows kept that one
    # name, and CBC's run through PuLP ended in a traceback ("Repeated constraint names").
    from pathlib import Path

    scenario = Path(__file__).resolve().parents[1] / "data/model_names/scenario.yaml"
    problem = problem_from_inputs(load_scenario(scenario))
    for widened in (False, True):
        limits = named_limits(problem, start_options(problem, widened), widened)
        rows = [row.name for lim in limits for row in lim.rows]
        assert len(rows) == len(set(rows))
        assert all(row.name.startswith(lim.name) for lim in limits for row in lim.rows)
    assert {"budget_J_P", "budget_J_P_1"} <= {lim.name for lim in limits}
