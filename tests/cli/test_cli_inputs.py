"""`coprod validate`, `coprod schema`, `--version` and `-h` through click's runner."""

from __future__ import annotations

import json

from click.testing import CliRunner

from scorer import __version__
from scorer.cli.group import main
from scorer.defaults import default_scenario


def run(*args: str, **kwargs):
    return CliRunner().invoke(main, list(args), prog_name="coprod", **kwargs)


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"coprod {__version__}\n"


def test_help_short_and_long():
    for flag in ("-h", "--help"):
        result = run(flag)
        assert result.exit_code == 0
        assert "Usage: coprod [OPTIONS] COMMAND" in result.stdout
        assert "validate" in result.stdout and "schema" in result.stdout


def test_validate_default_scenario(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default scenario must not depend on the current directory
    result = run("validate")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].endswith("baseline.yaml: valid")
    assert lines[1] == "  scenario:   Baseline 2026-2035"
    assert lines[2].startswith("  criteria:   12 in 4 groups")
    assert result.stderr == ""


def test_default_scenario_is_the_shipped_baseline():
    assert default_scenario().name == "baseline.yaml"
    assert default_scenario().is_file()


def test_validate_exact_summary(write_case, in_tmp):
    write_case(in_tmp)
    result = run("validate", "scenario.yaml")
    assert result.exit_code == 0
    assert result.stdout == (
        "scenario.yaml: valid\n"
        "  scenario:   Test scenario\n"
        "  criteria:   3 in 2 groups, weighting direct\n"
        "  candidates: 4 (USD million (notional)); 1 scores with a low/high range\n"
        "  horizon:    2026-2032 (7 years)\n"
        "  budget:     total 900; per year set for 2 years; per partner: JP, US\n"
        "  rules:      mandatory gpi; at most 3 projects; co-sustainment >= 1\n"
        "  method:     weighted-sum; solver highs (time limit 10 s, gap 0); seed 7\n"
    )


def test_validate_missing_file_exit_1(in_tmp):
    result = run("validate", "nope.yaml")
    assert result.exit_code == 1
    assert result.stderr == "nope.yaml: file not found\ncoprod: 1 problem found\n"
    assert result.stdout == ""


def test_validate_lists_every_problem(write_case, in_tmp):
    write_case(in_tmp, {"candidates": [("standardization: 7", "standardization: 12"), ("requires: [t7a]", "requires: [x]")]})
    result = run("validate", "scenario.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "candidates.yaml:11: candidates[0].scores.standardization: 12 is outside the scale 0-10 of criterion 'standardization'",
        "candidates.yaml:30: candidates[2].requires[0]: unknown candidate 'x'",
        "coprod: 2 problems found",
    ]


def test_unknown_command_is_usage_error():
    result = run("frobnicate")
    assert result.exit_code == 2


def test_too_many_arguments_is_usage_error():
    assert run("validate", "a.yaml", "b.yaml").exit_code == 2


def test_schema_all_kinds():
    result = run("schema")
    assert result.exit_code == 0
    schemas = json.loads(result.stdout)
    assert sorted(schemas) == ["candidates", "criteria", "scenario"]
    assert schemas["criteria"]["additionalProperties"] is False
    assert "weighting" in schemas["criteria"]["properties"]


def test_schema_one_kind():
    result = run("schema", "scenario")
    schema = json.loads(result.stdout)
    assert schema["title"] == "coprod scenario file"
    assert set(schema["required"]) == {"version", "name", "criteria", "candidates", "horizon"}


def test_schema_unknown_kind_is_usage_error():
    assert run("schema", "portfolio").exit_code == 2
