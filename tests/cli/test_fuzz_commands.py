"""Every command, fed random and mutated input files, ends cleanly.

Each case ends with exit 0 and output that parses and is right (for optimize:
a portfolio that passes the independent feasibility check), or exit 1/2 with
a message naming the file; never a traceback, a hang or a stray file. The
commands are one table (:data:`COMMANDS`): adding a command is one entry.

Examples: the default run is derandomized (the same examples in every CI run,
so a red CI is reproducible from its log and never flaky on unrelated
changes) and takes about 2,000 examples across the commands. For a nightly
run set ``FUZZ_EXAMPLES`` (examples of the largest command; the others
scale) and the run is randomized, so each night explores new inputs; a
failure prints hypothesis's ``@reproduce_failure`` blob::

    FUZZ_EXAMPLES=20000 pytest tests/cli/test_fuzz_commands.py
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from scorer.cli.group import main
from scorer.portfolio.feasibility import violations
from scorer.inputs.loading import load_scenario
from scorer.portfolio.solve import portfolio_value
from scorer.portfolio.problem import problem_from_inputs
from testkit import NAMES, TEXTS, mutated

pytestmark = pytest.mark.slow  # every test here takes seconds (measured with --durations)

NIGHTLY = "FUZZ_EXAMPLES" in os.environ
SCALE = int(os.environ.get("FUZZ_EXAMPLES", "600")) / 600
MESSAGE_PREFIXES = ("coprod: warning: ", "coprod: note: ")  # what may accompany data or an error
HANG_SECONDS = 60  # a watchdog: a case still running after this is a hang
FILE_PREFIX = re.compile(r"^(criteria\.yaml|candidates\.yaml|scenario\.yaml|<stdin>)(:\d+)?: ")


# ----------------------------------------------------------- the commands ---

@dataclass(frozen=True)
class Command:
    """One command under fuzz.

    ``args`` follow ``coprod``; ``{out}`` stands for the output folder. ``outputs``
    are the files a success must write there (nothing else may appear);
    ``check(folder, result)`` asserts that a success's output is right.
    """

    name: str
    args: tuple[str, ...]
    outputs: tuple[str, ...]
    check: Callable[[Path, object], None]
    examples: int
    one_line_errors: bool = True  # validate lists every problem, one per line
    deadline_ms: int = 20_000
    extra: dict = field(default_factory=dict)


def _inputs(folder: Path):
    return load_scenario(folder / "scenario.yaml")


def check_validate(folder: Path, result) -> None:
    assert result.stdout.startswith("scenario.yaml: valid\n")
    _inputs(folder)  # what validate accepts, the library loads


def check_score(folder: Path, result) -> None:
    inputs = _inputs(folder)
    table = pd.read_csv(folder / "out" / "score.csv", keep_default_na=False)
    ids = [c.id for c in inputs.candidates.candidates]
    assert list(table.columns[:4]) == ["rank", "id", "name", "score"]
    assert sorted(table["id"].astype(str)) == sorted(ids)
    scores = table["score"].to_numpy(dtype=float)
    assert np.all((scores >= -1e-9) & (scores <= 100 + 1e-9))
    assert np.all(np.diff(scores) <= 1e-9), "not ranked best first"
    assert np.all(np.diff(table["rank"].to_numpy()) >= 0)


def check_weights(folder: Path, result) -> None:
    _inputs(folder)
    out = json.loads((folder / "out" / "weights.json").read_text())
    weights = np.array([row["effective_weight"] for row in out["criteria"]], dtype=float)
    assert np.all(weights >= 0) and abs(weights.sum() - 1) < 1e-9


def check_optimize(folder: Path, result) -> None:
    inputs = _inputs(folder)
    out = json.loads((folder / "out" / "portfolio.json").read_text())
    assert out["status"] in ("optimal", "feasible")
    assert out["bound"] >= out["objective"] - 1e-6
    if out["status"] == "optimal":
        assert out["gap"] == 0 and out["bound"] == pytest.approx(out["objective"], rel=1e-12)
    problem = problem_from_inputs(inputs)
    start = np.full(problem.n, -1)
    for row in out["selected"]:
        start[problem.index(row["id"])] = row["start"]
    assert violations(problem, start) == []
    values = np.zeros(problem.n)
    for row in out["selected"]:
        values[problem.index(row["id"])] = row["value"]
    assert portfolio_value(problem, values, start) == pytest.approx(out["objective"], rel=1e-9, abs=1e-9)
    schedule = pd.read_csv(folder / "out" / "schedule.csv")
    assert len(schedule) > 0


def check_schema(folder: Path, result) -> None:
    schema = json.loads(result.stdout)
    assert isinstance(schema, dict) and schema


def _ids(folder: Path) -> list[str]:
    return sorted(c.id for c in _inputs(folder).candidates.candidates)


def check_sensitivity(folder: Path, result) -> None:
    out = json.loads((folder / "out" / "sensitivity.json").read_text())
    table = pd.DataFrame(out["acceptability"])
    assert sorted(table["id"]) == _ids(folder)
    ranks = table[[c for c in table.columns if c.startswith("rank_")]].to_numpy(dtype=float)
    assert np.allclose(ranks.sum(axis=1), 1.0) and np.all(ranks >= 0)
    assert table["core_index"].between(0, 1).all()
    assert sum(p["share"] for p in out["portfolios"]) <= 1 + 1e-9


def check_frontier(folder: Path, result) -> None:
    out = json.loads((folder / "out" / "frontier.json").read_text())
    rows = out["frontier"]
    levels = [r["level"] for r in rows]
    assert levels == sorted(levels) and len(rows) == 3
    proven = [r["objective"] for r in rows if r["status"] == "optimal"]
    assert proven == sorted(proven), "more money never lowers the proven best value"


def check_alternatives(folder: Path, result) -> None:
    out = json.loads((folder / "out" / "alternatives.json").read_text())
    objectives = [a["objective"] for a in out["alternatives"]]
    assert objectives == sorted(objectives, reverse=True)
    portfolios = [a["portfolio"] for a in out["alternatives"]]
    assert len(set(portfolios)) == len(portfolios), "alternatives must be distinct"
    assert sorted(r["id"] for r in out["roles"]) == _ids(folder)


def _names(folder: Path) -> list[str]:
    return [c.name for c in _inputs(folder).candidates.candidates]


def check_report(folder: Path, result) -> None:
    names = _names(folder)
    report = folder / "out" / "report"
    assert {"report.html", "report.md"} <= {p.name for p in report.iterdir()}
    html = (report / "report.html").read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    for name in names:  # text from the inputs must arrive escaped, never as markup
        if any(ch in name for ch in "<>&"):
            assert name not in html, f"unescaped name {name!r} in report.html"


def check_chart(folder: Path, result) -> None:
    data = (folder / "out" / "chart.svg").read_bytes()
    import xml.etree.ElementTree as ET

    assert ET.fromstring(data).tag.endswith("svg")  # well-formed: names were escaped


def check_convert(folder: Path, result) -> None:
    from scorer.inputs.conversion import read_candidates

    # Whatever the mutation let through, the workbook holds the same candidates as the YAML file.
    assert read_candidates(folder / "out" / "c.xlsx")[0] == read_candidates(folder / "candidates.yaml")[0]


def check_compare(folder: Path, result) -> None:
    _inputs(folder)
    out = json.loads((folder / "out" / "compare.json").read_text())
    metrics = {row["metric"]: row for row in out["summary"]}
    assert {"status", "objective"} <= set(metrics)
    base = json.loads(CliRunner().invoke(main, ["optimize", "base/scenario.yaml", "--format", "json"]).stdout)
    assert metrics["objective"]["b"] == pytest.approx(base["objective"])


def check_partners(folder: Path, result) -> None:
    out = json.loads((folder / "out" / "partners.json").read_text())
    assert out["partners"] == ["JP", "US"]
    assert sorted(row["id"] for row in out["ranking"]) == _ids(folder)
    for row in out["ranking"]:
        assert all(-1e-9 <= row[f"value_{p}"] <= 100 + 1e-9 for p in ("JP", "US", "joint"))


def check_bargain(folder: Path, result) -> None:
    out = json.loads((folder / "out" / "bargain.json").read_text())
    points = [tuple(p["values"][q] for q in out["partners"]) for p in out["frontier"]]
    assert points, "a feasible scenario has at least one frontier point"
    for a in points:  # no listed point is dominated by another
        assert not any(b != a and all(y >= x - 1e-9 for x, y in zip(a, b)) for b in points), a
    keys = [tuple(sorted((s["id"], s["start"]) for s in p["selected"])) for p in out["frontier"]]
    for name in ("joint", "nash", "balanced"):
        chosen = out["solutions"][name]
        assert tuple(sorted((s["id"], s["start"]) for s in chosen["selected"])) in keys, name


def check_weights_set(folder: Path, result) -> None:
    from scorer.inputs.models import CriteriaFile
    from scorer.inputs.yamlfile import read_yaml

    criteria = CriteriaFile.model_validate(read_yaml(folder / "criteria.yaml", "criteria.yaml").data)
    assert {c.id: c.weight for c in criteria.criteria}["standardization"] == 20


COMMANDS = [
    Command("validate", ("validate", "scenario.yaml"), (), check_validate, 500, one_line_errors=False),
    Command("score", ("score", "scenario.yaml", "-o", "{out}/score.csv"), ("score.csv",), check_score, 500),
    Command("weights", ("weights", "scenario.yaml", "-o", "{out}/weights.json"), ("weights.json",),
            check_weights, 400),
    Command("optimize", ("optimize", "scenario.yaml", "--time-limit", "10", "-o", "{out}/portfolio.json",
                         "--schedule", "{out}/schedule.csv"),
            ("portfolio.json", "schedule.csv"), check_optimize, 600),
]
COMMANDS += [
    # The same command with every solve in a child process, as for models of 20,000 start options or more.
    Command("optimize isolated", ("optimize", "scenario.yaml", "--time-limit", "10", "-o", "{out}/portfolio.json",
                                  "--schedule", "{out}/schedule.csv"),
            ("portfolio.json", "schedule.csv"), check_optimize, 100, extra={"isolated": True}),
]
COMMANDS += [
    Command("sensitivity", ("sensitivity", "scenario.yaml", "--samples", "20", "--portfolio-samples", "4",
                            "--workers", "1", "-o", "{out}/sensitivity.json"),
            ("sensitivity.json",), check_sensitivity, 120),
    Command("frontier", ("frontier", "scenario.yaml", "--steps", "3", "--workers", "1", "-o", "{out}/frontier.json"),
            ("frontier.json",), check_frontier, 120),
    Command("alternatives", ("alternatives", "scenario.yaml", "-k", "3", "-o", "{out}/alternatives.json"),
            ("alternatives.json",), check_alternatives, 120),
]
COMMANDS += [
    # The robustness sections are fuzzed through their own commands; here the report itself.
    Command("report", ("report", "scenario.yaml", "--no-robustness", "-o", "{out}/report"),
            ("report",), check_report, 30, deadline_ms=60_000),
    Command("chart", ("chart", "gantt", "scenario.yaml", "-o", "{out}/chart.svg"), ("chart.svg",), check_chart, 80),
]
COMMANDS += [
    # A: the mutated scenario; B: the valid one, in base/.
    Command("compare", ("compare", "scenario.yaml", "base/scenario.yaml", "-o", "{out}/compare.json"),
            ("compare.json",), check_compare, 150, extra={"base": True}),
]
COMMANDS += [
    # Edits its input in place: on failure the file must be exactly as it was.
    Command("partners", ("partners", "scenario.yaml", "-o", "{out}/partners.json"), ("partners.json",),
            check_partners, 150, extra={"perspectives": True}),
    Command("bargain", ("bargain", "scenario.yaml", "-o", "{out}/bargain.json"),
            ("bargain.json",), check_bargain, 60, extra={"perspectives": True}),
    Command("weights set", ("weights", "set", "criteria.yaml", "standardization=20"), (), check_weights_set, 200,
            extra={"edits": "criteria"}),
    # Hostile names (formula starts, control characters) must reach the workbook as text, or be refused.
    Command("convert", ("convert", "candidates.yaml", "-o", "{out}/c.xlsx", "--criteria", "criteria.yaml"),
            ("c.xlsx",), check_convert, 100),
]


# ------------------------------------------------------------- the inputs ---

JUNK_FILES = [
    b"", b"   \n\n", b"\xef\xbb\xbf", b"\x00\x01\x02\xff\xfe", bytes(range(256)), b"[" * 3000, b"- " * 3000 + b"x",
    b"a: &a [1, 2]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nd: &d [*c, *c, *c, *c]\ne: [*d, *d, *d, *d]\n",
    b"a: &a [*a]\n", b"--- 1\n--- 2\n", b"!!python/object/apply:os.system ['echo pwned']\n", b"just a string\n",
    b"- a list\n- at the root\n", b"version: 1\nversion: 1\n", b"%YAML 1.1\n---\nversion: 1\n", b"{version: 1}\n",
    b"\xff\xfeversion: 1\n", b"version: !!float 1\n", b"? [a, b]\n: c\n", b"<<: {version: 1}\n",
]

NAME_LINE = re.compile(r"^(\s*-?\s*name: ).*$", re.M)
NUMBER = re.compile(r"(?<![\w.])-?\d+(\.\d+)?(?![\w.])")
HOSTILE_TEXT = st.one_of(
    st.text(min_size=1, max_size=30),
    st.sampled_from(["=HYPERLINK(\"http://x\")", "+1+1", "-2", "@SUM(A1)", "\tx", "\rx", "<b>x</b>", "|a|b|",
                     "\x1b[2J\x1b[31mred", "a\u202eb", "日本語の名前", "x" * 5000, "😀", "\u0085next"]),
)


@st.composite
def hostile_names(draw) -> dict[str, str | bytes]:
    """Valid files whose names carry formula starts, markup, control and wide characters."""
    text = TEXTS["candidates"]
    matches = list(NAME_LINE.finditer(text))
    m = matches[draw(st.integers(0, len(matches) - 1))]
    value = json.dumps(draw(HOSTILE_TEXT))  # a JSON string is a YAML double-quoted scalar
    return {**TEXTS, "candidates": text[: m.start()] + m.group(1) + value + text[m.end():]}


@st.composite
def odd_numbers(draw) -> dict[str, str | bytes]:
    """One number in one file replaced by a huge, tiny, non-finite or odd-typed one."""
    kind = draw(st.sampled_from(sorted(TEXTS)))
    text = TEXTS[kind]
    matches = list(NUMBER.finditer(text))
    m = matches[draw(st.integers(0, len(matches) - 1))]
    new = draw(st.one_of(
        st.sampled_from(["1e308", "-1e308", "1e-320", "5e-324", ".nan", ".inf", "-.inf", "0", "-0", "1e400",
                         "99999999999999999999999", "0.1", "true", "'7'", "[7]", "{v: 7}", "~", "0x10"]),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.integers(-10**30, 10**30).map(str),
    ))
    return {**TEXTS, kind: text[: m.start()] + new + text[m.end():]}


@st.composite
def extra_or_missing_key(draw) -> dict[str, str | bytes]:
    """An unknown key added next to a real one, or a real key's line removed."""
    kind = draw(st.sampled_from(sorted(TEXTS)))
    lines = TEXTS[kind].split("\n")
    n = draw(st.integers(0, len(lines) - 2))
    indent = re.match(r"\s*(- )?", lines[n]).group(0).replace("-", " ")
    if draw(st.booleans()):
        lines.insert(n + 1, f"{indent}{draw(st.sampled_from(['wieght', 'extra', 'Name', 'id', 'x' * 300]))}: 1")
    else:
        del lines[n]
    return {**TEXTS, kind: "\n".join(lines)}


