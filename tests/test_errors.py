"""The error hierarchy: errors and notices carry the settings they name; the library names no flag."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import scorer
from scorer.errors import CoprodError, InputError, Notice, Problem, ScoringError, SolverError, UsageError

PACKAGE = Path(scorer.__file__).parent

# A command-line flag inside a text: ``--time-limit``, or a lone short option such as ``-w`` or ``-o``
# (not ``x-y``, ``-1`` or ``--`` alone).
FLAG = re.compile(r"(?<![\w-])--[a-z]|(?<![\w-])-[a-zA-Z](?![\w-])")

# Texts that name a flag on purpose, each with its reason. Everything else in the library names
# settings in its own terms and lets scorer.cli.hints add the flag.
ON_PURPOSE = {
    # Printed on stdout or into the report's files, whose bytes must not change (issue 14, item 8).
    ("present/output.py", " (see them with --format csv, json or xlsx)"): "terminal table on stdout",
    ("present/report.py", "Not computed (run without --no-explain to include it)."): "report document",
    ("present/report.py", "Not analysed in this report (--no-robustness)."): "report document",
    ("scoring/score.py", "-w override"): "a value of the weights table's source column",
    # Not a message: the child process's own command line, ``python -P -c CODE``.
    ("mip/child.py", "-P"): "argv of the child Python",
    ("mip/child.py", "-c"): "argv of the child Python",
}


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring nodes: they speak to people reading the code, who may be told of a flag."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def library_texts() -> list[tuple[str, int, str]]:
    """Every string constant of the library outside scorer/cli and outside docstrings: (module, line, text)."""
    texts = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(PACKAGE).as_posix()
        if module.startswith("cli/"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        texts += [(module, node.lineno, node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs]
    return texts


def test_no_library_text_names_a_command_line_flag() -> None:
    texts = library_texts()
    assert len(texts) > 1000  # the walk saw the library, not an empty folder
    flagged = [(m, line, t) for m, line, t in texts if FLAG.search(t) and (m, t) not in ON_PURPOSE]
    assert flagged == []


def test_every_text_named_on_purpose_is_still_there() -> None:
    # An exemption whose text is gone would let a new flag in under its name: remove it instead.
    present = {(m, t) for m, _, t in library_texts()}
    assert set(ON_PURPOSE) <= present


@pytest.mark.parametrize("text, flagged", [
    ("raise solver.time_limit or --time-limit", True), ("-w nope=...: unknown criterion", True),
    ("-k must be at least 1", True), ("write it with -o FILE", True), ("raise solver.time_limit", False),
    ("the 2028-2030 caps", False), ("a gap of -1", False), ("co-development", False), ("--", False),
])
def test_the_flag_pattern_tells_a_flag_from_a_hyphen(text: str, flagged: bool) -> None:
    assert bool(FLAG.search(text)) is flagged


def test_an_error_carries_the_settings_it_names() -> None:
    exc = SolverError("the highs solver found no portfolio within the time limit of 1 s; raise solver.time_limit",
                      settings=("solver.time_limit",))
    assert str(exc).endswith("raise solver.time_limit") and exc.settings == ("solver.time_limit",)
    assert isinstance(exc, CoprodError) and ScoringError("x").settings == ()
    assert UsageError("x").settings == () and not hasattr(CoprodError, "exit_code")  # the CLI's business


def test_an_input_error_still_summarises_its_problems() -> None:
    exc = InputError([Problem("b.yaml", 2, "x", "bad"), Problem("a.yaml", None, "", "worse")])
    assert str(exc) == "a.yaml: worse (and 1 more; run 'coprod validate' to list them)" and exc.settings == ()


def test_a_notice_is_the_text_it_shows_with_its_settings() -> None:
    notice = Notice("CSV holds the ranking table only", settings=["format"])
    assert notice == "CSV holds the ranking table only" and isinstance(notice, str)
    assert notice.settings == ("format",) and Notice("plain").settings == ()


def test_a_library_error_names_the_setting_and_no_flag() -> None:
    from testkit import make_problem
    from scorer.robustness.frontier import sweep_levels

    with pytest.raises(ScoringError) as caught:
        sweep_levels(make_problem([[1.0]], horizon=(2026, 2027)), None, None, 3, year=2099)
    assert str(caught.value) == "the swept year 2099 is outside the horizon 2026-2027"
    assert caught.value.settings == ("year",) and not FLAG.search(str(caught.value))


def test_problems_sort_naturally_whatever_digits_their_paths_hold() -> None:
    paths = ["row 10", "row 2", "row 02", "x1²1", "x1²0", "1" * 5000, "1" * 4999 + "2", "candidates[3].scores"]
    shown = [p.path for p in InputError([Problem("f.csv", None, path, "m") for path in paths]).problems]
    # 02 and 2 before 10 (equal numbers: by their text); a superscript is text, not a number.
    assert shown == ["1" * 5000, "1" * 4999 + "2", "candidates[3].scores", "row 02", "row 2", "row 10",
                     "x1²0", "x1²1"]
