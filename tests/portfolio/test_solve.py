"""The optimiser: published optima through the real input path, brute force on random problems, honesty."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from scorer.errors import SolverError
from scorer.portfolio.feasibility import violations
from scorer.inputs.loading import load_scenario
from scorer.portfolio.model import PortfolioModel
from scorer.mip.config import SolverConfig
from scorer.portfolio.solve import optimize
from scorer.portfolio.problem import problem_from_inputs
from testkit import check_against_brute_force, make_problem, small_problems

# Petersen (1967) via Beasley's OR-Library; citation in tests/data/orlib/README.md.
ORLIB = Path(__file__).resolve().parents[1] / "data/orlib/mknap1.txt"


# ------------------------------------------------------------ OR-Library ---


def read_mknap1(path: Path) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, float]]:
    """(values, costs m x n, budgets, optimum) of each problem in Petersen's file."""
    numbers = path.read_text().split()
    pos = 0

    def take(k: int) -> list[float]:
        nonlocal pos
        pos += k
        return [float(x) for x in numbers[pos - k:pos]]

    problems = []
    for _ in range(int(take(1)[0])):
        n, m, optimum = take(3)
        n, m = int(n), int(m)
        values = np.array(take(n))
        costs = np.array(take(n * m)).reshape(m, n)
        budgets = np.array(take(m))
        problems.append((values, costs, budgets, optimum))
    return problems


def write_yaml_scenario(folder: Path, values: np.ndarray, costs: np.ndarray, budgets: np.ndarray) -> Path:
    """The problem in the project's own file formats: periods become consecutive years."""
    m, n = costs.shape
    first = 2001
    (folder / "criteria.yaml").write_text(
        "version: 1\ncriteria:\n  - id: value\n    name: Value\n    direction: benefit\n"
        f"    scale: {{min: 0, max: {float(values.max())!r}}}\n    weight: 1\n"
    )
    lines = ["version: 1", "currency: units", "candidates:"]
    for j in range(n):
        lines += [
            f"  - id: p{j + 1:03d}",  # zero-padded: loaded candidates come in id order
            f"    name: Project {j + 1}",
            "    partners: {A: 1.0}",
            f"    cost: [{', '.join(repr(float(c)) for c in costs[:, j])}]",
            f"    earliest_start: {first}",
            f"    latest_finish: {first + m - 1}",
            f"    scores: {{value: {float(values[j])!r}}}",
        ]
    (folder / "candidates.yaml").write_text("\n".join(lines) + "\n")
    caps = ", ".join(f"{first + i}: {float(b)!r}" for i, b in enumerate(budgets))
    (folder / "scenario.yaml").write_text(
        "version: 1\nname: Petersen\ncriteria: criteria.yaml\ncandidates: candidates.yaml\n"
        f"horizon: {{start: {first}, end: {first + m - 1}}}\nbudget:\n  per_year: {{{caps}}}\n"
        "solver: {name: highs, time_limit: 60, gap: 0.0}\n"
    )
    return folder / "scenario.yaml"


@pytest.mark.slow
@pytest.mark.parametrize("k", range(7))
def test_orlib_mknap1_reaches_the_published_optimum(tmp_path: Path, k: int) -> None:
    from scorer.scoring.score import candidate_values

    values, costs, budgets, optimum = read_mknap1(ORLIB)[k]
    inputs = load_scenario(write_yaml_scenario(tmp_path, values, costs, budgets))
    problem = problem_from_inputs(inputs)
    scores = candidate_values(inputs)
    np.testing.assert_allclose(scores, 100 * values / values.max())
    sol = optimize(problem, scores, SolverConfig("highs", 60, 0.0))
    assert sol.status == "optimal"
    assert sol.objective * values.max() / 100 == pytest.approx(optimum, rel=1e-6)
    assert violations(problem, sol.start) == []


def test_orlib_with_cbc_matches_too(tmp_path: Path) -> None:
    values, costs, budgets, optimum = read_mknap1(ORLIB)[3]
    problem = problem_from_inputs(load_scenario(write_yaml_scenario(tmp_path, values, costs, budgets)))
    sol = optimize(problem, 100 * values / values.max(), SolverConfig("cbc", 60, 0.0))
    assert sol.status == "optimal"
    assert violations(problem, sol.start) == []
    assert sol.objective * values.max() / 100 == pytest.approx(optimum, rel=1e-6)


