"""The console entry point of installs made before the command line became ``scorer.cli``.

Their ``coprod`` script runs ``from scorer.launch import main``; without this
module it would end in a ModuleNotFoundError traceback and print nothing on
stdout. New installs use :mod:`scorer.cli.launch` directly.
"""

from __future__ import annotations

from scorer.cli.launch import main

__all__ = ["main"]
