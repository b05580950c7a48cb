"""Rendering result tables and writing them safely.

Every command's data leaves through here: tables become text (or an Excel
workbook) in one of the formats below, and files are written atomically
(temporary file and rename in the same folder), so an error never leaves half
a file behind. On a terminal the ``table`` format is drawn by rich; anywhere
else it is plain aligned text, so scripts and tests see stable bytes.
"""

from __future__ import annotations

import io
import json
import math
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from scorer import columns
from scorer.errors import Notice, OutputError, one_line
from scorer.files import write_atomic
from scorer.present.rendering import md_cell, md_text

FORMATS = ("table", "csv", "json", "markdown", "xlsx")
_SUFFIX_FORMATS = {".csv": "csv", ".json": "json", ".md": "markdown", ".markdown": "markdown", ".txt": "table",
                   ".xlsx": "xlsx"}
# A spreadsheet runs a cell starting with one of these as a formula; Japanese Excel also
# takes the full-width and small forms of = + - @ (and the minus sign) as the sign that starts one.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\u2212",
                  "\ufe66", "\ufe62", "\ufe63", "\ufe6b")
# Control characters a CSV cell must not carry raw: a terminal runs them (`cat out.csv`) and a
# spreadsheet shows garbage. Tab, newline and CR are data (the writer quotes the last two).
_CSV_CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def choose_format(requested: str | None, output: str | None) -> str:
    """The output format: as requested, else from the file suffix, else by terminal.

    On a terminal the default is a readable table; piped or redirected
    output defaults to CSV so that it can be read by other tools.
    """
    if requested is not None:
        return requested
    if output is not None and output != "-":
        return _SUFFIX_FORMATS.get(Path(output).suffix.lower(), "csv")
    return "table" if sys.stdout.isatty() else "csv"


