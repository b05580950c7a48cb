"""The fast re-solve: equal to a fresh optimisation, rhs changes, no-good cuts, honesty, pickling."""

from __future__ import annotations

import functools
import pickle
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorer.defaults import default_scenario
from scorer.errors import InfeasibleError, SolverError
from scorer.portfolio.feasibility import violations
from scorer.inputs.loading import load_scenario
from scorer.mip.config import SolverConfig
from scorer.portfolio.solve import optimize, portfolio_value
from scorer.portfolio.problem import problem_from_inputs
from scorer.portfolio.resolve import Resolver, limit_fields, problem_with_limits
from testkit import brute_force, hard_problem, make_problem, small_problems

CONFIG = SolverConfig("highs", 60.0, 0.0, 42)
SLOW = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@functools.cache
def default_case():
    """(inputs, problem, values) of the shipped default scenario, loaded once."""
    from scorer.scoring.score import candidate_values

    inputs = load_scenario(default_scenario())
    return inputs, problem_from_inputs(inputs), candidate_values(inputs)


@functools.cache
def default_resolver() -> Resolver:
    _, problem, values = default_case()
    return Resolver(problem, values, CONFIG)


@pytest.fixture
def default():
    return default_case()


@pytest.fixture
def resolver():
    return default_resolver()


def assert_same_answer(fast, fresh) -> None:
    """Same objective; the same portfolio unless two portfolios tie."""
    assert fast.objective == pytest.approx(fresh.objective, rel=1e-9, abs=1e-9)
    assert violations(fast.problem, fast.start) == []
    assert portfolio_value(fresh.problem, fresh.values, fast.start) == pytest.approx(fresh.objective, rel=1e-9)
    assert fast.status == fresh.status == "optimal"


# ------------------------------------------------------ default scenario ---


@pytest.mark.slow
@settings(SLOW, max_examples=25)
@given(factors=st.lists(st.floats(0.5, 1.5), min_size=13, max_size=13))
def test_default_scenario_resolve_equals_fresh_optimize(factors) -> None:
    _, problem, values = default_case()
    new = values * np.array(factors)
    assert_same_answer(default_resolver().solve(new), optimize(problem, new, CONFIG))


@pytest.mark.slow
@settings(SLOW, max_examples=12)
@given(budget=st.sampled_from([2600.0, 3000.0, 3731.11, 4000.0, 6000.0, np.inf]),  # money need not be whole
       cap=st.sampled_from([300.0, 500.0, 1000.0]),
       factor=st.floats(0.8, 1.2))
def test_default_scenario_rhs_equals_rebuilt_scenario(budget, cap, factor) -> None:
    inputs, _, values = default_case()
    resolver = default_resolver()
    new = values * factor
    rebuilt = problem_from_inputs(inputs, budget=None if np.isinf(budget) else budget, year_caps={2027: cap})
    rhs = {"budget_total": budget, "cap_total_2027": cap}
    if np.isinf(budget):
        rebuilt = replace(rebuilt, total_cap=np.inf)
    assert_same_answer(resolver.solve(new, rhs=rhs), optimize(rebuilt, new, CONFIG))


def test_rhs_change_is_for_one_solve_only(resolver, default) -> None:
    _, problem, values = default
    base = resolver.solve(values)
    tight = resolver.solve(values, rhs={"budget_total": 2700.0, "max_projects": 2, "cap_US_2030": 300.0})
    assert tight.objective < base.objective
    assert tight.selected.sum() <= 2
    again = resolver.solve(values)
    assert again.objective == base.objective
    assert np.array_equal(again.start, base.start)
    assert tight.problem.total_cap == 2700.0 and base.problem.total_cap == problem.total_cap


@pytest.mark.slow
def test_answers_do_not_depend_on_history(default) -> None:
    _, problem, values = default
    rng = np.random.default_rng(5)
    samples = values * rng.uniform(0.7, 1.3, (12, problem.n))
    forward = [Resolver(problem, values, CONFIG).solve(v).start for v in samples]
    one = Resolver(problem, values, CONFIG)
    backward = [one.solve(v, rhs={"budget_total": 3000.0}) for v in samples[::-1]]
    mixed = [one.solve(v).start for v in samples]
    assert all(np.array_equal(a, b) for a, b in zip(forward, mixed))
    assert len(backward) == 12


