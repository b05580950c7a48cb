"""Solves in a child process: the arrays mirror PuLP's model, answers equal brute force, the deadline is hard.

The kill paths are tested with stand-in children (a few lines of Python on
the same pipes) that behave like a stuck HiGHS: they stream a portfolio and
then never answer, or die, or hang before anything. Real HiGHS runs cover
the normal path on small models (with the size threshold lowered to 0).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pulp
import pytest
from hypothesis import HealthCheck, given, settings

from scorer.mip import child as isolated
from scorer.errors import SolverError
from scorer.mip.child import ChildResult, solve_in_child
from scorer.mip.linear import LinearModel, from_highs, to_highs
from scorer.portfolio.model import PortfolioModel
from scorer.mip.config import SolverConfig
from scorer.mip.large import child_said
from scorer.mip.outcome import outcome_of
from scorer.mip.pulp_adapter import live_highs
from scorer.portfolio.solve import optimize
from scorer.portfolio.problem import no_good
from testkit import brute_force, check_against_brute_force, make_problem, small_problems


def child_outcome_of(found: ChildResult, config: SolverConfig):
    return outcome_of(child_said(found, config))


def dense(m: LinearModel) -> np.ndarray:
    rows = np.repeat(np.arange(len(m.start) - 1), np.diff(m.start))
    a = np.zeros((len(m.start) - 1, m.num_col))
    np.add.at(a, (rows, m.index), m.value)
    return a


def pulp_arrays(model: PortfolioModel) -> tuple[LinearModel, np.ndarray]:
    """The model as PuLP hands it to HiGHS, and where each of model.x sits among its columns."""
    highs, col = live_highs(pulp.HiGHS(msg=False), model.prob, model.x)
    return from_highs(highs), col.astype(np.int64)


def same_model(ours: LinearModel, theirs: LinearModel, col: np.ndarray) -> None:
    assert ours.maximize == theirs.maximize
    for name in ("cost", "col_lower", "col_upper", "integer"):
        np.testing.assert_array_equal(getattr(ours, name), getattr(theirs, name)[col], err_msg=name)
    np.testing.assert_array_equal(ours.row_lower, theirs.row_lower)
    np.testing.assert_array_equal(ours.row_upper, theirs.row_upper)
    np.testing.assert_allclose(dense(ours), dense(theirs)[:, col])


# ------------------------------------------------------ the arrays ---


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_linear_arrays_equal_the_model_pulp_builds(case) -> None:
    problem, values = case
    model = PortfolioModel(problem, values)
    same_model(model.linear(), *pulp_arrays(model))


def test_linear_arrays_follow_fixes_cuts_and_new_values() -> None:
    problem = make_problem([[3, 1], [2], [4, 4, 1], [1]], total=8, per_year=5, max_projects=3)
    model = PortfolioModel(problem, np.array([10.0, 20.0, 30.0, 5.0]))
    model.fix(on=[0], off=[2, 3])
    model.add_row(no_good(model.options, np.array([True, False, True, False]), "cut_1"))
    model.set_values(np.array([1.0, 2.0, 3.0, 4.0]))
    same_model(model.linear(), *pulp_arrays(model))
    model.unfix([0, 2, 3])
    assert model.linear().col_lower.sum() == 0 and model.linear().col_upper.min() == 1
    model.fix(off=[1])
    model.fix(on=[1])  # the later fix wins, in PuLP and in the arrays
    same_model(model.linear(), *pulp_arrays(model))


def test_arrays_survive_the_round_trip_through_highs() -> None:
    problem = make_problem([[3, 1], [2], [4, 4, 1]], total=8, per_year=5, min_projects=1)
    ours = PortfolioModel(problem, np.array([10.0, 20.0, 30.0])).linear()
    back = from_highs(to_highs(ours, {}))
    same_model(ours, back, np.arange(ours.num_col))


# ------------------------------------------- real HiGHS in the child ---


ISOLATED = SolverConfig(isolate_from=0)  # every HiGHS solve in a child process
IN_PROCESS = SolverConfig(isolate_from=10**9)


@pytest.mark.slow
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_isolated_solve_matches_brute_force(case) -> None:
    check_against_brute_force(*case, ISOLATED)


@pytest.mark.slow
def test_isolated_and_in_process_solves_agree_on_a_hard_model(write_hard_scenario, tmp_path: Path) -> None:
    from scorer.inputs.loading import load_scenario
    from scorer.portfolio.problem import problem_from_inputs
    from scorer.scoring.score import candidate_values

    inputs = load_scenario(write_hard_scenario(tmp_path, n=30))
    problem, values = problem_from_inputs(inputs), candidate_values(inputs)
    config = SolverConfig(time_limit=20, gap=1e-3, isolate_from=0)
    here = PortfolioModel(problem, values)
    assert config.isolates(here.options.k)
    isolated_sol = optimize(problem, values, config)
    in_process = optimize(problem, values, replace(config, isolate_from=10**9))
    assert max(isolated_sol.gap, in_process.gap) <= 1e-3
    assert isolated_sol.objective == pytest.approx(in_process.objective, rel=2e-3)
    assert isolated_sol.bound >= in_process.objective - 1e-6 and in_process.bound >= isolated_sol.objective - 1e-6


@pytest.mark.slow
def test_resolver_runs_large_models_in_the_child() -> None:
    from scorer.portfolio.resolve import Resolver

    problem = make_problem([[3, 1], [2], [4, 4, 1], [1]], total=7, per_year=5)
    values = np.array([10.0, 20.0, 30.0, 5.0])
    resolver = Resolver(problem, values, ISOLATED)
    for v in (values, values[::-1].copy()):
        assert resolver.solve(v).objective == pytest.approx(brute_force(problem, v))
    capped = resolver.solve(values, rhs={"budget_total": 3})
    assert capped.objective == pytest.approx(brute_force(make_problem([[3, 1], [2], [4, 4, 1], [1]], total=3,
                                                                      per_year=5), values))
    best = resolver.solve(values)
    second = resolver.solve(values, exclude=[best.selected])  # the base start breaks the cut: greedy starts
    here = Resolver(problem, values, IN_PROCESS).solve(values, exclude=[best.selected])
    assert second.objective == pytest.approx(here.objective) and second.status == here.status == "optimal"
    assert second.selected.tolist() != best.selected.tolist()


# -------------------------------------------------- stand-in children ---

PREAMBLE = """
import sys, time, os
import numpy as np
from multiprocessing.connection import Connection
receive = Connection(int(sys.argv[1]), writable=False)
send = Connection(int(sys.argv[2]), readable=False)
model, options, time_limit, t0, start = receive.recv()
"""


def stand_in(monkeypatch, body: str) -> None:
    monkeypatch.setattr(isolated, "CHILD_CODE", PREAMBLE + textwrap.dedent(body))


def tiny() -> LinearModel:
    return PortfolioModel(make_problem([[1], [2]], horizon=(2026, 2026), total=2), np.array([5.0, 6.0])).linear()


@pytest.mark.serial
@pytest.mark.slow
def test_a_child_that_overruns_is_killed_and_its_last_portfolio_kept(monkeypatch) -> None:
    stand_in(monkeypatch, """
        send.send(("solution", 5.0, 20.0, np.array([1.0, 0.0])))
        send.send(("bound", 12.0))
        time.sleep(600)  # a HiGHS that no longer hears its time limit
    """)
    t0 = time.monotonic()
    found = solve_in_child(tiny(), {}, time_limit=0.5)
    took = time.monotonic() - t0
    assert found.status == "deadline"
    assert (found.objective, found.bound, found.x.tolist()) == (5.0, 12.0, [1.0, 0.0])
    assert 0.5 + isolated.GRACE_SECONDS <= took < 0.5 + isolated.GRACE_SECONDS + 3.0
    outcome = child_outcome_of(found, SolverConfig(time_limit=0.5))
    assert outcome.status == "feasible" and outcome.bound == 12.0 and outcome.gap == pytest.approx(7 / 5)


@pytest.mark.slow
def test_a_child_that_finds_nothing_in_time_is_a_clear_error(monkeypatch) -> None:
    stand_in(monkeypatch, "time.sleep(600)\n")
    found = solve_in_child(tiny(), {}, time_limit=0.2)
    assert found.status == "deadline" and len(found.x) == 0
    with pytest.raises(SolverError, match=r"found no portfolio \(stopped at the deadline\) within the time "
                                          r"limit of 0.2 s; raise solver.time_limit$"):
        child_outcome_of(found, SolverConfig(time_limit=0.2))


@pytest.mark.slow
def test_a_child_that_dies_is_a_clear_error(monkeypatch) -> None:
    stand_in(monkeypatch, "os._exit(9)\n")
    with pytest.raises(SolverError, match=r"the solver process stopped without an answer \(exit code 9\); "):
        solve_in_child(tiny(), {}, time_limit=30)


@pytest.mark.slow
def test_a_dying_childs_last_words_are_in_the_message_not_on_the_terminal(monkeypatch, capfd) -> None:
    stand_in(monkeypatch, 'sys.stderr.write("Traceback ...\\nMemoryError: out of memory\\n"); sys.stderr.flush()'
                          '\nos._exit(1)\n')
    with pytest.raises(SolverError, match=r"\(exit code 1: MemoryError: out of memory\); "):
        solve_in_child(tiny(), {}, time_limit=30)
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.slow
def test_the_child_imports_this_coprod_not_a_scorer_folder_in_the_working_directory(tmp_path, monkeypatch) -> None:
    (tmp_path / "scorer").mkdir()
    (tmp_path / "scorer" / "__init__.py").write_text("raise ImportError('the wrong scorer')\n")
    monkeypatch.chdir(tmp_path)
    found = solve_in_child(tiny(), {}, time_limit=30)
    assert (found.status, found.objective) == ("kOptimal", 6.0)


@pytest.mark.slow
def test_a_worse_portfolio_from_highs_does_not_replace_a_better_start(monkeypatch) -> None:
    stand_in(monkeypatch, """
        send.send(("solution", 5.0, 20.0, np.array([1.0, 0.0])))  # HiGHS dropped the start, found worse
        time.sleep(600)
    """)
    found = solve_in_child(tiny(), {}, time_limit=0.2, start=np.array([0.0, 1.0]))
    assert (found.objective, found.x.tolist(), found.bound) == (6.0, [0.0, 1.0], 20.0)


@pytest.mark.slow
def test_a_child_error_is_reported(monkeypatch) -> None:
    stand_in(monkeypatch, 'send.send(("error", "ValueError: bad"))\ntime.sleep(600)\n')
    with pytest.raises(SolverError, match="the highs solver failed: ValueError: bad"):
        solve_in_child(tiny(), {}, time_limit=30)


def test_without_a_bound_the_gap_is_unknown_not_zero() -> None:
    found = ChildResult("deadline", 7.0, np.inf, np.array([1.0, 0.0]), 1.0)
    outcome = child_outcome_of(found, SolverConfig())
    assert outcome.status == "feasible" and outcome.gap == np.inf


def test_the_child_answers_optimal_only_with_a_proof() -> None:
    found = ChildResult("kTimeLimit", 7.0, 7.5, np.array([1.0]), 1.0)
    assert child_outcome_of(found, SolverConfig()).status == "feasible"
    found = ChildResult("kOptimal", 7.0, 7.0, np.array([1.0]), 1.0)
    assert child_outcome_of(found, SolverConfig()).status == "optimal"


# ----------------------------------------------- Ctrl-C, parent death ---

DRIVER = """
import sys, numpy as np
from scorer.mip import child as isolated
from scorer.portfolio.model import PortfolioModel
sys.path.insert(0, {tests!r})
from testkit import make_problem
isolated.CHILD_CODE = {code!r}
model = PortfolioModel(make_problem([[1], [2]], total=2), np.array([5.0, 6.0])).linear()
isolated.solve_in_child(model, {{}}, time_limit=600)
"""

HANGING_CHILD = PREAMBLE + textwrap.dedent("""
    import threading
    from scorer.mip.child import _exit_with_parent
    threading.Thread(target=_exit_with_parent, args=(receive,), daemon=True).start()
    open(os.environ["PIDFILE"], "w").write(str(os.getpid()))
    time.sleep(600)
