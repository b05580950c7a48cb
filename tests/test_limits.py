"""Size guards (scorer.limits) and the solver time limit.

The size guards must refuse a scenario that would not fit *before* anything
big is built, with its size in the message; the time limit must give the best
portfolio found with status ``feasible``, its bound and gap, and exit 0,
never the word "optimal" for an unproven answer.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import click
import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer import limits
from scorer.cli.group import main
from scorer.portfolio.problem import guard_size, start_options
from testkit import make_problem


# ------------------------------------------------------------ model size ---

@st.composite
def problems(draw):
    n = draw(st.integers(1, 8))
    h0 = 2026
    h1 = h0 + draw(st.integers(0, 12))
    costs = [[1.0] * draw(st.integers(1, 5)) for _ in range(n)]
    earliest = [draw(st.one_of(st.none(), st.integers(h0 - 2, h1 + 1))) for _ in range(n)]
    latest = [draw(st.one_of(st.none(), st.integers(h0, h1 + 2))) for _ in range(n)]
    forbidden = draw(st.lists(st.integers(0, n - 1), max_size=n, unique=True))
    return make_problem(costs, horizon=(h0, h1), earliest=earliest, latest=latest, forbidden=forbidden)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(problem=problems(), widen=st.booleans())
def test_counted_options_match_the_built_ones(problem, widen):
    # The guard counts options without building them; the count must be exact
    # or the guard could let through what it means to refuse.
    h0, h1 = int(problem.years[0]), int(problem.years[-1])
    n = problem.n
    early = np.full(n, h0) if widen else problem.earliest
    late = np.full(n, h1) if widen else problem.latest
    forbidden = np.zeros(n, bool) if widen else problem.forbidden
    options, nonzeros, estimate = limits.model_size(early, late, problem.durations, forbidden,
                                                    len(problem.years), 1, 0)
    assert options == start_options(problem, widen).k
    assert nonzeros >= options and estimate > 0 or options == 0


def test_a_model_too_big_is_refused_with_its_size():
    # 100,000 candidates over a 100-year horizon: 9.9 million start options.
    n, years = 100_000, 100
    with pytest.raises(limits.SizeLimitError) as err:
        limits.check_model_size(*limits.model_size(np.full(n, 2026), np.full(n, 2125), np.full(n, 2),
                                                   np.zeros(n, bool), years, 2, 3), where="big.yaml")
    message = str(err.value)
    assert message.startswith("big.yaml: the model would have 9,900,000 start options")
    assert "GB); the limit is 5,000,000 start options" in message


def test_the_guard_runs_before_the_options_are_built(monkeypatch):
    problem = make_problem([[1, 1]] * 3, horizon=(2026, 2035))
    monkeypatch.setattr(limits, "MAX_START_OPTIONS", 10)
    with pytest.raises(limits.SizeLimitError, match="27 start options"):
        start_options(problem)
    with pytest.raises(limits.SizeLimitError, match="27 start options"):
        guard_size(problem)


def test_optimize_refuses_a_scenario_over_the_limit(case, monkeypatch):
    monkeypatch.chdir(case.folder)
    monkeypatch.setattr(limits, "MAX_START_OPTIONS", 5)
    result = CliRunner().invoke(main, ["optimize", "scenario.yaml", "-o", "out.csv"])
    assert result.exit_code == 1
    assert result.stderr.startswith("coprod: error: scenario.yaml: the model would have ")
    assert "start options" in result.stderr and "the limit is 5 start options" in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (case.folder / "out.csv").exists()


def test_the_memory_estimate_is_a_limit_of_its_own(case, monkeypatch):
    monkeypatch.chdir(case.folder)
    monkeypatch.setattr(limits, "MAX_MODEL_BYTES", 1000)
    result = CliRunner().invoke(main, ["optimize", "scenario.yaml"])
    assert result.exit_code == 1
    assert "the model would have" in result.stderr and "and 1.0 kB" in result.stderr


# ---------------------------------------------------------- scoring size ---

def test_scoring_size_counts_samples():
    limits.check_scoring_size(10_000, 30)  # the large input fits
    with pytest.raises(limits.SizeLimitError) as err:
        limits.check_scoring_size(10_000, 30, samples=10_000, where="s.yaml")
    assert str(err.value).startswith(
        "s.yaml: scoring 10,000 candidates x 30 criteria x 10,000 samples needs 3,000,000,000 cells (about 144.0 GB)")


@pytest.mark.parametrize("command", ["score", "weights", "optimize", "validate"])
def test_every_command_refuses_a_score_matrix_over_the_limit(case, monkeypatch, command):
    monkeypatch.chdir(case.folder)
    monkeypatch.setattr(limits, "MAX_SCORE_CELLS", 11)  # the case has 4 x 3 = 12
    result = CliRunner().invoke(main, [command, "scenario.yaml"])
    assert result.exit_code == 1
    assert "scenario.yaml: scoring 4 candidates x 3 criteria needs 12 cells" in result.stderr
    assert "Traceback" not in result.output


# ----------------------------------------------------------------- counts ---

COUNTS = [  # (command, option, largest accepted)
    ("frontier", "--steps", limits.MAX_STEPS),
    ("sensitivity", "--samples", limits.MAX_SAMPLES),
    ("sensitivity", "--portfolio-samples", limits.MAX_PORTFOLIO_SAMPLES),
    ("report", "--samples", limits.MAX_SAMPLES),
    ("report", "--portfolio-samples", limits.MAX_PORTFOLIO_SAMPLES),
    ("alternatives", "-k", limits.MAX_ALTERNATIVES),
    ("sensitivity", "--workers", limits.MAX_WORKERS),
    ("frontier", "--workers", limits.MAX_WORKERS),
    ("report", "--workers", limits.MAX_WORKERS),
]


@pytest.mark.parametrize("command,option,largest", COUNTS, ids=[f"{c}{o}" for c, o, _ in COUNTS])
def test_absurd_counts_are_a_usage_error_giving_the_largest_accepted(case, command, option, largest):
    # frontier --steps 100000000 was accepted: 100 million tasks, workers of 770 MB each, for hours.
    result = CliRunner().invoke(main, [command, str(case.path), option, "100000000"])
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}': 100000000 is not in the range" in result.stderr
    assert f"<={largest}." in result.stderr
    param = next(p for p in main.commands[command].params if option in p.opts)
    ctx = click.Context(main.commands[command])
    assert param.type_cast_value(ctx, str(largest)) == largest  # the largest itself is accepted
    with pytest.raises(click.BadParameter):
        param.type_cast_value(ctx, str(largest + 1))


def test_the_library_refuses_absurd_counts_naming_the_setting(case):
    from scorer.robustness.alternatives import k_best
    from scorer.robustness.frontier import sweep_levels
    from scorer.inputs.loading import load_scenario
    from scorer.mip.config import SolverConfig
    from scorer.robustness.parallel import ClusterError, run_map
    from scorer.portfolio.problem import problem_from_inputs
    from scorer.robustness.sampling import SampleSpec, sampled_scores, scoring_basis
    from scorer.scoring.score import candidate_values
    from scorer.robustness.smaa import smaa

    inputs = load_scenario(case.path)
    problem = problem_from_inputs(inputs)
    basis = scoring_basis(inputs)
    absurd = 100_000_000
    calls = {
        "steps": lambda: sweep_levels(problem, None, None, absurd),
        "k": lambda: k_best(problem, candidate_values(inputs), SolverConfig(), absurd),
        "samples": lambda: sampled_scores(basis, SampleSpec(samples=absurd)),
        "portfolio_samples": lambda: smaa(basis, SampleSpec(samples=limits.MAX_PORTFOLIO_SAMPLES + 1), problem),
    }
    largest = {"steps": limits.MAX_STEPS, "k": limits.MAX_ALTERNATIVES, "samples": limits.MAX_SAMPLES,
               "portfolio_samples": limits.MAX_PORTFOLIO_SAMPLES}
    for setting, call in calls.items():
        with pytest.raises(limits.SizeLimitError) as err:
            call()
        assert str(err.value).startswith(f"{setting} is ") and str(err.value).endswith(
            f"; the largest accepted is {largest[setting]:,}"), setting
    with pytest.raises(ClusterError, match=f"^workers is 100,000,000; the largest accepted is {limits.MAX_WORKERS:,}$"):
        run_map(abs, [1, 2], workers=absurd)


@pytest.mark.parametrize("key,largest", [("samples", limits.MAX_SAMPLES),
                                         ("portfolio_samples", limits.MAX_PORTFOLIO_SAMPLES)])
def test_the_scenario_file_has_the_same_caps(write_case, tmp_path, key, largest):
    from scorer.errors import InputError
    from scorer.inputs.loading import load_scenario

    (tmp_path / "ok").mkdir()
    (tmp_path / "bad").mkdir()
    ok = write_case(tmp_path / "ok", {"scenario": [("seed: 7\n", f"seed: 7\nrobustness:\n  {key}: {largest}\n")]})
    assert getattr(load_scenario(ok.path).scenario.robustness, key) == largest
    bad = write_case(tmp_path / "bad", {"scenario": [("seed: 7\n", f"seed: 7\nrobustness:\n  {key}: {largest + 1}\n")]})
    with pytest.raises(InputError) as err:
        load_scenario(bad.path)
    assert f"robustness.{key}: Input should be less than or equal to {largest}" in str(err.value)


def test_human_bytes():
    assert [limits.human_bytes(x) for x in (5, 1500, 2.5e6, 31e9, 4e12)] == [
        "5 bytes", "1.5 kB", "2.5 MB", "31.0 GB", "4.0 TB"]


# ------------------------------------------------------------ time limit ---

@pytest.fixture(scope="module")
def hard(write_hard_scenario, tmp_path_factory) -> Path:
    return write_hard_scenario(tmp_path_factory.mktemp("hard"))


@pytest.mark.serial
@pytest.mark.slow
@pytest.mark.parametrize("isolated", [False, True], ids=["in-process", "child-process"])
@pytest.mark.parametrize("fmt", ["json", "table"])
def test_time_limit_gives_feasible_with_bound_and_gap(hard, fmt, isolated, monkeypatch):
    from scorer.mip import config as solver_config

    if isolated:  # as for a model of 20,000 start options or more
        monkeypatch.setattr(solver_config, "ISOLATE_FROM", 1)
    t0 = time.monotonic()
    result = CliRunner().invoke(main, ["optimize", str(hard), "--time-limit", "1", "--format", fmt])
    assert time.monotonic() - t0 < 10  # loading and building ~1 s, the solve 1 s (+ 1 s grace if killed)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("coprod: warning: stopped by a limit, not proven optimal (gap ")
    assert "optimal" not in result.stdout.replace("not proven optimal", "")
    if fmt == "json":
        out = json.loads(result.stdout)
        assert out["status"] == "feasible"
        assert np.isfinite(out["bound"]) and out["bound"] > out["objective"] > 0
        assert out["gap"] > 0 and out["gap"] == pytest.approx((out["bound"] - out["objective"]) / out["objective"])
    else:
        assert result.stdout.startswith("status: feasible  objective: ")


# ------------------------------------------------------- money magnitude ---

@pytest.mark.parametrize("kind,old,new,where", [
    ("candidates", "cost: [100, 200, 200]", "cost: [1e308, 200, 200]", "candidates.yaml:8: candidates[0].cost[0]: "),
    ("scenario", "total: 900", "total: 1e13", "scenario.yaml:7: budget.total: "),
    ("scenario", "2027: 300", "2027: 5e15", "scenario.yaml:8: budget.per_year.2027: "),
    ("scenario", "JP: {total: 500}", "JP: {total: 500, per_year: 1e20}", "scenario.yaml:11: budget.per_partner.JP.per_year: "),
])
def test_money_beyond_the_solver_is_refused_with_its_place(write_case, tmp_path, monkeypatch, kind, old, new, where):
    # Found by the command fuzz: a cost of 1e308 passed validation and crashed
    # PuLP's HiGHS interface with an IndexError traceback.

    write_case(tmp_path, {kind: [(old, new)]})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["optimize", "scenario.yaml"])
    assert result.exit_code == 1, result.output
    assert result.stderr == (f"coprod: error: {where}is more than 1,000,000,000,000, beyond what the solver can "
                             "work with exactly (use a larger money unit)\n")


def test_money_up_to_the_limit_is_accepted(write_case, tmp_path, monkeypatch):

    write_case(tmp_path, {"scenario": [("total: 900", "total: 1e12")]})
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["optimize", "scenario.yaml"]).exit_code == 0
