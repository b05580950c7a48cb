"""``coprod convert``: a candidates file between YAML, CSV and xlsx."""

from __future__ import annotations

from pathlib import Path

import click

from scorer.cli.commands.options import (
    CONTEXT,
    check_outputs,
    force_option,
    not_empty,
    note,
    output_force,
    quiet_option,
    reports_errors,
)
from scorer.errors import UsageError
from scorer.inputs.conversion import FORMATS, convert_candidates, format_of
from scorer.present.output import binary_destination, emit_bytes


@click.command("convert", context_settings=CONTEXT)
@click.argument("source", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", metavar="OUT", required=True, callback=not_empty,
              help="The converted file ('-' for stdout, with --to); the format follows its suffix.")
@click.option("--to", "fmt", type=click.Choice(FORMATS), help="Output format (default: from OUT's suffix).")
@click.option("--criteria", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path),
              help="The criteria file: the workbook then shows each criterion's scale in its header and "
                   "offers the labels of categorical criteria as a list.")
@click.option("--currency", metavar="TEXT", help="The currency of a CSV FILE, which has none of its own "
              "(a scenario gives it); the YAML or workbook written then carries it.")
@force_option
@quiet_option
@reports_errors
def convert_command(source: Path, output: str, fmt: str | None, criteria: Path | None,
                    currency: str | None) -> None:
    """Convert the candidates file FILE (.yaml, .csv or .xlsx) to OUT in another of these formats.

    Lossless: OUT loads to the same validated candidates as FILE. Comments
    are the one thing a table cannot carry, and a CSV table has no currency
    (the scenario gives it: 'currency:' beside 'candidates:', or --currency
    here); both are said.
    """
    from scorer.inputs.loading import load_file

    named = format_of(output) if output != "-" else None
    target = fmt or named or "yaml"
    if named is not None and fmt is not None and named != fmt:
        raise UsageError(f"{output} names a {named} file but the format asked for is {fmt}")
    if target == "xlsx":
        binary_destination(output, "xlsx")
    check_outputs([output], [source, *([criteria] if criteria else [])])
    loaded = load_file(criteria, "criteria") if criteria is not None else None
    converted = convert_candidates(source, target, loaded, currency)
    emit_bytes(converted.content, output, [source], output_force())
    for message in converted.notes:
        note(message)
