"""``-w ID=N`` and ``--method`` on every command that scores or optimises, through the installed executable.

Each command run with ``-w standardization=30 --method topsis`` must print
what the same command prints on a scenario whose files say so: a criteria
file with standardization's weight 30 and a scenario with ``method: topsis``.
Both runs see files of the same names (in two folders), so every path shown
is the same.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COPROD = str(Path(sys.executable).with_name("coprod"))
OVERRIDES = ["-w", "standardization=30", "--method", "topsis"]


def _scenario_text(method: str) -> str:
    text = (ROOT / "scenarios/baseline.yaml").read_text(encoding="utf-8")
    text = text.replace("../criteria/us-japan.yaml", "criteria.yaml").replace("../candidates/us-japan.yaml",
                                                                               "candidates.yaml")
    assert "method: weighted-sum" in text and "criteria: criteria.yaml" in text
    return text.replace("method: weighted-sum", f"method: {method}")


def _criteria_text(standardization: int | None) -> str:
    text = (ROOT / "criteria/us-japan.yaml").read_text(encoding="utf-8")
    if standardization is None:
        return text
    at = text.index("- id: standardization")
    head, tail = text[:at], text[at:]
    assert "    weight: 15\n" in tail.split("- id:", 2)[1]
    return head + tail.replace("    weight: 15\n", f"    weight: {standardization}\n", 1)


def _folder(path: Path, method: str, standardization: int | None) -> Path:
    path.mkdir()
    (path / "criteria.yaml").write_text(_criteria_text(standardization), encoding="utf-8")
    shutil.copy(ROOT / "candidates/us-japan.yaml", path / "candidates.yaml")
    scenario = _scenario_text(method)
    (path / "scenario.yaml").write_text(scenario, encoding="utf-8")
    assert "total: 5200" in scenario
    (path / "tight.yaml").write_text(scenario.replace("total: 5200", "total: 2600"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> tuple[Path, Path]:
    """(files as shipped, run with the overrides; files with the overrides written out)."""
    base = tmp_path_factory.mktemp("overrides")
    return _folder(base / "given", "weighted-sum", None), _folder(base / "written", "topsis", 30)


def run(cwd: Path, *args: str) -> bytes:
    env = dict(os.environ, COLUMNS="120", NO_COLOR="1", LC_ALL="C.UTF-8", SOURCE_DATE_EPOCH="0")
    done = subprocess.run([COPROD, "-q", *args], cwd=cwd, capture_output=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


CASES = {
    "optimize-json": ["optimize", "scenario.yaml", "--format", "json"],
    "optimize-csv": ["optimize", "scenario.yaml", "--format", "csv"],
    "frontier": ["frontier", "scenario.yaml", "--steps", "5", "--workers", "1", "--format", "json"],
    "alternatives": ["alternatives", "scenario.yaml", "-k", "3", "--format", "json"],
    "compare": ["compare", "scenario.yaml", "tight.yaml", "--format", "json"],
    "compare-md": ["compare", "scenario.yaml", "tight.yaml", "--format", "markdown"],
    "chart-contributions": ["chart", "contributions", "scenario.yaml", "-o", "-", "--format", "svg"],
    "chart-gantt": ["chart", "gantt", "scenario.yaml", "-o", "-", "--format", "svg"],
    "chart-tornado": ["chart", "tornado", "scenario.yaml", "-o", "-", "--format", "svg", "--workers", "1"],
}


@pytest.mark.slow
@pytest.mark.parametrize("name", CASES)
def test_overrides_print_what_the_written_out_files_print(folders, name) -> None:
    given, written = folders
    argv = CASES[name]
    with_overrides = run(given, *argv[:2], *OVERRIDES, *argv[2:])
    assert with_overrides == run(written, *argv)
    # ... and the overrides did change the answer: the test compares two different runs.
    if name.startswith(("optimize", "alternatives", "chart-contributions")):
        assert with_overrides != run(given, *argv)


def _md_sections(text: str) -> dict[str, str]:
    parts = re.split(r"^(## .*)$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2]))


@pytest.mark.slow
def test_report_with_overrides_is_the_report_of_the_written_out_files(folders, tmp_path) -> None:
    given, written = folders
    options = ["--samples", "40", "--portfolio-samples", "4", "--workers", "1", "--force"]
    run(given, "report", "scenario.yaml", *OVERRIDES, "-o", str(tmp_path / "a"), *options)
    run(written, "report", "scenario.yaml", "-o", str(tmp_path / "b"), *options)
    a, b = ({p.name: p.read_bytes() for p in sorted((tmp_path / x).iterdir())} for x in ("a", "b"))
    assert a.keys() == b.keys() and "report.md" in a
    for name in a:
        if name.endswith(".svg"):
            assert a[name] == b[name], name
    ma, mb = (_md_sections(x["report.md"].decode("utf-8")) for x in (a, b))
    assert ma.keys() == mb.keys()
    assert "- **method**: topsis;" in ma["## Scenario summary"]
    for section in ma:
        if section == "## Manifest":
            # The scenario and criteria files differ (method, weight 15 or 30), so their hashes do; nothing else.
            differing = [x for x, y in zip(ma[section].splitlines(), mb[section].splitlines()) if x != y]
            assert [x.split(":")[0] for x in differing] == ["- **scenario file**", "- **criteria file**"], differing
        elif section == "## Effective weights":
            # The one sign of the override: where standardization's raw weight came from.
            assert ma[section].replace("-w override", "weight") == mb[section] != ma[section]
        else:
            assert ma[section] == mb[section], section