@pytest.mark.slow
def test_infeasible_rhs_names_the_limit(resolver, default) -> None:
    _, _, values = default
    with pytest.raises(InfeasibleError, match=r"budget\.total = 800"):
        resolver.solve(values, rhs={"budget_total": 800.0})
    assert resolver.solve(values).status == "optimal"  # the model is restored after the failure


def test_infeasible_without_explanation_is_quick_and_says_what_changed(resolver, default) -> None:
    _, _, values = default
    with pytest.raises(InfeasibleError, match=r"^infeasible: no portfolio meets every limit \(with budget_total = 800\)$"):
        resolver.solve(values, rhs={"budget_total": 800.0}, explain=False)


@pytest.mark.slow
def test_time_limit_gap_and_seed_are_set_on_the_live_model(default, monkeypatch) -> None:
    _, problem, values = default
    resolver = Resolver(problem, values, SolverConfig("highs", 12.5, 0.03, 7))
    resolver.solve(values)
    highs = resolver._live.highs
    assert [highs.getOptionValue(k)[1] for k in ("time_limit", "mip_rel_gap", "random_seed", "presolve")] == \
        [12.5, 0.03, 7, "off"]
    monkeypatch.setattr("scorer.portfolio.resolve.TUNED_MAX_OPTIONS", 10)  # a "large" model keeps HiGHS's defaults
    large = Resolver(problem, values, CONFIG)
    assert large.solve(values).objective == pytest.approx(resolver.solve(values).objective, rel=0.03)
    assert large._live.highs.getOptionValue("presolve")[1] == "choose"


@pytest.mark.slow
def test_no_good_cuts_give_the_next_best_portfolios(resolver, default) -> None:
    _, problem, values = default
    seen, objectives = [], []
    for _ in range(3):
        sol = resolver.solve(values, exclude=seen)
        assert not any(np.array_equal(sol.selected, s) for s in seen)
        seen.append(sol.selected)
        objectives.append(sol.objective)
    assert objectives == sorted(objectives, reverse=True)
    assert objectives[0] == pytest.approx(optimize(problem, values, CONFIG).objective)


# --------------------------------------------------- small random problems ---


@pytest.mark.slow
@settings(SLOW, max_examples=40)
@given(case=small_problems(), seed=st.integers(0, 2**32 - 1))
def test_small_problems_match_brute_force(case, seed) -> None:
    problem, base = case
    values = np.random.default_rng(seed).integers(0, 100, problem.n).astype(float)
    resolver = Resolver(problem, base, CONFIG)
    best = brute_force(problem, values)
    if best is None:
        with pytest.raises(InfeasibleError, match="^infeasible: "):
            resolver.solve(values)
        return
    sol = resolver.solve(values)
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(best, abs=1e-6)
    assert violations(problem, sol.start) == []


RHS_KINDS = {
    "budget_total": lambda p, x: replace(p, total_cap=x),
    "cap_total_2027": lambda p, x: replace(p, year_cap=np.where(p.years == 2027, x, p.year_cap)),
    "budget_US": lambda p, x: replace(p, partner_total=np.array([x, p.partner_total[1]])),
    "max_projects": lambda p, x: replace(p, max_projects=int(x)),
}


@pytest.mark.slow
@settings(SLOW, max_examples=25)
@given(case=small_problems(), key=st.sampled_from(sorted(RHS_KINDS)), amount=st.integers(0, 30))
def test_small_problems_rhs_match_brute_force_of_the_changed_problem(case, key, amount) -> None:
    problem, values = case
    changed = RHS_KINDS[key](problem, float(amount))
    best = brute_force(changed, values)
    resolver = Resolver(problem, values, CONFIG)
    if best is None:
        with pytest.raises(InfeasibleError):
            resolver.solve(values, rhs={key: amount})
    else:
        sol = resolver.solve(values, rhs={key: amount})
        assert sol.objective == pytest.approx(best, abs=1e-6)
        assert violations(changed, sol.start) == []
    # And the limit is back for the next solve.
    plain = brute_force(problem, values)
    if plain is not None:
        assert resolver.solve(values).objective == pytest.approx(plain, abs=1e-6)


