"""Broken and hostile candidates tables through the installed executable: a located line each, exit 1, no hang.

The library tests (tests/inputs/test_table_files.py) check every message;
these check what a user sees of them: ``coprod validate`` on a scenario
whose ``candidates:`` names the table prints the problem at its sheet, row
and column on stderr, nothing on stdout, no traceback, and exits 1 within
the subprocess timeout, with the real size caps (no monkeypatching here).
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

COPROD = Path(sys.executable).with_name("coprod")
ROOT = Path(__file__).resolve().parents[2]
CURRENCY = "USD million (notional)"


@pytest.fixture(scope="module")
def table_rows(tmp_path_factory) -> list[list[str]]:
    """The default candidates as CSV rows, written by ``coprod convert``."""
    folder = tmp_path_factory.mktemp("rows")
    done = subprocess.run([str(COPROD), "convert", str(ROOT / "candidates" / "us-japan.yaml"), "-o", "c.csv"],
                          cwd=folder, capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    with (folder / "c.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def validate(folder: Path, table: Path) -> subprocess.CompletedProcess:
    scenario = (ROOT / "scenarios" / "baseline.yaml").read_text(encoding="utf-8")
    line = f"candidates: {table.name}" + (f"\ncurrency: {CURRENCY}" if table.suffix == ".csv" else "")
    scenario = scenario.replace("candidates: ../candidates/us-japan.yaml", line, 1)
    scenario = scenario.replace("criteria: ../criteria/us-japan.yaml", "criteria: criteria.yaml", 1)
    shutil.copy(ROOT / "criteria" / "us-japan.yaml", folder / "criteria.yaml")
    (folder / "scenario.yaml").write_text(scenario, encoding="utf-8")
    return subprocess.run([str(COPROD), "validate", "scenario.yaml"], cwd=folder, capture_output=True,
                          timeout=60, check=False)


def assert_refused(done: subprocess.CompletedProcess, expected: str) -> None:
    err = done.stderr.decode()
    assert (done.returncode, done.stdout) == (1, b""), err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert lines[-1] in ("coprod: 1 problem found", f"coprod: {len(lines) - 1} problems found"), err
    assert any(line.startswith(expected) for line in lines[:-1]), (expected, err)


def edit(rows: list[list[str]], cid: str, column: str, value: str) -> list[list[str]]:
    out = [list(r) for r in rows]
    at = out[0].index(column)
    for row in out[1:]:
        if row[0] == cid:
            row[at] = value
    return out


def write_csv(path: Path, rows: list[list]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


def write_xlsx(path: Path, rows: list[list]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "candidates"
    for row in rows:
        sheet.append([_typed(v) for v in row])
    meta = book.create_sheet("meta")
    meta.append(["currency"])
    meta.append([CURRENCY])
    book.save(path)


def _typed(text: str):
    """A CSV cell as a workbook holds it: numbers as numbers, blanks as nothing."""
    if text == "":
        return None
    try:
        return float(text)
    except ValueError:
        return text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_score_out_of_its_scale_is_named_at_its_row_and_column(tmp_path, table_rows, fmt) -> None:
    rows = edit(table_rows, "gpi", "standardization", "12")
    for part in ("standardization.low", "standardization.high"):
        rows = edit(rows, "gpi", part, "")
    row = 1 + next(i for i, r in enumerate(rows[1:], start=1) if r[0] == "gpi")
    table = tmp_path / f"bad.{fmt}"
    (write_csv if fmt == "csv" else write_xlsx)(table, rows)
    where = f"bad.csv:{row}: " if fmt == "csv" else f"bad.xlsx: sheet candidates, row {row}, "
    assert_refused(validate(tmp_path, table),
                   where + "column standardization: 12 is outside the scale 0-10 of criterion 'standardization'")


def _zip_bomb(path: Path) -> None:
    # Just over the real 512 MiB cap, streamed so the test never holds it in memory.
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z, \
            z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
        chunk = b" " * 2**20
        for _ in range(513):
            part.write(chunk)


def _full_height(path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "candidates"
    book.active["A1"] = "id"
    book.active["A1048576"] = "x"
    book.save(path)


def _wide_xlsx(path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "candidates"
    book.active.append([f"c{j}" for j in range(6_000)])
    book.save(path)


def _unsaved_formula(path: Path, rows: list[list[str]]) -> None:
    write_xlsx(path, rows)
    book = openpyxl.load_workbook(path)
    book["candidates"]["A2"] = "=CONCAT(\"g\",\"pi\")"  # openpyxl saves a formula without its value
    book.save(path)


HOSTILE: dict[str, tuple[str, Callable[[Path, list[list[str]]], None], str]] = {
    "zip bomb": ("t.xlsx", lambda p, rows: _zip_bomb(p),
                 "t.xlsx: unzips to 513 MiB, over the 512 MiB a candidates workbook may hold"),
    "1,048,576-row sheet": ("t.xlsx", lambda p, rows: _full_height(p),
                            "t.xlsx: sheet candidates: has 1,048,575 rows and 1 columns; a candidates table holds"),
    "thousands of columns, xlsx": ("t.xlsx", lambda p, rows: _wide_xlsx(p),
                                   "t.xlsx: sheet candidates: has 0 rows and 6,000 columns"),
    "thousands of columns, CSV": ("t.csv", lambda p, rows: p.write_text(",".join(f"c{j}" for j in range(6_000))),
                                  "t.csv:1: has 6,000 columns; a candidates table holds at most 5,000 columns"),
    "NUL bytes": ("t.csv", lambda p, rows: p.write_bytes(b"id,name\ngpi,G\x00PI\n"),
                  "t.csv: holds NUL bytes: not a CSV text file"),
    "semicolons": ("t.csv", lambda p, rows: p.write_text("\n".join(";".join(r) for r in rows), encoding="utf-8"),
                   "t.csv:1: is not comma-separated: its header is split by ';'"),
    "formula without a saved value": ("t.xlsx", _unsaved_formula,
                                      "t.xlsx: sheet candidates, row 2, column id: is a formula without a saved value"),
    "formula-like text in a number column": (
        "t.csv", lambda p, rows: write_csv(p, edit(rows, "gpi", "cost.1", "=1+2")),
        "t.csv:2: column cost.1: '=1+2' is a formula as text, not a number; coprod never runs formulas"),
    "too large": ("t.csv", lambda p, rows: p.write_bytes(b"id," + b"x" * (64 * 2**20)), "t.csv: is more than 64.0 MiB"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_table_is_one_clear_message_and_exit_1(tmp_path, table_rows, case) -> None:
    name, write, expected = HOSTILE[case]
    write(tmp_path / name, table_rows)
    assert_refused(validate(tmp_path, tmp_path / name), expected)
