"""scorer.scoring.perspectives: each partner's weights and values, the joint ones, Kendall's tau-b."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scorer.errors import ScoringError
from scorer.inputs.loading import load_scenario
from scorer.scoring import perspectives
from scorer.scoring.perspectives import joint_weights, kendall_tau_b, partner_views
from scorer.scoring.score import score
from scorer.study.study import Study
from testkit import write_perspectives

# Two partners by weight overrides only, so every weight is a hand computation: the
# test criteria have groups integration 60 {standardization 15} and governance 40
# {cost_sharing 5, export_friction 10}.
SIMPLE = """\
perspectives:
  US: {weights: {export_friction: 30}}
  JP: {weights: {cost_sharing: 30, export_friction: 10}}
"""
US = np.array([0.6, 0.4 * 5 / 35, 0.4 * 30 / 35])
JP = np.array([0.6, 0.4 * 30 / 40, 0.4 * 10 / 40])


def _simple(case, joint: str = "") -> Study:
    case.path.write_text(case.texts["scenario"] + SIMPLE + joint, encoding="utf-8")
    return Study.load(case.path)


# ------------------------------------------------------------ Kendall's tau ---


def test_tau_b_by_hand_with_ties() -> None:
    # Pairs of x = [1, 2, 2, 3], y = [1, 3, 2, 2]: (0,1) (0,2) (0,3) concordant, (1,3)
    # discordant, (1,2) tied in x, (2,3) tied in y: (3 - 1) / sqrt((6 - 1)(6 - 1)) = 0.4.
    assert kendall_tau_b(np.array([1, 2, 2, 3]), np.array([1, 3, 2, 2])) == pytest.approx(0.4)


def test_tau_b_by_hand_without_ties() -> None:
    # [1..5] against [3, 1, 2, 5, 4]: 7 concordant, 3 discordant of 10 pairs.
    assert kendall_tau_b(np.arange(1, 6), np.array([3, 1, 2, 5, 4])) == pytest.approx(0.4)
    assert kendall_tau_b(np.arange(5), np.arange(5)[::-1]) == pytest.approx(-1.0)
    assert math.isnan(kendall_tau_b(np.ones(4), np.arange(4)))


def test_tau_b_blocks_give_the_same_sum(monkeypatch) -> None:
    rng = np.random.default_rng(1)
    x, y = rng.integers(0, 6, 50), rng.integers(0, 6, 50)
    whole = kendall_tau_b(x, y)
    monkeypatch.setattr(perspectives, "_TAU_BLOCK", 7)
    assert kendall_tau_b(x, y) == pytest.approx(whole, abs=1e-15)


# ----------------------------------------------------------------- views ---


def test_partner_weights_are_the_overrides_on_the_shared_file(case) -> None:
    views = _simple(case).views
    assert views.partners == ("JP", "US")
    np.testing.assert_allclose(views.weights, np.stack([JP, US]))
    np.testing.assert_array_equal(views.influence, [0.5, 0.5])
    us = score(load_scenario(case.path), overrides={"export_friction": 30})
    np.testing.assert_array_equal(views.views["US"].scored.scores, us.scores)
    assert views.values.shape == (2, 4)


def test_joint_file_is_todays_weights_and_values(case) -> None:
    study = _simple(case)
    plain = Study.load(case.path).with_changes()
    np.testing.assert_array_equal(study.views.joint.scores, score(study.inputs).scores)
    np.testing.assert_array_equal(study.values, plain.values)
    assert study.weight_report.method == "direct"


def test_joint_mean_by_hand(case) -> None:
    study = _simple(case, "joint: {method: mean, influence: {US: 1, JP: 3}}\n")
    want = 0.25 * US + 0.75 * JP  # sums to 1 already
    np.testing.assert_allclose(study.weight_report.effective, want)
    assert study.weight_report.method == "joint mean"
    np.testing.assert_allclose(study.views.influence, [0.75, 0.25])
    # Every command that names no partner follows them: values, scores at other points, the basis.
    np.testing.assert_allclose(study.values, score(study.inputs, overrides=dict(zip(
        ["standardization", "cost_sharing", "export_friction"], 100 * want))).scores)
    np.testing.assert_allclose(study.basis.weights, want)
    assert study.scored("low").weights.method == "joint mean"


def test_joint_geometric_by_hand(case) -> None:
    study = _simple(case, "joint: {method: geometric, influence: {US: 1, JP: 3}}\n")
    raw = np.array([US[j] ** 0.25 * JP[j] ** 0.75 for j in range(3)])
    np.testing.assert_allclose(study.weight_report.effective, raw / raw.sum())
    assert study.weight_report.method == "joint geometric"


def test_joint_geometric_zeroes_a_criterion_any_partner_zeroes(case) -> None:
    case.path.write_text(case.texts["scenario"] + """\
