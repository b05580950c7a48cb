"""``coprod partners``: each partner's ranking side by side, how far they agree and why they differ."""

from __future__ import annotations

import click

from scorer.cli.commands.options import (
    CONTEXT,
    check_outputs,
    csv_bom,
    load,
    method_option,
    note,
    open_study,
    output_force,
    output_options,
    quiet_option,
    reports_errors,
    scenario_argument,
    warn,
    weight_option,
)
from scorer.files import display_path
from scorer.inputs.summary import workbook_about
from scorer.present.output import choose_format, emit_tables, xlsx_destination
from scorer.present.partners import (
    TITLES,
    partners_document,
    partners_note,
    partners_tables,
    study_views,
)


@click.command("partners", context_settings=CONTEXT)
@scenario_argument
@method_option
@weight_option
@output_options
@quiet_option
@reports_errors
def partners_command(scenario: str | None, method: str | None, weights: list, fmt: str | None,
                     output: str | None) -> None:
    """Compare the partners' rankings (the scenario's perspectives) with each other and the joint one.

    For each candidate: its value and rank for each partner and jointly and
    the rank difference; Kendall's tau-b between the rankings; the effective
    weight each partner gives each criterion; for the 3 candidates the
    partners disagree on most, the 3 criteria whose contributions differ most
    (weighted-sum and promethee-ii only); with raters, each rater's and the
    group's consistency ratio and the consensus. -w changes the shared
    criteria file's raw weights, which the joint (joint: file) and every
    partner without its own criteria file or raters start from.
    """
    fmt = choose_format(fmt, output)
    if fmt == "xlsx":
        xlsx_destination(output)
    inputs = load(scenario)
    check_outputs([output], inputs.paths)
    where = "stdin" if inputs.files["scenario"] is None else display_path(inputs.files["scenario"])
    views = study_views(open_study(inputs, weights, method), where)
    for p in views.partners:
        for message in views.views[p].weights.warnings:
            warn(message)
    tables = partners_tables(views)
    emit_tables(tables, fmt, output, inputs.paths, titles=TITLES, digits=4, footer=partners_note(views),
                document=partners_document(views, tables), note=note, about=workbook_about("partners", inputs),
                bom=csv_bom(), force=output_force())