@st.composite
def junk_file(draw) -> dict[str, str | bytes]:
    kind = draw(st.sampled_from(sorted(TEXTS)))
    return {**TEXTS, kind: draw(st.one_of(st.sampled_from(JUNK_FILES), st.binary(max_size=64)))}


def files_strategy():
    """Mutated scenario, criteria and candidates files (see test_fuzz_inputs for the line mutations)."""
    # Valid-but-hostile files come up twice as often as the others, so that
    # about a third of the cases succeed and their outputs get checked.
    return st.one_of(mutated(), hostile_names(), odd_numbers(), extra_or_missing_key(), junk_file(),
                     hostile_names(), st.just(dict(TEXTS)))


# ------------------------------------------------------------- the checks ---

class Hang(Exception):
    """A case ran past :data:`HANG_SECONDS`."""


@contextlib.contextmanager
def watchdog(seconds: int):
    def alarm(signum, frame):
        raise Hang(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@contextlib.contextmanager
def isolation(on: bool):
    """Solve in a child process whatever the model's size (see SolverConfig.isolates)."""
    from scorer.mip import config as solver_config

    saved = solver_config.ISOLATE_FROM
    solver_config.ISOLATE_FROM = 1 if on else saved
    try:
        yield
    finally:
        solver_config.ISOLATE_FROM = saved


# Appended to the (mutated) scenario of the commands that need two partners' views.
PERSPECTIVES = b"""
perspectives:
  US: {weights: {export_friction: 30}, disagreement: 10}
  JP: {weights: {standardization: 5}}
"""


def run_case(command: Command, files: dict[str, str | bytes]) -> None:
    """Write the files into a fresh folder, run the command there, check everything."""
    if command.extra.get("perspectives"):
        scenario = files["scenario"]
        files = {**files, "scenario": (scenario if isinstance(scenario, bytes) else scenario.encode()) + PERSPECTIVES}
    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp):
        folder = Path(tmp)
        for kind, content in files.items():
            (folder / NAMES[kind]).write_bytes(content if isinstance(content, bytes) else content.encode())
        (folder / "out").mkdir()
        if command.extra.get("base"):
            (folder / "base").mkdir()
            for kind, text in TEXTS.items():
                (folder / "base" / NAMES[kind]).write_text(text)
        args = [a.replace("{out}", "out") for a in command.args]
        edited = command.extra.get("edits")
        before = (folder / NAMES[edited]).read_bytes() if edited else None
        with watchdog(HANG_SECONDS), isolation(command.extra.get("isolated", False)):
            result = CliRunner().invoke(main, args, prog_name="coprod", catch_exceptions=True)
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert "Traceback" not in result.stdout + result.stderr
        assert result.exit_code in (0, 1, 2), result.exit_code
        event(f"exit {result.exit_code}")
        written = sorted(p.name for p in (folder / "out").iterdir())
        expected = [*NAMES.values(), "out"] + (["base"] if command.extra.get("base") else [])
        assert sorted(p.name for p in folder.iterdir()) == sorted(expected), "stray file"
        if result.exit_code == 0:
            assert written == sorted(command.outputs), written
            check_stderr_on_success(result.stderr)
            command.check(folder, result)
        else:
            assert written == [], f"output left after exit {result.exit_code}: {written}"
            if edited:
                assert (folder / NAMES[edited]).read_bytes() == before, "a refused edit changed the file"
            check_error(command, result)