perspectives:
  US: {weights: {cost_sharing: 0}}
  JP: {weights: {export_friction: 0}}
joint: {method: geometric}
""", encoding="utf-8")
    np.testing.assert_allclose(Study.load(case.path).weight_report.effective, [1.0, 0.0, 0.0])


def test_joint_geometric_of_disjoint_weights_is_an_error() -> None:
    with pytest.raises(ScoringError, match="joint weights: .*zero for every criterion"):
        joint_weights(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0.5, 0.5]), "geometric", ["a", "b"])


def test_a_partner_without_any_weight_is_named(case) -> None:
    case.path.write_text(case.texts["scenario"] + """\
perspectives:
  US: {weights: {standardization: 0, cost_sharing: 0, export_friction: 0}}
""", encoding="utf-8")
    with pytest.raises(ScoringError, match="perspective US: every criterion weight is zero"):
        Study.load(case.path).views  # noqa: B018


def test_overrides_start_the_partners_on_the_shared_file_only(case) -> None:
    inputs = load_scenario(write_perspectives(case))
    plain, changed = partner_views(inputs), partner_views(inputs, overrides={"cost_sharing": 20})
    # US: the shared file with cost_sharing 20, then its own export_friction 30.
    np.testing.assert_allclose(changed.views["US"].weights.effective, [0.6, 0.4 * 20 / 50, 0.4 * 30 / 50])
    # JP has its own criteria file and raters: unchanged. The joint (file) takes the override.
    np.testing.assert_array_equal(changed.views["JP"].weights.effective, plain.views["JP"].weights.effective)
    np.testing.assert_allclose(changed.joint.weights.effective, [0.6, 0.4 * 20 / 30, 0.4 * 10 / 30])


def test_raters_weight_the_partner_by_ahp_on_their_aij_matrix(case) -> None:
    views = partner_views(load_scenario(write_perspectives(case)))
    jp = views.views["JP"]
    group = jp.group
    assert group.raters == ("ATLA", "JSDF")
    # AIJ by hand: each element the influence-weighted (2:1) geometric mean of the raters' judgements.
    assert group.aij_matrix[0, 1] == pytest.approx(3 ** (2 / 3) * 1 ** (1 / 3))
    assert group.aij_matrix[0, 2] == pytest.approx(2 ** (2 / 3) * 0.5 ** (1 / 3))
    assert group.aij_matrix[1, 2] == pytest.approx(1 ** (2 / 3) * 0.5 ** (1 / 3))
    a = group.aij_weights
    assert jp.weights.method == "ahp" and jp.weights.ahp.cr == pytest.approx(group.group_cr)
    # JP's own file: integration 30 {standardization}, governance 40 {cost_sharing, export_friction}.
    np.testing.assert_allclose(jp.weights.effective, [30 / 70, 40 / 70 * a[1] / (a[1] + a[2]),
                                                      40 / 70 * a[2] / (a[1] + a[2])])
    assert jp.disagreement == 0 and jp.min_share_of_ideal == 0.5 and views.views["US"].disagreement == 10


def test_a_partners_own_scores_change_its_values_only(case) -> None:
    inputs = load_scenario(write_perspectives(case))
    views = partner_views(inputs)
    t7a = inputs.candidates.candidates[[c.id for c in inputs.candidates.candidates].index("t7a")]
    assert t7a.scores["standardization"].value == 8
    jp = views.views["JP"].scored
    i = jp.ids.index("t7a")
    # weighted-sum: the standardization contribution is 100 x weight x value(2 on 0-10).
    assert jp.contributions.loc["t7a", "standardization"] == pytest.approx(100 * 30 / 70 * 0.2)
    assert views.values[0, i] == jp.scores[i]
    np.testing.assert_array_equal(views.joint.scores, score(inputs).scores)


def test_every_partner_takes_the_method_override(case) -> None:
    inputs = load_scenario(write_perspectives(case))
    views = partner_views(inputs, method="topsis")
    assert {views.views[p].scored.method for p in views.partners} == {"topsis"} and views.joint.method == "topsis"


def test_no_perspectives_no_views(case) -> None:
    study = Study.load(case.path)
    assert study.views is None and partner_views(study.inputs) is None
    np.testing.assert_array_equal(study.values, score(study.inputs).scores)


def test_an_override_of_an_unknown_criterion_is_refused_even_if_no_partner_starts_from_the_shared_file(case) -> None:
    inputs = load_scenario(write_perspectives(case, joint="joint: {method: mean}"))
    with pytest.raises(ScoringError, match="weight override bogus=...: unknown criterion") as err:
        partner_views(inputs, overrides={"bogus": 1})
    assert err.value.settings == ("weights",)
