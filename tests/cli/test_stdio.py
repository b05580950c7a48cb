"""Standard output carries data only, whatever a native library prints: the guard for stdout.

Every command runs as the INSTALLED ``coprod`` executable in a subprocess, in
every text or binary format it offers, with and without ``-q``; its stdout is
read with that format's own parser (json, csv, openpyxl, markdown-it,
ruamel.yaml, the PNG signature, an XML parser for SVG) and must equal, byte for
byte, what the command writes through Python (CliRunner's capture, which never
sees file descriptor 1). highspy 1.16 prints a banner on fd 1 whenever a
``Highs()`` is built, so without :mod:`scorer.cli.stdio` the solving commands fail
here. So that they keep proving the redirect with a highspy that prints
nothing, the runs load a ``sitecustomize`` hook that makes every ``Highs()``
write to fd 1 from C (libc ``dprintf``) in every Python process of the run: the
main process, forkserver workers and child-process solves. CI runs this on
whatever versions a fresh install resolves (``.ci/run`` lists them).
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from contextlib import chdir, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt
from ruamel.yaml import YAML

from scorer.cli.group import main
from scorer.cli.stdio import data_stdout
from testkit import run_on_terminal, write_perspectives

COPROD = Path(sys.executable).with_name("coprod")
PYTHON = sys.executable
PNG = b"\x89PNG\r\n\x1a\n"
MARK = b"NATIVE-FD1"
# Small enough that each run takes about its start-up time (~1 s).
SMALL_SENSITIVITY = ("--samples", "20", "--portfolio-samples", "8")
TABULAR = {  # every command with --format table|csv|json|markdown|xlsx
    "score": ("score", "{scenario}"),
    "weights": ("weights", "{scenario}"),
    "optimize": ("optimize", "{scenario}"),
    "sensitivity": ("sensitivity", "{scenario}", *SMALL_SENSITIVITY, "--workers", "1"),
    "frontier": ("frontier", "{scenario}", "--steps", "3", "--workers", "1"),
    "alternatives": ("alternatives", "{scenario}", "-k", "2"),
    "compare": ("compare", "{scenario}", "{other}"),
    "partners": ("partners", "{bilateral}"),
    "bargain": ("bargain", "{bilateral}"),
    "optimize --objective nash": ("optimize", "{bilateral}", "--objective", "nash"),
}
FORMATS = ("table", "csv", "json", "markdown", "xlsx")
QUIET_FORMATS = ("json", "xlsx")  # so each command runs with and without -q


@dataclass(frozen=True)
class Run:
    """One command line and the parser of what it prints (``empty``: nothing on stdout)."""

    args: tuple[str, ...]
    parser: str

    def argv(self, case) -> list[str]:
        names = {"scenario": case.path, "other": case.folder / "other.yaml", "criteria": case.file("criteria"),
                 "out": case.folder / "out", "bilateral": case.folder / "bilateral.yaml"}
        return [a.format(**{k: str(v) for k, v in names.items()}) for a in self.args]


def _runs() -> dict[str, Run]:
    runs = {}
    for name, args in TABULAR.items():
        for fmt in FORMATS:
            quiet = ("-q",) if fmt in QUIET_FORMATS else ()
            runs[f"{name} {fmt}{' -q' * bool(quiet)}"] = Run((*args, "--format", fmt, *quiet), fmt)
    for fmt in ("json", "table"):
        runs[f"optimize --explain {fmt}"] = Run(("optimize", "{scenario}", "--explain", "--format", fmt), fmt)
        runs[f"optimize --solver cbc {fmt}"] = Run(("optimize", "{scenario}", "--solver", "cbc", "--format", fmt),
                                                   fmt)
    for quiet in ((), ("-q",)):
        q = " -q" * bool(quiet)
        runs[f"validate{q}"] = Run(("validate", "{scenario}", *quiet), "text")
        runs[f"schema{q}"] = Run((*quiet, "schema"), "json")
        runs[f"weights set --dry-run{q}"] = Run(("weights", "set", "--dry-run", "{criteria}",
                                                 "standardization=20", *quiet), "yaml")
        runs[f"init{q}"] = Run(("init", f"{{out}}/starter{q.strip()}", *quiet), "empty")
    # report and chart solve in forkserver workers (default --workers: every core).
    runs["report"] = Run(("report", "{scenario}", "-o", "{out}/report", *SMALL_SENSITIVITY), "empty")
    runs["report -q"] = Run(("report", "{scenario}", "-o", "{out}/report-q", "--no-robustness", "-q"), "empty")
    runs["chart gantt png"] = Run(("chart", "gantt", "{scenario}", "-o", "-"), "png")
    runs["chart core svg -q"] = Run(("chart", "core", "{scenario}", "-o", "-", "--format", "svg",
                                     *SMALL_SENSITIVITY, "-q"), "svg")
    runs["chart pareto svg"] = Run(("chart", "pareto", "{bilateral}", "-o", "-", "--format", "svg"), "svg")
    runs["chart partners png -q"] = Run(("chart", "partners", "{bilateral}", "-o", "-", "-q"), "png")
    return runs


RUNS = _runs()


@dataclass
class Done:
    """A finished run of the installed executable."""

    pid: int
    returncode: int
    stdout: bytes
    stderr: bytes


def coprod(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> Done:
    """The installed executable, stdout and stderr kept apart, as a shell pipe would."""
    assert COPROD.exists(), f"{COPROD} is not installed (pip install -e '.[test]')"
    with subprocess.Popen([str(COPROD), *argv], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env={**os.environ, **(env or {})}) as proc:
        out, err = proc.communicate(timeout=300)
    return Done(proc.pid, proc.returncode, out, err)


def in_process(argv: list[str], cwd: Path) -> bytes:
    """What the command writes through Python's sys.stdout (CliRunner never sees fd 1)."""
    with chdir(cwd):
        result = CliRunner().invoke(main, argv, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


@pytest.fixture(scope="module")
def case(write_case, tmp_path_factory):
    folder = tmp_path_factory.mktemp("stdout")
    made = write_case(folder)
    # B's smaller budget drops t7a, so compare has a change to list.
    (folder / "other.yaml").write_text(made.texts["scenario"].replace("total: 900", "total: 600"), encoding="utf-8")
    (folder / "out").mkdir()
    write_perspectives(made)
    return made


HOOK = '''\
"""Test hook: every Highs() writes to fd 1 from C first; the pid goes into a log."""
import ctypes, os
import highspy

_libc = ctypes.CDLL(None)
_init = highspy.Highs.__init__


def _loud_init(self, *args, **kwargs):
    _libc.dprintf(1, b"NATIVE-FD1 %d\\n", os.getpid())
    with open(os.environ["COPROD_TEST_HIGHS_LOG"], "a") as log:
        log.write(f"{os.getpid()}\\n")
    _init(self, *args, **kwargs)


highspy.Highs.__init__ = _loud_init
if os.environ.get("COPROD_TEST_ISOLATE"):
    from scorer.mip import config as solver_config
    solver_config.ISOLATE_FROM = 1  # every solve in a child process (see SolverConfig.isolates)
'''


@pytest.fixture
def loud(tmp_path: Path):
    """Environment for a run in which every Highs() writes to fd 1 natively, and the pids that built one."""
    (tmp_path / "hook").mkdir()
    (tmp_path / "hook" / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
    log = tmp_path / "highs.log"
    env = {"PYTHONPATH": os.pathsep.join([str(tmp_path / "hook"), os.environ.get("PYTHONPATH", "")]),
           "COPROD_TEST_HIGHS_LOG": str(log)}

    def built() -> list[int]:
        return [int(pid) for pid in log.read_text().split()] if log.exists() else []

    return env, built


def parse(data: bytes, parser: str) -> None:
    """Read ``data`` with the real parser of its format; raise if it is not that format."""
    if parser == "empty":
        assert data == b""
    elif parser == "json":
        json.loads(data.decode("utf-8"))
    elif parser == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
        assert len(rows) >= 2 and all(len(r) == len(rows[0]) for r in rows), rows[:3]
    elif parser == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        assert book.sheetnames and next(book.worksheets[0].iter_rows(values_only=True))
    elif parser == "markdown":
        tokens = MarkdownIt("commonmark").enable("table").parse(data.decode("utf-8"))
        assert any(t.type == "table_open" for t in tokens)
    elif parser == "yaml":
        assert YAML(typ="safe").load(data.decode("utf-8"))["criteria"][0]["weight"] == 20
    elif parser == "png":
        assert data.startswith(PNG)
    elif parser == "svg":
        assert ET.fromstring(data).tag == "{http://www.w3.org/2000/svg}svg"
    else:  # table, text: plain text with no parser of its own; the byte comparison decides
        assert data.decode("utf-8").strip()


@pytest.mark.slow
@pytest.mark.parametrize("name", list(RUNS))
def test_stdout_holds_only_the_data(name: str, case, loud) -> None:
    run = RUNS[name]
    argv = run.argv(case)
    done = coprod(argv, case.folder, loud[0])
    assert done.returncode == 0, done.stderr.decode()
    assert MARK not in done.stdout
    parse(done.stdout, run.parser)
    if run.parser != "empty":
        assert done.stdout == in_process(argv, case.folder)
    assert b"Traceback" not in done.stderr
    if "-q" in run.args:
        # -q silences coprod's notes and what native libraries print (the HiGHS banner).
        assert b"coprod: note" not in done.stderr and b"coprod: warning" not in done.stderr
        assert b"Running HiGHS" not in done.stderr


@pytest.mark.slow
def test_a_new_users_first_command_gives_clean_csv(tmp_path: Path) -> None:
    # The case: the default scenario, stdout redirected into a file.
    with open(tmp_path / "portfolio.csv", "wb") as out:
        done = subprocess.run([str(COPROD), "optimize"], cwd=tmp_path, stdout=out, stderr=subprocess.PIPE,
                              timeout=300)
    assert done.returncode == 0, done.stderr.decode()
    rows = list(csv.reader((tmp_path / "portfolio.csv").open(newline="", encoding="utf-8")))
    assert rows[0][:2] == ["id", "name"] and len(rows) > 2 and all(len(r) == len(rows[0]) for r in rows)


@pytest.mark.slow
def test_a_reader_that_goes_away_ends_the_run_with_exit_1_and_no_traceback(case) -> None:
    # As click does for a broken pipe (``coprod score | head``), with the data on its own descriptor.
    proc = subprocess.Popen([str(COPROD), "score", str(case.path), "--format", "json"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert (proc.returncode, err) == (1, b"")


# ------------------------------------------- native code writing to fd 1 ---


@pytest.mark.slow
@pytest.mark.parametrize("quiet", [(), ("-q",)], ids=["loud", "quiet"])
def test_native_output_of_the_main_process_goes_to_stderr_or_nowhere_with_q(loud, case, quiet) -> None:
    env, built = loud
    argv = [a for a in RUNS["optimize json -q"].argv(case) if a != "-q"] + list(quiet)
    done = coprod(argv, case.folder, env)
    assert done.returncode == 0, done.stderr.decode()
    assert done.pid in built(), "the hook did not run: this test would prove nothing"
    assert MARK not in done.stdout
    assert (f"NATIVE-FD1 {done.pid}\n".encode() in done.stderr) is not bool(quiet)
    assert done.stdout == in_process(argv, case.folder)


@pytest.mark.slow
@pytest.mark.parametrize("quiet", [(), ("-q",)], ids=["loud", "quiet"])
def test_native_output_of_forkserver_workers_goes_to_stderr_or_nowhere_with_q(loud, case, quiet) -> None:
    env, built = loud
    argv = ["sensitivity", str(case.path), "--samples", "20", "--portfolio-samples", "16", "--format", "json",
            *quiet]
    done = coprod([*argv, "--workers", "2"], case.folder, env)
    assert done.returncode == 0, done.stderr.decode()
    workers = set(built()) - {done.pid}
    assert workers, built()
    for pid in workers:
        assert (f"NATIVE-FD1 {pid}\n".encode() in done.stderr) is not bool(quiet)
    assert MARK not in done.stdout
    assert done.stdout == in_process([*argv, "--workers", "1"], case.folder)


@pytest.mark.slow
@pytest.mark.parametrize("args", [("optimize", "{scenario}", "--format", "json"),
                                  ("frontier", "{scenario}", "--steps", "3", "--workers", "1", "--format", "csv")])
def test_native_output_of_a_child_process_solve_never_reaches_stdout(loud, case, args) -> None:
    env, built = loud
    argv = Run(args, "").argv(case)
    done = coprod(argv, case.folder, {**env, "COPROD_TEST_ISOLATE": "1"})
    assert done.returncode == 0, done.stderr.decode()
    children = set(built()) - {done.pid}
    assert children, f"no solve ran in a child process: {built()}"
    assert MARK not in done.stdout
    for pid in children:  # the child's stdout is /dev/null
        assert f"NATIVE-FD1 {pid}".encode() not in done.stdout + done.stderr
    assert done.stdout == in_process(argv, case.folder)


@pytest.fixture(scope="module")
def cluster():
    from dask import distributed  # the test extra has it: a missing Dask is a failure, not a skip

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as local:
        yield local.scheduler_address


@pytest.mark.slow
def test_dask_workers_print_nothing_into_stdout(case, cluster, loud) -> None:
    argv = ["sensitivity", str(case.path), *SMALL_SENSITIVITY, "--format", "json"]
    done = coprod([*argv, "--scheduler", cluster], case.folder, loud[0])
    assert done.returncode == 0, done.stderr.decode()
    assert MARK not in done.stdout
    assert done.stdout == in_process([*argv, "--workers", "1"], case.folder)


# ------------------------------------------------ scorer.cli.stdio on its own ---


def python(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter of this environment, stdout and stderr apart."""
    return subprocess.run([PYTHON, "-c", textwrap.dedent(code)], capture_output=True, timeout=60)


NATIVE_WRITES = """
    import ctypes, os, sys
    from scorer.cli.stdio import data_stdout
    libc = ctypes.CDLL(None)
    with data_stdout():
        libc.dprintf(1, b"native printf\\n")
        os.write(1, b"native write\\n")
        sys.stdout.write("text ")
        sys.stdout.flush()
        sys.stdout.buffer.write(b"bytes\\n")
    os.write(1, b"fd 1 is stdout again\\n")
"""


def test_fd_1_is_stderr_inside_and_stdout_after() -> None:
    done = python(NATIVE_WRITES)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == b"text bytes\nfd 1 is stdout again\n"
    assert done.stderr == b"native printf\nnative write\n"


def test_with_stderr_closed_native_output_goes_nowhere() -> None:
    done = subprocess.run(["sh", "-c", f'exec "{PYTHON}" -c "$0" 2>&-', textwrap.dedent(NATIVE_WRITES)],
                          capture_output=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout == b"text bytes\nfd 1 is stdout again\n"


def on_terminal(argv: list[str]) -> tuple[int, bytes, bytes]:
    """Run ``argv`` with its stdout on a pseudo-terminal: exit code, what it drew, its stderr."""
    return run_on_terminal(argv, env={**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}, timeout=60)


@pytest.mark.slow
def test_a_terminal_stays_a_terminal() -> None:
    # choose_format picks 'table' on a terminal and refuses xlsx there: both follow isatty().
    code = textwrap.dedent("""
        import sys
        from scorer.present.output import choose_format
        from scorer.cli.stdio import data_stdout
        outer = sys.stdout.line_buffering
        with data_stdout():
            print(sys.stdout.isatty(), choose_format(None, None), sys.stdout.line_buffering == outer)
    """)
    rc, text, err = on_terminal([PYTHON, "-c", code])
    assert rc == 0, err.decode()
    assert text == b"True table True\r\n"


@pytest.mark.slow
def test_the_installed_command_on_a_terminal_draws_a_rich_table(case) -> None:
    rc, text, err = on_terminal([str(COPROD), "score", str(case.path)])
    assert rc == 0, err.decode()
    assert "┏" in text.decode("utf-8")
    refused, _, err = on_terminal([str(COPROD), "score", str(case.path), "--format", "xlsx"])
    assert refused == 1
    assert b"xlsx is a binary format" in err


def test_nothing_changes_when_stdout_is_not_fd_1() -> None:
    # As under CliRunner, or a program that captures the command line's output.
    before = os.fstat(1)
    captured = io.StringIO()
    with redirect_stdout(captured), data_stdout():
        assert sys.stdout is captured
        assert os.path.samestat(os.fstat(1), before)
        print("kept")
    assert captured.getvalue() == "kept\n"


def test_nested_use_keeps_the_outer_redirect() -> None:
    done = python("""
        import os, sys
        from scorer.cli.stdio import data_stdout
        with data_stdout():
            outer = sys.stdout
            with data_stdout():
                assert sys.stdout is outer
                os.write(1, b"native\\n")
            print("data")
            sys.stdout.flush()
            os.write(1, b"native again\\n")
        print("after")
    """)
    assert done.returncode == 0, done.stderr.decode()
    assert (done.stdout, done.stderr) == (b"data\nafter\n", b"native\nnative again\n")
