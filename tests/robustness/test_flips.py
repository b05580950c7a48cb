"""Flip points: exact top-rank intervals and bisected portfolio intervals."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.robustness.flips import flips_table, portfolio_flips, ranking_flips, weights_at
from scorer.mip.config import SolverConfig
from scorer.scoring.ranking import rank_positions
from testkit import make_basis, make_problem

# Hand case: weights (0.5, 0.3, 0.2); values A = (0.9, 0.2, 0.5), B = (0.4, 0.8, 0.6), C = 0.1 everywhere.
# Scores: A = 45 + 6 + 10 = 61, B = 20 + 24 + 12 = 56, C = 10, so A leads.
VALUES = [[0.9, 0.2, 0.5], [0.4, 0.8, 0.6], [0.1, 0.1, 0.1]]
WEIGHTS = [0.5, 0.3, 0.2]


def test_weights_at_rescales_the_others_proportionally() -> None:
    assert weights_at(np.array(WEIGHTS), 0, 0.8) == pytest.approx([0.8, 0.12, 0.08])
    assert weights_at(np.array([1.0, 0.0, 0.0]), 0, 0.4) == pytest.approx([0.4, 0.3, 0.3])


def test_flip_point_matches_the_hand_computation() -> None:
    flips = ranking_flips(make_basis(VALUES, WEIGHTS, ids=["a", "b", "c"]))
    # Criterion 0 at t, others 0.6 and 0.4 of (1 - t):
    #   A(t) = 100 (0.9 t + (1-t)(0.6*0.2 + 0.4*0.5)) = 32 + 58 t
    #   B(t) = 100 (0.4 t + (1-t)(0.6*0.8 + 0.4*0.6)) = 72 - 32 t
    #   equal at 90 t = 40, t = 4/9: A leads on [4/9, 1], B below.
    f0 = flips[0]
    assert (f0.leader, f0.low, f0.high, f0.below, f0.above) == ("a", pytest.approx(4 / 9), 1.0, "b", None)
    # Criterion 1 at t, others 5/7 and 2/7 of (1 - t):
    #   A(t) = 100 (0.2 t + (1-t) 5.5/7), B(t) = 100 (0.8 t + (1-t) 3.2/7)
    #   equal at 2.3 (1-t) = 4.2 t, t = 23/65: A leads on [0, 23/65], B above.
    f1 = flips[1]
    assert (f1.low, f1.high, f1.below, f1.above) == (0.0, pytest.approx(23 / 65), None, "b")


def test_other_methods_agree_with_a_fine_grid() -> None:
    rng = np.random.default_rng(11)
    values = rng.random((6, 3)) * 0.9 + 0.05
    for method in ("weighted-sum", "weighted-product", "topsis", "promethee-ii"):
        basis = make_basis(values, [0.5, 0.3, 0.2], method=method)
        for c, flip in enumerate(ranking_flips(basis)):
            _check_against_grid(basis, c, flip)


def _check_against_grid(basis, c, flip) -> None:
    grid = np.linspace(0.0, 1.0, 20001)
    leaders = rank_positions(basis.scores(weights_at(basis.weights, c, grid)), basis.ids)[:, 0]
    lead = basis.ids.index(flip.leader)
    inside = (grid > flip.low + 1e-6) & (grid < flip.high - 1e-6)
    assert (leaders[inside] == lead).all()
    if flip.low > 1e-4:
        assert basis.ids[leaders[np.searchsorted(grid, flip.low - 1e-4)]] == flip.below
    if flip.high < 1 - 1e-4:
        assert basis.ids[leaders[np.searchsorted(grid, flip.high + 1e-4)]] == flip.above


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(st.integers(2, 6), st.integers(2, 4), st.integers(0, 2**32 - 1))
def test_exact_intervals_hold_on_random_cases(n, m, seed) -> None:
    rng = np.random.default_rng(seed)
    values = np.round(rng.random((n, m)), 2)
    w = rng.random(m) + 0.05
    basis = make_basis(values, w / w.sum())
    for c, flip in enumerate(ranking_flips(basis)):
        assert 0.0 <= flip.low <= basis.weights[c] + 1e-9 and basis.weights[c] - 1e-9 <= flip.high <= 1.0
        _check_against_grid(basis, c, flip)


@pytest.mark.slow
def test_portfolio_flip_point_of_a_one_project_budget() -> None:
    # Same values as the hand case, every candidate costs 1, the budget is 1:
    # the portfolio is the single best candidate, so it flips from {a} to {b}
    # where the ranking does, at 4/9 on criterion 0.
    basis = make_basis(VALUES, WEIGHTS)  # ids c0, c1, c2 as in make_problem
    problem = make_problem([[1.0]] * 3, total=1.0)
    flips = portfolio_flips(basis, problem, SolverConfig(time_limit=10), tolerance=1e-3)
    f0 = flips[0]
    assert 4 / 9 <= f0.low <= 4 / 9 + 1e-3 and f0.high == 1.0
    assert (f0.below_in, f0.below_out, f0.above_in, f0.above_out) == (("c1",), ("c0",), (), ())
    assert 23 / 65 - 1e-3 <= flips[1].high <= 23 / 65 and flips[1].low == 0.0
    table = flips_table(ranking_flips(basis), flips)
    assert table.loc[0, "change_below"] == "in: c1; out: c0"
    assert table.loc[1, "change_above"] == "in: c1; out: c0"
    assert table.loc[0, "change_above"] == ""