def neutralise(value: Any) -> Any:
    """Make a text cell inert for spreadsheets (OWASP CSV injection advice)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(df: pd.DataFrame) -> str:
    """CSV text with formula-like text cells neutralised and floats kept exact.

    A carriage return inside a cell is quoted like a newline: Python's csv
    writer with a ``\n`` line end would leave it bare, and every reader
    would split the row there. Other control characters (ESC, BEL, DEL, the
    C1 range) become U+FFFD, the replacement character.
    """
    safe = df.copy()
    for col in safe.columns:
        if safe[col].dtype == object or pd.api.types.is_string_dtype(safe[col]):
            safe[col] = safe[col].map(lambda v: _mark_cr(neutralise(_csv_text(v))))
    safe.columns = [_mark_cr(neutralise(_csv_text(str(c)))) for c in safe.columns]
    buf = io.StringIO()
    safe.to_csv(buf, index=False, lineterminator="\n", float_format=_float_text)
    return buf.getvalue().replace(_CR_MARK, "\r")


# A newline makes the writer quote the cell; NUL never reaches here from an input
# file (the loader refuses it) and is dropped from text cells, so the mark is unambiguous.
_CR_MARK = "\n\x00"


def _csv_text(value: Any) -> Any:
    return _CSV_CONTROL.sub("\ufffd", value) if isinstance(value, str) else value


def _mark_cr(value: Any) -> Any:
    if isinstance(value, str) and ("\r" in value or "\x00" in value):
        return value.replace("\x00", "").replace("\r", _CR_MARK)
    return value


def _float_text(x: float) -> str:
    return repr(round(float(x), 10)) if math.isfinite(x) else str(x)


def to_table(df: pd.DataFrame, digits: int = 2) -> str:
    """A plain aligned text table (numbers right-aligned) for terminals."""
    cols = [str(c) for c in df.columns]
    rows = [[_cell(v, digits) for v in row] for row in df.itertuples(index=False, name=None)]
    numeric = [pd.api.types.is_numeric_dtype(df[c]) for c in df.columns]
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(cols)]

    def line(cells: Iterable[str]) -> str:
        out = [c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, numeric)]
        return "  ".join(out).rstrip()

    return "\n".join([line(cols), line("-" * w for w in widths), *(line(r) for r in rows)]) + "\n"


def _cell(value: Any, digits: int) -> str:
    if value is pd.NA:  # a missing integer (nullable Int64 columns)
        return ""
    if isinstance(value, float) and math.isnan(value):  # no value (an infeasible level has no objective)
        return ""
    if isinstance(value, float):
        return f"{value:.{digits}f}" if math.isfinite(value) else str(value)
    # Control characters from input files must not drive the terminal.
    return printable(value)


def to_markdown(df: pd.DataFrame, digits: int = 2) -> str:
    """A GitHub-flavoured Markdown table, its text escaped as in report.md (:func:`~scorer.present.rendering.md_cell`).

    No HTML, comment, link or code span starts in a cell, and pipes do not split it.
    """
    def esc(value: Any) -> str:
        return md_cell(_cell(value, digits))

    numeric = [pd.api.types.is_numeric_dtype(df[c]) for c in df.columns]
    head = "| " + " | ".join(esc(c) for c in df.columns) + " |"
    rule = "|" + "|".join("---:" if n else "---" for n in numeric) + "|"
    body = ["| " + " | ".join(esc(v) for v in row) + " |" for row in df.itertuples(index=False, name=None)]
    return "\n".join([head, rule, *body]) + "\n"


def to_json(obj: Any) -> str:
    """Deterministic JSON (sorted keys, no NaN) of a plain object or a table."""
    if isinstance(obj, pd.DataFrame):
        obj = obj.to_dict(orient="records")
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False, default=_jsonable) + "\n"


def _jsonable(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def render(df: pd.DataFrame, fmt: str, digits: int = 2) -> str:
    """Render a table in one of :data:`FORMATS` (``digits``: decimals shown in table and markdown)."""
    if fmt == "csv":
        return to_csv(df)
    if fmt == "json":
        return to_json(df)
    if fmt == "markdown":
        return to_markdown(df, digits)
    if fmt == "table":
        return to_table(df, digits)
    if fmt == "xlsx":
        raise OutputError("this output cannot be written as xlsx (choose table, csv, json or markdown)")
    raise OutputError(f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})")




def emit(text: str, output: str | None, protected: Iterable[Path] = (), force: bool = False) -> None:
    """Send text to stdout (no output, or ``-``) or to a file with :func:`write_atomic`."""
    if output is None or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_atomic(output, text, protected, force)


# ------------------------------------------------------------------ terminal ---


def printable(value: Any) -> str:
    """Text with every control character replaced, safe to show on a terminal."""
    text = "" if value is None else str(value)
    # str.isprintable() refuses every space but " ": a name such as 航空機　整備
    # (with U+3000, the ideographic space) keeps its spaces.
    return "".join(ch if ch.isprintable() or unicodedata.category(ch) == "Zs" else "?" for ch in text)


def rich_table(df: pd.DataFrame, digits: int = 2, title: str | None = None,
               widths: list[int] | None = None) -> Any:
    """A :class:`rich.table.Table` of ``df``: numbers right-aligned, header styled.

    Every cell is a :class:`rich.text.Text`, so markup in input text (a name
    such as ``[bold]x[/]`` or ``[link=...]``) prints literally. Numbers and
    flags never wrap; lists of ids wrap between ids; text such as names
    folds. ``widths`` fixes each column's width (see :func:`fit_columns`).
    """
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(printable(title)) if title else None, header_style="bold cyan",
                  title_justify="left", title_style="bold")
    for j, col in enumerate(df.columns):
        kind = columns.kind_of(df, col)
        table.add_column(Text(printable(col)), justify="right" if kind in columns.NUMERIC else "left",
                         no_wrap=kind not in (columns.TEXT, columns.ID), overflow="fold",
                         width=None if widths is None else widths[j])
    for row in df.itertuples(index=False, name=None):
        table.add_row(*(Text(_cell(v, digits)) for v in row))
    return table


# Text columns are given at least this width, or that of their longest word up to
# _WORD_MAX, so that a name folds inside a word only when the word is very long.
_TEXT_MIN = 12
_WORD_MAX = 20


def _bounds(df: pd.DataFrame, digits: int) -> list[tuple[int, int]]:
    """Each column's least and most width: the least cuts no number and splits no id."""
    from rich.cells import cell_len

    bounds = []
    for col in df.columns:
        kind = columns.kind_of(df, col)
        head = cell_len(printable(col))
        cells = [_cell(v, digits) for v in df[col]]
        most = max([head] + [cell_len(c) for c in cells])
        word = max([0] + [cell_len(w) for c in cells for w in c.split()])
        if kind == columns.TEXT:
            least = min(most, max(_TEXT_MIN, head, min(word, _WORD_MAX)))
        elif kind == columns.ID:  # ids separated by spaces may wrap between them
            least = max(head, word)
        else:
            least = most
        bounds.append((least, most))
    return bounds


