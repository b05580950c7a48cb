"""One classifier of what a solve returned (outcome_of), fed by the PuLP, child and live-HiGHS adapters."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pulp
import pytest

from scorer.errors import SolverError
from scorer.mip.child import ChildResult
from scorer.mip.config import SolverConfig
from scorer.mip.large import child_said
from scorer.mip.outcome import Said, no_portfolio_error, outcome_of
from scorer.mip.solvers import pulp_said

CBC = SolverConfig("cbc", time_limit=0.05)


def stats(status, has_solution: bool, seconds: float, objective=None, best_bound=None):
    return SimpleNamespace(status=status, has_solution=has_solution, time=seconds, objective=objective,
                           best_bound=best_bound, is_mip=True)


def test_the_no_portfolio_message_is_made_in_one_place() -> None:
    assert str(no_portfolio_error(SolverConfig("highs", 12.5), "TimeLimit")) == (
        "the highs solver found no portfolio (TimeLimit) within the time limit of 12.5 s; "
        "raise solver.time_limit")
    with pytest.raises(SolverError) as pulp_says:
        outcome_of(pulp_said(stats(pulp.LpSolveStatus.Infeasible, False, 0.2), np.zeros(1), CBC, 1.0))
    with pytest.raises(SolverError) as child_says:
        outcome_of(child_said(ChildResult("kTimeLimit", math.nan, math.inf, np.zeros(0), 0.2), CBC))
    assert str(pulp_says.value) == str(child_says.value) == str(no_portfolio_error(CBC, "TimeLimit"))


def test_cbc_quirks_are_read_by_the_pulp_adapter() -> None:
    infeasible = stats(pulp.LpSolveStatus.Infeasible, False, 0.01)
    assert pulp_said(infeasible, np.zeros(1), CBC, 1.0).status == "infeasible"  # proven, in time
    cut_short = stats(pulp.LpSolveStatus.Infeasible, False, 0.05)  # "Linear relaxation infeasible" at the limit
    assert (pulp_said(cut_short, np.zeros(1), CBC, 1.0).status, pulp_said(cut_short, np.zeros(1), CBC, 1.0).why) \
        == ("none", "TimeLimit")
    fractional = stats(pulp.LpSolveStatus.Optimal, True, 0.01, objective=7.5)  # the root LP's answer
    assert pulp_said(fractional, np.array([0.5, 1.0]), CBC, 1.0).status == "none"
    done = pulp_said(stats(pulp.LpSolveStatus.Optimal, True, 0.01, objective=7.0), np.array([1.0, 0.0]), CBC, 1.0)
    assert outcome_of(done).status == "optimal" and outcome_of(done).x.tolist() == [1, 0]


def test_a_bound_on_the_wrong_side_bounds_nothing() -> None:
    said = Said("answer", 97.0, -4.8e12, np.array([1.0]), 1.0, CBC)
    outcome = outcome_of(said)
    assert outcome.status == "feasible" and outcome.gap == math.inf


def test_a_proven_infeasible_answer_is_an_outcome_not_an_error() -> None:
    outcome = outcome_of(child_said(ChildResult("kInfeasible", math.nan, math.nan, np.zeros(0), 0.1), CBC))
    assert outcome.status == "infeasible" and outcome.seconds == 0.1
