"""scorer.present.compare: input and result differences of two scenarios, checked by hand on the small case."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from scorer.present.compare import compare, differs, flatten, solve_side
from scorer.errors import InfeasibleError
from scorer.inputs.loading import load_scenario
from scorer.study.study import Study
from testkit import CANDIDATES

TACTICAL = CANDIDATES[CANDIDATES.index("  - id: tactical"):CANDIDATES.index("  - id: ship-mro")]
NEW = """\
  - id: new-mro
    name: New MRO
    category: co-sustainment
    partners: {US: 0.5, JP: 0.5}
    cost: [10]
    scores:
      standardization: 1
      cost_sharing: none
      export_friction: 9
"""


def sides(write_case, tmp_path: Path, edits: dict) -> tuple:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = write_case(tmp_path / "a"), write_case(tmp_path / "b", edits)
    return solve_side("A", Study(load_scenario(a.path))), solve_side("B", Study(load_scenario(b.path)))


def test_identical_scenarios_have_no_differences(write_case, tmp_path: Path) -> None:
    tables = compare(*sides(write_case, tmp_path, {}))
    assert not differs(tables)
    assert all(len(t) == 0 for name, t in tables.items() if name != "summary")
    assert tables["summary"]["changed"].tolist() == [False] * 4


def test_fewer_projects_drops_the_trainer(write_case, tmp_path: Path) -> None:
    # A selects gpi, t7a and ship-mro from 2026 (objective 66 + 73.33 + 58). With at most two
    # projects, gpi is mandatory and ship-mro the only co-sustainment project, so t7a goes.
    tables = compare(*sides(write_case, tmp_path, {"scenario": [("max_projects: 3", "max_projects: 2")]}))
    assert differs(tables)
    port = tables["portfolio"]
    assert port[["id", "change"]].values.tolist() == [["t7a", "out"]]
    assert port["start_a"].tolist() == [2026] and port["start_b"].isna().all()
    summary = tables["summary"].set_index("metric")
    assert summary.loc["objective", "a"] == pytest.approx(124 + 220 / 3)
    assert summary.loc["objective", "b"] == pytest.approx(124)
    assert summary.loc["projects"].tolist() == [3, 2, True]
    assert summary.loc["spend_total"].tolist()[:2] == [pytest.approx(640), pytest.approx(540)]
    # t7a costs 50 in each of 2026 and 2027
    assert tables["spend"].values.tolist() == [[2026, 170, 120, -50], [2027, 270, 220, -50]]
    assert tables["settings"].values.tolist() == [["rules.max_projects", "3", "2"]]
    assert tables["weights"].empty and tables["candidates"].empty


def test_a_later_window_moves_a_project(write_case, tmp_path: Path) -> None:
    edits = {"candidates": [("    partners: {US: 0.8, JP: 0.2}\n", "    partners: {US: 0.8, JP: 0.2}\n"
                                                                    "    earliest_start: 2028\n")]}
    tables = compare(*sides(write_case, tmp_path, edits))
    assert tables["portfolio"][["id", "change", "start_a", "start_b"]].values.tolist() == [
        ["ship-mro", "moved", 2026, 2028]]
    assert tables["candidates"][["id", "change"]].values.tolist() == [["ship-mro", "earliest_start"]]
    assert tables["settings"].empty


def test_weights_values_and_candidates_added_or_removed(write_case, tmp_path: Path) -> None:
    edits = {"criteria": [("    weight: 5\n", "    weight: 10\n")], "candidates": [(TACTICAL, NEW)]}
    tables = compare(*sides(write_case, tmp_path, edits))
    # governance (40%) was cost_sharing 5 : export_friction 10, now 10 : 10
    weights = tables["weights"].set_index("id")
    assert weights.loc["cost_sharing", ["weight_a", "weight_b"]].tolist() == pytest.approx([0.4 / 3, 0.2])
    assert weights.loc["export_friction", ["weight_a", "weight_b"]].tolist() == pytest.approx([0.8 / 3, 0.2])
    assert "standardization" not in weights.index  # 60% alone in its group either way
    cands = tables["candidates"].set_index("id")
    assert cands.loc["tactical", "change"] == "removed" and pd.isna(cands.loc["tactical", "value_b"])
    assert cands.loc["new-mro", "change"] == "added" and pd.isna(cands.loc["new-mro", "value_a"])
    # gpi: 0.6 x 0.7 + w_cs x 1 (signed) + w_ef x 0.4 (friction 6 on a 0-10 cost scale)
    assert cands.loc["gpi", ["value_a", "value_b"]].tolist() == pytest.approx([66.0, 70.0])
    assert cands.loc["gpi", "change"] == "value (criteria or weights)"


@pytest.mark.slow
def test_an_infeasible_side_is_named(write_case, tmp_path: Path) -> None:
    with pytest.raises(InfeasibleError, match=r"^infeasible: B: mandatory gpi needs 500"):
        sides(write_case, tmp_path, {"scenario": [("total: 900", "total: 400")]})


def test_flatten() -> None:
    assert flatten({"budget": {"total": 5.0, "per_year": {2026: 1.5}}, "rules": {"mandatory": ["b", "a"]},
                    "x": None}) == {"budget.total": "5", "budget.per_year.2026": "1.5", "rules.mandatory": "a, b",
                                    "x": ""}


def test_a_criterion_on_one_side_changes_only_the_score_written(write_case, tmp_path: Path) -> None:
    # B adds criterion `extra` and scores it in short form: its low, high, rationale and
    # source exist on neither side, so only the score itself differs.
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = write_case(tmp_path / "a")
    b = write_case(tmp_path / "b", {"criteria": [("groups:\n", "  - id: extra\n    name: Extra\n    scale: {min: 0, max: 10}\n"
                                                                 "    weight: 1\n    group: governance\ngroups:\n")]})
    b.file("candidates").write_text(b.texts["candidates"].replace("    scores:\n", "    scores:\n      extra: 5\n"))
    tables = compare(solve_side("A", Study(load_scenario(a.path))), solve_side("B", Study(load_scenario(b.path))))
    assert tables["candidates"]["change"].tolist() == ["scores.extra.value"] * 4
