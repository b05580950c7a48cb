"""``coprod compare A B``: what differs between two scenarios, in inputs and in results."""

from __future__ import annotations

from pathlib import Path

import click

from scorer.cli.commands.options import (
    CONTEXT,
    check_outputs,
    csv_bom,
    method_option,
    not_empty,
    note,
    objective_option,
    open_study,
    output_force,
    output_options,
    quiet_option,
    reports_errors,
    weight_option,
)
from scorer.errors import one_line
from scorer.files import display_path
from scorer.inputs.loading import load_scenario
from scorer.inputs.summary import scenario_about, workbook_about
from scorer.present.compare import (
    TEXT_FORMATS,
    compare,
    differs,
    shown,
    sides_document,
    sides_values_line,
    solve_side,
    titled,
    unchanged_line,
)
from scorer.present.output import choose_format, emit_tables, xlsx_destination


@click.command("compare", context_settings=CONTEXT)
@click.argument("scenario_a", metavar="A", callback=not_empty)
@click.argument("scenario_b", metavar="B", callback=not_empty)
@method_option
@weight_option
@objective_option
@output_options
@quiet_option
@reports_errors
def compare_command(scenario_a: str, scenario_b: str, method: str | None, weights: list, objective: str,
                    fmt: str | None, output: str | None) -> None:
    """Show what differs between scenarios A and B, in their inputs and their optimal portfolios.

    Inputs: effective weights, budgets, rules and other settings, candidates
    added, removed or changed. Results (both scenarios are optimised):
    projects in or out, start years, objective, spend by year. Only
    differences are listed. The exit code is 0 whether or not they differ
    (1 only for bad input or a scenario with no portfolio), so scripts should
    read the output, not the exit code. CSV holds the portfolio changes only;
    json, markdown and xlsx hold every table. -w and --method apply to both
    A and B (the same what-if on each side).
    """
    fmt = choose_format(fmt, output)
    if fmt == "xlsx":
        xlsx_destination(output)
    if scenario_a == "-" and scenario_b == "-":
        raise click.BadParameter("only one of A and B can be read from stdin", param_hint="B")
    inputs_a, inputs_b = load_scenario(scenario_a), load_scenario(scenario_b)
    files = [*inputs_a.paths, *inputs_b.paths]
    check_outputs([output], files)
    # An infeasible side is named by its file, like every other input error.
    a = solve_side(f"{_shown(scenario_a)} (A)", open_study(inputs_a, weights, method, objective=objective))
    b = solve_side(f"{_shown(scenario_b)} (B)", open_study(inputs_b, weights, method, objective=objective))
    tables = compare(a, b)
    # One line per scenario, whatever its name holds.
    head = (f"A: {one_line(scenario_a)} ({one_line(a.inputs.scenario.name)})\n"
            f"B: {one_line(scenario_b)} ({one_line(b.inputs.scenario.name)})\n")
    if not differs(tables):
        head += "no differences\n"
    elif fmt in TEXT_FORMATS:
        head += unchanged_line(tables)
    head += "\n" + sides_values_line(a, b)
    about = workbook_about("compare", a.inputs, a.solution, "A") + scenario_about(b.inputs, b.solution, "B")
    emit_tables(shown(tables, fmt), fmt, output, files, titles=titled(tables), preamble=head,
                digits={"weights": 4}, note=note, document=sides_document(shown(tables, fmt), a, b) if fmt == "json" else None, about=about, bom=csv_bom(), force=output_force())


def _shown(path: str) -> str:
    return "<stdin>" if path == "-" else display_path(Path(path))
