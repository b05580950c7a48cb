"""Group judgements: AIJ, AIP, consistency of each rater and of the group, Goepel's consensus S*."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.errors import ScoringError
from scorer.scoring.group import (
    aij_matrix,
    combine_judgements,
    combine_priorities,
    consensus,
)
from scorer.scoring.weights import ahp_weights, pairwise_matrix

# Dong, Zhang, Hong & Xu (2010), "Consensus models for AHP group decision making under
# row geometric mean prioritization method", Decision Support Systems 49(3), 281-289,
# section 5: five decision makers' judgement matrices over four alternatives (the first
# four from Xu 2000), the decision makers' weights, their collective matrix by AIJ (the
# weighted geometric mean) and its row-geometric-mean priorities.
DONG_IDS = ["x1", "x2", "x3", "x4"]
DONG_UPPER = [  # a12, a13, a14, a23, a24, a34 of A(1)..A(5)
    (4, 6, 7, 3, 4, 2),
    (5, 7, 9, 4, 6, 2),
    (3, 5, 8, 4, 5, 2),
    (4, 5, 6, 3, 3, 2),
    (1 / 2, 1, 2, 1 / 2, 3, 4),
]
DONG_INFLUENCE = [0.1, 0.3, 0.1, 0.2, 0.3]
DONG_AIJ = [
    [1, 2.227, 3.4756, 5.0937],
    [0.4490, 1, 1.9663, 4.0005],
    [0.2877, 0.5086, 1, 2.4623],
    [0.1963, 0.2500, 0.4061, 1],
]
DONG_AIJ_RGMM = [0.4984, 0.2727, 0.1541, 0.0747]
# The individual row-geometric-mean priorities w(1)..w(5) printed there.
DONG_RGMM = [
    [0.6145, 0.2246, 0.0985, 0.0624],
    [0.6461, 0.2270, 0.0793, 0.0476],
    [0.5693, 0.2764, 0.0967, 0.0575],
    [0.5967, 0.2208, 0.1089, 0.0736],
    [0.2247, 0.2958, 0.3780, 0.1015],
]


def judgements(ids, upper):
    pairs = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]]
    return [(a, b, float(x)) for (a, b), x in zip(pairs, upper)]


def dong_raters():
    return [(f"DM{k + 1}", lam, judgements(DONG_IDS, up)) for k, (lam, up) in enumerate(zip(DONG_INFLUENCE, DONG_UPPER))]


def row_geometric_mean(a):
    g = np.exp(np.log(a).mean(axis=1))
    return g / g.sum()


def test_aij_matrix_matches_dong_et_al_2010():
    group = combine_judgements(DONG_IDS, dong_raters())
    np.testing.assert_allclose(group.aij_matrix, DONG_AIJ, atol=6e-5)
    np.testing.assert_allclose(row_geometric_mean(group.aij_matrix), DONG_AIJ_RGMM, atol=6e-5)
    np.testing.assert_allclose(group.influence, DONG_INFLUENCE)
    assert group.raters == ("DM1", "DM2", "DM3", "DM4", "DM5")
    # The eigenvector of the collective matrix is near its row geometric mean (the paper
    # prints only the latter), and every row of weights sums to 1.
    np.testing.assert_allclose(group.aij_weights, DONG_AIJ_RGMM, atol=0.01)
    np.testing.assert_allclose(group.rater_weights.sum(axis=1), 1.0)
    assert group.group_cr < min(group.rater_cr)  # the AIJ matrix is more consistent than any one


def test_geometric_aip_of_dong_priorities_is_their_aij_result():
    """Barzilai & Golany (1994), Dong et al.'s Lemma 1: under the row geometric mean the
    weighted geometric AIP equals AIJ; from the rounded published vectors to 2e-4."""
    got = combine_priorities(np.array(DONG_RGMM), np.array(DONG_INFLUENCE), geometric=True)
    np.testing.assert_allclose(got, DONG_AIJ_RGMM, atol=2e-4)
    assert got.sum() == pytest.approx(1.0)


def test_each_rater_is_judged_as_the_criteria_file_would_be():
    group = combine_judgements(DONG_IDS, dong_raters())
    for k, (_, _, pairs) in enumerate(dong_raters()):
        alone = ahp_weights(pairwise_matrix(DONG_IDS, pairs))
        assert group.rater_weights[k].tobytes() == alone.weights.tobytes()
        assert group.rater_cr[k] == alone.cr
    expected = np.array(DONG_INFLUENCE) @ group.rater_weights
    np.testing.assert_allclose(group.aip_weights, expected / expected.sum())


def extreme_raters(n):
    """Rater k judges criterion k 9 times as important as each other; the rest equal."""
    ids = [f"c{i}" for i in range(n)]
    raters = []
    for k in range(n):
        pairs = [(a, b, 9.0 if a == ids[k] else (1 / 9 if b == ids[k] else 1.0))
                 for i, a in enumerate(ids) for b in ids[i + 1:]]
        raters.append((f"r{k}", 1.0, pairs))
    return ids, raters


@pytest.mark.parametrize("n", [2, 3, 4, 7])
def test_opposed_extreme_raters_have_zero_consensus_goepel_2018(n):
    """Goepel (2018), IJAHP 10(3), section 8: each of k = n participants judging a different
    criterion extremely more important than all others gives consensus 0 %; each rater's
    weight for it is x / (x + n - 1) (eq. 41, 75 % for n = 4, x = 9), and the AIJ matrix
    of such opposed judgements is all ones."""
    ids, raters = extreme_raters(n)
    group = combine_judgements(ids, raters)
    assert group.consensus == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(np.diag(group.rater_weights), 9 / (9 + n - 1))
    np.testing.assert_allclose(group.aij_matrix, np.ones((n, n)), atol=1e-12)
    np.testing.assert_allclose(group.aij_weights, 1 / n)
    np.testing.assert_allclose(group.aip_weights, 1 / n)
    assert group.group_cr == pytest.approx(0.0, abs=1e-9)
    np.testing.assert_allclose(group.rater_cr, 0.0, atol=1e-9)


def test_consensus_is_between_for_partial_agreement():
    ids, raters = extreme_raters(3)
    two_alike = [raters[0], ("r0-again", 1.0, raters[0][2]), raters[1]]
    assert 0.0 < combine_judgements(ids, two_alike).consensus < 1.0
    assert consensus(np.array([[0.5, 0.5], [0.5, 0.5]])) == 1.0
    assert consensus(np.array([[1.0]])) == 1.0


def test_consensus_weighs_raters_by_influence():
    w = np.array([[0.7, 0.2, 0.1], [0.1, 0.2, 0.7]])
    equal = consensus(w)
    assert consensus(w, np.array([1.0, 1.0])) == equal
    assert consensus(w, np.array([9.0, 1.0])) > equal  # nearly one voice: nearly agreement


def test_combine_priorities_arithmetic_and_geometric():
    w = np.array([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]])
    np.testing.assert_allclose(combine_priorities(w, np.array([3.0, 1.0])), [0.425, 0.45, 0.125])
    geo = combine_priorities(w, np.array([1.0, 1.0]), geometric=True)
    np.testing.assert_allclose(geo, np.array([0.1 ** 0.5, 0.15 ** 0.5, 0.0]) / (0.1 ** 0.5 + 0.15 ** 0.5))
    # unnormalised rows count as their shares
    np.testing.assert_allclose(combine_priorities(w * [[2.0], [10.0]], np.array([3.0, 1.0])), [0.425, 0.45, 0.125])


def test_consistent_rater_has_zero_cr():
    ids = ["a", "b", "c", "d"]
    w = np.array([0.4, 0.3, 0.2, 0.1])
    pairs = [(a, b, w[i] / w[j]) for i, a in enumerate(ids) for j, b in enumerate(ids) if i < j]
    group = combine_judgements(ids, [("only", 2.5, pairs)])
    assert group.rater_cr[0] == pytest.approx(0.0, abs=1e-12)
    assert group.group_cr == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(group.aij_weights, w)
    assert group.consensus == 1.0
    assert group.influence.tolist() == [1.0]


def test_results_are_read_only():
    group = combine_judgements(DONG_IDS, dong_raters())
    with pytest.raises(ValueError):
        group.aij_weights[0] = 1.0


# ------------------------------------------------------------- errors ---

GOOD = judgements(["a", "b", "c"], (2, 4, 2))


@pytest.mark.parametrize("raters, words", [
    ([], "no raters"),
    ([("x", 1, GOOD), ("x", 2, GOOD)], "rater 'x' is listed twice"),
    ([("x", 0, GOOD)], "rater 'x' has influence 0; an influence must be a positive number"),
    ([("x", -1, GOOD)], "has influence -1"),
    ([("x", float("nan"), GOOD)], "has influence nan"),
    ([("x", True, GOOD)], "has influence True"),
    ([("x", 1, [("a", "z", 2), *GOOD[1:]])], "rater 'x', judgement 1: unknown criterion 'z' (criteria: a, b, c)"),
    ([("x", 1, [("a", "a", 2), *GOOD[1:]])], "compares 'a' with itself"),
    ([("x", 1, [*GOOD, ("b", "a", 3)])], "judgement 4: the pair b/a is judged twice"),
    ([("x", 1, GOOD[:2])], "rater 'x': every pair of criteria needs a judgement; missing b/c"),
    ([("x", 1, [("a", "b", 10), *GOOD[1:]])], "a/b = 10; a judgement must be a number from 1/9 to 9"),
    ([("x", 1, [("a", "b", 0.1), *GOOD[1:]])], "a/b = 0.1"),
    ([("x", 1, [("a", "b"), *GOOD[1:]])], "a judgement is [a, b, x]"),
])
def test_bad_raters_are_refused_in_the_librarys_terms(raters, words):
    with pytest.raises(ScoringError) as info:
        combine_judgements(["a", "b", "c"], raters, setting="perspectives.JP.raters")
    assert words in str(info.value)
    assert str(info.value).startswith("perspectives.JP.raters: ")
    assert info.value.settings == ("perspectives.JP.raters",)


def test_bad_criteria_are_refused():
    with pytest.raises(ScoringError, match="no criteria"):
        combine_judgements([], [("x", 1, [])])
    with pytest.raises(ScoringError, match="criterion 'a' is listed twice"):
        combine_judgements(["a", "a"], [("x", 1, [])])


@pytest.mark.parametrize("priorities, influence, words", [
    ([[0.5, 0.5]], [0.0], "weight vector 1 has influence 0"),
    ([[0.5, 0.5], [0.2, 0.8]], [1.0], "2 weight vectors but 1 influences"),
    ([[0.5, -0.5]], [1.0], "non-negative"),
    ([[0.0, 0.0]], [1.0], "weight vector 1 gives every criterion zero weight"),
    ([0.5, 0.5], [1.0], "(vectors, criteria)"),
])
def test_bad_priorities_are_refused(priorities, influence, words):
    with pytest.raises(ScoringError) as info:
        combine_priorities(np.array(priorities), np.array(influence))
    assert words in str(info.value)


def test_geometric_mean_with_nothing_left_is_refused():
    with pytest.raises(ScoringError, match="zero for every criterion"):
        combine_priorities(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([1.0, 1.0]), geometric=True)


# --------------------------------------------------------- properties ---

SCALE = [1 / 9, 1 / 7, 1 / 5, 1 / 3, 1 / 2, 1, 2, 3, 5, 7, 9]


@st.composite
def groups(draw, min_raters=1):
    n = draw(st.integers(2, 6))
    r = draw(st.integers(min_raters, 5))
    ids = [f"c{i}" for i in range(n)]
    npairs = n * (n - 1) // 2
    raters = []
    for k in range(r):
        upper = draw(st.lists(st.sampled_from(SCALE), min_size=npairs, max_size=npairs))
        influence = draw(st.floats(0.1, 10.0))
        raters.append((f"r{k}", influence, judgements(ids, upper)))
    return ids, raters


@settings(max_examples=40, deadline=None)
@given(groups())
def test_aij_matrix_is_reciprocal_and_weights_are_distributions(case):
    ids, raters = case
    group = combine_judgements(ids, raters)
    a = group.aij_matrix
    upper = np.triu_indices(len(ids), k=1)
    assert (a.T[upper] == 1.0 / a[upper]).all()  # a[j, i] is exactly 1 / a[i, j]
    assert (np.diag(a) == 1.0).all()
    for w in (group.aij_weights, group.aip_weights, *group.rater_weights):
        assert (w > 0).all() and w.sum() == pytest.approx(1.0)
    assert 0.0 <= group.consensus <= 1.0
    assert group.group_cr >= -1e-9


@settings(max_examples=30, deadline=None)
@given(groups(), st.integers(2, 4))
def test_identical_raters_agree_with_each_one(case, copies):
    ids, raters = case
    name, _, pairs = raters[0]
    same = [(f"{name}-{k}", float(k + 1), pairs) for k in range(copies)]
    group = combine_judgements(ids, same)
    alone = ahp_weights(pairwise_matrix(ids, pairs))
    np.testing.assert_allclose(group.aij_matrix, pairwise_matrix(ids, pairs), rtol=1e-12)
    np.testing.assert_allclose(group.aij_weights, alone.weights, atol=1e-12)
    np.testing.assert_allclose(group.aip_weights, alone.weights, atol=1e-12)
    assert group.consensus == pytest.approx(1.0, abs=1e-12)
    assert group.group_cr == pytest.approx(alone.cr, abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(groups(min_raters=2), st.floats(0.01, 100.0), st.randoms(use_true_random=False))
def test_influence_scale_and_rater_order_do_not_matter(case, scale, rnd):
    ids, raters = case
    base = combine_judgements(ids, raters)
    scaled = combine_judgements(ids, [(n, lam * scale, p) for n, lam, p in raters])
    order = list(range(len(raters)))
    rnd.shuffle(order)
    shuffled = combine_judgements(ids, [raters[k] for k in order])
    for other in (scaled, shuffled):
        np.testing.assert_allclose(other.aij_matrix, base.aij_matrix, rtol=1e-10)
        np.testing.assert_allclose(other.aij_weights, base.aij_weights, atol=1e-10)
        np.testing.assert_allclose(other.aip_weights, base.aip_weights, atol=1e-12)
        assert other.consensus == pytest.approx(base.consensus, abs=1e-10)
    np.testing.assert_allclose(shuffled.rater_weights, base.rater_weights[order])
    assert shuffled.raters == tuple(base.raters[k] for k in order)


def test_aij_matrix_of_one_matrix_is_that_matrix():
    a = pairwise_matrix(DONG_IDS, judgements(DONG_IDS, DONG_UPPER[0]))
    np.testing.assert_allclose(aij_matrix(a[None], np.array([1.0])), a, rtol=1e-15)
