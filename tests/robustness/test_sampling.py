"""Weight and score sampling: distributions, ranges, determinism, vectorised scores."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.errors import ScoringError
from scorer.robustness.sampling import (
    SampleSpec,
    dirichlet_weights,
    pert,
    raw_samples,
    ranges_array,
    sampled_scores,
    scores_with_raw,
    scoring_basis,
    triangular,
    uniform_weights,
)
from testkit import make_basis


def test_dirichlet_is_centred_on_the_weights_and_keeps_zero_weights_at_zero() -> None:
    w = np.array([0.5, 0.3, 0.2, 0.0])
    s = dirichlet_weights(w, 50.0, 20000, np.random.default_rng(1))
    assert np.allclose(s.sum(axis=1), 1.0)
    assert (s[:, 3] == 0).all()
    # Mean of Dirichlet(alpha) is alpha / sum(alpha) = w; standard error here ~0.0005.
    assert np.allclose(s.mean(axis=0), w, atol=0.003)
    # Var = w(1-w)/(c+1): for w=0.5, c=50 that is 0.25/51 = 0.0049.
    assert s[:, 0].var() == pytest.approx(0.25 / 51, rel=0.05)


def test_higher_concentration_samples_closer_to_the_weights() -> None:
    w = np.array([0.6, 0.4])
    wide = dirichlet_weights(w, 5.0, 5000, np.random.default_rng(2))
    tight = dirichlet_weights(w, 500.0, 5000, np.random.default_rng(2))
    assert tight[:, 0].std() < wide[:, 0].std() / 5


def test_concentration_must_be_positive() -> None:
    with pytest.raises(ScoringError, match="concentration"):
        dirichlet_weights(np.array([1.0]), 0.0, 3, np.random.default_rng(0))


def test_uniform_weights_lie_in_their_ranges_before_normalising() -> None:
    w = np.array([0.5, 0.5])
    r = ranges_array(["a", "b"], {"a": (0.2, 0.4)})
    s = uniform_weights(w, r, 5000, np.random.default_rng(3))
    # b stays at 0.5, a in [0.2, 0.4]: after normalising a/(a+0.5) is in [2/7, 4/9].
    assert np.allclose(s.sum(axis=1), 1.0)
    assert (s[:, 0] >= 2 / 7 - 1e-12).all() and (s[:, 0] <= 4 / 9 + 1e-12).all()
    assert s[:, 0].min() < 0.30 and s[:, 0].max() > 0.43


@pytest.mark.parametrize("ranges, message", [({"zz": (0.1, 0.2)}, "unknown criterion 'zz'"),
                                             ({"a": (0.3, 0.2)}, "LO <= HI"),
                                             ({"a": (0.1, 1.5)}, "LO <= HI")])
def test_bad_ranges_are_refused(ranges, message) -> None:
    with pytest.raises(ScoringError, match=message):
        ranges_array(["a"], ranges)


def test_triangular_quantiles_match_the_formula() -> None:
    # Triangular(0, 2, 10): F(2) = 2/10 = 0.2. Median (u = 0.5 > 0.2) is
    # 10 - sqrt(0.5 * 10 * 8) = 10 - sqrt(40) = 3.6754...; u = 0.1 gives sqrt(0.1*10*2) = 1.4142...
    q = triangular(np.array(0.0), np.array(2.0), np.array(10.0), np.array([0.1, 0.2, 0.5, 1.0]))
    assert q == pytest.approx([np.sqrt(2.0), 2.0, 10 - np.sqrt(40.0), 10.0])
    assert triangular(np.array(3.0), np.array(3.0), np.array(3.0), np.array([0.7])) == pytest.approx([3.0])


def test_triangular_and_pert_means() -> None:
    rng = np.random.default_rng(4)
    lo, mode, hi = np.array(2.0), np.array(3.0), np.array(8.0)
    tri = triangular(lo, mode, hi, rng.random(200000))
    per = pert(lo, mode, hi, (200000,), rng)
    assert tri.mean() == pytest.approx((2 + 3 + 8) / 3, abs=0.02)  # triangular mean (a+c+b)/3
    assert per.mean() == pytest.approx((2 + 4 * 3 + 8) / 6, abs=0.02)  # PERT mean (a+4c+b)/6
    assert tri.min() >= 2 and tri.max() <= 8 and per.min() >= 2 and per.max() <= 8


def test_scores_without_a_range_stay_fixed() -> None:
    values = np.array([[0.5, 0.2], [0.7, 0.9]])
    basis = make_basis(values, [0.5, 0.5], low=[[0.4, 0.2], [0.7, 0.9]], high=[[0.9, 0.2], [0.7, 0.9]])
    raw = raw_samples(basis, "pert", 500, np.random.default_rng(5))
    assert (raw[:, 1] == values[1]).all() and (raw[:, 0, 1] == 0.2).all()
    assert raw[:, 0, 0].min() >= 0.4 and raw[:, 0, 0].max() <= 0.9 and raw[:, 0, 0].std() > 0.01


@pytest.mark.parametrize("method", ["weighted-sum", "weighted-product"])
def test_vectorised_sampled_scores_equal_scoring_one_sample_at_a_time(method) -> None:
    rng = np.random.default_rng(6)
    values = rng.random((7, 4))
    basis = make_basis(values, [0.4, 0.3, 0.2, 0.1], low=values * 0.5, high=np.minimum(values * 1.5, 1.0),
                       method=method)
    w = dirichlet_weights(basis.weights, 10.0, 5, rng)
    raw = raw_samples(basis, "triangular", 5, rng)
    got = scores_with_raw(basis, w, raw)
    for s in range(5):
        one = make_basis(raw[s], w[s], method=method)
        assert got[s] == pytest.approx(one.scores(w[s]))


def test_same_seed_same_samples_other_seed_other_samples(default_inputs) -> None:
    basis = scoring_basis(default_inputs)
    a = sampled_scores(basis, SampleSpec(samples=300, score_dist="pert", seed=7))
    b = sampled_scores(basis, SampleSpec(samples=300, score_dist="pert", seed=7))
    c = sampled_scores(basis, SampleSpec(samples=300, score_dist="pert", seed=8))
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_fixed_weights_and_scores_reproduce_the_plain_scores(default_inputs) -> None:
    inputs = default_inputs
    from scorer.scoring.score import candidate_values

    basis = scoring_basis(inputs)
    got = sampled_scores(basis, SampleSpec(samples=3, concentration=None))
    assert np.allclose(got, candidate_values(inputs))


def test_score_sampling_refuses_methods_it_cannot_vectorise(default_inputs) -> None:
    basis = scoring_basis(default_inputs, "topsis")
    with pytest.raises(ScoringError, match="; set robustness.score_distribution to none$"):
        sampled_scores(basis, SampleSpec(samples=3, score_dist="triangular"))


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 6), st.floats(0.5, 1000), st.integers(0, 2**32 - 1))
def test_dirichlet_samples_are_weights(m, concentration, seed) -> None:
    w = np.random.default_rng(seed).random(m) + 0.01
    w /= w.sum()
    s = dirichlet_weights(w, concentration, 50, np.random.default_rng(seed))
    assert (s >= 0).all() and np.allclose(s.sum(axis=1), 1.0)
