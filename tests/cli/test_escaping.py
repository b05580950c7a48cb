"""Text from input files is escaped for where it goes (issue 13, item 8).

Every test runs the installed ``coprod`` in a subprocess and reads what it
prints with the real parser of the format (markdown-it-py for Markdown, the
csv module for CSV), and each fails when the guard it is named after is
removed: Markdown cells (and the text around them) escaped as in report.md,
errors, notes, the ``validate`` summary and ``compare``'s heading with
control characters and newlines shown as escapes, CSV without raw control
characters or full-width formula starters, and no PNG on a terminal. (HTML and terminal tables: see test_safety.py.)
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from testkit import run_on_terminal

pytestmark = pytest.mark.slow  # every test here takes seconds (measured with --durations)


COPROD = Path(sys.executable).with_name("coprod")
CONTROLS = [chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)]]


def coprod(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The installed executable, stdout and stderr kept apart as bytes."""
    assert COPROD.exists(), f"{COPROD} is not installed (pip install -e '.[test]')"
    return subprocess.run([str(COPROD), *args], cwd=cwd, capture_output=True, timeout=300)


def on_terminal(argv: list[str], cwd: Path) -> tuple[int, bytes, bytes]:
    """Run ``argv`` with stdout on a pseudo-terminal: exit code, what it drew, its stderr."""
    return run_on_terminal(argv, cwd)


def raw_controls(data: bytes, keep: str = "\n") -> list[str]:
    return sorted({ch for ch in data.decode("utf-8") if ch in CONTROLS and ch not in keep})


# ------------------------------------------------------------------ markdown ---

MARKDOWN_NAMES = {
    "gpi": "<script>alert(1)</script>",
    "t7a": "</td><img src=x onerror=alert(1)>",
    "tactical": "[x](javascript:alert(1)) & &amp;",
    "ship-mro": "<!-- c --> a | b `code` \\",
}


@pytest.fixture
def markdown_case(write_case, tmp_path):
    old = {"gpi": "Glide Phase Interceptor", "t7a": "T-7A trainer", "tactical": "Tactical trainer",
           "ship-mro": "Ship MRO"}
    edits = [(f"name: {old[k]}", "name: '" + name + "'") for k, name in MARKDOWN_NAMES.items()]
    edits.append(("currency: USD million (notional)", "currency: 'USD <b>million</b> (notional)'"))
    case = write_case(tmp_path, {"candidates": edits,
                                 "scenario": [("name: Test scenario", "name: '<script>x</script> [y](javascript:z)'")]})
    (tmp_path / "b.yaml").write_text(case.texts["scenario"].replace("total: 900", "total: 800"))
    return case


def markdown_tables(text: str) -> tuple[str, list[list[tuple[str, list[str]]]]]:
    """The HTML that CommonMark (with GFM tables) makes of ``text``, and each table row's cells.

    A cell is its text as a reader sees it and the kinds of inline tokens it is made of.
    """
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(text)
    rows, row = [], None
    for tok in tokens:
        if tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close":
            rows.append(row)
            row = None
        elif tok.type == "inline" and row is not None:
            kids = tok.children or []
            row.append(("".join(k.content for k in kids), sorted({k.type for k in kids})))
    return md.render(text), rows


def assert_inert(html: str) -> None:
    for live in ("<script", "<img", "<b>", "href=", "<!--", "<code>"):
        assert live not in html, live


def test_markdown_output_shows_html_links_comments_and_code_in_names_as_typed(markdown_case):
    done = coprod("score", "scenario.yaml", "--format", "markdown", cwd=markdown_case.folder)
    assert done.returncode == 0, done.stderr.decode()
    html, rows = markdown_tables(done.stdout.decode("utf-8"))
    assert_inert(html)
    header = [text for text, _ in rows[0]]
    by_id = {r[header.index("id")][0]: r for r in rows[1:]}
    for cid, name in MARKDOWN_NAMES.items():
        text, kinds = by_id[cid][header.index("name")]
        assert text == name and kinds == ["text"], (cid, text, kinds)  # every cell reads as typed


