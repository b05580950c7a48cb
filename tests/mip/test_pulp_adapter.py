"""The private PuLP and highspy attributes coprod relies on (scorer/mip/pulp_adapter.py) still exist.

Each test fails, never skips, when a release removes or renames one: the adapter's fallbacks
would otherwise hide the change (a slower build) or break Ctrl-C and the Resolver outright.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import highspy
import numpy as np
import pulp
import pytest

from scorer.mip import cancelled, pulp_adapter
from scorer.mip.linear import from_highs


def small_problem():
    prob = pulp.LpProblem("adapter", pulp.LpMaximize)
    made = prob.add_variable_dict("x_%s", ["a", "b", "c"], cat="Binary")
    x = [made[k] for k in ("a", "b", "c")]
    return prob, x, np.array([v.id for v in x], dtype=np.uint64)


def test_the_batch_affine_uses_pulps_private_batch_call_and_equals_the_public_one() -> None:
    prob, x, ids = small_problem()
    expr = pulp.LpAffineExpression.empty()
    assert callable(expr._expr.add_term_ids_coeffs)  # LpAffineExpression._expr.add_term_ids_coeffs
    assert callable(x[0]._var.containing_model)  # LpVariable._var.containing_model
    idx, coef = np.array([0, 2]), np.array([3.0, 0.5])
    ours = pulp_adapter.affine(x, ids, idx, coef)
    theirs = pulp.lpSum_vars_coefs([(x[0], 3.0), (x[2], 0.5)])
    assert {v.name: c for v, c in ours.items()} == {v.name: c for v, c in theirs.items()} == {"x_a": 3.0, "x_c": 0.5}
    assert ours.constant == 0


def test_the_affine_path_is_the_private_one_not_the_fallback(monkeypatch) -> None:
    prob, x, ids = small_problem()

    def no_fallback(*args, **kwargs):
        raise AssertionError("the adapter fell back to lpSum_vars_coefs: PuLP's private batch call is gone")

    monkeypatch.setattr(pulp, "lpSum_vars_coefs", no_fallback)
    assert len(pulp_adapter.affine(x, ids, np.array([0, 1, 2]), np.ones(3)).items()) == 3


def test_the_live_highs_is_built_by_pulps_own_steps() -> None:
    prob, x, ids = small_problem()
    for name in ("createAndConfigureSolver", "buildSolverModel", "callSolver"):
        assert callable(getattr(pulp.HiGHS, name)), name
    prob.setObjective(pulp.lpSum_vars_coefs([(x[0], 1.0), (x[1], 2.0), (x[2], 3.0)]))
    prob.addConstraint(pulp.lpSum_vars(x) <= 2, "two")
    highs, col = pulp_adapter.live_highs(pulp.HiGHS(msg=False), prob, x)
    assert isinstance(highs, highspy.Highs) and prob.solverModel is highs  # LpProblem.solverModel
    arrays = from_highs(highs)
    assert arrays.cost[col].tolist() == [1.0, 2.0, 3.0] and arrays.row_upper.tolist() == [2.0]


def test_highs_has_its_interrupt_switch_and_the_interruptible_solver_solves(monkeypatch) -> None:
    highs = highspy.Highs()
    pulp_adapter.handle_user_interrupt(highs, True)
    assert highs.HandleUserInterrupt is True  # highspy's undocumented switch, read back
    pulp_adapter.handle_user_interrupt(highs, False)
    assert highs.HandleUserInterrupt is False
    prob, x, ids = small_problem()
    prob.setObjective(pulp.lpSum_vars_coefs([(x[0], 1.0), (x[1], 2.0), (x[2], 3.0)]))
    prob.addConstraint(pulp.lpSum_vars(x) <= 2, "two")
    called = []
    solver = pulp_adapter.InterruptibleHiGHS(msg=False)
    original = pulp_adapter.run_interruptible
    monkeypatch.setattr(pulp_adapter, "run_interruptible", lambda h: (called.append(h), original(h)))
    stats = prob.solve(solver)
    assert called and called[0] is prob.solverModel  # PuLP still runs HiGHS through callSolver
    assert stats.objective == 5.0 and prob.solverModel.HandleUserInterrupt is True


class _Deaf:
    """A stand-in for a HiGHS run that hears ``cancelSolve`` only after ``lag`` seconds."""

    def __init__(self, lag: float) -> None:
        self.lag, self.cancelled = lag, threading.Event()

    def run(self) -> None:
        self.cancelled.wait()
        time.sleep(self.lag)

    def cancelSolve(self) -> None:  # highspy's name
        self.cancelled.set()


def _interrupt_main_thread_after(seconds: float) -> None:
    threading.Timer(seconds, signal.raise_signal, args=(signal.SIGINT,)).start()


def test_ctrl_c_waits_for_a_slow_cancel_only_briefly_and_lists_the_run_still_going() -> None:
    deaf = _Deaf(lag=1.5)
    _interrupt_main_thread_after(0.2)
    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        pulp_adapter.run_interruptible(deaf)
    waited = time.monotonic() - t0 - 0.2
    assert deaf.cancelled.is_set() and waited < pulp_adapter.CANCEL_WAIT + 0.2
    assert cancelled.still_running()  # the run goes on for another second
    deadline = time.monotonic() + 5
    while cancelled.still_running() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not cancelled.still_running()  # and is forgotten once it ends


def test_ctrl_c_with_a_prompt_cancel_leaves_nothing_running() -> None:
    deaf = _Deaf(lag=0.0)
    _interrupt_main_thread_after(0.1)
    with pytest.raises(KeyboardInterrupt):
        pulp_adapter.run_interruptible(deaf)
    assert not cancelled.still_running()


# A library caller that catches Ctrl-C during a long HiGHS run, then ends its interpreter normally.
# CANCEL_WAIT = 0 so that the cancelled run is always still going when the caller goes on.
LIBRARY_CALLER = """
import signal, threading
from scorer.cli.stdio import data_stdout
from scorer.mip import cancelled, pulp_adapter
from scorer.mip.config import SolverConfig
from scorer.portfolio.resolve import Resolver
from testkit import hard_problem

pulp_adapter.CANCEL_WAIT = 0.0
problem, values = hard_problem(200)
with data_stdout():  # HiGHS's banner (highspy >= 1.16) to stderr
    resolver = Resolver(problem, values, SolverConfig("highs", 60.0, 0.0, 1))
    threading.Timer(0.5, signal.raise_signal, args=(signal.SIGINT,)).start()
    try:
        resolver.solve(values * 1.01)
    except KeyboardInterrupt:
        print("interrupted, run still going:", cancelled.still_running(), flush=True)
"""


@pytest.mark.slow
def test_an_interpreter_ending_normally_after_ctrl_c_waits_for_the_cancelled_run(tmp_path) -> None:
    # Torn down under a running solve, the solver library aborts the process (SIGABRT).
    tests = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tests), str(tests.parent)])}
    proc = subprocess.run([sys.executable, "-c", LIBRARY_CALLER], capture_output=True, text=True,
                          timeout=120, env=env, check=False)
    assert (proc.returncode, proc.stdout) == (0, "interrupted, run still going: True\n"), proc.stderr
    assert "terminate called" not in proc.stderr
