"""Every number a flag takes is a real, finite, sane number, or a usage error (exit 2) naming the flag.

The options are found by walking ``coprod``'s own command tree, so a new
number option is covered (and has to use the finite type) without a change here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from scorer.cli.group import main
from scorer.cli.commands.options import FiniteFloat

COPROD = Path(sys.executable).with_name("coprod")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(COPROD), *args], capture_output=True, text=True, timeout=120)


def _commands(group: click.Group, path: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name), command


def _options(kind: type) -> list:
    return [pytest.param(path, option, id=f"{' '.join(path)} {option.opts[-1]}")
            for path, command in _commands(main) for option in command.params
            if isinstance(option, click.Option) and isinstance(option.type, kind)]


FLOAT_OPTIONS = _options(click.types.FloatParamType)
INT_OPTIONS = _options(click.types.IntParamType)


def test_every_float_option_is_finite() -> None:
    names = {option.opts[-1] for _, option in (p.values for p in FLOAT_OPTIONS)}
    assert {"--budget", "--time-limit", "--gap", "--concentration", "--tolerance", "--from", "--to"} <= names
    for path, option in (p.values for p in FLOAT_OPTIONS):
        assert isinstance(option.type, FiniteFloat), (path, option.opts)


@pytest.mark.slow
@pytest.mark.parametrize("path, option", FLOAT_OPTIONS)
def test_float_options_refuse_nan(path: tuple[str, ...], option: click.Option) -> None:
    # NaN fails no comparison, so it passed every range check: --budget nan meant no budget.
    done = run(*path, option.opts[-1], "nan")
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert f"Invalid value for '{option.opts[-1]}': 'nan' is not a number (NaN)" in done.stderr


@pytest.mark.parametrize("value", ["inf", "-inf", "1e400", "1e-400"])
@pytest.mark.parametrize("path, option", FLOAT_OPTIONS)
def test_float_options_refuse_infinity_and_underflow(path: tuple[str, ...], option: click.Option, value: str) -> None:
    result = CliRunner().invoke(main, [*path, option.opts[-1], value])
    assert result.exit_code == 2 and f"Invalid value for '{option.opts[-1]}'" in result.stderr
    assert "finite" in result.stderr or "too small" in result.stderr or "not in the range" in result.stderr


def test_the_finite_type_refuses_non_finite_values_given_as_floats() -> None:
    for value in (float("nan"), float("inf"), -float("inf")):
        with pytest.raises(click.BadParameter):
            FiniteFloat().convert(value, None, None)
    assert FiniteFloat(min=0, max=1).convert("0.25", None, None) == 0.25


@pytest.mark.parametrize("path, option", INT_OPTIONS)
def test_int_options_refuse_nan_and_infinity(path: tuple[str, ...], option: click.Option) -> None:
    for value in ("nan", "inf"):
        result = CliRunner().invoke(main, [*path, option.opts[-1], value])
        assert result.exit_code == 2 and f"Invalid value for '{option.opts[-1]}'" in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("args, message", [
    (["score", "-w", "standardization=nan"], "'standardization=nan': 'nan' is not a number (NaN)"),
    (["optimize", "--year-cap", "2028=nan"], "'2028=nan': 'nan' is not a number (NaN)"),
    (["sensitivity", "--weight-range", "standardization=0.1:nan"], "'nan' is not a number (NaN)"),
])
def test_numbers_inside_option_values_refuse_nan(args: list[str], message: str) -> None:
    done = run(*args)
    assert done.returncode == 2 and done.stdout == ""
    assert message in done.stderr


@pytest.mark.parametrize("args, message", [
    (["weights", "-w", "standardization=inf"], "'standardization=inf': 'inf' is not a finite number"),
    (["sensitivity", "-w", "standardization=1e-400"], "'1e-400' is too small to be stored"),
    (["optimize", "--year-cap", "2028=inf"], "'2028=inf': 'inf' is not a finite number"),
    (["optimize", "--year-cap", "2028=1e-400"], "'1e-400' is too small to be stored"),
    (["sensitivity", "--weight-range", "standardization=-inf:0.5"], "'-inf' is not a finite number"),
])
def test_numbers_inside_option_values_are_finite(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and message in result.stderr


@pytest.mark.parametrize("args, message", [
    (["optimize", "--budget", "2e12"], "2000000000000.0 is not in the range 0<=x<=1000000000000"),
    (["optimize", "--year-cap", "2028=2e12"], "'2e12' is not an amount from 0 to 1,000,000,000,000"),
    (["frontier", "--to", "1e300"], "is not in the range 0<=x<=1000000000000"),
    (["optimize", "--time-limit", "1e6"], "is not in the range 0<x<=604800"),
    (["sensitivity", "--concentration", "1e10"], "is not in the range 0<x<=1000000000"),
])
def test_options_take_what_the_files_take(args: list[str], message: str) -> None:
    # The same caps as the scenario's fields: money up to 1e12, a week of solving, ...
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and message in result.stderr
