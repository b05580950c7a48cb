"""``coprod validate`` and ``coprod schema``: the input files themselves."""

from __future__ import annotations

import json
import sys

import click

from scorer.cli.commands.options import (
    CONTEXT,
    fail,
    load,
    quiet_option,
    scenario_argument,
)
from scorer.errors import CoprodError, InputError
from scorer.inputs.schema import SCHEMA_KINDS, json_schema
from scorer.inputs.summary import summarise


@click.command(context_settings=CONTEXT)
@scenario_argument
@quiet_option
def validate(scenario: str | None) -> None:
    """Check a scenario and the files it names; list every problem found."""
    try:
        inputs = load(scenario)
    except InputError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        noun = "problem" if len(exc.problems) == 1 else "problems"
        click.echo(f"coprod: {len(exc.problems)} {noun} found", err=True)
        sys.exit(1)
    except CoprodError as exc:
        fail(str(exc))
    click.echo(summarise(inputs))


@click.command(context_settings=CONTEXT)
@click.argument("kind", required=False, type=click.Choice(SCHEMA_KINDS))
def schema(kind: str | None) -> None:
    """Print the JSON Schema of the input files (all three, or one KIND).

    Save one and point an editor's YAML language server at it for
    completion and checking as you type (see the README).
    """
    click.echo(json.dumps(json_schema(kind), indent=2, sort_keys=True))