# ------------------------------------------------ brute force, property ---


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_optimiser_matches_brute_force(case) -> None:
    check_against_brute_force(*case)


# ------------------------------------------------------------- honesty ---


def test_values_must_match_candidates() -> None:
    with pytest.raises(SolverError, match="one finite value per candidate"):
        optimize(make_problem([[1]]), [1.0, 2.0])


def test_requires_means_finished_before_start() -> None:
    # c1 needs c0 (2 years) finished first: with a 3-year horizon c1 can only start in the third year.
    p = make_problem([[1, 1], [1]], horizon=(2026, 2028), requires=[(1, 0)])
    sol = optimize(p, [10.0, 10.0])
    assert list(sol.start) == [2026, 2028]


def test_delay_discount_prefers_early_start() -> None:
    p = make_problem([[5], [5]], horizon=(2026, 2027), per_year=5, delay_discount=0.5)
    sol = optimize(p, [10.0, 30.0])
    assert list(sol.start) == [2027, 2026]
    assert sol.objective == pytest.approx(30 + 10 * 0.5)


def test_time_limit_stops_with_an_honest_gap() -> None:
    rng = np.random.default_rng(1)
    n = 60
    costs = rng.integers(1, 50, size=(n, 3)).tolist()
    p = make_problem(costs, horizon=(2026, 2030), per_year=300, total=900)
    model = PortfolioModel(p, rng.uniform(0, 100, n))
    try:
        outcome = model.solve(SolverConfig("highs", time_limit=0.02, gap=0.0))
    except SolverError as exc:
        # On a loaded machine HiGHS may find nothing in 0.02 s: saying so is the honest answer.
        assert "found no portfolio" in str(exc) and "time limit" in str(exc)
        return
    # The empty portfolio fits, so "infeasible" would be a lie; an unproven answer is never "optimal".
    assert outcome.status in ("optimal", "feasible")
    if outcome.status == "feasible":
        assert outcome.bound >= outcome.objective and outcome.gap > 0
    else:
        assert outcome.gap == 0 or outcome.bound == pytest.approx(outcome.objective)


def test_identical_runs_give_identical_portfolios() -> None:
    p = make_problem([[3], [3], [3], [3]], per_year=6)
    runs = {tuple(optimize(p, [10.0] * 4).start) for _ in range(3)}
    assert len(runs) == 1


def test_cbc_and_highs_agree() -> None:
    p = make_problem([[3, 2], [4], [2, 2, 2], [5]], per_year=6, total=12, excludes=[(0, 3)])
    values = [30.0, 20.0, 25.0, 40.0]
    cbc = optimize(p, values, SolverConfig("cbc"))
    highs = optimize(p, values)
    assert cbc.objective == pytest.approx(highs.objective)
    assert violations(p, cbc.start) == []


def test_duration_text() -> None:
    from scorer.mip.large import duration_text

    assert [duration_text(s) for s in (30, 119.5, 120, 600, 7199, 7200, 200 * 60)] == [
        "30 s", "119.5 s", "2 minutes", "10 minutes", "120 minutes", "2.0 hours", "3.3 hours"]


# ------------------------------------------------------ money of any size ---

@pytest.mark.parametrize("cost", [1e-9, 1e-7])
@pytest.mark.parametrize("solver, limit", [("highs", "total"), ("highs", "per_year"), ("highs", "partner_total"),
                                           ("highs", "partner_year"), ("cbc", "total")])