""")


def start_driver(tmp_path: Path) -> tuple[subprocess.Popen, int]:
    """A parent process in a solve with a child that never answers; returns it and the child's pid."""
    pidfile = tmp_path / "child.pid"
    code = DRIVER.format(tests=str(Path(__file__).parents[1]), code=HANGING_CHILD)
    proc = subprocess.Popen([sys.executable, "-c", code], env={**os.environ, "PIDFILE": str(pidfile)},
                            stderr=subprocess.PIPE)
    for _ in range(200):
        if pidfile.exists() and pidfile.read_text():
            return proc, int(pidfile.read_text())
        time.sleep(0.05)
    proc.kill()
    raise AssertionError(f"the stand-in child never started: {proc.communicate()}")


def gone(pid: int, within: float) -> bool:
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.serial
@pytest.mark.slow
def test_ctrl_c_in_the_parent_kills_the_child_at_once(tmp_path: Path) -> None:
    proc, child = start_driver(tmp_path)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert time.monotonic() - sent < 1.0
    assert b"KeyboardInterrupt" in err
    assert gone(child, within=1.0), "the solver child outlived an interrupted parent"


@pytest.mark.slow
def test_the_child_ends_when_its_parent_is_killed(tmp_path: Path) -> None:
    proc, child = start_driver(tmp_path)
    proc.kill()  # no chance to clean up: only the child's own watch can end it
    proc.wait()
    assert gone(child, within=2.0), "the solver child outlived its killed parent"


