"""What every sub-command shares: error reporting, the scenario argument, output options."""

from __future__ import annotations

import functools
import math
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from scorer.defaults import default_scenario
from scorer.cli.hints import hinted
from scorer.errors import CoprodError, ScoringError, UsageError, one_line
from scorer.inputs.loading import ScenarioInputs, load_scenario
from scorer.inputs.models import METHODS
from scorer.limits import MAX_MONEY, MAX_WORKERS
from scorer.numbers import parse_number
from scorer.present.output import FORMATS

if TYPE_CHECKING:
    from scorer.study.study import Study

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class FiniteFloat(click.FloatRange):
    """The type of every number option: a finite float within optional bounds.

    click's own FLOAT and FloatRange take ``nan`` (it fails no comparison, so
    it passes every bound), ``inf`` and ``1e-400`` (read as 0); here each is a
    usage error (exit 2) naming the option, with the reason of
    :func:`scorer.numbers.parse_number`.
    """

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str):
            try:
                value = parse_number(value)
            except ValueError as exc:
                self.fail(str(exc), param, ctx)
        elif isinstance(value, float) and not math.isfinite(value):
            self.fail(f"{value} is not a finite number", param, ctx)
        return super().convert(value, param, ctx)


# An amount of money on the command line: what the input files accept (see scorer.limits).
MONEY = FiniteFloat(min=0, max=MAX_MONEY)


def like_field(model: type, name: str) -> FiniteFloat:
    """The type of an option that overrides a file's field: the field's own bounds (``ge``, ``gt``, ``le``, ``lt``)."""
    lo = hi = None
    lo_open = hi_open = False
    for rule in model.model_fields[name].metadata:
        if getattr(rule, "ge", None) is not None:
            lo = rule.ge
        if getattr(rule, "gt", None) is not None:
            lo, lo_open = rule.gt, True
        if getattr(rule, "le", None) is not None:
            hi = rule.le
        if getattr(rule, "lt", None) is not None:
            hi, hi_open = rule.lt, True
    return FiniteFloat(lo, hi, min_open=lo_open, max_open=hi_open)


def money_text(text: str) -> float:
    """An amount of money inside an option's value (``--year-cap 2028=1200``); ValueError says why not."""
    value = parse_number(text)
    if not 0 <= value <= MAX_MONEY:
        raise ValueError(f"'{text.strip()}' is not an amount from 0 to {MAX_MONEY:,.0f}")
    return value


def fail(message: str, code: int = 1) -> None:
    """Print a one-line message on stderr and exit with ``code`` (1: bad input; 2: bad usage)."""
    click.echo(f"coprod: error: {shown(message)}", err=True)
    sys.exit(code)


def shown(message: str) -> str:
    """A message as stderr shows it: its own lines kept, every control character in them escaped."""
    return "\n".join(one_line(line) for line in str(message).split("\n"))


def reports_errors(command: Callable) -> Callable:
    """Turn a :class:`CoprodError` raised by the library into a message and exit 1 (2 for a usage error).

    The message gets the flag of each setting it names (:mod:`scorer.cli.hints`).
    Ctrl-C ends the run with one line and exit code 130 (the shell's 128 +
    SIGINT); every file is written atomically, so nothing partial is left.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except CoprodError as exc:
            fail(hinted(str(exc), exc.settings, _command_name()), 2 if isinstance(exc, UsageError) else 1)
        except KeyboardInterrupt:
            click.echo("coprod: interrupted", err=True)
            sys.exit(130)

    return wrapper


def _command_name() -> str | None:
    ctx = click.get_current_context(silent=True)
    return None if ctx is None else ctx.info_name


def _with_hint(message: str) -> str:
    """A library notice with the flags of the settings it names (a plain string as it is)."""
    return hinted(message, getattr(message, "settings", ()), _command_name())


_QUIET = "coprod.quiet"


def _store_quiet(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    from scorer.cli.stdio import silence_native_output
    from scorer.progress import set_enabled

    root = ctx.find_root()
    if value:
        root.meta[_QUIET] = True
        silence_native_output()  # a solver's banner is not an error: -q hides it too
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
        click.echo(f"coprod: warning: {shown(_with_hint(message))}", err=True)


def note(message: str) -> None:
    """A note on stderr, unless quiet."""
    if not is_quiet():
        click.echo(f"coprod: note: {shown(_with_hint(message))}", err=True)


def not_empty(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Callback for a path: '' is a usage error (exit 2), never the current directory."""
    if value == "":
        raise click.BadParameter("must not be empty", ctx, param)
    return value


def scenario_argument(command: Callable) -> Callable:
    """The optional SCENARIO argument: a file, '-' for stdin, or the default scenario."""
    return click.argument("scenario", required=False, metavar="[SCENARIO]", callback=not_empty)(command)


_BOM = "coprod.bom"


