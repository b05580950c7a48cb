"""Safe outputs and safe inputs, for every command that writes or reads files.

Each test here fails if its guard is removed: atomic writes, refusing to
overwrite an input, neutralised formula cells (CSV and xlsx), escaped HTML
and terminal text, writing only the paths the user named, YAML without
object construction, size and alias caps, and scenario paths relative to the
scenario file. (The library-level YAML tests are in test_yamlfile.py:
``test_python_tags_are_refused_not_run``, ``test_alias_bomb_is_refused_quickly``,
``test_oversized_file_is_refused_before_reading``.)
"""

from __future__ import annotations

import csv
import errno
import io
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from scorer.present import output
from scorer import files as targets
from scorer.cli.group import main
from testkit import NAMES, TEXTS

# Every file a command writes, as (command args, the option naming the file,
# a file name with the right suffix). The scenario is scenario.yaml in the cwd.
FAST = ("--workers", "1")
WRITERS = [
    (("score", "scenario.yaml"), "-o", "out.csv"),
    (("score", "scenario.yaml"), "-o", "out.xlsx"),
    (("weights", "scenario.yaml"), "-o", "out.json"),
    (("optimize", "scenario.yaml"), "-o", "out.csv"),
    (("optimize", "scenario.yaml"), "--schedule", "sched.csv"),
    (("optimize", "scenario.yaml"), "--lp", "model.lp"),
    (("optimize", "scenario.yaml"), "--lp", "model.mps"),
    (("sensitivity", "scenario.yaml", "--samples", "10", "--portfolio-samples", "2", *FAST), "-o", "out.json"),
    (("frontier", "scenario.yaml", "--steps", "2", *FAST), "-o", "out.csv"),
    (("alternatives", "scenario.yaml", "-k", "2"), "-o", "out.json"),
    (("compare", "scenario.yaml", "scenario.yaml"), "-o", "out.json"),
    (("chart", "gantt", "scenario.yaml"), "-o", "chart.svg"),
    (("chart", "contributions", "scenario.yaml"), "-o", "chart.png"),
]
WRITER_IDS = [f"{args[0]}{opt}{name}" for args, opt, name in WRITERS]
COPROD = Path(sys.executable).with_name("coprod")


def run(*args: str):
    return CliRunner().invoke(main, list(args), prog_name="coprod")


@pytest.fixture
def here(case, monkeypatch):
    """The valid small scenario in the current directory."""
    monkeypatch.chdir(case.folder)
    return case


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# ------------------------------------------------------------ input files ---

@pytest.mark.parametrize("args,option,name", WRITERS, ids=WRITER_IDS)
@pytest.mark.parametrize("kind", sorted(NAMES))
def test_an_input_file_is_never_overwritten(here, args, option, name, kind):
    # Named through a link with the right suffix, so only the input check can stop it.
    target = NAMES[kind]
    link = here.folder / f"sub-{name}"
    link.symlink_to(here.folder / target)
    before = {k: here.file(k).read_bytes() for k in NAMES}
    # One spelling per kind (a plain, a dotted and an absolute path) keeps the run short.
    spelling = {"candidates": link.name, "criteria": f"./{link.name}", "scenario": str(link)}[kind]
    result = run(*args, option, spelling)
    assert result.exit_code == 1, (spelling, result.output)
    assert result.stderr.splitlines()[-1] == f"coprod: error: {spelling}: refusing to overwrite an input file"
    assert {k: here.file(k).read_bytes() for k in NAMES} == before
    assert listing(here.folder) == sorted([*NAMES.values(), link.name])


def test_the_report_folder_cannot_be_an_input_file(here):
    result = run("report", "scenario.yaml", "--no-robustness", "--no-explain", "-o", "criteria.yaml")
    assert result.exit_code == 1
    assert result.stderr.startswith("coprod: error: ")
    assert here.file("criteria").read_text() == here.texts["criteria"]


# ---------------------------------------------------------- atomic writes ---