@pytest.mark.slow
def test_a_terminal_ctrl_c_does_not_reach_the_child_directly(tmp_path: Path) -> None:
    # The child sits in its own session: only the parent decides when it ends.
    proc, child = start_driver(tmp_path)
    try:
        assert os.getsid(child) != os.getsid(proc.pid)
    finally:
        proc.kill()
        proc.wait()
        gone(child, within=2.0)


@pytest.mark.slow
def test_a_stalled_solver_still_answers_with_the_greedy_portfolio_and_budget_bound(monkeypatch) -> None:
    stand_in(monkeypatch, "time.sleep(600)\n")  # never a portfolio, never a bound
    problem = make_problem([[10], [5], [5]], horizon=(2026, 2026), total=12)
    sol = optimize(problem, np.array([10.0, 6.0, 6.0]), SolverConfig(time_limit=0.3, isolate_from=0))
    assert sol.status == "feasible" and sol.objective == 12.0
    assert sol.selected.tolist() == [False, True, True]
    assert sol.bound == pytest.approx(14.0) and sol.gap == pytest.approx(2 / 12)  # the fractional knapsack


@pytest.mark.slow
def test_a_greedy_portfolio_that_meets_the_budget_bound_is_proven_optimal(monkeypatch) -> None:
    stand_in(monkeypatch, "time.sleep(600)\n")
    problem = make_problem([[10], [5], [5]], horizon=(2026, 2026), total=10)
    sol = optimize(problem, np.array([10.0, 6.0, 6.0]), SolverConfig(time_limit=0.3, isolate_from=0))
    assert (sol.status, sol.objective, sol.bound, sol.gap) == ("optimal", 12.0, 12.0, 0.0)


