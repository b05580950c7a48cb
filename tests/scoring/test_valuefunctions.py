"""Value functions and the raw score matrix."""

from __future__ import annotations

import numpy as np
import pytest

from scorer.inputs.loading import load_scenario
from scorer.scoring.matrix import range_matrices, raw_is_benefit, raw_matrix
from scorer.inputs.models import Criterion
from scorer.scoring.valuefunctions import criterion_value, linear_value, piecewise_value, value_matrix


def crit(**fields) -> Criterion:
    base = {"id": "c", "name": "C", "scale": {"min": 0, "max": 10}}
    return Criterion.model_validate({**base, **fields})


def test_linear_maps_scale_to_unit_interval():
    assert linear_value(np.array([0, 5, 10]), 0, 10).tolist() == [0.0, 0.5, 1.0]
    assert linear_value(np.array([1, 3, 5]), 1, 5).tolist() == [0.0, 0.5, 1.0]


def test_linear_cost_inverts():
    assert linear_value(np.array([0, 2.5, 10]), 0, 10, cost=True).tolist() == [1.0, 0.75, 0.0]
    c = crit(direction="cost")
    assert criterion_value(np.array([2.0]), c).tolist() == [0.8]


def test_values_are_clamped():
    assert linear_value(np.array([-5, 15]), 0, 10).tolist() == [0.0, 1.0]
    assert piecewise_value(np.array([-1, 11]), [(0, 0.2), (10, 0.9)]).tolist() == [0.2, 0.9]


def test_piecewise_interpolates_between_points():
    c = crit(value_function={"type": "piecewise", "points": [[0, 0.0], [4, 0.5], [7, 0.85], [10, 1.0]]})
    got = criterion_value(np.array([0, 2, 4, 5.5, 7, 10]), c)
    np.testing.assert_allclose(got, [0, 0.25, 0.5, 0.675, 0.85, 1.0])


def test_piecewise_cost_uses_the_points_as_given():
    # The points already say that more is worse; direction must not invert them again.
    c = crit(direction="cost", value_function={"type": "piecewise", "points": [[0, 1.0], [10, 0.0]]})
    assert criterion_value(np.array([2.0]), c).tolist() == [0.8]


def test_categorical_level_value_is_the_value():
    c = Criterion.model_validate({"id": "c", "name": "C", "value_function": {
        "type": "categorical", "levels": {"none": 0, "draft": 0.6, "signed": 1}}})
    assert criterion_value(np.array([0.6, 1.0]), c).tolist() == [0.6, 1.0]


def test_raw_matrix_maps_labels_and_takes_low_high(case):
    inputs = load_scenario(case.path)
    low, value, high = range_matrices(inputs.criteria, inputs.candidates)
    # columns: standardization, cost_sharing (categorical), export_friction;
    # rows in id order: gpi, ship-mro, t7a, tactical
    assert value[0].tolist() == [7, 1.0, 6]
    assert low[0].tolist() == [7, 1.0, 4]
    assert high[0].tolist() == [7, 1.0, 8]
    assert value[3].tolist() == [6, 0.0, 5]
    np.testing.assert_array_equal(low[1:], value[1:])  # no ranges: low = value = high
    assert raw_is_benefit(inputs.criteria).tolist() == [True, True, False]


def test_value_matrix_on_a_stack_of_samples(case):
    inputs = load_scenario(case.path)
    raw = raw_matrix(inputs.criteria, inputs.candidates)
    one = value_matrix(raw, inputs.criteria)
    stack = value_matrix(np.stack([raw, raw]), inputs.criteria)
    assert stack.shape == (2, *raw.shape)
    np.testing.assert_array_equal(stack[1], one)
    np.testing.assert_allclose(one[0], [0.7, 1.0, 0.4])


def test_raw_matrix_rejects_unknown_point(case):
    from scorer.errors import ScoringError

    inputs = load_scenario(case.path)
    with pytest.raises(ScoringError, match="^at must be one of low, value, high"):
        raw_matrix(inputs.criteria, inputs.candidates, "middle")


def test_mixed_value_functions_in_the_default_data():
    from scorer.defaults import default_scenario

    inputs = load_scenario(default_scenario())
    raw = raw_matrix(inputs.criteria, inputs.candidates)
    values = value_matrix(raw, inputs.criteria)
    for j, c in enumerate(inputs.criteria.criteria):
        np.testing.assert_allclose(values[:, j], criterion_value(raw[:, j], c), err_msg=c.id)
    assert ((values >= 0) & (values <= 1)).all()


# ------------------------------------------------- any finite scale ---

WIDE = {"min": -1e308, "max": 1e308}  # max - min overflows to infinity


@pytest.mark.parametrize("direction, expected", [("benefit", [0.0, 0.25, 0.5, 0.75, 1.0]),
                                                 ("cost", [1.0, 0.75, 0.5, 0.25, 0.0])])
def test_a_scale_too_wide_to_subtract_values_scores_as_any_other(direction, expected):
    # (x - min) / (max - min) was x / inf: every candidate valued 0 (or NaN at the ends) instead of 0.5.
    raw = np.array([-1e308, -5e307, 0.0, 5e307, 1e308])
    c = crit(scale=WIDE, direction=direction)
    assert criterion_value(raw, c).tolist() == pytest.approx(expected, abs=1e-15)
    assert linear_value(raw, -1e308, 1e308, direction == "cost").tolist() == pytest.approx(expected, abs=1e-15)


def test_value_matrix_with_a_wide_scale_beside_an_ordinary_one():
    from scorer.inputs.models import CriteriaFile

    criteria = CriteriaFile.model_validate({"version": 1, "criteria": [
        {"id": "a", "name": "A", "scale": {"min": 0, "max": 10}, "weight": 1},
        {"id": "b", "name": "B", "scale": WIDE, "weight": 1, "direction": "cost"},
        {"id": "c", "name": "C", "scale": {"min": -1.5e308, "max": 1.5e308}, "weight": 1,
         "value_function": {"type": "piecewise", "points": [[-1.5e308, 0], [0, 0.8], [1.5e308, 1]]}}]})
    raw = np.array([[5.0, 0.0, 0.0], [10.0, 1e308, 7.5e307]])
    np.testing.assert_allclose(value_matrix(raw, criteria), [[0.5, 0.5, 0.8], [1.0, 0.0, 0.9]], atol=1e-15)


def test_piecewise_over_points_too_far_apart_to_subtract():
    points = [(-1e308, 0.0), (1e308, 1.0)]
    np.testing.assert_allclose(piecewise_value(np.array([-1e308, 0.0, 5e307]), points), [0, 0.5, 0.75], atol=1e-15)


@pytest.mark.parametrize("lo, hi", [(0, 10), (-3.5, 12.25), (1e-9, 3e-9), (0, 1e300)])
def test_ordinary_scales_keep_every_bit(lo, hi):
    # The halving applies only where max - min overflows: ordinary files give the same bits as before.
    raw = np.linspace(lo, hi, 13)
    assert np.array_equal(linear_value(raw, lo, hi), np.clip((raw - lo) / (hi - lo), 0, 1))