def check_stderr_on_success(stderr: str) -> None:
    assert all(line.startswith(MESSAGE_PREFIXES) for line in stderr.splitlines()), stderr


def check_error(command: Command, result) -> None:
    lines = result.stderr.splitlines()
    if result.exit_code == 2:  # click's usage error: Usage, hint, blank line, "Error: ..."
        assert lines[0].startswith("Usage: coprod ") and lines[-1].startswith("Error: "), result.stderr
        return
    errors = [line for line in lines if line.startswith("coprod: error: ")]
    if not command.one_line_errors and not errors:
        *problems, summary = lines
        assert re.fullmatch(r"coprod: \d+ problems? found", summary), summary
        assert problems and all(FILE_PREFIX.match(p) for p in problems), problems
        return
    assert len(errors) == 1, result.stderr
    message = errors[0].removeprefix("coprod: error: ")
    if message.startswith("infeasible: "):
        # The infeasibility message has a second line listing the conflicting limits.
        rest = [line for line in lines if line != errors[0] and not line.startswith(MESSAGE_PREFIXES)]
        assert all(line.startswith("conflicting limits: ") for line in rest), result.stderr
        return
    assert FILE_PREFIX.match(message), f"the message does not name the file: {message!r}"
    others = [line for line in lines if line != errors[0]]
    assert all(line.startswith(MESSAGE_PREFIXES) for line in others), result.stderr


