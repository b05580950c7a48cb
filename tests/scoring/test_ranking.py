"""Ranking: the fast packed-key sort against a plain reference, ties, the fallback sort."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.scoring.ranking import TIE_DECIMALS, rank_order

FAST = settings(max_examples=200, deadline=None)


def reference(scores: list[float], ids: list[str] | None) -> tuple[list[int], list[int]]:
    """Order by (-rounded score, id) and competition ranks, in plain Python."""
    keys = [round(s * 10.0**TIE_DECIMALS) for s in scores]
    tie = ids if ids is not None else list(range(len(scores)))
    order = sorted(range(len(scores)), key=lambda i: (-keys[i], tie[i]))
    # Rank = 1 + how many candidates have a strictly better rounded score.
    ranks = [1 + sum(k > keys[i] for k in keys) for i in range(len(scores))]
    return order, ranks


# A small pool of values makes ties common; the noisy sums (0.1 + 0.2 vs
# 0.3) must tie after rounding; the huge values overflow the packed key.
POOL = [0.0, 0.3, 0.1 + 0.2, 12.5, 50.0, 99.999999999, 100.0, 1e-10, 3e-10, 7.25e-10]
score_values = st.one_of(
    st.sampled_from(POOL),
    st.floats(0, 100, allow_nan=False),
    st.floats(-1e15, 1e15, allow_nan=False),
)


@pytest.mark.slow
@FAST
@given(st.lists(st.sampled_from(POOL) | st.floats(0, 100, allow_nan=False), max_size=60), st.booleans())
def test_fast_ranking_equals_reference_on_0_100(scores, with_ids):
    ids = [f"c{(i * 7919) % 1000:03d}" for i in range(len(scores))] if with_ids else None
    order, ranks = rank_order(np.array(scores, dtype=float), None if ids is None else np.array(ids))
    want_order, want_ranks = reference(scores, ids)
    assert order.tolist() == want_order
    assert ranks.tolist() == want_ranks


@pytest.mark.slow
@FAST
@given(st.lists(score_values, max_size=40), st.data())
def test_ranking_equals_reference_with_any_scores_and_ids(scores, data):
    ids = data.draw(st.lists(st.text("abc", max_size=4), min_size=len(scores), max_size=len(scores), unique=True))
    order, ranks = rank_order(np.array(scores, dtype=float), np.array(ids, dtype=object))
    want_order, want_ranks = reference(scores, ids)
    assert order.tolist() == want_order
    assert ranks.tolist() == want_ranks


@pytest.mark.slow
@FAST
@given(st.lists(st.sampled_from(POOL), max_size=40))
def test_ids_already_sorted_rank_like_positions(scores):
    ids = [f"id{i:03d}" for i in range(len(scores))]
    order, ranks = rank_order(np.array(scores, dtype=float), np.array(ids))
    want_order, want_ranks = reference(scores, ids)
    assert order.tolist() == want_order
    assert ranks.tolist() == want_ranks


def test_ties_after_rounding_share_the_best_rank_and_skip():
    scores = np.array([50.0, 70.0, 50.0 + 4e-10, 70.0, 10.0, 50.0 - 4e-10])
    order, ranks = rank_order(scores, np.array(["f", "e", "d", "c", "b", "a"]))
    assert ranks.tolist() == [3, 1, 3, 1, 6, 3]
    assert order.tolist() == [3, 1, 5, 2, 0, 4]


def test_large_random_instance_matches_lexsort():
    # Thousands of candidates, many exact ties, ids in shuffled order: the
    # result must equal numpy's lexsort on (id rank, -rounded score).
    rng = np.random.default_rng(7)
    n = 20_000
    scores = np.round(rng.random(n) * 100, 3)
    ids = np.array([f"id{i:06d}" for i in rng.permutation(n)])
    order, ranks = rank_order(scores, ids)
    keys = -np.rint(scores * 10.0**TIE_DECIMALS)
    want = np.lexsort((ids, keys))
    assert order.tolist() == want.tolist()
    better = np.searchsorted(np.sort(keys), keys, side="left")
    assert ranks.tolist() == (better + 1).tolist()


def test_all_equal_and_single_and_empty():
    order, ranks = rank_order(np.full(5, 42.0))
    assert order.tolist() == [0, 1, 2, 3, 4] and ranks.tolist() == [1] * 5
    order, ranks = rank_order(np.array([3.0]), np.array(["x"]))
    assert order.tolist() == [0] and ranks.tolist() == [1]
    order, ranks = rank_order(np.array([]))
    assert order.tolist() == [] and ranks.tolist() == []


def test_infinite_scores_take_the_fallback_and_rank_first_or_last():
    order, ranks = rank_order(np.array([1.0, np.inf, -np.inf, 1.0]))
    assert order.tolist() == [1, 0, 3, 2]
    assert ranks.tolist() == [2, 1, 4, 2]
