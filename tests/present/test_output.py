"""scorer.present.output: terminal tables (rich), Excel workbooks, several tables in every format."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook
from rich.console import Console

from scorer import columns
from scorer.errors import OutputError
from scorer.present.output import (
    choose_format,
    emit_tables,
    fit_columns,
    number_format,
    render,
    rich_table,
    terminal_console,
    to_csv,
    to_markdown,
    to_table,
    to_xlsx,
)

RANKING = pd.DataFrame({
    "rank": [1, 2, 3],
    "id": ["gpi", "=HYPERLINK(\"http://x\")", "[bold]x[/] [link=http://evil]y[/link]"],
    "name": ["Glide\x1b[31m Phase", "@SUM(A1)", "-2+3"],
    "score": [66.0, 58.123456, 49.5],
    "effective_weight": [0.6, 0.25, 0.15],
    "start": [2026.0, 2027.0, float("nan")],
})
SCHEDULE = pd.DataFrame({"year": [2026, 2027], "gpi": [100.0, 200.0], "cap_total": [400.0, float("nan")]})


def rendered(df: pd.DataFrame, **console: object) -> str:
    buf = io.StringIO()
    Console(file=buf, width=200, **console).print(rich_table(df))
    return buf.getvalue()


def test_rich_table_prints_markup_and_control_characters_literally() -> None:
    text = rendered(RANKING, force_terminal=True, color_system="standard")
    assert "[bold]x[/] [link=http://evil]y[/link]" in text  # markup is not interpreted
    assert "\x1b]8;" not in text  # no hyperlink escape
    assert "Glide?[31m Phase" in text  # the input's ESC never reaches the terminal
    assert "\x1b[1;36m" in text  # the header is styled on a colour terminal


def test_rich_table_right_aligns_numbers() -> None:
    lines = rendered(SCHEDULE, force_terminal=False).splitlines()
    row = next(line for line in lines if "2026" in line)
    assert "│ 2026 │ 100.00 │    400.00 │" in row


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("no_color", [False, True])
def test_colour_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch, no_color: bool) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("NO_COLOR", raising=False)
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    tty = Terminal()
    terminal_console(tty).print(rich_table(SCHEDULE))
    assert ("\x1b[1;36m" in tty.getvalue()) is not no_color  # cyan header only when colour is allowed
    assert ("\x1b[1m" in tty.getvalue()) is no_color  # bold is not colour: NO_COLOR keeps it
    piped = io.StringIO()
    terminal_console(piped).print(rich_table(SCHEDULE))
    assert "\x1b" not in piped.getvalue()


def test_plain_table_is_unchanged_off_a_terminal(capsys: pytest.CaptureFixture) -> None:
    emit_tables({"schedule": SCHEDULE}, "table", None)
    assert capsys.readouterr().out == to_table(SCHEDULE)


def workbook(tables: dict[str, pd.DataFrame], **kwargs: object) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(to_xlsx(tables, **kwargs)))


def read_back(data: bytes, sheet: str) -> list[list[object]]:
    """The sheet as calamine (Rust, not openpyxl) reads it: the second reader."""
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(sheet).to_python()


def declared(df: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    return columns.declare(df.copy(), kinds)


def test_xlsx_sheets_values_header_and_formats() -> None:
    ranking = declared(RANKING, {"rank": columns.COUNT, "id": columns.ID, "name": columns.TEXT,
                                 "score": columns.POINTS, "effective_weight": columns.FRACTION,
                                 "start": columns.YEAR})
    wb = workbook({"ranking": ranking, "schedule": SCHEDULE})
    assert wb.sheetnames == ["ranking", "schedule"]
    ws = wb["ranking"]
    assert [c.value for c in ws[1]] == list(RANKING.columns)
    assert all(c.font.b and c.font.name == "Calibri" for c in ws[1]) and ws.freeze_panes == "A2"
    assert read_back(to_xlsx({"ranking": ranking}), "ranking")[1] == [1, "gpi", "Glide\x1b[31m Phase", 66.0, 0.6,
                                                                      2026]
    assert ws["D3"].value == pytest.approx(58.123456)  # full precision, only the display is rounded
    assert ws["F4"].value is None  # NaN becomes an empty cell
    assert [ws.cell(2, j).number_format for j in range(1, 7)] == ["0", "General", "General", "0.00", "0.0%", "0"]
    assert ws.column_dimensions["C"].width >= len("Glide?[31m Phase")
    sched = wb["schedule"]
    assert [[c.value for c in row] for row in sched.iter_rows()] == [
        ["year", "gpi", "cap_total"], [2026, 100, 400], [2027, 200, None]]


def test_xlsx_formats_follow_the_declared_kind_not_the_name() -> None:
    # Names that once chose a percentage by substring: a contribution, a gap in points, a gap in percent.
    df = pd.DataFrame({"workshare_balance": [4.2], "gap_to_best": [6.37], "gap_pct": [1.22], "share": [0.25],
                       "effective_weight": [0.15], "cost": [2350.0], "year": [2026], "n": [3]})
    undeclared = workbook({"t": df})["t"]
    assert [c.number_format for c in undeclared[2]] == ["General"] * 6 + ["0", "0"]  # never a percentage
    kinds = {"workshare_balance": columns.POINTS, "gap_to_best": columns.POINTS, "gap_pct": columns.PERCENT,
             "share": columns.FRACTION, "effective_weight": columns.FRACTION, "cost": columns.MONEY,
             "year": columns.YEAR, "n": columns.COUNT}
    ws = workbook({"t": declared(df, kinds)})["t"]
    assert [c.number_format for c in ws[2]] == ["0.00", "0.00", "0.00", "0.0%", "0.0%", "#,##0.00", "0", "0"]
    assert [c.value for c in ws[2]] == [4.2, 6.37, 1.22, 0.25, 0.15, 2350, 2026, 3]  # the numbers as they are


def test_xlsx_keeps_formula_like_text_as_text() -> None:
    data = to_xlsx({"ranking": RANKING})
    ws = openpyxl.load_workbook(io.BytesIO(data))["ranking"]
    assert ws["B3"].value == "=HYPERLINK(\"http://x\")" and ws["B3"].data_type == "s"
    assert ws["C3"].value == "@SUM(A1)" and ws["C4"].value == "-2+3"  # no visible ' guard
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
    assert "<f>" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    rows = read_back(data, "ranking")
    assert [r[1] for r in rows[1:]] == list(RANKING["id"]) and rows[3][2] == "-2+3"


def test_xlsx_text_that_looks_like_an_error_or_an_escape_stays_text() -> None:
    texts = ["#N/A", "=1+1", "a_x0041_b", "_x001B_", "tab\there", "line\nbreak", "cr\rhere", "nul\x00", "\x7f"]
    data = to_xlsx({"t": pd.DataFrame({"text": texts})})
    assert [r[0] for r in read_back(data, "t")[1:]] == texts
    ws = openpyxl.load_workbook(io.BytesIO(data))["t"]
    assert {c.data_type for (c,) in ws.iter_rows(min_row=2)} == {"s"}


def test_xlsx_print_layout() -> None:
    for ws in workbook({"ranking": RANKING}, about=[("command", "coprod score")]).worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert ws.print_title_rows == "$1:$1"


def test_xlsx_about_sheet_comes_last_with_the_titles() -> None:
    about = [("command", "coprod optimize"), ("objective", 520.25), ("figures", "notional")]
    data = to_xlsx({"about": SCHEDULE, "other": SCHEDULE}, about=about, titles={"other": "Other things"})
    assert CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names == ["about", "other", "about_2"]
    assert read_back(data, "about_2") == [["about", "value"], ["command", "coprod optimize"],
                                          ["objective", 520.25], ["figures", "notional"],
                                          ["sheet other", "Other things"]]
    assert workbook({"t": SCHEDULE}).sheetnames == ["t"]  # nothing to say: no about sheet


@pytest.mark.slow
def test_xlsx_bytes_are_deterministic_zip_times_included() -> None:
    first = to_xlsx({"ranking": RANKING, "schedule": SCHEDULE}, about=[("command", "coprod x")])
    time.sleep(2.1)  # zip times have a two-second resolution
    assert to_xlsx({"ranking": RANKING, "schedule": SCHEDULE}, about=[("command", "coprod x")]) == first
    infos = zipfile.ZipFile(io.BytesIO(first)).infolist()
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    core = zipfile.ZipFile(io.BytesIO(first)).read("docProps/core.xml").decode()
    assert "1980-01-01T00:00:00Z" in core


def test_xlsx_sheet_names_are_made_legal_and_unique() -> None:
    wb = workbook({"a/b": SCHEDULE, "a?b": SCHEDULE, "x" * 40: SCHEDULE})
    assert wb.sheetnames == ["a_b", "a_b_2", "x" * 31]


def test_number_formats() -> None:
    assert number_format(columns.YEAR) == "0" and number_format(columns.COUNT) == "0"
    assert number_format(columns.FRACTION) == "0.0%"
    assert number_format(columns.PERCENT) == "0.00" and number_format(columns.POINTS) == "0.00"
    assert number_format(columns.MONEY) == "#,##0.00" and number_format(columns.NUMBER) == "General"
    assert number_format(columns.FLAG) is None and number_format(columns.ID) is None
    assert number_format(columns.TEXT) is None


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=20), min_size=1, max_size=5))
@example([" ", "\t", "\n \r", " \u3000", "=1+1", "_x001B_"])  # whitespace alone lost its spaces once
def test_any_text_survives_xlsx_without_becoming_a_formula(texts: list[str]) -> None:
    texts = [t for t in texts if not any(0xD800 <= ord(ch) <= 0xDFFF for ch in t)] or ["x"]  # not UTF-8
    data = to_xlsx({"t": pd.DataFrame({"text": texts})})
    ws = openpyxl.load_workbook(io.BytesIO(data))["t"]
    assert not any(c.data_type == "f" for (c,) in ws.iter_rows())
    for text, (value,) in zip(texts, read_back(data, "t")[1:]):
        assert value == text


def test_emit_tables_formats(capsys: pytest.CaptureFixture) -> None:
    tables = {"ranking": SCHEDULE, "other": SCHEDULE.head(1)}
    emit_tables(tables, "json", None)
    assert json.loads(capsys.readouterr().out) == {
        "ranking": [{"year": 2026, "gpi": 100.0, "cap_total": 400.0}, {"year": 2027, "gpi": 200.0, "cap_total": None}],
        "other": [{"year": 2026, "gpi": 100.0, "cap_total": 400.0}]}
    emit_tables(tables, "csv", None)
    out = capsys.readouterr()
    assert out.out == render(SCHEDULE, "csv")
    # The library's own note names no flag: only the command line adds "on the command line: --format".
    assert out.err == ("coprod: note: CSV holds the ranking table only (not other); "
                       "the json, markdown and xlsx formats hold every table\n")
    emit_tables(tables, "markdown", None, titles={"other": "Other"}, preamble="head\n\n", footer="foot\n")
    assert capsys.readouterr().out == ("head\n\n" + render(SCHEDULE, "markdown") + "\n### Other\n\n"
                                       + render(SCHEDULE.head(1), "markdown") + "foot\n")
    emit_tables(tables, "table", None, titles={"other": "Other"}, digits={"other": 0})
    assert capsys.readouterr().out == to_table(SCHEDULE) + "\nOther:\n\n" + to_table(SCHEDULE.head(1), 0)


def test_a_summary_is_what_csv_and_text_show_while_json_and_the_workbook_hold_every_table(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    tables, summary = {"ranking": SCHEDULE, "other": SCHEDULE.head(1)}, {"ranking": SCHEDULE.head(1)}
    for fmt in ("csv", "markdown", "table"):
        emit_tables(tables, fmt, None, summary=summary)
        out = capsys.readouterr()
        assert (out.out, out.err) == (render(SCHEDULE.head(1), fmt), "")
    emit_tables(tables, "json", None, summary=summary)
    assert sorted(json.loads(capsys.readouterr().out)) == ["other", "ranking"]
    emit_tables(tables, "xlsx", str(tmp_path / "all.xlsx"), summary=summary)
    assert openpyxl.load_workbook(tmp_path / "all.xlsx").sheetnames == ["ranking", "other"]


def test_emit_tables_xlsx_file_and_stdout(tmp_path: Path, capsysbinary: pytest.CaptureFixture) -> None:
    target = tmp_path / "out.xlsx"
    assert choose_format(None, str(target)) == "xlsx"
    emit_tables({"ranking": RANKING}, "xlsx", str(target))
    assert target.read_bytes() == to_xlsx({"ranking": RANKING})
    emit_tables({"ranking": RANKING}, "xlsx", None)  # stdout is not a terminal here: a pipe gets the bytes
    assert capsysbinary.readouterr().out == to_xlsx({"ranking": RANKING})
    with pytest.raises(OutputError, match="refusing"):
        emit_tables({"ranking": RANKING}, "xlsx", str(target), protected=[target])


def test_xlsx_refused_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    with pytest.raises(OutputError, match="binary format"):
        emit_tables({"ranking": RANKING}, "xlsx", None)


def test_render_refuses_xlsx() -> None:
    with pytest.raises(OutputError, match="cannot be written as xlsx"):
        render(RANKING, "xlsx")


def test_new_files_get_the_usual_permissions(tmp_path: Path) -> None:
    import os

    umask = os.umask(0o022)
    try:
        emit_tables({"schedule": SCHEDULE}, "csv", str(tmp_path / "new.csv"))
    finally:
        os.umask(umask)
    assert (tmp_path / "new.csv").stat().st_mode & 0o777 == 0o644  # not mkstemp's private 0600


def test_a_folder_name_too_long_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist"):
        emit_tables({"schedule": SCHEDULE}, "csv", str(tmp_path / ("x" * 300) / "a.csv"))


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("ab,\"\r\n\x00=' "), max_size=8), min_size=1, max_size=4))
def test_csv_cells_read_back_exactly(texts: list[str]) -> None:
    import csv

    from scorer.present.output import neutralise, to_csv

    rows = list(csv.reader(io.StringIO(to_csv(pd.DataFrame({"text": texts, "n": range(len(texts))})), newline="")))
    assert rows[0] == ["text", "n"]
    assert [r[0] for r in rows[1:]] == [neutralise(t).replace("\x00", "") for t in texts]


def test_emit_tables_draws_rich_sections_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    tty = Terminal()
    monkeypatch.setattr("sys.stdout", tty)
    monkeypatch.setenv("COLUMNS", "200")
    emit_tables({"ranking": RANKING, "schedule": SCHEDULE}, "table", None, titles={"schedule": "[red]Sched[/]"},
                preamble="status: [bold]ok[/]\x1b[2J\n\n", footer="\nweighting: [link=x]y\n")
    text = tty.getvalue()
    assert text.startswith("status: [bold]ok[/]?[2J\n")  # literal markup, no terminal control
    assert "[red]Sched[/]" in text and "[link=x]y" in text
    assert "│ 2026 │" in text and "┏" in text  # rich boxes, not the plain text table
    assert "\x1b[2J" not in text and "\x1b]8;" not in text


def test_missing_numbers_are_empty_cells_in_text_tables_but_infinity_stays() -> None:
    df = pd.DataFrame({"level": [1.0, 2.0], "objective": [float("nan"), 11.0], "cap": [float("inf"), 3.0]})
    assert to_table(df) == ("level  objective   cap\n-----  ---------  ----\n 1.00              inf\n"
                            " 2.00      11.00  3.00\n")
    assert to_markdown(df).splitlines()[2:] == ["| 1.00 |  | inf |", "| 2.00 | 11.00 | 3.00 |"]
    assert "nan" not in to_csv(df) and to_csv(df).splitlines()[1] == "1.0,,inf"


WIDE = columns.declare(pd.DataFrame({
    "rank": [1, 2], "id": ["patriot-licence-expansion", "ship-mro"],
    "name": ["Expand licence-built Patriot production for US stocks", "US Navy ship MRO in Japan"],
    **{f"criterion_number_{k}": [66.30 + k, 65.90 - k] for k in range(6)},
}), {"rank": columns.COUNT, "id": columns.ID, "name": columns.TEXT,
     **{f"criterion_number_{k}": columns.POINTS for k in range(6)}})


def test_fit_columns_stacks_a_wide_table_with_its_keys_repeated() -> None:
    parts, left_out = fit_columns(WIDE, 2, 80)
    assert left_out == [] and len(parts) > 1
    assert all(part[:2] == ["rank", "id"] for part in parts)  # rank and id start every part
    assert [c for part in parts for c in part[2:]] == list(WIDE.columns[2:])  # every other column once, in order
    assert fit_columns(WIDE, 2, 400) == ([list(WIDE.columns)], [])  # room enough: one table as before


def test_fit_columns_leaves_out_what_cannot_fit_beside_the_key() -> None:
    df = columns.declare(pd.DataFrame({"n": [1], "x": [1.5], "ids": ["aircraft-mro patriot-licence-expansion"]}),
                         {"ids": columns.ID})
    assert fit_columns(df, 2, 30) == ([["n", "x"]], ["ids"])  # n beside its longest id needs 33


@pytest.mark.parametrize("width", [60, 80, 120])
def test_terminal_tables_cut_no_number_and_no_id(monkeypatch: pytest.MonkeyPatch, width: int) -> None:
    from rich.cells import cell_len

    tty = Terminal()
    monkeypatch.setattr("sys.stdout", tty)
    monkeypatch.setenv("COLUMNS", str(width))
    emit_tables({"wide": WIDE}, "table", None, titles={"wide": "Wide"})
    text = re.sub(r"\x1b\[[0-9;]*m", "", tty.getvalue())
    assert "…" not in text and max(cell_len(line) for line in text.splitlines()) <= width
    tokens = set(text.replace("│", " ").replace("┃", " ").split())
    assert {"patriot-licence-expansion", "ship-mro", "66.30", "65.90", "71.30", "60.90"} <= tokens
    assert set(WIDE.columns) <= tokens  # headers whole too
    assert "Wide (continued)" in text  # 190 columns wide in one piece


def test_terminal_note_names_the_columns_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    tty = Terminal()
    monkeypatch.setattr("sys.stdout", tty)
    monkeypatch.setenv("COLUMNS", "30")
    df = columns.declare(pd.DataFrame({"n": [1], "x": [1.5], "ids": ["aircraft-mro patriot-licence-expansion"]}),
                         {"ids": columns.ID})
    emit_tables({"t": df}, "table", None)
    assert "left out, too wide for 30 columns: ids (see them with --format csv, json or xlsx)" in " ".join(
        tty.getvalue().split())


def test_bom_starts_csv_files_and_stdout_only(tmp_path: Path, capsysbinary: pytest.CaptureFixture) -> None:
    names = pd.DataFrame({"id": ["a"], "name": ["航空機"]})
    emit_tables({"t": names}, "csv", str(tmp_path / "t.csv"), bom=True)
    data = (tmp_path / "t.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.decode("utf-8-sig") == to_csv(names)
    emit_tables({"t": names}, "csv", None, bom=True)
    assert capsysbinary.readouterr().out == data
    emit_tables({"t": names}, "json", None, bom=True)
    assert capsysbinary.readouterr().out.startswith(b"{")
    emit_tables({"t": names}, "csv", None)
    assert capsysbinary.readouterr().out == to_csv(names).encode()


def test_terminal_text_keeps_ideographic_and_no_break_spaces():
    # A Japanese name with U+3000 showed as 航空機?整備: str.isprintable() refuses every space but " ".
    from scorer.present.output import printable

    assert printable("航空機\u3000整備\u00a0x") == "航空機\u3000整備\u00a0x"
    assert printable("a\x1b]0;t\x07\u2028b") == "a?]0;t??b"