def _store_bom(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    ctx.meta[_BOM] = value


def csv_bom() -> bool:
    """Whether ``--bom`` was given: CSV then starts with a UTF-8 byte order mark."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.meta.get(_BOM))


_FORCE = "coprod.force"


def _store_force(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    ctx.meta[_FORCE] = value


def output_force() -> bool:
    """Whether ``--force`` was given: a read-only output file may then be replaced."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.meta.get(_FORCE))


def force_option(command: Callable) -> Callable:
    """``--force``: replace read-only output files (passed on by :func:`output_force`)."""
    return click.option(
        "--force", is_flag=True, expose_value=False, callback=_store_force,
        help="Replace an output file even if it is read-only.",
    )(command)


def check_outputs(paths: list[str | None], protected: Any = ()) -> None:
    """Resolve and check every output file of the command before anything is computed or written.

    Two outputs naming the same file are a usage error (exit 2); see :func:`scorer.files.resolve_all`.
    """
    from scorer.files import resolve_all

    resolve_all(paths, protected, output_force())


def output_options(command: Callable) -> Callable:
    """``--format``, ``-o/--output``, ``--bom`` and ``--force`` as every data-producing command takes them.

    ``--bom`` and ``--force`` are passed on by :func:`csv_bom` and :func:`output_force`, not as parameters.
    """
    command = force_option(command)
    command = click.option(
        "--bom", is_flag=True, expose_value=False, callback=_store_bom,
        help="Start CSV with a UTF-8 byte order mark, so that Excel reads names as UTF-8 "
             "(without it Excel on Windows reads CSV in its own code page).",
    )(command)
    command = click.option(
        "-o", "--output", metavar="FILE", callback=not_empty,
        help="Write to FILE ('-' for stdout); the format follows its suffix."
    )(command)
    return click.option(
        "--format", "fmt", type=click.Choice(FORMATS),
        help="Output format (default: table on a terminal, CSV otherwise; xlsx needs -o FILE on a terminal).",
    )(command)


def load(scenario: str | None) -> ScenarioInputs:
    """Load the scenario the user named, or the default one."""
    return load_scenario(scenario if scenario is not None else default_scenario())


# ------------------------------------------------------------ what-ifs ---


def _split_weights(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list[tuple[str, str]]:
    # The shape ID=NUMBER and the number itself are usage matters (exit 2); the
    # id is checked against the criteria file later (exit 1).
    pairs = []
    for text in values:
        key, sep, number = text.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"'{text}' is not ID=NUMBER (e.g. -w standardization=20)", ctx, param)
        try:
            _weight_number(number.strip())
        except ValueError as exc:
            raise click.BadParameter(f"'{text}': {exc}", ctx, param) from None
        pairs.append((key.strip(), number.strip()))
    return pairs


def weight_option(command: Callable) -> Callable:
    """``-w ID=NUMBER`` (repeatable): what-if weights without editing the criteria file."""
    return click.option(
        "-w", "--weight", "weights", multiple=True, metavar="ID=NUMBER", callback=_split_weights,
        help="Replace criterion ID's raw weight (repeatable). With swing weighting NUMBER replaces "
             "its swing points; with rank or ahp its derived weight in percent. All weights are "
             "then normalised (within its group, if the file has groups).",
    )(command)


def parse_overrides(pairs: list[tuple[str, str]]) -> dict[str, float]:
    """Turn ``-w`` pairs into numbers; a bad number or a repeated id is a ScoringError."""
    out: dict[str, float] = {}
    for key, text in pairs:
        try:
            value = _weight_number(text)
        except ValueError as exc:
            raise ScoringError(f"-w {key}={text}: {exc}") from None
        if key in out:
            raise ScoringError(f"-w {key}: given more than once")
        out[key] = value
    return out


def _weight_number(text: str) -> float:
    value = parse_number(text)
    if value < 0:
        raise ValueError("a weight must be a non-negative number")
    return value


def method_option(command: Callable) -> Callable:
    """``--method``: the aggregation method instead of the scenario's."""
    return click.option("--method", type=click.Choice(METHODS),
                        help="Aggregation method (default: the scenario's).")(command)


def open_study(inputs: ScenarioInputs, weights: list[tuple[str, str]] = (), method: str | None = None,
               **overrides: Any) -> Study:
    """The :class:`scorer.study.study.Study` of a loaded scenario with the command line's overrides."""
    from scorer.study.study import Study

    return Study(inputs, weights=parse_overrides(weights), method=method, **overrides)


def parallel_options(command: Any) -> Any:
    """``--workers`` and ``--scheduler``: where the re-solves run."""
    command = click.option("--scheduler", metavar="ADDRESS",
                           help="Run the re-solves on a Dask cluster (e.g. tcp://host:8786); overrides --workers.")(command)
    return click.option("--workers", type=click.IntRange(min=1, max=MAX_WORKERS), metavar="N",
                        help="Local processes for the re-solves (default: all cores; 1: this process).")(command)


ANALYSIS_OBJECTIVE = ("Whose values the analysis uses (needs perspectives, except joint): the joint values, the Nash "
                      "or balanced solution where the analysis is a sequence of optimisations, or one partner's own "
                      "values (its weights and scores).")


def objective_option(command=None, *, help: str = ANALYSIS_OBJECTIVE):  # noqa: A002 - click's own word
    """``--objective joint|nash|balanced|PARTNER`` (joint by default; the others need perspectives)."""
    option = click.option("--objective", metavar="joint|nash|balanced|PARTNER", default="joint",
                          show_default=True, help=help)
    return option(command) if command is not None else option
