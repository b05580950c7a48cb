"""Rendering result tables and writing them safely.

Every command's data leaves through here: tables become text in one of the
formats below, and files are written atomically (temporary file and rename in
the same folder), so an error never leaves half a file behind.
"""

from __future__ import annotations

import io
import json
import math
import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from scorer.errors import OutputError

FORMATS = ("table", "csv", "json", "markdown")
_SUFFIX_FORMATS = {".csv": "csv", ".json": "json", ".md": "markdown", ".markdown": "markdown", ".txt": "table"}
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
    """CSV text with formula-like text cells neutralised and floats kept exact."""
    safe = df.copy()
    for col in safe.columns:
        if safe[col].dtype == object or pd.api.types.is_string_dtype(safe[col]):
            safe[col] = safe[col].map(neutralise)
    safe.columns = [neutralise(str(c)) for c in safe.columns]
    buf = io.StringIO()
    safe.to_csv(buf, index=False, lineterminator="\n", float_format=_float_text)
    return buf.getvalue()


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
    if isinstance(value, float):
        return f"{value:.{digits}f}" if math.isfinite(value) else str(value)
    text = "" if value is None else str(value)
    # Control characters from input files must not drive the terminal.
    return "".join(ch if ch.isprintable() else "?" for ch in text)


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
    if any(_same_file(target, p) for p in protected if p is not None):
        raise OutputError(f"{path}: refusing to overwrite an input file")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
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
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
        raise


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == Path(b).resolve()
    except OSError:
        return False


def emit(text: str, output: str | None, protected: Iterable[Path] = ()) -> None:
    """Send text to stdout (no output, or ``-``) or atomically to a file."""
    if output is None or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_atomic(output, text, protected)
