"""What the installed coprod writes, as the programs that read it see it.

Workbooks are opened by python-calamine (a Rust reader, not the openpyxl
that wrote them) for their values and by openpyxl for their number formats;
CSV is decoded the way Excel does with a byte order mark; terminal tables are
drawn on a real pty (``script``) at 80 and 120 columns. Every run is the
installed executable in a subprocess, on the shipped default scenario (the
figures of issue 12: contributions 66.30 and 65.90, gpi's 2350 of cost,
gap_to_best 6.37).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from rich.cells import cell_len

pytestmark = pytest.mark.slow  # every test here takes seconds (measured with --durations)


COPROD = shutil.which("coprod") or str(Path(sys.executable).with_name("coprod"))
SAMPLES = ("--samples", "40", "--portfolio-samples", "4", "--workers", "1")


def coprod(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run([COPROD, "-q", *args], cwd=cwd, capture_output=True, timeout=600)
    assert result.returncode == 0, result.stderr.decode()
    return result


# ------------------------------------------------------------------ workbooks ---

# The default scenario, but the re-solving commands run on the small one of testkit (seconds, not minutes).
COMMANDS = {
    "score": ("score",),
    "weights": ("weights",),
    "optimize": ("optimize",),
    "alternatives": ("alternatives", "-k", "3"),
    "explained": ("optimize", "scenario.yaml", "--explain"),
    "sensitivity": ("sensitivity", "scenario.yaml", *SAMPLES),
}


@pytest.fixture(scope="module")
def books(write_case, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, object, Path]]:
    """Each command's workbook, its JSON, and its CSV, written with -o by the installed coprod."""
    folder = tmp_path_factory.mktemp("books")
    write_case(folder)
    out = {}
    for name, args in COMMANDS.items():
        for suffix in ("xlsx", "json", "csv") if name == "optimize" else ("xlsx", "json"):
            coprod(*args, "-o", f"{name}.{suffix}", cwd=folder)
        out[name] = (folder / f"{name}.xlsx", json.loads((folder / f"{name}.json").read_text()),
                     folder / f"{name}.csv")
    return out


def sheet(path: Path, name: str) -> list[dict[str, object]]:
    """A sheet as calamine reads it, as records (an empty cell is None, as in the JSON)."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()
    return [{h: (None if v == "" else v) for h, v in zip(rows[0], row)} for row in rows[1:]]


def formats(path: Path, name: str) -> dict[str, set[str]]:
    """Each column's number formats over its numeric cells (openpyxl: calamine gives no formats)."""
    ws = openpyxl.load_workbook(path)[name]
    head = [c.value for c in ws[1]]
    found: dict[str, set[str]] = {h: set() for h in head}
    for row in ws.iter_rows(min_row=2):
        for h, cell in zip(head, row):
            if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                found[h].add(cell.number_format)
    return found


def same(a: object, b: object) -> bool:
    if a in ("", None) and b in ("", None):
        return True  # an empty text is an empty cell
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, int | float):
        return a == b
    return isinstance(b, int | float) and math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def assert_same_records(got: list[dict], want: list[dict]) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert list(g) == list(w) or set(g) == set(w)
        bad = {k: (g[k], w[k]) for k in w if not same(g[k], w[k])}
        assert not bad, bad


def only_percent_in(found: dict[str, set[str]], fractions: set[str]) -> None:
    """Exactly the fraction columns show a percentage."""
    shown = {col for col, fmts in found.items() if any("%" in f for f in fmts)}
    assert shown == {c for c in fractions if found.get(c)}, shown


def test_score_workbook(books) -> None:
    path, rows, _ = books["score"]
    assert_same_records(sheet(path, "ranking"), rows)
    found = formats(path, "ranking")
    criteria = [c for c in rows[0] if c not in ("rank", "id", "name", "score")]
    assert found["rank"] == {"0"} and found["score"] == {"0.00"}
    assert all(found[c] == {"0.00"} for c in criteria)  # contributions are points, workshare_balance too
    only_percent_in(found, set())
    ship = next(r for r in sheet(path, "ranking") if r["id"] == "ship-mro")
    assert ship["workshare_balance"] == pytest.approx(4.2)  # the 420.0 % is 4.2 points


def test_weights_workbook(books) -> None:
    path, doc, _ = books["weights"]
    assert_same_records(sheet(path, "weights"), doc["criteria"])
    found = formats(path, "weights")
    assert found["effective_weight"] == {"0.0%"} and found["raw_weight"] == {"General"}
    only_percent_in(found, {"effective_weight"})


