"""Candidates from CSV and xlsx tables: the same candidates as YAML, every problem at its row and column.

The files are written with the csv module and openpyxl, not coprod's own
writer (only the layout's header and rows come from ``table_rows``, whose
output the round trips of tests/inputs/test_conversion.py check), so a
reading bug cannot hide behind a matching writing bug.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest

from scorer.errors import InputError
from scorer.inputs import table_files
from scorer.inputs.loading import load_scenario
from scorer.inputs.table_layout import table_rows
from scorer.inputs.yamlfile import parse_yaml

ROOT = Path(__file__).resolve().parents[2]


def write_csv(path: Path, rows: list[list]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["" if v is None else v for v in row] for row in rows])


def write_xlsx(path: Path, rows: list[list], currency: str | None = None) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "candidates"
    for row in rows:
        sheet.append(row)
    if currency is not None:
        meta = book.create_sheet("meta")
        meta.append(["currency"])
        meta.append([currency])
    book.save(path)


@pytest.fixture(scope="module")
def default_rows() -> tuple[list[str], list[list], str]:
    data = parse_yaml((ROOT / "candidates" / "us-japan.yaml").read_text(encoding="utf-8"), "us-japan.yaml")
    header, rows = table_rows(data["candidates"])
    return header, rows, data["currency"]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The default baseline scenario's files in a folder of their own."""
    for sub in ("criteria", "candidates", "scenarios"):
        shutil.copytree(ROOT / sub, tmp_path / sub)
    return tmp_path


