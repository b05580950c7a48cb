"""Weights: normalisation, groups, swing, rank-order centroid, AHP, -w overrides."""

from __future__ import annotations

import numpy as np
import pytest

from scorer.errors import ScoringError
from scorer.inputs.loading import load_scenario
from scorer.scoring.weights import (
    ahp_weights,
    derive_weights,
    grouped_weights,
    normalise,
    pairwise_matrix,
    rank_order_centroid,
)
from testkit import NO_CRITERION_WEIGHTS

# The test scenario (testkit.py): integration 60 {standardization 15},
# governance 40 {cost_sharing 5, export_friction 10}.
GROUPED = [0.6, 0.4 * 5 / 15, 0.4 * 10 / 15]


def test_normalise_rows():
    np.testing.assert_allclose(normalise(np.array([1.0, 3.0])), [0.25, 0.75])
    np.testing.assert_allclose(normalise(np.array([[1.0, 1.0], [0.0, 2.0]])), [[0.5, 0.5], [0, 1]])


def test_group_share_times_share_within_group(case):
    report = derive_weights(load_scenario(case.path).criteria)
    np.testing.assert_allclose(report.effective, GROUPED)
    assert report.method == "direct"
    assert report.raw.tolist() == [15, 5, 10]


def test_grouped_weights_accepts_a_stack_of_samples():
    w = np.array([[15.0, 5.0, 10.0], [1.0, 1.0, 1.0]])
    got = grouped_weights(w, np.array([0, 1, 1]), np.array([60.0, 40.0]))
    np.testing.assert_allclose(got, [GROUPED, [0.6, 0.2, 0.2]])


def test_without_groups_weights_are_normalised(write_case, tmp_path):
    case = write_case(tmp_path)
    path = case.file("criteria")
    text = path.read_text().split("\ngroups:\n")[0] + "\n"
    path.write_text("\n".join(line for line in text.splitlines() if "group:" not in line) + "\n")
    report = derive_weights(load_scenario(case.path).criteria)
    np.testing.assert_allclose(report.effective, [0.5, 5 / 30, 10 / 30])


def test_rank_order_centroid_barron_barrett():
    # Barron & Barrett (1996), Management Science 42(11): ROC weights for 4 criteria.
    np.testing.assert_allclose(rank_order_centroid(4), [0.5208, 0.2708, 0.1458, 0.0625], atol=5e-5)
    assert rank_order_centroid(7).sum() == pytest.approx(1.0)


def test_ahp_saaty_2008_drinks_example():
    """Saaty, T. L. (2008). Decision making with the analytic hierarchy process.
    Int. J. Services Sciences 1(1), 83-98: "Which drink is consumed more in the
    U.S.?" (Table 2). Published eigenvector: coffee .177, wine .019, tea .042,
    beer .116, sodas .190, milk .129, water .327; consistency ratio 0.022
    (as also reproduced by the AHPy test suite with Saaty's random index).
    """
    ids = ["coffee", "wine", "tea", "beer", "sodas", "milk", "water"]
    judgements = [
        ("coffee", "wine", 9), ("coffee", "tea", 5), ("coffee", "beer", 2), ("coffee", "sodas", 1),
        ("coffee", "milk", 1), ("water", "coffee", 2), ("tea", "wine", 3), ("beer", "wine", 9),
        ("beer", "tea", 3), ("beer", "milk", 1), ("sodas", "wine", 9), ("sodas", "tea", 4),
        ("sodas", "beer", 2), ("sodas", "milk", 2), ("milk", "wine", 9), ("milk", "tea", 3),
        ("water", "wine", 9), ("water", "tea", 9), ("water", "beer", 3), ("water", "sodas", 2),
        ("water", "milk", 3),
    ]
    result = ahp_weights(pairwise_matrix(ids, judgements))
    np.testing.assert_allclose(result.weights, [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327], atol=5e-4)
    assert result.cr == pytest.approx(0.022, abs=5e-4)
    assert result.ri == 1.32
    assert result.lambda_max == pytest.approx(7 + 6 * result.ci)


def test_ahp_consistent_matrix_has_zero_cr():
    w = np.array([0.5, 0.3, 0.2])
    result = ahp_weights(w[:, None] / w[None, :])
    np.testing.assert_allclose(result.weights, w)
    assert result.cr == pytest.approx(0.0, abs=1e-12)


AHP_SECTION = """weighting:
  method: ahp
  ahp:
    pairwise:
      - [standardization, cost_sharing, {a}]
      - [cost_sharing, export_friction, {b}]
      - [export_friction, standardization, {c}]
"""


def ahp_case(write_case, tmp_path, a, b, c):
    case = write_case(tmp_path, {"criteria": NO_CRITERION_WEIGHTS})
    path = case.file("criteria")
    path.write_text(path.read_text() + AHP_SECTION.format(a=a, b=b, c=c))
    return case


def test_ahp_weighting_from_file_is_reported(write_case, tmp_path):
    # Consistent judgements: standardization 4x cost_sharing, cost_sharing 1/2 export_friction.
    case = ahp_case(write_case, tmp_path, 4, 0.5, 0.5)
    report = derive_weights(load_scenario(case.path).criteria)
    assert report.method == "ahp"
    np.testing.assert_allclose(report.raw, [4 / 7 * 100, 1 / 7 * 100, 2 / 7 * 100])
    assert report.ahp.cr == pytest.approx(0.0, abs=1e-9)
    assert report.warnings == []
    # Groups still apply on top of the derived weights.
    np.testing.assert_allclose(report.effective, [0.6, 0.4 / 3, 0.8 / 3])


