"""Where the default data set lives, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
DEFAULT_SCENARIO = "scenarios/baseline.yaml"


def data_root() -> Path:
    """The folder holding ``criteria/``, ``candidates/`` and ``scenarios/``.

    A wheel carries them as ``scorer/data``; an editable install or a source
    checkout reads the top-level folders people edit.
    """
    packaged = _PACKAGE / "data"
    return packaged if (packaged / DEFAULT_SCENARIO).is_file() else _PACKAGE.parent


def default_scenario() -> Path:
    """Path of the default US–Japan scenario."""
    return data_root() / DEFAULT_SCENARIO
