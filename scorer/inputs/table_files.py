"""Reading a candidates table (CSV or xlsx) into the YAML form's data, with every problem located.

A :class:`TableDocument` stands where a :class:`~scorer.inputs.yamlfile.YamlDocument`
does: its ``data`` is what the YAML form would hold (validated by the same
models, checked by the same cross-file rules), and :meth:`TableDocument.place`
turns a field path into ``sheet candidates, row 14, column standardization``
(CSV: line 14, ``column standardization``).

Hostile files are refused before any work grows with them: the file size,
the workbook's unzipped size (a zip bomb), the rows and columns of the
sheet. xlsx is read by python-calamine, which never evaluates a formula: a
formula cell gives the value its workbook saved.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import os
import re
import stat
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scorer.errors import InputError, Problem
from scorer.inputs.models import CriteriaFile
from scorer.inputs.table_layout import (
    YEAR_FIELDS,
    Column,
    column_of,
    is_blank,
    parse_column,
    parse_header,
    rows_data,
)
from scorer.inputs.workbook_scan import FlaggedCell, flagged_cells, unzipped_size
from scorer.inputs.yamlfile import MAX_FILE_BYTES

TABLE_SUFFIXES = (".csv", ".xlsx")
MAX_TABLE_ROWS = 100_000  # candidates in one table
MAX_TABLE_COLUMNS = 5_000
MAX_TABLE_CELLS = 20_000_000  # rows x columns of a sheet's area from A1 (10,000 candidates x 2,000 columns)
MAX_UNZIPPED_BYTES = 512 * 2**20  # a workbook's parts, decompressed (a zip bomb is refused before reading)
SHEET = "candidates"
META_SHEET = "meta"
MAX_CELL_PROBLEMS = 20  # formula or error cells listed one by one; then where more begin
INVALID = object()  # a cell already reported; the row's data is never validated
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)  # not '７' or '٧


@dataclass(frozen=True)
class TableDocument:
    """A candidates table read into the YAML form's data, and where each candidate's row is."""

    display: str
    data: dict[str, Any]
    rows: tuple[int, ...]  # the table row (1-based, header = 1) of each candidate in data["candidates"]
    sheet: str | None  # None for CSV
    digest: str  # sha256 of the file's bytes
    columns: dict[str, int] = field(default_factory=dict)  # header -> 1-based column number
    ids: tuple[str, ...] = ()  # a scores overlay: the candidate id of each row, which its field paths name
    currency_at: str | None = None  # where the currency was read (a workbook's meta sheet), if in the file

    @property
    def text(self) -> str:
        """No text to show or hash: a table is located by row and column (see :attr:`digest`)."""
        return ""

    def place(self, loc: Sequence[Any]) -> tuple[int | None, str]:
        """``(line, where)`` of a field path: CSV ``(14, "column x")``; xlsx ``(None, "sheet s, row 14, column x")``."""
        row = column = None
        if len(loc) >= 2 and loc[0] == "candidates" and isinstance(loc[1], int) and 0 <= loc[1] < len(self.rows):
            row, column = self.rows[loc[1]], column_of(loc[2:])
        elif len(loc) >= 2 and loc[0] == "scores" and loc[1] in self.ids:
            row = self.rows[self.ids.index(loc[1])]
            column = column_of(("scores", *loc[2:])) if len(loc) > 2 else "id"  # the row itself: its id
        elif loc and loc[0] == "currency" and self.currency_at is not None:
            return None, self.currency_at
        elif loc and loc[0] != "candidates":
            column = str(loc[0])
        return self.where(row, column)

    def where(self, row: int | None, column: str | None) -> tuple[int | None, str]:
        """``(line, where)`` of a row and column of the table (either may be None)."""
        parts = [] if column is None else [f"column {column}"]
        if self.sheet is None:
            return row, ", ".join(parts)
        return None, ", ".join([f"sheet {self.sheet}", *([] if row is None else [f"row {row}"]), *parts])


def categorical(criteria: CriteriaFile | None) -> frozenset[str]:
    """The ids of the categorical criteria, whose table cells are labels (even ``3``); see :func:`read_table`."""
    return frozenset(c.id for c in criteria.criteria if c.is_categorical) if criteria is not None else frozenset()


def is_table(path: str | Path) -> bool:
    """Whether ``path`` names a table by its suffix (``.csv``, ``.xlsx``)."""
    return Path(path).suffix.lower() in TABLE_SUFFIXES


def read_table(path: Path, display: str, currency: str | None = None, kind: str = "candidates",
               labels: frozenset[str] = frozenset()) -> TableDocument:
    """Read a candidates table into a :class:`TableDocument`.

    Parameters
    ----------
    path : Path
        A ``.csv`` or ``.xlsx`` file.
    display : str
        How the file is named in messages.
    currency : str, optional
        The file-level ``currency`` when the table does not carry one (CSV;
        an xlsx without a ``meta`` sheet).
    kind : str
        ``candidates``, or ``scores`` for a partner's scores overlay: an
        ``id`` column and criterion columns, read as the YAML form's
        ``scores: {candidate id: {criterion id: score}}``; ``auto``: scores
        when the header has neither ``name`` nor ``cost.1``.
    labels : frozenset of str
        The categorical criteria: their score cells are labels as written,
        even ``3`` (a number elsewhere).

    Raises
    ------
    InputError
        Unreadable, too large, not a table of that kind, or cells that break
        the layout, each problem with its row and column.
    """
    raw = _read_bytes(path, display)
    digest = hashlib.sha256(raw).hexdigest()
    if path.suffix.lower() == ".csv":
        grid, lines = _csv_grid(raw, display)
        return _from_grid(display, None, grid, currency, digest, kind, labels, lines)
    grid, sheet, meta = _xlsx_grids(path, raw, display)
    own = _meta_currency(meta, display, currency)
    doc = _from_grid(display, sheet, grid, own or currency, digest, kind, labels)
    return replace(doc, currency_at=META_CURRENCY) if own is not None else doc


def _read_bytes(path: Path, display: str) -> bytes:
    def fail(message: str) -> InputError:
        return InputError([Problem(display, None, "", message)])

    try:
        # O_NONBLOCK: opening a FIFO with no writer would otherwise wait for ever.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise fail("file not found") from None
    except OSError as exc:
        raise fail(f"cannot be read ({exc.strerror or exc})") from None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise fail("is not a file")
        try:
            raw = f.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise fail(f"cannot be read ({exc.strerror or exc})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise fail(f"is more than {MAX_FILE_BYTES / 2**20:.1f} MiB")
    return raw


# ------------------------------------------------------------------- CSV ---


def _csv_grid(raw: bytes, display: str) -> tuple[list[list[Any]], list[int]]:
    """The CSV's records and the line each starts on."""
    if b"\x00" in raw:
        raise InputError([Problem(display, None, "", "holds NUL bytes: not a CSV text file (an xlsx saved as .csv?)")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(display, None, "", f"is not UTF-8 (byte {exc.start}); save it as CSV UTF-8")]) from None
    _refuse_wide_lines(text, display)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    grid: list[list[Any]] = []
    lines = [1]  # the line each record starts on: a quoted field may hold line breaks
    try:
        for cells in reader:
            if len(grid) > MAX_TABLE_ROWS:
                raise InputError([Problem(display, None, "", _too_many_rows())])
            if len(cells) > MAX_TABLE_COLUMNS:
                raise InputError([Problem(display, lines[-1], "", (
                    f"has {len(cells):,} columns; a candidates table holds at most {MAX_TABLE_COLUMNS:,} columns"))])
            grid.append(cells)
            lines.append(reader.line_num + 1)
    except csv.Error as exc:
        raise InputError([Problem(display, reader.line_num, "", f"is not valid CSV ({exc})")]) from None
    if grid and len(grid[0]) == 1 and any(sep in grid[0][0] for sep in ";\t|"):
        sep = next(s for s in ";\t|" if s in grid[0][0])
        raise InputError([Problem(display, 1, "", f"is not comma-separated: its header is split by {sep!r}")])
    return grid, lines[:-1]


