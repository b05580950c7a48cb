"""WhatIf: each what-if answered with a warm re-solve, equal to the study's own (cold) solve, from any thread."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorer.errors import InfeasibleError, ScoringError
from scorer.inputs.loading import load_scenario
from scorer.portfolio.limit_keys import LimitKey
from scorer.study.whatif import WhatIf, limit_differences, selection_changes

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def whatif() -> WhatIf:
    return WhatIf(load_scenario(REPO / "scenarios" / "baseline.yaml"))


@pytest.fixture(scope="module")
def bilateral() -> WhatIf:
    return WhatIf(load_scenario(REPO / "scenarios" / "bilateral.yaml"))


def same_solution(a, b) -> None:
    assert a.status == b.status
    np.testing.assert_array_equal(a.start, b.start)
    np.testing.assert_array_equal(a.shares, b.shares)
    assert a.objective == b.objective and a.bound == b.bound and a.gap == b.gap


OVERRIDES = st.fixed_dictionaries({
    "weights": st.dictionaries(st.sampled_from(["standardization", "cost_sharing", "operational_urgency",
                                                "interoperability", "technology_maturity"]),
                               st.floats(0.5, 50).map(lambda x: round(x, 2)), max_size=3),
    "budget": st.none() | st.sampled_from([3300.0, 4100.0, 6000.0]),
    "year_caps": st.dictionaries(st.sampled_from([2026, 2028, 2031]), st.sampled_from([250.0, 600.0, 2000.0]),
                                 max_size=2),
})


@pytest.mark.slow
@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(overrides=OVERRIDES)
def test_a_warm_answer_is_the_studys_own_solve(whatif, overrides) -> None:
    study = whatif.study(**overrides)
    try:
        cold = study.solution
    except InfeasibleError:
        with pytest.raises(InfeasibleError):
            whatif.evaluate(study)
        return
    answer = whatif.evaluate(study)
    same_solution(answer.solution, cold)
    assert answer.solution.model is not None  # binding limits are read from it
    np.testing.assert_array_equal(answer.scored.scores, study.scored().scores)


def test_answers_do_not_depend_on_the_thread_or_the_order(whatif) -> None:
    studies = [whatif.study(weights={"standardization": w}, budget=b)
               for w, b in [(5.0, None), (40.0, 4000.0), (15.0, None), (25.0, 3600.0)] * 2]
    alone = [whatif.evaluate(s).solution for s in studies]
    with ThreadPoolExecutor(max_workers=2) as pool:
        threaded = list(pool.map(lambda s: whatif.evaluate(s).solution, reversed(studies)))
    for a, b in zip(alone, reversed(threaded)):
        same_solution(a, b)


def test_a_bargained_objective_takes_the_studys_solve(bilateral) -> None:
    study = bilateral.study(objective="nash")
    assert study.bargained
    same_solution(bilateral.evaluate(study).solution, study.solution)


def test_partner_weights_need_a_known_partner(bilateral, whatif) -> None:
    with pytest.raises(ScoringError, match="unknown partner 'FR'"):
        bilateral.study(partner_weights={"FR": {"standardization": 1.0}})
    with pytest.raises(ScoringError, match="perspectives"):
        whatif.study(partner_weights={"US": {"standardization": 1.0}})
    with pytest.raises(ScoringError, match="perspective US"):
        bilateral.study(partner_weights={"US": {"nope": 1.0}})


def test_limit_differences_name_only_what_changed(whatif) -> None:
    base = whatif.base.problem
    assert limit_differences(base, base) == {}
    other = whatif.study(budget=4000.0, year_caps={2028: 500.0, 2030: 900.0}).problem  # 2030 is already 900
    assert limit_differences(base, other) == {LimitKey("total_budget"): 4000.0,
                                              LimitKey("year_cap", year=2028): 500.0}


def test_selection_changes(whatif) -> None:
    before = whatif.baseline.solution
    after = whatif.evaluate(whatif.study(budget=3500.0)).solution
    changes = selection_changes(before, after)
    ids = list(before.problem.ids)
    for i in changes["out"]:
        k = ids.index(i)
        assert before.start[k] >= 0 > after.start[k]
    for item in changes["moved"]:
        k = ids.index(item["id"])
        assert (before.start[k], after.start[k]) == (item["from"], item["to"])
    assert changes["out"] or changes["moved"]
    assert selection_changes(before, before) == {"in": [], "out": [], "moved": []}
