"""The model owns its changes: right-hand sides, forced candidates, fixed options and values act alike
in-process (PuLP), in a child process (the model's arrays) and on a fresh model, and are undone on leaving."""

from __future__ import annotations

from contextlib import ExitStack

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from testkit import make_problem, small_problems
from scorer.mip.config import SolverConfig
from scorer.portfolio.model import PortfolioModel

IN_PROCESS = SolverConfig(isolate_from=10**9)
IN_CHILD = SolverConfig(isolate_from=0)  # every HiGHS solve in a child process, from linear()


def objective(model: PortfolioModel, config: SolverConfig) -> float | None:
    """The optimum's objective, or None when nothing fits."""
    outcome = model.solve(config)
    assert outcome.status in ("optimal", "infeasible")
    return None if outcome.status == "infeasible" else outcome.objective


def apply(model: PortfolioModel, op: tuple) -> None:
    kind, arg = op
    if kind == "rhs":
        model.set_rhs(*arg)
    elif kind == "in":
        model.force(arg)
    elif kind == "out":
        model.force(arg, chosen=False)
    elif kind == "release":
        model.release(arg)
    elif kind == "on":
        model.fix(on=[arg])
    elif kind == "off":
        model.fix(off=[arg])
    elif kind == "unfix":
        model.unfix([arg])
    elif kind == "values":
        model.set_values(arg)


@st.composite
def changes(draw):
    """A problem, its values, and a sequence of changes with nested restores ("enter" ... "leave")."""
    problem, values = draw(small_problems())
    model = PortfolioModel(problem, values)
    k, n = model.options.k, problem.n
    names = [row.name for row in model.rows]
    startable = [i for i in range(n) if model.options.of(i).stop > model.options.of(i).start]
    steps = []
    for _ in range(draw(st.integers(1, 8))):
        kinds = ["enter", "leave", "values"] + ["rhs"] * bool(names) + ["in", "release"] * bool(startable) \
            + ["out"] + ["on", "off", "unfix"] * bool(k)
        kind = draw(st.sampled_from(kinds))
        if kind in ("enter", "leave"):
            steps.append((kind, None))
        elif kind == "rhs":
            steps.append((kind, (draw(st.sampled_from(names)), float(draw(st.sampled_from([0, 1, 3, 8, 20]))))))
        elif kind == "in":
            steps.append((kind, draw(st.sampled_from(startable))))
        elif kind in ("out", "release"):
            steps.append((kind, draw(st.integers(0, n - 1))))
        elif kind == "values":
            steps.append((kind, np.array(draw(st.lists(st.integers(0, 100), min_size=n, max_size=n)), float)))
        else:
            steps.append((kind, draw(st.integers(0, k - 1))))
    return problem, values, steps


def same_everywhere(model: PortfolioModel, problem, values, active: list[tuple]) -> None:
    """In-process, in a child and on a fresh model with only the changes in force: the same optimum."""
    fresh = PortfolioModel(problem, values)
    for op in active:
        apply(fresh, op)
    anew = objective(fresh, IN_PROCESS)
    here, child = objective(model, IN_PROCESS), objective(model, IN_CHILD)
    if anew is None:
        assert here is None and child is None
    else:
        assert here == pytest.approx(anew, abs=1e-6) and child == pytest.approx(anew, abs=1e-6)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes())
def test_changes_and_restores_act_alike_in_process_in_a_child_and_on_a_fresh_model(case) -> None:
    problem, values, steps = case
    model = PortfolioModel(problem, values)
    active: list[tuple] = []  # the changes in force, in order
    scopes: list[tuple[ExitStack, int]] = []  # open scopes, and how many changes were in force at each
    for kind, arg in steps:
        if kind == "enter":
            scope = ExitStack()
            scope.enter_context(model.changes())
            scopes.append((scope, len(active)))
        elif kind == "leave" and scopes:
            scope, mark = scopes.pop()
            scope.close()
            del active[mark:]
        elif kind not in ("enter", "leave"):
            apply(model, (kind, arg))
            active.append((kind, arg))
        objective(model, IN_PROCESS)  # a solve between changes must leave nothing behind
    same_everywhere(model, problem, values, active)
    while scopes:
        scope, mark = scopes.pop()
        scope.close()
        del active[mark:]
    same_everywhere(model, problem, values, active)


def test_every_change_is_undone_when_the_scope_ends() -> None:
    problem = make_problem([[3, 1], [2], [4, 4, 1], [1]], total=7, per_year=5, max_projects=3)
    values = np.array([10.0, 20.0, 30.0, 5.0])
    model = PortfolioModel(problem, values)
    before = model.linear()
    base = objective(model, IN_PROCESS)
    with model.changes():
        model.set_rhs("budget_total", 0)
        model.force(3)
        model.fix(off=[0])
        model.set_values(values[::-1].copy())
        assert objective(model, IN_PROCESS) == objective(model, IN_CHILD) is None
    after = model.linear()
    for name in ("cost", "col_lower", "col_upper", "row_lower", "row_upper", "value"):
        np.testing.assert_array_equal(getattr(after, name), getattr(before, name), err_msg=name)
    assert objective(model, IN_PROCESS) == objective(model, IN_CHILD) == base
