"""Cost shares as decisions: the optimum against brute force, the chosen split, and determinism.

The brute force knows nothing of coprod's model: for each assignment of
candidates to start years (best value first) it checks every limit but the
partners' money with :func:`violations` on a copy without them, then asks an
LP of its own (highspy's incremental API, built here) whether some split
within the ranges meets every partner's caps and share rules.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from testkit import all_starts, ranged_problems, split_lp, without_money
from scorer.errors import InfeasibleError
from scorer.inputs.loading import load_scenario
from scorer.portfolio.feasibility import violations, yearly_spend
from scorer.portfolio.model import PortfolioModel
from scorer.portfolio.problem import build_problem, problem_from_inputs
from scorer.portfolio.solve import optimize, portfolio_value
from scorer.study.study import Study

RANGES = Path(__file__).resolve().parents[1] / "data/shares/ranges.yaml"


def brute_force_ranges(p, values, lo, hi):
    """The best objective over every assignment whose limits hold for some split (None: none)."""
    free = without_money(p)
    starts = all_starts(p)
    worth = [portfolio_value(p, values, s) for s in starts]
    for k in np.argsort(worth, kind="stable")[::-1]:
        if not violations(free, starts[k], free.shares) and split_lp(p, starts[k], lo, hi):
            return worth[k]
    return None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ranged_problems())
def test_optimum_equals_brute_force_and_every_split_passes_the_check(case) -> None:
    p, values, lo, hi = case
    best = brute_force_ranges(p, values, lo, hi)
    if best is None:
        with pytest.raises(InfeasibleError, match="^infeasible: "):
            optimize(p, values)
        return
    sol = optimize(p, values)
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(best, abs=1e-6)
    assert violations(p, sol.start, sol.shares) == []
    sel = sol.selected
    assert np.all(sol.shares[sel] >= lo[sel] - 1e-9) and np.all(sol.shares[sel] <= hi[sel] + 1e-9)
    assert np.allclose(sol.shares[sel].sum(axis=1), 1.0, atol=1e-9)
    # The split is as near the ranges' middle as the partners' limits allow.
    chosen = float(np.abs(sol.shares - p.shares)[sel & p.ranged].sum())
    assert chosen == pytest.approx(split_lp(p, sol.start, lo, hi, target=p.shares), abs=1e-7)
    again = optimize(p, values)
    assert np.array_equal(again.start, sol.start) and np.array_equal(again.shares, sol.shares)


def two_candidates(**kw):
    # c0 costs 10 over two years, c1 10 in one; A may pay 20-80 % of c0.
    return build_problem([[5, 5], [10]], horizon=(2026, 2027), partners=("A", "B"),
                         shares=[[(0.2, 0.8), (0.2, 0.8)], [0.5, 0.5]], **kw)


def test_without_ranges_or_rules_the_model_is_todays() -> None:
    fixed = build_problem([[5, 5], [10]], horizon=(2026, 2027), partners=("A", "B"),
                          shares=[[0.5, 0.5], [0.5, 0.5]], partner_total={"A": 7})
    model = PortfolioModel(fixed, np.array([1.0, 2.0]))
    assert not fixed.chooses_shares and model.y == [] and model.share_columns.count == 0
    assert [r.name for r in model.rows] == ["budget_A"]
    assert model.linear().num_col == model.options.k


def test_ties_split_nearest_the_middle_earlier_id_first() -> None:
    # Both in: A pays at most 8 of their 20; the middle (0.5 each) asks 10. Moving either costs the same
    # distance per unit of money, so the earlier id (c0) keeps its middle split... as far as the cap allows.
    p = build_problem([[10], [10]], horizon=(2026, 2026), partners=("A", "B"),
                      shares=[[(0.2, 0.8), (0.2, 0.8)], [(0.2, 0.8), (0.2, 0.8)]], partner_total={"A": 8})
    sol = optimize(p, np.array([1.0, 1.0]))
    assert sol.selected.all()
    assert sol.shares.ravel().tolist() == pytest.approx([0.5, 0.5, 0.3, 0.7])
    assert violations(p, sol.start, sol.shares) == []


def test_partner_share_rule_is_met_with_the_chosen_split() -> None:
    p = two_candidates(partner_share={"A": (0.6, None)})
    sol = optimize(p, np.array([1.0, 1.0]))
    cost = yearly_spend(p, sol.start).sum(axis=1)
    assert float(sol.shares[:, 0] @ cost) / cost.sum() >= 0.6 - 1e-9
    assert violations(p, sol.start, sol.shares) == []
    # The independent check refuses a split that breaks the rule or leaves its range.
    bad = sol.shares.copy()
    bad[0] = [0.5, 0.5]
    assert any("below its minimum share 0.6" in v for v in violations(p, sol.start, bad))
    bad[0] = [0.9, 0.1]
    assert any("outside [0.2, 0.8]" in v for v in violations(p, sol.start, bad))
    bad[0] = [0.7, 0.2]
    assert any("sum to 0.9, not 1" in v for v in violations(p, sol.start, bad))


def test_explanation_names_the_share_range() -> None:
    # c0 is mandatory; B's budget of 3 needs B's share of c0 at most 0.3, its range allows 0.4 at the least.
    p = build_problem([[5, 5]], horizon=(2026, 2027), partners=("A", "B"), shares=[[(0.5, 0.6), (0.4, 0.5)]],
                      partner_total={"B": 3}, mandatory=[0])
    with pytest.raises(InfeasibleError) as err:
        optimize(p, np.array([1.0]))
    text = str(err.value)
    assert "widen c0's A share to 0.7" in text
    assert "candidates.c0.partners.A = 0.6" in text


def test_explanation_names_the_partner_share_rule() -> None:
    p = build_problem([[10]], horizon=(2026, 2026), partners=("A", "B"), shares=[[0.5, 0.5]],
                      partner_share={"A": (0.6, None)}, mandatory=[0])
    with pytest.raises(InfeasibleError) as err:
        optimize(p, np.array([1.0]))
    text = str(err.value)
    assert "let A pay 1 less than its minimum share 0.6 of the portfolio's cost" in text
    assert "rules.partner_share.A.min = 0.6" in text


def test_ranges_make_room_where_fixed_shares_do_not() -> None:
    inputs = load_scenario(RANGES)
    p = problem_from_inputs(inputs)
    study = Study.load(RANGES)
    sol = optimize(p, study.values)
    assert violations(p, sol.start, sol.shares) == []
    t7a, jp = p.index("t7a"), p.partners.index("JP")
    assert sol.selected[t7a] and 0.6 <= sol.shares[t7a, jp] < 0.75  # below its middle: JP's budget binds
    fixed = replace(p, share_lo=p.shares * 0 + _fixed(inputs, p), share_hi=_fixed(inputs, p), shares=_fixed(inputs, p))
    with pytest.raises(InfeasibleError, match="from JP in total but JP's total budget is 1,500"):
        optimize(fixed, study.values)


def _fixed(inputs, p):
    """The candidates' own fixed splits (the file's, without the scenario's overlay)."""
    from scorer.inputs.loading import load_file

    own = {c.id: c.partners for c in load_file(Path(inputs.files["candidates"]), "candidates").candidates}
    return np.array([[own[cid].get(q, 0.0) for q in p.partners] for cid in p.ids], dtype=float)


def test_resolver_carries_the_share_columns() -> None:
    study = Study.load(RANGES)
    first = study.resolver().solve(study.values)
    assert violations(first.problem, first.start, first.shares) == []
    direct = optimize(first.problem, study.values)
    assert first.objective == pytest.approx(direct.objective)
    assert np.array_equal(first.shares, direct.shares)
    # A changed limit by name on the live model: JP's budget lower still pushes T-7A's split further.
    tighter = study.resolver().solve(study.values, rhs={"budget_JP": 1450})
    t7a, jp = first.problem.index("t7a"), first.problem.partners.index("JP")
    assert violations(tighter.problem, tighter.start, tighter.shares) == []
    assert tighter.shares[t7a, jp] < first.shares[t7a, jp] or not tighter.selected.all()