@pytest.mark.slow
@pytest.mark.parametrize("args,option,name", WRITERS, ids=WRITER_IDS)
@pytest.mark.parametrize("fault", ["disk full", "ctrl-c"])
def test_a_failed_write_leaves_the_old_file_and_no_temporary(here, monkeypatch, args, option, name, fault):
    old = b"the previous content\n"
    (here.folder / name).write_bytes(old)

    def failing_fsync(fd):  # the data is written, the disk fails before it is safe
        if fault == "ctrl-c":
            raise KeyboardInterrupt
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(targets.os, "fsync", failing_fsync)
    result = run(*args, option, name)
    if fault == "ctrl-c":
        assert result.exit_code == 130 and result.stderr.splitlines()[-1] == "coprod: interrupted"
    else:
        assert result.exit_code == 1
        assert result.stderr.splitlines()[-1] == f"coprod: error: {name}: cannot write (No space left on device)"
    assert (here.folder / name).read_bytes() == old
    assert listing(here.folder) == sorted([*NAMES.values(), name]), "temporary file left behind"


@pytest.mark.slow
def test_a_failed_report_leaves_no_temporary(here, monkeypatch):
    monkeypatch.setattr(targets.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.EIO, "I/O error")))
    result = run("report", "scenario.yaml", "--no-robustness", "--no-explain", "-o", "rep")
    assert result.exit_code == 1 and "cannot write (I/O error)" in result.stderr
    assert not [p for p in here.folder.rglob("*") if p.name.endswith(".tmp")]


# ------------------------------------------------------ formula injection ---

FORMULAS = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+cmd", "-2+3", "@SUM(A1)", "\tTAB", "=1+1"]


@pytest.fixture
def formula_case(write_case, tmp_path, monkeypatch):
    """Names that a spreadsheet would run as formulas, and an id starting with '-'."""
    edits = {"candidates": [("name: Glide Phase Interceptor", f"name: '{FORMULAS[0]}'"),
                            ("name: T-7A trainer", f"name: '{FORMULAS[1]}'"),
                            ("name: Tactical trainer", f"name: '{FORMULAS[2]}'"),
                            ("name: Ship MRO", f"name: '{FORMULAS[3]}'"),
                            ("  - id: ship-mro", "  - id: -ship-mro"),
                            ("  - id: gpi", "  - id: -gpi"),
                            ("category: co-sustainment", "category: '=co-sustainment'")],
             "scenario": [("co-sustainment: {min: 1}", "'=co-sustainment': {min: 1}"),
                          ("mandatory: [gpi]", "mandatory: [-gpi]")]}
    case = write_case(tmp_path, edits)
    # B for compare: no mandatory project and little money, so -gpi leaves the portfolio.
    b = case.texts["scenario"].replace("mandatory: [-gpi]", "mandatory: []").replace("total: 900", "total: 100")
    (tmp_path / "b.yaml").write_text(b)
    monkeypatch.chdir(tmp_path)
    return case


CSV_WRITERS = [
    ("score", "scenario.yaml", "-o", "out.csv"),
    ("optimize", "scenario.yaml", "-o", "out.csv", "--schedule", "sched.csv"),
    ("sensitivity", "scenario.yaml", "--samples", "10", "--portfolio-samples", "2", *FAST, "-o", "out.csv"),
    ("frontier", "scenario.yaml", "--steps", "2", *FAST, "-o", "out.csv"),
    ("alternatives", "scenario.yaml", "-k", "2", "-o", "out.csv"),
    ("compare", "scenario.yaml", "b.yaml", "-o", "out.csv"),
]


@pytest.mark.parametrize("args", CSV_WRITERS, ids=[a[0] for a in CSV_WRITERS])
def test_no_csv_cell_starts_like_a_formula(formula_case, args):
    result = run(*args)
    assert result.exit_code == 0, result.output
    for path in formula_case.folder.glob("*.csv"):
        cells = [cell for row in csv.reader(io.StringIO(path.read_text())) for cell in row]
        live = [c for c in cells if c.startswith(output._FORMULA_START)]
        assert not live, f"{path.name}: {live}"
    text = (formula_case.folder / "out.csv").read_text()
    assert "'-gpi" in text or "'=HYPERLINK" in text  # the hostile text is there, made inert


@pytest.mark.parametrize("args", [("score", "scenario.yaml"), ("optimize", "scenario.yaml"),
                                  ("alternatives", "scenario.yaml", "-k", "2")], ids=["score", "optimize", "alternatives"])
