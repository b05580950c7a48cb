"""Aggregation methods: published reference values and properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from scorer.scoring.aggregation import (
    PreferenceFunction,
    contributions,
    criterion_flows,
    net_flow_matrix,
    promethee_contributions,
    promethee_ii,
    topsis,
    weighted_product,
    weighted_sum,
)
from scorer.scoring.ranking import rank_order

FAST = settings(max_examples=40, deadline=None)


# ------------------------------------------------------- reference values ---


def test_topsis_tzeng_huang_2011():
    """Tzeng, G.-H. & Huang, J.-J. (2011). Multiple Attribute Decision Making:
    Methods and Applications. CRC Press: TOPSIS example with 4 alternatives and
    3 benefit criteria, weights (0.3, 0.4, 0.3), vector normalisation.
    Published closeness coefficients 0.5037, 0.6581, 0.7482, 0.3340 (the same
    example is a reference test of scikit-criteria).
    """
    raw = np.array([[5, 8, 4], [7, 6, 8], [8, 8, 6], [7, 4, 6]], dtype=float)
    got = topsis(raw, np.array([0.3, 0.4, 0.3]), np.array([True, True, True]))
    np.testing.assert_allclose(got / 100, [0.5037, 0.6581, 0.7482, 0.3340], atol=1e-4)


def test_promethee_ii_zhao_peng_li_2013():
    """Zhao, H., Peng, Y. & Li, W. (2013). Revised PROMETHEE II for improving
    efficiency in emergency response. Procedia Computer Science 17, 181-188:
    3 alternatives, 3 benefit criteria, weights (0.5, 0.3, 0.2), usual
    preference function; published net flows 0.1, -0.3, 0.2 (also a reference
    test of pymcdm).
    """
    raw = np.array([[4, 3, 2], [3, 2, 4], [5, 1, 3]], dtype=float)
    score = promethee_ii(raw, np.array([0.5, 0.3, 0.2]), np.array([True, True, True]))
    np.testing.assert_allclose(score / 50 - 1, [0.1, -0.3, 0.2], atol=1e-12)


def test_topsis_cost_criterion_by_hand():
    # Cost criterion 1, 2, 5 and benefit 3000, 3750, 4500, equal weights; by hand:
    # A1: D+ = w2*(4500-3000)/||f2||, D- = w1*(5-1)/||f1||.
    raw = np.array([[1, 3000], [2, 3750], [5, 4500]], dtype=float)
    n1, n2 = np.sqrt(30), np.sqrt(3000**2 + 3750**2 + 4500**2)
    d_plus, d_minus = 0.5 * 1500 / n2, 0.5 * 4 / n1
    got = topsis(raw, np.array([0.5, 0.5]), np.array([False, True]))
    assert got[0] == pytest.approx(100 * d_minus / (d_plus + d_minus))


# -------------------------------------------------------- implementation ---


PREFS = [
    PreferenceFunction("usual"),
    PreferenceFunction("u-shape", q=1.0),
    PreferenceFunction("v-shape", p=3.0),
    PreferenceFunction("level", q=1.0, p=3.0),
    PreferenceFunction("linear", q=0.5, p=4.0),
    PreferenceFunction("gaussian", s=2.0),
]


@FAST
@given(x=arrays(float, st.integers(2, 30), elements=st.integers(0, 20).map(lambda v: v / 2)))
def test_sorted_flows_equal_the_pairwise_definition(x):
    d = x[:, None] - x[None, :]
    for pref in PREFS:
        expected = (pref(d) - pref(-d)).sum(axis=1) / (len(x) - 1)
        np.testing.assert_allclose(criterion_flows(x, pref), expected, atol=1e-12, err_msg=pref.type)


def test_preference_functions_shapes():
    d = np.array([-1.0, 0.0, 0.5, 1.0, 2.0, 3.0, 5.0])
    assert PreferenceFunction("usual")(d).tolist() == [0, 0, 1, 1, 1, 1, 1]
    assert PreferenceFunction("u-shape", q=1)(d).tolist() == [0, 0, 0, 0, 1, 1, 1]
    assert PreferenceFunction("level", q=1, p=3)(d).tolist() == [0, 0, 0, 0, 0.5, 0.5, 1]
    np.testing.assert_allclose(PreferenceFunction("v-shape", p=2)(d), [0, 0, 0.25, 0.5, 1, 1, 1])
    np.testing.assert_allclose(PreferenceFunction("linear", q=1, p=3)(d), [0, 0, 0, 0, 0.5, 1, 1])


def test_cost_criterion_is_negated_for_promethee():
    raw = np.array([[1.0], [2.0], [3.0]])
    flows = net_flow_matrix(raw, np.array([False]), [PreferenceFunction()])
    assert flows[:, 0].tolist() == [1.0, 0.0, -1.0]


def test_single_candidate_has_neutral_scores():
    raw = np.array([[3.0, 4.0]])
    w = np.array([0.5, 0.5])
    assert promethee_ii(raw, w, np.array([True, True])).tolist() == [50.0]
    assert topsis(raw, w, np.array([True, True])).tolist() == [50.0]


def test_weighted_product_zero_value():
    values = np.array([[0.0, 1.0], [0.25, 1.0], [0.0, 0.5]])
    got = weighted_product(values, np.array([0.5, 0.5]))
    np.testing.assert_allclose(got, [0.0, 50.0, 0.0])
    # A zero weight ignores the criterion, even where the value is zero (0 ** 0 = 1).
    np.testing.assert_allclose(weighted_product(values, np.array([0.0, 1.0])), [100, 100, 50])


def test_two_dimensional_weights_score_every_sample():
    rng = np.random.default_rng(1)
    raw = rng.random((6, 3)) * 10
    values = raw / 10
    benefit = np.array([True, False, True])
    w = rng.dirichlet(np.ones(3), size=4)
    for f, data in ((weighted_sum, values), (weighted_product, values)):
        stacked = f(data, w)
        assert stacked.shape == (4, 6)
        np.testing.assert_allclose(stacked[2], f(data, w[2]))
    np.testing.assert_allclose(topsis(raw, w, benefit)[3], topsis(raw, w[3], benefit))
    np.testing.assert_allclose(promethee_ii(raw, w, benefit)[1], promethee_ii(raw, w[1], benefit))


def textbook_topsis(raw, w, benefit):
    """TOPSIS written out step by step (Hwang & Yoon 1981), no blocking or folding."""
    weighted = w * raw / np.sqrt((raw**2).sum(axis=0))
    best = np.where(benefit, weighted.max(axis=0), weighted.min(axis=0))
    worst = np.where(benefit, weighted.min(axis=0), weighted.max(axis=0))
    d_plus = np.sqrt(((weighted - best) ** 2).sum(axis=1))
    d_minus = np.sqrt(((weighted - worst) ** 2).sum(axis=1))
    return 100 * d_minus / (d_plus + d_minus)


@pytest.mark.parametrize("n", [1, 63, 64, 8191, 8192, 8193, 3 * 8192 + 65, 40_000])
def test_blocked_topsis_and_product_equal_the_textbook_formulas(n):
    # Sizes around the row blocks (8192) and the fold of the column maxima
    # (64 rows): every block, remainder and fallback path is taken.
    rng = np.random.default_rng(n)
    raw = rng.random((n, 5)) * 10
    raw[rng.integers(0, n), 1] = 25.0  # a lone column maximum somewhere in the middle
    benefit = np.array([True, False, True, True, False])
    w = np.array([0.1, 0.3, 0.2, 0.15, 0.25])
    if n > 1:
        np.testing.assert_allclose(topsis(raw, w, benefit), textbook_topsis(raw, w, benefit), rtol=0, atol=1e-11)
    values = raw / 25
    values[::7, 2] = 0.0
    want = 100 * np.prod(values**w, axis=1)
    np.testing.assert_allclose(weighted_product(values, w), want, rtol=1e-12, atol=1e-12)
    assert (weighted_product(values, w)[::7] == 0).all()
    stacked = np.vstack([w, [0.0, 0.5, 0.0, 0.25, 0.25]])  # a zero weight on the zeros: 0 ** 0 = 1
    got = weighted_product(values, stacked)
    np.testing.assert_allclose(got, 100 * np.prod(values**stacked[:, None, :], axis=2), rtol=1e-12, atol=1e-12)
    assert np.isfinite(got).all() and (got[1] > 0).all()


def test_topsis_of_a_fortran_ordered_matrix_equals_c_ordered():
    rng = np.random.default_rng(3)
    raw = rng.random((1000, 4)) * 10
    benefit = np.array([True, False, False, True])
    w = np.array([0.4, 0.3, 0.2, 0.1])
    np.testing.assert_allclose(topsis(np.asfortranarray(raw), w, benefit), topsis(raw, w, benefit), rtol=0, atol=1e-12)


# ------------------------------------------------------------ properties ---

matrices = st.integers(2, 12).flatmap(
    lambda n: st.integers(1, 6).flatmap(
        lambda m: st.tuples(
            arrays(float, (n, m), elements=st.integers(0, 10).map(float)),
            arrays(float, (m,), elements=st.floats(0.01, 10)),
            arrays(bool, (m,)),
        )
    )
)


def all_methods(raw, w, benefit):
    values = np.where(benefit, raw / 10, 1 - raw / 10)
    return {
        "weighted-sum": weighted_sum(values, w),
        "weighted-product": weighted_product(values, w),
        "topsis": topsis(raw, w, benefit),
        "promethee-ii": promethee_ii(raw, w, benefit),
    }


@pytest.mark.slow
@FAST
@given(data=matrices, factor=st.floats(0.1, 50))
def test_scaling_all_weights_leaves_the_ranking_unchanged(data, factor):
    raw, w, benefit = data
    # The methods take normalised weights; scaled raw weights normalise to the same thing,
    # and even unnormalised the ranking must not move.
    before = all_methods(raw, w / w.sum(), benefit)
    after = all_methods(raw, (w * factor) / (w * factor).sum(), benefit)
    unnormalised = all_methods(raw, w * factor / w.sum(), benefit)
    for method, scores in before.items():
        np.testing.assert_allclose(after[method], scores, rtol=1e-9, atol=1e-9)
        if method != "weighted-product":  # its 0-100 scale assumes weights summing to 1
            ranks = rank_order(scores)[1]
            assert rank_order(unnormalised[method])[1].tolist() == ranks.tolist(), method


@pytest.mark.slow
@FAST
@given(data=matrices)
def test_contributions_sum_to_the_score(data):
    raw, w, benefit = data
    w = w / w.sum()
    values = raw / 10
    np.testing.assert_allclose(contributions(values, w).sum(axis=1), weighted_sum(values, w), atol=1e-9)
    flows = net_flow_matrix(raw, benefit, [PreferenceFunction()] * raw.shape[1])
    np.testing.assert_allclose(promethee_contributions(flows, w).sum(axis=1), promethee_ii(raw, w, benefit), atol=1e-9)


@FAST
@given(data=matrices, gap=st.floats(0.0, 1.0), pick=st.integers(0, 100))
def test_adding_a_dominated_candidate_keeps_weighted_sum_scores_and_order(data, gap, pick):
    raw, w, _ = data
    w = w / w.sum()
    values = raw / 10
    # A candidate dominated by one of the others: no better anywhere.
    dominator = values[pick % len(values)]
    extra = np.clip(dominator - gap * np.linspace(0, 1, len(dominator)), 0, 1)
    before = weighted_sum(values, w)
    after = weighted_sum(np.vstack([values, extra]), w)
    np.testing.assert_array_equal(after[:-1], before)
    order_before = rank_order(before)[0]
    order_after = [i for i in rank_order(after)[0] if i != len(values)]
    assert order_after == order_before.tolist()


@FAST
@given(data=matrices)
def test_adding_a_candidate_dominated_by_all_keeps_every_rank(data):
    raw, w, _ = data
    w = w / w.sum()
    values = raw / 10
    worst = values.min(axis=0)
    before = rank_order(weighted_sum(values, w))[1]
    after = rank_order(weighted_sum(np.vstack([values, worst]), w))[1]
    assert after[:-1].tolist() == before.tolist()


# ------------------------------------------- PROMETHEE at the thresholds ---


def test_u_shape_difference_equal_to_q_is_not_a_preference():
    # Brans & Vincke (1985): u-shape P(d) = 1 only for d > q. 0.4 - 0.1 equals
    # q = 0.3 as the user typed it (in binary floating point it is
    # 0.30000000000000004), so nobody is preferred: every net flow is 0.
    x = np.array([0.1, 0.4, 0.4])
    assert criterion_flows(x, PreferenceFunction("u-shape", q=0.3)).tolist() == [0.0, 0.0, 0.0]
    # level: d = q gives 0 and d = p gives 1/2 (Brans & Vincke's type IV).
    level = criterion_flows(np.array([0.1, 0.4, 0.6]), PreferenceFunction("level", q=0.3, p=0.5))
    # pairs: (0.4, 0.1) d = 0.3 = q: 0; (0.6, 0.1) d = 0.5 = p: 1/2; (0.6, 0.4) d = 0.2: 0.
    np.testing.assert_allclose(level, [-0.25, 0.0, 0.25], atol=1e-15)


def decimal_column(digits: int = 1) -> st.SearchStrategy[list[str]]:
    """Scores as a user types them: short decimals, as text (exact)."""
    return st.lists(st.integers(-30, 30).map(lambda v: f"{v / 10 ** digits:.{digits}f}"), min_size=2, max_size=12)


def exact_flows(column: list[str], pref_type: str, q: str, p: str, s: str) -> list[float]:
    """Net flows by the definition (Brans & Vincke 1985), each difference in exact rationals."""
    import math
    from fractions import Fraction as F

    xs, fq, fp = [F(v) for v in column], F(q), F(p)

    def pref(d: F) -> float:
        if d <= 0:
            return 0.0
        if pref_type == "usual":
            return 1.0
        if pref_type == "u-shape":
            return float(d > fq)
        if pref_type == "level":
            return 1.0 if d > fp else 0.5 if d > fq else 0.0
        if pref_type in ("linear", "v-shape"):
            lo = fq if pref_type == "linear" else F(0)
            return float(min(max((d - lo) / (fp - lo), F(0)), F(1)))
        return -math.expm1(-float(d * d) / (2 * float(F(s)) ** 2))

    n = len(xs)
    return [sum(pref(a - b) - pref(b - a) for b in xs) / (n - 1) for a in xs]


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(column=decimal_column(),
       pref_type=st.sampled_from(["usual", "u-shape", "v-shape", "level", "linear", "gaussian"]),
       data=st.data())
def test_flows_equal_the_exact_definition_and_sum_to_zero(column, pref_type, data):
    # Thresholds are often exactly a difference of two scores: the case rounding gets wrong.
    diffs = sorted({abs(round(float(a) - float(b), 1)) for a in column for b in column} - {0.0}) or [0.3]
    q = data.draw(st.sampled_from(diffs))
    p = data.draw(st.sampled_from([d for d in diffs if d > q] or [q + 0.5]))
    qs, ps = f"{q:.1f}", f"{p:.1f}"
    pref = PreferenceFunction(pref_type, q=q if pref_type in ("u-shape", "level", "linear") else 0.0,
                              p=p if pref_type in ("v-shape", "level", "linear") else 0.0,
                              s=p if pref_type == "gaussian" else 0.0)
    got = criterion_flows(np.array([float(v) for v in column]), pref)
    expected = exact_flows(column, pref_type, qs if pref.q else "0", ps, ps)
    np.testing.assert_allclose(got, expected, atol=1e-9, err_msg=f"{pref_type} q={qs} p={ps}")
    assert abs(got.sum()) <= 1e-12 * len(column)


@pytest.mark.parametrize("factor", [1e300, 1e-300, 2.0 ** 600])
def test_topsis_of_huge_or_tiny_scores_equals_topsis_of_ordinary_ones(factor):
    # TOPSIS divides each column by its norm, so the unit of a column cannot matter; squaring
    # scores near 1e308 overflowed (every candidate 50) and near 1e-308 underflowed.
    raw = np.array([[1, 3000], [2, 3750], [5, 4500]], dtype=float)
    w, benefit = np.array([0.5, 0.5]), np.array([False, True])
    scaled = raw * np.array([factor, 1.0])
    np.testing.assert_allclose(topsis(scaled, w, benefit), topsis(raw, w, benefit), rtol=1e-12)
    wide = np.array([[-1e308, 1.0], [0.0, 2.0], [1e308, 3.0]])
    assert topsis(wide, w, np.array([True, True])).tolist() == [0.0, 50.0, 100.0]
