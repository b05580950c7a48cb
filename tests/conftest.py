"""Shared fixtures: a small valid scenario written as text, so tests know its lines."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

CRITERIA = """\
version: 1
criteria:
  - id: standardization
    name: Standardization
    direction: benefit
    scale: {min: 0, max: 10}
    weight: 15
    group: integration
  - id: cost_sharing
    name: Cost sharing
    weight: 5
    group: governance
    value_function:
      type: categorical
      levels: {none: 0, draft: 0.5, signed: 1}
  - id: export_friction
    name: Export friction
    direction: cost
    scale: {min: 0, max: 10}
    weight: 10
    group: governance
groups:
  - id: integration
    name: Integration
    weight: 60
  - id: governance
    name: Governance
    weight: 40
"""

CANDIDATES = """\
version: 1
currency: USD million (notional)
candidates:
  - id: gpi
    name: Glide Phase Interceptor
    category: joint-development
    partners: {US: 0.6, JP: 0.4}
    cost: [100, 200, 200]
    earliest_start: 2026
    scores:
      standardization: 7
      cost_sharing: signed
      export_friction: {value: 6, low: 4, high: 8, rationale: ITAR friction, source: CSIS}
  - id: t7a
    name: T-7A trainer
    category: co-production
    partners: {US: 0.2, JP: 0.8}
    cost: [50, 50]
    earliest_start: 2026
    latest_finish: 2030
    scores:
      standardization: 8
      cost_sharing: draft
      export_friction: 3
  - id: tactical
    name: Tactical trainer
    category: joint-development
    partners: {US: 0.5, JP: 0.5}
    cost: [80, 80, 80]
    requires: [t7a]
    excludes: []
    scores:
      standardization: 6
      cost_sharing: none
      export_friction: 5
  - id: ship-mro
    name: Ship MRO
    category: co-sustainment
    partners: {US: 0.8, JP: 0.2}
    cost: [20, 20]
    scores:
      standardization: 5
      cost_sharing: draft
      export_friction: 2
"""

SCENARIO = """\
version: 1
name: Test scenario
criteria: criteria.yaml
candidates: candidates.yaml
horizon: {start: 2026, end: 2032}
budget:
  total: 900
  per_year: {2026: 300, 2027: 300}
  per_partner:
    US: {total: 500, per_year: 200}
    JP: {total: 500}
rules:
  mandatory: [gpi]
  max_projects: 3
  categories:
    co-sustainment: {min: 1}
objective: {delay_discount: 0.05}
method: weighted-sum
solver: {name: highs, time_limit: 10, gap: 0.0}
seed: 7
"""

# Edits that drop the criterion weights, for files whose weighting derives them.
NO_CRITERION_WEIGHTS = [("    weight: 15\n", ""), ("    weight: 5\n", ""), ("    weight: 10\n", "")]

TEXTS = {"criteria": CRITERIA, "candidates": CANDIDATES, "scenario": SCENARIO}
NAMES = {"criteria": "criteria.yaml", "candidates": "candidates.yaml", "scenario": "scenario.yaml"}


@dataclass
class Case:
    """A scenario folder written from text; ``path`` is the scenario file."""

    folder: Path
    texts: dict[str, str]

    @property
    def path(self) -> Path:
        return self.folder / NAMES["scenario"]

    def file(self, kind: str) -> Path:
        return self.folder / NAMES[kind]

    def line_of(self, kind: str, marker: str, occurrence: int = 1) -> int:
        """1-based line of the ``occurrence``-th line in the file containing ``marker``."""
        found = [n for n, line in enumerate(self.texts[kind].splitlines(), start=1) if marker in line]
        if len(found) < occurrence:
            raise AssertionError(f"{marker!r} not in {kind} {occurrence} times")
        return found[occurrence - 1]


def write_case(folder: Path, edits: dict[str, list[tuple[str, str]]] | None = None) -> Case:
    """Write the three files into ``folder``, applying ``{kind: [(old, new), ...]}`` edits."""
    texts = dict(TEXTS)
    for kind, pairs in (edits or {}).items():
        for old, new in pairs:
            assert old in texts[kind], f"{old!r} not in {kind}"
            texts[kind] = texts[kind].replace(old, new, 1)
    for kind, text in texts.items():
        (folder / NAMES[kind]).write_text(text, encoding="utf-8")
    return Case(folder, texts)


@pytest.fixture
def case(tmp_path: Path) -> Case:
    """The valid small scenario, written into a fresh folder."""
    return write_case(tmp_path)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test with the temporary folder as current directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_on_terminal(argv: list[str], cwd: Path | None = None, env: dict[str, str] | None = None,
                    timeout: float = 300) -> tuple[int, bytes, bytes]:
    """Run ``argv`` with stdout on a pseudo-terminal: its exit code, what it drew, and its stderr."""
    import os
    import pty
    import subprocess

    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(argv, cwd=cwd, stdout=slave, stderr=subprocess.PIPE, env=env)
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: every writer of the terminal has gone
                break
            if not chunk:
                break
            chunks.append(chunk)
        err = proc.stderr.read()
        proc.wait(timeout=timeout)
    finally:
        os.close(master)
    return proc.returncode, b"".join(chunks), err