def test_no_xlsx_cell_is_a_formula(formula_case, args):
    import openpyxl

    result = run(*args, "-o", "out.xlsx")
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(formula_case.folder / "out.xlsx")
    seen = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value}"
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", f"{sheet.title}!{cell.coordinate}: {cell.value}"
                    seen.append(cell.value)
    # A text cell never runs, so the text is kept as it is, with no visible ' guard (the CSV keeps its guard).
    assert not [v for v in seen if v.startswith("'")]
    if args[0] == "score":
        assert "=HYPERLINK(\"http://evil\",\"x\")" in seen and "-ship-mro" in seen
        from python_calamine import CalamineWorkbook

        read = CalamineWorkbook.from_path(str(formula_case.folder / "out.xlsx")).get_sheet_by_name("ranking")
        assert "=HYPERLINK(\"http://evil\",\"x\")" in [row[2] for row in read.to_python()]  # text to a 2nd reader


def test_csv_keeps_a_carriage_return_inside_its_cell():
    import pandas as pd

    table = pd.DataFrame({"id": ["a", "b"], "name": ["x\ry", "plain"]})
    rows = list(csv.reader(io.StringIO(output.to_csv(table), newline="")))
    assert len(rows) == 3 and rows[1] == ["a", "x\ry"]


# ------------------------------------------------- HTML, Markdown, terminal ---

HOSTILE = "<script>alert(1)</script> & <img src=x onerror=alert(2)>"


@pytest.fixture
def hostile_case(write_case, tmp_path, monkeypatch):
    case = write_case(tmp_path, {"candidates": [("name: Glide Phase Interceptor", f"name: '{HOSTILE}'"),
                                                ("name: Ship MRO", 'name: "Ship \\e[2J\\e[31mMRO | x"')]})
    monkeypatch.chdir(tmp_path)
    return case


