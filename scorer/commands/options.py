"""What every sub-command shares: error reporting, the scenario argument, output options."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from scorer.defaults import default_scenario
from scorer.errors import CoprodError
from scorer.limits import MAX_WORKERS
from scorer.loading import ScenarioInputs, load_scenario
from scorer.output import FORMATS

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def fail(message: str) -> None:
    """Print a one-line message on stderr and exit with code 1."""
    click.echo(f"coprod: error: {message}", err=True)
    sys.exit(1)


def reports_errors(command: Callable) -> Callable:
    """Turn a :class:`CoprodError` raised by the library into a message and exit 1.

    Ctrl-C ends the run with one line and exit code 130 (the shell's 128 +
    SIGINT); every file is written atomically, so nothing partial is left.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except CoprodError as exc:
            fail(str(exc))
        except KeyboardInterrupt:
            click.echo("coprod: interrupted", err=True)
            sys.exit(130)

    return wrapper


_QUIET = "coprod.quiet"


def _store_quiet(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    from scorer.progress import set_enabled

    root = ctx.find_root()
    if value:
        root.meta[_QUIET] = True
    # Runs every invocation (a flag's callback also sees its default), so one
    # run's -q never silences the next run in the same process (tests, API).
    set_enabled(not root.meta.get(_QUIET, False))


def quiet_option(command: Callable) -> Callable:
    """``-q/--quiet``, on the group (``coprod -q optimize``) or on a command; no parameter is passed."""
    return click.option(
        "-q", "--quiet", is_flag=True, expose_value=False, callback=_store_quiet,
        help="No warnings, notes or progress bars on stderr (errors are still shown).",
    )(command)


def is_quiet() -> bool:
    """Whether ``-q`` was given anywhere on the command line of this run."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.find_root().meta.get(_QUIET))


def warn(message: str) -> None:
    """A warning on stderr, unless quiet."""
    if not is_quiet():
        click.echo(f"coprod: warning: {message}", err=True)


def note(message: str) -> None:
    """A note on stderr, unless quiet."""
    if not is_quiet():
        click.echo(f"coprod: note: {message}", err=True)


def show_progress() -> bool:
    """Whether progress bars may be drawn: not quiet and stderr is a terminal.

    Commands need not pass it on: ``-q`` already turns :mod:`scorer.progress` off.
    """
    return not is_quiet() and sys.stderr.isatty()


def scenario_argument(command: Callable) -> Callable:
    """The optional SCENARIO argument: a file, '-' for stdin, or the default scenario."""
    return click.argument("scenario", required=False, metavar="[SCENARIO]")(command)


def output_options(command: Callable) -> Callable:
    """``--format`` and ``-o/--output`` as every data-producing command takes them."""
    command = click.option(
        "-o", "--output", metavar="FILE", help="Write to FILE ('-' for stdout); the format follows its suffix."
    )(command)
    return click.option(
        "--format", "fmt", type=click.Choice(FORMATS),
        help="Output format (default: table on a terminal, CSV otherwise; xlsx needs -o FILE on a terminal).",
    )(command)


def load(scenario: str | None) -> ScenarioInputs:
    """Load the scenario the user named, or the default one."""
    return load_scenario(scenario if scenario is not None else default_scenario())


def parallel_options(command: Any) -> Any:
    """``--workers`` and ``--scheduler``: where the re-solves run."""
    command = click.option("--scheduler", metavar="ADDRESS",
                           help="Run the re-solves on a Dask cluster (e.g. tcp://host:8786); overrides --workers.")(command)
    return click.option("--workers", type=click.IntRange(min=1, max=MAX_WORKERS), metavar="N",
                        help="Local processes for the re-solves (default: all cores; 1: this process).")(command)
