"""Shared fixtures: per-test state built on :mod:`testkit`.

A small valid scenario written as text into a temporary folder (so tests know
its lines), the hard scenario of the time-limit tests, and the default
scenario loaded once. Plain data and functions that decorators or strategies
need at import time live in ``tests/testkit.py``; test modules never import
this file or each other.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import testkit
from scorer.defaults import default_scenario
from scorer.inputs.loading import ScenarioInputs, load_scenario
from testkit import Case


@pytest.fixture(scope="session")
def write_case() -> Callable[..., Case]:
    """``write_case(folder, {kind: [(old, new), ...]})``: the small scenario, edited, written into ``folder``.

    Session-scoped so that module-scoped fixtures can write into folders of
    ``tmp_path_factory``; it holds no state of its own.
    """
    return testkit.write_case


@pytest.fixture
def case(write_case, tmp_path: Path) -> Case:
    """The valid small scenario, written into a fresh folder."""
    return write_case(tmp_path)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test with the temporary folder as current directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def write_hard_scenario() -> Callable[..., Path]:
    """``write_hard_scenario(folder, n=400, ...)``: a knapsack HiGHS cannot prove in seconds, in ``folder``."""
    return testkit.write_hard_scenario


@pytest.fixture(scope="session")
def default_inputs() -> ScenarioInputs:
    """The shipped default scenario, loaded once (read it, do not change it)."""
    return load_scenario(default_scenario())
