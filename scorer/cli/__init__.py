"""The ``coprod`` command line: option parsing only; every decision is the library's."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # ``scorer.cli:main`` was the console entry point before the command line became a package:
    # an install made then still runs ``from scorer.cli import main``. Looked up only when asked,
    # so importing scorer.cli.launch stays light.
    if name != "main":
        raise AttributeError(f"module 'scorer.cli' has no attribute {name!r}")
    from scorer.cli.group import main

    return main
