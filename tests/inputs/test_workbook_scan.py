"""Formulas without a saved value and error cells, found in a sheet's XML as spreadsheet programs write it.

The sheet XML is written by hand (the SpreadsheetML of ECMA-376 Part 1,
section 18.3.1: ``<c r= t=>`` cells holding ``<f>`` and ``<v>``), so that the
forms other programs write can be tried: a namespace prefix, single quotes,
``<v/>`` (openpyxl, which never calculates), ``<v></v>`` with ``t="str"`` (a
formula whose saved result is empty text), error values (``t="e"``).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.errors import InputError
from scorer.inputs import table_files, workbook_scan
from scorer.inputs.workbook_scan import FlaggedCell, flagged_cells

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER = ('<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>name</t></is></c>'
          '<c r="C1" t="inlineStr"><is><t>share.US</t></is></c><c r="D1" t="inlineStr"><is><t>cost.1</t></is></c></row>')


def row(n: int, cost: str) -> str:
    return (f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>c{n}</t></is></c><c r="B{n}" t="inlineStr"><is><t>C</t></is>'
            f'</c><c r="C{n}"><v>1</v></c>{cost}</row>')


def workbook(path: Path, rows: str, prefix: str = "") -> Path:
    """A one-sheet workbook (sheet 'candidates') whose sheet XML holds HEADER and ``rows``."""
    book = openpyxl.Workbook()
    book.active.title = "candidates"
    book.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    body = HEADER + rows
    if prefix:
        body = body.replace("<", f"<{prefix}:").replace(f"<{prefix}:/", f"</{prefix}:")
        xml = f'<{prefix}:worksheet xmlns:{prefix}="{MAIN}"><{prefix}:sheetData>{body}</{prefix}:sheetData></{prefix}:worksheet>'
    else:
        xml = f'<worksheet xmlns="{MAIN}"><sheetData>{body}</sheetData></worksheet>'
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        table_files.read_table(path, "t.xlsx")
    return [str(p) for p in caught.value.problems]


def test_a_sheet_without_formulas_or_errors_flags_nothing(tmp_path) -> None:
    path = workbook(tmp_path / "t.xlsx", row(2, '<c r="D2"><v>5</v></c>'))
    assert flagged_cells(path.read_bytes(), 0, 100) == []
    assert table_files.read_table(path, "t.xlsx").data["candidates"][0]["cost"] == [5.0]


def test_a_formula_saved_as_an_empty_value_is_refused(tmp_path) -> None:
    # openpyxl writes <v/> (or <v></v>) after a formula it did not calculate.
    for value in ("<v/>", "<v></v>", ""):
        path = workbook(tmp_path / "t.xlsx", row(2, f'<c r="D2"><f>1+2</f>{value}</c>'))
        assert problems(path) == [
            "t.xlsx: sheet candidates, row 2, column cost.1: is a formula without a saved value; coprod never runs "
            "formulas: open and save the workbook in a spreadsheet program, or type the value"]


def test_a_text_formula_saved_as_empty_text_is_a_blank_cell(tmp_path) -> None:
    path = workbook(tmp_path / "t.xlsx", row(2, '<c r="D2"><v>4</v></c><c r="E2" t="str"><f>""</f><v></v></c>'))
    assert flagged_cells(path.read_bytes(), 0, 100) == []


def test_an_error_cell_is_refused_with_its_error(tmp_path) -> None:
    path = workbook(tmp_path / "t.xlsx", row(2, '<c r="D2" t="e"><f>1/0</f><v>#DIV/0!</v></c>'))
    (shown,) = problems(path)
    assert shown.startswith("t.xlsx: sheet candidates, row 2, column cost.1: is the error value #DIV/0! ")


@pytest.mark.parametrize("prefix", ["x", "ns0"])
def test_namespaced_tags_and_single_quotes_are_read(tmp_path, prefix) -> None:
    cells = row(2, "<c r='D2'><f>1+2</f></c>") + row(3, "<c r='D3' t='e'><v>#N/A</v></c>")
    path = workbook(tmp_path / "t.xlsx", cells, prefix)
    assert flagged_cells(path.read_bytes(), 0, 100) == [FlaggedCell(2, 3, None), FlaggedCell(3, 3, "#N/A")]


def test_a_cell_without_a_reference_is_placed_as_calamine_places_it(tmp_path) -> None:
    # No r on the cell: after the cell before it in its row; no r on the row either: after the row before.
    cells = row(2, "<c><f>1</f></c>").replace('<c r="C2"><v>1</v></c>', '<c r="C2"><f>1</f></c>')
    cells += row(3, "").replace('<row r="3">', "<row>").replace('<c r="B3"', "<c")[:-6] + "<c><f>2</f></c></row>"
    path = workbook(tmp_path / "t.xlsx", cells)
    assert flagged_cells(path.read_bytes(), 0, 100) == [FlaggedCell(2, 2, None), FlaggedCell(2, 3, None),
                                                        FlaggedCell(3, 3, None)]


def test_a_mark_outside_any_cell_is_not_a_cell(tmp_path) -> None:
    # t="e" on another element, and an <f> after the last cell closed: nothing to refuse.
    path = workbook(tmp_path / "t.xlsx", row(2, '<c r="D2"><v>4</v></c>').replace('<row r="2">', '<row r="2" t="e">'))
    assert flagged_cells(path.read_bytes(), 0, 100) == []


def test_many_flagged_cells_list_twenty_and_say_where_more_begin(tmp_path) -> None:
    rows = "".join(row(n, f'<c r="D{n}"><f>1</f></c>') for n in range(2, 52))
    shown = problems(workbook(tmp_path / "t.xlsx", rows))
    assert len(shown) == 21 and shown[-1] == "t.xlsx: sheet candidates, row 22: and more cells like these from here on"
    assert [s.split(",")[1] for s in shown[:3]] == [" row 2", " row 3", " row 4"]  # in row order, 10 after 9


def test_the_scan_is_linear_on_a_sheet_full_of_marks(tmp_path) -> None:
    # 200,000 error-typed elements that are no cells, each after the last: a scan that looked back
    # from each to the sheet's start would take minutes; this one reads each byte about once.
    noise = '<row r="2" t="e"/>' * 200_000
    path = workbook(tmp_path / "t.xlsx", row(2, '<c r="D2"><v>4</v></c>') + noise)
    assert flagged_cells(path.read_bytes(), 0, 100) == []


def test_a_nan_value_is_refused_not_read_as_blank(tmp_path) -> None:
    path = workbook(tmp_path / "t.xlsx", row(2, '<c r="D2"><v>NaN</v></c>'))
    (shown,) = problems(path)
    assert shown == "t.xlsx: sheet candidates, row 2, column cost.1: is not a number (NaN); write a number"


def test_a_workbook_whose_sheet_list_cannot_be_found_says_so(tmp_path) -> None:
    path = workbook(tmp_path / "t.xlsx", row(2, '<c r="D2"><v>4</v></c>'))
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist() if n != "xl/workbook.xml"}
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert problems(path) == ["t.xlsx: lists no sheet (its xl/workbook.xml is missing or empty)"]


def test_the_unzipped_size_comes_from_the_archive_directory() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a", b"0" * 100_000)
    from scorer.inputs.workbook_scan import unzipped_size

    assert unzipped_size(buffer.getvalue()) == 100_000


def test_a_formula_tag_with_another_prefix_than_its_cell_is_still_a_formula(tmp_path) -> None:
    # <x:c> holding <f> (both in the main namespace, declared twice): calamine reads the cell as blank.
    path = workbook(tmp_path / "t.xlsx", row(2, '<c r="D2"><y:f xmlns:y="' + MAIN + '">1+2</y:f></c>'))
    assert flagged_cells(path.read_bytes(), 0, 100) == [FlaggedCell(2, 3, None)]


def test_a_saved_formula_with_another_prefix_is_its_value(tmp_path) -> None:
    path = workbook(tmp_path / "t.xlsx", row(2, f'<c r="D2"><y:f xmlns:y="{MAIN}">1+2</y:f><v>3</v></c>'))
    assert flagged_cells(path.read_bytes(), 0, 100) == []


def test_comments_and_cdata_are_no_cells(tmp_path) -> None:
    cells = row(2, '<!-- <c r="D9"><f>1</f></c> --><c r="D2" t="inlineStr"><is><t><![CDATA[<f>x</f>]]></t></is></c>')
    path = workbook(tmp_path / "t.xlsx", cells)
    assert flagged_cells(path.read_bytes(), 0, 100) == []


def test_a_cell_left_open_ends_where_the_next_begins(tmp_path) -> None:
    # A missing </c> must not hide the cells after it.
    path = workbook(tmp_path / "t.xlsx", row(2, '<c r="D2"><v>4</v><c r="E2"><f>1</f></c>'))
    assert flagged_cells(path.read_bytes(), 0, 100) == [FlaggedCell(2, 4, None)]


def _renamed(path: Path, name: str) -> Path:
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b'name="candidates"', name.encode())
    with zipfile.ZipFile(path, "w") as z:
        for part, data in parts.items():
            z.writestr(part, data)
    return path


def test_a_sheet_name_holding_a_quoted_angle_bracket_is_still_scanned(tmp_path) -> None:
    path = _renamed(workbook(tmp_path / "t.xlsx", row(2, '<c r="D2"><f>1</f></c>')), 'name="Projects &gt; 2025 >"')
    assert flagged_cells(path.read_bytes(), 0, 100) == [FlaggedCell(2, 3, None)]


def test_a_sheet_whose_part_cannot_be_found_is_refused_as_unchecked(tmp_path) -> None:
    path = workbook(tmp_path / "t.xlsx", row(2, '<c r="D2"><v>4</v></c>'))
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    rels = parts["xl/_rels/workbook.xml.rels"]
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(b"worksheets/sheet1.xml", b"worksheets/elsewhere.xml")
    with zipfile.ZipFile(path, "w") as z:
        for part, data in parts.items():
            z.writestr(part, data)
    assert flagged_cells(path.read_bytes(), 0, 100) is None


def test_the_first_flagged_cells_only_are_listed(tmp_path) -> None:
    rows = "".join(row(n, f'<c r="D{n}"><f>1</f></c>') for n in range(2, 12))
    path = workbook(tmp_path / "t.xlsx", rows)
    assert [c.row for c in flagged_cells(path.read_bytes(), 0, 3)] == [2, 3, 4]


# Cell forms the scan must judge (reference filled in): saved, unsaved, shared, text and error formulas, values.
FORMS = ['<c r="{}"><f>1+2</f><v>3</v></c>', '<c r="{}"><f>1+2</f></c>', '<c r="{}"><f>1</f><v/></c>',
         '<c r="{}"><f t="shared" si="0"/><v>5</v></c>', '<c r="{}"><f t="shared" si="0"/></c>',
         '<c r="{}" t="str"><f>""</f><v></v></c>', '<c r="{}"><f>1</f><v> </v></c>', '<c r="{}"><v>4</v></c>',
         '<c r="{}" t="e"><f>1/0</f><v>#DIV/0!</v></c>', '<c r="{}"><f\n>1</f>\n<v>2</v></c>']


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(FORMS), min_size=1, max_size=4), min_size=1, max_size=6))
def test_the_counted_shortcut_flags_what_the_scan_flags(tmp_path_factory, forms) -> None:
    cells = "".join(row(n, "".join(f.format(f"{chr(68 + j)}{n}") for j, f in enumerate(line)))
                    for n, line in enumerate(forms, start=2))
    raw = workbook(tmp_path_factory.mktemp("w") / "t.xlsx", cells).read_bytes()
    fast = flagged_cells(raw, 0, 1000)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(workbook_scan, "_every_formula_saved", lambda xml: False)
        assert fast == flagged_cells(raw, 0, 1000)
    expected = sum(f in FORMS[1:3] + FORMS[4:5] + FORMS[6:7] + FORMS[8:9] for line in forms for f in line)
    assert len(fast) == expected
