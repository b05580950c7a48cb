"""The study object: overrides, caching, the "with changes" copy, and its errors."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorer.errors import ScoringError, SolverError
from scorer.inputs.loading import load_scenario
from scorer.mip.config import scenario_config
from scorer.portfolio.feasibility import yearly_spend
from scorer.portfolio.problem import problem_from_inputs
from scorer.portfolio.solve import optimize
from scorer.scoring.score import candidate_values
from scorer.scoring.weights import derive_weights
from scorer.study.settings import RobustnessSettings
from scorer.study.study import Study

CRITERIA = ("standardization", "cost_sharing", "export_friction")


@pytest.fixture(scope="module")
def inputs(write_case, tmp_path_factory):
    return load_scenario(write_case(tmp_path_factory.mktemp("study")).path)


def test_without_overrides_it_is_the_scenario_as_written(inputs) -> None:
    study = Study(inputs)
    values = candidate_values(inputs)
    np.testing.assert_array_equal(study.values, values)
    assert study.config == scenario_config(inputs.scenario)
    assert study.effective_method == "weighted-sum"
    best = optimize(problem_from_inputs(inputs), values, scenario_config(inputs.scenario))
    assert study.solution.selected.tolist() == best.selected.tolist()
    assert study.solution.start.tolist() == best.start.tolist()
    assert study.solution.objective == pytest.approx(best.objective, abs=1e-9)


def test_overrides_give_what_the_files_written_out_give(write_case, inputs, tmp_path) -> None:
    written = load_scenario(write_case(tmp_path, {
        "criteria": [("    weight: 15\n", "    weight: 30\n")],
        "scenario": [("method: weighted-sum", "method: topsis")]}).path)
    study = Study(inputs, weights={"standardization": 30}, method="topsis")
    np.testing.assert_array_equal(study.values, candidate_values(written))
    np.testing.assert_array_equal(study.weight_report.effective, derive_weights(written.criteria).effective)
    assert study.effective_method == "topsis" and study.scored().method == "topsis"
    assert study.weight_report.overridden == ("standardization",)
    other = Study(written).solution
    assert study.solution.selected.tolist() == other.selected.tolist()
    assert study.solution.objective == pytest.approx(other.objective, abs=1e-9)
    assert study.basis.method == "topsis"
    np.testing.assert_array_equal(study.basis.weights, study.weight_report.effective)


def test_budget_year_caps_and_solver_settings(inputs) -> None:
    study = Study(inputs, budget=700, year_caps={2027: 40}, solver="cbc", time_limit=5, gap=0.01)
    assert study.problem.total_cap == 700
    assert study.problem.year_cap[1] == 40 and study.problem.year_cap[0] == 300
    assert (study.config.name, study.config.time_limit, study.config.gap, study.config.seed) == ("cbc", 5, 0.01, 7)
    assert spent(study) <= 700 + 1e-9
    assert float(yearly_spend(study.problem, study.solution.start)[:, 1].sum()) <= 40 + 1e-9


def spent(study: Study) -> float:
    return float(yearly_spend(study.problem, study.solution.start).sum())


def test_each_result_is_computed_once(inputs) -> None:
    study = Study(inputs)
    assert study.values is study.values
    assert study.scored() is study.scored("value")
    assert study.scored("low") is study.scored("low") and study.scored("low") is not study.scored()
    assert study.problem is study.problem and study.config is study.config
    assert study.model is study.model and study.solution is study.solution
    assert study.solution.model is study.model
    assert study.weight_report is study.weight_report and study.basis is study.basis


def test_it_is_immutable(inputs) -> None:
    weights = {"standardization": 30.0}
    study = Study(inputs, weights=weights)
    weights["standardization"] = 1.0  # the caller's dict is not the study's
    assert study.weights == {"standardization": 30.0}
    with pytest.raises(dataclasses.FrozenInstanceError):
        study.method = "topsis"  # type: ignore[misc]
    with pytest.raises(TypeError):
        study.weights["cost_sharing"] = 1.0  # type: ignore[index]
    with pytest.raises(ValueError):
        study.values[0] = 0.0


def test_with_changes_is_a_new_study_and_leaves_this_one(inputs) -> None:
    base = Study(inputs)
    before = base.values.copy()
    changed = base.with_changes(weights={"standardization": 30}, method="topsis", budget=250)
    assert changed is not base and changed.inputs is base.inputs
    np.testing.assert_array_equal(base.values, before)
    np.testing.assert_array_equal(changed.values, Study(inputs, weights={"standardization": 30},
                                                        method="topsis").values)
    assert changed.problem.total_cap == 250 and base.problem.total_cap == 900
    back = changed.with_changes(weights={}, method=None, budget=None)
    np.testing.assert_array_equal(back.values, before)
    assert back.problem.total_cap == 900


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(CRITERIA), st.floats(min_value=0.5, max_value=1e4), min_size=1),
       st.sampled_from(["weighted-sum", "weighted-product", "topsis", "promethee-ii", None]))
def test_any_override_is_the_library_scoring_with_it(inputs, weights, method) -> None:
    study = Study(inputs).with_changes(weights=weights, method=method)
    np.testing.assert_array_equal(study.values, candidate_values(inputs, method, weights))
    assert study.weight_report.effective.sum() == pytest.approx(1.0)
    assert set(study.weight_report.overridden) == set(weights)


@pytest.mark.parametrize("overrides, error, text", [
    ({"weights": {"nope": 3}}, ScoringError, "unknown criterion 'nope'"),
    ({"weights": {"cost_sharing": -1}}, ScoringError, "non-negative"),
    ({"weights": {"cost_sharing": float("nan")}}, ScoringError, "non-negative"),
    ({"method": "borda"}, ScoringError, "unknown method 'borda'"),
    ({"year_caps": {2099: 5}}, ScoringError, "outside the horizon 2026-2032"),
    ({"year_caps": {2020: 5}}, ScoringError, "outside the horizon 2026-2032"),
    ({"solver": "gurobi"}, SolverError, "unknown solver 'gurobi'"),
    ({"time_limit": 0}, SolverError, "time limit"),
    ({"gap": 1.5}, SolverError, "gap"),
])
def test_bad_overrides_fail_when_the_study_is_made(inputs, overrides, error, text) -> None:
    with pytest.raises(error, match=text):
        Study(inputs, **overrides)
    with pytest.raises(error, match=text):
        Study(inputs).with_changes(**overrides)


def test_its_resolver_solves_the_same_problem(inputs) -> None:
    study = Study(inputs, weights={"standardization": 30})
    again = study.resolver().solve(np.array(study.values))
    assert again.selected.tolist() == study.solution.selected.tolist()
    assert again.objective == pytest.approx(study.solution.objective, abs=1e-9)


def test_load_reads_the_file_once_with_its_overrides(inputs) -> None:
    path = inputs.files["scenario"]
    study = Study.load(path, method="topsis")
    assert study.effective_method == "topsis" and study.inputs.scenario.name == "Test scenario"


# --------------------------------------------------------- the settings ---


def test_robustness_settings_precedence_given_then_scenario_then_default(inputs) -> None:
    sc = inputs.scenario
    default = RobustnessSettings.from_scenario(sc)
    assert (default.spec.samples, default.portfolio_samples, default.tolerance, default.spec.seed) == (1000, 200, 0.01, 7)
    assert default.spec.concentration == 100.0 and default.spec.ranges == {}
    from_file = sc.model_copy(update={"robustness": sc.robustness.model_copy(update={
        "samples": 50, "portfolio_samples": 0, "weight_ranges": {"standardization": (0.1, 0.5)}})})
    s = RobustnessSettings.from_scenario(from_file)
    assert (s.spec.samples, s.portfolio_samples, s.reoptimised) == (50, 0, 0)
    assert s.spec.ranges == {"standardization": (0.1, 0.5)} and s.spec.concentration is None
    given_ = RobustnessSettings.from_scenario(from_file, samples=20, portfolio_samples=30, seed=0, concentration=5.0,
                                              tolerance=0.1)
    assert (given_.spec.samples, given_.portfolio_samples, given_.reoptimised, given_.spec.seed) == (20, 30, 20, 0)
    assert given_.spec.ranges == {} and given_.spec.concentration == 5.0 and given_.tolerance == 0.1
    with pytest.raises(ScoringError, match="not both"):
        RobustnessSettings.from_scenario(sc, concentration=5.0, ranges={"standardization": (0.1, 0.2)})