def test_markdown_text_around_the_tables_is_escaped_too(markdown_case):
    # compare's heading names the scenarios; optimize's headline the currency.
    for args in (("compare", "scenario.yaml", "b.yaml"), ("optimize", "scenario.yaml")):
        done = coprod(*args, "--format", "markdown", cwd=markdown_case.folder)
        assert done.returncode == 0, done.stderr.decode()
        html, _ = markdown_tables(done.stdout.decode("utf-8"))
        assert_inert(html)
        assert args[0] != "compare" or "A: scenario.yaml (&lt;script&gt;x&lt;/script&gt; [y](javascript:z))" in html


# ------------------------------------------------------------------ messages ---

OSC = "\\e]0;pwned\\a"  # YAML's escapes for ESC and BEL: a terminal would set its title


def test_an_input_error_shows_an_osc_sequence_and_a_newline_in_a_key_escaped_on_one_line(write_case, tmp_path):
    case = write_case(tmp_path, {"scenario": [("co-sustainment: {min: 1}", f'"co-{OSC}\\nforged: x": {{min: 1}}')]})
    for command in ("optimize", "validate"):
        done = coprod(command, "scenario.yaml", cwd=case.folder)
        assert done.returncode == 1
        err = done.stderr.decode("utf-8")
        assert raw_controls(done.stderr) == [], command
        problem = [line for line in err.splitlines() if "categories" in line]
        assert len(problem) == 1 and "co-\\x1b]0;pwned\\x07\\nforged: x" in problem[0], err
        assert not any(line.startswith("forged") for line in err.splitlines()), err


def test_error_messages_show_control_characters_escaped_whatever_raised_them(case):
    # A weight override names an unknown criterion: the message quotes it back.
    done = coprod("score", "scenario.yaml", "-w", "\x1b]0;pwned\x07\x9b2J=1", cwd=case.folder)
    assert done.returncode == 1
    assert raw_controls(done.stderr) == []
    assert "unknown criterion '\\x1b]0;pwned\\x07\\x9b2J'" in done.stderr.decode("utf-8")


def test_notes_show_control_characters_escaped(tmp_path):
    # init's notes name the folder written, as typed on the command line.
    done = coprod("init", "new\x1b]0;pwned\x07", cwd=tmp_path)
    assert done.returncode == 0, done.stderr.decode()
    assert raw_controls(done.stderr) == []
    assert "coprod: note: wrote new\\x1b]0;pwned\\x07/scenario.yaml" in done.stderr.decode("utf-8")


def test_an_infeasibility_message_keeps_its_two_lines_whatever_a_key_holds(write_case, tmp_path):
    key = "co-sustainment\\nforged: x"
    case = write_case(tmp_path, {"candidates": [("category: co-sustainment", f'category: "{key}"')],
                                 "scenario": [("co-sustainment: {min: 1}", f'"{key}": {{min: 2}}')]})
    done = coprod("optimize", "scenario.yaml", "-q", cwd=case.folder)  # -q: no HiGHS banner
    assert done.returncode == 1
    lines = done.stderr.decode("utf-8").splitlines()
    assert len(lines) == 2 and lines[1].startswith("conflicting limits: "), lines
    assert "co-sustainment\\nforged: x" in lines[1]


def test_validate_summary_lines_cannot_be_forged_by_a_name(case):
    plain = coprod("validate", "scenario.yaml", cwd=case.folder)
    assert plain.returncode == 0, plain.stderr.decode()
    forged = case.texts["scenario"].replace("name: Test scenario",
                                            'name: "Test\\n  budget:     none\\rX\\e[2J"')
    (case.folder / "forged.yaml").write_text(forged)
    done = coprod("validate", "forged.yaml", cwd=case.folder)
    assert done.returncode == 0, done.stderr.decode()
    out = done.stdout.decode("utf-8")
    assert raw_controls(done.stdout) == []
    assert len(out.splitlines()) == len(plain.stdout.decode().splitlines())
    assert "  scenario:   Test\\n  budget:     none\\rX\\x1b[2J\n" in out
    assert [line for line in out.splitlines() if line.startswith("  budget:")] == ["  budget:     total 900; "
                                                                                   "per year set for 2 years; "
                                                                                   "per partner: JP, US"]