def test_optimize_workbook(books) -> None:
    path, doc, csv_path = books["optimize"]
    with csv_path.open(newline="", encoding="utf-8") as fh:
        want = [{k: _number(v) for k, v in row.items()} for row in csv.DictReader(fh)]
    assert_same_records(sheet(path, "portfolio"), want)  # the CSV's columns, discounted_value included
    found = formats(path, "portfolio")
    assert found["start"] == found["finish"] == {"0"}
    assert found["value"] == found["discounted_value"] == {"0.00"}
    assert found["cost_total"] == found["cost_US"] == found["cost_JP"] == {"#,##0.00"}
    only_percent_in(found, set())
    schedule = formats(path, "schedule")
    assert schedule.pop("year") == {"0"} and {f for v in schedule.values() for f in v} == {"#,##0.00"}
    about = {r["about"]: r["value"] for r in sheet(path, "about")}
    assert about["command"] == "coprod optimize" and about["scenario"] == "Baseline 2026-2035"
    assert about["currency"] == "USD million (notional)" and "notional" in about["figures"]
    assert about["status"] == doc["status"] and about["objective"] == pytest.approx(doc["objective"], rel=1e-12)
    version = subprocess.run([COPROD, "--version"], capture_output=True, text=True).stdout
    assert about["coprod version"] in version
    assert CalamineWorkbook.from_path(str(path)).sheet_names == ["portfolio", "schedule", "about"]


def test_optimize_explain_workbook(books) -> None:
    path, doc, _ = books["explained"]
    assert_same_records(sheet(path, "limits"), doc["limits"])
    assert_same_records(sheet(path, "thresholds"), doc["thresholds"])
    limits, thresholds = formats(path, "limits"), formats(path, "thresholds")
    assert limits["bound"] == limits["used"] == {"General"}  # money, projects or shares, by limit
    assert limits["gain_removed"] <= {"0.00"} and thresholds["threshold"] == thresholds["margin"] == {"0.00"}
    only_percent_in(limits, set())
    about = {r["about"]: r["value"] for r in sheet(path, "about")}
    assert about["scenario"] == "Test scenario" and about["scenario file"] == "scenario.yaml"
    assert "sheet limits" in about and "sheet thresholds" in about


def test_alternatives_workbook(books) -> None:
    path, doc, _ = books["alternatives"]
    assert_same_records(sheet(path, "alternatives"), doc["alternatives"])
    assert_same_records(sheet(path, "roles"), doc["roles"])
    found = formats(path, "alternatives")
    assert found["gap_to_best"] == found["gap_pct"] == found["objective"] == {"0.00"}
    only_percent_in(found, set())
    second = sheet(path, "alternatives")[1]
    assert second["gap_to_best"] == pytest.approx(6.36927, abs=1e-5)  # shown 6.37, not 636.9 %
    assert second["gap_pct"] == pytest.approx(1.22425, abs=1e-5)  # shown 1.22, not 122.4 %
    about = {r["about"]: r["value"] for r in sheet(path, "about")}
    assert about["objective"] == pytest.approx(doc["alternatives"][0]["objective"], rel=1e-12)


def test_sensitivity_workbook(books) -> None:
    path, doc, _ = books["sensitivity"]
    for name in ("acceptability", "flips", "portfolios"):
        assert_same_records(sheet(path, name), doc[name])
    acceptability = formats(path, "acceptability")
    assert acceptability["expected_rank"] == {"General"}
    only_percent_in(acceptability, {c for c in acceptability if c.startswith("rank_")} | {"core_index"})
    only_percent_in(formats(path, "flips"), {"weight", "top_low", "top_high", "portfolio_low", "portfolio_high"})
    portfolios = formats(path, "portfolios")
    assert portfolios["count"] == portfolios["projects"] == {"0"}
    only_percent_in(portfolios, {"share"})
    about = {r["about"]: r["value"] for r in sheet(path, "about")}
    assert about["samples"] == 40 and about["seed"] == doc["settings"]["seed"] == 7
    assert about["stability"] == doc["stability"]["text"]  # the verdict, as JSON and the text formats give it


def _number(text: str) -> object:
    try:
        value = float(text)
    except ValueError:
        return text or None
    return int(value) if value.is_integer() and "." not in text else value


# ------------------------------------------------------------------------ CSV ---


