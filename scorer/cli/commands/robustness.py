"""``coprod sensitivity``, ``coprod frontier`` and ``coprod alternatives``: how much the answer depends on judgement."""

from __future__ import annotations

import click

from scorer.cli.commands.options import (
    CONTEXT,
    MONEY,
    check_outputs,
    csv_bom,
    like_field,
    load,
    method_option,
    note,
    objective_option,
    open_study,
    output_force,
    output_options,
    parallel_options,
    quiet_option,
    reports_errors,
    scenario_argument,
    weight_option,
)
from scorer.inputs.models import Robustness
from scorer.inputs.summary import workbook_about
from scorer.limits import (
    MAX_ALTERNATIVES,
    MAX_PORTFOLIO_SAMPLES,
    MAX_SAMPLES,
    MAX_STEPS,
)
from scorer.numbers import parse_number
from scorer.present.output import choose_format, emit_tables, xlsx_destination
from scorer.robustness.sampling import SCORE_DISTRIBUTIONS


def _ranges(ctx: click.Context, param: click.Parameter, items: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    out: dict[str, tuple[float, float]] = {}
    for item in items:
        key, sep, span = item.partition("=")
        lo, colon, hi = span.partition(":")
        if not sep or not colon or not key.strip():
            raise click.BadParameter(f"'{item}' is not ID=LO:HI (e.g. standardization=0.05:0.25)")
        try:
            pair = (parse_number(lo), parse_number(hi))
        except ValueError as exc:
            raise click.BadParameter(f"'{item}': {exc}") from None
        if not 0 <= pair[0] <= pair[1] <= 1:
            raise click.BadParameter(f"'{item}': needs 0 <= LO <= HI <= 1 (effective weights are fractions)")
        out[key.strip()] = pair
    return out


def _warn_large(study, solves: int) -> None:
    """A note before a sweep whose re-solves each run in a child process (see solve.sweep_note)."""
    from scorer.portfolio.solve import sweep_note

    message = sweep_note(study.problem, study.config, solves)
    if message:
        note(message)


def _early_format(fmt: str | None, output: str | None) -> str:
    fmt = choose_format(fmt, output)
    if fmt == "xlsx":
        xlsx_destination(output)  # before the long run, not after
    return fmt


@click.command("sensitivity", context_settings=CONTEXT)
@scenario_argument
@method_option
@weight_option
@click.option("--samples", type=click.IntRange(min=1, max=MAX_SAMPLES), metavar="N",
              help="Monte Carlo samples (default: robustness.samples, else 1000).")
@click.option("--concentration", type=like_field(Robustness, "concentration"), metavar="C",
              help="Dirichlet concentration around the current weights; larger is tighter (default 100).")
@click.option("--weight-range", "ranges", multiple=True, metavar="ID=LO:HI", callback=_ranges,
              help="Sample this criterion's effective weight uniformly in [LO, HI] (repeatable; replaces "
                   "the Dirichlet and the scenario's robustness.weight_ranges).")
@click.option("--score-dist", type=click.Choice(SCORE_DISTRIBUTIONS),
              help="Sample uncertain scores between low and high (default: none).")
@click.option("--seed", type=click.IntRange(min=0, max=2**32 - 1), help="Random seed (default: the scenario's).")
@click.option("--portfolios/--no-portfolios", default=True,
              help="Also re-optimise: core index, frequent portfolios, portfolio flip points (default: on).")
@click.option("--portfolio-samples", type=click.IntRange(min=0, max=MAX_PORTFOLIO_SAMPLES), metavar="N",
              help="Samples re-optimised (the first N; default: robustness.portfolio_samples, else 200; "
                   "0: no core index).")
@click.option("--tolerance", type=like_field(Robustness, "tolerance"), metavar="T",
              help="Portfolio flip points are located within T on the 0-1 weight scale (default 0.01).")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="How many of the most frequent portfolios to list.")
@objective_option
@parallel_options
@output_options
@quiet_option
@reports_errors
def sensitivity(scenario: str | None, method: str | None, weights: list, samples: int | None,
                concentration: float | None, ranges: dict, score_dist: str | None, seed: int | None,
                portfolios: bool, portfolio_samples: int | None, tolerance: float | None, top: int,
                objective: str, workers: int | None, scheduler: str | None, fmt: str | None,
                output: str | None) -> None:
    """Flip points of every criterion weight and a Monte Carlo (SMAA) analysis of SCENARIO.

    Flip points: the interval of each criterion's weight (the others rescaled
    proportionally) within which the top-ranked candidate, and the optimal
    portfolio, stay the same. Monte Carlo: how often each candidate holds each
    rank and is in the optimal portfolio under sampled weights (and scores).
    """
    from scorer.present.sensitivity import sensitivity_report
    from scorer.study.settings import RobustnessSettings

    fmt = _early_format(fmt, output)
    inputs = load(scenario)
    check_outputs([output], inputs.paths)
    settings = RobustnessSettings.from_scenario(
        inputs.scenario, samples=samples, concentration=concentration, ranges=ranges, score_dist=score_dist,
        seed=seed, portfolio_samples=portfolio_samples, tolerance=tolerance, workers=workers, scheduler=scheduler)
    study = open_study(inputs, weights, method, objective=objective)
    if portfolios:
        _warn_large(study, settings.portfolio_samples)
    report = sensitivity_report(study, settings, portfolios=portfolios, top=top)
    emit_tables(report.tables, fmt, output, inputs.paths, titles=report.titles,
                preamble=report.preamble, digits=report.digits,
                document=report.document if fmt == "json" else None, note=note,
                about=workbook_about("sensitivity", inputs, settings=report.about), bom=csv_bom(),
                force=output_force())


