"""``coprod score`` and ``coprod weights``: exact output, exit codes, files."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from scorer.cli.group import main
from testkit import NO_CRITERION_WEIGHTS

TABLE = """\
rank  id        name                     score
----  --------  -----------------------  -----
   1  t7a       T-7A trainer             73.33
   2  gpi       Glide Phase Interceptor  66.00
   3  ship-mro  Ship MRO                 58.00
   4  tactical  Tactical trainer         49.33
"""

CSV = """\
rank,id,name,score,standardization,cost_sharing,export_friction
1,t7a,T-7A trainer,73.3333333333,48.0,6.6666666667,18.6666666667
2,gpi,Glide Phase Interceptor,66.0,42.0,13.3333333333,10.6666666667
3,ship-mro,Ship MRO,58.0,30.0,6.6666666667,21.3333333333
4,tactical,Tactical trainer,49.3333333333,36.0,0.0,13.3333333333
"""

WEIGHTS = """\
id               group        group_weight  raw_weight  source  effective_weight
---------------  -----------  ------------  ----------  ------  ----------------
standardization  integration       60.0000     15.0000  weight            0.6000
cost_sharing     governance        40.0000      5.0000  weight            0.1333
export_friction  governance        40.0000     10.0000  weight            0.2667

weighting: direct
"""


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_score_table(case):
    result = run("score", str(case.path), "--format", "table")
    assert result.exit_code == 0, result.output
    assert result.stdout == TABLE
    assert result.stderr == ""


def test_score_csv_has_contributions(case):
    result = run("score", str(case.path), "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout == CSV


def test_score_to_csv_file(case, in_tmp):
    result = run("score", str(case.path), "-o", "ranked.csv")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert (in_tmp / "ranked.csv").read_text() == CSV


def test_score_top_method_and_json(case):
    result = run("score", str(case.path), "--method", "topsis", "--top", "1", "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == ["t7a"]
    assert set(rows[0]) == {"rank", "id", "name", "score"}


def test_score_explain_and_promethee(case):
    result = run("score", str(case.path), "--method", "promethee-ii", "--explain", "--format", "table")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].split() == [
        "rank", "id", "name", "score", "standardization", "cost_sharing", "export_friction"]
    assert result.stdout.splitlines()[2].split()[-4:] == ["84.44", "60.00", "6.67", "17.78"]


def test_weight_override_changes_the_ranking(case):
    base = run("score", str(case.path), "--format", "csv")
    what_if = run("score", str(case.path), "--format", "csv", "-w", "cost_sharing=30", "-w", "export_friction=0")
    assert what_if.exit_code == 0
    assert what_if.stdout != base.stdout
    # governance is now all cost_sharing: gpi (signed) gains on t7a (draft)
    assert what_if.stdout.splitlines()[1].startswith("1,gpi,")


def test_at_low(case):
    result = run("score", str(case.path), "--format", "csv", "--at", "low", "--top", "2")
    assert result.stdout.splitlines()[2].startswith("2,gpi,Glide Phase Interceptor,71.3333333333,")


def test_weights_table(case):
    result = run("weights", str(case.path), "--format", "table")
    assert result.exit_code == 0
    assert result.stdout == WEIGHTS


def test_weights_json_with_ahp_and_warning(write_case, tmp_path):
    case = write_case(tmp_path, {"criteria": NO_CRITERION_WEIGHTS})
    path = case.file("criteria")
    path.write_text(path.read_text() + "weighting:\n  method: ahp\n  ahp:\n    pairwise:\n"
                    "      - [standardization, cost_sharing, 9]\n      - [cost_sharing, export_friction, 9]\n"
                    "      - [export_friction, standardization, 9]\n")
    result = run("weights", str(case.path), "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["method"] == "ahp"
    assert data["ahp"]["cr"] > 0.1
    assert [row["source"] for row in data["criteria"]] == ["AHP eigenvector (%)"] * 3
    assert result.stderr.startswith("coprod: warning: AHP consistency ratio ")
    # the warning goes with score too, and the data still comes out
    scored = run("score", str(case.path), "--format", "csv")
    assert scored.exit_code == 0 and "consistency ratio" in scored.stderr and scored.stdout.startswith("rank,")


@pytest.mark.parametrize("args, code, message", [
    (["-w", "nope=3"], 1, "coprod: error: weight override nope=...: unknown criterion 'nope' (criteria: standardization, cost_sharing, export_friction); on the command line: -w\n"),
    (["-w", "cost_sharing=lots"], 2, "'cost_sharing=lots': 'lots' is not a number"),
    (["-w", "cost_sharing=-2"], 2, "'cost_sharing=-2': a weight must be a non-negative number"),
    (["-w", "cost_sharing=1", "-w", "cost_sharing=2"], 1, "coprod: error: -w cost_sharing: given more than once\n"),
    (["-w", "cost_sharing"], 2, "'cost_sharing' is not ID=NUMBER"),
    (["--method", "borda"], 2, "Invalid value for '--method'"),
    (["--at", "mid"], 2, "Invalid value for '--at'"),
    (["--top", "0"], 2, "Invalid value for '--top'"),
])
def test_bad_options(case, args, code, message):
    result = run("score", str(case.path), "--format", "csv", *args)
    assert result.exit_code == code
    assert result.stdout == ""
    if code == 1:
        assert result.stderr == message
    else:
        assert message in result.stderr


def test_weights_command_rejects_bad_override(case):
    result = run("weights", str(case.path), "-w", "nope=1")
    assert result.exit_code == 1
    assert result.stderr.startswith("coprod: error: weight override nope=...: unknown criterion 'nope'")


def test_refuses_to_overwrite_an_input(case):
    target = case.file("criteria")
    before = target.read_text()
    result = run("score", str(case.path), "-o", str(target))
    assert result.exit_code == 1
    assert "refusing to overwrite an input file" in result.stderr
    assert target.read_text() == before


def test_failed_write_leaves_no_file(case, in_tmp):
    result = run("score", str(case.path), "-o", "missing-folder/ranked.csv")
    assert result.exit_code == 1
    assert "does not exist" in result.stderr
    assert not (in_tmp / "missing-folder").exists()
    assert not list(in_tmp.glob(".ranked.csv.*"))


def test_formula_like_names_are_neutralised_in_csv(write_case, tmp_path):
    case = write_case(tmp_path, {"candidates": [("name: Ship MRO", "name: '=HYPERLINK(\"http://x\")'")]})
    result = run("score", str(case.path), "--format", "csv")
    assert result.exit_code == 0
    assert "3,ship-mro,\"'=HYPERLINK(\"\"http://x\"\")\",58.0," in result.stdout


def test_default_scenario_scores():
    result = run("score", "--format", "csv", "--top", "3")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 4 and lines[0].startswith("rank,id,name,score,standardization,")


# ------------------------------------------------------------ weights set ---


def test_weights_set_changes_the_file_and_says_so(case):
    target = case.file("criteria")
    result = run("weights", "set", str(target), "standardization=20", "governance=50")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == (f"coprod: note: {target}: standardization weight set to 20\n"
                             f"coprod: note: {target}: governance weight set to 50\n")
    assert target.read_text() == case.texts["criteria"].replace("weight: 15\n", "weight: 20\n").replace(
        "weight: 40\n", "weight: 50\n")
    shown = run("weights", str(case.path), "--format", "csv")
    assert shown.stdout.splitlines()[1] == "standardization,integration,60.0,20.0,weight,0.5454545455"


@pytest.mark.parametrize("quiet", [["-q", "weights", "set"], ["weights", "set", "-q"], ["--quiet", "weights", "set"]])
def test_weights_set_quiet(case, quiet):
    result = run(*quiet, str(case.file("criteria")), "cost_sharing=1")
    assert result.exit_code == 0 and result.stderr == "" and result.stdout == ""
    assert "    weight: 1\n" in case.file("criteria").read_text()


def test_weights_set_dry_run_prints_and_leaves_the_file(case):
    result = run("weights", "set", "--dry-run", str(case.file("criteria")), "cost_sharing=2.5")
    assert result.exit_code == 0
    assert result.stdout == case.texts["criteria"].replace("weight: 5\n", "weight: 2.5\n")
    assert case.file("criteria").read_text() == case.texts["criteria"]


@pytest.mark.parametrize("args, code, message", [
    (["nope=1"], 1, "coprod: error: {f}: no criterion or group 'nope' (known: standardization, cost_sharing, "
                    "export_friction, integration, governance)\n"),
    (["cost_sharing=-1"], 1, "coprod: error: {f}: cost_sharing=-1: '-1' is not a non-negative number\n"),
    (["cost_sharing=x"], 1, "coprod: error: {f}: cost_sharing=x: 'x' is not a number\n"),
    ([], 2, "Missing argument 'ID=NUMBER...'"),
])
def test_weights_set_errors(case, args, code, message):
    target = str(case.file("criteria"))
    result = run("weights", "set", target, *args)
    assert result.exit_code == code
    assert message.format(f=target) in result.stderr
    assert "Traceback" not in result.output
    assert case.file("criteria").read_text() == case.texts["criteria"]


def test_weights_show_is_the_default_sub_command(case):
    plain = run("weights", str(case.path), "--format", "table")
    assert run("weights", "show", str(case.path), "--format", "table").stdout == plain.stdout == WEIGHTS
    assert run("weights", "--format", "table", str(case.path)).stdout == WEIGHTS


@pytest.mark.slow
def test_score_and_weights_to_xlsx(case, in_tmp):
    import openpyxl

    assert run("score", str(case.path), "-o", "ranked.xlsx").exit_code == 0
    ws = openpyxl.load_workbook(in_tmp / "ranked.xlsx")["ranking"]
    assert [c.value for c in ws[1]] == ["rank", "id", "name", "score", "standardization", "cost_sharing",
                                        "export_friction"]
    assert [c.value for c in ws[2]][:3] == [1, "t7a", "T-7A trainer"]
    assert ws["D2"].value == pytest.approx(73.3333333333)
    result = run("weights", str(case.path), "--format", "xlsx", "-o", "w.xlsx")
    assert result.exit_code == 0
    wb = openpyxl.load_workbook(in_tmp / "w.xlsx")
    assert wb.sheetnames == ["weights", "weighting", "about"]
    assert wb["weights"]["F2"].value == pytest.approx(0.6) and wb["weights"]["F2"].number_format == "0.0%"
    assert wb["weighting"]["A2"].value == "direct"


def test_quiet_turns_progress_bars_off_for_that_run_only(case):
    from scorer import progress

    assert run("-q", "score", str(case.path), "--format", "csv").exit_code == 0
    assert progress._enabled is False
    assert run("score", str(case.path), "--format", "csv").exit_code == 0
    assert progress._enabled is True
    assert run("score", str(case.path), "-q", "--format", "csv").exit_code == 0
    assert progress._enabled is False
    run("score", str(case.path), "--format", "csv")


@pytest.mark.slow
def test_promethee_u_shape_at_its_threshold_through_the_installed_command():
    """0.1, 0.4, 0.4 with u-shape q = 0.3: 0.4 - 0.1 is not greater than q (Brans & Vincke
    1985), so every candidate scores 50; before the fix the two passes rounded differently
    and gave 75/75/50."""
    import subprocess
    import sys
    from pathlib import Path

    coprod = Path(sys.executable).with_name("coprod")
    scenario = Path(__file__).parents[1] / "data/promethee-threshold/scenario.yaml"
    done = subprocess.run([str(coprod), "score", str(scenario), "--format", "json"],
                          capture_output=True, text=True, timeout=60, check=True)
    assert [row["score"] for row in json.loads(done.stdout)] == [50.0, 50.0, 50.0]


# ------------------------------------------------- any finite number ---

def _coprod(*args: str):
    import subprocess
    import sys
    from pathlib import Path

    return subprocess.run([str(Path(sys.executable).with_name("coprod")), *args], capture_output=True, text=True,
                          timeout=120)


HUGE = {"criteria": [("weight: 15\n", "weight: 1e308\n"), ("weight: 5\n", "weight: 1e308\n"),
                     ("weight: 10\n", "weight: 1e308\n"), ("weight: 60\n", "weight: 1e308\n"),
                     ("weight: 40\n", "weight: 1e308\n"), ("scale: {min: 0, max: 10}", "scale: {min: -1e308, max: 1e308}")]}


@pytest.mark.slow
def test_huge_weights_and_a_scale_too_wide_to_subtract_score_as_ordinary_ones(write_case, tmp_path):
    # Weights of 1e308 summed to inf (every effective weight 0); (x - min) / (max - min) on
    # -1e308..1e308 divided by inf (every value 0 instead of about 0.5).
    case = write_case(tmp_path, HUGE)
    shown = _coprod("weights", str(case.path), "--format", "json")
    assert shown.returncode == 0, shown.stderr
    assert [row["effective_weight"] for row in json.loads(shown.stdout)["criteria"]] == [0.5, 0.25, 0.25]
    scored = _coprod("score", str(case.path), "--format", "json")
    assert scored.returncode == 0 and scored.stderr == ""
    rows = json.loads(scored.stdout)
    assert [row["standardization"] for row in rows] == pytest.approx([25.0] * 4, rel=1e-12)


@pytest.mark.slow
def test_weights_set_writes_1e308_as_a_number_yaml_reads_back(case):
    from ruamel.yaml import YAML

    done = _coprod("weights", "set", "--dry-run", str(case.file("criteria")), "cost_sharing=1e308")
    assert done.returncode == 0, done.stderr
    assert "    weight: 1e+308\n" in done.stdout
    assert YAML(typ="safe").load(done.stdout)["criteria"][1]["weight"] == 1e308
    tiny = _coprod("weights", "set", str(case.file("criteria")), "cost_sharing=1e-400")
    assert tiny.returncode == 1 and tiny.stdout == ""
    assert tiny.stderr == (f"coprod: error: {case.file('criteria')}: cost_sharing=1e-400: '1e-400' is too small "
                           "to be stored: it would become 0 (the smallest is about 5e-324)\n")
    assert case.file("criteria").read_text() == case.texts["criteria"]