@pytest.mark.slow
def test_a_start_that_breaks_a_row_is_not_kept(monkeypatch) -> None:
    stand_in(monkeypatch, "time.sleep(600)\n")
    found = solve_in_child(tiny(), {}, time_limit=0.2, start=np.array([1.0, 1.0]))  # 1 + 2 > total 2
    assert found.status == "deadline" and len(found.x) == 0
    kept = solve_in_child(tiny(), {}, time_limit=0.2, start=np.array([0.0, 1.0]))
    assert (kept.status, kept.objective, kept.x.tolist()) == ("deadline", 6.0, [0.0, 1.0])


# ----------------------------------------------- findings of the review ---

def wide(columns: int = 20_000) -> LinearModel:
    """A model whose pickle (about 1 MB) is larger than a pipe's buffer."""
    ones = np.ones(columns)
    return LinearModel(ones, np.zeros(columns), ones, np.ones(columns, dtype=bool), np.array([-np.inf]),
                       np.array([1.0]), np.array([0, columns], dtype=np.int32),
                       np.arange(columns, dtype=np.int32), ones, True)


@pytest.mark.slow
def test_a_child_that_dies_halfway_through_a_message_is_a_clear_error(monkeypatch) -> None:
    stand_in(monkeypatch, """
        import struct
        os.write(int(sys.argv[2]), struct.pack("!i", 100000) + b"x" * 10)  # a header promising more
        os._exit(3)
    """)
    with pytest.raises(SolverError, match=r"stopped without an answer \(exit code 3\)"):
        solve_in_child(tiny(), {}, time_limit=30)


