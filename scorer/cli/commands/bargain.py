"""``coprod bargain``: the exact frontier between the two partners' values and the solutions on it."""

from __future__ import annotations

import click

from scorer.cli.commands.options import (
    CONTEXT,
    check_outputs,
    like_field,
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
    weight_option,
)
from scorer.inputs.models import SolverSettings
from scorer.inputs.summary import workbook_about
from scorer.mip.config import SOLVERS
from scorer.present.bargain import TITLES, bargain_document, bargain_note, bargain_tables
from scorer.present.output import choose_format, emit_tables, xlsx_destination


@click.command("bargain", context_settings=CONTEXT)
@scenario_argument
@method_option
@weight_option
@click.option("--slices", type=click.IntRange(min=1), metavar="N",
              help="List a coarse frontier instead: about N steps of the second partner's value between the "
                   "two partners' best portfolios, refined until the joint, Nash and balanced solutions are "
                   "exact (for scenarios whose exact frontier has too many points to list).")
@click.option("--solver", type=click.Choice(SOLVERS), help="Solver (default: the scenario's, else highs).")
@click.option("--time-limit", type=like_field(SolverSettings, "time_limit"), metavar="S",
              help="Stop each solve after S seconds (a stage stopped so is reported: points may be missing).")
@output_options
@quiet_option
@reports_errors
def bargain_command(scenario: str | None, method: str | None, weights: list, slices: int | None,
                    solver: str | None, time_limit: float | None, fmt: str | None, output: str | None) -> None:
    """List every portfolio neither partner can improve on without the other losing (two perspectives).

    The exact Pareto frontier of the two partners' values (each point's
    selection, start years and shares), their ideal and disagreement points,
    and the joint, Nash and balanced solutions marked on it, with what each
    partner gains over its disagreement value and pays. Partner floors
    (min_value, min_share_of_ideal) hold as limits. With --slices, every
    point not listed lies within the stated spacing of a listed one.
    """
    fmt = choose_format(fmt, output)
    if fmt == "xlsx":
        xlsx_destination(output)
    inputs = load(scenario)
    check_outputs([output], inputs.paths)
    result = open_study(inputs, weights, method, solver=solver, time_limit=time_limit).bargain(slices=slices)
    tables = bargain_tables(result)
    emit_tables(tables, fmt, output, inputs.paths, titles=TITLES, digits=4, footer=bargain_note(result),
                document=bargain_document(result) if fmt == "json" else None, note=note,
                about=workbook_about("bargain", inputs), bom=csv_bom(), force=output_force())
