"""coprod sensitivity, frontier and alternatives: exact outputs, exit codes, determinism across workers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from scorer.cli.group import main

COPROD = Path(sys.executable).with_name("coprod")
ROBUST = ("seed: 7\n", "seed: 7\nrobustness:\n  weight_ranges: {nope: [0.1, 0.2]}\n")


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.slow
def test_alternatives_csv_is_exact(case) -> None:
    # gpi is mandatory and a co-sustainment project (only ship-mro) is required;
    # tactical needs t7a, which would make 4 projects (max 3): two sets fit.
    r = run("alternatives", str(case.path), "-k", "10", "--format", "csv")
    assert r.exit_code == 0
    assert r.stdout == ("rank,status,objective,gap_to_best,gap_pct,projects,portfolio\n"
                        "1,optimal,197.3333333333,0.0,0.0,3,gpi ship-mro t7a\n"
                        "2,optimal,124.0,73.3333333333,37.1621621622,2,gpi ship-mro\n")
    assert r.stderr == ("coprod: note: only 2 distinct portfolios fit\n"
                        "coprod: note: CSV holds the alternatives table only (not roles); the json, "
                        "markdown and xlsx formats hold every table; on the command line: --format\n")
    best = run("optimize", str(case.path), "--format", "json")
    assert json.loads(best.stdout)["objective"] == pytest.approx(197.3333333333)


def test_alternatives_json_has_roles(case) -> None:
    r = run("alternatives", str(case.path), "-k", "2", "--format", "json", "-q")
    doc = json.loads(r.stdout)
    assert r.exit_code == 0 and r.stderr == ""
    assert [(row["id"], row["role"]) for row in doc["roles"]] == [
        ("gpi", "core"), ("ship-mro", "core"), ("t7a", "swappable"), ("tactical", "out")]


def test_frontier_csv_is_exact(case) -> None:
    # Levels 0..880 (the candidates' costs together: 500 + 100 + 240 + 40).
    # gpi alone costs 500, so 0, 220 and 440 leave no portfolio.
    r = run("frontier", str(case.path), "--steps", "5", "--workers", "1", "--format", "csv", "-q")
    assert r.exit_code == 0
    assert r.stdout == ("level,status,objective,gap,spend,projects,added,dropped,portfolio\n"
                        "0.0,infeasible,,,,0,,,\n220.0,infeasible,,,,0,,,\n440.0,infeasible,,,,0,,,\n"
                        "660.0,optimal,197.3333333333,0.0,640.0,3,,,gpi ship-mro t7a\n"
                        "880.0,optimal,197.3333333333,0.0,640.0,3,,,gpi ship-mro t7a\n")


@pytest.mark.slow
def test_frontier_by_year_and_bad_ranges(case) -> None:
    r = run("frontier", str(case.path), "--year", "2026", "--from", "0", "--to", "300", "--steps", "4",
            "--format", "json", "-q", "--workers", "1")
    doc = json.loads(r.stdout)
    values = [row["objective"] for row in doc["frontier"]]
    assert r.exit_code == 0 and values == sorted(values)
    assert [row["id"] for row in doc["buy_order"]] == ["gpi", "ship-mro", "t7a"]
    bad = run("frontier", str(case.path), "--from", "10", "--to", "5")
    assert bad.exit_code == 1 and bad.stderr == ("coprod: error: the sweep needs 0 <= start < stop, got 10 to 5; "
                                                     "on the command line: --from, --to\n")
    out = run("frontier", str(case.path), "--year", "2040")
    assert out.exit_code == 1 and "outside the horizon 2026-2032" in out.stderr


def test_sensitivity_csv_is_the_acceptability_table(case) -> None:
    r = run("sensitivity", str(case.path), "--samples", "40", "--no-portfolios", "--format", "csv")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0] == "id,name,expected_rank,rank_1,rank_2,rank_3,rank_4"
    assert len(lines) == 5
    for line in lines[1:]:
        assert sum(float(x) for x in line.split(",")[3:]) == pytest.approx(1.0)
    assert r.stderr == ("coprod: note: CSV holds the acceptability table only (not flips); the json, markdown "
                        "and xlsx formats hold every table; on the command line: --format\n")


def test_sensitivity_options_and_errors(case) -> None:
    both = run("sensitivity", str(case.path), "--concentration", "5", "--weight-range", "cost_sharing=0.1:0.3")
    assert both.exit_code == 1
    assert both.stderr == ("coprod: error: give a concentration (Dirichlet) or weight ranges (uniform), not both; "
                           "on the command line: --concentration, --weight-range\n")
    shape = run("sensitivity", str(case.path), "--weight-range", "cost_sharing=0.1")
    assert shape.exit_code == 2 and "is not ID=LO:HI" in shape.stderr
    unknown = run("sensitivity", str(case.path), "--weight-range", "nope=0.1:0.3", "--no-portfolios")
    assert unknown.exit_code == 1 and "unknown criterion 'nope'" in unknown.stderr
    topsis = run("sensitivity", str(case.path), "--method", "topsis", "--score-dist", "pert", "--no-portfolios")
    assert topsis.exit_code == 1 and topsis.stderr.endswith(
        "; set robustness.score_distribution to none; on the command line: --score-dist\n")


def test_weight_ranges_in_the_scenario_are_checked(write_case, tmp_path: Path) -> None:
    case = write_case(tmp_path, {"scenario": [ROBUST]})
    r = run("validate", str(case.path))
    assert r.exit_code == 1
    line = case.line_of("scenario", "weight_ranges")
    assert (f"scenario.yaml:{line}: robustness.weight_ranges.nope: unknown criterion 'nope' "
            "(criteria: standardization, cost_sharing, export_friction)") in r.stdout + r.stderr


def test_weight_ranges_from_the_scenario_are_used(write_case, tmp_path: Path) -> None:
    case = write_case(tmp_path, {"scenario": [("seed: 7\n", "seed: 7\nrobustness:\n  samples: 30\n"
                                               "  weight_ranges: {cost_sharing: [0.0, 0.9]}\n")]})
    r = run("sensitivity", str(case.path), "--no-portfolios", "--format", "json")
    settings = json.loads(r.stdout)["settings"]
    assert r.exit_code == 0
    assert (settings["samples"], settings["weights"], settings["weight_ranges"]) == (
        30, "uniform in ranges", {"cost_sharing": [0.0, 0.9]})


# ---------------------------------------------------- same seed, same bytes ---

SENSITIVITY = ("--samples", "40", "--portfolio-samples", "40", "--concentration", "2", "--score-dist", "pert",
               "--tolerance", "0.1", "--format", "json", "-q")


@pytest.fixture
def choice_case(write_case, tmp_path: Path):
    """gpi plus one more project: t7a or ship-mro, depending on the weights."""
    return write_case(tmp_path, {"scenario": [("  max_projects: 3\n", "  max_projects: 2\n"),
                                              ("  categories:\n    co-sustainment: {min: 1}\n", "")]})


@pytest.fixture(scope="module")
def cluster():
    from dask import distributed  # the test extra has it: a missing Dask is a failure, not a skip

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local:
        yield local.scheduler_address


def _file(case, out: Path, *extra: str) -> bytes:
    r = run("sensitivity", str(case.path), *SENSITIVITY, "-o", str(out), *extra)
    assert r.exit_code == 0, r.stderr
    return out.read_bytes()


@pytest.mark.slow
def test_same_seed_gives_identical_files_with_1_and_2_workers_and_on_dask(choice_case, tmp_path: Path,
                                                                         cluster) -> None:
    case = choice_case
    one = _file(case, tmp_path / "one.json", "--workers", "1")
    two = _file(case, tmp_path / "two.json", "--workers", "2")
    dask = _file(case, tmp_path / "dask.json", "--scheduler", cluster)
    assert one == two == dask
    doc = json.loads(one)
    assert doc["settings"]["seed"] == 7 and len(doc["acceptability"]) == 4
    assert any(0 < row["core_index"] < 1 for row in doc["acceptability"])  # the samples do disagree
    other = _file(case, tmp_path / "other.json", "--workers", "1", "--seed", "8")
    assert other != one


@pytest.mark.slow
def test_frontier_identical_across_workers_and_dask(case, tmp_path: Path, cluster) -> None:
    outs = []
    for extra in (("--workers", "1"), ("--workers", "2"), ("--scheduler", cluster)):
        target = tmp_path / f"f{len(outs)}.csv"
        r = run("frontier", str(case.path), "--steps", "6", "-o", str(target), "-q", *extra)
        assert r.exit_code == 0
        outs.append(target.read_bytes())
    assert outs[0] == outs[1] == outs[2]


def test_ctrl_c_stops_cleanly_and_writes_nothing(case, tmp_path: Path, monkeypatch) -> None:
    import scorer.robustness.frontier
    import scorer.robustness.smaa

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(scorer.robustness.frontier, "run_map", interrupted)
    monkeypatch.setattr(scorer.robustness.smaa, "run_map", interrupted)
    for command in (("frontier", "--workers", "1"), ("sensitivity", "--samples", "5", "--tolerance", "0.5",
                                                     "--workers", "1")):
        target = tmp_path / "out.json"
        r = run(command[0], str(case.path), *command[1:], "-o", str(target))
        assert (r.exit_code, r.stderr) == (130, "coprod: interrupted\n")
        assert list(tmp_path.glob("out.json*")) == [] and list(tmp_path.glob(".out.json*")) == []


@pytest.mark.slow
@pytest.mark.parametrize("command,solves", [(["frontier", "--steps", "3"], 3), (["alternatives", "-k", "2"], 2),
                                            (["sensitivity", "--samples", "20", "--portfolio-samples", "4"], 4)])
def test_sweeps_of_a_model_solved_in_a_child_process_say_what_they_may_cost(case, monkeypatch, command,
                                                                             solves) -> None:
    from scorer.mip import config as solver_config

    plain = CliRunner().invoke(main, [*command, str(case.path), "--format", "csv"])
    assert plain.exit_code == 0 and "re-solves" not in plain.stderr
    monkeypatch.setattr(solver_config, "ISOLATE_FROM", 1)
    result = CliRunner().invoke(main, [*command, str(case.path), "--format", "csv"])
    assert result.exit_code == 0, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"coprod: note: at least {solves} re-solves of a model with ")
    assert first.endswith(" start options, each in a child process with the 10 s time limit: up to "
                          f"{solves * 10} s; Ctrl-C stops it")
    assert result.stdout == plain.stdout  # the same answers, only solved elsewhere
    quiet = CliRunner().invoke(main, ["-q", *command, str(case.path), "--format", "csv"])
    assert "re-solves" not in quiet.stderr


# ------------------------------------- decided by the budgets or by the weights ---

STABILITY = ("--samples", "40", "--portfolio-samples", "40", "--workers", "1", "-q")
DECIDED = "leave the portfolio unchanged: it is decided by the budgets and rules, not by the weights."


def installed(*args: str) -> subprocess.CompletedProcess:
    """The installed executable, as a user runs it."""
    return subprocess.run([str(COPROD), *args], capture_output=True, text=True, timeout=120, check=False)


def paragraphs(markdown: str) -> list[str]:
    tokens = MarkdownIt().parse(markdown)
    return [t.content for i, t in enumerate(tokens) if t.type == "inline" and tokens[i - 1].type == "paragraph_open"]


@pytest.mark.slow
def test_sensitivity_says_when_the_budgets_and_rules_decide(case) -> None:
    r = installed("sensitivity", str(case.path), *STABILITY, "--format", "markdown")
    assert r.returncode == 0, r.stderr
    assert paragraphs(r.stdout)[1] == f"40 of 40 sampled weight vectors (100 %) {DECIDED}"
    doc = json.loads(installed("sensitivity", str(case.path), *STABILITY, "--format", "json").stdout)
    optimal = json.loads(installed("optimize", str(case.path), "--format", "json", "-q").stdout)
    assert doc["stability"] == {
        "portfolio": sorted(p["id"] for p in optimal["selected"]), "unchanged": 40, "samples": 40, "share": 1.0,
        "threshold": 0.9, "decided_by_rules": True, "text": f"40 of 40 sampled weight vectors (100 %) {DECIDED}"}


@pytest.mark.slow
def test_sensitivity_says_when_the_weights_matter(choice_case) -> None:
    r = installed("sensitivity", str(choice_case.path), *STABILITY, "--concentration", "1", "--format", "table")
    assert r.returncode == 0, r.stderr
    said = ("32 of 40 sampled weight vectors (80 %) leave the portfolio unchanged: the weights matter, since the "
            "other 8 (20 %) choose a different portfolio (see the core index and the flip points).")
    assert r.stdout.splitlines()[2] == said
    doc = json.loads(installed("sensitivity", str(choice_case.path), *STABILITY, "--concentration", "1",
                               "--format", "json").stdout)
    assert (doc["stability"]["unchanged"], doc["stability"]["decided_by_rules"], doc["stability"]["text"]) == (
        32, False, said)
    kept = next(p for p in doc["portfolios"] if p["portfolio"].split() == doc["stability"]["portfolio"])
    assert kept["count"] == 32  # the same figure as the table of frequent portfolios


@pytest.mark.slow
def test_sensitivity_without_re_optimised_samples_says_nothing_of_it(case) -> None:
    quiet = ("sensitivity", str(case.path), "--samples", "20", "--workers", "1", "-q")
    r = installed(*quiet, "--no-portfolios", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert "stability" not in json.loads(r.stdout)
    r = installed(*quiet, "--portfolio-samples", "0", "--format", "markdown")
    assert r.returncode == 0, r.stderr
    assert paragraphs(r.stdout)[0].startswith("method: ") and "leave the portfolio" not in r.stdout


# ------------------------------------------------- --objective: whose values ---


def _json(*args: str) -> dict:
    done = installed(*args, "--format", "json", "-q")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def bilateral(case) -> Path:
    from testkit import write_perspectives

    return write_perspectives(case)


def test_joint_is_the_default_and_said_only_with_perspectives(case, bilateral) -> None:
    plain = installed("frontier", str(case.path), "--steps", "3", "--workers", "1", "-q", "--format", "markdown")
    assert plain.returncode == 0 and "values:" not in plain.stdout
    assert "values" not in _json("frontier", str(case.path), "--steps", "3", "--workers", "1")
    doc = _json("frontier", str(bilateral), "--steps", "3", "--workers", "1")
    assert doc["values"] == "joint"
    assert doc["frontier"] == _json("frontier", str(bilateral), "--steps", "3", "--workers", "1",
                                    "--objective", "joint")["frontier"]
    text = installed("alternatives", str(bilateral), "-k", "2", "-q", "--format", "markdown")
    assert text.stdout.startswith("values: joint (the joint weights and scores)\n")


def test_a_partner_objective_runs_on_that_partners_values(bilateral) -> None:
    ideal = _json("bargain", str(bilateral))["ideal"]
    for partner in ("US", "JP"):
        doc = _json("alternatives", str(bilateral), "-k", "2", "--objective", partner)
        assert doc["values"] == partner
        assert doc["alternatives"][0]["objective"] == pytest.approx(ideal[partner], abs=1e-6)
    # Sampling centres on the partner's weights: its favourite leads the expected ranks.
    ranking = _json("partners", str(bilateral))["ranking"]
    for partner in ("US", "JP"):
        best = min(ranking, key=lambda row: row[f"rank_{partner}"])["id"]
        doc = _json("sensitivity", str(bilateral), "--objective", partner, "--samples", "40", "--no-portfolios",
                    "--concentration", "2000", "--workers", "1")
        assert doc["values"] == partner
        assert min(doc["acceptability"], key=lambda row: row["expected_rank"])["id"] == best


def test_a_bargain_frontier_solves_each_level_by_the_concept(bilateral) -> None:
    doc = _json("frontier", str(bilateral), "--steps", "3", "--objective", "nash", "--workers", "1")
    assert doc["values"] == "nash"
    solved = [row for row in doc["frontier"] if row["status"] == "optimal"]
    assert solved
    for row in solved:
        chosen = _json("optimize", str(bilateral), "--objective", "nash", "--budget", repr(row["level"]))
        assert row["portfolio"] == " ".join(sorted(item["id"] for item in chosen["selected"]))
        assert row["objective"] == pytest.approx(chosen["objective"], abs=1e-6)


@pytest.mark.parametrize(("command", "extra"), [("sensitivity", ("--samples", "10")), ("alternatives", ())])
@pytest.mark.parametrize("concept", ["nash", "balanced"])
def test_a_bargain_is_refused_where_it_is_not_one_set_of_values(bilateral, command: str, extra: tuple,
                                                                 concept: str) -> None:
    done = installed(command, str(bilateral), "--objective", concept, *extra, "-q")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"coprod: error: {command} ")
    assert f"the {concept} solution" in lines[0] and lines[0].endswith("; on the command line: --objective")


def test_another_objective_without_perspectives_is_an_error(case) -> None:
    done = installed("frontier", str(case.path), "--objective", "US", "-q")
    assert done.returncode == 1
    assert done.stderr.strip() == ("coprod: error: the objective 'US' needs the partners' perspectives, and the "
                                   "scenario has none (give them under 'perspectives:'); on the command line: "
                                   "--objective")
