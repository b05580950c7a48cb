"""Every way coprod is started writes the same data on stdout: the console script, ``python -m
scorer``, and the scripts of installs made before the command line became a package.

An editable install keeps the console script it was made with. Those scripts run ``from
scorer.cli import main`` or ``from scorer.launch import main``; when those names went, such a
``coprod`` printed a traceback and nothing on stdout.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

COPROD = Path(sys.executable).with_name("coprod")
OLD_SCRIPT = "import sys\nfrom {module} import main\nsys.argv[0] = 'coprod'\nsys.exit(main())\n"
STARTS = {
    "console script": [str(COPROD)],
    "python -m scorer": [sys.executable, "-m", "scorer"],
    "script of scorer.cli:main": [sys.executable, "-c", OLD_SCRIPT.format(module="scorer.cli")],
    "script of scorer.launch:main": [sys.executable, "-c", OLD_SCRIPT.format(module="scorer.launch")],
}


def run(start: list[str], fmt: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*start, "optimize", "--format", fmt], capture_output=True, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def expected(tmp_path_factory) -> dict[str, bytes]:
    cwd = tmp_path_factory.mktemp("entry")
    return {fmt: run(STARTS["console script"], fmt, cwd).stdout for fmt in ("json", "csv")}


@pytest.mark.slow
@pytest.mark.parametrize("start", sorted(STARTS))
def test_every_start_writes_pure_data_on_stdout(start: str, expected: dict[str, bytes], tmp_path: Path) -> None:
    got = {fmt: run(STARTS[start], fmt, tmp_path) for fmt in ("json", "csv")}
    for fmt, result in got.items():
        assert result.returncode == 0 and b"Traceback" not in result.stderr, result.stderr.decode()
        assert result.stdout == expected[fmt]
    assert json.loads(got["json"].stdout)["status"] == "optimal"
    header = next(csv.reader(io.StringIO(got["csv"].stdout.decode("utf-8"))))
    assert header[:3] == ["id", "name", "start"]
