"""Text of a solution's proof: a bound and a gap when there is one, plain words when there is none."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np

from scorer.portfolio.solve import optimize
from scorer.present.solution import bound_text, gap_text, headline, solution_json
from testkit import make_problem


def solved():
    return optimize(make_problem([[10], [5], [5]], horizon=(2026, 2026), total=10), np.array([10.0, 6.0, 6.0]))


def test_a_proven_answer_shows_its_bound_and_gap() -> None:
    sol = replace(solved(), status="feasible", bound=12.5, gap=0.5 / 12)
    assert (bound_text(sol), gap_text(sol)) == ("12.5000", "4.1667%")
    assert headline(sol).startswith("status: feasible  objective: 12.0000  bound: 12.5000  gap: 4.1667%  "
                                    "projects: 2  (money units)")


def test_without_a_bound_the_text_says_so_instead_of_inf() -> None:
    sol = replace(solved(), status="feasible", bound=np.inf, gap=np.inf)
    assert (bound_text(sol), gap_text(sol)) == ("none proven", "unknown")
    assert "bound: none proven  gap: unknown" in headline(sol) and "inf" not in headline(sol)
    doc = solution_json(sol)
    assert (doc["bound"], doc["gap"]) == (None, None)
    json.dumps(doc, allow_nan=False)  # strict JSON: no Infinity