def _table_width(widths: Iterable[int]) -> int:
    widths = list(widths)
    return sum(widths) + 3 * len(widths) + 1  # a space either side of each cell, a rule between, two edges


def _share(bounds: list[tuple[int, int]], width: int) -> list[int]:
    """Widths from the least up, the spare columns going to the narrowest column that can use one."""
    widths = [least for least, _ in bounds]
    spare = width - _table_width(widths)
    while spare > 0:
        grow = [j for j, (_, most) in enumerate(bounds) if widths[j] < most]
        if not grow:
            break
        widths[min(grow, key=lambda j: widths[j])] += 1
        spare -= 1
    return widths


def fit_columns(df: pd.DataFrame, digits: int, width: int) -> tuple[list[list[Any]], list[Any]]:
    """Split a table's columns into parts that each fit ``width``, so nothing is cut.

    The leading key columns (the first column, or up to and including an id
    in the first two) start every part; the other columns fill parts in
    order. A column too wide even beside the keys is left out.

    Returns
    -------
    parts : list of list
        The column labels of each part, to draw one under the other.
    left_out : list
        Columns that cannot be drawn at this width.
    """
    names = list(df.columns)
    least = dict(zip(names, (lo for lo, _ in _bounds(df, digits))))
    if _table_width(least.values()) <= width or len(names) < 2:
        return [names], []
    ids = [j for j, c in enumerate(df.columns[:2]) if columns.kind_of(df, c) == columns.ID]
    keys = names[:ids[0] + 1] if ids else names[:1]
    if _table_width(least[k] for k in keys) > width:
        keys = []
    parts: list[list[Any]] = []
    left_out: list[Any] = []
    current = list(keys)
    for name in names[len(keys):]:
        if _table_width(least[c] for c in [*current, name]) <= width:
            current.append(name)
        elif _table_width(least[c] for c in [*keys, name]) <= width:
            parts.append(current)
            current = [*keys, name]
        else:
            left_out.append(name)
    parts.append(current)
    return [part for part in parts if len(part) > len(keys)] or [keys], left_out


def terminal_console(file: Any = None) -> Any:
    """A rich Console on ``file`` (stdout): colour only on a terminal and without NO_COLOR."""
    from rich.console import Console

    # rich reads NO_COLOR itself and drops colour when the file is not a terminal.
    return Console(file=file or sys.stdout, highlight=False, emoji=False, markup=False)


