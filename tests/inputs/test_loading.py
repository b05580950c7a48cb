"""Loading a scenario: every error kind names the file, the line and the field.

Each case edits the valid test scenario (``testkit.py``) in one place and runs
``coprod validate`` on it; the expected line is where the marker text stands
in the edited file, so the assertions check the real line numbers.
"""

from __future__ import annotations

import subprocess
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from scorer.cli.group import main
from scorer.errors import InputError
from scorer.inputs.loading import load_scenario
from testkit import NAMES

COPROD = Path(sys.executable).with_name("coprod")

# (id, file kind, [(old, new)], marker of the expected line (or (marker, nth)), field path, message part)
CASES = [
    ("score-outside-scale", "candidates", [("standardization: 7", "standardization: 12")],
     "standardization: 12", "candidates[0].scores.standardization",
     "12 is outside the scale 0-10 of criterion 'standardization'"),
    ("high-outside-scale", "candidates", [("high: 8", "high: 11")],
     "high: 11", "candidates[0].scores.export_friction.high",
     "11 is outside the scale 0-10 of criterion 'export_friction'"),
    ("unknown-criterion-in-scores", "candidates", [("      standardization: 7\n", "      standardization: 7\n      bogus: 3\n")],
     "bogus: 3", "candidates[0].scores.bogus", "unknown criterion 'bogus'"),
    ("missing-score", "candidates", [("      cost_sharing: signed\n", "")],
     "    scores:", "candidates[0].scores", "missing scores for cost_sharing"),
    ("unknown-requires", "candidates", [("requires: [t7a]", "requires: [t7b]")],
     "requires: [t7b]", "candidates[2].requires[0]", "unknown candidate 't7b'"),
    ("unknown-excludes", "candidates", [("excludes: []", "excludes: [nope]")],
     "excludes: [nope]", "candidates[2].excludes[0]", "unknown candidate 'nope'"),
    ("requires-itself", "candidates", [("requires: [t7a]", "requires: [t7a, tactical]")],
     "requires: [t7a, tactical]", "candidates[2].requires[1]", "'tactical' requires itself"),
    ("requires-cycle", "candidates", [("    latest_finish: 2030\n", "    latest_finish: 2030\n    requires: [tactical]\n")],
     "requires: [tactical]", "candidates[1].requires", "requires form a cycle: t7a -> tactical -> t7a"),
    ("shares-not-one", "candidates", [("partners: {US: 0.6, JP: 0.4}", "partners: {US: 0.6, JP: 0.5}")],
     "JP: 0.5", "candidates[0].partners", "cost shares must sum to 1, they sum to 1.1"),
    ("share-above-one", "candidates", [("partners: {US: 0.6, JP: 0.4}", "partners: {US: 1.6, JP: -0.6}")],
     "US: 1.6", "candidates[0].partners.US", "less than or equal to 1"),
    ("beyond-horizon", "candidates", [("earliest_start: 2026\n    scores:\n      standardization: 7",
                                        "earliest_start: 2031\n    scores:\n      standardization: 7")],
     "cost: [100, 200, 200]", "candidates[0].cost", "starting in 2031 at the earliest it ends in 2033, after its horizon end 2032"),
    ("outside-own-window", "candidates", [("latest_finish: 2030", "latest_finish: 2026")],
     "latest_finish: 2026", "candidates[1].latest_finish", "starting in 2026 it ends in 2027, after its latest_finish 2026"),
    ("label-not-a-level", "candidates", [("cost_sharing: signed", "cost_sharing: sealed")],
     "cost_sharing: sealed", "candidates[0].scores.cost_sharing",
     "'sealed' is not a level of criterion 'cost_sharing' (none, draft, signed)"),
    ("number-for-categorical", "candidates", [("cost_sharing: signed", "cost_sharing: 3")],
     "cost_sharing: 3", "candidates[0].scores.cost_sharing", "3 is not a level of criterion 'cost_sharing'"),
    ("label-for-numeric", "candidates", [("standardization: 7", "standardization: high")],
     "standardization: high", "candidates[0].scores.standardization",
     "'high' is a label, but criterion 'standardization' takes numbers on 0-10"),
    ("low-above-value", "candidates", [("low: 4", "low: 7")],
     "low: 7", "candidates[0].scores.export_friction.value", "needs low <= value <= high, got 7 <= 6 <= 8"),
    ("negative-cost", "candidates", [("cost: [100, 200, 200]", "cost: [100, -5, 200]")],
     "cost: [100, -5, 200]", "candidates[0].cost[1]", "greater than or equal to 0 (got -5)"),
    ("infinite-cost", "candidates", [("cost: [100, 200, 200]", "cost: [100, .inf, 200]")],
     "cost: [100, .inf, 200]", "candidates[0].cost[1]", "finite number"),
    ("nan-score", "candidates", [("standardization: 7", "standardization: .nan")],
     "standardization: .nan", "candidates[0].scores.standardization", "must be a finite number"),
    ("true-as-score", "candidates", [("standardization: 7", "standardization: true")],
     "standardization: true", "candidates[0].scores.standardization", "must be a number or a label, not true/false"),
    ("duplicate-candidate-id", "candidates", [("  - id: ship-mro", "  - id: t7a")],
     ("  - id: t7a", 2), "candidates[3].id", "duplicate id 't7a'"),
    ("bad-id", "candidates", [("  - id: ship-mro", "  - id: Ship MRO")],
     "  - id: Ship MRO", "candidates[3].id", "should match pattern"),
    ("negative-weight", "criteria", [("weight: 15", "weight: -1")],
     "weight: -1", "criteria[0].weight", "greater than or equal to 0 (got -1)"),
    ("nan-weight", "criteria", [("weight: 15", "weight: .nan")],
     "weight: .nan", "criteria[0].weight", "finite number"),
    ("inf-group-weight", "criteria", [("weight: 60", "weight: .inf")],
     "weight: .inf", "groups[0].weight", "finite number"),
    ("text-weight", "criteria", [("weight: 15", "weight: high")],
     "weight: high", "criteria[0].weight", "valid number (got 'high')"),
    ("all-weights-zero", "criteria", [("weight: 15", "weight: 0"), ("weight: 5", "weight: 0"), ("weight: 10", "weight: 0")],
     "criteria:", "criteria", "all criterion weights are zero"),
    ("unknown-key", "criteria", [("    weight: 15", "    wieght: 15")],
     "wieght: 15", "criteria[0].wieght", "unknown key"),
    ("unknown-group", "criteria", [("group: integration\n", "group: integratoin\n")],
     "group: integratoin", "criteria[0].group", "unknown group 'integratoin'"),
    ("scale-reversed", "criteria", [("scale: {min: 0, max: 10}", "scale: {min: 10, max: 0}")],
     "scale: {min: 10, max: 0}", "criteria[0].scale.max", "must be greater than min (10), got 0"),
    ("piecewise-short", "criteria", [("    weight: 15\n", "    weight: 15\n    value_function: {type: piecewise, points: [[0, 0], [5, 1]]}\n")],
     "value_function: {type: piecewise", "criteria[0].value_function.points", "must cover the whole scale 0-10"),
    ("categorical-value-above-one", "criteria", [("signed: 1}", "signed: 2}")],
     "signed: 2}", "criteria[1].value_function.levels.signed", "less than or equal to 1"),
    ("wrong-direction", "criteria", [("direction: cost", "direction: costs")],
     "direction: costs", "criteria[2].direction", "'benefit' or 'cost'"),
    ("weight-with-derived-method", "criteria", [("groups:\n", "weighting: {method: rank, rank: {order: [standardization, cost_sharing, export_friction]}}\ngroups:\n")],
     "weight: 15", "criteria[0].weight", "is not used: weights are derived by the rank method"),
    ("ahp-pair-missing", "criteria", [("    weight: 15\n", ""), ("    weight: 5\n", ""), ("    weight: 10\n", ""),
                                      ("groups:\n", "weighting:\n  method: ahp\n  ahp:\n    pairwise: [[standardization, cost_sharing, 3]]\ngroups:\n")],
     "pairwise:", "weighting.ahp.pairwise", "every pair of criteria needs a judgement; missing"),
    ("rank-unknown-criterion", "criteria", [("    weight: 15\n", ""), ("    weight: 5\n", ""), ("    weight: 10\n", ""),
                                            ("groups:\n", "weighting: {method: rank, rank: {order: [standardization, cost_sharing, export]}}\ngroups:\n")],
     "weighting:", "weighting.rank.order[2]", "unknown criterion 'export'"),
    ("wrong-version", "scenario", [("version: 1", "version: 2")],
     "version: 2", "version", "Input should be 1"),
    ("missing-name", "scenario", [("name: Test scenario\n", "")],
     "version: 1", "name", "required field is missing"),
    ("unknown-mandatory", "scenario", [("mandatory: [gpi]", "mandatory: [gpx]")],
     "mandatory: [gpx]", "rules.mandatory[0]", "unknown candidate 'gpx'"),
    ("mandatory-and-forbidden", "scenario", [("mandatory: [gpi]", "mandatory: [gpi]\n  forbidden: [gpi]")],
     "forbidden: [gpi]", "rules.forbidden", "gpi is both mandatory and forbidden"),
    ("unknown-partner-budget", "scenario", [("JP: {total: 500}", "KR: {total: 500}")],
     "KR: {total: 500}", "budget.per_partner.KR", "no candidate has partner 'KR' (partners: JP, US)"),
    ("unknown-category-rule", "scenario", [("co-sustainment: {min: 1}", "co-sustain: {min: 1}")],
     "co-sustain:", "rules.categories.co-sustain", "no candidate has category 'co-sustain'"),
    ("cap-year-outside-horizon", "scenario", [("2027: 300", "2040: 300")],
     "2040: 300", "budget.per_year.2040", "year 2040 is outside the horizon 2026-2032"),
    ("negative-year-cap", "scenario", [("2027: 300", "2027: -3")],
     "2027: -3", "budget.per_year.2027", "greater than or equal to 0 (got -3)"),
    ("text-year-cap", "scenario", [("per_year: {2026: 300, 2027: 300}", "per_year: lots")],
     "per_year: lots", "budget.per_year", "valid number (got 'lots')"),
    ("horizon-reversed", "scenario", [("horizon: {start: 2026, end: 2032}", "horizon: {start: 2026, end: 2020}")],
     "horizon:", "horizon.end", "2020 is before start 2026"),
    ("discount-too-big", "scenario", [("delay_discount: 0.05", "delay_discount: 1.5")],
     "delay_discount: 1.5", "objective.delay_discount", "less than 1"),
    ("unknown-method", "scenario", [("method: weighted-sum", "method: electre")],
     "method: electre", "method", "'weighted-sum', 'weighted-product', 'topsis' or 'promethee-ii'"),
    ("missing-criteria-file", "scenario", [("criteria: criteria.yaml", "criteria: nope.yaml")],
     "criteria: nope.yaml", "criteria", "nope.yaml does not exist"),
]


