"""The ``coprod`` executable's entry point: a Ctrl-C while it is still loading ends quietly.

Loading the command line (pandas, pydantic, click) takes a second or more;
a Ctrl-C meanwhile would otherwise print the traceback of whatever import
it interrupted. This module imports nothing heavy itself, and ``scorer``'s
``__init__`` looks its version up only when asked.
"""

from __future__ import annotations

import os
import sys

from scorer.mip.cancelled import still_running

INTERRUPTED = 130  # the shell's 128 + SIGINT


def main() -> None:
    """Load and run the command line; a Ctrl-C during loading ends with one line and exit 130."""
    try:
        from scorer.cli.group import main as cli
    except KeyboardInterrupt:
        sys.stderr.write("coprod: interrupted\n")
        sys.exit(INTERRUPTED)
    try:
        cli()
    except SystemExit as exc:
        if exc.code == INTERRUPTED and still_running():
            _end_now()
        raise


def _end_now() -> None:
    """End an interrupted run while a cancelled HiGHS run is still finishing on its thread.

    Every ``finally`` has run by now (files written atomically, child
    processes killed). The interpreter's own exit would wait for that
    thread, up to a second or more after Ctrl-C (:mod:`scorer.mip.cancelled`),
    so the process ends here, its streams flushed.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream has nothing left to deliver
            pass
    os._exit(INTERRUPTED)
