"""Rendering result tables and writing them safely.

Every command's data leaves through here: tables become text (or an Excel
workbook) in one of the formats below, and files are written atomically
(temporary file and rename in the same folder), so an error never leaves half
a file behind. On a terminal the ``table`` format is drawn by rich; anywhere
else it is plain aligned text, so scripts and tests see stable bytes.
"""

from __future__ import annotations

import errno
import io
import json
import math
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from scorer.errors import OutputError

FORMATS = ("table", "csv", "json", "markdown", "xlsx")
_SUFFIX_FORMATS = {".csv": "csv", ".json": "json", ".md": "markdown", ".markdown": "markdown", ".txt": "table",
                   ".xlsx": "xlsx"}
# A spreadsheet runs a cell starting with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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
    would split the row there.
    """
    safe = df.copy()
    for col in safe.columns:
        if safe[col].dtype == object or pd.api.types.is_string_dtype(safe[col]):
            safe[col] = safe[col].map(lambda v: _mark_cr(neutralise(v)))
    safe.columns = [_mark_cr(neutralise(str(c))) for c in safe.columns]
    buf = io.StringIO()
    safe.to_csv(buf, index=False, lineterminator="\n", float_format=_float_text)
    return buf.getvalue().replace(_CR_MARK, "\r")


# A newline makes the writer quote the cell; NUL never reaches here from an input
# file (the loader refuses it) and is dropped from text cells, so the mark is unambiguous.
_CR_MARK = "\n\x00"


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
    """A GitHub-flavoured Markdown table; pipes and newlines in text are escaped."""

    def esc(value: Any) -> str:
        return _cell(value, digits).replace("\\", "\\\\").replace("|", "\\|")

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


def write_atomic(path: str | Path, data: str | bytes, protected: Iterable[Path] = ()) -> None:
    """Write a whole file or nothing: a temporary file in the same folder, then rename.

    Parameters
    ----------
    path : str or Path
        The file to write.
    data : str or bytes
        The complete content (text is written as UTF-8).
    protected : iterable of Path
        Files that must never be overwritten (the inputs of the run).
    """
    target = Path(path)
    refuse_link_loop(target, f"{path}: cannot write")
    if any(_same_file(target, p) for p in protected if p is not None):
        raise OutputError(f"{path}: refusing to overwrite an input file")
    folder = target.parent if str(target.parent) else Path(".")
    if not _is_dir(folder):
        raise OutputError(f"{path}: folder {folder} does not exist")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); give it the mode a plain write would.
        os.chmod(tmp, _file_mode(target))
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
        raise


def _is_dir(folder: Path) -> bool:
    try:
        return folder.is_dir()
    except OSError:  # e.g. a name too long for the file system: not a folder we can write into
        return False


def _file_mode(target: Path) -> int:
    """The replaced file's permissions, or for a new file 0666 less the umask."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _same_file(a: Path, b: Path) -> bool:
    # realpath, not Path.resolve: on a symbolic link loop it stops instead of raising RuntimeError.
    return os.path.realpath(a) == os.path.realpath(b)


def refuse_link_loop(path: Path, what: str) -> None:
    """Raise :class:`OutputError` ``"{what} (Too many levels of symbolic links)"`` when ``path`` runs into a loop.

    A loop (``ln -s a b; ln -s b a``) leads to no file: writing "through" it
    has no meaning, so it is refused as a shell's ``>`` refuses it.
    """
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutputError(f"{what} ({exc.strerror})") from None


def emit(text: str, output: str | None, protected: Iterable[Path] = ()) -> None:
    """Send text to stdout (no output, or ``-``) or atomically to a file."""
    if output is None or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_atomic(output, text, protected)