@click.command("frontier", context_settings=CONTEXT)
@scenario_argument
@method_option
@weight_option
@click.option("--from", "start", type=MONEY, metavar="N", help="Lowest level (default 0).")
@click.option("--to", "stop", type=MONEY, metavar="N",
              help="Highest level (default: every candidate's cost together; for --year, every "
                   "candidate's largest yearly cost together).")
@click.option("--steps", type=click.IntRange(min=2, max=MAX_STEPS), default=11, show_default=True, help="Levels to solve.")
@click.option("--year", type=int, metavar="YEAR", help="Sweep this year's cap instead of the total budget.")
@objective_option
@parallel_options
@output_options
@quiet_option
@reports_errors
def frontier_command(scenario: str | None, method: str | None, weights: list, start: float | None, stop: float | None, steps: int,
                     year: int | None, objective: str, workers: int | None, scheduler: str | None,
                     fmt: str | None, output: str | None) -> None:
    """The best value and portfolio at each level of the total budget (or of one year's cap).

    Also lists the order of buy: the level at which each project enters.
    """
    from scorer.present.objectives import objective_frontier, values_line, with_values
    from scorer.present.output import records
    from scorer.robustness.frontier import buy_order, frontier_table, sweep_levels

    fmt = _early_format(fmt, output)
    inputs = load(scenario)
    check_outputs([output], inputs.paths)
    study = open_study(inputs, weights, method, objective=objective)
    problem = study.problem
    levels = sweep_levels(problem, start, stop, steps, year)
    _warn_large(study, len(levels))
    result = objective_frontier(study, levels, year=year, workers=workers, scheduler=scheduler)
    what = "total budget" if year is None else f"{year} cap"
    tables = {"frontier": frontier_table(result), "buy_order": buy_order(result)}
    document = with_values({name: records(t) for name, t in tables.items()}, study)
    emit_tables(tables, fmt, output,
                inputs.paths, titles={"frontier": f"Efficient frontier ({what}, {problem.currency})",
                                            "buy_order": "Order of buy"}, note=note, preamble=values_line(study),
                document=document if fmt == "json" and "values" in document else None,
                about=workbook_about("frontier", inputs, settings={"swept": what}), bom=csv_bom(),
                force=output_force())


@click.command("alternatives", context_settings=CONTEXT)
@scenario_argument
@method_option
@weight_option
@click.option("-k", "k", type=click.IntRange(min=1, max=MAX_ALTERNATIVES), default=5, show_default=True,
              help="How many distinct portfolios (different sets of projects).")
@objective_option
@output_options
@quiet_option
@reports_errors
def alternatives_command(scenario: str | None, method: str | None, weights: list, k: int, objective: str,
                         fmt: str | None, output: str | None) -> None:
    """The k best distinct portfolios, each with its gap to the best, and which projects are core.

    Portfolios are distinct when they select different projects; each is shown
    with its best schedule. Core: in all k; swappable: in some.
    """
    from scorer.present.objectives import single_values, values_line, with_values
    from scorer.present.output import records
    from scorer.robustness.alternatives import alternatives_table, k_best, roles_table

    fmt = _early_format(fmt, output)
    inputs = load(scenario)
    check_outputs([output], inputs.paths)
    study = open_study(inputs, weights, method, objective=objective)
    values = single_values(study, "alternatives")
    _warn_large(study, k)
    result = k_best(study.problem, values, study.config, k)
    if len(result.solutions) < k:
        note(f"only {len(result.solutions)} distinct portfolios fit")
    tables = {"alternatives": alternatives_table(result), "roles": roles_table(result)}
    document = with_values({name: records(t) for name, t in tables.items()}, study)
    emit_tables(tables, fmt, output,
                inputs.paths, titles={"alternatives": f"The {len(result.solutions)} best distinct portfolios",
                                            "roles": "Core (in all) and swappable (in some) projects"}, note=note,
                preamble=values_line(study), document=document if fmt == "json" and "values" in document else None,
                about=workbook_about("alternatives", inputs, result.solutions[0]), bom=csv_bom(),
                force=output_force())