def test_no_good_cut_matches_brute_force_second_best() -> None:
    problem = make_problem([[3], [4], [5], [4]], horizon=(2026, 2026), per_year=7)
    values = np.array([30.0, 40.0, 50.0, 35.0])
    resolver = Resolver(problem, values, CONFIG)
    first = resolver.solve(values)
    second = resolver.solve(values, exclude=[first.selected])
    others = []
    for mask in range(16):
        sel = np.array([(mask >> i) & 1 for i in range(4)], dtype=bool)
        start = np.where(sel, 2026, -1)
        if not violations(problem, start) and not np.array_equal(sel, first.selected):
            others.append(portfolio_value(problem, values, start))
    assert second.objective == pytest.approx(max(others))
    with pytest.raises(InfeasibleError, match="besides the 16 excluded"):
        resolver.solve(values, exclude=[np.array([(m >> i) & 1 for i in range(4)], bool) for m in range(16)])


# ------------------------------------------------------------- honesty ---


def test_time_limit_gives_feasible_not_optimal() -> None:
    problem, values = hard_problem()
    resolver = Resolver(problem, values, SolverConfig("highs", 0.2, 0.0, 1))
    sol = resolver.solve(values * 1.01)
    assert sol.status == "feasible"
    assert sol.bound > sol.objective
    assert sol.gap == pytest.approx((sol.bound - sol.objective) / sol.objective)
    assert violations(problem, sol.start) == []


def test_gap_is_applied_on_the_live_model() -> None:
    problem, values = hard_problem(60)
    sol = Resolver(problem, values, SolverConfig("highs", 30.0, 0.05, 1)).solve(values * 0.99)
    assert sol.status in ("optimal", "feasible")
    assert sol.gap <= 0.05
    assert sol.bound >= sol.objective


def test_values_must_match_candidates(resolver) -> None:
    with pytest.raises(SolverError, match="one finite value per candidate"):
        resolver.solve(np.ones(3))
    with pytest.raises(SolverError, match="one finite value per candidate"):
        resolver.solve(np.full(13, np.nan))


def test_unknown_limit_and_fractional_counts_are_refused(resolver, default) -> None:
    _, _, values = default
    with pytest.raises(SolverError, match="no limit 'budget_totl'"):
        resolver.solve(values, rhs={"budget_totl": 1.0})
    with pytest.raises(SolverError, match="not a whole number"):
        resolver.solve(values, rhs={"max_projects": 2.5})


def test_limit_fields_cover_every_changeable_limit_of_the_model(default) -> None:
    from scorer.portfolio.model import PortfolioModel

    _, problem, values = default
    fields = limit_fields(problem)
    model = PortfolioModel(problem, values)
    single = [lim.key for lim in model.limits if lim.kind in
              ("year_cap", "total_budget", "partner_year_cap", "partner_budget", "max_projects",
               "min_projects", "category_min", "category_max")]
    assert single and set(single) <= set(fields)
    changed = problem_with_limits(problem, {"cap_JP_2031": 12.0, "cat_max_joint_development": 1})
    assert changed.partner_year_cap[problem.partners.index("JP"), 5] == 12.0
    assert problem.partner_year_cap[problem.partners.index("JP"), 5] != 12.0  # the original is untouched


# ------------------------------------------------------------ processes ---


@pytest.mark.slow
def test_pickled_resolver_solves_alike_and_shares_its_model(resolver, default) -> None:
    _, _, values = default
    first = pickle.loads(pickle.dumps(resolver))
    second = pickle.loads(pickle.dumps(resolver))
    assert first._live is None  # the live model stays behind
    a = first.solve(values * 1.1)
    second_live = pickle.loads(pickle.dumps(resolver))._live
    assert second_live is first._live  # later tasks in this process reuse the model
    assert np.array_equal(a.start, resolver.solve(values * 1.1).start)
    assert np.array_equal(second.solve(values * 1.1).start, a.start)