@pytest.fixture
def forged_pair(case):
    """Scenarios A and B whose names hold a newline and a CR that would forge compare's heading."""
    forged = case.texts["scenario"].replace("name: Test scenario", 'name: "Test\\nB: forged\\rX"')
    (case.folder / "scenario.yaml").write_text(forged)
    (case.folder / "b.yaml").write_text(forged.replace("total: 900", "total: 800"))
    return case


HEADING = ["A: scenario.yaml (Test\\nB: forged\\rX)", "B: b.yaml (Test\\nB: forged\\rX)"]


def test_compare_heading_names_each_scenario_on_one_line_whatever_its_name_holds(forged_pair):
    done = coprod("compare", "scenario.yaml", "b.yaml", "--format", "table", cwd=forged_pair.folder)
    assert done.returncode == 0, done.stderr.decode()
    lines = done.stdout.decode("utf-8").split("\n")
    assert lines[:2] == HEADING and lines[2].startswith("unchanged: ") and lines[3] == ""


def test_a_heading_on_a_terminal_keeps_its_own_lines(forged_pair):
    code, drawn, err = on_terminal([str(COPROD), "-q", "compare", "scenario.yaml", "b.yaml"], forged_pair.folder)
    assert code == 0, err.decode()
    assert drawn.decode("utf-8").split("\r\n")[:2] == HEADING  # the line break between A and B, not '?'


# ----------------------------------------------------------------------- csv ---


def test_csv_cells_carry_no_raw_control_characters_but_json_keeps_them(write_case, tmp_path):
    name = "Ship\\e]0;pwned\\a\\x7f\\x9b MRO\\tx"
    case = write_case(tmp_path, {"candidates": [("name: Ship MRO", f'name: "{name}"')]})
    done = coprod("score", "scenario.yaml", "--format", "csv", cwd=case.folder)
    assert done.returncode == 0, done.stderr.decode()
    assert raw_controls(done.stdout, keep="\n\t") == []
    rows = list(csv.DictReader(io.StringIO(done.stdout.decode("utf-8"), newline="")))
    assert {r["id"]: r["name"] for r in rows}["ship-mro"] == "Ship\ufffd]0;pwned\ufffd\ufffd\ufffd MRO\tx"
    exact = coprod("score", "scenario.yaml", "--format", "json", cwd=case.folder)
    assert {r["id"]: r["name"] for r in json.loads(exact.stdout)}["ship-mro"] == "Ship\x1b]0;pwned\x07\x7f\x9b MRO\tx"


FULL_WIDTH = {"gpi": "＝1+1", "t7a": "＋1+cmd", "tactical": "－2+3", "ship-mro": "＠SUM(A1)"}


def test_full_width_formula_starters_are_neutralised_in_csv(write_case, tmp_path):
    old = {"gpi": "Glide Phase Interceptor", "t7a": "T-7A trainer", "tactical": "Tactical trainer",
           "ship-mro": "Ship MRO"}
    case = write_case(tmp_path, {"candidates": [(f"name: {old[k]}", f"name: '{v}'") for k, v in FULL_WIDTH.items()]})
    done = coprod("score", "scenario.yaml", "--format", "csv", cwd=case.folder)
    assert done.returncode == 0, done.stderr.decode()
    rows = list(csv.DictReader(io.StringIO(done.stdout.decode("utf-8"), newline="")))
    assert {r["id"]: r["name"] for r in rows} == {k: "'" + v for k, v in FULL_WIDTH.items()}


# --------------------------------------------------------------------- chart ---


def test_a_png_chart_is_refused_on_a_terminal_and_written_to_a_pipe(case):
    code, drawn, err = on_terminal([str(COPROD), "chart", "gantt", "scenario.yaml", "-o", "-"], case.folder)
    assert code == 1 and b"PNG" not in drawn and drawn == b""
    assert err.decode() == ("coprod: error: png is a binary format: write it to a file such as FILE.png, "
                            "or pipe it; on the command line: -o\n")
    piped = coprod("chart", "gantt", "scenario.yaml", "-o", "-", cwd=case.folder)
    assert piped.returncode == 0 and piped.stdout.startswith(b"\x89PNG\r\n\x1a\n")
    code, drawn, _ = on_terminal([str(COPROD), "chart", "gantt", "scenario.yaml", "-o", "-", "--format", "svg"],
                                 case.folder)
    assert code == 0 and b"<svg" in drawn  # SVG is text: a terminal may show it
