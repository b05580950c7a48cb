"""Scoring a loaded scenario: scores, ranks, ties, explanation tables, preference functions."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from scorer.errors import InputError, ScoringError
from scorer.inputs.loading import load_scenario
from scorer.inputs.models import METHODS
from scorer.scoring.ranking import rank_order
from scorer.scoring.score import candidate_values, ranked_table, score, weights_table

# Test scenario (testkit.py), effective weights 0.6, 0.4/3, 0.8/3:
# gpi      100 * (0.6*0.7 + 0.4/3*1.0 + 0.8/3*0.4) = 66.0
# t7a      100 * (0.6*0.8 + 0.4/3*0.5 + 0.8/3*0.7) = 73.333...
# tactical 100 * (0.6*0.6 + 0            + 0.8/3*0.5) = 49.333...
# ship-mro 100 * (0.6*0.5 + 0.4/3*0.5 + 0.8/3*0.8) = 58.0
# Loaded candidates are in id order (gpi, ship-mro, t7a, tactical), whatever the file's order.
EXPECTED = [66.0, 58.0, 220 / 3, 148 / 3]


@pytest.fixture
def inputs(case):
    return load_scenario(case.path)


def test_weighted_sum_scores_and_ranks(inputs):
    result = score(inputs)
    np.testing.assert_allclose(result.scores, EXPECTED)
    assert result.ranks.tolist() == [2, 3, 1, 4]
    assert [result.ids[i] for i in result.order] == ["t7a", "gpi", "ship-mro", "tactical"]
    assert result.method == "weighted-sum" and result.warnings == []


def test_candidate_values_is_the_score_in_id_order(inputs):
    got = candidate_values(inputs)
    assert got.dtype == np.float64 and got.shape == (4,)
    np.testing.assert_allclose(got, EXPECTED)
    for method in METHODS:
        np.testing.assert_array_equal(candidate_values(inputs, method), score(inputs, method).scores)
        assert ((candidate_values(inputs, method) >= 0) & (candidate_values(inputs, method) <= 100)).all()


def test_method_defaults_to_the_scenario(write_case, tmp_path):
    case = write_case(tmp_path, {"scenario": [("method: weighted-sum", "method: topsis")]})
    inputs = load_scenario(case.path)
    np.testing.assert_array_equal(candidate_values(inputs), score(inputs, "topsis").scores)


def test_unknown_method_and_point(inputs):
    with pytest.raises(ScoringError, match="unknown method 'borda'"):
        candidate_values(inputs, "borda")
    with pytest.raises(ScoringError, match="^at must be one of low, value, high"):
        candidate_values(inputs, at="mid")


def test_at_low_and_high_use_the_range(inputs):
    # gpi's export_friction (a cost) is 6 with low 4 and high 8: value 0.6 / 0.4 / 0.2.
    low, value, high = (candidate_values(inputs, at=a) for a in ("low", "value", "high"))
    assert low[0] == pytest.approx(66.0 + 100 * 0.8 / 3 * 0.2)
    assert high[0] == pytest.approx(66.0 - 100 * 0.8 / 3 * 0.2)
    np.testing.assert_array_equal(low[1:], value[1:])


def test_overrides_change_the_weights(inputs):
    got = candidate_values(inputs, overrides={"cost_sharing": 10})  # governance split 50/50
    np.testing.assert_allclose(got[0], 100 * (0.42 + 0.2 * 1.0 + 0.2 * 0.4))


def test_weighted_sum_value_does_not_depend_on_other_candidates(inputs):
    full = candidate_values(inputs)
    for drop in range(4):
        kept = [c for i, c in enumerate(inputs.candidates.candidates) if i != drop]
        smaller = dataclasses.replace(inputs, candidates=inputs.candidates.model_copy(update={"candidates": kept}))
        np.testing.assert_array_equal(candidate_values(smaller), np.delete(full, drop))


def test_contributions_add_up_for_additive_methods(inputs):
    for method in ("weighted-sum", "promethee-ii"):
        result = score(inputs, method)
        np.testing.assert_allclose(result.contributions.sum(axis=1).to_numpy(), result.scores, atol=1e-12)
    ws = score(inputs).contributions
    assert ws.loc["gpi"].tolist() == pytest.approx([42.0, 40 / 3, 32 / 3])


def test_ranked_table_columns(inputs):
    table = ranked_table(score(inputs))
    assert list(table.columns) == ["rank", "id", "name", "score", "standardization", "cost_sharing", "export_friction"]
    assert table["id"].tolist() == ["t7a", "gpi", "ship-mro", "tactical"]
    assert table["rank"].tolist() == [1, 2, 3, 4]
    np.testing.assert_allclose(table.iloc[:, 4:].sum(axis=1), table["score"])
    assert len(ranked_table(score(inputs), top=2)) == 2


@pytest.mark.parametrize("method", ["topsis", "weighted-product"])
def test_non_additive_methods_have_no_contribution_columns(inputs, method):
    result = score(inputs, method)
    assert result.contributions is None
    assert list(ranked_table(result).columns) == ["rank", "id", "name", "score"]


def test_ties_share_the_rank_and_are_ordered_by_id():
    scores = np.array([50.0, 60.0, 60.0, 40.0, 60.0])
    ids = np.array(["d", "c", "b", "a", "e"])
    order, ranks = rank_order(scores, ids)
    assert ranks.tolist() == [4, 1, 1, 5, 1]
    assert ids[order].tolist() == ["b", "c", "e", "d", "a"]


def test_float_noise_does_not_break_a_tie():
    order, ranks = rank_order(np.array([0.1 + 0.2, 0.3]), np.array(["b", "a"]))
    assert ranks.tolist() == [1, 1]
    assert order.tolist() == [1, 0]


def test_tied_candidates_in_a_scenario(write_case, tmp_path):
    # ship-mro gets t7a's scores: both rank 1, listed by id.
    edits = {"candidates": [("      standardization: 5\n      cost_sharing: draft\n      export_friction: 2",
                             "      standardization: 8\n      cost_sharing: draft\n      export_friction: 3")]}
    result = score(load_scenario(write_case(tmp_path, edits).path))
    table = ranked_table(result)
    assert table["id"].tolist()[:3] == ["ship-mro", "t7a", "gpi"]
    assert table["rank"].tolist() == [1, 1, 3, 4]


def test_weights_table(inputs):
    table = weights_table(score(inputs).weights)
    assert list(table.columns) == ["id", "group", "group_weight", "raw_weight", "source", "effective_weight"]
    assert table["effective_weight"].sum() == pytest.approx(1.0)
    table = weights_table(score(inputs, overrides={"standardization": 3}).weights)
    assert table["source"].tolist() == ["-w override", "weight", "weight"]


# ------------------------------------------------ preference functions ---


def with_preference(write_case, tmp_path, text):
    edits = {"criteria": [("    weight: 10\n    group: governance\n", f"    weight: 10\n    group: governance\n{text}")]}
    return write_case(tmp_path, edits)


def test_preference_function_from_the_criteria_file(write_case, tmp_path):
    case = with_preference(write_case, tmp_path, "    preference: {type: linear, q: 1, p: 3}\n")
    inputs = load_scenario(case.path)
    result = score(inputs, "promethee-ii")
    # export_friction raw 6, 3, 5, 2 (cost): differences below 1 are indifferent, above 3 strict.
    (tmp_path / "usual").mkdir()
    usual = score(load_scenario(write_case(tmp_path / "usual").path), "promethee-ii")
    assert not np.allclose(result.contributions["export_friction"], usual.contributions["export_friction"])
    np.testing.assert_allclose(result.contributions.sum(axis=1).to_numpy(), result.scores)


@pytest.mark.parametrize("text, field, message", [
    ("    preference: {type: linear, q: 3, p: 1}\n", "criteria[2].preference.p", "must be greater than q (3), got 1"),
    ("    preference: {type: usual, q: 1}\n", "criteria[2].preference.q", "is not used by the usual preference function"),
    ("    preference: {type: gaussian}\n", "criteria[2].preference.s", "is required by the gaussian preference function"),
    ("    preference: {type: sigmoid}\n", "criteria[2].preference.type", "Input should be"),
])
def test_bad_preference_is_a_located_error(write_case, tmp_path, text, field, message):
    case = with_preference(write_case, tmp_path, text)
    with pytest.raises(InputError) as info:
        load_scenario(case.path)
    problem = info.value.problems[0]
    assert problem.path == field
    assert message in problem.message
    assert problem.line == case.line_of("criteria", "preference:")
    assert problem.file.endswith("criteria.yaml")


def test_ranking_of_huge_scores_uses_the_fallback_sort():
    order, ranks = rank_order(np.array([1e12, 5e12, 5e12]), np.array(["c", "b", "a"]))
    assert ranks.tolist() == [3, 1, 1]
    assert order.tolist() == [2, 1, 0]
