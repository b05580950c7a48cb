"""Partners' values, the exact two-partner frontier and the solution concepts, against brute force."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from testkit import all_starts, make_problem, ranged_problems, ranged_starts, small_problems, within_money
from scorer.errors import InfeasibleError, ScoringError, SolverError
from scorer.mip.config import SolverConfig
from scorer.portfolio.bargain import (
    CONCEPTS,
    Parties,
    balanced_index,
    bargain,
    coarse_frontier,
    joint_index,
    nash_index,
    ideal_points,
    pareto_frontier,
    partner_values,
    solve_objective,
    value_step,
    with_floors,
)
from scorer.portfolio.feasibility import violations
from scorer.portfolio.problem import Row, named_limits, start_options
from scorer.portfolio.resolve import Resolver
from scorer.portfolio.solve import optimize, portfolio_value

FEW = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def choices(p) -> list[list[int]]:
    """Per candidate: left out (-1) or each start year its window allows."""
    out = []
    for i in range(p.n):
        lo = max(int(p.years[0]), p.earliest_given[i] or int(p.years[0]))
        hi = min(int(p.years[-1]), p.latest_given[i] or int(p.years[-1])) - len(p.costs[i]) + 1
        out.append([-1] if p.forbidden[i] else [-1, *range(lo, hi + 1)])
    return out


def feasible_values(p, parties: Parties) -> np.ndarray:
    """(portfolios, P) partner values of every portfolio that meets every limit, by enumeration."""
    starts = all_starts(p)
    rows = [partner_values(p, parties, s) for s, ok in zip(starts, within_money(p, starts))
            if ok and not violations(p, s)]
    return np.array(rows).reshape(-1, parties.count)


def non_dominated(points: np.ndarray) -> np.ndarray:
    """The distinct non-dominated rows, the first column descending."""
    pts = np.unique(np.round(points, 9), axis=0)
    keep = [k for k, a in enumerate(pts) if not any((b >= a).all() and (b > a).any() for b in pts)]
    out = pts[keep]
    return out[np.argsort(-out[:, 0], kind="stable")]


def brute_balanced(vals: np.ndarray, d: np.ndarray) -> tuple[float, float]:
    """(max t, then max sum of values) over the enumerated portfolios."""
    ideal = vals.max(axis=0)
    gain = ideal - d
    live = gain > 0
    t = np.min((vals[:, live] - d[live]) / gain[live], axis=1, initial=np.inf)
    top = t >= t.max() - 1e-12
    return float(t.max()), float(vals[top].sum(axis=1).max())


@st.composite
def bilateral(draw):
    """A small problem (windows, budgets per partner) and two partners' integer values."""
    problem, joint = draw(small_problems())
    # The enumeration checks every portfolio in plain Python: keep it to a second or so.
    assume(math.prod(len(c) for c in choices(problem)) <= 1500)
    other = np.array(draw(st.lists(st.integers(0, 100), min_size=problem.n, max_size=problem.n)), dtype=float)
    if draw(st.booleans()):  # partners who want opposite things, and money for about half: many points
        other = np.abs(100.0 - joint - other // 10)
        half = 0.5 * sum(float(c.sum()) for c in problem.costs)
        problem = replace(problem, total_cap=min(problem.total_cap, half))
    influence = draw(st.sampled_from([0.5, 0.3]))
    values = np.vstack([joint, other])
    parties = Parties(("US", "JP"), values, influence * joint + (1 - influence) * other,
                      np.array([draw(st.sampled_from([0.0, 10.0])), 0.0]), np.array([influence, 1 - influence]))
    return problem, parties


@FEW
@given(bilateral())
def test_frontier_is_the_brute_force_non_dominated_set(case) -> None:
    problem, parties = case
    vals = feasible_values(problem, parties)
    if len(vals) == 0:
        with pytest.raises(InfeasibleError, match="^infeasible: "):
            pareto_frontier(problem, parties)
        return
    front = pareto_frontier(problem, parties)
    got = np.array([pt.values for pt in front.points])
    np.testing.assert_allclose(got, non_dominated(vals), atol=1e-6)
    assert front.optimal and all(front.on_grid)
    # The joint values are a combination of the partners': a point takes two solves, not three.
    assert front.solves == 2 * len(front.points) + 1
    for pt in front.points:
        assert violations(problem, pt.start) == []
        np.testing.assert_allclose(pt.values, partner_values(problem, parties, pt.start))
    np.testing.assert_allclose(front.ideal, vals.max(axis=0), atol=1e-6)


@FEW
@given(bilateral())
def test_nash_balanced_and_ideals_are_the_brute_force_optima(case) -> None:
    problem, parties = case
    vals = feasible_values(problem, parties)
    if len(vals) == 0:
        return
    np.testing.assert_allclose(ideal_points(problem, parties), vals.max(axis=0), atol=1e-6)
    d, lam = parties.disagreement, parties.influence
    if (vals.max(axis=0) < d).any():
        with pytest.raises(ScoringError, match="below its disagreement value"):
            solve_objective(problem, parties, "balanced")
        return
    t, total = brute_balanced(vals, d)
    bal = solve_objective(problem, parties, "balanced")
    assert bal.criterion == (pytest.approx(t, abs=1e-9) if np.isfinite(t) else t)
    assert bal.point.values.sum() == pytest.approx(total, abs=1e-6)
    gains = vals - d
    ok = (gains > 0).all(axis=1)
    b = bargain(problem, parties) if ok.any() else None
    if b is None:
        with pytest.raises(ScoringError, match="no Nash solution"):
            solve_objective(problem, parties, "nash")
        return
    best = np.max(np.log(gains[ok]) @ lam)
    nash = solve_objective(problem, parties, "nash")
    assert nash.criterion == pytest.approx(best, abs=1e-9)
    front = b.frontier.points
    assert np.log(front[b.solutions["nash"]].values - d) @ lam == pytest.approx(best, abs=1e-9)
    np.testing.assert_allclose(front[b.solutions["balanced"]].values, bal.point.values, atol=1e-6)
    # The joint values are the influence-weighted sum: the joint optimum lies on the frontier.
    assert front[b.solutions["joint"]].joint == pytest.approx(optimize(problem, parties.joint).objective, abs=1e-6)
    for p, name in enumerate(parties.names):
        own = solve_objective(problem, parties, name)
        assert own.criterion == pytest.approx(vals[:, p].max(), abs=1e-6)
        assert not ((vals >= own.point.values - 1e-9).all(axis=1) & (vals > own.point.values + 1e-9).any(axis=1)).any()


def test_identical_partners_agree_with_todays_optimum() -> None:
    problem = make_problem([[3, 2], [4], [5, 1], [2, 2], [6]], partners=("US", "JP"), shares=[[0.5, 0.5]] * 5,
                           total=12, delay_discount=0.1, latest=[2030, 2027, None, None, 2028])
    v = np.array([10.0, 50, 30, 20, 70])
    parties = Parties(("US", "JP"), np.vstack([v, v]), v, np.zeros(2), np.array([0.5, 0.5]))
    today = optimize(problem, v).objective
    b = bargain(problem, parties)
    assert len(b.frontier.points) == 1
    assert b.frontier.points[0].values.tolist() == pytest.approx([today, today])
    for concept in ("joint", "nash", "balanced"):
        assert solve_objective(problem, parties, concept).point.joint == pytest.approx(today)
        assert b.solutions[concept] == 0


def _two_partner_case():
    problem = make_problem([[3, 2], [4], [5, 1], [2, 2], [6]], partners=("US", "JP"), shares=[[0.5, 0.5]] * 5,
                           total=12, delay_discount=0.1)
    values = np.array([[10.0, 50, 30, 20, 70], [60, 20, 40, 50, 10]])
    return problem, Parties(("US", "JP"), values, values.mean(axis=0), np.zeros(2), np.array([0.5, 0.5]))


def test_an_unreachable_floor_is_named_in_the_explanation() -> None:
    problem, parties = _two_partner_case()
    high = replace(parties, min_value=np.array([np.nan, 1000.0]))
    with pytest.raises(InfeasibleError) as err:
        pareto_frontier(problem, high)
    assert "JP's value floor (1,000)" in str(err.value)
    assert "perspectives.JP.min_value = 1,000" in str(err.value)
    with pytest.raises(InfeasibleError, match="JP's value floor"):
        solve_objective(problem, high, "joint")


def test_floors_cut_the_frontier_to_what_both_accept() -> None:
    problem, parties = _two_partner_case()
    full = np.array([pt.values for pt in pareto_frontier(problem, parties).points])
    floored = replace(parties, min_value=np.array([60.0, np.nan]), min_share_of_ideal=np.array([np.nan, 0.5]))
    front = pareto_frontier(problem, floored)
    jp_ideal = full[:, 1].max()
    keep = full[(full[:, 0] >= 60) & (full[:, 1] >= 0.5 * jp_ideal)]
    np.testing.assert_allclose([pt.values for pt in front.points], keep)
    fp = with_floors(problem, floored, SolverConfig())
    assert [(f.partner, f.field) for f in fp.floors] == [("US", "perspectives.US.min_value"),
                                                         ("JP", "perspectives.JP.min_share_of_ideal")]
    assert [lim.kind for lim in named_limits(fp, start_options(fp))][-2:] == ["partner_floor", "partner_floor"]
    for pt in front.points:
        assert violations(fp, pt.start) == []


def test_no_floors_leave_the_problem_as_it_was() -> None:
    problem, parties = _two_partner_case()
    assert with_floors(problem, parties, SolverConfig()) is problem


def test_three_partners_joint_and_balanced_against_brute_force() -> None:
    problem, _ = _two_partner_case()
    values = np.array([[10.0, 50, 30, 20, 70], [60, 20, 40, 50, 10], [30, 30, 90, 0, 20]])
    parties = Parties(("A", "B", "C"), values, values.mean(axis=0), np.array([0.0, 10.0, 0.0]),
                      np.full(3, 1 / 3))
    vals = feasible_values(problem, parties)
    t, total = brute_balanced(vals, parties.disagreement)
    bal = solve_objective(problem, parties, "balanced")
    assert bal.criterion == pytest.approx(t) and bal.point.values.sum() == pytest.approx(total)
    joint = solve_objective(problem, parties, "joint")
    assert joint.criterion == pytest.approx(vals.mean(axis=1).max())
    with pytest.raises(ScoringError, match="two partners only"):
        solve_objective(problem, parties, "nash")
    with pytest.raises(ScoringError, match="for two partners"):
        pareto_frontier(problem, parties)


def test_unknown_partner_and_bad_parties_are_refused() -> None:
    problem, parties = _two_partner_case()
    with pytest.raises(ScoringError, match="no partner 'KR'"):
        solve_objective(problem, parties, "KR")
    with pytest.raises(ScoringError, match="influence"):
        replace(parties, influence=np.array([0.5, 0.6]))
    with pytest.raises(ScoringError, match="one number per partner"):
        replace(parties, disagreement=np.zeros(3))


def test_value_grid_comes_from_the_data() -> None:
    problem, parties = _two_partner_case()
    opts = start_options(problem)
    assert value_step(opts, parties.values[0]) == (0.001, True)  # 0.9 ** 3 x whole numbers
    # Off every grid: twice what a solver may leave a row unmet by (1e-6 of the largest coefficient).
    assert value_step(opts, parties.values[0] + 1 / 3) == (pytest.approx(2e-6 * (70 + 1 / 3)), False)


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_resolver_rows_hold_and_go_away(solver) -> None:
    problem, parties = _two_partner_case()
    config = SolverConfig(name=solver)
    resolver = Resolver(problem, parties.joint, config)
    opts = resolver.options
    coef = parties.values[1][opts.cand] * opts.weight
    best = resolver.solve(parties.values[0])
    jp = portfolio_value(problem, parties.values[1], best.start)
    row = Row("jp_floor", np.arange(opts.k), coef, ">=", jp + 15)
    held = resolver.solve(parties.values[0], rows=[row])
    assert portfolio_value(problem, parties.values[1], held.start) >= jp + 15
    assert held.objective < best.objective
    assert resolver.solve(parties.values[0]).objective == pytest.approx(best.objective)
    with pytest.raises(InfeasibleError, match="extra rows"):
        resolver.solve(parties.values[0], rows=[replace(row, rhs=1e6)])


def test_a_broken_extra_row_is_caught_independently() -> None:
    from scorer.portfolio.resolve import check_rows

    problem, _ = _two_partner_case()
    opts = start_options(problem)
    start = np.full(problem.n, -1)
    start[1] = 2026
    with pytest.raises(SolverError, match="breaks the row 'need_c0'"):
        check_rows(opts, start, [Row("need_c0", np.arange(opts.of(0).start, opts.of(0).stop),
                                     np.ones(opts.of(0).stop - opts.of(0).start), ">=", 1.0)])
    check_rows(opts, start, [Row("c1", np.array([opts.of(1).start]), np.ones(1), ">=", 1.0)])


def spread_case(seed: int, n: int = 9):
    """Partners who want opposite things and money for half the candidates: frontiers of 3-13 points."""
    rng = np.random.default_rng(seed)
    costs = [list(rng.integers(1, 10, rng.integers(1, 3))) for _ in range(n)]
    earliest = [int(2026 + rng.integers(0, 2)) for _ in range(n)]
    latest = [e + len(c) - 1 + int(rng.integers(0, 2) * (k % 3 == 0)) for k, (e, c) in enumerate(zip(earliest, costs))]
    problem = make_problem(costs, horizon=(2026, 2029), partners=("US", "JP"), shares=[[0.5, 0.5]] * n,
                           earliest=earliest, latest=latest, total=0.5 * sum(sum(c) for c in costs),
                           delay_discount=0.1)
    us = rng.integers(10, 101, n).astype(float)
    jp = np.clip(110 - us + rng.integers(-15, 16, n), 0, 100)
    return problem, Parties(("US", "JP"), np.vstack([us, jp]), (us + jp) / 2, np.array([float(seed % 3) * 40, 0.0]),
                            np.array([0.5, 0.5]))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("own_joint", [False, True])
def test_a_coarse_frontier_covers_the_rest_and_keeps_the_solutions_exact(seed, own_joint) -> None:
    problem, parties = spread_case(seed)
    if own_joint:  # joint values of their own (a file's weights): the gaps' joint bounds are solves
        parties = replace(parties, joint=3 * np.roll(parties.values[0], 2) + 1.0)
    exact = non_dominated(feasible_values(problem, parties))
    want = bargain(problem, parties)
    np.testing.assert_allclose([pt.values for pt in want.frontier.points], exact, atol=1e-6)
    for slices in (1, 2, 3):
        got = bargain(problem, parties, slices=slices)
        listed = np.array([pt.values for pt in got.frontier.points])
        # Every listed point is non-dominated; every other is less than the spacing above one (in JP's value)
        # that is at least as good for US.
        assert all((np.abs(exact - v).max(axis=1) <= 1e-6).any() for v in listed)
        room = got.frontier.spacing
        assert room == pytest.approx((exact[-1, 1] - exact[0, 1]) / slices)
        for z in exact:
            assert ((listed[:, 0] >= z[0] - 1e-6) & (listed[:, 1] > z[1] - room - 1e-6)).any()
        for concept, k in want.solutions.items():
            other = got.frontier.points[got.solutions[concept]]
            assert worth(concept, other, parties, got) == pytest.approx(worth(concept, want.frontier.points[k],
                                                                              parties, want), abs=1e-9), concept
            assert violations(problem, other.start) == []
    for concept in CONCEPTS:  # each concept on its own: its own bounds and probes must make it exact
        alone = coarse_frontier(problem, parties, slices=2, concepts=(concept,))
        best = {"joint": joint_index, "nash": lambda f: nash_index(f, parties),
                "balanced": lambda f: balanced_index(f, parties)}[concept](alone)
        assert worth(concept, alone.points[best], parties, alone) == pytest.approx(
            worth(concept, want.frontier.points[want.solutions[concept]], parties, want), abs=1e-9), concept
    nash = solve_objective(problem, parties, "nash")  # from a coarse frontier of NASH_SLICES
    assert nash.criterion == pytest.approx(worth("nash", want.frontier.points[want.solutions["nash"]], parties, want),
                                           abs=1e-9)


def worth(concept: str, pt, parties: Parties, b) -> float:
    """What a concept maximises: a coarse frontier's value is exact; which of tied points it shows may differ."""
    if concept == "joint":
        return pt.joint
    if concept == "nash":
        return float(np.log(pt.values - parties.disagreement) @ parties.influence)
    front = b.frontier if hasattr(b, "frontier") else b
    gain = front.ideal - parties.disagreement
    live = gain > 0  # a partner with nothing to gain has no share of it (brute_balanced leaves it out too)
    return float(np.min((pt.values - parties.disagreement)[live] / gain[live], initial=np.inf))


@st.composite
def ranged_bilateral(draw):
    """Two paying partners with share ranges and budgets each, and two partners' integer values."""
    problem, joint, lo, hi = draw(ranged_problems(partners=2, most=10, room=2.5))
    assume(len(all_starts(problem)) <= 600)  # each enumerated portfolio asks an LP for a split
    other = np.array(draw(st.lists(st.integers(1, 100), min_size=problem.n, max_size=problem.n)), dtype=float)
    values = np.vstack([joint, other])
    parties = Parties(problem.partners, values, (joint + other) / 2,
                      np.array([draw(st.sampled_from([0.0, 5.0])), 0.0]), np.array([0.5, 0.5]))
    return problem, parties, lo, hi


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(ranged_bilateral())
def test_frontier_with_share_ranges_against_brute_force(case) -> None:
    # The brute force enumerates portfolios and asks its own LP whether some split in the ranges meets
    # every partner's budgets and share rules; coprod's frontier must find the same non-dominated set,
    # Nash and balanced optima and ideals, each point with a split that passes the independent check.
    problem, parties, lo, hi = case
    starts = ranged_starts(problem, lo, hi)
    if not starts:
        with pytest.raises(InfeasibleError, match="^infeasible: "):
            bargain(problem, parties)
        return
    vals = np.array([partner_values(problem, parties, s) for s in starts])
    d = parties.disagreement
    gains = vals - d
    ok = (gains > 0).all(axis=1)
    if not ok.any():  # also when a partner's ideal is below its disagreement value
        with pytest.raises(ScoringError, match="no Nash solution"):
            bargain(problem, parties)
        return
    b = bargain(problem, parties)
    points = b.frontier.points
    np.testing.assert_allclose([pt.values for pt in points], non_dominated(vals), atol=1e-6)
    np.testing.assert_allclose(b.frontier.ideal, vals.max(axis=0), atol=1e-6)
    for pt in points:
        sel = pt.selected
        assert violations(problem, pt.start, pt.shares) == []
        assert np.all(pt.shares[sel] >= lo[sel] - 1e-9) and np.all(pt.shares[sel] <= hi[sel] + 1e-9)
    t, total = brute_balanced(vals, d)
    balanced = points[b.solutions["balanced"]]
    assert worth("balanced", balanced, parties, b) == (pytest.approx(t, abs=1e-9) if np.isfinite(t) else t)
    assert balanced.values.sum() == pytest.approx(total, abs=1e-6)
    best = np.max(np.log(gains[ok]) @ parties.influence)
    assert np.log(points[b.solutions["nash"]].values - d) @ parties.influence == pytest.approx(best, abs=1e-9)
    for p, name in enumerate(parties.names):
        own = solve_objective(problem, parties, name)
        assert own.criterion == pytest.approx(vals[:, p].max(), abs=1e-6)
        assert violations(problem, own.point.start, own.point.shares) == []


def _one_of(us: list[float], jp: list[float], d: tuple[float, float], influence: float = 0.5):
    """Money for one candidate of several: the frontier is the candidates' (US, JP) values."""
    n = len(us)
    problem = make_problem([[1]] * n, horizon=(2026, 2026), partners=("US", "JP"), shares=[[0.5, 0.5]] * n,
                           earliest=[2026] * n, latest=[2026] * n, total=1.0)
    us, jp = np.array(us, dtype=float), np.array(jp, dtype=float)
    lam = np.array([influence, 1 - influence])
    return problem, Parties(("US", "JP"), np.vstack([us, jp]), lam[0] * us + lam[1] * jp, np.array(d), lam)


def test_a_coarse_frontier_keeps_two_points_one_step_apart() -> None:
    # JP's two values differ by exactly its grid step (1): the coarse frontier must not take them for one.
    problem, parties = _one_of([10, 5], [0, 1], (0.0, -5.0), influence=0.1)
    exact = bargain(problem, parties)
    coarse = bargain(problem, parties, slices=2)
    assert [tuple(pt.values) for pt in coarse.frontier.points] == [(10, 0), (5, 1)]
    for concept, k in exact.solutions.items():
        assert tuple(coarse.frontier.points[coarse.solutions[concept]].values) == tuple(exact.frontier.points[k].values)
    problem, parties = _one_of([10, 9], [0, 1], (0.0, 0.0))
    assert tuple(solve_objective(problem, parties, "nash").point.values) == (9, 1)


def test_a_coarse_balanced_solution_breaks_ties_by_the_sum_as_the_exact_one() -> None:
    # (7, 4) and (4, 8) both give each partner 5/11 of its ideal gain; the larger sum, (4, 8), is balanced.
    problem, parties = _one_of([10, 7, 4, 0], [0, 4, 8, 10], (-1.0, -1.0))
    want = bargain(problem, parties).frontier
    assert tuple(want.points[balanced_index(want, parties)].values) == (4, 8)
    alone = coarse_frontier(problem, parties, slices=1, concepts=("balanced",))
    assert tuple(alone.points[balanced_index(alone, parties)].values) == (4, 8)


def test_a_round_stopped_by_its_time_limit_is_not_taken_for_an_empty_one(monkeypatch) -> None:
    # A stage-1 solve that stops short of the line with its bound above it proves nothing: not optimal.
    problem, parties = spread_case(1)
    real = Resolver.solve

    def stopped(self, objective, **kw):
        sol = real(self, objective, **kw)
        if any(r.name.startswith("split") for r in kw.get("rows", ())):
            return replace(sol, status="feasible", start=np.full(problem.n, -1), bound=sol.objective + 1e3)
        return sol

    monkeypatch.setattr(Resolver, "solve", stopped)
    front = coarse_frontier(problem, parties, slices=1, concepts=("nash",))
    assert front.unproven and not front.optimal