_WIDE_LINE = re.compile(r"^(?:[^,\n]*,){%d}" % MAX_TABLE_COLUMNS, re.M)


def _refuse_wide_lines(text: str, display: str) -> None:
    """Refuse a record too wide before the csv module builds it (a 64 MiB line of commas is a GiB as a list).

    Only a line without quotes, not inside a quoted field (an even number of
    quotes before it), is surely that many fields; others are counted as read.
    """
    if max(map(len, text.split("\n")), default=0) < MAX_TABLE_COLUMNS:
        return  # no line is long enough to hold that many commas (about 10x faster than the search)
    counted, quotes = 0, 0  # quotes before ``counted``, counted on from there: each byte is counted once
    for wide in _WIDE_LINE.finditer(text):
        quotes += text.count('"', counted, wide.start())
        counted = wide.start()
        end = text.find("\n", wide.start())
        line = text[wide.start():len(text) if end < 0 else end]
        if '"' not in line and quotes % 2 == 0:
            raise InputError([Problem(display, text.count("\n", 0, wide.start()) + 1, "", (
                f"has {line.count(',') + 1:,} columns; a candidates table holds at most {MAX_TABLE_COLUMNS:,} columns"))])


# ------------------------------------------------------------------ xlsx ---


def _xlsx_grids(path: Path, raw: bytes, display: str) -> tuple[list[list[Any]], str, list[list[Any]] | None]:
    _check_zip(raw, display)
    from python_calamine import CalamineWorkbook  # ~10 ms; only a workbook needs it

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        names = book.sheet_names
        if not names:
            raise InputError([Problem(display, None, "", "lists no sheet (its xl/workbook.xml is missing or empty)")])
        name = SHEET if SHEET in names else names[0]
        grid = _sheet_grid(book, name, display)  # a blank cell is "", which is_blank takes as blank
        flagged = flagged_cells(raw, names.index(name), MAX_CELL_PROBLEMS + 1)
        meta = _sheet_grid(book, META_SHEET, display) if META_SHEET in names else None
    except (InputError, KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - calamine's errors are unexported; a Rust panic is a BaseException
        raise InputError([Problem(display, None, "", f"is not a readable xlsx workbook ({_first_line(exc)})")]) from None
    if flagged is None:
        raise InputError([Problem(display, None, f"sheet {name}", (
            "cannot be checked for formulas without a saved value: its part is not where the workbook's "
            "relationships say; save the workbook again in a spreadsheet program"))])
    if flagged:
        shown = [_flagged_problem(display, name, grid, cell) for cell in flagged[:MAX_CELL_PROBLEMS]]
        if len(flagged) > MAX_CELL_PROBLEMS:
            where = f"sheet {name}, row {flagged[MAX_CELL_PROBLEMS].row}"
            shown.append(Problem(display, None, where, "and more cells like these from here on"))
        raise InputError(shown)
    return grid, name, meta


def _flagged_problem(display: str, sheet: str, grid: list[list[Any]], cell: FlaggedCell) -> Problem:
    where = f"sheet {sheet}, row {cell.row}, column {_header_at(grid, cell.column)}"
    if cell.error is not None:
        return Problem(display, None, where, (
            f"is the error value {cell.error} (a formula that failed?); coprod never runs formulas: "
            "correct it in a spreadsheet program and save, or type the value"))
    return Problem(display, None, where, (
        "is a formula without a saved value; coprod never runs formulas: open and save the workbook in a "
        "spreadsheet program, or type the value"))


def _header_at(grid: list[list[Any]], column: int) -> str:
    header = grid[0] if grid else []
    return str(header[column]).strip() if column < len(header) and not _empty(header[column]) else _letters(column)


def _letters(column: int) -> str:
    out = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


def _sheet_grid(book: Any, name: str, display: str) -> list[list[Any]]:
    """A sheet's cells from A1 to its last used cell, refused first if that area is too large."""
    sheet = book.get_sheet_by_name(name)
    rows, columns = (sheet.end[0] + 1, sheet.end[1] + 1) if sheet.end is not None else (0, 0)
    if rows > MAX_TABLE_ROWS + 1 or columns > MAX_TABLE_COLUMNS or rows * columns > MAX_TABLE_CELLS:
        raise InputError([Problem(display, None, f"sheet {name}", _too_big(rows - 1, columns))])
    return sheet.to_python(skip_empty_area=False)


def _check_zip(raw: bytes, display: str) -> None:
    try:
        unzipped = unzipped_size(raw)
    except (zipfile.BadZipFile, ValueError, OSError):
        raise InputError([Problem(display, None, "", "is not an xlsx workbook (not a zip archive)")]) from None
    if unzipped > MAX_UNZIPPED_BYTES:
        raise InputError([Problem(display, None, "", (
            f"unzips to {unzipped / 2**20:.0f} MiB, over the {MAX_UNZIPPED_BYTES / 2**20:.0f} MiB a candidates "
            "workbook may hold (a zip bomb?)"))])


META_CURRENCY = f"sheet {META_SHEET}, row 2, column currency"


def _meta_currency(meta: list[list[Any]] | None, display: str, given: str | None) -> str | None:
    """The ``currency`` of a workbook's meta sheet (None without one), checked against the one ``given`` beside it."""
    if not meta:
        return None
    header = [str(c).strip() if c is not None else "" for c in meta[0]]
    if "currency" not in header or len(meta) < 2:
        raise InputError([Problem(display, None, f"sheet {META_SHEET}", "needs a header 'currency' in row 1 and its value in row 2")])
    value = meta[1][header.index("currency")]
    if is_blank(value):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InputError([Problem(display, None, META_CURRENCY, f"is a {type(value).__name__} cell; write the currency as text")])
    text = _plain(float(value)) if not isinstance(value, str) else value
    if given is not None and given != text:
        raise InputError([Problem(display, None, META_CURRENCY, (
            f"is {text!r}, but {given!r} is given for this table too; give the currency in one place"))])
    return text


# ---------------------------------------------------- grid -> candidates ---


def _from_grid(display: str, sheet: str | None, grid: list[list[Any]], currency: str | None, digest: str,
               kind: str = "candidates", labels: frozenset[str] = frozenset(),
               lines: Sequence[int] | None = None) -> TableDocument:
    """The document of a grid (row 1 the header); ``lines``: the CSV line each grid row starts on."""
    blank = TableDocument(display, {}, (), sheet, digest)
    if not grid or all(_empty(c) for c in grid[0]):
        raise InputError([Problem(display, 1 if sheet is None else None, "", "has no header in row 1")])
    names = [("" if _empty(c) else str(c).strip()) for c in grid[0]]
    if len(names) > MAX_TABLE_COLUMNS:
        raise InputError([Problem(display, None, "", _too_big(len(grid) - 1, len(names)))])
    if kind == "auto":  # a partner's overlay has neither a name nor a cost column
        kind = "candidates" if {"name", "cost.1"} & set(names) else "scores"
    columns, header_problems = parse_header(names, kind)
    columns = [_as_label(c) if c is not None and c.kind == "score" and c.key in labels and c.part == "value" else c
               for c in columns]
    problems = [_at(blank, 1, _column_name(names, j, sheet) if j < len(names) else None, m) for j, m in header_problems]
    # An empty row is skipped (spaces count as empty here: a row is data or it is not).
    body = [(r, cells) for r, cells in enumerate(grid[1:], start=1) if not all(_empty(c) for c in cells)]
    rows = tuple(lines[r] if lines is not None else r + 1 for r, _ in body)
    candidates, cell_problems = _body_data(columns, names, [cells for _, cells in body], typed=sheet is not None)
    problems += [_at(blank, rows[i], _column_name(names, j, sheet), m) for i, j, m in cell_problems]
    numbers = {n: j + 1 for j, n in enumerate(names) if n}
    if kind == "scores":
        return _overlay(TableDocument(display, {}, rows, sheet, digest, numbers), candidates, problems)
    if problems:
        raise InputError(problems)
    data: dict[str, Any] = {"version": 1, "candidates": candidates}
    if currency is not None:
        data["currency"] = currency
    return TableDocument(display, data, rows, sheet, digest, numbers)


def _column_name(names: list[str], j: int, sheet: str | None) -> str:
    """How column ``j`` is named in a message: its header, else its letter (xlsx) or number (CSV)."""
    if j < len(names) and names[j]:
        return names[j]
    return f"{_letters(j) if sheet is not None else j + 1} (no header)"


def _overlay(doc: TableDocument, rows: list[dict[str, Any]], problems: list[Problem]) -> TableDocument:
    """A scores overlay's rows as ``{candidate id: scores}``; a row's id given twice is a problem."""
    first: dict[str, int] = {}
    for r, row in zip(doc.rows, rows):
        cid = str(row.get("id", ""))
        if cid in first:
            problems.append(_at(doc, r, "id", f"{cid!r} appears twice (also row {first[cid]})"))
        first.setdefault(cid, r)
    if problems:
        raise InputError(problems)
    ids = tuple(str(row.get("id", "")) for row in rows)
    data = {"version": 1, "scores": {cid: row.get("scores", {}) for cid, row in zip(ids, rows)}}
    return TableDocument(doc.display, data, doc.rows, doc.sheet, doc.digest, doc.columns, ids)


def _body_data(columns: list[Column | None], names: list[str], body: list[Sequence[Any]],
               typed: bool) -> tuple[list[dict[str, Any]], list[tuple[int, int, str]]]:
    """Each data row's candidate data and the problems ``(row index, column index, message)``, a column at a time."""
    width = len(columns)
    problems = _headerless_cells(names, body)
    grid = [list(cells[:width]) + [""] * (width - len(cells)) for cells in body]
    values = []
    for j, cells in enumerate(zip(*grid) if grid else [()] * width):
        column = columns[j]
        if column is None:
            values.append([None] * len(grid))
            continue
        converted, cell_problems = column_values(column, cells, typed)
        values.append(converted)
        problems += [(i, j, m) for i, m in cell_problems]
    data, layout_problems = rows_data(columns, values, len(grid))
    return data, problems + layout_problems


def _headerless_cells(names: list[str], body: list[Sequence[Any]]) -> list[tuple[int, int, str]]:
    """A filled cell under a blank header, or right of the last header (a refused header is said once, at row 1)."""
    blank = [j for j, name in enumerate(names) if not name]
    return [(i, j, "has a value but no header")
            for i, cells in enumerate(body)
            for j in [*(j for j in blank if j < len(cells)), *range(len(names), len(cells))]
            if not _empty(cells[j])]


def column_values(column: Column, cells: Sequence[Any], typed: bool = False) -> tuple[list[Any], list[tuple[int, str]]]:
    """The values of one column's cells (None if blank), and the problems as ``(row index, message)``.

    A column of plain numbers or plain text is converted in one pass; any
    other goes cell by cell through :func:`cell_value`, which says what is
    wrong with a cell.
    """
    fast = _plain_column(column, cells, typed)
    if fast is not None:
        return fast, []
    values, problems = [], []
    for i, cell in enumerate(cells):
        value, why = cell_value(column, cell, typed)
        if why:
            problems.append((i, why))
            value = INVALID  # present, so that the layout does not call it blank too
        values.append(value)
    return values, problems


def _plain_column(column: Column, cells: Sequence[Any], typed: bool) -> list[Any] | None:
    """The column's values if every cell is plain text (a text column) or a plain number, else None.

    Gives exactly what :func:`cell_value` gives cell by cell, in a tenth of
    the time: 10,000 x 500 cells is most of a large table's reading.
    """
    if column.text:
        if set(map(type, cells)) != {str}:  # exactly str: no number, date or TRUE/FALSE here
            return None
        return list(cells) if "" not in cells else [c if c else None for c in cells]
    filled = [c for c in cells if c != ""]
    if typed:
        if not set(map(type, filled)) <= {float, int}:  # a bool is neither
            return None
        numbers = list(map(float, filled))
    else:
        joined = "".join(filled)
        if not joined.isascii() or "_" in joined:  # float() takes '1_0' and '٧', the layout does not
            return None
        try:
            numbers = list(map(float, filled))
        except ValueError:  # a label, spaces, text that is no number: cell by cell
            return None
    if not math.isfinite(sum(numbers)):  # 'nan', 'inf' (or a sum that overflows: then cell by cell)
        return None
    if not typed and 0.0 in numbers and any(_underflows(c) for c in filled):  # '1e-400'
        return None
    values = numbers if len(numbers) == len(cells) else _with_blanks(cells, numbers)
    if column.key in YEAR_FIELDS:
        return [int(v) if v is not None and v.is_integer() else v for v in values]
    return values


def _with_blanks(cells: Sequence[Any], numbers: list[float]) -> list[float | None]:
    """``numbers`` (the filled cells' values, in order) with None at each blank cell."""
    filled = iter(numbers)
    return [None if c == "" else next(filled) for c in cells]


def _as_label(column: Column) -> Column:
    """A categorical criterion's score column: its cells are labels, read as text."""
    return Column(column.kind, column.key, "label")


def _empty(cell: Any) -> bool:
    return (is_blank(cell) and not isinstance(cell, float)) or (isinstance(cell, str) and not cell.strip())


def cell_value(column: Column, cell: Any, typed: bool = False) -> tuple[Any, str | None]:
    """A cell's value for its column (None if blank), or None and why it cannot be one.

    ``typed``: the cell comes from a workbook, which stores numbers as numbers,
    so a number stored as text is a mistake to point out; in CSV all is text.
    """
    if isinstance(cell, float) and math.isnan(cell):  # a workbook's <v>NaN</v>: no blank cell reads so
        return None, f"is not a number (NaN); write {_wanted(column)}"
    if is_blank(cell):
        return None, None
    if isinstance(cell, bool):
        return None, f"is a TRUE/FALSE cell ({cell}); write {_wanted(column)}"
    if isinstance(cell, dt.date | dt.datetime | dt.time | dt.timedelta):
        return None, f"is a date or time cell ({_when(cell)}); write {_wanted(column)} (format the cell as a number or text)"
    if column.text:
        return (_plain(cell) if isinstance(cell, float) else str(cell)), None
    if isinstance(cell, float | int):
        return _number(column, float(cell))
    text = str(cell).strip()
    if not text:
        return None, None  # spaces in a number's cell: blank
    if _NUMBER.fullmatch(text):
        if typed:
            return None, f"is the text {text!r}, not a number (format the cell as a number)"
        if _underflows(text):
            return None, f"{text!r} is too small to store: it would be read as 0 (write 0, or use other units)"
        return _number(column, float(text))
    if column.numeric and text.startswith("="):
        return None, f"{text!r} is a formula as text, not a number; coprod never runs formulas: write its value"
    if column.numeric:
        return None, f"{text!r} is not a number"
    return text, None  # a score's categorical label


def _underflows(text: str) -> bool:
    """Whether a number's text is not zero but reads as 0.0 (``1e-400``)."""
    return float(text) == 0 and any(d in "123456789" for d in text.lower().partition("e")[0])


def _number(column: Column, value: float) -> tuple[Any, str | None]:
    if not math.isfinite(value):
        return None, "must be a finite number"
    if column.key in YEAR_FIELDS and value.is_integer():
        return int(value), None
    return value, None


def _when(cell: dt.date | dt.datetime | dt.time | dt.timedelta) -> str:
    if isinstance(cell, dt.datetime) and cell.time() == dt.time():
        return cell.date().isoformat()
    return cell.isoformat() if hasattr(cell, "isoformat") else str(cell)


def _plain(value: float) -> str:
    """A number typed into a text column (an id 7, a category 2030), as text."""
    return str(int(value)) if value.is_integer() else repr(value)


def _wanted(column: Column) -> str:
    return "a number" if column.numeric else "text" if column.text else "a number or a label"


def _at(doc: TableDocument, row: int | None, column: str | None, message: str) -> Problem:
    line, where = doc.where(row, column)
    return Problem(doc.display, line, where, message)


def _too_many_rows() -> str:
    return f"has more than {MAX_TABLE_ROWS:,} rows (at most {MAX_TABLE_ROWS:,} candidates in one table)"


def _too_big(rows: int, columns: int) -> str:
    return (f"has {rows:,} rows and {columns:,} columns; a candidates table holds at most "
            f"{MAX_TABLE_ROWS:,} candidates, {MAX_TABLE_COLUMNS:,} columns and {MAX_TABLE_CELLS:,} cells")


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]


def unknown_criteria(doc: TableDocument, criteria: set[str]) -> list[Problem]:
    """Header problems: score columns of criteria the criteria file does not define, even if every cell is blank.

    A misspelt criterion must not be ignored; the YAML form names it at each
    candidate, a table once, at its header.
    """
    problems = []
    for name in doc.columns:
        column = parse_column(name)
        if isinstance(column, Column) and column.kind == "score" and column.key not in criteria:
            known = ", ".join(sorted(criteria))
            problems.append(_at(doc, 1, name, f"unknown criterion {column.key!r} (the criteria are {known})"))
    return problems
