"""``coprod chart pareto|partners`` and the report's section on the two governments, through the installed executable."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from testkit import write_perspectives

COPROD = Path(sys.executable).with_name("coprod")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def coprod(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    assert COPROD.exists(), f"{COPROD} is not installed"
    return subprocess.run([str(COPROD), *args], capture_output=True, timeout=180, check=False, cwd=cwd, env=env)


@pytest.fixture
def bilateral(case) -> Path:
    return write_perspectives(case)


def _texts(svg: bytes) -> list[str]:
    return ["".join(el.itertext()) for el in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]


@pytest.mark.parametrize(("kind", "labels"), [
    ("pareto", ("ideal", "nash solution", "balanced solution", "joint solution")),
    ("partners", ("US's rank", "JP's rank", "joint rank")),
])
def test_partner_charts_on_stdout_are_valid_deterministic_svg(bilateral, kind: str, labels: tuple) -> None:
    first = coprod("chart", kind, str(bilateral), "-o", "-", "--format", "svg", "-q")
    assert first.returncode == 0, first.stderr.decode()
    texts = " | ".join(_texts(first.stdout))
    for label in labels:
        assert label in texts, label
    assert coprod("chart", kind, str(bilateral), "-o", "-", "--format", "svg", "-q").stdout == first.stdout


def test_partner_chart_png_file(bilateral, tmp_path: Path) -> None:
    out = tmp_path / "pareto.png"
    done = coprod("chart", "pareto", str(bilateral), "-o", str(out), "-q")
    assert done.returncode == 0, done.stderr.decode()
    assert out.read_bytes().startswith(PNG_MAGIC)


@pytest.mark.parametrize("kind", ["pareto", "partners"])
def test_partner_charts_without_perspectives_say_so_in_one_line(case, tmp_path: Path, kind: str) -> None:
    out = tmp_path / "x.svg"
    done = coprod("chart", kind, str(case.path), "-o", str(out), "-q")
    assert done.returncode == 1
    lines = done.stderr.decode().strip().splitlines()
    assert lines == [f"coprod: error: the {kind} chart needs the partners' perspectives, and the scenario has "
                     "none (give them under 'perspectives:')"]
    assert not out.exists()
