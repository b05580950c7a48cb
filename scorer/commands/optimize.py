"""``coprod optimize``: the best portfolio under every budget, window and rule."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

import click

from scorer.commands.options import CONTEXT, load, output_options, reports_errors, scenario_argument
from scorer.errors import InputError, OutputError, Problem
from scorer.optimizer import SOLVERS, PortfolioModel, Solution, SolverConfig, solve_built
from scorer.output import choose_format, emit, render, to_json, write_atomic
from scorer.portfolio import problem_from_inputs

LP_SUFFIXES = (".lp", ".mps")


def _year_caps(ctx: click.Context, param: click.Parameter, items: tuple[str, ...]) -> dict[int, float]:
    caps: dict[int, float] = {}
    for item in items:
        year, sep, cap = item.partition("=")
        try:
            if not sep:
                raise ValueError
            caps[int(year)] = float(cap)
        except ValueError:
            raise click.BadParameter(f"'{item}' is not YEAR=AMOUNT (e.g. 2028=1200)") from None
        if caps[int(year)] < 0 or caps[int(year)] != caps[int(year)] or caps[int(year)] == float("inf"):
            raise click.BadParameter(f"'{item}': the cap must be a finite number >= 0")
    return caps


def _model_file(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and Path(value).suffix.lower() not in LP_SUFFIXES:
        raise click.BadParameter(f"'{value}' must end in .lp or .mps")
    return value


@click.command(context_settings=CONTEXT)
@scenario_argument
@click.option("--budget", type=click.FloatRange(min=0), metavar="N", help="Replace the total budget.")
@click.option("--year-cap", "year_caps", multiple=True, metavar="YEAR=N", callback=_year_caps,
              help="Replace one year's cap (both partners together); repeatable.")
@click.option("--solver", type=click.Choice(SOLVERS), help="Solver (default: the scenario's, else highs).")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), metavar="S",
              help="Stop after S seconds and report the best portfolio found, with its gap.")
@click.option("--gap", type=click.FloatRange(min=0, max=1, max_open=True), metavar="G",
              help="Stop when within relative gap G of the bound (0 = prove optimality).")
@click.option("--explain", is_flag=True,
              help="Also show which limits hold the portfolio back and each candidate's value threshold "
                   "(costs extra solves).")
@output_options
@click.option("--schedule", metavar="FILE", help="Write the year x candidate spend schedule to FILE.")
@click.option("--lp", "lp_file", metavar="FILE", callback=_model_file,
              help="Write the model to FILE (.lp or .mps) for other solvers.")
@reports_errors
def optimize(scenario: str | None, budget: float | None, year_caps: dict[int, float], solver: str | None,
             time_limit: float | None, gap: float | None, explain: bool, fmt: str | None, output: str | None,
             schedule: str | None, lp_file: str | None) -> None:
    """Choose the portfolio of highest total value within every limit of SCENARIO.

    Exit code 1 with the conflicting limits and the cheapest ways out when no
    portfolio fits.
    """
    from scorer.scoring import candidate_values

    inputs = load(scenario)
    _check_years(inputs, year_caps)
    settings = inputs.scenario.solver
    config = SolverConfig(solver or settings.name, time_limit or settings.time_limit,
                          settings.gap if gap is None else gap, inputs.scenario.seed)
    problem = problem_from_inputs(inputs, budget=budget, year_caps=year_caps)
    protected = [p for p in inputs.files.values() if p is not None]
    t0 = time.perf_counter()
    model = PortfolioModel(problem, candidate_values(inputs))
    built = time.perf_counter() - t0
    if lp_file is not None:
        write_model(model, lp_file, protected)
    sol = solve_built(model, config, built)
    if sol.status != "optimal":
        click.echo(f"coprod: warning: stopped by a limit, not proven optimal (gap {sol.gap:.4%}, "
                   f"bound {sol.bound:.4f})", err=True)
    fmt = choose_format(fmt, output)
    if explain and fmt == "csv":
        click.echo("coprod: warning: CSV holds the portfolio only; use --format json, table or markdown "
                   "to see the explanation", err=True)
    extra = _explanations(sol, config) if explain and fmt != "csv" else {}
    emit(_render(sol, fmt, extra), output, protected)
    if schedule is not None:
        from scorer.schedule import schedule_table

        emit(render(schedule_table(sol), choose_format(None, schedule)), schedule, protected)


def _check_years(inputs: Any, year_caps: dict[int, float]) -> None:
    h = inputs.scenario.horizon
    for year in year_caps:
        if not h.start <= year <= h.end:
            raise InputError([Problem("--year-cap", None, str(year),
                                      f"year {year} is outside the horizon {h.start}-{h.end}")])


def _explanations(sol: Solution, config: SolverConfig) -> dict[str, Any]:
    from scorer.explain import limit_use, limits_table, thresholds_table, value_thresholds
    from scorer.schedule import records

    limits = limits_table(limit_use(sol, config))
    return {"limits": records(limits), "thresholds": records(thresholds_table(value_thresholds(sol, config)))}


def _render(sol: Solution, fmt: str, extra: dict[str, Any]) -> str:
    from scorer.explain import binding_limits
    from scorer.schedule import records, selection_table, solution_json

    table = selection_table(sol)
    if fmt == "json":
        binding = ([row["limit"] for row in extra["limits"] if row["binding"]] if extra
                   else [u.key for u in binding_limits(sol)])
        return to_json(solution_json(sol, {"binding": binding, **extra}))
    if fmt == "csv":
        return render(table.drop(columns="discounted_value"), "csv")
    head = (f"status: {sol.status}  objective: {sol.objective:.4f}  bound: {sol.bound:.4f}  "
            f"gap: {sol.gap:.4%}  projects: {int(sol.selected.sum())}  ({sol.problem.currency})\n\n")
    parts = [head, render(table, fmt)]
    if extra:
        import pandas as pd

        limits = pd.DataFrame(extra["limits"])
        shown = limits[limits["binding"]] if len(limits) else limits
        parts += ["\nLimits holding the portfolio back (gain_removed: objective gain without the limit; "
                  "gain_unit: gain from one more unit):\n\n", render(shown, fmt),
                  "\nValue thresholds (out: value needed to enter; in: value below which it leaves):\n\n",
                  render(pd.DataFrame(extra["thresholds"]).drop(columns="displaces"), fmt)]  # the note says it
    return "".join(parts)


def write_model(model: PortfolioModel, path: str, protected: list[Path]) -> None:
    """Write the model as LP or MPS (by suffix), whole or not at all, keeping the maximisation sense."""
    target = Path(path)
    if any(target.resolve() == p.resolve() for p in protected):
        raise OutputError(f"{path}: refusing to overwrite an input file")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{path}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=target.suffix)
    os.close(fd)
    try:
        if target.suffix.lower() == ".mps":
            model.prob.writeMPS(tmp, with_objsense=True)  # without it a maximisation reads as a minimisation
        else:
            model.prob.writeLP(tmp)
        write_atomic(target, Path(tmp).read_bytes(), protected)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    finally:
        Path(tmp).unlink(missing_ok=True)
