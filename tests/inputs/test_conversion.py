"""YAML -> xlsx -> YAML and YAML -> CSV -> YAML give the same validated candidates (hypothesis).

Generated candidates carry what tables find hard: text with commas, quotes,
newlines, leading '=' (a formula to a spreadsheet) and non-ASCII; share
ranges; scores with low/high, rationale and source; categorical labels.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorer.errors import InputError
from scorer.inputs.conversion import candidates_as, convert_candidates, read_candidates
from scorer.inputs.models import CandidatesFile

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(
    lambda s: s.strip() == s and s.strip())
TRICKY = st.sampled_from(["=SUM(A1:A9)", "a, b", 'say "yes"', "line one\nline two", "航空機　整備", "+1", "-x", "@x"])
LABEL = st.one_of(TEXT, TRICKY).filter(lambda s: s.strip() == s and "\n" not in s)
MONEY = st.floats(min_value=0, max_value=1e6, allow_nan=False).map(lambda x: round(x, 3))
FRACTION = st.sampled_from([0.1, 0.25, 0.3, 0.5, 0.6, 0.75])


@st.composite
def score(draw):
    if draw(st.booleans()):
        return draw(st.sampled_from(["none", "draft", "signed"]))
    value = draw(st.floats(min_value=1, max_value=9).map(lambda x: round(x, 2)))
    if draw(st.booleans()):
        return value
    out = {"value": value, "low": round(value - 1, 2), "high": round(value + 0.5, 2)}
    if draw(st.booleans()):
        out["rationale"] = draw(st.one_of(TEXT, TRICKY))
        out["source"] = draw(TEXT)
    return out


@st.composite
def candidate(draw, cid: str, others: list[str]):
    us = draw(FRACTION)
    partners = {"US": us, "JP": round(1 - us, 2)} if draw(st.booleans()) else {"US": [0.2, 0.8], "JP": [0.2, 0.8]}
    out = {"id": cid, "name": draw(st.one_of(LABEL, TRICKY.filter(lambda s: "\n" not in s))), "partners": partners,
           "cost": draw(st.lists(MONEY, min_size=1, max_size=5)),
           "scores": {"alpha": draw(score()), "beta": draw(score())}}
    if draw(st.booleans()):
        out["category"] = draw(LABEL)
        out["description"] = draw(st.one_of(TEXT, TRICKY))
    if draw(st.booleans()):
        out["earliest_start"] = 2026
        out["latest_finish"] = 2026 + len(out["cost"]) + draw(st.integers(0, 3))
    if others and draw(st.booleans()):
        out["requires"] = draw(st.lists(st.sampled_from(others), min_size=1, max_size=2, unique=True))
    return out


@st.composite
def candidates_files(draw) -> CandidatesFile:
    n = draw(st.integers(1, 6))
    ids = [f"c{i}" for i in range(n)]
    data = {"version": 1, "currency": draw(LABEL), "candidates": [draw(candidate(cid, ids[:i])) for i, cid in enumerate(ids)]}
    return CandidatesFile.model_validate(data)


def round_trip(candidates: CandidatesFile, fmt: str, currency: str | None = None) -> CandidatesFile:
    with tempfile.TemporaryDirectory() as folder:
        table = Path(folder) / f"c.{fmt}"
        table.write_bytes(candidates_as(candidates, fmt).content)
        back = Path(folder) / "back.yaml"
        back.write_bytes(convert_candidates(table, "yaml", currency=currency).content)
        return read_candidates(back)[0]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(candidates_files())
def test_yaml_to_xlsx_to_yaml_keeps_the_candidates(candidates) -> None:
    assert round_trip(candidates, "xlsx") == candidates


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(candidates_files())
def test_yaml_to_csv_to_yaml_keeps_the_candidates_and_the_currency_given(candidates) -> None:
    back = round_trip(candidates, "csv", currency=candidates.currency)  # a CSV table's currency sits elsewhere
    assert back == candidates


def test_a_csv_without_a_currency_gives_the_default_and_says_so(tmp_path) -> None:
    data = {"version": 1, "currency": "JPY billion", "candidates": [
        {"id": "a", "name": "A", "partners": {"US": 1}, "cost": [1], "scores": {"alpha": 5}}]}
    table = tmp_path / "c.csv"
    table.write_bytes(candidates_as(CandidatesFile.model_validate(data), "csv").content)
    converted = convert_candidates(table, "xlsx")
    (said,) = [n for n in converted.notes if "currency" in n]
    assert "says the default 'money units'" in said and said.settings == ("currency",)
    assert not [n for n in convert_candidates(table, "xlsx", currency="JPY billion").notes if "currency" in n]


def test_a_currency_given_for_a_file_with_its_own_is_refused(tmp_path) -> None:
    source = tmp_path / "c.yaml"
    source.write_text("version: 1\ncurrency: USD\ncandidates:\n  - {id: a, name: A, partners: {US: 1}, cost: [1], "
                      "scores: {alpha: 5}}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"c.yaml:2: currency: gives its own currency 'USD'; the currency 'JPY'"):
        convert_candidates(source, "csv", currency="JPY")
    assert convert_candidates(source, "csv", currency="USD").content  # the same one: nothing to refuse


def test_the_workbook_is_a_template_and_formula_like_text_stays_text(tmp_path) -> None:
    data = {"version": 1, "currency": "USD", "candidates": [
        {"id": "a", "name": "=HYPERLINK(\"http://x\")", "partners": {"US": 1}, "cost": [1],
         "scores": {"alpha": 5, "beta": "signed"}}]}
    path = tmp_path / "t.xlsx"
    from scorer.inputs.models import CriteriaFile

    criteria = CriteriaFile.model_validate({"version": 1, "criteria": [
        {"id": "alpha", "name": "Alpha", "scale": {"min": 0, "max": 10}, "weight": 1},
        {"id": "beta", "name": "Beta", "weight": 1,
         "value_function": {"type": "categorical", "levels": {"none": 0, "signed": 1}}}]})
    path.write_bytes(candidates_as(CandidatesFile.model_validate(data), "xlsx", criteria).content)
    book = openpyxl.load_workbook(path)  # a second reader: openpyxl, beside calamine in read_candidates
    sheet = book["candidates"]
    header = [c.value for c in sheet[1]]
    assert sheet.freeze_panes == "B2"
    name = sheet.cell(row=2, column=header.index("name") + 1)
    assert (name.data_type, name.value) == ("s", "=HYPERLINK(\"http://x\")")  # text, not a formula
    assert sheet.cell(row=1, column=header.index("alpha") + 1).comment.text == "Alpha: 0 to 10"
    (check,) = sheet.data_validations.dataValidation
    assert (check.type, check.formula1) == ("list", '"none,signed"')
    assert str(check.sqref).startswith(f"{openpyxl.utils.get_column_letter(header.index('beta') + 1)}2:")
    assert [c.value for c in book["meta"]["A"]] == ["currency", "USD"]