@pytest.mark.slow
def test_report_html_escapes_text_from_the_inputs(hostile_case):
    result = run("report", "scenario.yaml", "--no-robustness", "--no-explain", "-o", "rep")
    assert result.exit_code == 0, result.output
    html = (hostile_case.folder / "rep" / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\x1b" not in html


@pytest.mark.parametrize("command", ["score", "optimize"])
def test_terminal_and_markdown_text_cannot_drive_the_terminal(hostile_case, command):
    for fmt in ("table", "markdown"):
        result = run(command, "scenario.yaml", "--format", fmt)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.stdout, fmt
    markdown = run(command, "scenario.yaml", "--format", "markdown").stdout
    assert "MRO \\| x" in markdown  # a pipe in a cell does not split the Markdown table


# --------------------------------------------------- only the named paths ---

ALL_WRITERS = [(*args, option, name) for args, option, name in WRITERS] + [
    ("report", "scenario.yaml", "--no-robustness", "--no-explain", "-o", "rep"),
    ("init", "starter"),
    ("validate", "scenario.yaml"), ("schema",), ("weights", "scenario.yaml"),
]


@pytest.mark.slow
@pytest.mark.parametrize("args", ALL_WRITERS, ids=[f"{a[0]}{a[-1]}" for a in ALL_WRITERS])
def test_only_the_named_paths_are_written(write_case, tmp_path, monkeypatch, args):
    inputs, work = tmp_path / "inputs", tmp_path / "work"
    inputs.mkdir()
    work.mkdir()
    write_case(inputs)
    before = {p: p.read_bytes() for p in inputs.iterdir()}
    monkeypatch.chdir(work)
    argv = [str(inputs / a) if a == "scenario.yaml" else a for a in args]
    result = run(*argv)
    assert result.exit_code == 0, result.output
    assert {p: p.read_bytes() for p in inputs.iterdir()} == before, "the input folder changed"
    named = args[-1] if args[0] == "init" or args[-2:-1] in (("-o",), ("--schedule",), ("--lp",)) else None
    top = sorted(p.name for p in work.iterdir())
    assert top == ([named] if named else []), top


EMPTY_PATHS = [(*args, option) for args, option, _ in WRITERS if option != "--lp"] + [
    ("report", "scenario.yaml", "-o"), ("validate",), ("compare", "scenario.yaml"), ("weights", "set")]


@pytest.mark.slow
@pytest.mark.parametrize("args", EMPTY_PATHS, ids=[" ".join(a[:1] + a[-1:]) for a in EMPTY_PATHS])
def test_an_empty_path_is_a_usage_error(here, args):
    # '' is no file name: it must not become the current directory (exit 1 or files written there).
    before = listing(here.folder)
    argv = [*args, ""] + (["standardization=1"] if args == ("weights", "set") else [])
    result = subprocess.run([COPROD, *argv], capture_output=True, text=True, cwd=here.folder)
    assert result.returncode == 2, result.stderr
    assert result.stderr.rstrip().endswith(": must not be empty")
    assert listing(here.folder) == before


# ------------------------------------------------------ YAML and its caps ---

COMMANDS_READING = [("validate",), ("score",), ("weights",), ("optimize",), ("sensitivity", "--samples", "5", *FAST),
                    ("frontier", "--steps", "2", *FAST), ("alternatives", "-k", "2"), ("chart", "gantt", "-o", "c.svg"),
                    ("report", "--no-robustness", "-o", "rep"), ("compare", "scenario.yaml")]


def _argv(command: tuple[str, ...]) -> list[str]:
    """The command with scenario.yaml as its (first) scenario argument."""
    if command[0] == "chart":
        return ["chart", "gantt", "scenario.yaml", *command[2:]]
    return [command[0], "scenario.yaml", *command[1:]]


@pytest.mark.parametrize("command", COMMANDS_READING, ids=[c[0] for c in COMMANDS_READING])
@pytest.mark.parametrize("kind", sorted(NAMES))
def test_python_tags_are_refused_by_every_command_and_never_run(write_case, tmp_path, monkeypatch, command, kind):
    bomb = '!!python/object/apply:os.system ["touch PWNED"]'
    line = {"scenario": ("name: Test scenario", f"name: {bomb}"),
            "criteria": ("name: Standardization", f"name: {bomb}"),
            "candidates": ("name: Ship MRO", f"name: {bomb}")}[kind]
    write_case(tmp_path, {kind: [line]})
    monkeypatch.chdir(tmp_path)
    result = run(*_argv(command))
    assert result.exit_code == 1
    assert f"{NAMES[kind]}:" in result.stderr and "tags are not allowed" in result.stderr
    assert not (tmp_path / "PWNED").exists()


ALIAS_BOMB = "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10))


@pytest.mark.parametrize("command", COMMANDS_READING, ids=[c[0] for c in COMMANDS_READING])
def test_alias_bomb_and_oversized_files_are_refused_by_every_command(write_case, tmp_path, monkeypatch, command):
    write_case(tmp_path)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "criteria.yaml").write_text("l0: &l0 [x]\n" + ALIAS_BOMB)  # 9^9 nodes once expanded
    result = run(*_argv(command))
    assert result.exit_code == 1
    assert "criteria.yaml: its aliases expand to more than 20,000,000 nodes; refusing to load it" in result.stderr
    with open(tmp_path / "candidates.yaml", "r+b") as fh:  # sparse: 65 MiB on paper, nothing on disk
        fh.truncate(65 * 2**20)
    result = run(*_argv(command))
    assert result.exit_code == 1
    assert "candidates.yaml: is 65.0 MiB; input files are limited to 64 MiB" in result.stderr


# ------------------------------------------------ paths in the scenario ---

