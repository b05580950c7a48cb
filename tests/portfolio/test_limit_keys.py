"""Typed limit keys: the name of every kind, unique names where ids collide, keys by name in a re-solve."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from testkit import make_problem
from scorer.errors import SolverError
from scorer.inputs.loading import load_scenario
from scorer.portfolio.limit_keys import KINDS, LimitKey, slug, unique_names
from scorer.portfolio.model import PortfolioModel
from scorer.portfolio.problem import named_limits, problem_from_inputs, start_options
from scorer.portfolio.resolve import limit_changes, limit_fields
from scorer.present.modelfile import file_names, name_part

NAMES_SCENARIO = Path(__file__).resolve().parents[1] / "data/model_names/scenario.yaml"

# One key of every kind and its name, as --explain, messages and the model's rows have always spelt it.
NAMED = [
    (LimitKey("year_cap", year=2028), "cap_total_2028"),
    (LimitKey("partner_year_cap", year=2027, partner="JP"), "cap_JP_2027"),
    (LimitKey("total_budget"), "budget_total"),
    (LimitKey("partner_budget", partner="US"), "budget_US"),
    (LimitKey("mandatory", candidate="gpi"), "mandatory_gpi"),
    (LimitKey("forbidden", candidate="air-defense-missiles"), "forbidden_air_defense_missiles"),
    (LimitKey("max_projects"), "max_projects"),
    (LimitKey("min_projects"), "min_projects"),
    (LimitKey("category_min", category="co-sustainment"), "cat_min_co_sustainment"),
    (LimitKey("category_max", category="joint development"), "cat_max_joint_development"),
    (LimitKey("requires", candidate="tactical-trainer", other="t7a"), "requires_tactical_trainer_t7a"),
    (LimitKey("excludes", candidate="a", other="b"), "excludes_a_b"),
    (LimitKey("earliest", candidate="x"), "earliest_x"),
    (LimitKey("latest", candidate="x"), "latest_x"),
    (LimitKey("partner_floor", partner="JP"), "floor_JP"),
    (LimitKey("share_min", candidate="cca", partner="JP"), "range_min_cca_JP"),
    (LimitKey("share_max", candidate="glide-phase", partner="US"), "range_max_glide_phase_US"),
    (LimitKey("partner_share_min", partner="JP"), "share_min_JP"),
    (LimitKey("partner_share_max", partner="US"), "share_max_US"),
]


def test_every_kind_has_its_name() -> None:
    assert sorted(key.kind for key, _ in NAMED) == sorted(KINDS)
    for key, name in NAMED:
        assert key.name() == name
        assert key == replace(key) and hash(key) == hash(replace(key))  # a value: equal keys, one dict entry


def test_model_files_name_the_text_their_own_way() -> None:
    key = LimitKey("requires", candidate="tactical-trainer", other="t7a")
    assert key.name(name_part) == "requires_tactical.trainer_t7a"
    assert LimitKey("year_cap", year=np.int64(2030)).name(name_part) == "cap_total_2030"
    assert slug("") == "_" and slug("co production") == "co_production"


@pytest.mark.parametrize("kind, fields, needs", [
    ("year_cap", {}, "year"),
    ("partner_budget", {"partner": "US", "year": 2028}, "partner"),
    ("total_budget", {"year": 2028}, "nothing else"),
    ("requires", {"candidate": "a"}, "candidate, other"),
])
def test_a_key_has_exactly_the_fields_of_its_kind(kind, fields, needs) -> None:
    with pytest.raises(ValueError, match=f"a {kind} limit is about {needs}"):
        LimitKey(kind, **fields)
    with pytest.raises(ValueError, match="no kind of limit 'cap'"):
        LimitKey("cap")


def test_keys_sort_and_numpy_years_are_plain_ints() -> None:
    key = LimitKey("year_cap", year=np.int64(2028))
    assert type(key.year) is int and key == LimitKey("year_cap", year=2028)
    assert [k.name() for k in sorted(k for k, _ in NAMED)][:3] == ["cat_max_joint_development",
                                                                   "cat_min_co_sustainment", "earliest_x"]


def test_a_repeated_name_ends_in_a_count_and_never_takes_a_later_one() -> None:
    keys = [LimitKey("mandatory", candidate=c) for c in ("a-b", "a_b", "a_b_1", "a.b")]
    assert unique_names(keys) == ["mandatory_a_b", "mandatory_a_b_1", "mandatory_a_b_1_1", "mandatory_a_b_2"]


def test_colliding_ids_get_distinct_names_as_before() -> None:
    p = problem_from_inputs(load_scenario(NAMES_SCENARIO))
    limits = named_limits(p, start_options(p, widen=True), widened=True)
    years = range(2026, 2031)
    # The names as named_limits made them before keys were typed (recorded from that code).
    assert [lim.name for lim in limits] == [
        *(f"cap_total_{y}" for y in years), "budget_total", *(f"cap_J_P_{y}" for y in years), "budget_J_P",
        *(f"cap_J_P_{y}_1" for y in years), "budget_J_P_1", "mandatory_2027", "max_projects", "min_projects",
        "cat_max_co_production", "cat_min_co_production", "cat_max_co_production_1",
        "requires_long_" + "a" * 59 + "_long_" + "b" * 59, "excludes_a_b_c", "excludes_a_b_c_1"]
    assert len({lim.key for lim in limits}) == len(limits)
    partner_caps = [lim for lim in limits if lim.kind == "partner_year_cap" and lim.year == 2026]
    assert [lim.partner for lim in partner_caps] == ["J-P", "J_P"]
    # Rows are named as their limit: two rows of one name made CBC's run through PuLP end in a traceback.
    assert [lim.rows[0].name for lim in partner_caps] == ["cap_J_P_2026", "cap_J_P_2026_1"]


def test_an_exclusion_is_named_by_its_pair_and_told_by_its_holder() -> None:
    p = make_problem([[1.0], [1.0]], excludes=[(0, 1)])
    p = replace(p, excluders=((1, 0),))  # written in c1's entry only
    model = PortfolioModel(p, np.ones(2))
    (lim,) = [lim for lim in model.limits if lim.kind == "excludes"]
    assert lim.key == LimitKey("excludes", candidate="c0", other="c1") and lim.name == "excludes_c0_c1"
    assert (lim.candidate, lim.other, lim.field) == ("c1", "c0", "candidates.c1.excludes")
    assert "excludes_c1_c0" in file_names(model)[1]  # the model file names it as written


IDS = st.text("ab-_1", min_size=1, max_size=5)  # ids that collide after slugging, and ones ending in _1


@settings(max_examples=60, deadline=None)
@given(st.lists(IDS, min_size=2, max_size=6, unique=True), st.data())
def test_generated_ids_give_unique_names_of_their_keys(ids: list[str], data) -> None:
    n = len(ids)
    pairs = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda q: q[0] != q[1])
    p = make_problem([[1.0]] * n, horizon=(2026, 2027), partners=["J-P", "J_P"], total=5.0, per_year=3.0,
                     partner_total={"J-P": 4.0, "J_P": 4.0}, mandatory=range(n),
                     requires=data.draw(st.lists(pairs, max_size=3, unique=True)),
                     excludes=data.draw(st.lists(pairs, max_size=3, unique_by=frozenset)),
                     categories=[ids[i % 2] for i in range(n)], category_rules={ids[0]: (1, None), ids[1]: (None, 2)})
    p = replace(p, ids=tuple(ids), forbidden=np.zeros(n, dtype=bool))
    limits = named_limits(p, start_options(p, widen=True), widened=True)
    names = [lim.name for lim in limits]
    assert len(set(names)) == len(names)
    assert len({lim.key for lim in limits}) == len(limits)
    for lim in limits:
        assert re.fullmatch(re.escape(lim.key.name()) + r"(_\d+)*", lim.name)
        assert re.fullmatch(r"[A-Za-z0-9_]+", lim.name)


# ------------------------------------------------------- keys in a re-solve ---


def test_a_changeable_limit_is_found_by_key_or_by_name() -> None:
    p = make_problem([[1.0]], partners=["US", "JP"], category_rules={"co-sustainment": (1, None)},
                     categories=["co-sustainment"])
    fields = limit_fields(p)
    found = [(key, name) for key, name in NAMED if key in fields]
    assert len(found) == 7  # every changeable key of NAMED but the category this problem lacks
    for key, name in found:
        assert limit_changes(p, {name: 3.0}) == limit_changes(p, {key: 3.0}) == {key: 3.0}
    assert limit_changes(p, {"cap_total_2028": 5, "cat_min_co_sustainment": 2}) == {
        LimitKey("year_cap", year=2028): 5, LimitKey("category_min", category="co-sustainment"): 2}


def test_a_name_two_limits_share_is_refused() -> None:
    p = make_problem([[1.0]], partners=["J-P", "J_P"])
    with pytest.raises(SolverError, match="cannot change limit 'budget_J_P' alone: 2 limits"):
        limit_changes(p, {"budget_J_P": 1.0})
    with pytest.raises(SolverError, match="cannot change limit 'budget_J_P' alone"):
        limit_changes(p, {LimitKey("partner_budget", partner="J_P"): 1.0})
    with pytest.raises(SolverError, match="no limit 'budget_J_P_1' whose bound can change"):
        limit_changes(p, {"budget_J_P_1": 1.0})
    with pytest.raises(SolverError, match="no limit 'cap_total_2040' whose bound can change"):
        limit_changes(p, {LimitKey("year_cap", year=2040): 1.0})
