"""``coprod score`` and ``coprod weights``: the ranked list and where its weights come from."""

from __future__ import annotations

import math

import click

from scorer.commands.options import CONTEXT, load, output_options, reports_errors, scenario_argument
from scorer.errors import ScoringError
from scorer.matrix import AT_POINTS
from scorer.models import METHODS
from scorer.output import choose_format, emit, render, to_json
from scorer.scoring import ranked_table, score, weights_table
from scorer.weights import WeightReport, derive_weights


def _split_weights(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list[tuple[str, str]]:
    # Only the shape ID=NUMBER is a usage matter (exit 2); the id and the
    # number are checked against the criteria file later (exit 1).
    pairs = []
    for text in values:
        key, sep, number = text.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"'{text}' is not ID=NUMBER (e.g. -w standardization=20)", ctx, param)
        pairs.append((key.strip(), number.strip()))
    return pairs


def weight_option(command):
    """``-w ID=NUMBER`` (repeatable): what-if weights without editing the criteria file."""
    return click.option(
        "-w", "--weight", "weights", multiple=True, metavar="ID=NUMBER", callback=_split_weights,
        help="Replace criterion ID's raw weight (repeatable). With swing weighting NUMBER replaces "
             "its swing points; with rank or ahp its derived weight in percent. All weights are "
             "then normalised (within its group, if the file has groups).",
    )(command)


def parse_overrides(pairs: list[tuple[str, str]]) -> dict[str, float]:
    """Turn ``-w`` pairs into numbers; a bad number or a repeated id is a ScoringError."""
    out: dict[str, float] = {}
    for key, text in pairs:
        try:
            value = float(text)
        except ValueError:
            raise ScoringError(f"-w {key}={text}: '{text}' is not a number") from None
        if not math.isfinite(value) or value < 0:
            raise ScoringError(f"-w {key}={text}: a weight must be a non-negative number")
        if key in out:
            raise ScoringError(f"-w {key}: given more than once")
        out[key] = value
    return out


def _warn(messages: list[str]) -> None:
    for message in messages:
        click.echo(f"coprod: warning: {message}", err=True)


@click.command("score", context_settings=CONTEXT)
@scenario_argument
@click.option("--method", type=click.Choice(METHODS), help="Aggregation method (default: the scenario's).")
@weight_option
@click.option("--at", type=click.Choice(AT_POINTS), default="value", show_default=True,
              help="Score uncertain scores at their low, value or high point.")
@click.option("--top", type=click.IntRange(min=1), metavar="N", help="Show only the best N (ties at the cut may be split).")
@click.option("--explain", is_flag=True,
              help="Show each criterion's contribution in the table format too (csv, json and markdown always have them).")
@output_options
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
    inputs = load(scenario)
    result = score(inputs, method, parse_overrides(weights), at)
    _warn(result.warnings)
    table = ranked_table(result, top)
    fmt = choose_format(fmt, output)
    if fmt == "table" and not explain:
        table = table[["rank", "id", "name", "score"]]
    emit(render(table, fmt), output, protected=inputs.files.values())


@click.command("weights", context_settings=CONTEXT)
@scenario_argument
@weight_option
@output_options
@reports_errors
def weights_command(scenario: str | None, weights: list, fmt: str | None, output: str | None) -> None:
    """Show each criterion's effective weight and how it was derived.

    effective_weight = group share x share within the group (or raw weight /
    sum of raw weights without groups). With AHP weighting the principal
    eigenvalue, consistency index and consistency ratio are shown too.
    """
    inputs = load(scenario)
    report = derive_weights(inputs.criteria, parse_overrides(weights))
    _warn(report.warnings)
    fmt = choose_format(fmt, output)
    emit(_render_weights(report, fmt), output, protected=inputs.files.values())


def _render_weights(report: WeightReport, fmt: str) -> str:
    table = weights_table(report)
    if fmt == "json":
        return to_json({"method": report.method, "criteria": table.to_dict(orient="records"),
                        "ahp": _ahp_summary(report)})
    text = render(table, fmt, digits=4)
    if fmt in ("table", "markdown"):
        text += f"\nweighting: {report.method}"
        ahp = _ahp_summary(report)
        if ahp is not None:
            cr = "n/a" if ahp["cr"] is None else f"{ahp['cr']:.4f}"
            text += f"; lambda_max {ahp['lambda_max']:.4f}, CI {ahp['ci']:.4f}, CR {cr}"
        text += "\n"
    return text


def _ahp_summary(report: WeightReport) -> dict | None:
    a = report.ahp
    if a is None:
        return None
    return {"lambda_max": a.lambda_max, "ci": a.ci, "ri": a.ri, "cr": a.cr}