def test_optimize_csv_discounted_value_sums_to_the_objective(tmp_path: Path) -> None:
    coprod("optimize", "-o", "p.csv", cwd=tmp_path)
    coprod("optimize", "-o", "p.json", cwd=tmp_path)
    with (tmp_path / "p.csv").open(newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
    assert reader.fieldnames == ["id", "name", "start", "finish", "value", "cost_total", "cost_JP", "cost_US",
                                 "discounted_value"]  # formats.md's columns first, the new one after
    objective = json.loads((tmp_path / "p.json").read_text())["objective"]
    assert math.isclose(sum(float(r["discounted_value"]) for r in rows), objective, rel_tol=1e-9)
    assert sum(float(r["value"]) for r in rows) == pytest.approx(530.78, abs=0.01)  # before the delay discount


JAPANESE = "航空機の共同開発"


@pytest.fixture
def japanese(write_case, tmp_path: Path):
    return write_case(tmp_path, {"candidates": [("name: Glide Phase Interceptor", f"name: {JAPANESE}")]})


def test_bom_csv_reads_as_utf8_the_way_excel_does(japanese) -> None:
    folder = japanese.folder
    coprod("score", "scenario.yaml", "--bom", "-o", "s.csv", cwd=folder)
    coprod("optimize", "scenario.yaml", "--bom", "-o", "p.csv", "--schedule", "sched.csv", cwd=folder)
    for name in ("s.csv", "p.csv", "sched.csv"):
        data = (folder / name).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and not data[3:].startswith(b"\xef\xbb\xbf")
    text = (folder / "s.csv").read_bytes().decode("utf-8-sig")  # what Excel does when it sees the mark
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert list(rows[0])[:4] == ["rank", "id", "name", "score"]
    assert JAPANESE in [r["name"] for r in rows]
    stdout = coprod("score", "scenario.yaml", "--bom", "--format", "csv", cwd=folder).stdout
    assert stdout == (folder / "s.csv").read_bytes()
    plain = coprod("score", "scenario.yaml", "--format", "csv", cwd=folder).stdout
    assert plain.startswith(b"rank,") and plain == stdout[3:]  # without --bom: no mark, same data
    # Without the mark Excel would take the UTF-8 bytes as its code page:
    assert JAPANESE not in plain.decode("cp1252", errors="replace")


def test_bom_leaves_other_formats_alone(japanese) -> None:
    out = coprod("score", "scenario.yaml", "--bom", "--format", "json", cwd=japanese.folder).stdout
    assert out.startswith(b"[") and JAPANESE in [r["name"] for r in json.loads(out)]


# ------------------------------------------------------------------- terminal ---

# HiGHS 1.16 prints a banner on file descriptor 1 when a solver is made (clients.md); it is not coprod's table.
BANNER = ("Running HiGHS", "Includes third-party software")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-9]|9[0-7]|4[0-9])(?:;[0-9;]*)?m")


def on_pty(args: list[str], columns: int, cwd: Path, no_color: bool = False) -> tuple[str, str]:
    """The command's output on a pty ``columns`` wide: (raw, without escape codes)."""
    env = f"env TERM=xterm-256color COLUMNS={columns} LINES=50" + (" NO_COLOR=1" if no_color else "")
    command = f"{env} {shlex.quote(COPROD)} -q {' '.join(shlex.quote(a) for a in args)}"
    done = subprocess.run(["script", "-qec", command, str(cwd / "typescript")], cwd=cwd, capture_output=True,
                          stdin=subprocess.DEVNULL, timeout=600)
    assert done.returncode == 0, done.stdout.decode(errors="replace")
    raw = done.stdout.decode().replace("\r\n", "\n")
    text = "".join(line for line in ANSI.sub("", raw).splitlines(keepends=True) if not line.startswith(BANNER))
    return raw, text


def csv_of(args: list[str], cwd: Path) -> list[dict[str, str]]:
    coprod(*args, "-o", "same.csv", cwd=cwd)
    with (cwd / "same.csv").open(newline="") as fh:
        return list(csv.DictReader(fh))


def assert_nothing_cut(text: str, rows: list[dict[str, str]], columns: int, digits: int = 2) -> None:
    """Every id and every number of the CSV is on the screen whole, and no line is wider than the screen."""
    assert "…" not in text
    assert max(cell_len(line) for line in text.splitlines()) <= columns
    tokens = set(re.findall(r"[^\s│┃]+", text))
    for row in rows:
        assert row["id"] in tokens, row["id"]
        for key, value in row.items():
            if key in ("id", "name"):
                continue
            number = float(value)
            shown = str(int(number)) if "." not in value and number.is_integer() else f"{number:.{digits}f}"
            assert shown in tokens, (row["id"], key, shown)
        for header in row:
            assert header in tokens, header  # criterion ids head the columns


def test_optimize_at_80_columns_cuts_no_id_and_no_money(tmp_path: Path) -> None:
    raw, text = on_pty(["optimize"], 80, tmp_path)
    assert_nothing_cut(text, csv_of(["optimize"], tmp_path), 80)
    assert "2350.00" in text and "patriot-licence-expansion" in text  # the 2350.… and cut ids
    assert "\x1b[1;36m" in raw  # a colour terminal gets the cyan header


def test_score_explain_at_120_columns_tells_66_30_from_65_90(tmp_path: Path) -> None:
    raw, text = on_pty(["score", "--explain"], 120, tmp_path, no_color=True)
    assert_nothing_cut(text, csv_of(["score"], tmp_path), 120)
    assert {"66.30", "65.90", "ship-mro"} <= set(text.split())
    assert "(continued)" in text  # too wide for one table: the rest is stacked below, rank and id repeated
    assert not COLOUR.search(raw)  # NO_COLOR: no colour, bold only


def test_score_explain_at_80_columns(tmp_path: Path) -> None:
    _, text = on_pty(["score", "--explain"], 80, tmp_path)
    assert_nothing_cut(text, csv_of(["score"], tmp_path), 80)


def test_a_column_too_wide_for_the_screen_is_named_as_left_out(tmp_path: Path) -> None:
    # 30 columns cannot hold rank beside patriot-licence-expansion: the portfolio column is left out, said so.
    _, text = on_pty(["alternatives", "-k", "2"], 30, tmp_path)
    assert "left out, too wide for 30 columns: portfolio (see them with --format csv, json or xlsx)" in " ".join(
        text.split())
    assert "…" not in text and max(cell_len(line) for line in text.splitlines()) <= 30
