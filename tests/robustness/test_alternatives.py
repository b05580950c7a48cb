"""k best distinct portfolios: distinct, non-increasing, equal to brute force on small cases."""

from __future__ import annotations

from itertools import product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.robustness.alternatives import alternatives_table, k_best, roles_table
from scorer.errors import InfeasibleError, ScoringError
from scorer.mip.config import SolverConfig
from testkit import make_problem

CONFIG = SolverConfig(time_limit=10)


def brute_force_values(costs, values, budget, max_projects=None) -> list[float]:
    """Every feasible selection's value, best first (one-year projects, one start each)."""
    out = []
    for pick in product((0, 1), repeat=len(costs)):
        pick = np.array(pick, dtype=bool)
        if costs[pick].sum() <= budget + 1e-9 and (max_projects is None or pick.sum() <= max_projects):
            out.append(float(values[pick].sum()))
    return sorted(out, reverse=True)


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(st.integers(1, 6), st.integers(1, 8), st.integers(0, 2**32 - 1))
def test_k_best_are_distinct_non_increasing_and_match_brute_force(n, k, seed) -> None:
    rng = np.random.default_rng(seed)
    costs = rng.integers(1, 6, n).astype(float)
    values = rng.integers(1, 50, n).astype(float)
    budget = float(rng.integers(1, int(costs.sum()) + 1))
    problem = make_problem([[c] for c in costs], horizon=(2026, 2026), total=budget)
    result = k_best(problem, values, CONFIG, k)
    sets = {tuple(row) for row in result.selected}
    assert len(sets) == len(result.solutions)  # distinct
    assert (np.diff(result.objective) <= 1e-9).all()  # non-increasing
    expected = brute_force_values(costs, values, budget)
    assert result.objective.tolist() == pytest.approx(expected[:k])  # fewer only when fewer exist


def test_roles_and_gaps_by_hand() -> None:
    # Values 50, 40, 30, 5; costs 1 each; at most two projects. Best sets:
    # {c0,c1}=90, {c0,c2}=80, {c1,c2}=70. c0 and c1 are in two of three, c2 in two,
    # c3 in none: nothing is core at k=3; at k=2 c0 is core.
    problem = make_problem([[1.0]] * 4, horizon=(2026, 2026), max_projects=2)
    values = np.array([50.0, 40.0, 30.0, 5.0])
    three = k_best(problem, values, CONFIG, 3)
    table = alternatives_table(three)
    assert table["portfolio"].tolist() == ["c0 c1", "c0 c2", "c1 c2"]
    assert table["gap_to_best"].tolist() == pytest.approx([0.0, 10.0, 20.0])
    assert table["gap_pct"].tolist() == pytest.approx([0.0, 100 / 9, 200 / 9])
    assert roles_table(three)[["id", "role", "in_portfolios"]].values.tolist() == [
        ["c0", "swappable", 2], ["c1", "swappable", 2], ["c2", "swappable", 2], ["c3", "out", 0]]
    two = roles_table(k_best(problem, values, CONFIG, 2))
    assert two[["id", "role"]].values.tolist() == [["c0", "core"], ["c1", "swappable"], ["c2", "swappable"],
                                                   ["c3", "out"]]


def test_same_set_with_other_starts_is_not_another_portfolio() -> None:
    # One project, three possible start years: only two sets exist ({} and {c0}).
    problem = make_problem([[1.0]], horizon=(2026, 2028))
    result = k_best(problem, np.array([10.0]), CONFIG, 5)
    assert [tuple(r) for r in result.selected] == [(True,), (False,)]


def test_no_portfolio_at_all_is_explained_and_k_must_be_positive() -> None:
    problem = make_problem([[5.0]], horizon=(2026, 2026), total=1.0, mandatory=[0])
    with pytest.raises(InfeasibleError):
        k_best(problem, np.array([1.0]), CONFIG, 2)
    with pytest.raises(ScoringError, match=r"^k \(the number of alternatives\) must be at least 1, got 0$") as k:
        k_best(problem, np.array([1.0]), CONFIG, 0)
    assert k.value.settings == ("k",)


def test_k_best_reports_progress_per_alternative(monkeypatch) -> None:
    import scorer.robustness.alternatives as alternatives

    seen: list[tuple[str, int, list[int]]] = []

    class Recorder:
        def __init__(self, label, total):
            self.record = (label, total, [])
            seen.append(self.record)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return None

        def update(self, done):
            self.record[2].append(done)

    monkeypatch.setattr(alternatives, "ProgressBar", Recorder)
    problem = make_problem([[1.0], [1.0], [1.0]], horizon=(2026, 2026), total=2.0)
    result = k_best(problem, np.array([3.0, 2.0, 1.0]), CONFIG, 4)
    assert len(result.solutions) == 4
    assert seen == [("alternative portfolios", 4, [1, 2, 3])]