def scenario_for(folder: Path, table: str, currency: str | None = None) -> Path:
    text = (folder / "scenarios" / "baseline.yaml").read_text(encoding="utf-8")
    line = f"candidates: ../candidates/{table}" + (f"\ncurrency: {currency}" if currency else "")
    path = folder / "scenarios" / f"from-{table}.yaml"
    path.write_text(text.replace("candidates: ../candidates/us-japan.yaml", line, 1), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    return [str(p) for p in caught.value.problems]


def test_the_default_candidates_load_the_same_from_csv_and_xlsx(folder, default_rows) -> None:
    header, rows, currency = default_rows
    write_csv(folder / "candidates" / "c.csv", [header, *rows])
    write_xlsx(folder / "candidates" / "c.xlsx", [header, *rows], currency)
    yaml = load_scenario(folder / "scenarios" / "baseline.yaml").candidates
    assert load_scenario(scenario_for(folder, "c.csv", currency)).candidates == yaml
    assert load_scenario(scenario_for(folder, "c.xlsx")).candidates == yaml


def edited(header: list[str], rows: list[list], cid: str, column: str, value) -> list[list]:
    """The table with one cell changed (a score's low and high blanked with it, so the value rule speaks)."""
    out = [list(r) for r in rows]
    row = next(r for r in out if r[0] == cid)
    row[header.index(column)] = value
    for part in (f"{column}.low", f"{column}.high"):
        if part in header:
            row[header.index(part)] = None
    return [header, *out]


# (candidate, column, value, the message's end) - the rules of the foundation issue, now in a table.
CELL_RULES = [
    ("gpi", "standardization", 12, "12 is outside the scale 0-10 of criterion 'standardization'"),
    ("gpi", "requires", "nosuch", "unknown candidate 'nosuch'"),
    ("gpi", "share.US", 0.9, "cost shares must sum to 1, they sum to 1.3"),
    ("gpi", "cost.2", -5, "input should be greater than or equal to 0 (got -5"),
    ("gpi", "cost_sharing", "maybe", "'maybe'"),
    ("gpi", "earliest_start", 1800, "input should be greater than or equal to 1900"),
    ("gpi", "id", "GPI!", "string should match pattern"),
]


def where(fmt: str, path: str, row: int, column: str | None) -> str:
    if fmt == "csv":
        return f"{path}:{row}: " + (f"column {column}: " if column else "")
    return f"{path}: sheet candidates, row {row}" + (f", column {column}: " if column else ": ")


@pytest.mark.parametrize(("cid", "column", "value", "message"), CELL_RULES)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_broken_rule_is_named_at_its_sheet_row_and_column(folder, default_rows, monkeypatch, fmt, cid, column,
                                                            value, message) -> None:
    header, rows, currency = default_rows
    grid = edited(header, rows, cid, column, value)
    path = folder / "candidates" / f"bad.{fmt}"
    (write_csv if fmt == "csv" else write_xlsx)(path, grid)
    monkeypatch.chdir(folder)
    found = problems(scenario_for(folder, f"bad.{fmt}", currency))
    row = 1 + next(i for i, r in enumerate(grid[1:], start=1) if r[0] in (cid, value))
    shown_column = None if column == "share.US" else column
    expected = where(fmt, f"candidates/bad.{fmt}", row, shown_column)
    assert any(p.startswith(expected) and message.lower() in p.lower() for p in found), (expected, found)


def test_empty_rows_are_skipped_and_rows_keep_their_numbers(folder, default_rows, monkeypatch) -> None:
    header, rows, currency = default_rows
    grid = edited(header, rows, rows[3][0], "standardization", 12)
    grid = [grid[0], [None] * len(header), *grid[1:]]  # row 2 empty: the bad candidate moves down one
    write_csv(folder / "candidates" / "gap.csv", grid)
    monkeypatch.chdir(folder)
    assert problems(scenario_for(folder, "gap.csv", currency)) == [
        "candidates/gap.csv:6: column standardization: 12 is outside the scale 0-10 of criterion 'standardization'"]


def test_an_unknown_column_is_an_error_even_when_blank(folder, default_rows, monkeypatch) -> None:
    header, rows, currency = default_rows
    write_xlsx(folder / "candidates" / "typo.xlsx", [[*header, "standardisation"], *rows], currency)
    monkeypatch.chdir(folder)
    (found,) = problems(scenario_for(folder, "typo.xlsx"))
    assert found.startswith("candidates/typo.xlsx: sheet candidates, row 1, column standardisation: "
                            "unknown criterion 'standardisation'")


@pytest.mark.parametrize(("name", "message"), [
    ("share.US.mid", "a share column is share.<partner>"),
    ("cost.x", "a cost column is cost.1"),
    ("Standardization", "unknown column"),
    ("standardization.lo", "unknown column"),
])
def test_a_header_that_names_no_field_is_refused(folder, default_rows, monkeypatch, name, message) -> None:
    header, rows, currency = default_rows
    write_csv(folder / "candidates" / "h.csv", [[*header, name], *rows])
    monkeypatch.chdir(folder)
    found = problems(scenario_for(folder, "h.csv", currency))
    assert any(p.startswith(f"candidates/h.csv:1: column {name}: {message}") for p in found), found


def test_a_duplicate_header_and_a_cost_gap_are_refused(tmp_path) -> None:
    path = tmp_path / "t.csv"
    write_csv(path, [["id", "name", "cost.1", "cost.3", "id"], ["a", "A", 1, 2, "a"]])
    with pytest.raises(InputError) as caught:
        table_files.read_table(path, "t.csv")
    shown = [str(p) for p in caught.value.problems]
    assert "t.csv:1: column id: appears twice (also column 1)" in shown
    assert "t.csv:1: column cost.3: cost.2 is missing: the years are cost.1, cost.2, ... without a gap" in shown


@pytest.mark.parametrize(("cell", "message"), [
    (True, "is a TRUE/FALSE cell (True); write a number"),
    (dt.date(2027, 1, 1), "is a date or time cell (2027-01-01)"),
    ("12", "is the text '12', not a number (format the cell as a number)"),
    ("twelve", "'twelve' is not a number"),
])
def test_workbook_cells_of_the_wrong_kind_get_a_clear_message(tmp_path, cell, message) -> None:
    path = tmp_path / "t.xlsx"
    write_xlsx(path, [["id", "name", "share.US", "cost.1"], ["a", "A", 1, cell]])
    with pytest.raises(InputError) as caught:
        table_files.read_table(path, "t.xlsx")
    (shown,) = [str(p) for p in caught.value.problems]
    assert shown.startswith(f"t.xlsx: sheet candidates, row 2, column cost.1: {message}"), shown


def test_a_number_in_a_text_column_is_its_text(tmp_path) -> None:
    path = tmp_path / "t.xlsx"
    write_xlsx(path, [["id", "name", "category", "share.US", "cost.1"], [7, 2030, 2.5, 1, 3]])
    doc = table_files.read_table(path, "t.xlsx")
    assert doc.data["candidates"] == [{"id": "7", "name": "2030", "category": "2.5", "partners": {"US": 1.0},
                                       "cost": [3.0]}]


def _with_formula(path: Path, saved: str | None) -> None:
    write_xlsx(path, [["id", "name", "share.US", "cost.1"], ["a", "A", 1, "=1+2"]])
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    value = b"" if saved is None else f"<v>{saved}</v>".encode()
    parts[sheet] = re.sub(rb"<f>1\+2</f>(<v\s*/>|<v></v>)?", b"<f>1+2</f>" + value, parts[sheet])
    assert b"<f>1+2</f>" in parts[sheet]
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_a_formula_gives_its_saved_value_and_is_never_run(tmp_path) -> None:
    path = tmp_path / "saved.xlsx"
    _with_formula(path, "17")  # the workbook says 17; running 1+2 would say 3
    assert table_files.read_table(path, "saved.xlsx").data["candidates"][0]["cost"] == [17.0]


def test_a_formula_without_a_saved_value_is_refused(tmp_path) -> None:
    path = tmp_path / "unsaved.xlsx"
    _with_formula(path, None)
    with pytest.raises(InputError) as caught:
        table_files.read_table(path, "unsaved.xlsx")
    (shown,) = [str(p) for p in caught.value.problems]
    assert shown.startswith("unsaved.xlsx: sheet candidates, row 2, column cost.1: is a formula without a saved value")


# --------------------------------------------------------------- hostile ---


def refused(path: Path, display: str = "t") -> str:
    with pytest.raises(InputError) as caught:
        table_files.read_table(path, display)
    (problem,) = caught.value.problems
    return str(problem)


def test_csv_with_nul_bytes_is_refused(tmp_path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"id,name,cost.1\na,A\x00,1\n")
    assert "holds NUL bytes" in refused(path)


def test_csv_with_another_delimiter_is_named(tmp_path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("id;name;cost.1\na;A;1\n", encoding="utf-8")
    assert refused(path) == "t:1: is not comma-separated: its header is split by ';'"


def test_csv_with_a_bom_reads_like_without(tmp_path) -> None:
    plain, bom = tmp_path / "a.csv", tmp_path / "b.csv"
    plain.write_text("id,name,share.US,cost.1\na,Ä,1,2\n", encoding="utf-8")
    bom.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())
    assert table_files.read_table(plain, "a").data == table_files.read_table(bom, "b").data


def test_thousands_of_columns_are_refused(tmp_path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(",".join(f"c{j}" for j in range(table_files.MAX_TABLE_COLUMNS + 1)) + "\n", encoding="utf-8")
    assert "columns; a candidates table holds at most" in refused(path)


def test_a_full_height_sheet_is_refused_before_it_is_read(tmp_path) -> None:
    path = tmp_path / "t.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "candidates"
    book.active["A1"] = "id"
    book.active["A1048576"] = "x"
    book.save(path)
    assert refused(path) == ("t: sheet candidates: has 1,048,575 rows and 1 columns; a candidates table holds at "
                             "most 100,000 candidates, 5,000 columns and 20,000,000 cells")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(table_files, "MAX_UNZIPPED_BYTES", 2**20)
    path = tmp_path / "t.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (4 * 2**20))  # 4 MiB of zeros in a few KiB
    assert path.stat().st_size < 2**16
    assert "unzips to 4 MiB, over the 1 MiB" in refused(path)


def test_a_file_that_is_not_a_workbook_is_named(tmp_path) -> None:
    path = tmp_path / "t.xlsx"
    path.write_text("id,name\n", encoding="utf-8")
    assert refused(path) == "t: is not an xlsx workbook (not a zip archive)"


def test_a_damaged_workbook_is_a_message_not_a_crash(tmp_path) -> None:
    path = tmp_path / "t.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("xl/workbook.xml", b"<not-a-workbook")
    path.write_bytes(buffer.getvalue())
    assert refused(path).startswith("t: is not a readable xlsx workbook (")


def test_too_many_rows_in_csv_are_refused_while_reading(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(table_files, "MAX_TABLE_ROWS", 10)
    path = tmp_path / "t.csv"
    path.write_text("id,name,cost.1\n" + "a,A,1\n" * 20, encoding="utf-8")
    assert refused(path) == "t: has more than 10 rows (at most 10 candidates in one table)"


def test_a_scenario_currency_beside_yaml_candidates_is_refused(folder) -> None:
    text = (folder / "scenarios" / "baseline.yaml").read_text(encoding="utf-8")
    path = folder / "scenarios" / "c.yaml"
    path.write_text(text.replace("candidates: ../candidates/us-japan.yaml",
                                 "candidates: ../candidates/us-japan.yaml\ncurrency: EUR", 1), encoding="utf-8")
    (found,) = problems(path)
    assert found.endswith(": currency: gives a CSV or xlsx candidates table its currency; "
                          "../candidates/us-japan.yaml is YAML and gives its own"), found


# ------------------------------------------------- a partner's scores overlay ---


def overlay_rows(name: str) -> tuple[list[str], list[list]]:
    data = parse_yaml((ROOT / "candidates" / name).read_text(encoding="utf-8"), name)
    return table_rows([{"id": cid, "scores": scores} for cid, scores in data["scores"].items()])


def bilateral_with(folder: Path, us: str, jp: str) -> Path:
    text = (folder / "scenarios" / "bilateral.yaml").read_text(encoding="utf-8")
    path = folder / "scenarios" / "tables.yaml"
    path.write_text(text.replace("us-scores.yaml", us).replace("jp-scores.yaml", jp), encoding="utf-8")
    return path


def test_a_partners_scores_overlay_loads_the_same_from_a_table(folder) -> None:
    header, rows = overlay_rows("us-scores.yaml")
    assert header[0] == "id" and "name" not in header and "cost.1" not in header
    write_xlsx(folder / "candidates" / "us.xlsx", [header, *rows])
    write_csv(folder / "candidates" / "jp.csv", [*[list(r) for r in [overlay_rows("jp-scores.yaml")[0]]],
                                                   *overlay_rows("jp-scores.yaml")[1]])
    yaml = load_scenario(folder / "scenarios" / "bilateral.yaml").perspectives
    tables = load_scenario(bilateral_with(folder, "us.xlsx", "jp.csv")).perspectives
    assert {p: v.candidates for p, v in tables.items()} == {p: v.candidates for p, v in yaml.items()}
    assert {p: v.overlaid for p, v in tables.items()} == {p: v.overlaid for p, v in yaml.items()}


def test_an_overlay_table_names_its_row_and_column(folder, monkeypatch) -> None:
    header, rows = overlay_rows("jp-scores.yaml")
    rows = [list(r) for r in rows]
    rows[1][0] = "nosuch"
    column = next(n for n in header if n != "id" and "." not in n)
    rows[2][header.index(column)] = 99
    write_csv(folder / "candidates" / "jp.csv", [header, *rows])
    write_csv(folder / "candidates" / "us.csv", [*overlay_rows("us-scores.yaml")[:1], *overlay_rows("us-scores.yaml")[1]])
    monkeypatch.chdir(folder)
    found = problems(bilateral_with(folder, "us.csv", "jp.csv"))
    assert "candidates/jp.csv:3: column id: unknown candidate 'nosuch'" in found[0], found
    assert found[1].startswith(f"candidates/jp.csv:4: column {column}: 99 is outside the scale 0-10"), found


def test_an_overlay_table_holds_ids_and_scores_only(tmp_path) -> None:
    path = tmp_path / "s.csv"
    write_csv(path, [["id", "standardization", "share.US"], ["gpi", 5, 1]])
    with pytest.raises(InputError) as caught:
        table_files.read_table(path, "s.csv", kind="scores")
    assert [str(p) for p in caught.value.problems] == [
        "s.csv:1: column share.US: a scores table holds an id column and criterion columns only"]


def test_half_a_share_range_in_the_header_is_one_problem_not_a_crash(tmp_path) -> None:
    path = tmp_path / "half.csv"
    path.write_text("id,name,share.US.min,cost.1\na,A,0.2,1\n", encoding="utf-8")
    assert refused(path) == "t:1: column share.US.min: share.US.min and share.US.max go together"


@pytest.mark.parametrize("cell", ["XFD1048576", "ZZZ20000"])
def test_a_sheet_whose_used_area_from_a1_is_huge_is_refused_before_it_is_read(tmp_path, cell) -> None:
    # One cell far from A1: a few KiB of file, but calamine would fill every cell up to it (a Rust panic at
    # XFD1048576, a traceback, before this check).
    path = tmp_path / "t.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "candidates"
    book.active[cell] = "x"
    book.save(path)
    assert "a candidates table holds at most" in refused(path)


def test_labels_that_look_like_numbers_stay_labels_of_a_categorical_criterion(tmp_path) -> None:
    path = tmp_path / "t.xlsx"
    write_xlsx(path, [["id", "name", "share.US", "cost.1", "level", "n"], ["a", "A", 1, 1, 3, 4], ["b", "B", 1, 1, "2", 5]])
    doc = table_files.read_table(path, "t.xlsx", labels=frozenset({"level"}))
    assert [c["scores"] for c in doc.data["candidates"]] == [{"level": "3", "n": 4.0}, {"level": "2", "n": 5.0}]
    csv_path = tmp_path / "t.csv"
    write_csv(csv_path, [["id", "name", "share.US", "cost.1", "level"], ["a", "A", 1, 1, "3"]])
    assert table_files.read_table(csv_path, "t.csv", labels=frozenset({"level"})).data["candidates"][0]["scores"] == {
        "level": "3"}
    assert table_files.read_table(csv_path, "t.csv").data["candidates"][0]["scores"] == {"level": 3.0}


def test_only_ascii_digits_are_numbers(tmp_path) -> None:
    path = tmp_path / "t.csv"
    write_csv(path, [["id", "name", "share.US", "cost.1"], ["a", "A", 1, "\uff17"]])
    assert refused(path) == "t:2: column cost.1: '\uff17' is not a number"


# ------------------------------------------------------ places and currency ---


def test_a_csv_line_is_the_line_a_record_starts_on_after_a_multi_line_field(tmp_path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('id,name,share.US,cost.1\na,"two\nlines",1,1\nb,B,1,x\n', encoding="utf-8")
    assert refused(path) == "t:4: column cost.1: 'x' is not a number"  # record 3, on line 4


def test_a_value_without_a_header_names_its_column_letter_or_number(tmp_path) -> None:
    grid = [["id", "name", "share.US", None, "cost.1"], ["a", "A", 1, 5, 1]]
    write_csv(tmp_path / "t.csv", grid)
    write_xlsx(tmp_path / "t.xlsx", grid)
    assert refused(tmp_path / "t.csv") == "t:2: column 4 (no header): has a value but no header"
    assert refused(tmp_path / "t.xlsx") == "t: sheet candidates, row 2, column D (no header): has a value but no header"


def test_problems_come_in_row_order_not_text_order(tmp_path) -> None:
    grid = [["id", "name", "share.US", "cost.1"], *[[f"c{i}", "C", 1, "x" if i in (2, 10) else 1] for i in range(12)]]
    write_xlsx(tmp_path / "t.xlsx", grid)
    with pytest.raises(InputError) as caught:
        table_files.read_table(tmp_path / "t.xlsx", "t")
    assert [p.path.split(",")[1] for p in caught.value.problems] == [" row 4", " row 12"]


def test_a_row_without_shares_and_a_header_without_share_columns_say_what_to_fill(folder, default_rows,
                                                                                   monkeypatch) -> None:
    header, rows, currency = default_rows
    grid = edited(header, rows, rows[0][0], "share.US", None)
    grid[1][header.index("share.JP")] = None
    write_csv(folder / "candidates" / "c.csv", grid)
    monkeypatch.chdir(folder)
    (found,) = problems(scenario_for(folder, "c.csv", currency))
    assert found == ("candidates/c.csv:2: required field is missing: fill a share for each partner "
                     "(share.<partner>, or .min and .max)")
    path = folder / "candidates" / "n.csv"
    write_csv(path, [["id", "name", "cost.1"], ["a", "A", 1]])
    assert refused(path) == "t:1: a column share.<partner> is required for each partner (share.US, share.JP, ...)"


def test_a_number_too_small_to_store_is_refused_not_read_as_zero(tmp_path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("id,name,share.US,cost.1,cost.2\na,A,1,0,1e-400\n", encoding="utf-8")
    assert refused(path) == ("t:2: column cost.2: '1e-400' is too small to store: it would be read as 0 "
                             "(write 0, or use other units)")
    path.write_text("id,name,share.US,cost.1,cost.2\na,A,1,0,0e-400\n", encoding="utf-8")
    assert table_files.read_table(path, "t").data["candidates"][0]["cost"] == [0.0, 0.0]


def test_a_csv_row_wider_than_the_cap_is_refused_at_its_line(tmp_path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("id,name,cost.1\n" + "a," * table_files.MAX_TABLE_COLUMNS + "a\n", encoding="utf-8")
    assert refused(path) == "t:2: has 5,001 columns; a candidates table holds at most 5,000 columns"


def test_a_workbook_currency_and_another_given_beside_it_are_refused(tmp_path) -> None:
    path = tmp_path / "t.xlsx"
    write_xlsx(path, [["id", "name", "share.US", "cost.1"], ["a", "A", 1, 1]], currency="JPY")
    assert table_files.read_table(path, "t", currency="JPY").data["currency"] == "JPY"  # the same: no conflict
    with pytest.raises(InputError) as caught:
        table_files.read_table(path, "t", currency="USD")
    assert str(caught.value) == ("t: sheet meta, row 2, column currency: is 'JPY', but 'USD' is given for this "
                                 "table too; give the currency in one place")


def test_a_workbook_currency_is_text_and_its_problems_are_on_the_meta_sheet(folder, default_rows, monkeypatch) -> None:
    header, rows, _ = default_rows
    write_xlsx(folder / "candidates" / "n.xlsx", [header, *rows], currency=2024)
    monkeypatch.chdir(folder)
    assert load_scenario(scenario_for(folder, "n.xlsx")).candidates.currency == "2024"
    write_xlsx(folder / "candidates" / "long.xlsx", [header, *rows], currency="x" * 201)
    (found,) = problems(scenario_for(folder, "long.xlsx"))
    assert found.startswith("candidates/long.xlsx: sheet meta, row 2, column currency: String should have at most 200")


def test_validating_a_table_as_a_scenario_says_what_it_is(tmp_path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("id,name,cost.1\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert str(caught.value).endswith("t.csv: is a candidates table, not a scenario: name it as 'candidates:' in a "
                                      "scenario and validate that")


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path) -> None:
    path = tmp_path / "t.csv"
    os.mkfifo(path)
    assert refused(path) == "t: is not a file"


def _understated(path: Path, padding: int) -> None:
    """A workbook whose sheet part is ``padding`` bytes longer than its zip directory says (1,000 bytes)."""
    book = openpyxl.Workbook()
    book.active.title = "candidates"
    book.active.append(["id", "name"])
    buffer = io.BytesIO()
    book.save(buffer)
    name = "xl/worksheets/sheet1.xml"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == name:
                cut = data.index(b">") + 1
                data = data[:cut] + b" " * padding + data[cut:]
            dst.writestr(info.filename, data)
    raw = bytearray(out.getvalue())
    # (signature, offset of the name length, of the name, of the uncompressed size) in the local and central headers
    for signature, length_at, name_at, size_at in ((b"PK\x03\x04", 26, 30, 22), (b"PK\x01\x02", 28, 46, 24)):
        at = raw.find(signature)
        while at >= 0:
            (length,) = struct.unpack_from("<H", raw, at + length_at)
            if raw[at + name_at:at + name_at + length] == name.encode():
                struct.pack_into("<I", raw, at + size_at, 1000)
            at = raw.find(signature, at + 4)
    path.write_bytes(raw)


def test_a_workbook_whose_directory_understates_a_part_is_refused(tmp_path) -> None:
    # The decompression cap trusts the zip directory's sizes; the reader must not trust them further.
    path = tmp_path / "t.xlsx"
    _understated(path, 20 * 2**20)
    assert zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml").file_size == 1000
    assert refused(path).startswith("t: is not a readable xlsx workbook (")


def test_a_line_of_commas_is_refused_before_it_is_split(tmp_path) -> None:
    # 2 million commas on line 3: refused from the line, not after building a list of 2 million fields.
    path = tmp_path / "t.csv"
    path.write_text("id,name\na,A\n" + "," * 2_000_000 + "\n", encoding="utf-8")
    assert refused(path) == "t:3: has 2,000,001 columns; a candidates table holds at most 5,000 columns"


def test_a_wide_line_inside_a_quoted_field_is_not_a_record(tmp_path) -> None:
    # The commas are text of a quoted field that began on the line before: the record is two fields wide.
    path = tmp_path / "t.csv"
    path.write_text('id,name\na,"A\n' + "," * 6_000 + '"\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:  # for the missing columns, not for the width
        table_files.read_table(path, "t")
    assert not any("5,000 columns" in str(p) for p in caught.value.problems), caught.value.problems
