"""scorer.inputs.partner_files and the perspective checks: each problem names its file, line and field.

Each case edits one file of the two-partner scenario (``testkit.write_perspectives``)
in one place; the expected line is where the marker stands in the edited file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scorer.errors import InputError
from scorer.inputs.loading import load_scenario
from testkit import write_perspectives

SCENARIO = "bilateral.yaml"

# (id, file, [(old, new)], marker of the expected line, field path, message part)
CASES = [
    ("unknown-partner", SCENARIO, [("  US:\n    weights", "  UK:\n    weights")], "  UK:",
     "perspectives.UK", "no candidate has partner 'UK' (partners: JP, US)"),
    ("unknown-weight-criterion", SCENARIO, [("weights: {export_friction: 30}", "weights: {bogus: 30}")],
     "weights: {bogus: 30}", "perspectives.US.weights.bogus", "unknown criterion 'bogus'"),
    ("negative-weight", SCENARIO, [("weights: {export_friction: 30}", "weights: {export_friction: -1}")],
     "weights: {export_friction: -1}", "perspectives.US.weights.export_friction", "greater than or equal to 0"),
    ("unknown-key", SCENARIO, [("    disagreement: 10", "    disagreemnt: 10")], "disagreemnt: 10",
     "perspectives.US.disagreemnt", "unknown key"),
    ("share-of-ideal-above-one", SCENARIO, [("min_share_of_ideal: 0.5", "min_share_of_ideal: 1.5")],
     "min_share_of_ideal: 1.5", "perspectives.JP.min_share_of_ideal", "less than or equal to 1"),
    ("missing-scores-file", SCENARIO, [("scores: jp-scores.yaml", "scores: nowhere.yaml")],
     "scores: nowhere.yaml", "perspectives.JP.scores", "nowhere.yaml does not exist"),
    ("missing-criteria-file", SCENARIO, [("criteria: jp-criteria.yaml", "criteria: nowhere.yaml")],
     "criteria: nowhere.yaml", "perspectives.JP.criteria", "nowhere.yaml does not exist"),
    ("rater-missing-pair", SCENARIO, [(", [cost_sharing, export_friction, 1]]}", "]}")],
     "name: ATLA", "perspectives.JP.raters[0].pairwise",
     "every pair of criteria needs a judgement; missing cost_sharing/export_friction"),
    ("rater-unknown-criterion", SCENARIO, [("[[standardization, cost_sharing, 3]", "[[standardisation, cost_sharing, 3]")],
     "name: ATLA", "perspectives.JP.raters[0].pairwise[0]", "unknown criterion 'standardisation'"),
    ("rater-judgement-above-9", SCENARIO, [("[standardization, cost_sharing, 3]", "[standardization, cost_sharing, 12]")],
     "name: ATLA", "perspectives.JP.raters[0].pairwise[0][2]", "less than or equal to 9"),
    ("duplicate-rater", SCENARIO, [("name: JSDF", "name: ATLA")], "influence: 1, pairwise",
     "perspectives.JP.raters[1].name", "duplicate rater name 'ATLA'"),
    ("zero-rater-influence", SCENARIO, [("influence: 2", "influence: 0")], "influence: 0",
     "perspectives.JP.raters[0].influence", "greater than 0"),
    ("joint-unknown-influence", SCENARIO, [("joint: {method: file}", "joint: {method: mean, influence: {US: 1, JP: 1, UK: 1}}")],
     "joint:", "joint.influence.UK", "'UK' is not a perspective (perspectives: US, JP)"),
    ("joint-influence-incomplete", SCENARIO, [("joint: {method: file}", "joint: {method: mean, influence: {US: 1}}")],
     "joint:", "joint.influence", "gives no influence to JP"),
    ("joint-influence-zero", SCENARIO, [("joint: {method: file}", "joint: {influence: {US: 0, JP: 1}}")],
     "joint:", "joint.influence.US", "greater than 0"),
    ("joint-unknown-method", SCENARIO, [("joint: {method: file}", "joint: {method: median}")],
     "joint:", "joint.method", "'file', 'mean' or 'geometric'"),
    ("overlay-outside-scale", "jp-scores.yaml", [("t7a: {standardization: 2}", "t7a: {standardization: 12}")],
     "t7a:", "scores.t7a.standardization", "12 is outside the scale 0-10 of criterion 'standardization'"),
    ("overlay-high-outside-scale", "jp-scores.yaml", [("high: 10", "high: 11")], "high: 11",
     "scores.ship-mro.export_friction.high", "11 is outside the scale 0-10"),
    ("overlay-unknown-criterion", "jp-scores.yaml", [("t7a: {standardization: 2}", "t7a: {bogus: 2}")],
     "t7a:", "scores.t7a.bogus", "unknown criterion 'bogus'"),
    ("overlay-unknown-candidate", "jp-scores.yaml", [("t7a: {standardization: 2}", "t7b: {standardization: 2}")],
     "t7b:", "scores.t7b", "unknown candidate 't7b'"),
    ("overlay-not-a-level", "jp-scores.yaml", [("cost_sharing: signed", "cost_sharing: sealed")],
     "cost_sharing: sealed", "scores.ship-mro.cost_sharing", "'sealed' is not a level of criterion 'cost_sharing'"),
    ("overlay-low-above-value", "jp-scores.yaml", [("low: 8", "low: 9.5")], "export_friction:",
     "scores.ship-mro.export_friction.value", "needs low <= value <= high"),
    ("overlay-no-version", "jp-scores.yaml", [("version: 1\n", "")], "scores:", "version", "required field is missing"),
    ("overlay-empty-candidate", "jp-scores.yaml", [("t7a: {standardization: 2}", "t7a: {}")], "t7a:",
     "scores.t7a", "at least 1 item"),
    ("own-criteria-other-scale", "jp-criteria.yaml", [("scale: {min: 0, max: 10}", "scale: {min: 0, max: 5}")],
     "scale: {min: 0, max: 5}", "criteria[0].scale", "must be the shared file's scale 0-10"),
    ("own-criteria-other-levels", "jp-criteria.yaml", [("levels: {none: 0, draft: 0.5, signed: 1}",
                                                        "levels: {none: 0, signed: 1}")],
     "levels: {none: 0, signed: 1}", "criteria[1].value_function.levels", "needs the shared file's levels none, draft, signed"),
    ("own-criteria-unknown-id", "jp-criteria.yaml", [("id: export_friction", "id: export_risk")],
     "id: export_risk", "criteria[2].id", "'export_risk' is not a criterion of the shared criteria file"),
    ("own-criteria-invalid-alone", "jp-criteria.yaml", [("weight: 15", "weight: -15")], "weight: -15",
     "criteria[0].weight", "greater than or equal to 0"),
    ("own-criteria-unknown-group", "jp-criteria.yaml", [("group: integration", "group: integrate")],
     "group: integrate", "criteria[0].group", "unknown group 'integrate'"),
]


def _edited(case, name: str, pairs: list[tuple[str, str]]) -> Path:
    scenario = write_perspectives(case)
    path = case.folder / name
    text = path.read_text(encoding="utf-8")
    for old, new in pairs:
        assert old in text, (old, name)
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return scenario


@pytest.mark.parametrize("name,file,pairs,marker,field,message", CASES, ids=[c[0] for c in CASES])
def test_each_problem_names_file_line_and_field(case, name, file, pairs, marker, field, message) -> None:
    scenario = _edited(case, file, pairs)
    with pytest.raises(InputError) as err:
        load_scenario(scenario)
    text = (case.folder / file).read_text(encoding="utf-8").splitlines()
    line = next(n for n, t in enumerate(text, start=1) if marker in t)
    found = [(Path(p.file).name, p.line, p.path) for p in err.value.problems]
    assert (file, line, field) in found, [str(p) for p in err.value.problems]
    assert any(message in p.message for p in err.value.problems), [str(p) for p in err.value.problems]


def test_joint_from_partners_needs_perspectives(case) -> None:
    case.path.write_text(case.texts["scenario"] + "joint: {method: geometric}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"joint\.method: the geometric of the partners' weights needs perspectives"):
        load_scenario(case.path)


def test_scores_overlay_merges_over_the_shared_scores_for_that_partner_only(case) -> None:
    inputs = load_scenario(write_perspectives(case))
    jp = inputs.perspectives["JP"]
    by_id = {c.id: c for c in jp.candidates.candidates}
    shared = {c.id: c for c in inputs.candidates.candidates}
    assert by_id["t7a"].scores["standardization"].value == 2
    assert by_id["t7a"].scores["cost_sharing"] == shared["t7a"].scores["cost_sharing"]  # not in the overlay
    assert by_id["ship-mro"].scores["export_friction"].high == 10
    assert by_id["gpi"] == shared["gpi"]
    assert shared["t7a"].scores["standardization"].value == 8
    assert jp.overlaid == ("ship-mro", "t7a") and jp.own_criteria
    assert [c.id for c in jp.candidates.candidates] == [c.id for c in inputs.candidates.candidates]
    us = inputs.perspectives["US"]
    assert us.criteria == inputs.criteria and us.candidates == inputs.candidates and not us.own_criteria


def test_an_own_criteria_file_in_another_order_lines_up_with_the_shared_one(case) -> None:
    scenario = write_perspectives(case)
    crit = case.folder / "jp-criteria.yaml"
    text = crit.read_text(encoding="utf-8")
    head, rest = text.split("  - id: standardization\n", 1)
    first, others = rest.split("  - id: cost_sharing\n", 1)
    crit.write_text(head + "  - id: cost_sharing\n" + others.replace("groups:", "  - id: standardization\n" + first + "groups:"),
                    encoding="utf-8")
    inputs = load_scenario(scenario)
    assert [c.id for c in inputs.perspectives["JP"].criteria.criteria] == [c.id for c in inputs.criteria.criteria]


def test_perspective_files_are_inputs_outputs_must_not_overwrite(case) -> None:
    inputs = load_scenario(write_perspectives(case))
    assert {p.name for p in inputs.paths} >= {"jp-criteria.yaml", "jp-scores.yaml", "bilateral.yaml"}


def test_a_scenario_without_perspectives_has_none(case) -> None:
    inputs = load_scenario(case.path)
    assert dict(inputs.perspectives) == {} and inputs.perspective_files == ()
    assert inputs.scenario.joint.method == "file"
