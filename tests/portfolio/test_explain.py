"""Why in, why out: limit use, marginal values by re-solve, exact value thresholds."""

from __future__ import annotations

import numpy as np
import pytest

from scorer.portfolio.explain import binding_limits, limit_use, limits_table, value_thresholds
from scorer.mip.config import SolverConfig
from scorer.portfolio.solve import optimize
from testkit import make_problem


def test_tight_budget_is_binding_and_its_marginal_value_is_resolved() -> None:
    # Budget 10: c0 (cost 10, value 30) beats c1 + nothing; one more unit does not buy c1 too.
    p = make_problem([[10], [6], [5]], horizon=(2026, 2026), total=10)
    sol = optimize(p, [30.0, 20.0, 15.0])
    uses = {u.key: u for u in limit_use(sol, SolverConfig())}
    total = uses["budget_total"]
    assert total.tight and total.binding
    assert total.gain_unit == pytest.approx(35.0 - 30.0)  # 11 buys c1 + c2 (cost 11, value 35)
    assert total.gain_removed == pytest.approx(35.0)


def test_limit_with_slack_can_still_bind() -> None:
    p = make_problem([[6], [6]], horizon=(2026, 2026), total=10)
    sol = optimize(p, [30.0, 20.0])
    (use,) = binding_limits(sol, SolverConfig())
    assert use.key == "budget_total" and not use.tight and use.slack == pytest.approx(4)
    assert use.gain_removed == pytest.approx(20.0) and use.gain_unit == 0.0


def test_thresholds_are_exact() -> None:
    # One slot (budget 1): the best of three values wins.
    p = make_problem([[1], [1], [1]], horizon=(2026, 2026), total=1)
    sol = optimize(p, [50.0, 40.0, 10.0])
    t = {x.id: x for x in value_thresholds(sol, SolverConfig())}
    assert t["c0"].selected and t["c0"].threshold == pytest.approx(40.0) and t["c0"].margin == pytest.approx(10)
    assert not t["c1"].selected and t["c1"].threshold == pytest.approx(50.0)
    assert t["c1"].margin == pytest.approx(10.0) and t["c1"].displaces == ("c0",)
    assert all(x.exact for x in t.values())


@pytest.mark.slow
def test_thresholds_with_delay_discount_match_resolves() -> None:
    p = make_problem([[4, 4], [4], [3, 3]], horizon=(2026, 2028), per_year=6, delay_discount=0.2)
    values = np.array([40.0, 30.0, 35.0])
    sol = optimize(p, values)
    for t in value_thresholds(sol, SolverConfig()):
        i = p.index(t.id)
        for nudge, inside in ((+1e-3, True), (-1e-3, False)):
            v = values.copy()
            v[i] = t.threshold + nudge
            assert (optimize(p, v).start[i] >= 0) == inside, (t, nudge)


def test_mandatory_and_unplaceable_candidates() -> None:
    p = make_problem([[5], [9]], horizon=(2026, 2026), per_year=8, mandatory=[0])
    sol = optimize(p, [10.0, 90.0])
    t = {x.id: x for x in value_thresholds(sol, SolverConfig())}
    assert "mandatory" in t["c0"].note
    assert t["c1"].threshold is None and "cannot enter" in t["c1"].note


def test_a_project_others_depend_on_stays_in_at_value_0_not_below() -> None:
    # Without c0, c1 (which requires it) goes too: the raw threshold would be -30, below the 0-100 scale.
    problem = make_problem([[1], [1]], horizon=(2026, 2027), requires=[(1, 0)])
    sol = optimize(problem, np.array([10.0, 30.0]))
    t = {x.id: x for x in value_thresholds(sol, SolverConfig())}
    assert (t["c0"].threshold, t["c0"].margin, t["c0"].note) == (0.0, 10.0, "stays in even at value 0")
    assert (t["c1"].threshold, t["c1"].margin) == (0.0, 30.0)


def test_a_model_too_large_to_re_solve_per_candidate_is_not_explained() -> None:
    from scorer.limits import SizeLimitError

    sol = optimize(make_problem([[1], [1]], horizon=(2026, 2027), total=1), np.array([10.0, 30.0]))
    assert sol.model.options.k == 4
    large = SolverConfig(isolate_from=4)  # as if this model were solved in a child process
    message = (r"^explaining the portfolio re-solves the model about once per candidate and twice per limit "
               r"\(2 candidates and 1 limit here\), and a model with 4 start options takes seconds to minutes "
               r"per solve; explanations are limited to models under 4 start options \(leave out the "
               r"explanation\)$")
    with pytest.raises(SizeLimitError, match=message):
        value_thresholds(sol, large)
    with pytest.raises(SizeLimitError, match=message):
        limit_use(sol, large)
    assert [u.key for u in limit_use(sol)] == ["budget_total"]  # use and slack need no re-solve: allowed
    assert len(value_thresholds(sol, SolverConfig(isolate_from=5))) == 2


def test_tiny_money_limits_are_explained_as_ordinary_ones() -> None:
    # Rows of tiny costs are scaled by a power of two in the model; moving their bounds for the
    # explanation must use the same factor, or removing a limit would not remove it.
    costs, values = [[10], [6], [5]], [30.0, 20.0, 15.0]
    unit = 2.0 ** -40
    tiny = optimize(make_problem([[c[0] * unit] for c in costs], horizon=(2026, 2026), total=10 * unit), values)
    plain = optimize(make_problem(costs, horizon=(2026, 2026), total=10), values)
    (small,), (big,) = limit_use(tiny, SolverConfig()), limit_use(plain, SolverConfig())
    assert small.gain_removed == big.gain_removed == pytest.approx(35.0)
    assert (small.used, small.slack, small.tight) == (big.used * unit, big.slack * unit, big.tight)
    assert optimize(tiny.problem, values).objective == tiny.objective  # the model's bounds were put back


def test_a_scenario_without_limits_gives_a_table_whose_binding_column_masks_rows() -> None:
    # No budget and no rules: no limit at all. An empty float column used as a mask
    # selects columns (none), not rows, and the report's later use of them failed.
    sol = optimize(make_problem([[1], [2]]), [50.0, 60.0])
    table = limits_table(limit_use(sol, SolverConfig()))
    assert table.empty and table["binding"].dtype == bool
    assert list(table[table["binding"]].columns) == list(table.columns)


@pytest.mark.parametrize("where", [SolverConfig(isolate_from=10**9), SolverConfig(isolate_from=1)],
                         ids=["in-process", "child-process"])
def test_a_moved_limit_holds_in_a_child_process_as_in_process(where) -> None:
    # Before the model owned its changes, the right-hand side was moved on the PuLP model only: the
    # child process, which solves the model's own arrays, still saw budget 1 (objective 30, gain 0.0).
    from scorer.portfolio.explain import _gain

    sol = optimize(make_problem([[1], [1]], horizon=(2026, 2027), total=1), np.array([10.0, 30.0]))
    row = sol.model.limit("budget_total").rows[0]
    assert _gain(sol.model, row, 0.0, sol.objective, where) == -30.0  # budget 0: nothing fits, value 0
    assert sol.model.solve(where).objective == 30.0  # and the budget is back afterwards
