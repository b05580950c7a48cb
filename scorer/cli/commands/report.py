"""``coprod report`` and ``coprod chart``: the briefing page and its charts as files."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from scorer.cli.commands.options import (
    CONTEXT,
    check_outputs,
    force_option,
    load,
    method_option,
    not_empty,
    note,
    objective_option,
    open_study,
    output_force,
    parallel_options,
    quiet_option,
    reports_errors,
    scenario_argument,
    weight_option,
)
from scorer.files import write_atomic
from scorer.limits import MAX_PORTFOLIO_SAMPLES, MAX_SAMPLES
from scorer.present.charts import CHART_FORMATS
from scorer.present.output import binary_destination
from scorer.present.report import (
    CHART_KINDS,
    CHART_PARTS,
    analyse,
    build_report,
    chart,
    check_report_folder,
    write_report,
)
from scorer.study.settings import RobustnessSettings


def robustness_options(command):
    """``--samples``, ``--portfolio-samples`` and ``--seed`` (defaults: the scenario's)."""
    for option in (
        click.option("--seed", type=click.IntRange(0, 2**32 - 1), help="Random seed (default: the scenario's)."),
        click.option("--portfolio-samples", type=click.IntRange(min=0, max=MAX_PORTFOLIO_SAMPLES), metavar="N",
                     help="Samples re-optimised for the core index (default: the scenario's robustness "
                          "section, else 200; 0 skips it)."),
        click.option("--samples", type=click.IntRange(min=1, max=MAX_SAMPLES), metavar="N",
                     help="Monte Carlo weight samples (default: the scenario's robustness section, else 1000)."),
    ):
        command = option(command)
    return command


@click.command("report", context_settings=CONTEXT)
@scenario_argument
@click.option("-o", "--output", "folder", required=True, metavar="DIR", callback=not_empty,
              help="Folder to write report.html, report.md and the charts (PNG and SVG) into; created if missing, "
                   "replaced whole when it holds an earlier report; one with other files needs --force.")
@method_option
@weight_option
@click.option("--no-explain", is_flag=True,
              help="Leave out the binding limits and value thresholds (saves their re-solves).")
@click.option("--no-robustness", is_flag=True,
              help="Leave out flip points, Monte Carlo, the frontier and the alternatives (saves most of the time).")
@robustness_options
@objective_option
@parallel_options
@click.option("--force", is_flag=True,
              help="Write into a folder that holds other files (beside them) and replace read-only report files.")
@quiet_option
@reports_errors
def report_command(scenario: str | None, folder: str, method: str | None, weights: list, no_explain: bool, no_robustness: bool,
                   samples: int | None, portfolio_samples: int | None, seed: int | None, objective: str,
                   workers: int | None, scheduler: str | None, force: bool) -> None:
    """Write a briefing on SCENARIO into DIR: a self-contained HTML page and a Markdown twin.

    report.html embeds its charts and needs no network to view; report.md
    uses the PNG files next to it. Set SOURCE_DATE_EPOCH for a fixed date in
    the manifest (byte-identical reruns).
    """
    inputs = load(scenario)
    check_report_folder(folder, inputs.paths, force)  # before the analysis, not after
    robust = None if no_robustness else RobustnessSettings.from_scenario(
        inputs.scenario, samples=samples, seed=seed, portfolio_samples=portfolio_samples, workers=workers,
        scheduler=scheduler)
    study = open_study(inputs, weights, method, objective=objective)
    result = build_report(analyse(study, explain=not no_explain, robust=robust))
    write_report(result, folder, inputs.paths, force)
    note(f"wrote report.html, report.md and {len(result.files)} chart files to {folder}")


@click.command("chart", context_settings=CONTEXT)
@click.argument("kind", type=click.Choice(CHART_KINDS))
@scenario_argument
@click.option("-o", "--output", required=True, metavar="FILE", callback=not_empty,
              help="The image file (.png or .svg); '-' writes to stdout in --format.")
@click.option("--format", "fmt", type=click.Choice(CHART_FORMATS),
              help="png or svg (default: the file's suffix; png for stdout).")
@method_option
@weight_option
@robustness_options
@parallel_options
@force_option
@quiet_option
@reports_errors
def chart_command(kind: str, scenario: str | None, output: str, fmt: str | None, method: str | None,
                  weights: list, samples: int | None, portfolio_samples: int | None, seed: int | None, workers: int | None,
                  scheduler: str | None) -> None:
    """Draw one chart of SCENARIO into FILE.

    KIND: contributions (stacked per-criterion contributions of the ranking),
    gantt (the schedule with yearly spend against each cap, by partner),
    frontier, tornado, acceptability, core (robustness charts);
    partners (each partner's rank of each candidate side by side) and pareto
    (the two partners' frontier with the ideal and disagreement points and
    the joint, Nash and balanced solutions), which need perspectives.
    """
    fmt = fmt or _chart_format(output)
    if fmt == "png":
        binary_destination(output, fmt)
    inputs = load(scenario)
    check_outputs([output], inputs.paths)
    part = CHART_PARTS.get(kind)
    robust = (RobustnessSettings.from_scenario(inputs.scenario, samples=samples, seed=seed,
                                               portfolio_samples=portfolio_samples, workers=workers,
                                               scheduler=scheduler) if part else None)
    study = open_study(inputs, weights, method)
    analysis = analyse(study, explain=False, robust=robust, parts=(part,) if part else (), bargain=kind == "pareto")
    data = chart(kind, analysis, fmt)
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        write_atomic(output, data, inputs.paths, output_force())


def _chart_format(output: str) -> str:
    if output == "-":
        return "png"
    suffix = Path(output).suffix.lower().lstrip(".")
    if suffix not in CHART_FORMATS:
        raise click.BadParameter(f"'{output}' must end in .png or .svg (or give --format)", param_hint="-o")
    return suffix
