"""coprod optimize on the command line: exit codes, formats, files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scorer.cli.group import main
from scorer.defaults import default_scenario


def run(*args: str):
    return CliRunner().invoke(main, ["optimize", *args])


def test_default_scenario_runs() -> None:
    result = run("--format", "table")
    assert result.exit_code == 0, result.output
    assert "status: optimal" in result.output and "gpi" in result.output


def test_csv_columns() -> None:
    result = run("--format", "csv")
    assert result.exit_code == 0
    header = result.output.splitlines()[0]
    assert header == "id,name,start,finish,value,cost_total,cost_JP,cost_US,discounted_value"
    assert len(result.output.splitlines()) == 1 + 9


def test_json_object() -> None:
    data = json.loads(run("--format", "json").output)
    assert data["status"] == "optimal" and data["gap"] == 0
    assert data["objective"] == pytest.approx(520.257, abs=1e-3) and data["bound"] >= data["objective"]
    assert {"id", "start", "finish", "value"} <= set(data["selected"][0])
    assert set(data["spend"]["2028"]) == {"total", "US", "JP"}


@pytest.mark.slow
def test_explain_adds_limits_and_thresholds() -> None:
    data = json.loads(run("--format", "json", "--explain").output)
    assert "budget_total" in data["binding"]
    assert {t["id"] for t in data["thresholds"]} >= {"gpi", "cca"}


@pytest.mark.slow
def test_overrides_change_the_answer() -> None:
    data = json.loads(run("--format", "json", "--budget", "3000", "--year-cap", "2030=500").output)
    assert data["objective"] < 520 and data["spend"]["2030"]["total"] <= 500


def test_usage_errors_exit_2() -> None:
    assert run("--year-cap", "2028").exit_code == 2
    assert run("--year-cap", "x=1").exit_code == 2
    assert run("--solver", "glpk").exit_code == 2
    assert run("--lp", "model.txt").exit_code == 2
    assert run("--gap", "1.5").exit_code == 2


@pytest.mark.slow
def test_domain_errors_exit_1_with_one_message() -> None:
    result = run("--year-cap", "2050=10")
    assert result.exit_code == 1 and "outside the horizon" in result.output
    result = run("--budget", "1000")
    assert result.exit_code == 1
    assert "infeasible: mandatory gpi needs 2,350 in total but the total budget is 1,000" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_output_files_schedule_and_lp(tmp_path: Path) -> None:
    out, sched, mps, lp = (tmp_path / n for n in ("p.json", "s.csv", "m.mps", "m.lp"))
    result = run("-o", str(out), "--schedule", str(sched), "--lp", str(mps))
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["status"] == "optimal"
    assert sched.read_text().splitlines()[0].startswith("year,aircraft-mro,dual-use-jv,")  # projects in id order
    assert "cap_total" in sched.read_text() and "slack_JP" in sched.read_text()
    # No OBJSENSE (GLPK refuses it): the file minimises minus the value (tests/present/test_modelfile.py solves it).
    assert mps.read_text().splitlines()[2:5] == ["NAME coprod_portfolio", "ROWS", " N  minus_value"]
    assert run("--lp", str(lp), "--format", "csv").exit_code == 0
    assert "Maximize" in lp.read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_refuses_to_overwrite_the_scenario(tmp_path: Path) -> None:
    result = run(str(default_scenario()), "-o", str(default_scenario()))
    assert result.exit_code == 1 and "refusing" in result.output


@pytest.mark.slow
def test_explain_with_csv_says_where_the_explanation_is():
    from click.testing import CliRunner

    from scorer.cli.group import main

    result = CliRunner().invoke(main, ["optimize", "--explain", "--format", "csv"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "id,name,start,finish,value,cost_total,cost_JP,cost_US,discounted_value"
    assert result.stderr == ("coprod: warning: CSV holds the portfolio only; use --format json, table or markdown "
                             "to see the explanation\n")


@pytest.mark.slow
def test_quiet_drops_warnings_not_data() -> None:
    result = CliRunner().invoke(main, ["-q", "optimize", "--explain", "--format", "csv"])
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.splitlines()[0] == "id,name,start,finish,value,cost_total,cost_JP,cost_US,discounted_value"
    failed = CliRunner().invoke(main, ["-q", "optimize", "--budget", "1000"])
    assert failed.exit_code == 1 and failed.stderr.startswith("coprod: error: infeasible")  # errors stay


@pytest.mark.slow
def test_xlsx_workbook_sheets(tmp_path: Path) -> None:
    import openpyxl

    out = tmp_path / "portfolio.xlsx"
    result = run("--explain", "-o", str(out))
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["portfolio", "schedule", "limits", "thresholds", "about"]
    portfolio = wb["portfolio"]
    assert [c.value for c in portfolio[1]][:6] == ["id", "name", "start", "finish", "value", "cost_total"]
    assert portfolio.max_row == 1 + 9 and portfolio["A2"].value == "aircraft-mro" and portfolio["C2"].number_format == "0"
    schedule = wb["schedule"]
    assert [c.value for c in schedule["A"]][1:] == list(range(2026, 2036))
    assert "budget_total" in [c.value for c in wb["limits"]["A"]]
    first = out.read_bytes()
    assert run("--explain", "-o", str(out)).exit_code == 0 and out.read_bytes() == first  # byte-identical rerun


def _coprod(*args: str):
    import subprocess
    import sys

    return subprocess.run([str(Path(sys.executable).with_name("coprod")), *args], capture_output=True, text=True,
                          timeout=300)


@pytest.mark.slow
def test_cbc_says_optimal_when_it_proves_it(tmp_path: Path) -> None:
    # Four candidates: CBC proved the optimum at once, but the command said "stopped by a limit,
    # not proven optimal (gap unknown, bound none proven)".
    from scorer.inputs.starter import write_starter

    scenario, out = write_starter(tmp_path / "starter")[0], tmp_path / "out.json"
    done = _coprod("optimize", str(scenario), "--solver", "cbc", "--budget", "100", "--format", "json", "-o", str(out))
    assert (done.returncode, done.stderr) == (0, "")
    data = json.loads(out.read_text())
    assert (data["status"], data["gap"], data["bound"]) == ("optimal", 0.0, data["objective"])


@pytest.mark.slow
@pytest.mark.parametrize("seconds", ["0.05", "0.5"])
def test_cbc_stopped_by_a_time_limit_says_what_it_proved(write_hard_scenario, tmp_path: Path, seconds: str) -> None:
    # Stopped on time, CBC logged a "bound" of -4.8e12 for a portfolio of 97.3: shown as
    # "bound 97.3410, gap 2,342,127,939 %". A bound is now at least the objective, or none.

    (tmp_path / "hard").mkdir()
    scenario, out = write_hard_scenario(tmp_path / "hard", n=30), tmp_path / "out.json"
    done = _coprod("optimize", str(scenario), "--solver", "cbc", "--time-limit", seconds, "--format", "json",
                   "-o", str(out))
    if done.returncode == 1:  # nothing found in time; never "infeasible"
        assert done.stderr.startswith("coprod: error: the cbc solver found no portfolio (TimeLimit) within")
        return
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text())
    if data["status"] == "optimal":
        assert data["bound"] == data["objective"] and data["gap"] == 0.0 and done.stderr == ""
    elif data["bound"] is None:
        assert data["gap"] is None
        assert "(gap unknown, bound none proven)" in done.stderr
    else:
        assert data["bound"] >= data["objective"]
        assert data["gap"] == pytest.approx((data["bound"] - data["objective"]) / data["objective"])
        assert f"(gap {data['gap']:.4%}, bound {data['bound']:.4f})" in done.stderr


@pytest.mark.slow
def test_cbc_solves_a_scenario_whose_limit_names_collide() -> None:
    import subprocess
    import sys

    coprod = str(Path(sys.executable).with_name("coprod"))
    scenario = str(Path(__file__).resolve().parents[1] / "data/model_names/scenario.yaml")
    runs = {solver: subprocess.run([coprod, "optimize", scenario, "--solver", solver, "--explain", "--format",
                                    "json"], capture_output=True, text=True, timeout=300)
            for solver in ("cbc", "highs")}
    for run in runs.values():
        assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    cbc, highs = (json.loads(runs[s].stdout) for s in ("cbc", "highs"))
    assert cbc["objective"] == pytest.approx(highs["objective"], rel=1e-9)
    assert [(p["id"], p["start"]) for p in cbc["selected"]] == [(p["id"], p["start"]) for p in highs["selected"]]
