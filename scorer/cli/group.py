"""The ``coprod`` command line: parse options, call the library, write output.

Data goes to stdout, messages to stderr; so does anything a native library
prints (see :mod:`scorer.cli.stdio`). A :class:`~scorer.errors.CoprodError`
becomes a one-line message and exit code 1; click's usage errors exit 2.
The sub-commands live in :mod:`scorer.commands`.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from scorer import __version__
from scorer.cli.commands.bargain import bargain_command
from scorer.cli.commands.compare import compare_command
from scorer.cli.commands.convert import convert_command
from scorer.cli.commands.init import init_command
from scorer.cli.commands.inputs import schema, validate
from scorer.cli.commands.optimize import optimize
from scorer.cli.commands.options import CONTEXT, quiet_option
from scorer.cli.commands.partners import partners_command
from scorer.cli.commands.report import chart_command, report_command
from scorer.cli.commands.robustness import (
    alternatives_command,
    frontier_command,
    sensitivity,
)
from scorer.cli.commands.scoring import score_command, weights_command
from scorer.cli.commands.serve import serve_command
from scorer.cli.stdio import data_stdout


class CoprodGroup(click.Group):
    """The command group; stdout carries data only, and Ctrl-C ends with one line and exit 130.

    Click would print 'Aborted!' and exit 1, the code for bad input. Commands
    write their files atomically, so an interrupted run leaves nothing partial.
    """

    def main(self, *args: Any, **kwargs: Any) -> Any:
        with data_stdout():
            return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("coprod: interrupted", err=True)
            sys.exit(130)


@click.group(cls=CoprodGroup, context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="coprod", message="%(prog)s %(version)s")
@quiet_option
def main() -> None:
    """Score and select US–Japan defense co-development, co-production and
    co-sustainment projects.

    SCENARIO is a scenario YAML file ('-' reads it from stdin); without it the
    default US–Japan scenario is used. Exit codes: 0 success, 1 bad input or
    no solution, 2 wrong usage, 130 interrupted.
    """


for _command in (validate, schema, score_command, weights_command, optimize, report_command, chart_command,
                 sensitivity, frontier_command, alternatives_command, init_command, compare_command, partners_command,
                 bargain_command, serve_command, convert_command):
    main.add_command(_command)
