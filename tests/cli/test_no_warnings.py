"""Degenerate but valid inputs print no Python warning and no traceback, through the installed command.

Each case is a scenario at an edge the maths must handle on purpose: a
value of 0 (log 0 in the weighted product), candidates all equal (TOPSIS's
ideal is its anti-ideal; flip points divide by a zero slope), a single
candidate (PROMETHEE's n - 1 = 0), a scenario with no limits at all (no row
to explain), nothing affordable. Every warning category is shown every time
(``PYTHONWARNINGS=always``), so a division by zero that is expected but not
handled (``np.errstate``) shows up here as it would on a user's terminal.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # every test here takes seconds (measured with --durations)


COPROD = Path(sys.executable).with_name("coprod")
FAST = ("--samples", "20", "--portfolio-samples", "4", "--workers", "1")

ONE_CRITERION = """\
version: 1
criteria:
  - id: merit
    name: Merit
    scale: {min: 0, max: 10}
    weight: 1
"""


def _candidates(scores: list[float]) -> str:
    return "version: 1\ncandidates:\n" + "".join(
        f"  - id: c{i}\n    name: C{i}\n    partners: {{US: 1}}\n    cost: [10]\n    scores: {{merit: {s}}}\n"
        for i, s in enumerate(scores))


NO_LIMITS = "version: 1\nname: Bare\ncriteria: criteria.yaml\ncandidates: candidates.yaml\nhorizon: {start: 2026, end: 2026}\n"
# Every candidate scores the scale minimum on standardization: a value of 0.
AT_MINIMUM = [(f"standardization: {s}", "standardization: 0") for s in (7, 8, 6, 5)]
ALL_EQUAL = [*AT_MINIMUM,
             ("export_friction: {value: 6, low: 4, high: 8, rationale: ITAR friction, source: CSIS}", "export_friction: 2"),
             ("export_friction: 3", "export_friction: 2"), ("export_friction: 5", "export_friction: 2"),
             ("cost_sharing: signed", "cost_sharing: draft"), ("cost_sharing: none", "cost_sharing: draft")]


def _write(write_case, folder: Path, case: str) -> None:
    if case in ("single", "bare"):
        for name, text in (("criteria.yaml", ONE_CRITERION), ("scenario.yaml", NO_LIMITS),
                           ("candidates.yaml", _candidates([5] if case == "single" else [0, 5, 5]))):
            (folder / name).write_text(text)
    elif case == "at-minimum":
        write_case(folder, {"candidates": AT_MINIMUM})
    elif case == "all-equal":
        write_case(folder, {"candidates": ALL_EQUAL})
    else:  # nothing-fits: gpi is mandatory but the budget is 1
        write_case(folder, {"scenario": [("total: 900", "total: 1")]})


RUNS = [
    ("at-minimum", ("score", "--method", "weighted-product"), 0),
    ("at-minimum", ("sensitivity", "--method", "weighted-product", *FAST), 0),
    ("all-equal", ("score", "--method", "topsis"), 0),
    ("all-equal", ("sensitivity", *FAST), 0),
    ("all-equal", ("optimize", "--explain"), 0),
    ("single", ("score", "--method", "promethee-ii"), 0),
    ("single", ("report", "-o", "rep", *FAST), 0),
    ("bare", ("report", "-o", "rep", *FAST), 0),
    ("bare", ("frontier", "--steps", "3", "--workers", "1"), 0),
    ("nothing-fits", ("optimize", "--explain"), 1),
]


@pytest.mark.parametrize("case, args, code", RUNS, ids=[f"{c}-{' '.join(a[:3])}" for c, a, _ in RUNS])
def test_degenerate_inputs_print_no_warning(write_case, tmp_path, case, args, code):
    _write(write_case, tmp_path, case)
    env = {**os.environ, "PYTHONWARNINGS": "always"}
    argv = [args[0], "scenario.yaml", *args[1:], *(() if "-o" in args else ("--format", "json"))]
    result = subprocess.run([COPROD, *argv], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
    assert result.returncode == code, result.stderr
    assert "Warning" not in result.stderr and "Traceback" not in result.stderr, result.stderr
