"""coprod compare on the command line: exact output, exit codes, formats."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from scorer.cli.group import main


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def pair(write_case, tmp_path: Path) -> tuple[str, str]:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = write_case(tmp_path / "a")
    b = write_case(tmp_path / "b", {"scenario": [("max_projects: 3", "max_projects: 2")]})
    return str(a.path), str(b.path)


def test_table_shows_every_difference(pair):
    a, b = pair
    result = run("compare", a, b, "--format", "table")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout == f"""\
A: {a} (Test scenario)
B: {b} (Test scenario)
unchanged: effective weights, candidates

Projects in or out, or moved (an empty start: not selected):

id   name          change  start_a  start_b
---  ------------  ------  -------  -------
t7a  T-7A trainer  out        2026

Results:

metric       a        b        changed
-----------  -------  -------  -------
status       optimal  optimal    False
objective    197.33   124.00      True
projects     3        2           True
spend_total  640.00   540.00      True

Spend by year, both partners:

year  spend_a  spend_b  change
----  -------  -------  ------
2026   170.00   120.00  -50.00
2027   270.00   220.00  -50.00

Scenario settings (budgets, rules, horizon, objective, method, solver):

field               a  b
------------------  -  -
rules.max_projects  3  2
"""


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_text_formats_leave_out_empty_tables(pair, tmp_path, fmt):
    # Through the installed command: an empty table is named on the "unchanged:" line, not printed.
    out = tmp_path / "diff.txt"
    coprod = Path(sys.executable).with_name("coprod")
    result = subprocess.run([coprod, "compare", *pair, "--format", fmt, "-o", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert text.splitlines()[2] == "unchanged: effective weights, candidates"
    assert "no differences" not in text and "weight_a" not in text and "value_a" not in text
    assert "rules.max_projects" in text and "t7a" in text
    same = tmp_path / "same.txt"
    assert subprocess.run([coprod, "compare", pair[0], pair[0], "--format", fmt, "-o", str(same)]).returncode == 0
    assert same.read_text().splitlines()[2:4] == ["no differences", ""]
    assert "start_a" not in same.read_text() and "objective" in same.read_text()


def test_identical_scenarios_exit_0_too(pair):
    a, _ = pair
    result = run("compare", a, a, "--format", "table")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[2] == "no differences"


@pytest.mark.slow
def test_csv_is_the_portfolio_changes_with_a_note(pair):
    result = run("compare", *pair, "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout == "id,name,change,start_a,start_b\nt7a,T-7A trainer,out,2026,\n"
    assert result.stderr.startswith("coprod: note: CSV holds the portfolio table only (not summary, spend,")
    assert run("-q", "compare", *pair, "--format", "csv").stderr == ""


@pytest.mark.slow
def test_json_and_xlsx_hold_every_table(pair, tmp_path):
    data = json.loads(run("compare", *pair, "--format", "json").stdout)
    assert list(data) == sorted(["portfolio", "summary", "spend", "weights", "settings", "candidates"])
    assert data["portfolio"] == [{"id": "t7a", "name": "T-7A trainer", "change": "out", "start_a": 2026,
                                  "start_b": None}]
    out = tmp_path / "diff.xlsx"
    assert run("compare", *pair, "-o", str(out)).exit_code == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["portfolio", "summary", "spend", "weights", "settings", "candidates", "about"]
    assert [c.value for c in wb["spend"][2]] == [2026, 170, 120, -50]
    assert [c.number_format for c in wb["spend"][2]] == ["0", "#,##0.00", "#,##0.00", "#,##0.00"]
    about = {row[0].value: row[1].value for row in wb["about"].iter_rows(min_row=2)}
    assert about["command"] == "coprod compare"
    assert {"A scenario", "B scenario", "A objective", "B status"} <= set(about)


def test_errors(pair, tmp_path):
    a, _ = pair
    missing = run("compare", a, str(tmp_path / "nope.yaml"))
    assert missing.exit_code == 1 and missing.stderr.startswith("coprod: error: ")
    assert "nope.yaml: file not found" in missing.stderr
    assert run("compare", a).exit_code == 2
    assert run("compare", "-", "-").exit_code == 2
    protected = run("compare", a, a, "-o", a)
    assert protected.exit_code == 1 and "refusing to overwrite an input file" in protected.stderr


@pytest.mark.slow
def test_an_infeasible_scenario_is_named_by_its_file(write_case, pair, tmp_path):
    a, _ = pair
    (tmp_path / "c").mkdir()
    c = write_case(tmp_path / "c", {"scenario": [("total: 900", "total: 400")]})
    result = run("compare", a, str(c.path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"coprod: error: infeasible: {c.path} (B): mandatory gpi needs 500")
    assert result.stderr.splitlines()[1].startswith("conflicting limits: ")


def _installed_json(*args: str) -> dict:
    done = subprocess.run([str(Path(sys.executable).with_name("coprod")), *args, "--format", "json", "-q"],
                          capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_compare_with_an_objective_compares_that_concepts_portfolios(case) -> None:
    from testkit import write_perspectives

    bilateral = write_perspectives(case)
    assert "values" not in _installed_json("compare", str(case.path), str(case.path))
    doc = _installed_json("compare", str(case.path), str(bilateral), "--objective", "joint")
    assert doc["values"] == {"A": "joint", "B": "joint"}
    for concept in ("nash", "US"):
        doc = _installed_json("compare", str(bilateral), str(bilateral), "--objective", concept)
        assert doc["values"] == {"A": concept, "B": concept}
        summary = {row["metric"]: row for row in doc["summary"]}
        chosen = _installed_json("optimize", str(bilateral), "--objective", concept)
        assert summary["objective"]["a"] == pytest.approx(chosen["objective"], abs=1e-6)