def _rich_sections(sections: list[tuple[str | None, pd.DataFrame, int]], preamble: str, footer: str) -> None:
    from rich.text import Text

    console = terminal_console()
    if preamble:  # its own lines kept, each made printable
        console.print(Text(_lines(preamble.rstrip("\n"), printable)))
    for title, df, digits in sections:
        parts, left_out = fit_columns(df, digits, console.width)
        for k, part in enumerate(p for p in parts if p):
            heading = title if k == 0 else f"{title or ''} (continued)".strip()
            shown = df[part]
            console.print(rich_table(shown, digits, heading, _share(_bounds(shown, digits), console.width)))
        if left_out:
            names = printable(", ".join(map(str, left_out)))
            console.print(Text(f"left out, too wide for {console.width} columns: {names} "
                               "(see them with --format csv, json or xlsx)"))
    if footer:
        console.print(Text(_lines(footer.strip("\n"), printable)))


# --------------------------------------------------------------------- excel ---

# Fixed workbook times, so that the same tables always give the same bytes.
_EPOCH = (1980, 1, 1, 0, 0, 0)
_NUMBER_FORMATS = {columns.FRACTION: "0.0%", columns.PERCENT: "0.00", columns.MONEY: "#,##0.00",
                   columns.POINTS: "0.00", columns.NUMBER: "General", columns.COUNT: "0", columns.YEAR: "0"}
_HEADER_FONT = "Calibri"
# What XML cannot hold (or, for CR, would turn into LF), written the OOXML way as _xHHHH_ ...
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\r\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# ... so a literal _xHHHH_ in the text must have its underscore escaped, or a reader would decode it.
_XML_ESCAPE_LIKE = re.compile("_(?=x[0-9A-Fa-f]{4}_)")


def number_format(kind: str) -> str | None:
    """Excel number format for a column kind (:mod:`scorer.columns`); None for text and flags.

    Only fractions show as a percentage; a kind nobody declared is a plain number.
    """
    return _NUMBER_FORMATS.get(kind)


def xlsx_text(value: Any) -> str:
    """Text as a workbook cell holds it: unchanged, but for what XML cannot carry.

    Control characters become OOXML escapes (ESC is ``_x001B_``), which
    Excel and calamine read back as the character itself; tab and newline
    stay as they are.
    """
    text = _XML_ESCAPE_LIKE.sub("_x005F_", str(value))
    if text and not text.strip():
        # openpyxl marks text xml:space="preserve" only when something is left after
        # str.strip(), so XML parsers would drop the spaces, tabs and line ends of
        # whitespace-only text; escaped, each survives.
        text = "".join(f"_x{ord(ch):04X}_" if ch in " \t\r\n" else ch for ch in text)
    return _XML_UNSAFE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def to_xlsx(tables: Mapping[str, pd.DataFrame], about: Iterable[tuple[str, Any]] = (),
            titles: Mapping[str, str] | None = None) -> bytes:
    """An Excel workbook with one sheet per table (and an ``about`` sheet), as deterministic bytes.

    Each sheet has a bold, frozen header row, a number format per numeric
    column from its kind (:func:`number_format`), widths fitted to the text
    and a landscape print layout one page wide with the header repeated.
    Text is stored as text cells, which a spreadsheet never runs as a
    formula, so it needs no ``'`` guard. ``about`` (label, value) rows and
    each table's title go into a last sheet saying what the workbook is. The
    workbook's created/modified times and the zip entries' times are fixed,
    so reruns give identical bytes.
    """
    import datetime

    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, df in tables.items():
        _fill_sheet(wb.create_sheet(_sheet_name(name, wb.sheetnames)), df)
    about = list(about)
    if about or titles:
        sheets = [(f"sheet {sheet}", (titles or {})[name]) for name, sheet in zip(tables, wb.sheetnames)
                  if (titles or {}).get(name)]
        _fill_sheet(wb.create_sheet(_sheet_name("about", wb.sheetnames)), _about_table([*about, *sheets]))
    if not wb.sheetnames:
        wb.create_sheet("empty")
    fixed = datetime.datetime(*_EPOCH)
    wb.properties.created = wb.properties.modified = fixed
    wb.properties.creator = "coprod"
    return _save_fixed(wb)


