"""Cost shares as decisions: the optimum against brute force, the chosen split, and determinism.

The brute force knows nothing of coprod's model: for each assignment of
candidates to start years (best value first) it checks every limit but the
partners' money with :func:`violations` on a copy without them, then asks an
LP of its own (highspy's incremental API, built here) whether some split
within the ranges meets every partner's caps and share rules.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import highspy
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorer.errors import InfeasibleError
from scorer.inputs.loading import load_scenario
from scorer.portfolio.feasibility import violations, yearly_spend
from scorer.portfolio.model import PortfolioModel
from scorer.portfolio.problem import build_problem, problem_from_inputs
from scorer.portfolio.solve import optimize, portfolio_value
from scorer.study.study import Study

RANGES = Path(__file__).resolve().parents[1] / "data/shares/ranges.yaml"


def split_lp(p, start, lo, hi, target=None):
    """Whether a split of the selected candidates within [lo, hi] meets every partner limit (and, with
    ``target``, the least total distance |share - target| of the selected ranged candidates)."""
    sel = np.flatnonzero(start >= 0)
    if len(sel) == 0:  # nobody pays anything: every limit holds
        return True if target is None else 0.0
    spend = yearly_spend(p, start)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    var = {}
    for i in sel:
        for j in range(len(p.partners)):
            var[i, j] = h.getNumCol()
            h.addVar(float(lo[i, j]), float(hi[i, j]))
    inf = highspy.kHighsInf

    def row(terms, low, up):
        keep = [(var[k], c) for k, c in terms if c != 0]
        h.addRow(low, up, len(keep), np.array([k for k, _ in keep], dtype=np.int32),
                 np.array([c for _, c in keep], dtype=float))

    for i in sel:
        row([((i, j), 1.0) for j in range(len(p.partners))], 1.0, 1.0)
    cost = spend.sum(axis=1)
    for j in range(len(p.partners)):
        for t in range(len(p.years)):
            if np.isfinite(p.partner_year_cap[j, t]):
                row([((i, j), spend[i, t]) for i in sel], -inf, float(p.partner_year_cap[j, t]))
        if np.isfinite(p.partner_total[j]):
            row([((i, j), cost[i]) for i in sel], -inf, float(p.partner_total[j]))
        whole = float(cost.sum())
        if np.isfinite(p.partner_share_min[j]):
            row([((i, j), cost[i]) for i in sel], float(p.partner_share_min[j]) * whole, inf)
        if np.isfinite(p.partner_share_max[j]):
            row([((i, j), cost[i]) for i in sel], -inf, float(p.partner_share_max[j]) * whole)
    if target is not None:  # |y - t| <= d for the ranged ones, minimise the sum of d
        for (i, j), col in list(var.items()):
            if p.ranged[i]:
                d = h.getNumCol()
                h.addVar(0.0, inf)
                h.changeColCost(d, 1.0)
                h.addRow(-float(target[i, j]), inf, 2, np.array([d, col], dtype=np.int32), np.array([1.0, -1.0]))
                h.addRow(float(target[i, j]), inf, 2, np.array([d, col], dtype=np.int32), np.array([1.0, 1.0]))
    h.run()
    ok = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return ok if target is None else h.getInfo().objective_function_value


def brute_force_ranges(p, values, lo, hi):
    """The best objective over every assignment whose limits hold for some split (None: none)."""
    free = replace(p, partner_total=np.full(len(p.partners), np.inf),
                   partner_year_cap=np.full_like(p.partner_year_cap, np.inf),
                   partner_share_min=np.full(len(p.partners), np.nan),
                   partner_share_max=np.full(len(p.partners), np.nan))
    choices = []
    for i in range(p.n):
        first = max(int(p.years[0]), p.earliest_given[i] or int(p.years[0]))
        last = min(int(p.years[-1]), p.latest_given[i] or int(p.years[-1])) - len(p.costs[i]) + 1
        choices.append([-1, *range(first, last + 1)])
    starts = [np.array(c) for c in itertools.product(*choices)]
    worth = [portfolio_value(p, values, s) for s in starts]
    for k in np.argsort(worth, kind="stable")[::-1]:
        s = starts[k]
        if not violations(free, s, free.shares) and split_lp(p, s, lo, hi):
            return worth[k]
    return None


@st.composite
def ranged_problems(draw):
    """Up to 7 candidates on a 4-year horizon, 2 or 3 partners, some splits fixed and some ranges."""
    n = draw(st.integers(1, 7))
    partners = ("A", "B", "C")[:draw(st.integers(2, 3))]
    m = len(partners)
    costs, earliest, latest, shares, lo, hi = [], [], [], [], [], []
    for _ in range(n):
        d = draw(st.integers(2, 4))
        costs.append(draw(st.lists(st.integers(1, 9), min_size=d, max_size=d)))
        e = 2026 + draw(st.integers(0, 4 - d))
        earliest.append(e)
        latest.append(min(2029, e + d - 1 + draw(st.integers(0, 1))))
        weights = np.array(draw(st.lists(st.integers(1, 4), min_size=m, max_size=m)), dtype=float)
        centre = weights / weights.sum()
        if draw(st.booleans()):
            shares.append([float(c) for c in centre])
            lo.append(centre)
            hi.append(centre)
        else:
            width = np.array(draw(st.lists(st.sampled_from([0.0, 0.1, 0.3, 1.0]), min_size=m, max_size=m)))
            low, high = np.clip(centre - width, 0, 1), np.clip(centre + width, 0, 1)
            shares.append([(float(a), float(b)) for a, b in zip(low, high)])
            lo.append(low)
            hi.append(high)
    caps = st.sampled_from([None, 4.0, 8.0, 15.0])
    rule = draw(st.sampled_from([None, (0.3, None), (None, 0.4), (0.2, 0.5)]))
    problem = build_problem(
        costs, horizon=(2026, 2029), partners=partners, shares=shares, earliest=earliest, latest=latest,
        partner_total={p: v for p in partners if (v := draw(caps)) is not None},
        partner_year={p: v for p in partners if (v := draw(st.sampled_from([None, 2.0, 4.0]))) is not None},
        partner_share={"A": rule} if rule else None,
        max_projects=draw(st.sampled_from([None, 3])), delay_discount=draw(st.sampled_from([0.0, 0.1])))
    values = np.array(draw(st.lists(st.integers(1, 100), min_size=n, max_size=n)), dtype=float)
    return problem, values, np.array(lo), np.array(hi)


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
