"""``coprod score`` and ``coprod weights``: the ranked list and where its weights come from."""

from __future__ import annotations

import click
import pandas as pd

from scorer.cli.commands.options import (
    CONTEXT,
    check_outputs,
    csv_bom,
    load,
    method_option,
    not_empty,
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
from scorer.inputs.summary import workbook_about
from scorer.inputs.weights_edit import parse_assignments, set_weights, write_weights
from scorer.present.output import choose_format, emit, emit_tables, xlsx_destination
from scorer.scoring.matrix import AT_POINTS
from scorer.scoring.score import ranked_table, weights_table
from scorer.scoring.weights import WeightReport


def _warn(messages: list[str]) -> None:
    for message in messages:
        warn(message)


def _early_format(fmt: str | None, output: str | None) -> str:
    fmt = choose_format(fmt, output)
    if fmt == "xlsx":
        xlsx_destination(output)
    return fmt


@click.command("score", context_settings=CONTEXT)
@scenario_argument
@method_option
@weight_option
@click.option("--at", type=click.Choice(AT_POINTS), default="value", show_default=True,
              help="Score uncertain scores at their low, value or high point.")
@click.option("--top", type=click.IntRange(min=1), metavar="N", help="Show only the best N (ties at the cut may be split).")
@click.option("--explain", is_flag=True,
              help="Show each criterion's contribution in the table format too (csv, json and markdown always have them).")
@output_options
@quiet_option
@reports_errors
def score_command(scenario: str | None, method: str | None, weights: list, at: str, top: int | None,
                  explain: bool, fmt: str | None, output: str | None) -> None:
    """Rank the candidates by their aggregate score (0-100).

    Methods: weighted-sum (additive value model; the columns after 'score'
    are each criterion's contribution and add up to it), weighted-product,
    topsis (closeness x 100) and promethee-ii (100 x (net flow + 1) / 2;
    its columns are each criterion's share of that score). Ties share a rank
    and are listed by id.
    """
    fmt = _early_format(fmt, output)
    inputs = load(scenario)
    check_outputs([output], inputs.paths)
    result = open_study(inputs, weights, method).scored(at)
    _warn(result.warnings)
    table = ranked_table(result, top)
    if fmt == "table" and not explain:
        table = table[["rank", "id", "name", "score"]]
    # JSON stays the list of rows it has always been (scripts read it).
    about = workbook_about("score", inputs, settings={"method": result.method, "scores at": result.at})
    emit_tables({"ranking": table}, fmt, output, inputs.paths, document=table, note=note, about=about, bom=csv_bom(),
                force=output_force())


class _ShowByDefault(click.Group):
    """A group whose first argument, when it names no sub-command, belongs to ``show``.

    ``coprod weights [SCENARIO] [options]`` therefore works exactly as before
    the ``set`` sub-command existed (a scenario file named ``set`` or
    ``show`` needs a path such as ``./set``).
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or args[0] not in self.commands:
            args = ["show", *args]
        return super().parse_args(ctx, args)


@click.group("weights", cls=_ShowByDefault, context_settings=CONTEXT)
def weights_command() -> None:
    """Show the effective weights (coprod weights [SCENARIO]) or change them in a file (coprod weights set)."""


@weights_command.command("show", context_settings=CONTEXT)
@scenario_argument
@weight_option
@output_options
@quiet_option
@reports_errors
def weights_show(scenario: str | None, weights: list, fmt: str | None, output: str | None) -> None:
    """Show each criterion's effective weight and how it was derived.

    effective_weight = group share x share within the group (or raw weight /
    sum of raw weights without groups). With AHP weighting the principal
    eigenvalue, consistency index and consistency ratio are shown too.
    'coprod weights [SCENARIO]' is short for 'coprod weights show [SCENARIO]';
    'coprod weights set FILE ID=NUMBER...' changes weights in a criteria file.
    """
    fmt = _early_format(fmt, output)
    inputs = load(scenario)
    check_outputs([output], inputs.paths)
    report = open_study(inputs, weights).weight_report
    _warn(report.warnings)
    tables = {"weights": weights_table(report)}
    if fmt == "xlsx":
        tables["weighting"] = pd.DataFrame([{"method": report.method, **(_ahp_summary(report) or {})}])
    emit_tables(tables, fmt, output, inputs.paths, digits=4, footer=_weighting_line(report),
                document=_weights_json(report), note=note, about=workbook_about("weights", inputs), bom=csv_bom(),
                force=output_force())


@weights_command.command("set", context_settings=CONTEXT)
@click.argument("file", metavar="FILE", callback=not_empty)
@click.argument("assignments", nargs=-1, required=True, metavar="ID=NUMBER...")
@click.option("--dry-run", is_flag=True, help="Print the edited file on stdout instead of writing it.")
@click.option("--force", is_flag=True, help="Change the file even if it is read-only.")
@quiet_option
@reports_errors
def weights_set(file: str, assignments: tuple[str, ...], dry_run: bool, force: bool) -> None:
    """Change raw weights in the criteria FILE, keeping every comment and its layout.

    ID is a criterion id, or a group id when no criterion has it. Only the
    numbers change; the edited file is validated before it is written (whole
    or not at all). Files whose weights are derived by a weighting method
    (swing, rank, ahp) are refused: edit that section instead.
    """
    changes = parse_assignments(file, assignments)
    if dry_run:
        emit(set_weights(file, changes), None)
        return
    write_weights(file, changes, force)
    for key, value in changes.items():
        note(f"{file}: {key} weight set to {value:g}")


def _weighting_line(report: WeightReport) -> str:
    text = f"\nweighting: {report.method}"
    ahp = _ahp_summary(report)
    if ahp is not None:
        cr = "n/a" if ahp["cr"] is None else f"{ahp['cr']:.4f}"
        text += f"; lambda_max {ahp['lambda_max']:.4f}, CI {ahp['ci']:.4f}, CR {cr}"
    return text + "\n"


def _weights_json(report: WeightReport) -> dict:
    return {"method": report.method, "criteria": weights_table(report).to_dict(orient="records"),
            "ahp": _ahp_summary(report)}


def _ahp_summary(report: WeightReport) -> dict | None:
    a = report.ahp
    if a is None:
        return None
    return {"lambda_max": a.lambda_max, "ci": a.ci, "ri": a.ri, "cr": a.cr}