@pytest.mark.parametrize("kind, edits, marker, path, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_error_names_file_line_and_field(write_case, in_tmp, kind, edits, marker, path, message):
    case = write_case(in_tmp, {kind: edits})
    line = case.line_of(kind, *marker) if isinstance(marker, tuple) else case.line_of(kind, marker)
    result = CliRunner().invoke(main, ["validate", "scenario.yaml"])
    assert result.exit_code == 1, result.output
    expected_prefix = f"{case.file(kind).name}:{line}: {path}: "
    lines = result.stderr.splitlines()
    matching = [text for text in lines if text.startswith(expected_prefix)]
    assert matching, f"no line starts with {expected_prefix!r} in:\n{result.stderr}"
    assert message in matching[0]
    assert "Traceback" not in result.output
    assert lines[-1].startswith("coprod: ") and lines[-1].endswith("found")


def test_valid_case_loads(case):
    inputs = load_scenario(case.path)
    # In id order, not the file's order (gpi, t7a, tactical, ship-mro): outputs must not depend on it.
    assert [c.id for c in inputs.candidates.candidates] == ["gpi", "ship-mro", "t7a", "tactical"]
    assert inputs.scenario.budget.per_year == {2026: 300, 2027: 300}
    assert inputs.candidates.candidates[0].scores["export_friction"].low == 4


def test_shorthand_and_long_scores_are_the_same(case):
    inputs = load_scenario(case.path)
    short = next(c for c in inputs.candidates.candidates if c.id == "t7a").scores["export_friction"]
    assert (short.value, short.low, short.high, short.rationale) == (3, None, None, "")


def test_all_problems_are_reported_at_once(write_case, in_tmp):
    write_case(in_tmp, {"candidates": [("standardization: 7", "standardization: 12"), ("requires: [t7a]", "requires: [x]")],
                        "criteria": [("weight: 15", "wieght: 15")]})
    with pytest.raises(InputError) as info:
        load_scenario("scenario.yaml")
    # The criteria file's schema error stops the cross-file checks that need it.
    assert [p.path for p in info.value.problems] == ["criteria[0].wieght"]
    write_case(in_tmp, {"candidates": [("standardization: 7", "standardization: 12"), ("requires: [t7a]", "requires: [x]")]})
    with pytest.raises(InputError) as info:
        load_scenario("scenario.yaml")
    assert [p.path for p in info.value.problems] == ["candidates[0].scores.standardization", "candidates[2].requires[0]"]
    assert "(and 1 more; run 'coprod validate' to list them)" in str(info.value)


def test_paths_are_relative_to_the_scenario_file(case, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    inputs = load_scenario(case.path)
    assert inputs.files["criteria"] == case.folder / "criteria.yaml"


def test_scenario_from_stdin_resolves_paths_from_cwd(write_case, in_tmp):
    case = write_case(in_tmp)
    result = CliRunner().invoke(main, ["validate", "-"], input=case.texts["scenario"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "<stdin>: valid"


ALIAS_BOMB = "\n".join(
    ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
) + "\n"

# (id, file kind, whole new content, expected line or None, message part)
FILE_CASES = [
    ("empty-candidates", "candidates", b"", None, "is empty"),
    ("comment-only-criteria", "criteria", b"# nothing yet\n", None, "is empty"),
    ("not-utf8", "criteria", "version: 1\ncriteria:\n  - id: x\n    name: caf\xe9\n".encode("latin-1"), 4,
     "is not valid UTF-8 (byte 0xe9)"),
    ("duplicate-key", "scenario", (None, "seed: 7\n", "seed: 7\nseed: 8\n"), 21, "duplicate key 'seed'"),
    ("alias-bomb", "candidates", ALIAS_BOMB.encode(), None, "aliases expand to more than"),
    ("python-tag", "scenario", (None, "seed: 7\n", "seed: !!python/object/apply:os.system [id]\n"), 20,
     "tags are not allowed"),
    ("top-level-list", "criteria", b"- version: 1\n", 1, "is not a criteria file: its top level is a list"),
    ("binary", "candidates", b"version: 1\ncandidates: \x00\x01\x02", 2, "contains a NUL character"),
    ("png", "candidates", b"\x89PNG\r\n\x1a\n\x00\x00", 1, "is not valid UTF-8 (byte 0x89)"),
]


@pytest.mark.parametrize("kind, content, line, message", [c[1:] for c in FILE_CASES], ids=[c[0] for c in FILE_CASES])
def test_broken_file_names_file_and_line(write_case, in_tmp, kind, content, line, message):
    case = write_case(in_tmp)
    if isinstance(content, tuple):
        _, old, new = content
        content = case.texts[kind].replace(old, new).encode()
    case.file(kind).write_bytes(content)
    result = CliRunner().invoke(main, ["validate", "scenario.yaml"])
    assert result.exit_code == 1, result.output
    first = result.stderr.splitlines()[0]
    where = case.file(kind).name if line is None else f"{case.file(kind).name}:{line}"
    assert first.startswith(where + ": "), first
    assert message in first
    assert "Traceback" not in result.output


@pytest.mark.parametrize("kind", sorted(NAMES))
def test_version_true_is_refused_like_every_boolean(write_case, in_tmp, kind):
    # Literal[1] alone takes True, since True == 1 in Python.
    case = write_case(in_tmp, {kind: [("version: 1", "version: true")]})
    with pytest.raises(InputError) as info:
        load_scenario(case.path)
    assert [str(p) for p in info.value.problems] == [f"{NAMES[kind]}:1: version: Input should be 1, not true/false"]


def test_an_underscored_number_is_text_and_a_located_error(write_case, in_tmp):
    # YAML 1.1 reads 1_000 as 1000; YAML 1.2 (the core schema) as text.
    case = write_case(in_tmp, {"candidates": [("cost: [50, 50]", "cost: [1_000, 50]")]})
    with pytest.raises(InputError) as info:
        load_scenario(case.path)
    (problem,) = info.value.problems
    assert (problem.file, problem.line, problem.path) == ("candidates.yaml", case.line_of("candidates", "1_000"),
                                                          "candidates[1].cost[0]")
    assert problem.message.startswith("Input should be a valid number (got '1_000'; 1_000 is a number only in YAML 1.1")
    assert problem.message.endswith("write 1000)")


def test_a_duplicate_criterion_id_comes_alone_before_the_errors_it_causes(write_case, in_tmp):
    # The second export_friction is categorical: every candidate's number for it would look wrong too.
    case = write_case(in_tmp, {"criteria": [("  - id: cost_sharing", "  - id: export_friction")]})
    with pytest.raises(InputError) as info:
        load_scenario(case.path)
    assert [str(p) for p in info.value.problems] == [
        f"criteria.yaml:{case.line_of('criteria', '  - id: export_friction', 2)}: criteria[2].id: "
        "duplicate id 'export_friction'"]


PASSWD = "root:x:0:0:root:/root:/bin/bash\nsecret-user:x:1000:1000:s3cret-token:/home/s:/bin/sh\n"


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["criteria", "candidates"])
def test_a_file_that_is_not_ours_is_named_but_never_echoed(write_case, in_tmp, kind):
    case = write_case(in_tmp)
    case.file(kind).write_text("# not coprod's\n" + PASSWD)
    result = subprocess.run([COPROD, "validate", "scenario.yaml"], capture_output=True, text=True, cwd=in_tmp)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (f"{NAMES[kind]}:2: is not a {kind} file: its top level is text, "
                                             "not a mapping of keys (see 'coprod schema' for the format)")
    assert "root" not in result.stderr and "s3cret" not in result.stderr and "/bin" not in result.stderr


def test_a_shared_score_out_of_its_scale_is_named_at_every_candidate_holding_it(case):
    # Shorthand scores are shared instances, judged once: the problem must still be said at each candidate.
    path = case.file("candidates")
    path.write_text(re.sub(r"standardization: \d+", "standardization: 12", path.read_text(encoding="utf-8")),
                    encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(case.path)
    paths = [p.path for p in info.value.problems]
    assert paths == [f"candidates[{i}].scores.standardization" for i in range(4)], paths
