"""``coprod init``: starter files a new user can fill in."""

from __future__ import annotations

import click

from scorer.cli.commands.options import (
    CONTEXT,
    not_empty,
    note,
    quiet_option,
    reports_errors,
)
from scorer.inputs.starter import write_starter


@click.command("init", context_settings=CONTEXT)
@click.argument("folder", metavar="DIR", callback=not_empty)
@click.option("--force", is_flag=True, help="Overwrite starter files that already exist in DIR.")
@click.option("--format", "fmt", type=click.Choice(["yaml", "xlsx", "csv"]), default="yaml", show_default=True,
              help="The candidates file's format: xlsx (or csv) writes them as a table to fill in.")
@quiet_option
@reports_errors
def init_command(folder: str, force: bool, fmt: str) -> None:
    """Write a commented starter scenario, criteria and candidates file into DIR.

    DIR is created if needed. The files validate and optimise as written;
    their comments explain each field. Existing files are never overwritten
    without --force.
    """
    written = write_starter(folder, force, fmt)
    for path in written:
        note(f"wrote {path}")
    note(f"next: coprod validate {written[0]} && coprod optimize {written[0]}")