def test_ahp_inconsistent_judgements_warn(write_case, tmp_path):
    case = ahp_case(write_case, tmp_path, 9, 9, 9)  # a > b > c > a: a cycle
    report = derive_weights(load_scenario(case.path).criteria)
    assert report.ahp.cr > 0.10
    assert len(report.warnings) == 1
    assert report.warnings[0].startswith(f"AHP consistency ratio {report.ahp.cr:.3f} is above 0.10")


def test_swing_points_are_the_raw_weights(write_case, tmp_path):
    case = write_case(tmp_path, {"criteria": NO_CRITERION_WEIGHTS})
    path = case.file("criteria")
    path.write_text(path.read_text() + "weighting:\n  method: swing\n  swing:\n    points: "
                    "{standardization: 100, cost_sharing: 40, export_friction: 60}\n")
    report = derive_weights(load_scenario(case.path).criteria, {"cost_sharing": 60})
    assert report.raw.tolist() == [100, 60, 60]
    np.testing.assert_allclose(report.effective, [0.6, 0.2, 0.2])
    assert report.overridden == ("cost_sharing",)
    assert report.warnings == ["weighting is swing: the weight overrides replaced the swing points of cost_sharing "
                               "before normalisation"]
    assert report.warnings[0].settings == ("weights",)


def test_rank_weighting(write_case, tmp_path):
    case = write_case(tmp_path, {"criteria": NO_CRITERION_WEIGHTS})
    path = case.file("criteria")
    path.write_text(path.read_text() + "weighting:\n  method: rank\n  rank:\n    order: "
                    "[export_friction, standardization, cost_sharing]\n")
    report = derive_weights(load_scenario(case.path).criteria)
    roc = rank_order_centroid(3) * 100
    np.testing.assert_allclose(report.raw, [roc[1], roc[2], roc[0]])


def test_override_replaces_raw_weight_before_normalisation(case):
    criteria = load_scenario(case.path).criteria
    report = derive_weights(criteria, {"cost_sharing": 10})
    np.testing.assert_allclose(report.effective, [0.6, 0.2, 0.2])
    assert report.warnings == []


@pytest.mark.parametrize("overrides, message", [
    ({"nope": 1}, "weight override nope=...: unknown criterion 'nope'"),
    ({"cost_sharing": -1}, "weight override cost_sharing=-1: a weight must be a non-negative number"),
    ({"cost_sharing": float("nan")}, "a weight must be a non-negative number"),
    ({"standardization": 0}, "group 'integration' has weight 60 but all its criteria weigh zero"),
    ({"standardization": 0, "cost_sharing": 0, "export_friction": 0}, "every criterion weight is zero"),
])
def test_bad_overrides_are_scoring_errors(case, overrides, message):
    criteria = load_scenario(case.path).criteria
    with pytest.raises(ScoringError, match=message.replace("(", r"\(").replace(".", r"\.")):
        derive_weights(criteria, overrides)


def test_default_data_effective_weights_are_the_percentages():
    from scorer.defaults import default_scenario

    report = derive_weights(load_scenario(default_scenario()).criteria)
    np.testing.assert_allclose(report.effective, report.raw / 100)


# ------------------------------------------------- any finite weights ---

def test_huge_weights_normalise_without_overflow():
    # 1e308 + 1e308 overflows to inf, which made every effective weight 0 (and the portfolio empty).
    assert normalise(np.array([1e308, 1e308])).tolist() == [0.5, 0.5]
    assert normalise(np.array([[1e308, 3e307], [5e-324, 5e-324]])).tolist() == [[1e308 / 1.3e308, 3e307 / 1.3e308],
                                                                              [0.5, 0.5]]


def test_huge_and_tiny_groups_keep_their_proportions():
    raw = np.array([1e308, 1e308, 1e-300, 3e-300])
    got = grouped_weights(raw, np.array([0, 0, 1, 1]), np.array([1e308, 1e308]))
    assert got.tolist() == [0.25, 0.25, 0.125, 0.375]
    stack = grouped_weights(np.stack([raw, [1.0, 1.0, 1.0, 0.0]]), np.array([0, 0, 1, 1]), np.array([1.0, 3.0]))
    assert stack.tolist() == [[0.125, 0.125, 0.1875, 0.5625], [0.125, 0.125, 0.75, 0.0]]


def test_huge_weights_from_a_file_and_from_w(case):
    criteria = load_scenario(case.path).criteria
    report = derive_weights(criteria, {"standardization": 1e308, "cost_sharing": 1e308, "export_friction": 1e308})
    assert report.effective.tolist() == pytest.approx([0.6, 0.2, 0.2], rel=1e-15)


@pytest.mark.parametrize("seed", range(20))
def test_ordinary_weights_keep_every_bit(seed):
    # The scaling is by a power of two, so outputs of ordinary files stay byte-identical.
    rng = np.random.default_rng(seed)
    w = rng.integers(0, 1000, size=(3, 7)) * 10.0 ** rng.integers(-3, 4)  # like the decimals people type
    w[:, 0] += 1.0
    assert np.array_equal(normalise(w), w / w.sum(axis=-1, keepdims=True))
    membership = rng.integers(0, 3, size=7)
    onehot = np.eye(3)[membership]
    within = w / np.maximum((w @ onehot) @ onehot.T, np.finfo(float).tiny)
    group_w = rng.uniform(1, 100, size=3)
    expected = within * ((group_w / group_w.sum()) @ onehot.T)
    assert np.array_equal(grouped_weights(w, membership, group_w), expected)
