"""``coprod convert`` and ``coprod init --format`` through the installed executable.

The default candidates converted to xlsx and CSV, each used in a scenario,
give byte-identical ``score`` and ``optimize`` outputs to the YAML scenario.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

COPROD = Path(sys.executable).with_name("coprod")
ROOT = Path(__file__).resolve().parents[2]


def coprod(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(COPROD), *args], cwd=cwd, capture_output=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("convert")
    for sub in ("criteria", "candidates", "scenarios"):
        shutil.copytree(ROOT / sub, folder / sub)
    for fmt in ("xlsx", "csv"):
        done = coprod("convert", "candidates/us-japan.yaml", "-o", f"candidates/us-japan.{fmt}",
                      "--criteria", "criteria/us-japan.yaml", cwd=folder)
        assert (done.returncode, done.stdout) == (0, b""), done.stderr
        notes = done.stderr.decode().splitlines()
        assert "coprod: note: comments are not carried into a table (the source file keeps them)" in notes
        text = (folder / "scenarios" / "baseline.yaml").read_text(encoding="utf-8")
        line = f"candidates: ../candidates/us-japan.{fmt}"
        if fmt == "csv":
            line += "\ncurrency: USD million (notional)"
            assert any("write 'currency: USD million (notional)' beside 'candidates:'" in n for n in notes), notes
        (folder / "scenarios" / f"{fmt}.yaml").write_text(
            text.replace("candidates: ../candidates/us-japan.yaml", line, 1), encoding="utf-8")
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("command", [["score", "--format", "csv"], ["optimize", "--format", "json"],
                                     ["optimize", "--format", "csv"]])
def test_a_table_scenario_prints_the_same_bytes_as_the_yaml_one(converted, fmt, command) -> None:
    yaml = coprod(command[0], "scenarios/baseline.yaml", *command[1:], cwd=converted)
    table = coprod(command[0], f"scenarios/{fmt}.yaml", *command[1:], cwd=converted)
    assert yaml.returncode == table.returncode == 0, table.stderr
    assert table.stdout == yaml.stdout and yaml.stdout


@pytest.mark.slow
def test_back_to_yaml_is_the_same_candidates_and_stdout_carries_only_the_file(converted) -> None:
    back = coprod("convert", "candidates/us-japan.xlsx", "-o", "-", "--to", "yaml", cwd=converted)
    assert back.returncode == 0 and back.stderr == b"", back.stderr
    (converted / "candidates" / "back.yaml").write_bytes(back.stdout)
    scenario = (converted / "scenarios" / "baseline.yaml").read_text(encoding="utf-8")
    (converted / "scenarios" / "back.yaml").write_text(scenario.replace("candidates/us-japan.yaml", "candidates/back.yaml", 1), encoding="utf-8")
    a = coprod("score", "scenarios/baseline.yaml", "--format", "json", cwd=converted)
    b = coprod("score", "scenarios/back.yaml", "--format", "json", cwd=converted)
    assert a.stdout == b.stdout and a.returncode == 0


@pytest.mark.slow
def test_a_csv_source_takes_its_currency_from_the_command_line_or_says_it_has_none(converted) -> None:
    given = coprod("convert", "candidates/us-japan.csv", "-o", "-", "--to", "yaml", "--currency", "JPY billion",
                   cwd=converted)
    assert given.returncode == 0 and given.stderr == b"", given.stderr
    assert b"\ncurrency: JPY billion\n" in given.stdout
    silent = coprod("convert", "candidates/us-japan.csv", "-o", "-", "--to", "yaml", cwd=converted)
    assert silent.returncode == 0 and b"\ncurrency: money units\n" in silent.stdout
    assert silent.stderr.decode().splitlines() == [
        "coprod: note: candidates/us-japan.csv has no currency (a CSV table's is in its scenario): the yaml file "
        "says the default 'money units'; give the currency to set it; on the command line: --currency"]
    clash = coprod("convert", "candidates/us-japan.yaml", "-o", "x.csv", "--currency", "JPY", cwd=converted)
    assert clash.returncode == 1 and b"gives its own currency 'USD million (notional)'" in clash.stderr


@pytest.mark.slow
def test_csv_and_xlsx_on_stdout_are_read_by_their_readers(converted) -> None:
    out = coprod("convert", "candidates/us-japan.yaml", "-o", "-", "--to", "csv", cwd=converted)
    rows = list(csv.DictReader(io.StringIO(out.stdout.decode("utf-8"))))
    assert len(rows) == 13 and rows[0]["id"] == "gpi" and {"name", "cost.1", "standardization"} <= rows[0].keys()
    book = coprod("convert", "candidates/us-japan.yaml", "-o", "-", "--to", "xlsx", cwd=converted)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(book.stdout)).get_sheet_by_name("candidates")
    assert sheet.to_python()[0][:2] == ["id", "name"] and len(sheet.to_python()) == 14


@pytest.mark.slow
def test_convert_refuses_with_one_line_each(converted) -> None:
    cases = {
        ("convert", "candidates/us-japan.yaml", "-o", "x.txt"): (2, "name a .yaml, .csv or .xlsx file"),
        ("convert", "candidates/nosuch.yaml", "-o", "x.csv"): (1, "nosuch.yaml"),
        ("convert", "candidates/us-japan.yaml", "-o", "candidates/us-japan.yaml"): (1, "input file"),
        ("convert", "criteria/us-japan.yaml", "-o", "x.csv"): (1, "criteria/us-japan.yaml"),
        ("convert", "candidates/us-japan.yaml", "-o", "x.csv", "--to", "xlsx"): (2, "names a csv file but"),
    }
    for args, (code, words) in cases.items():
        done = coprod(*args, cwd=converted)
        lines = done.stderr.decode().splitlines()
        assert done.returncode == code and done.stdout == b"", (args, done.stderr)
        assert lines and lines[0].startswith("coprod: error: ") and words in lines[0], (args, lines)
        assert b"Traceback" not in done.stderr


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_init_writes_the_starter_candidates_as_a_table_that_validates(tmp_path, fmt) -> None:
    done = coprod("init", "starter", "--format", fmt, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "starter").iterdir()) == sorted(
        ["scenario.yaml", "criteria.yaml", f"candidates.{fmt}"])
    valid = coprod("validate", "starter/scenario.yaml", cwd=tmp_path)
    assert valid.returncode == 0 and valid.stdout.startswith(b"starter/scenario.yaml: valid"), valid
    yaml = coprod("init", "yaml", cwd=tmp_path)
    assert yaml.returncode == 0
    a = coprod("optimize", "starter/scenario.yaml", "--format", "json", cwd=tmp_path)
    b = coprod("optimize", "yaml/scenario.yaml", "--format", "json", cwd=tmp_path)
    assert a.stdout == b.stdout and a.returncode == 0
