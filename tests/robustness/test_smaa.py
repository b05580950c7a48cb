"""SMAA: rank acceptability, core index and most frequent portfolios."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.mip.config import SolverConfig
from scorer.portfolio.solve import optimize
from scorer.scoring.ranking import rank_order
from scorer.robustness.sampling import SampleSpec, sampled_scores
from scorer.scoring.ranking import rank_positions
from scorer.robustness.smaa import SmaaResult, acceptability, acceptability_table, portfolios_table, smaa
from testkit import make_basis, make_problem


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(st.integers(1, 8), st.integers(1, 40), st.integers(0, 2**32 - 1), st.booleans())
def test_acceptability_rows_and_columns_sum_to_one(n, s, seed, coarse) -> None:
    rng = np.random.default_rng(seed)
    scores = rng.random((s, n)) * 100
    if coarse:  # many exact ties
        scores = np.round(scores / 25) * 25
    a = acceptability(scores, [f"c{i}" for i in range(n)])
    assert a.shape == (n, n)
    assert np.allclose(a.sum(axis=1), 1.0) and np.allclose(a.sum(axis=0), 1.0)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 7), st.integers(1, 12), st.integers(0, 2**32 - 1))
def test_vectorised_ranking_equals_ranking_each_sample(n, s, seed) -> None:
    rng = np.random.default_rng(seed)
    scores = np.round(rng.random((s, n)) * 4) * 25.0  # ties on purpose
    ids = [f"id{(7 * i) % n}-{i}" for i in range(n)]  # ids not in position order
    got = rank_positions(scores, ids)
    for k in range(s):  # the reference: the ranked list's own order, one sample at a time
        order, _ = rank_order(scores[k], np.array(ids))
        assert got[k].tolist() == order.tolist()


def test_acceptability_of_a_known_case() -> None:
    # Three samples: a>b>c, b>a>c, and a tie a=b>c that the id order gives to a.
    scores = np.array([[3.0, 2.0, 1.0], [2.0, 3.0, 1.0], [2.0, 2.0, 1.0]])
    a = acceptability(scores, ["a", "b", "c"])
    assert np.allclose(a, [[2 / 3, 1 / 3, 0], [1 / 3, 2 / 3, 0], [0, 0, 1]])


# Candidate 2 is worse than every other candidate on every criterion (and costs the same).
DOMINATED = [[0.8, 0.7, 0.9], [0.3, 0.95, 0.4], [0.1, 0.2, 0.3], [0.2, 0.3, 0.9]]


@pytest.mark.slow
def test_dominated_candidate_has_core_index_zero_and_never_leads() -> None:
    basis = make_basis(DOMINATED, [0.4, 0.3, 0.3])
    problem = make_problem([[1.0]] * 4, total=2.0)  # room for two equal-cost projects
    result = smaa(basis, SampleSpec(samples=200, concentration=2.0, seed=3), problem,
                  SolverConfig(time_limit=10), portfolio_samples=40)
    assert result.core_index[2] == 0.0
    assert result.acceptability[2, 3] == 1.0  # always last
    assert result.core_index.sum() == pytest.approx(2.0)  # every sampled portfolio has two projects
    assert 0 < result.core_index[0] <= 1.0


@pytest.mark.slow
def test_core_index_and_portfolios_match_solving_each_sample() -> None:
    basis = make_basis(DOMINATED, [0.4, 0.3, 0.3])
    problem = make_problem([[1.0], [2.0], [1.0], [1.5]], total=3.0)
    spec = SampleSpec(samples=30, concentration=1.0, seed=9)
    result = smaa(basis, spec, problem, SolverConfig(time_limit=10))
    scores = sampled_scores(basis, spec)
    picks = np.array([optimize(problem, v, SolverConfig(time_limit=10)).selected for v in scores])
    assert result.core_index == pytest.approx(picks.mean(axis=0))
    table = portfolios_table(result)
    assert table["count"].sum() == 30 and table["share"].sum() == pytest.approx(1.0)
    assert list(table["count"]) == sorted(table["count"], reverse=True)


def test_acceptability_table_orders_by_expected_rank() -> None:
    basis = make_basis(DOMINATED, [0.4, 0.3, 0.3])
    result = smaa(basis, SampleSpec(samples=100, seed=1))
    table = acceptability_table(result)
    assert list(table.columns[:3]) == ["id", "name", "expected_rank"] and "core_index" not in table
    assert list(table["expected_rank"]) == sorted(table["expected_rank"])
    assert table[[f"rank_{k}" for k in range(1, 5)]].sum(axis=1).tolist() == pytest.approx([1.0] * 4)


def test_nominal_portfolio_and_the_samples_that_keep_it() -> None:
    basis = make_basis(DOMINATED, [0.4, 0.3, 0.3])
    problem = make_problem([[1.0], [2.0], [1.0], [1.5]], total=3.0)
    config = SolverConfig(time_limit=10)
    result = smaa(basis, SampleSpec(samples=20, concentration=1.0, seed=9), problem, config)
    at_weights = optimize(problem, basis.scores(basis.weights), config).selected
    assert result.nominal == tuple(np.array(basis.ids)[at_weights])
    kept = dict(result.portfolios).get(result.nominal, 0)
    assert result.unchanged == kept and 0 < kept < 20  # concentration 1: the samples disagree
    assert result.decided_by_rules is (kept >= 18)
    alone = smaa(basis, SampleSpec(samples=20, concentration=1.0, seed=9))
    assert (alone.nominal, alone.unchanged, alone.decided_by_rules) == (None, None, None)


@pytest.mark.parametrize("kept, decided", [(90, True), (89, False), (100, True), (0, False)])
def test_decided_by_rules_at_nine_in_ten_exactly(kept, decided) -> None:
    nominal, other = ("a",), ("b",)
    portfolios = [(nominal, kept), (other, 100 - kept)] if kept < 100 else [(nominal, 100)]
    result = SmaaResult(["a", "b"], ["A", "B"], 100, np.eye(2), 100, np.array([kept / 100, 1 - kept / 100]),
                        [p for p in portfolios if p[1]], nominal)
    assert result.unchanged == kept
    assert result.decided_by_rules is decided
