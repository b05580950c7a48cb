"""Infeasibility is explained in the user's terms: the conflicting limits and the amounts that fix them."""

from __future__ import annotations

import pytest

from scorer.inputs.loading import load_scenario
from scorer.portfolio.problem import problem_from_inputs
from scorer.errors import InfeasibleError
from scorer.mip.config import SolverConfig
from scorer.portfolio.solve import optimize
from scorer.portfolio.infeasibility import fmt_amount, minimal_conflict
from scorer.portfolio.model import PortfolioModel
from testkit import make_problem


def message(problem) -> str:
    with pytest.raises(InfeasibleError) as info:
        optimize(problem, [50.0] * problem.n)
    text = str(info.value)
    assert text.startswith("infeasible: ")
    assert len(text.splitlines()) <= 3
    return text


def test_year_cap() -> None:
    text = message(make_problem([[600], [850]], horizon=(2028, 2028), per_year=1200, mandatory=[0, 1]))
    first = text.splitlines()[0]
    assert first == ("infeasible: mandatory c0 and c1 need 1,450 in 2028 but the 2028 cap is 1,200 — raise the "
                     "2028 cap by 250, or drop c0 from mandatory, or drop c1 from mandatory")
    assert "budget.per_year.2028 = 1,200" in text


def test_partner_total() -> None:
    text = message(make_problem([[100, 100]], partners=("A", "B"), shares=[[0.6, 0.4]],
                                partner_total={"A": 100}, mandatory=[0]))
    assert "needs 120 from A in total but A's total budget is 100" in text
    assert "raise A's total budget by 20" in text
    assert "budget.per_partner.A.total" in text


def test_partner_year_cap() -> None:
    text = message(make_problem([[100]], horizon=(2026, 2026), partner_year={"A": 80}, mandatory=[0]))
    assert "raise A's 2026 cap by 20" in text
    assert "budget.per_partner.A.per_year.2026 = 80" in text


def test_total_budget() -> None:
    text = message(make_problem([[100, 100]], total=150, mandatory=[0]))
    assert "needs 200 in total but the total budget is 150 — raise the total budget by 50" in text


def test_mandatory_against_exclusion() -> None:
    text = message(make_problem([[1], [1]], mandatory=[0, 1], excludes=[(0, 1)]))
    assert "drop c0 from mandatory" in text and "drop c1 from mandatory" in text
    assert "drop c1 from c0's excludes" in text


def test_category_minimum() -> None:
    text = message(make_problem([[100], [100], [1]], horizon=(2026, 2026), per_year=150,
                                categories=["a", "a", None], category_rules={"a": (2, None)}))
    assert "at least 2 a projects need 200 in 2026 but the 2026 cap is 150" in text
    assert "raise the 2026 cap by 50" in text and "lower the a minimum by 1" in text


def test_window_latest_finish() -> None:
    text = message(make_problem([[1, 1, 1]], latest=[2028], per_year={2026: 0}, mandatory=[0]))
    assert "let c0 finish 1 year after its latest_finish 2028" in text
    assert "raise the 2026 cap by 1" in text
    assert "candidates.c0.latest_finish = 2028" in text


def test_window_earliest_start() -> None:
    text = message(make_problem([[1, 1, 1], [5]], horizon=(2026, 2028), earliest=[2027, None], mandatory=[0]))
    assert "let c0 start 1 year before its earliest_start 2027" in text


def test_requires_chain() -> None:
    text = message(make_problem([[1, 1], [1, 1]], latest=[None, 2028], requires=[(1, 0)], mandatory=[1]))
    assert "c1 requiring c0 first" in text
    assert "let c1 finish 1 year after its latest_finish 2028" in text
    assert "drop c0 from c1's requires" in text


def test_max_projects() -> None:
    text = message(make_problem([[1], [1]], mandatory=[0, 1], max_projects=1))
    assert "raise max_projects by 1" in text


def test_forbidden_required_by_mandatory() -> None:
    text = message(make_problem([[1], [1]], horizon=(2026, 2028), mandatory=[1], forbidden=[0], requires=[(1, 0)]))
    assert "allow c0 (drop it from forbidden)" in text