def test_scenario_paths_are_relative_to_the_scenario_file(write_case, tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    (tmp_path / "elsewhere").mkdir()
    write_case(tmp_path / "data")
    monkeypatch.chdir(tmp_path / "elsewhere")
    result = run("score", "../data/scenario.yaml", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].startswith("1,t7a,")
    # A file next to the cwd with the same name must not be picked up instead.
    (tmp_path / "elsewhere" / "criteria.yaml").write_text("not: a criteria file\n")
    assert run("score", "../data/scenario.yaml", "--format", "csv").stdout == result.stdout


def test_a_missing_referenced_file_is_named_with_where_it_was_looked_for(write_case, tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    (tmp_path / "elsewhere").mkdir()
    write_case(tmp_path / "data", {"scenario": [("criteria: criteria.yaml", "criteria: lists/criteria.yaml")]})
    monkeypatch.chdir(tmp_path / "elsewhere")
    result = run("score", "../data/scenario.yaml")
    assert result.exit_code == 1
    assert result.stderr == ("coprod: error: ../data/scenario.yaml:3: criteria: lists/criteria.yaml does not exist "
                             "(looked for ../data/lists/criteria.yaml)\n")


# ------------------------------------------------- symbolic link loops ---

COPROD = Path(sys.executable).with_name("coprod")
LOOP_ERROR = "(Too many levels of symbolic links)"
# Every path a user names, as (argv with LOOP where the looping path goes, what coprod does with it).
LOOPED = [
    (["validate", "LOOP.yaml"], "cannot be read"),
    (["score", "LOOP.yaml"], "cannot be read"),
    (["score", "scenario.yaml"], "cannot be read"),  # the scenario names criteria: LOOP.yaml
    (["compare", "scenario-ok.yaml", "LOOP.yaml"], "cannot be read"),
    (["weights", "set", "LOOP.yaml", "standardization=1"], "cannot write"),  # checked as a target first
    (["score", "scenario-ok.yaml", "-o", "LOOP.csv"], "cannot write"),
    (["optimize", "scenario-ok.yaml", "-o", "LOOP.json"], "cannot write"),
    (["optimize", "scenario-ok.yaml", "--schedule", "LOOP.csv"], "cannot write"),
    (["optimize", "scenario-ok.yaml", "--lp", "LOOP.lp"], "cannot write"),
    (["chart", "gantt", "scenario-ok.yaml", "-o", "LOOP.svg"], "cannot write"),
    (["report", "scenario-ok.yaml", "--no-robustness", "--no-explain", "-o", "LOOP"], "cannot write"),
    (["report", "scenario-ok.yaml", "--no-robustness", "--no-explain", "-o", "rep"], "cannot write"),  # rep/report.md
    (["weights", "scenario-ok.yaml", "-o", "LOOP.json"], "cannot write"),
]


@pytest.mark.slow
@pytest.mark.parametrize("argv,what", LOOPED, ids=[" ".join(a) for a, _ in LOOPED])
def test_a_symbolic_link_loop_is_a_one_line_error(write_case, tmp_path, argv, what):
    # ln -s b a; ln -s a b: Path.resolve raised RuntimeError("Symlink loop") on every one of these paths.
    write_case(tmp_path, {"scenario": [("criteria: criteria.yaml", "criteria: LOOP.yaml")]})
    (tmp_path / "scenario-ok.yaml").write_text(TEXTS["scenario"])
    named = next((a for a in argv if a.startswith("LOOP")), "LOOP.yaml" if argv[1:2] == ["scenario.yaml"] else None)
    if argv[-1] == "rep":  # the folder is fine; a file the report writes into it loops
        (tmp_path / "rep").mkdir()
        named = "rep/report.md"
    (tmp_path / "OTHER").symlink_to(tmp_path / named)
    (tmp_path / named).symlink_to(tmp_path / "OTHER")
    result = subprocess.run([str(COPROD), *argv], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "RuntimeError" not in result.stderr, result.stderr
    ours = [line for line in result.stderr.splitlines() if line.startswith("coprod:") or "LOOP" in line]
    message = f"{named}: {what} {LOOP_ERROR}"
    if argv[-1] == "rep":  # a looping report.md is not a file of a report: the folder is refused before any write
        message = ("rep: holds files that are not from a coprod report (report.md); choose a new or empty folder, "
                   "or write beside them with force; on the command line: --force")
    if argv[0] == "validate":
        assert ours == [message, "coprod: 1 problem found"], result.stderr
    else:
        assert ours == [f"coprod: error: {message}"], result.stderr


# ------------------------------------------------------ standard input ---

@pytest.mark.slow
def test_standard_input_has_the_same_size_cap_as_files(tmp_path):
    # 300 MB piped to validate - was read whole (a MemoryError under a memory limit).
    proc = subprocess.Popen([str(COPROD), "validate", "-"], cwd=tmp_path, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    chunk = b"# a comment line that a YAML parser would read through, were it let\n" * 16384
    try:
        for _ in range(65 * 2**20 // len(chunk) + 1):  # 65 MiB, generated as it goes
            proc.stdin.write(chunk)
        proc.stdin.close()
    except BrokenPipeError:  # coprod stopped reading at the cap: the point
        pass
    proc.stdin = None  # closed or broken: communicate must leave it alone
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    assert err.decode().splitlines() == ["<stdin>: is more than 64.0 MiB; input files are limited to 64 MiB",
                                         "coprod: 1 problem found"]