def test_tiny_costs_are_optimised_within_their_limits(cost: float, solver: str, limit: str) -> None:
    # Both costs against a limit of 1.5 of them is 33 % over it; within the solvers' absolute
    # feasibility tolerance (1e-7) both were selected and reported optimal.
    limits = {"total": {"total": 1.5 * cost}, "per_year": {"per_year": 1.5 * cost},
              "partner_total": {"partner_total": {"A": 1.5 * cost}},
              "partner_year": {"partner_year": {"A": 1.5 * cost}}}[limit]
    p = make_problem([[cost], [cost]], horizon=(2026, 2026), **limits)
    sol = optimize(p, np.array([50.0, 60.0]), SolverConfig(solver))
    assert (sol.selected.tolist(), sol.status, sol.objective) == ([False, True], "optimal", 60.0)


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_a_portfolio_over_a_limit_is_an_error_never_an_output(monkeypatch: pytest.MonkeyPatch, solver: str) -> None:
    # Unconditioned rows let either solver return both: the independent check must refuse that portfolio.
    import scorer.portfolio.model

    monkeypatch.setattr(scorer.portfolio.model, "conditioned", lambda row: (row, 1.0))
    p = make_problem([[1e-9], [1e-9]], horizon=(2026, 2026), total=1.5e-9)
    with pytest.raises(SolverError, match="breaks a limit: total spend 2e-09 exceeds the budget 1.5e-09"):
        optimize(p, np.array([50.0, 60.0]), SolverConfig(solver))


def test_ordinary_rows_are_not_conditioned() -> None:
    from scorer.portfolio.model import conditioned
    from scorer.portfolio.problem import Row

    row = Row("budget_total", np.arange(3), np.array([0.5, 3.0, 1.0]), "<=", 4.0)
    assert conditioned(row) == (row, 1.0)
    tiny, factor = conditioned(Row("budget_total", np.arange(2), np.array([1e-9, 3e-10]), "<=", 1.5e-9))
    assert factor == 2.0 ** 30 and tiny.coef.tolist() == [1e-9 * 2 ** 30, 3e-10 * 2 ** 30]
    assert tiny.rhs == 1.5e-9 * 2 ** 30 and 1 <= tiny.coef.max() < 2


def test_huge_weights_still_choose_a_portfolio(write_case, tmp_path: Path) -> None:
    # Weights of 1e308 made every value 0 and the empty portfolio "optimal"; they must act as
    # equal weights do.
    from scorer.scoring.score import candidate_values

    def values(folder: Path, weight: str) -> np.ndarray:
        folder.mkdir()
        edits = [(f"weight: {w}\n", f"weight: {weight}\n") for w in (15, 5, 10, 60, 40)]
        return candidate_values(load_scenario(write_case(folder, {"criteria": edits}).path))

    huge = values(tmp_path / "huge", "1e308")
    np.testing.assert_allclose(huge, values(tmp_path / "one", "1"), rtol=1e-12)
    inputs = load_scenario(tmp_path / "huge" / "scenario.yaml")
    sol = optimize(problem_from_inputs(inputs), huge)
    assert sol.selected.any() and sol.objective > 0


# -------------------------------------------------------------- statuses ---

def test_a_bound_on_the_wrong_side_of_the_portfolio_is_no_bound() -> None:
    import math

    from scorer.mip.outcome import classified

    # CBC stopped on time in the middle of its cuts logged "best possible 4.8428478e+12" while
    # minimising -97.341; read back it bounds a maximum of 97.341 by -4.8e12, which it does not:
    # the answer said "bound 97.341, gap 2,342,127,939 %".
    x = np.ones(1, np.int8)
    out = classified(97.341, -4.8428478e12, x, 0.5)
    assert (out.status, out.bound, out.gap) == ("feasible", math.inf, math.inf)
    assert classified(97.341, 116.548, x, 0.5).gap == pytest.approx((116.548 - 97.341) / 97.341)
    assert classified(97.341, 97.341 - 1e-9, x, 0.5).status == "optimal"  # a log's rounding
    assert classified(5.0, 9.0, x, 0.5, sense=-1.0).bound == -math.inf  # minimising: a bound above is none


def test_cbc_bounds_are_what_its_stopping_rule_proves() -> None:
    from types import SimpleNamespace

    import pulp

    from scorer.mip.solvers import pulp_bound as _bound

    def bound(status, gap, best_bound=None):
        stats = SimpleNamespace(status=status, best_bound=best_bound, is_mip=True)
        return _bound(stats, 100.0, SolverConfig("cbc", gap=gap), 1.0)

    status = pulp.LpSolveStatus
    # CBC stops when bound - incumbent < gap x max(|incumbent|, |bound|): bound <= 100 / (1 - gap).
    assert bound(status.GapLimit, 0.05, 100.0) == pytest.approx(100 / 0.95)
    assert bound(status.GapLimit, 0.0, 100.0) == 100.0 + 1e-10
    assert bound(status.Optimal, 0.0) == 100.0  # "Optimal" comes with no bound in its log
    assert bound(status.TimeLimit, 0.0, 116.5) == 116.5
    assert bound(status.TimeLimit, 0.0) == float("inf")


