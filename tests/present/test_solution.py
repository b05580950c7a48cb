"""A solution as users see it: the text of its proof (a bound and a gap, or plain words), its tables."""

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


def test_the_portfolio_tables_are_the_same_whatever_the_format_and_the_summary_is_their_digest() -> None:
    from scorer.mip.config import SolverConfig
    from scorer.present.solution import explanation_tables, portfolio_summary, portfolio_tables

    sol = solved()
    tables, titles = portfolio_tables(sol, None)
    assert list(tables) == ["portfolio", "schedule"] and set(titles) == {"limits", "thresholds"}
    assert list(portfolio_summary(tables)) == ["portfolio"]
    # A yearly cap of 100 that a total budget of 10 never lets bind.
    sol = optimize(make_problem([[10], [5], [5]], horizon=(2026, 2026), total=10, per_year=100),
                   np.array([10.0, 6.0, 6.0]))
    explained = explanation_tables(sol, SolverConfig())
    tables, _ = portfolio_tables(sol, explained)
    assert list(tables) == ["portfolio", "schedule", "limits", "thresholds"]
    assert tables["limits"] is explained["limits"] and "displaces" in tables["thresholds"]
    summary = portfolio_summary(tables)
    assert list(summary) == ["portfolio", "limits", "thresholds"]
    assert summary["limits"]["binding"].all() and len(summary["limits"]) == explained["limits"]["binding"].sum()
    assert len(summary["limits"]) < len(explained["limits"])  # a limit that does not bind is left out
    assert "displaces" not in summary["thresholds"] and summary["portfolio"] is tables["portfolio"]
