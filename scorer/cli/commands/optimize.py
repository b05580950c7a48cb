"""``coprod optimize``: the best portfolio under every budget, window and rule."""

from __future__ import annotations

from pathlib import Path

import click

from scorer.cli.commands.options import (
    CONTEXT,
    MONEY,
    check_outputs,
    csv_bom,
    like_field,
    load,
    method_option,
    money_text,
    not_empty,
    note,
    objective_option,
    open_study,
    output_force,
    output_options,
    quiet_option,
    reports_errors,
    scenario_argument,
    warn,
    weight_option,
)
from scorer.inputs.models import SolverSettings
from scorer.mip.config import SOLVERS
from scorer.present.modelfile import write_model
from scorer.present.output import choose_format, emit_tables, xlsx_destination

LP_SUFFIXES = (".lp", ".mps")


def _year_caps(ctx: click.Context, param: click.Parameter, items: tuple[str, ...]) -> dict[int, float]:
    caps: dict[int, float] = {}
    for item in items:
        year, sep, cap = item.partition("=")
        try:
            if not sep:
                raise ValueError
            key = int(year)
        except ValueError:
            raise click.BadParameter(f"'{item}' is not YEAR=AMOUNT (e.g. 2028=1200)") from None
        try:
            caps[key] = money_text(cap)
        except ValueError as exc:
            raise click.BadParameter(f"'{item}': {exc}") from None
    return caps


def _model_file(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and Path(value).suffix.lower() not in LP_SUFFIXES:
        raise click.BadParameter(f"'{value}' must end in .lp or .mps")
    return value


@click.command(context_settings=CONTEXT)
@scenario_argument
@method_option
@weight_option
@click.option("--budget", type=MONEY, metavar="N", help="Replace the total budget.")
@click.option("--year-cap", "year_caps", multiple=True, metavar="YEAR=N", callback=_year_caps,
              help="Replace one year's cap (both partners together); repeatable.")
@click.option("--solver", type=click.Choice(SOLVERS), help="Solver (default: the scenario's, else highs).")
@click.option("--time-limit", type=like_field(SolverSettings, "time_limit"), metavar="S",
              help="Stop after S seconds and report the best portfolio found, with its gap.")
@click.option("--gap", type=like_field(SolverSettings, "gap"), metavar="G",
              help="Stop when within relative gap G of the bound (0 = prove optimality).")
@objective_option(help="What to maximise (needs perspectives, except joint): the joint values, the Nash bargaining "
                       "solution, the balanced (Kalai-Smorodinsky) solution, or one partner's own value.")
@click.option("--explain", is_flag=True,
              help="Also show which limits hold the portfolio back and each candidate's value threshold "
                   "(costs extra solves).")
@output_options
@click.option("--schedule", metavar="FILE", callback=not_empty,
              help="Write the year x candidate spend schedule to FILE.")
@click.option("--lp", "lp_file", metavar="FILE", callback=_model_file,
              help="Write the model to FILE (.lp or .mps) for other solvers.")
@quiet_option
@reports_errors
def optimize(scenario: str | None, method: str | None, weights: list, budget: float | None, year_caps: dict[int, float], solver: str | None,
             time_limit: float | None, gap: float | None, objective: str, explain: bool, fmt: str | None,
             output: str | None, schedule: str | None, lp_file: str | None) -> None:
    """Choose the portfolio of highest total value within every limit of SCENARIO.

    Exit code 1 with the conflicting limits and the cheapest ways out when no
    portfolio fits. With perspectives, also each partner's value of the
    portfolio; with --objective other than joint, the JSON's objective is the
    portfolio's joint value and its bound and gap say whether every stage of
    the solution concept was proven optimal.
    """
    fmt = choose_format(fmt, output)
    if fmt == "xlsx":
        xlsx_destination(output)  # before the solve, not after
    inputs = load(scenario)
    # Every output is checked before the solve: a run that cannot write them all writes none.
    check_outputs([output, schedule, lp_file], inputs.paths)
    study = open_study(inputs, weights, method, budget=budget, year_caps=year_caps, solver=solver,
                       time_limit=time_limit, gap=gap, objective=objective)
    config, protected = study.config, inputs.paths
    if lp_file is not None:
        write_model(study.model, lp_file, protected, output_force())
    sol = study.solution
    if sol.status != "optimal":
        from scorer.present.solution import bound_text, gap_text

        warn(f"stopped by a limit, not proven optimal (gap {gap_text(sol)}, bound {bound_text(sol)})")
    if explain and fmt == "csv":
        warn("CSV holds the portfolio only; use --format json, table or markdown to see the explanation")
    from scorer.inputs.summary import workbook_about
    from scorer.present.solution import (
        explanation_tables,
        headline,
        portfolio_summary,
        portfolio_tables,
        schedule_table,
    )

    explained = explanation_tables(sol, config) if explain and fmt != "csv" else None
    tables, titles = portfolio_tables(sol, explained)
    about = workbook_about("optimize", inputs, sol)
    summary = portfolio_summary(tables)
    preamble = headline(sol)
    if study.parties is not None:  # perspectives: each partner's value (absent otherwise, as before)
        from scorer.present.bargain import with_partner_values

        tables, summary, titles, preamble = with_partner_values(sol, study.parties, objective, tables, summary,
                                                                titles, preamble)
    document = None
    if fmt == "json":
        from scorer.present.bargain import optimize_document

        document = optimize_document(sol, study.parties, objective, explained)
    emit_tables(tables, fmt, output, protected, summary=summary, titles=titles, preamble=preamble,
                document=document, note=note, about=about, bom=csv_bom(), force=output_force())
    if schedule is not None:
        emit_tables({"schedule": schedule_table(sol)}, choose_format(None, schedule), schedule, protected,
                    about=about, bom=csv_bom(), force=output_force())