def _about_table(rows: list[tuple[str, Any]]) -> pd.DataFrame:
    table = pd.DataFrame({"about": [label for label, _ in rows],
                          "value": pd.Series([value for _, value in rows], dtype=object)})
    return columns.declare(table, {"about": columns.TEXT, "value": columns.NUMBER})


def _sheet_name(name: str, taken: list[str]) -> str:
    # Excel forbids []:*?/\ in sheet names and limits them to 31 characters.
    clean = "".join("_" if ch in "[]:*?/\\" or not ch.isprintable() else ch for ch in str(name))[:31] or "sheet"
    base, n = clean, 2
    while clean in taken:
        clean = f"{base[:28]}_{n}"
        n += 1
    return clean


def _xlsx_cell(ws: Any, value: Any, fmt: str | None) -> Any:
    from openpyxl.cell.cell import Cell

    if value is None or value is pd.NA or (isinstance(value, float) and not math.isfinite(value)):
        return Cell(ws)
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float | int | bool):
        cell = Cell(ws, value=value)
        if fmt is not None and not isinstance(value, bool):
            cell.number_format = fmt
        return cell
    cell = Cell(ws, value=xlsx_text(value))
    # openpyxl would store "=..." as a formula and "#N/A" as an error: it is text.
    cell.data_type = "s"
    return cell


def _fill_sheet(ws: Any, df: pd.DataFrame) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws.append([_xlsx_cell(ws, str(c), None) for c in df.columns])
    for cell in ws[1]:
        cell.font = Font(name=_HEADER_FONT, bold=True)
    formats = [number_format(columns.kind_of(df, c)) for c in df.columns]
    for row in df.itertuples(index=False, name=None):
        ws.append([_xlsx_cell(ws, v, fmt) for v, fmt in zip(row, formats)])
    ws.freeze_panes = "A2"
    _print_layout(ws)
    for j, col in enumerate(df.columns, start=1):
        width = max([len(str(col))] + [len(_cell(v, 2)) for v in df[col]])
        ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 8), 60)