def test_cbc_proves_a_small_model_optimal(tmp_path: Path) -> None:
    # The starter's four candidates under a budget of 100: CBC ends "Optimal" with no bound in its
    # log, which was reported as "stopped by a limit, not proven optimal (gap unknown, bound none proven)".
    from scorer.scoring.score import candidate_values
    from scorer.inputs.starter import write_starter

    inputs = load_scenario(write_starter(tmp_path)[0])
    problem, values = problem_from_inputs(inputs, budget=100), candidate_values(inputs)
    assert problem.n == 4
    cbc = optimize(problem, values, SolverConfig("cbc"))
    assert (cbc.status, cbc.gap, cbc.bound) == ("optimal", 0.0, cbc.objective)
    assert cbc.objective == pytest.approx(optimize(problem, values).objective)


@pytest.mark.slow
@pytest.mark.parametrize("n, seconds", [(30, 0.05), (30, 0.3), (30, 0.6), (100, 0.03)])
def test_cbc_stopped_by_its_time_limit_is_honest(write_hard_scenario, tmp_path: Path, n: int, seconds: float) -> None:
    # Never "infeasible" (CBC says so when time runs out in its root LP), never the root LP's
    # fractional answer, never a bound below the optimum (each seen here at these limits).
    import math

    from scorer.scoring.score import candidate_values

    inputs = load_scenario(write_hard_scenario(tmp_path, n=n))
    problem, values = problem_from_inputs(inputs), candidate_values(inputs)
    highs = optimize(problem, values, SolverConfig("highs", 5.0, 0.0, 1))  # its portfolio and bound are true
    try:
        sol = optimize(problem, values, SolverConfig("cbc", seconds, 0.0, 1))
    except SolverError as exc:
        assert "found no portfolio (TimeLimit) within the time limit" in str(exc)
        return
    assert violations(problem, sol.start) == [] and sol.objective <= highs.bound + 1e-6
    if math.isfinite(sol.bound):
        assert sol.bound >= highs.objective - 1e-6
        assert sol.gap == pytest.approx((sol.bound - sol.objective) / sol.objective, abs=1e-12)
    else:
        assert sol.status == "feasible" and math.isinf(sol.gap)


def test_a_fractional_answer_is_no_portfolio(monkeypatch: pytest.MonkeyPatch) -> None:
    # Out of time just after its root LP, CBC writes "Optimal" beside that LP's fractional answer;
    # CBC asked for the LP alone (-initialSolve) gives exactly that file.
    import pulp

    import scorer.portfolio.model

    p = make_problem([[6], [6], [6]], horizon=(2026, 2026), total=10)
    monkeypatch.setattr(scorer.portfolio.model, "make_solver",
                        lambda config, interruptible=True: pulp.COIN_CMD(mip=False, msg=False))
    with pytest.raises(SolverError, match=r"found no portfolio \(TimeLimit\)"):
        PortfolioModel(p, np.array([30.0, 20.0, 10.0])).solve(SolverConfig("cbc"))


@pytest.mark.parametrize("seconds, outcome", [(0.01, "infeasible"), (0.2, "no portfolio")])
def test_cbc_out_of_time_is_not_infeasible(monkeypatch: pytest.MonkeyPatch, seconds: float, outcome: str) -> None:
    # CBC stopped by its time limit inside the root LP reports "Linear relaxation infeasible".
    from types import SimpleNamespace

    import pulp

    said = SimpleNamespace(status=pulp.LpSolveStatus.Infeasible, has_solution=False, time=seconds)
    model = PortfolioModel(make_problem([[6]], horizon=(2026, 2026)), np.array([30.0]))
    monkeypatch.setattr(model.prob, "solve", lambda solver: said)
    if outcome == "infeasible":
        assert model.solve(SolverConfig("cbc", time_limit=0.05)).status == "infeasible"
    else:
        with pytest.raises(SolverError, match=r"found no portfolio \(TimeLimit\) within the time limit of 0.05 s"):
            model.solve(SolverConfig("cbc", time_limit=0.05))
