"""Flip points along the weight sliders: checked against ``coprod sensitivity``'s where the paths coincide,
and against plain studies at each bound everywhere else."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scorer.inputs.loading import load_scenario
from scorer.robustness.flips import portfolio_flips, ranking_flips
from scorer.scoring.weights import derive_weights
from scorer.study.slider_flips import slider_flips
from scorer.study.study import Study

REPO = Path(__file__).resolve().parents[2]
# The test files without groups: one raw weight moving is then the flip analysis's path.
UNGROUPED = [("    group: integration\n", ""), ("    group: governance\n", ""), ("    group: governance\n", ""),
             (("groups:\n  - id: integration\n    name: Integration\n    weight: 60\n"
               "  - id: governance\n    name: Governance\n    weight: 40\n"), "")]
BUDGET = [("  total: 900\n", "  total: 700\n")]  # tight enough that the weights change the portfolio


@pytest.fixture(scope="module")
def ungrouped(write_case, tmp_path_factory) -> Study:
    case = write_case(tmp_path_factory.mktemp("ungrouped"), {"criteria": UNGROUPED, "scenario": BUDGET})
    return Study(load_scenario(case.path))


def raw_of(study: Study) -> np.ndarray:
    return derive_weights(study.inputs.criteria, study.weights).raw


def test_without_groups_the_sliders_are_the_sensitivity_path(ungrouped) -> None:
    end, tol = 10_000.0, 0.02
    ids = [c.id for c in ungrouped.inputs.criteria.criteria]
    flips = slider_flips(ungrouped, dict.fromkeys(ids, end), tolerance=tol)
    ranks = ranking_flips(ungrouped.basis)
    ports = portfolio_flips(ungrouped.basis, ungrouped.problem, ungrouped.config, tolerance=0.001)
    raw = raw_of(ungrouped)
    changed = 0
    for c, (f, r, p) in enumerate(zip(flips, ranks, ports)):
        others = raw.sum() - raw[c]

        def t(x: float, others=others) -> float:
            return x / (x + others)

        t_end = t(end)
        slack = tol / others + 1e-9  # the raw tolerance on the t scale (dt/dx <= 1 / S)
        assert t(f.top_low) == pytest.approx(r.low, abs=slack)
        assert t(f.top_high) == pytest.approx(min(r.high, t_end), abs=slack)
        assert f.leader == r.leader
        assert t(f.portfolio_low) == pytest.approx(p.low, abs=slack + 0.001)
        assert t(f.portfolio_high) == pytest.approx(min(p.high, t_end), abs=slack + 0.001)
        if f.change_above is not None:
            assert f.change_above == (p.above_in, p.above_out)
        changed += (f.change_below is not None) + (f.change_above is not None) + (f.top_high < end) + (f.top_low > 0)
    assert changed >= 2  # the case really flips: the comparison is not between two empty answers


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["baseline.yaml", "bilateral.yaml"])
def test_each_bound_is_where_a_plain_study_changes(scenario) -> None:
    study = Study(load_scenario(REPO / "scenarios" / scenario))
    raw = dict(zip([c.id for c in study.inputs.criteria.criteria], raw_of(study).tolist()))
    checked = ["standardization", "workshare_balance", "operational_urgency"]
    flips = {f.criterion: f for f in slider_flips(study, dict.fromkeys(raw, 100.0))}

    def at(cid: str, x: float) -> Study:
        return study.with_changes(weights={**raw, cid: x})

    def leader(s: Study) -> str:
        return s.scored().ids[int(s.scored().order[0])]

    base = study.solution.selected
    for cid in checked:
        f = flips[cid]
        assert f.top_low <= f.raw <= f.top_high and f.portfolio_low <= f.raw <= f.portfolio_high
        for x, beyond, who in ((f.top_low, -f.tolerance, f.leader_below), (f.top_high, f.tolerance, f.leader_above)):
            assert leader(at(cid, x)) == f.leader
            if who is not None:
                assert leader(at(cid, x + beyond)) == who
        for x, beyond, change in ((f.portfolio_low, -f.tolerance, f.change_below),
                                  (f.portfolio_high, f.tolerance, f.change_above)):
            np.testing.assert_array_equal(at(cid, x).solution.selected, base)
            if change is not None:
                other = at(cid, x + beyond).solution.selected
                ids = np.asarray(study.problem.ids)
                assert (tuple(ids[other & ~base]), tuple(ids[base & ~other])) == change


def test_a_slider_value_that_is_no_valid_setting_ends_the_interval(default_inputs) -> None:
    # technology_maturity alone in its group? Not in the default file: build one with a group of one criterion.
    study = Study(default_inputs)
    raw = raw_of(study)
    ids = [c.id for c in study.inputs.criteria.criteria]
    groups = [c.group for c in study.inputs.criteria.criteria]
    alone = [cid for cid, g in zip(ids, groups) if groups.count(g) == 1]
    flips = slider_flips(study, dict.fromkeys(ids, 100.0), portfolios=False)
    for f in flips:
        assert f.portfolio_low is None and f.change_below is None
        if f.criterion in alone:  # raw 0 leaves its group weighing nothing: not a setting
            assert f.top_low > 0
    assert all(f.raw == float(r) for f, r in zip(flips, raw))


def test_deterministic(ungrouped) -> None:
    ids = [c.id for c in ungrouped.inputs.criteria.criteria]
    assert slider_flips(ungrouped, dict.fromkeys(ids, 50.0)) == slider_flips(ungrouped, dict.fromkeys(ids, 50.0))
