"""The command line adds the flag of each setting a library error or notice names (scorer.cli.hints)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import scorer
from scorer.cli.hints import COMMAND_FLAGS, FLAGS, flag, hinted
from scorer.errors import ScoringError
from scorer.inputs.loading import load_scenario
from scorer.portfolio.problem import problem_from_inputs
from scorer.robustness.frontier import sweep_levels

COPROD = Path(sys.executable).with_name("coprod")


def coprod(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    assert COPROD.exists(), f"install the package first: no {COPROD}"
    return subprocess.run([str(COPROD), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def named_settings() -> set[str]:
    """Every setting the library names on an error or notice: ``settings=(...)`` and ``settings.append(...)``."""
    found = set()
    for path in Path(scorer.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            values = [k.value for k in node.keywords if k.arg == "settings"]
            found |= {e.value for v in values if isinstance(v, ast.Tuple | ast.List) for e in v.elts
                      if isinstance(e, ast.Constant)}
            f = node.func
            if isinstance(f, ast.Attribute) and f.attr == "append" and getattr(f.value, "id", "") == "settings":
                found |= {a.value for a in node.args if isinstance(a, ast.Constant)}
    return found


def test_every_setting_the_library_names_has_a_flag() -> None:
    named = named_settings()
    assert {"solver.time_limit", "explain", "robustness", "force", "weights"} <= named  # the walk found them
    by_command = {setting for _, setting in COMMAND_FLAGS}
    assert sorted(s for s in named if s not in FLAGS and s not in by_command) == []


def test_hinted_adds_the_flags_once_in_the_order_named() -> None:
    assert hinted("raise solver.time_limit", ()) == "raise solver.time_limit"
    assert hinted("raise solver.time_limit", ("solver.time_limit",)) == \
        "raise solver.time_limit; on the command line: --time-limit"
    assert hinted("x", ("robustness.weight_ranges", "robustness.concentration", "robustness.weight_ranges")) == \
        "x; on the command line: --weight-range, --concentration"
    assert hinted("x", ("no such setting",)) == "x"


def test_a_command_may_spell_a_setting_its_own_way() -> None:
    assert flag("explain", "optimize") == "--explain" and flag("explain", "report") == "--no-explain"
    assert flag("robustness", "report") == "--no-robustness" and flag("robustness", "optimize") is None
    assert hinted("leave it out", ("explain", "robustness"), "report") == \
        "leave it out; on the command line: --no-explain, --no-robustness"


@pytest.mark.slow
def test_the_library_error_has_no_flag_and_the_command_line_adds_it(case) -> None:
    problem = problem_from_inputs(load_scenario(case.path))
    with pytest.raises(ScoringError) as caught:
        sweep_levels(problem, None, None, 3, year=2099)
    library = str(caught.value)
    assert "--" not in library and library.startswith("the swept year 2099 is outside the horizon ")
    done = coprod("-q", "frontier", str(case.path), "--year", "2099", cwd=case.folder)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == f"coprod: error: {library}; on the command line: --year\n"


@pytest.mark.slow
def test_a_library_notice_gets_its_flag_on_the_command_line(case) -> None:
    done = coprod("alternatives", str(case.path), "--format", "csv", cwd=case.folder)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == ("coprod: note: CSV holds the alternatives table only (not roles); the "
                                            "json, markdown and xlsx formats hold every table; on the command "
                                            "line: --format")


@pytest.mark.slow
def test_an_error_naming_two_settings_gets_both_flags(case) -> None:
    done = coprod("-q", "frontier", str(case.path), "--from", "5", "--to", "1", cwd=case.folder)
    assert done.returncode == 1
    assert done.stderr == ("coprod: error: the sweep needs 0 <= start < stop, got 5 to 1; "
                           "on the command line: --from, --to\n")


@pytest.mark.slow
def test_an_error_naming_no_setting_is_shown_as_the_library_wrote_it(case) -> None:
    done = coprod("-q", "optimize", str(case.path), "--budget", "1", cwd=case.folder)
    assert done.returncode == 1 and done.stderr.startswith("coprod: error: infeasible: ")
    assert "on the command line" not in done.stderr
