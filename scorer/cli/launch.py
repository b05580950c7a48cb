"""The ``coprod`` executable's entry point: a Ctrl-C while it is still loading ends quietly.

Loading the command line (pandas, pydantic, click) takes a second or more;
a Ctrl-C meanwhile would otherwise print the traceback of whatever import
it interrupted. This module imports nothing heavy itself, and ``scorer``'s
``__init__`` looks its version up only when asked.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Load and run the command line; a Ctrl-C during loading ends with one line and exit 130."""
    try:
        from scorer.cli.group import main as cli
    except KeyboardInterrupt:
        sys.stderr.write("coprod: interrupted\n")
        sys.exit(130)
    cli()