def write_with(path: str | Path, writer: Callable[[str], None], protected: Iterable[Path] = ()) -> None:
    """Write a file produced by a library that only writes to a path (e.g. an LP model).

    ``writer`` fills a temporary file in the target folder; its bytes then go
    through :func:`write_atomic`, with the same checks (input files, missing
    folder) and the same whole-or-nothing guarantee.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    refuse_link_loop(target, f"{path}: cannot write")
    if any(_same_file(target, p) for p in protected if p is not None):
        raise OutputError(f"{path}: refusing to overwrite an input file")
    if not _is_dir(folder):
        raise OutputError(f"{path}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=target.suffix)
    os.close(fd)
    try:
        writer(tmp)
        write_atomic(target, Path(tmp).read_bytes(), protected)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_model(prob: Any, path: str | Path, protected: Iterable[Path] = ()) -> None:
    """Write a PuLP problem as LP or MPS (by suffix), whole or not at all, keeping its sense.

    Parameters
    ----------
    prob : pulp.LpProblem
        The model.
    path : str or Path
        Ends in ``.mps`` (written with OBJSENSE, so a maximisation stays one)
        or anything else (LP format).
    protected : iterable of Path
        Files that must never be overwritten.
    """
    if Path(path).suffix.lower() == ".mps":
        write_with(path, lambda tmp: prob.writeMPS(tmp, with_objsense=True), protected)
    else:
        write_with(path, prob.writeLP, protected)


# ------------------------------------------------------------------ terminal ---


def printable(value: Any) -> str:
    """Text with every control character replaced, safe to show on a terminal."""
    text = "" if value is None else str(value)
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def rich_table(df: pd.DataFrame, digits: int = 2, title: str | None = None) -> Any:
    """A :class:`rich.table.Table` of ``df``: numbers right-aligned, header styled.

    Every cell is a :class:`rich.text.Text`, so markup in input text (a name
    such as ``[bold]x[/]`` or ``[link=...]``) prints literally.
    """
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(printable(title)) if title else None, header_style="bold cyan",
                  title_justify="left", title_style="bold")
    for col in df.columns:
        numeric = pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col])
        table.add_column(Text(printable(col)), justify="right" if numeric else "left")
    for row in df.itertuples(index=False, name=None):
        table.add_row(*(Text(_cell(v, digits)) for v in row))
    return table


def terminal_console(file: Any = None) -> Any:
    """A rich Console on ``file`` (stdout): colour only on a terminal and without NO_COLOR."""
    from rich.console import Console

    # rich reads NO_COLOR itself and drops colour when the file is not a terminal.
    return Console(file=file or sys.stdout, highlight=False, emoji=False, markup=False)


def _rich_sections(sections: list[tuple[str | None, pd.DataFrame, int]], preamble: str, footer: str) -> None:
    from rich.text import Text

    console = terminal_console()
    if preamble:
        console.print(Text(printable(preamble.rstrip("\n"))))
    for title, df, digits in sections:
        console.print(rich_table(df, digits, title))
    if footer:
        console.print(Text(printable(footer.strip("\n"))))


# --------------------------------------------------------------------- excel ---

# Fixed workbook times, so that the same tables always give the same bytes.
_EPOCH = (1980, 1, 1, 0, 0, 0)
_INTEGER_COLUMNS = ("year", "rank", "start", "finish", "projects", "n")
_SHARE_WORDS = ("share", "effective_weight", "gap", "probability", "frequency")


def number_format(column: str, series: pd.Series) -> str | None:
    """Excel number format of a column: integers for years and ranks, percent for shares, else 0.00."""
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        return None
    name = str(column).lower()
    if pd.api.types.is_integer_dtype(series) or name in _INTEGER_COLUMNS or name.endswith("_year"):
        return "0"
    if any(word in name for word in _SHARE_WORDS):
        return "0.0%"
    return "0.00"


def to_xlsx(tables: Mapping[str, pd.DataFrame]) -> bytes:
    """An Excel workbook with one sheet per table, as deterministic bytes.

    Each sheet has a bold, frozen header row, a number format per numeric
    column (:func:`number_format`) and widths fitted to the text. Text cells
    a spreadsheet would run as a formula are prefixed with ``'`` (OWASP), and
    control characters are replaced. The workbook's created/modified times
    and the zip entries' times are fixed, so reruns give identical bytes.
    """
    import datetime

    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, df in tables.items():
        _fill_sheet(wb.create_sheet(_sheet_name(name, wb.sheetnames)), df)
    if not wb.sheetnames:
        wb.create_sheet("empty")
    fixed = datetime.datetime(*_EPOCH)
    wb.properties.created = wb.properties.modified = fixed
    wb.properties.creator = "coprod"
    return _save_fixed(wb)


def _sheet_name(name: str, taken: list[str]) -> str:
    # Excel forbids []:*?/\ in sheet names and limits them to 31 characters.
    clean = "".join("_" if ch in "[]:*?/\\" or not ch.isprintable() else ch for ch in str(name))[:31] or "sheet"
    base, n = clean, 2
    while clean in taken:
        clean = f"{base[:28]}_{n}"
        n += 1
    return clean


def _xlsx_cell(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float | int | bool):
        return value
    return neutralise(printable(value))


def _fill_sheet(ws: Any, df: pd.DataFrame) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws.append([_xlsx_cell(str(c)) for c in df.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in df.itertuples(index=False, name=None):
        ws.append([_xlsx_cell(v) for v in row])
    ws.freeze_panes = "A2"
    for j, col in enumerate(df.columns, start=1):
        letter = get_column_letter(j)
        fmt = number_format(col, df[col])
        if fmt is not None:
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.number_format = fmt
        width = max([len(str(col))] + [len(_cell(v, 2)) for v in df[col]])
        ws.column_dimensions[letter].width = min(max(width + 2, 8), 60)


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
    sys.stderr.write(f"coprod: note: {message}\n")


def xlsx_destination(output: str | None) -> None:
    """Refuse to send a binary workbook to a terminal (a file or a pipe is fine)."""
    if (output is None or output == "-") and sys.stdout.isatty():
        raise OutputError("xlsx is a binary format: write it to a file with -o FILE.xlsx, or pipe it")


def emit_tables(tables: Mapping[str, pd.DataFrame], fmt: str, output: str | None,
                protected: Iterable[Path] = (), *, titles: Mapping[str, str] | None = None,
                digits: int | Mapping[str, int] = 2, preamble: str = "", footer: str = "",
                document: Any = None, note: Callable[[str], None] | None = _stderr_note) -> None:
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
    """
    titles = titles or {}
    places = (lambda name: digits.get(name, 2)) if isinstance(digits, Mapping) else (lambda name: digits)
    if fmt == "xlsx":
        xlsx_destination(output)
        _emit_bytes(to_xlsx(tables), output, protected)
        return
    if fmt == "json":
        emit(to_json(document if document is not None else {k: _records(v) for k, v in tables.items()}),
             output, protected)
        return
    main = next(iter(tables))
    if fmt == "csv":
        left = [k for k in tables if k != main]
        if left and note is not None:
            note(f"CSV holds the {main} table only (not {', '.join(left)}); use --format json, markdown or xlsx")
        emit(render(tables[main], "csv"), output, protected)
        return
    sections = [(titles.get(k), df, places(k)) for k, df in tables.items()]
    if fmt == "table" and (output is None or output == "-") and sys.stdout.isatty():
        _rich_sections(sections, preamble, footer)
        return
    emit(_text_sections(sections, fmt, preamble, footer), output, protected)


def _text_sections(sections: list[tuple[str | None, pd.DataFrame, int]], fmt: str, preamble: str,
                   footer: str) -> str:
    parts = []
    for title, df, places in sections:
        head = "" if not title else (f"### {printable(title)}\n\n" if fmt == "markdown" else f"{printable(title)}:\n\n")
        parts.append(head + render(df, fmt, places))
    return preamble + "\n".join(parts) + footer


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    clean = table.astype(object).where(table.notna(), None)
    return clean.to_dict(orient="records")


def _emit_bytes(data: bytes, output: str | None, protected: Iterable[Path]) -> None:
    if output is None or output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        write_atomic(output, data, protected)
