"""Writing candidates as a CSV or xlsx table (the layout of :mod:`scorer.inputs.table_layout`) or as YAML.

The workbook is a template to fill in: a frozen header, a column per field,
each criterion's scale in its header's comment, and a list of the allowed
labels on every categorical criterion's column. Text that a spreadsheet
would take for a formula (``=...``) is stored as text, so it is never run.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from scorer.errors import InputError, Problem
from scorer.inputs.table_files import META_SHEET, SHEET
from scorer.inputs.table_layout import Column, parse_column, table_rows

CANDIDATE_KEYS = ("id", "name", "category", "description", "partners", "cost", "earliest_start",
                  "latest_finish", "requires", "excludes", "scores")
SCORE_KEYS = ("value", "low", "high", "rationale", "source")
_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")
_XML_SPACE = " \t\n"
HEADER_WIDTH = 14  # characters: a column wide enough to read its header's start


def csv_bytes(candidates: Sequence[Mapping[str, Any]]) -> bytes:
    """The candidates as CSV (UTF-8, comma-separated, header in row 1)."""
    header, rows = table_rows(candidates)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[_csv_cell(v) for v in row] for row in rows])
    return out.getvalue().encode("utf-8")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return _number_text(value)
    return str(value)


def _number_text(value: float) -> str:
    # The shortest text that reads back as the same float; integral values without ".0".
    return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)


def xlsx_bytes(candidates: Sequence[Mapping[str, Any]], currency: str | None,
               scales: Mapping[str, str] | None = None, labels: Mapping[str, Sequence[str]] | None = None,
               source: str = "the candidates") -> bytes:
    """The candidates as a workbook: sheet ``candidates`` (and ``meta`` with the currency).

    Parameters
    ----------
    candidates : sequence of mappings
        Each in the YAML form's shape.
    currency : str, optional
        Written to the ``meta`` sheet.
    scales : mapping, optional
        Criterion id -> its scale in words, shown as its header's comment.
    labels : mapping, optional
        Categorical criterion id -> its labels, offered as a list in its column.
    source : str
        The candidates' file, as messages name it.

    Raises
    ------
    InputError
        A text holds a control character a workbook cannot store.
    """
    from openpyxl import Workbook

    header, rows = table_rows(candidates)
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    _write_rows(sheet, [header, *rows], source)
    _dress(sheet, header, len(rows), scales or {}, labels or {})
    if currency is not None:
        meta = book.create_sheet(META_SHEET)
        _write_rows(meta, [["currency"], [currency]], source)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_rows(sheet, rows: Sequence[Sequence[Any]], source: str) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    header = rows[0]
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is None:
                continue
            if isinstance(value, str):
                why = _unstorable(value, ILLEGAL_CHARACTERS_RE)
                if why:
                    raise InputError([Problem(source, None, f"candidate {row[0]}, {header[c - 1]}", (
                        f"{why}; keep these candidates in YAML or CSV"))])
                value = _escaped(value)
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula stays text


def _unstorable(text: str, illegal: re.Pattern) -> str | None:
    if illegal.search(text):
        return "holds a control character a workbook cannot store"
    if _ESCAPE.search(text):
        # Readers decode _xHHHH_ as a character escape, and not all of them undo Excel's _x005F_ escape for it.
        return f"holds {_ESCAPE.search(text).group(0)}, which a workbook reader takes for a character escape"
    return None


def _escaped(text: str) -> str:
    """Text as a workbook stores it so that readers give it back as written.

    A carriage return as _x000D_ (XML reads a raw one as a newline), and
    leading and trailing spaces, tabs and newlines as escapes (readers may trim them).
    """
    text = text.replace("\r", "_x000D_")
    core = text.strip(_XML_SPACE)
    start = text.index(core) if core else len(text)
    lead, tail = text[:start], text[start + len(core):]
    return _spaces(lead) + core + _spaces(tail)


def _spaces(run: str) -> str:
    return "".join(f"_x{ord(ch):04X}_" for ch in run)


def _dress(sheet, header: Sequence[str], n: int, scales: Mapping[str, str], labels: Mapping[str, Sequence[str]]) -> None:
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet.freeze_panes = "B2"  # the header row and the id column stay in view
    for j, name in enumerate(header, start=1):
        letter = get_column_letter(j)
        sheet.column_dimensions[letter].width = max(HEADER_WIDTH, min(len(name) + 2, 40))
        column = parse_column(name)
        if not isinstance(column, Column) or column.kind != "score" or column.part != "value":
            continue
        if column.key in scales:
            sheet.cell(row=1, column=j).comment = Comment(scales[column.key], "coprod")
        if column.key in labels:
            listed = ",".join(labels[column.key])
            if len(listed) <= 255:  # Excel's limit for a list written inline
                check = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True)
                check.add(f"{letter}2:{letter}{max(n + 1, 1000)}")
                sheet.add_data_validation(check)


def yaml_data(candidates: Sequence[Mapping[str, Any]], currency: str | None) -> dict[str, Any]:
    """The candidates file's data in the YAML form's key order, numbers integral where they are."""
    data: dict[str, Any] = {"version": 1}
    if currency is not None:
        data["currency"] = currency
    data["candidates"] = [_ordered(c) for c in candidates]
    return data


def _ordered(candidate: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: _tidy(candidate[k]) for k in CANDIDATE_KEYS if k in candidate and k != "scores"}
    if "scores" in candidate:
        out["scores"] = {cid: (_tidy(s) if not isinstance(s, Mapping)
                               else {k: _tidy(s[k]) for k in SCORE_KEYS if k in s and s[k] not in (None, "")})
                         for cid, s in candidate["scores"].items()}
    return out


def _tidy(value: Any) -> Any:
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, list | tuple):
        return [_tidy(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _tidy(v) for k, v in value.items()}
    return value