def _print_layout(ws: Any) -> None:
    # Landscape, as wide as one page, as many pages down as needed, the header on each.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def _save_fixed(wb: Any) -> bytes:
    import zipfile

    from openpyxl.writer.excel import ExcelWriter

    def fixed(name: Any) -> Any:
        if not isinstance(name, str):
            return name
        info = zipfile.ZipInfo(name, date_time=_EPOCH)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        return info

    class FixedTimeZip(zipfile.ZipFile):
        # openpyxl names entries by string, which stamps them with the current time.
        def writestr(self, name: Any, data: Any, *args: Any, **kwargs: Any) -> None:
            super().writestr(fixed(name), data, *args, **kwargs)

        def open(self, name: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            return super().open(fixed(name) if mode == "w" else name, mode, *args, **kwargs)

        def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
            # Worksheets arrive as temporary files, which carry their own times.
            self.writestr(str(arcname or filename), Path(filename).read_bytes())

    buf = io.BytesIO()
    with FixedTimeZip(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    return buf.getvalue()


# --------------------------------------------------------------- many tables ---


def _stderr_note(message: str) -> None:
    sys.stderr.write(f"coprod: note: {one_line(message)}\n")


def xlsx_destination(output: str | None) -> None:
    """Refuse to send a binary workbook to a terminal (a file or a pipe is fine)."""
    binary_destination(output, "xlsx")


def binary_destination(output: str | None, fmt: str) -> None:
    """Refuse to send a binary format (``xlsx``, ``png``) to a terminal: it would print garbage."""
    if (output is None or output == "-") and sys.stdout.isatty():
        raise OutputError(f"{fmt} is a binary format: write it to a file such as FILE.{fmt}, or pipe it",
                          settings=("output",))


def emit_tables(tables: Mapping[str, pd.DataFrame], fmt: str, output: str | None,
                protected: Iterable[Path] = (), *, summary: Mapping[str, pd.DataFrame] | None = None,
                titles: Mapping[str, str] | None = None,
                digits: int | Mapping[str, int] = 2, preamble: str = "", footer: str = "",
                document: Any = None, note: Callable[[str], None] | None = _stderr_note,
                about: Iterable[tuple[str, Any]] = (), bom: bool = False, force: bool = False) -> None:
    """Write several named tables in one format: the single way commands emit results.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        The tables in order; the first is the main one.
    fmt : str
        ``table``/``markdown``: titled sections (rich tables on a terminal);
        ``json``: ``document`` if given, else an object of arrays by name;
        ``csv``: the main table only (``note`` is told when others are left
        out); ``xlsx``: one sheet per table.
    output : str or None
        A file, or None/``-`` for stdout.
    protected : iterable of Path
        Input files that must never be overwritten.
    summary : mapping of str to DataFrame, optional
        What CSV and the text formats show when it is less than the workbook
        and JSON hold (fewer tables, rows or columns); by default ``tables``.
    titles : mapping, optional
        Heading of each table in the text formats (none: no heading).
    digits : int or mapping
        Decimals shown in the text formats, for all tables or per table.
    preamble, footer : str
        Text before and after the tables in the text formats.
    document : object, optional
        The JSON document to write instead of the object of arrays.
    note : callable, optional
        Receives a message for stderr (None: stay silent).
    about : iterable of (str, object)
        What the results are (scenario, currency, status...): the workbook's
        ``about`` sheet, with each table's title.
    bom : bool
        Start CSV with a UTF-8 byte order mark, so that Excel reads it as
        UTF-8 and not as the system code page.
    force : bool
        Replace a read-only output file.
    """
    titles = titles or {}
    places = (lambda name: digits.get(name, 2)) if isinstance(digits, Mapping) else (lambda name: digits)
    if fmt == "xlsx":
        xlsx_destination(output)
        emit_bytes(to_xlsx(tables, about, titles), output, protected, force)
        return
    if fmt == "json":
        emit(to_json(document if document is not None else {k: records(v) for k, v in tables.items()}),
             output, protected, force)
        return
    tables = tables if summary is None else summary
    main = next(iter(tables))
    if fmt == "csv":
        left = [k for k in tables if k != main]
        if left and note is not None:
            note(Notice(f"CSV holds the {main} table only (not {', '.join(left)}); the json, markdown and xlsx "
                        "formats hold every table", settings=("format",)))
        text = render(tables[main], "csv")
        if bom:
            emit_bytes(text.encode("utf-8-sig"), output, protected, force)
        else:
            emit(text, output, protected, force)
        return
    sections = [(titles.get(k), df, places(k)) for k, df in tables.items()]
    if fmt == "table" and (output is None or output == "-") and sys.stdout.isatty():
        _rich_sections(sections, preamble, footer)
        return
    emit(_text_sections(sections, fmt, preamble, footer), output, protected, force)


def _text_sections(sections: list[tuple[str | None, pd.DataFrame, int]], fmt: str, preamble: str,
                   footer: str) -> str:
    # Each line of text around the tables is made inert as their cells are.
    inert = md_text if fmt == "markdown" else printable
    parts = []
    for title, df, places in sections:
        head = "" if not title else (f"### {inert(title)}\n\n" if fmt == "markdown" else f"{inert(title)}:\n\n")
        parts.append(head + render(df, fmt, places))
    return _lines(preamble, inert) + "\n".join(parts) + _lines(footer, inert)


def _lines(text: str, inert: Callable[[Any], str]) -> str:
    return "\n".join(inert(line) for line in text.split("\n"))


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Table rows as JSON-safe dicts (NaN becomes null)."""
    clean = table.astype(object).where(table.notna(), None)
    return clean.to_dict(orient="records")


def emit_bytes(data: bytes, output: str | None, protected: Iterable[Path], force: bool = False) -> None:
    """Send bytes to stdout (no output, or ``-``) or to a file with :func:`write_atomic`."""
    if output is None or output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        write_atomic(output, data, protected, force)