def test_no_single_fix_gives_a_combined_relaxation() -> None:
    # Two mandatory projects, each over its own year's cap: no one change is enough.
    p = make_problem([[10, 0], [0, 10]], horizon=(2026, 2027), earliest=[2026, 2026], latest=[2027, 2027],
                     per_year=5, mandatory=[0, 1], min_projects=2)
    text = message(p)
    assert " and " in text.splitlines()[0].split(" — ")[1]


def test_minimal_conflict_is_minimal() -> None:
    p = make_problem([[600], [850], [10]], horizon=(2028, 2028), per_year=1200, total=5000, mandatory=[0, 1])
    keys = [lim.key for lim in PortfolioModel(p, [0.0] * 3, widen=True).limits]
    conflict = minimal_conflict(p, keys, SolverConfig())
    assert sorted(key.name() for key in conflict) == ["cap_total_2028", "mandatory_c0", "mandatory_c1"]


def test_amounts_are_formatted_for_people() -> None:
    assert fmt_amount(1450.0) == "1,450"
    assert fmt_amount(12.5) == "12.5"
    assert fmt_amount(249.999999999) == "250"


def test_a_fix_larger_than_the_shortfall_says_who_needs_the_rest() -> None:
    # The budget of 10 conflicts with the co-sustainment minimum (200); mandatory c0 (2,350) also needs it.
    problem = make_problem([[2350], [200]], horizon=(2026, 2026), total=10, mandatory=[0],
                           categories=[None, "co-sustainment"], category_rules={"co-sustainment": (1, None)})
    first = message(problem).splitlines()[0]
    assert first == ("infeasible: at least 1 co-sustainment project needs 200 in total but the total budget is 10 "
                     "— raise the total budget by 2,540 (190 for these limits, 2,350 for the others in force)")


def test_money_below_one_unit_is_explained_in_the_users_units() -> None:
    # Costs in billions (0.6, 0.85): the model's row is doubled to bring its largest cost to 1.7
    # (optimizer.conditioned); the amount to raise must still be in the file's units.
    text = message(make_problem([[0.6], [0.85]], horizon=(2028, 2028), per_year=1.2, mandatory=[0, 1]))
    assert text.splitlines()[0] == ("infeasible: mandatory c0 and c1 need 1.45 in 2028 but the 2028 cap is 1.2 — "
                                    "raise the 2028 cap by 0.25, or drop c0 from mandatory, or drop c1 from mandatory")


def _file_message(write_case, tmp_path, edits: dict) -> str:
    case = write_case(tmp_path, edits)
    inputs = load_scenario(case.path)
    return message(problem_from_inputs(inputs))


def test_an_exclusion_is_named_in_the_entry_that_holds_it(write_case, tmp_path) -> None:
    # Only t7a (the second of the pair in id order) lists the exclusion, so the fix is in t7a's entry.
    text = _file_message(write_case, tmp_path, {"candidates": [("    latest_finish: 2030\n", "    latest_finish: 2030\n    excludes: [gpi]\n")],
                                                "scenario": [("mandatory: [gpi]", "mandatory: [gpi, t7a]")]})
    assert "t7a excluding gpi" in text and "drop gpi from t7a's excludes" in text
    assert text.splitlines()[1].endswith("candidates.t7a.excludes: t7a -> gpi")
    assert "candidates.gpi.excludes" not in text


@pytest.mark.slow
def test_an_exclusion_written_on_both_sides_is_dropped_on_both(write_case, tmp_path) -> None:
    text = _file_message(write_case, tmp_path, {"candidates": [("    latest_finish: 2030\n", "    latest_finish: 2030\n    excludes: [gpi]\n"),
                                                               ("    earliest_start: 2026\n", "    earliest_start: 2026\n    excludes: [t7a]\n")],
                                                "scenario": [("mandatory: [gpi]", "mandatory: [gpi, t7a]")]})
    assert "gpi and t7a excluding each other" in text and "drop t7a from gpi's excludes and gpi from t7a's" in text
    assert text.splitlines()[1].endswith("candidates.gpi.excludes, candidates.t7a.excludes: gpi <-> t7a")
