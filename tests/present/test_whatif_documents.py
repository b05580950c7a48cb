"""The page's documents: the scenario's controls, an answer's extras, the files it downloads."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from scorer.errors import UsageError
from scorer.inputs.loading import load_scenario
from scorer.present.output import render
from scorer.present.whatif_documents import (
    answer_document,
    briefing_html,
    export_file,
    scenario_document,
    slider_max,
)
from scorer.scoring.score import ranked_table
from scorer.study.whatif import WhatIf


@pytest.fixture(scope="module")
def whatif(default_inputs) -> WhatIf:
    return WhatIf(default_inputs)


def test_the_scenario_document_follows_the_files(whatif) -> None:
    doc = scenario_document(whatif)
    criteria = whatif.inputs.criteria.criteria
    assert [c["id"] for c in doc["criteria"]] == [c.id for c in criteria]
    assert [c["raw"] for c in doc["criteria"]] == [float(c.weight) for c in criteria]
    assert {g["id"] for g in doc["groups"]} == {c.group for c in criteria}
    assert doc["partners"] is None and doc["perspectives"] is None and doc["objectives"] == ["joint"]
    assert doc["editable"] is True and doc["weighting"] == "direct"
    assert doc["budget"] == 5200.0 and doc["year_caps"]["2026"] == 400.0


def test_slider_max() -> None:
    assert slider_max([15, 12, 8]) == 100.0
    assert slider_max([15, 80]) == 160.0


def test_contributions_add_up_to_the_score(whatif) -> None:
    doc = answer_document(whatif.evaluate(whatif.study(weights={"standardization": 30.0})), whatif.baseline)
    for row in doc["ranking"]:
        assert sum(doc["contributions"][row["id"]].values()) == pytest.approx(row["score"])
    assert sum(doc["effective"].values()) == pytest.approx(1.0)


def test_a_non_additive_method_has_no_contributions(whatif) -> None:
    doc = answer_document(whatif.evaluate(whatif.study(method="topsis")), whatif.baseline)
    assert doc["contributions"] is None


def test_exports(whatif) -> None:
    answer = whatif.evaluate(whatif.study(weights={"interoperability": 20.0}))
    data, name = export_file(answer, "ranking", "csv")
    assert name == "ranking.csv" and data.decode() == render(ranked_table(answer.scored), "csv")
    data, name = export_file(answer, "portfolio", "csv")
    table = pd.read_csv(io.BytesIO(data))
    assert sorted(table["id"]) == sorted(s["id"] for s in
                                         answer_document(answer, whatif.baseline)["portfolio"]["selected"])
    with pytest.raises(UsageError, match="can export ranking or portfolio"):
        export_file(answer, "ranking", "pdf")


@pytest.mark.slow
def test_the_briefing_is_reports_page(case) -> None:
    whatif = WhatIf(load_scenario(case.path))
    html = briefing_html(whatif.study(weights={"standardization": 30.0})).decode()
    assert html.startswith("<!DOCTYPE html>") and "standardization" in html