@pytest.mark.slow
def test_cbc_path_agrees(default) -> None:
    _, problem, values = default
    # CBC is a hard dependency (PuLP's cbc extra): any SolverError here is a failure, not a skip.
    cbc = Resolver(problem, values, SolverConfig("cbc", 60.0, 0.0, 42))
    sol = cbc.solve(values * 0.9, rhs={"budget_total": 3000.0})
    fast = Resolver(problem, values, CONFIG).solve(values * 0.9, rhs={"budget_total": 3000.0})
    assert sol.objective == pytest.approx(fast.objective, rel=1e-9)
    assert cbc.solve(values, exclude=[fast.selected]).objective <= optimize(problem, values, CONFIG).objective


LONG_SOLVE = """
import sys
import numpy as np
import scorer.portfolio.resolve
from scorer.mip.config import SolverConfig
from scorer.cli.stdio import data_stdout
from testkit import hard_problem

problem, values = hard_problem(200)
with data_stdout():  # as the command line runs: HiGHS's banner (highspy >= 1.16) goes to stderr
    resolver = scorer.portfolio.resolve.Resolver(problem, values, SolverConfig("highs", 60.0, 0.0, 1))
    print("solving", flush=True)
    try:
        resolver.solve(values * 1.01)
    except KeyboardInterrupt:
        print("coprod: interrupted", file=sys.stderr)
        sys.exit(130)
    print("finished before the interrupt", flush=True)
"""


@pytest.mark.serial
@pytest.mark.slow
def test_ctrl_c_stops_a_long_solve_on_a_large_model(tmp_path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    tests = Path(__file__).resolve().parents[1]
    script = tmp_path / "long_solve.py"
    script.write_text(LONG_SOLVE)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tests), str(tests.parent)])}
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, text=True)
    try:
        assert proc.stdout.readline() == "solving\n"
        time.sleep(0.5)  # inside HiGHS by now
        proc.send_signal(signal.SIGINT)
        t0 = time.monotonic()
        out, err = proc.communicate(timeout=20)
        elapsed = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
    # HiGHS's banner (highspy >= 1.16) may come first on stderr; the message is the last line.
    assert (proc.returncode, err.splitlines()[-1:], out) == (130, ["coprod: interrupted"], "")
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert elapsed < 2.0


@pytest.mark.slow
def test_only_the_users_thread_pays_for_interruptible_runs() -> None:
    import threading

    problem, values = hard_problem()
    config = SolverConfig("highs", 0.3, 0.0, 1)
    here = Resolver(problem, values, config)
    here.solve(values)
    assert here._live.interruptible  # its base solve ran into the time limit: long solves
    elsewhere = Resolver(problem, values, config)
    worker = threading.Thread(target=elsewhere.solve, args=(values,))
    worker.start()
    worker.join()
    assert elsewhere._live.interruptible is False  # Ctrl-C never reaches a worker thread


def test_tiny_money_limits_move_in_their_own_units() -> None:
    # The model's rows of tiny costs are multiplied by 2**30 (optimizer.conditioned): a new bound
    # for such a row, or a row added for a limit the model lacks, must be multiplied alike.
    p = make_problem([[1e-9], [1e-9]], horizon=(2026, 2026), total=2e-9)
    values = np.array([50.0, 60.0])
    resolver = Resolver(p, values, CONFIG)
    assert resolver.solve(values).selected.tolist() == [True, True]
    for rhs in ({"budget_total": 1.5e-9}, {"cap_total_2026": 1.5e-9}, {"budget_A": 1.5e-9}):
        sol = resolver.solve(values, rhs=rhs)
        assert (sol.selected.tolist(), sol.status) == ([False, True], "optimal"), rhs
    assert resolver.solve(values * 0.5).selected.tolist() == [True, True]  # the bounds were restored


def test_a_resolver_may_keep_highs_defaults_from_a_smaller_size(default) -> None:
    # The bargain's frontier does so beyond FRONTIER_TUNED_UP_TO options (its floors make solves hard).
    _, problem, values = default
    plain = Resolver(problem, values, CONFIG, tuned_up_to=0)
    tuned = Resolver(problem, values, CONFIG)
    assert plain.solve(values).objective == pytest.approx(tuned.solve(values).objective, rel=1e-9)
    assert plain._live.highs.getOptionValue("presolve")[1] == "choose"
    assert tuned._live.highs.getOptionValue("presolve")[1] == "off"