@pytest.mark.serial
@pytest.mark.slow
def test_a_child_stalled_halfway_through_a_message_does_not_hold_the_deadline(monkeypatch) -> None:
    stand_in(monkeypatch, """
        import struct
        os.write(int(sys.argv[2]), struct.pack("!i", 100000) + b"x" * 10)
        time.sleep(600)
    """)
    t0 = time.monotonic()
    found = solve_in_child(tiny(), {}, time_limit=0.3)
    assert found.status == "deadline"
    assert time.monotonic() - t0 < 0.3 + isolated.GRACE_SECONDS + 2.0


@pytest.mark.serial
@pytest.mark.slow
def test_a_child_that_never_reads_the_model_does_not_hold_the_deadline(monkeypatch) -> None:
    monkeypatch.setattr(isolated, "CHILD_CODE", "import time; time.sleep(600)")
    t0 = time.monotonic()
    found = solve_in_child(wide(), {}, time_limit=0.3)
    assert found.status == "deadline" and len(found.x) == 0
    assert time.monotonic() - t0 < 0.3 + isolated.GRACE_SECONDS + 2.0


@pytest.mark.slow
def test_a_large_model_travels_to_the_real_child() -> None:
    found = solve_in_child(wide(), {}, time_limit=30)
    assert (found.status, found.objective) == ("kOptimal", 1.0)


def test_tiny_coefficients_are_dropped_by_highs_not_refused() -> None:
    base = tiny()
    value = base.value.copy()
    value[-1] = 1e-10  # e.g. a cost times a tiny partner share
    assert to_highs(replace(base, value=value), {}).getNumCol() == 2


@pytest.mark.slow
def test_infeasible_from_highs_against_a_start_that_fits_is_an_error_not_an_answer(monkeypatch) -> None:
    stand_in(monkeypatch, 'send.send(("done", "kInfeasible", float("nan"), float("nan"), np.zeros(0), 0.1))\n'
                          'time.sleep(600)\n')
    with pytest.raises(SolverError, match="at the edge of the solver's tolerance"):
        solve_in_child(tiny(), {}, time_limit=30, start=np.array([0.0, 1.0]))


@pytest.mark.slow
def test_isolated_solves_that_finish_are_deterministic(write_hard_scenario, tmp_path: Path) -> None:
    from scorer.inputs.loading import load_scenario
    from scorer.portfolio.problem import problem_from_inputs
    from scorer.scoring.score import candidate_values

    inputs = load_scenario(write_hard_scenario(tmp_path, n=30))
    problem, values = problem_from_inputs(inputs), candidate_values(inputs)
    config = SolverConfig(time_limit=30, gap=1e-3, isolate_from=0)
    first, second = (optimize(problem, values, config) for _ in range(2))
    assert first.start.tolist() == second.start.tolist() and first.objective == second.objective


@pytest.mark.slow
def test_a_large_live_model_built_from_arrays_equals_pulps() -> None:
    from scorer.portfolio.resolve import _Live

    problem = make_problem([[3, 1], [2], [4, 4, 1], [1]], total=7, per_year=5, max_projects=3,
                           categories=["a", "a", None, None], category_rules={"a": (1, None)})
    values = np.array([10.0, 20.0, 30.0, 5.0])
    pulps = _Live(problem, values, IN_PROCESS)
    ours = _Live(problem, values, SolverConfig(isolate_from=1))
    assert ours.rows == pulps.rows and ours.col.tolist() == list(range(len(ours.col)))
    np.testing.assert_array_equal(ours.lower, pulps.lower)
    np.testing.assert_array_equal(ours.upper, pulps.upper)
    same_model(from_highs(ours.highs), from_highs(pulps.highs), pulps.col)
    # The same base optimum (start years may differ: without a delay discount they tie).
    cand = ours.model.options.cand
    assert sorted(set(cand[ours.start > 0.5])) == sorted(set(cand[pulps.start[pulps.col] > 0.5]))