def _settings(command: Command):
    return settings(
        max_examples=max(10, int(command.examples * SCALE)),
        deadline=command.deadline_ms,
        derandomize=not NIGHTLY,
        database=None if not NIGHTLY else settings.default.database,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        print_blob=True,
    )


def fuzz_test(command: Command):
    """A hypothesis test of one command (parametrising would share one example budget)."""

    @_settings(command)
    @given(files=files_strategy())
    def test(files):
        run_case(command, files)

    test.__name__ = f"test_fuzz_{command.name.replace(' ', '_')}"
    return test


for _command in COMMANDS:
    globals()[f"test_fuzz_{_command.name.replace(' ', '_')}"] = fuzz_test(_command)


# ------------------------------------------------------------- schema ---

@settings(max_examples=max(10, int(100 * SCALE)), deadline=5_000, derandomize=not NIGHTLY)
@given(kind=st.one_of(st.sampled_from(["criteria", "candidates", "scenario"]), st.text(max_size=12)))
def test_fuzz_schema(kind):
    command = Command("schema", ("schema", kind), (), check_schema, 0)
    result = CliRunner().invoke(main, ["schema", kind], prog_name="coprod")
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 2)
    if result.exit_code == 0:
        check_schema(Path("."), result)
    else:
        check_error(command, result)


def test_the_table_covers_every_registered_command():
    # A new command without a fuzz entry fails here (schema takes no files;
    # init writes a starter set and is fuzzed on its folder argument; serve runs
    # until stopped: its files load as optimize's do, and its requests are fuzzed
    # in tests/web/test_app.py, its bad files in tests/cli/test_cli_serve.py).
    fuzzed = {c.name.split()[0] for c in COMMANDS} | {"schema", "init", "serve"}
    missing = set(main.commands) - fuzzed - PENDING
    assert not missing, f"add these commands to COMMANDS: {sorted(missing)}"


# Commands that exist but are not in the table yet (each added in its own commit).
PENDING: set[str] = set()


# ---------------------------------------------------------------- init ---

@settings(max_examples=max(10, int(60 * SCALE)), deadline=20_000, derandomize=not NIGHTLY, database=None)
@given(name=st.one_of(st.text(min_size=1, max_size=12).filter(lambda t: "/" not in t and "\x00" not in t),
                      st.sampled_from(["..", ".", "out", "a b", "-x", "日本", "x" * 300, "scenario.yaml"])))
def test_fuzz_init(name):
    # init takes a folder, not input files: fuzz the folder name. Whatever the
    # name, it writes the three starter files there, or refuses in one line;
    # ".." points at the folder holding another scenario, which must not be touched.
    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp):
        folder = Path(tmp)
        for kind, text in TEXTS.items():
            (folder / NAMES[kind]).write_text(text)
        (folder / "out").mkdir()
        result = CliRunner().invoke(main, ["init", f"out/{name}"], prog_name="coprod")
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert "Traceback" not in result.output
        assert all((folder / NAMES[k]).read_text() == TEXTS[k] for k in TEXTS), "an existing file was changed"
        target = folder / "out" / name
        if result.exit_code == 0:
            assert {p.name for p in target.iterdir()} >= set(NAMES.values())
            load_scenario(target / "scenario.yaml")
        else:
            assert result.exit_code == 1
            errors = [line for line in result.stderr.splitlines() if line.startswith("coprod: error: ")]
            assert len(errors) == 1, result.stderr
            assert not list(folder.rglob("*.tmp")), "temporary file left"


def test_init_with_a_name_too_long_fails_in_one_line(in_tmp):
    result = CliRunner().invoke(main, ["init", "x" * 300], prog_name="coprod")
    assert result.exit_code == 1 and result.stderr.startswith("coprod: error: "), repr(result.exception)
