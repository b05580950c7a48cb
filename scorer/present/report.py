"""The briefing report: one self-contained HTML page and a Markdown twin.

:func:`analyse` runs everything a briefing shows (scores, the optimal
portfolio, why each project is in or out, robustness); :func:`build_report`
lays the results out as a list of blocks (headings, paragraphs, tables,
charts) and renders the same blocks twice (:mod:`scorer.present.rendering`):

- HTML: one file, charts embedded as base64 PNG ``data:`` URIs, inline CSS, no
  script and no external address (a Content-Security-Policy forbids both), so
  it opens offline and cannot run anything that came in through a name;
- Markdown: for pasting into documents; its charts are the PNG files written
  next to it in the same folder (``![...](gantt.png)``).

All text from the input files is escaped: ``html.escape`` (quotes too) in
HTML; in Markdown the characters that start HTML, links or code (``< [ ] ` \\``,
and ``&`` before an entity) get a backslash and ``|`` is escaped in tables.
The tables are shown as a briefing reads them (:mod:`scorer.present.report_tables`:
human headers, percentages, split to page width) and, when the candidates'
currency says the money is notional, a banner says so above everything else.

The manifest makes a result reproducible: tool version, SHA-256 of each input
file, seed, method, solver with its status and gap, and the date (UTC). The
date honours ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention), so a
rerun with it set gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from scorer import __version__
from scorer.errors import OutputError, ScoringError
from scorer.files import display_path
from scorer.inputs.loading import ScenarioInputs
from scorer.limits import SizeLimitError
from scorer.mip.config import SolverConfig
from scorer.portfolio.solve import Solution
from scorer.present import charts
from scorer.present.rendering import Block, render_html, render_markdown
from scorer.present.report_folder import FolderPlan, check_folder, write_folder
from scorer.present.report_tables import FIT, SHARE, percent, table_blocks
from scorer.scoring.score import ScoreResult
from scorer.study.settings import RobustnessSettings
from scorer.study.study import Study

if TYPE_CHECKING:
    from scorer.portfolio.bargain import Bargain
    from scorer.robustness.alternatives import Alternatives
    from scorer.robustness.flips import PortfolioFlip, RankFlip
    from scorer.robustness.frontier import Frontier
    from scorer.robustness.smaa import SmaaResult

CHART_KINDS = ("contributions", "gantt", "frontier", "tornado", "acceptability", "core", "pareto", "partners")
# The charts of the partners' perspectives; pareto needs the bargain (see analyse).
PARTNER_CHARTS = ("pareto", "partners")
ROBUSTNESS_PARTS = ("flips", "smaa", "frontier", "alternatives")
# The robustness part each robustness chart is drawn from.
CHART_PARTS = {"tornado": "flips", "acceptability": "smaa", "core": "smaa", "frontier": "frontier"}


@dataclass(frozen=True, eq=False)
class Robustness:
    """The robustness analyses of a briefing; a part not in ``parts`` was not run and is None."""

    settings: RobustnessSettings
    parts: tuple[str, ...]
    rank_flips: list[RankFlip] | None = None
    portfolio_flips: list[PortfolioFlip] | None = None
    smaa: SmaaResult | None = None
    frontier: Frontier | None = None
    chosen_level: float | None = None  # the budget level of today's portfolio, marked on the frontier
    alternatives: Alternatives | None = None


@dataclass(frozen=True, eq=False)
class Analysis:
    """Everything a briefing shows, computed once.

    ``limits`` and ``thresholds`` are None when the explanation was skipped;
    ``robustness`` is None when the robustness analyses were not run.
    """

    study: Study
    result: ScoreResult
    solution: Solution
    config: SolverConfig
    limits: pd.DataFrame | None = None
    thresholds: pd.DataFrame | None = None
    robustness: Robustness | None = None
    bargain: Bargain | None = None  # the two partners' frontier, when the scenario has two perspectives
    no_bargain: str = ""  # why there is none though there are two (e.g. no portfolio gives both a gain)

    @property
    def inputs(self) -> ScenarioInputs:
        """The scenario's loaded files."""
        return self.study.inputs

    @property
    def parts(self) -> tuple[str, ...]:
        """The robustness parts that were run."""
        return () if self.robustness is None else self.robustness.parts


def analyse(study: Study, explain: bool = True, robust: RobustnessSettings | None = None,
            parts: Collection[str] = ROBUSTNESS_PARTS, bargain: bool = True) -> Analysis:
    """Score, optimise and (with ``explain``) explain a study (its method, weights and solver settings).

    Parameters
    ----------
    study : Study
    explain : bool
        Also find the binding limits and each candidate's value threshold (extra solves).
    robust : RobustnessSettings, optional
        Also run the robustness analyses (see :func:`robustness`) ...
    parts : collection of str
        ... these of them.
    bargain : bool
        Also find the partners' frontier (:meth:`Study.bargain`), when the
        scenario has exactly two perspectives.

    Raises
    ------
    InfeasibleError, SolverError, ScoringError
        As :func:`scorer.portfolio.solve.optimize` and :func:`scorer.scoring.score.score`.
    """
    result, config, sol = study.scored(), study.config, study.solution
    check_report_size(sol, explain, robust, config)
    limits = thresholds = None
    if explain:
        from scorer.portfolio.explain import (
            limit_use,
            limits_table,
            thresholds_table,
            value_thresholds,
        )

        limits = limits_table(limit_use(sol, config))
        thresholds = thresholds_table(value_thresholds(sol, config))
    analysis = Analysis(study, result, sol, config, limits, thresholds)
    if bargain and study.parties is not None and study.parties.count == 2:
        try:
            analysis = replace(analysis, bargain=study.bargain())
        except ScoringError as exc:  # the briefing says why, rather than not being written
            analysis = replace(analysis, no_bargain=str(exc))
    if robust is None:
        return analysis
    return replace(analysis, robustness=robustness(analysis, robust, parts))


def check_report_size(sol: Solution, explain: bool, robust: RobustnessSettings | None,
                      config: SolverConfig) -> None:
    """Refuse sections whose re-solves would take hours on a model solved in a child process.

    Raises
    ------
    SizeLimitError
        Naming the sections and how many re-solves they need; its settings are those that leave them out.
    """
    k = sol.model.options.k
    if not config.isolates(k) or not (explain or robust is not None):
        return
    parts, settings, solves = [], [], []
    if explain:
        parts.append("explanation")
        settings.append("explain")
        solves.append(f"about one per candidate ({sol.problem.n:,})")
    if robust is not None:
        parts.append("robustness")
        settings.append("robustness")
        solves.append(f"at least {robust.reoptimised + robust.steps + robust.k:,} for robustness")
    raise SizeLimitError(
        f"the report's {' and '.join(parts)} " + ("sections re-solve" if len(parts) > 1 else "section re-solves") +
        " the model "
        f"({', '.join(solves)}), and a model with {k:,} start options takes seconds to minutes per solve; "
        f"leave {'them' if len(parts) > 1 else 'it'} out for this scenario (sensitivity, frontier and alternatives "
        "still run with the counts you choose)", settings=settings)


def robustness(a: Analysis, settings: RobustnessSettings,
               parts: Collection[str] = ROBUSTNESS_PARTS) -> Robustness:
    """Flip points, Monte Carlo, the frontier and the near-optimal alternatives of an analysis.

    Parameters
    ----------
    a : Analysis
        From :func:`analyse`; its method, problem and solver settings are reused.
    settings : RobustnessSettings
    parts : collection of str
        Which of :data:`ROBUSTNESS_PARTS` to run (a single chart needs one).

    Returns
    -------
    Robustness
        The parts run filled in, the others None.
    """
    from scorer.robustness.alternatives import k_best
    from scorer.robustness.flips import portfolio_flips, ranking_flips
    from scorer.robustness.frontier import frontier, sweep_levels
    from scorer.robustness.smaa import smaa

    from scorer.present.objectives import analysis_basis, single_values

    # The objective's values: the joint ones (as always), or a partner's; a bargain is refused.
    basis = analysis_basis(a.study, "robustness")
    problem, values, cfg = a.solution.problem, a.solution.values, a.config
    if a.study.objective != "joint":
        values = single_values(a.study, "robustness")
    out: dict[str, Any] = {}
    where = {"workers": settings.workers, "scheduler": settings.scheduler}
    if "flips" in parts:
        out["rank_flips"] = ranking_flips(basis)
        out["portfolio_flips"] = portfolio_flips(basis, problem, cfg, tolerance=settings.tolerance, **where)
    if "smaa" in parts:
        out["smaa"] = smaa(basis, settings.spec, problem if settings.reoptimised else None, cfg,
                           portfolio_samples=settings.reoptimised or None, **where)
    if "frontier" in parts:
        chosen = problem.total_cap if math.isfinite(problem.total_cap) else float(
            sum(problem.costs[i].sum() for i in np.flatnonzero(a.solution.selected)))
        top = max(float(sum(c.sum() for c in problem.costs)), chosen, 1.0)
        # Today's level is swept too, so the marked portfolio lies on the drawn frontier.
        levels = np.union1d(sweep_levels(problem, 0.0, top, settings.steps), [chosen])
        out["frontier"], out["chosen_level"] = frontier(problem, values, cfg, levels, **where), chosen
    if "alternatives" in parts:
        out["alternatives"] = k_best(problem, values, cfg, settings.k)
    return Robustness(settings, tuple(parts), **out)


# ------------------------------------------------------------------ report ---


@dataclass(frozen=True)
class Report:
    """The rendered report: the two documents and the chart files they use."""

    html: str
    markdown: str
    files: dict[str, bytes]  # file name -> bytes (PNG and SVG of every chart)


def report_date(environ: dict[str, str] | None = None) -> datetime:
    """Now (UTC), or ``SOURCE_DATE_EPOCH`` seconds when that variable is set.

    Raises
    ------
    OutputError
        ``SOURCE_DATE_EPOCH`` is not a whole number of seconds.
    """
    env = os.environ if environ is None else environ
    text = env.get("SOURCE_DATE_EPOCH")
    if text is None or text == "":
        return datetime.now(UTC).replace(microsecond=0)
    try:
        return datetime.fromtimestamp(int(text), UTC)
    except (ValueError, OverflowError, OSError):
        raise OutputError(f"SOURCE_DATE_EPOCH={text!r}: must be a whole number of seconds since 1970") from None


def file_hashes(inputs: ScenarioInputs) -> list[tuple[str, str, str]]:
    """(kind, file, sha256) of each input: the file's bytes, or the text read from stdin."""
    out = []
    for kind, path in inputs.files.items():
        if path is not None and path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            shown = display_path(Path(os.path.normpath(path)))  # "scenarios/../criteria/x" reads badly
        else:
            digest = hashlib.sha256(inputs.texts[kind].encode("utf-8")).hexdigest()
            shown = "<stdin>"
        out.append((kind, shown, digest))
    return out


# ---------------------------------------------------------------- sections ---


def _notional(a: Analysis) -> list[Block]:
    """The banner of a briefing whose money is notional (the candidates' currency says so)."""
    currency = a.solution.problem.currency
    if not re.search(r"\bnotional\b", currency, re.IGNORECASE):
        return []
    return [Block("banner", f"Notional figures. The money in this briefing ({currency}) is notional, for "
                            "illustration only: the costs, budgets and caps are not estimates and must not be "
                            "quoted as such.", alt="NOTIONAL FIGURES: for illustration only")]


def _gap(sol: Solution) -> str:
    return percent(sol.gap, 2) if math.isfinite(sol.gap) else "unknown"


def _summary(a: Analysis) -> list[Block]:
    from scorer.inputs.summary import summarise

    # The scenario as studied: a --method override shows as the method in use.
    shown = replace(a.inputs, scenario=a.inputs.scenario.model_copy(update={"method": a.result.method}))
    lines = summarise(shown).splitlines()[1:]  # the first says the file is valid
    pairs = tuple((k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in lines))
    sol = a.solution
    head = (f"Portfolio: {int(sol.selected.sum())} projects, objective {sol.objective:.2f} "
            f"({sol.status}, gap {_gap(sol)}); ranking by {a.result.method}.")
    verdict = [Block("p", text)] if (text := _stability(a)) else []
    return [Block("h2", "Scenario summary", anchor="summary"), Block("p", head), *verdict, Block("dl", pairs=pairs)]


def _stability(a: Analysis) -> str | None:
    """Whether the weights or the budgets and rules decide the portfolio, when samples were re-optimised."""
    from scorer.present.sensitivity import stability_sentence

    rb = a.robustness
    if rb is None or rb.smaa is None:
        return None
    return stability_sentence(rb.smaa, rb.settings.spec.score_dist != "none")


def _weights(a: Analysis) -> list[Block]:
    from scorer.scoring.score import weights_table

    report = a.result.weights
    table = weights_table(report)
    names = {c.id: c.name for c in a.inputs.criteria.criteria}
    table.insert(1, "name", [names[c] for c in table["id"]])
    if report.group_weights:
        total = sum(report.group_weights.values())
        table["group_share"] = [report.group_weights[g] / total for g in table["group"]]
        how = "the group share times the criterion's share of its group's raw weight"
    else:
        how = "the criterion's share of the raw weights"
    labels = {"id": "ID", "name": "Criterion", "group": "Group", "group_share": "Group share",
              "raw_weight": "Raw weight", "source": "Weight from", "effective_weight": "Effective weight"}
    return [Block("h2", "Effective weights", anchor="weights"),
            Block("p", f"Weighting: {report.method}. The raw weight is as set in the criteria file; the effective "
                       f"weight is {how}. The effective weights add up to 100 %."),
            *table_blocks(table, labels, {"group_share": SHARE, "raw_weight": FIT, "effective_weight": SHARE},
                          keys=("id",))]


def _ranking(a: Analysis) -> list[Block]:
    from scorer.scoring.score import ranked_table

    table = ranked_table(a.result)
    blocks = [Block("h2", "Ranking and contributions", anchor="ranking"),
              Block("chart", "contributions", alt="Stacked contributions of each criterion to each score"),
              *table_blocks(table, {"rank": "Rank", "id": "ID", "name": "Name", "score": "Score (0-100)"},
                            {"score": ".1f"})]
    if a.result.contributions is None:
        blocks.append(Block("p", f"{a.result.method} scores do not split into per-criterion parts; "
                                 "the scores alone are shown."))
    else:
        names = {c.id: c.name for c in a.inputs.criteria.criteria}
        labels = {"rank": "Rank", "id": "ID", **{cid: names.get(cid, cid) for cid in a.result.criteria}}
        blocks += [Block("p", "Each criterion's contribution to the score, in points of the 0-100 scale; a "
                              "candidate's contributions add up to its score."),
                   *table_blocks(table, labels, dict.fromkeys(a.result.criteria, ".1f"), keys=("rank", "id"))]
    for warning in a.result.warnings:
        blocks.append(Block("p", f"Warning: {warning}"))
    return blocks


def _rationale(a: Analysis) -> list[Block]:
    names = {c.id: c.name for c in a.inputs.criteria.criteria}
    rows = []
    for cand in a.inputs.candidates.candidates:
        for cid, sc in cand.scores.items():
            low = "" if sc.low is None else f"{sc.low:g}"
            high = "" if sc.high is None else f"{sc.high:g}"
            rows.append({"candidate": cand.id, "criterion": names.get(cid, cid), "score": str(sc.value),
                         "range": f"{low}-{high}" if low or high else "", "rationale": sc.rationale,
                         "source": sc.source})
    labels = {"candidate": "Candidate", "criterion": "Criterion", "score": "Raw score", "range": "Range",
              "rationale": "Rationale", "source": "Source"}
    return [Block("h2", "Scores: rationale and source", anchor="rationale"),
            *table_blocks(pd.DataFrame(rows, columns=list(labels)), labels, keys=("candidate",))]


def _portfolio(a: Analysis) -> list[Block]:
    from scorer.present.solution import selection_table

    sol = a.solution
    p = sol.problem
    bound = f"{sol.bound:.2f}" if math.isfinite(sol.bound) else "none proven"
    labels = {"id": "ID", "name": "Name", "start": "Start", "finish": "Finish", "value": "Value",
              "cost_total": "Cost, total", **{f"cost_{q}": f"Cost, {q}" for q in p.partners},
              "discounted_value": "Discounted value"}
    money = dict.fromkeys([c for c in labels if c.startswith("cost_")], FIT)
    return [Block("h2", "Portfolio and schedule", anchor="portfolio"),
            Block("p", f"Status {sol.status}; objective {sol.objective:.2f}, bound {bound}, gap {_gap(sol)}; "
                       f"money in {p.currency}. Value is the 0-100 score; discounted value what it adds to the "
                       "objective after the delay discount."),
            *table_blocks(selection_table(sol), labels, {**money, "value": ".2f", "discounted_value": ".2f"},
                          keys=("id",)),
            Block("chart", "gantt", alt="Gantt chart of the schedule with yearly spend against the caps"),
            Block("p", f"Spend by project and year ({p.currency}; empty: nothing spent that year)."),
            *_project_spend(sol),
            Block("p", "Each year's spend against its cap, with the slack left, for both partners together and "
                       "for each; an empty cap means none is set."),
            *_cap_spend(sol)]


def _project_spend(sol: Solution) -> list[Block]:
    from scorer.portfolio.feasibility import yearly_spend

    p = sol.problem
    sel = np.flatnonzero(sol.selected)
    spend = yearly_spend(p, sol.start)[sel]
    years = [str(int(y)) for y in p.years]
    table = pd.DataFrame(np.where(spend == 0, np.nan, spend), columns=years)
    table.insert(0, "id", [p.ids[i] for i in sel])
    table["total"] = spend.sum(axis=1)
    labels = {"id": "ID", **{y: y for y in years}, "total": "Total"}
    return table_blocks(table, labels, dict.fromkeys([*years, "total"], FIT), keys=("id",))


def _cap_spend(sol: Solution) -> list[Block]:
    from scorer.present.solution import schedule_table

    table = schedule_table(sol)
    labels = {"year": "Year"}
    for who in ("total", *sol.problem.partners):
        labels |= {f"spend_{who}": f"Spend, {who}", f"cap_{who}": f"Cap, {who}", f"slack_{who}": f"Slack, {who}"}
    return table_blocks(table, labels, dict.fromkeys(list(labels)[1:], FIT), keys=("year",))


def _why(a: Analysis) -> list[Block]:
    blocks = [Block("h2", "Binding limits and why in or out", anchor="why")]
    if a.limits is None or a.thresholds is None:
        return blocks + [Block("p", "Not computed (run without --no-explain to include it).")]
    binding = a.limits[a.limits["binding"]]
    limits = {"limit": "Limit", "field": "Set by", "bound": "Bound", "used": "Used", "slack": "Slack",
              "gain_removed": "Gain if removed", "gain_unit": "Gain per unit"}
    thresholds = {"id": "ID", "selected": "In portfolio", "value": "Value", "threshold": "Threshold",
                  "margin": "Margin", "displaces": "Would displace", "note": "Note"}
    blocks += [Block("p", "Limits holding the portfolio back: at their bound, or worth something if removed. "
                          "Gain if removed is the objective gain without the limit, gain per unit from one more "
                          "unit (both from re-solves)."),
               *(table_blocks(binding, limits, {"bound": FIT, "used": FIT, "slack": FIT}, keys=("limit",))
                 if len(binding) else [Block("p", "No limit holds the portfolio back.")]),
               Block("p", "Value thresholds: for a project left out, the value at which it would enter; for a "
                          "selected one, the value below which it would leave. Values are on the 0-100 scale, so "
                          "a project that would need more than 100 cannot enter at any value."),
               *table_blocks(beyond_scale(a.thresholds), thresholds,
                             {"value": ".2f", "threshold": ".2f", "margin": ".2f"}, keys=("id",))]
    return blocks


def beyond_scale(thresholds: pd.DataFrame, top: float = 100.0) -> pd.DataFrame:
    """The value thresholds with those above the 0-100 value scale read as "cannot enter at any value".

    A project left out that would enter only at a value above ``top`` can
    never enter: no value on the scale reaches its threshold. Its threshold,
    margin and the projects it would displace are cleared, as for one that
    cannot enter for other reasons; the note keeps the value it would need.
    """
    out = thresholds.copy()
    never = (~out["selected"].astype(bool)) & (pd.to_numeric(out["threshold"], errors="coerce") > top)
    out["note"] = out["note"].where(~never, [f"cannot enter at any value (it would need {t:.2f}, above the "
                                             f"0-{top:g} scale)" for t in out["threshold"].where(never, 0.0)])
    out["threshold"] = out["threshold"].where(~never, None)
    out["margin"] = out["margin"].where(~never, None)
    out["displaces"] = out["displaces"].where(~never, "")
    return out


def _manifest(a: Analysis, date: datetime) -> list[Block]:
    sol, cfg = a.solution, a.config
    pairs = [("tool", f"coprod {__version__}")]
    pairs += [(f"{kind} file", f"{shown}  sha256 {digest}") for kind, shown, digest in file_hashes(a.inputs)]
    pairs += [("scenario", a.inputs.scenario.name), ("method", a.result.method), ("seed", str(cfg.seed)),
              ("solver", f"{cfg.name} (time limit {cfg.time_limit:g} s, gap limit {cfg.gap:g})"),
              ("solver status", f"{sol.status}, gap {sol.gap:.6g}, objective {sol.objective:.6f}, "
                                f"bound {sol.bound:.6f}")]
    if a.robustness is not None:
        pairs.append(("robustness", a.robustness.settings.summary()))
    pairs.append(("date", date.strftime("%Y-%m-%dT%H:%M:%SZ")))
    return [Block("h2", "Manifest", anchor="manifest"),
            Block("p", "Enough to reproduce this report: the same tool version, input files (compare the "
                       "hashes), seed and options give the same results."),
            Block("dl", pairs=tuple(pairs))]


def _robustness(a: Analysis) -> list[Block]:
    blocks = [Block("h2", "Robustness", anchor="robustness")]
    rb = a.robustness
    if rb is None:
        return blocks + [Block("p", "Not analysed in this report (--no-robustness).")]
    blocks.append(Block("p", f"Settings: {rb.settings.summary()}."))
    if a.study.views is not None:  # with perspectives, whose values (none said without, as before)
        from scorer.present.objectives import values_text

        blocks.append(Block("p", f"Values: {values_text(a.study.objective)}."))
    for part, make in (("flips", _flip_blocks), ("smaa", _smaa_blocks), ("frontier", _frontier_blocks),
                       ("alternatives", _alternative_blocks)):
        if part in rb.parts:
            blocks += make(a)
    return blocks


def _flip_blocks(a: Analysis) -> list[Block]:
    from scorer.robustness.flips import flips_table

    rb = a.robustness
    names = {c.id: c.name for c in a.inputs.criteria.criteria}
    table = flips_table(rb.rank_flips, rb.portfolio_flips)
    table["criterion"] = [names.get(c, c) for c in table["criterion"]]
    labels = {"criterion": "Criterion", "weight": "Weight", "leader": "Top-ranked", "top_low": "Stays on top from",
              "top_high": "Stays on top to", "leader_below": "Top-ranked below", "leader_above": "Top-ranked above",
              "portfolio_low": "Portfolio kept from", "portfolio_high": "Portfolio kept to",
              "change_below": "Portfolio change below", "change_above": "Portfolio change above"}
    shares = ("weight", "top_low", "top_high", "portfolio_low", "portfolio_high")
    return [Block("h3", "Flip points"),
            Block("p", "Each criterion's effective weight moved from 0 to 100 % with the others rescaled in "
                       "proportion: the interval in which the top-ranked candidate stays on top (exact) and in "
                       "which the optimal selection stays the same (bisection on re-solves, to within "
                       f"{percent(rb.settings.tolerance)})."),
            Block("chart", "tornado", alt="Tornado chart of the weight intervals that keep the answer"),
            *table_blocks(table, labels, dict.fromkeys(shares, SHARE), keys=("criterion",))]


def _smaa_blocks(a: Analysis) -> list[Block]:
    from scorer.robustness.smaa import acceptability_table, portfolios_table

    result = a.robustness.smaa
    table = acceptability_table(result)
    ranks = [c for c in table.columns if c.startswith("rank_")]
    labels = {"id": "ID", "name": "Name", "expected_rank": "Expected rank",
              **{c: f"Rank {c.removeprefix('rank_')}" for c in ranks}, "core_index": "Core index"}
    blocks = [Block("h3", "Monte Carlo (SMAA)"),
              Block("p", "Rank acceptability: the share of samples in which each candidate holds each rank."),
              Block("chart", "acceptability", alt="Heatmap of rank acceptability"),
              *table_blocks(table, labels, {"expected_rank": ".2f", **dict.fromkeys(ranks, ".0%"),
                                            "core_index": SHARE}, keys=("id",))]
    if result.core_index is not None:
        verdict = [Block("p", text)] if (text := _stability(a)) else []
        blocks += [*verdict,
                   Block("p", "Core index: the share of re-optimised samples whose portfolio includes the "
                              "project; then the most frequent sampled portfolios."),
                   Block("chart", "core", alt="Bars of each candidate's core index"),
                   *table_blocks(portfolios_table(result), {"share": "Share", "count": "Samples",
                                                            "projects": "Projects", "portfolio": "Portfolio"},
                                 {"share": SHARE})]
    return blocks


def _alternative_blocks(a: Analysis) -> list[Block]:
    from scorer.robustness.alternatives import alternatives_table, roles_table

    alt = a.robustness.alternatives
    table = alternatives_table(alt)
    table["gap_pct"] = table["gap_pct"] / 100
    labels = {"rank": "Rank", "status": "Status", "objective": "Objective", "gap_to_best": "Gap to best",
              "gap_pct": "Gap to best (%)", "projects": "Projects", "portfolio": "Portfolio"}
    return [Block("h3", "Near-optimal alternatives"),
            Block("p", f"The {len(alt.solutions)} best distinct selections (no-good cuts), then which projects "
                       "are in all of them (core), in some (swappable) or in none (out)."),
            *table_blocks(table, labels, {"objective": ".2f", "gap_to_best": ".2f", "gap_pct": ".2%"}),
            *table_blocks(roles_table(alt), {"id": "ID", "name": "Name", "role": "Role",
                                             "in_portfolios": "In portfolios"})]


def _frontier_blocks(a: Analysis) -> list[Block]:
    from scorer.robustness.frontier import buy_order, frontier_table

    fr = a.robustness.frontier
    level = "budget" if fr.limit == "total" else f"cap of {fr.limit}"
    labels = {"level": level[0].upper() + level[1:], "status": "Status", "objective": "Best value", "gap": "Gap", "spend": "Spend",
              "projects": "Projects", "added": "Added", "dropped": "Dropped", "portfolio": "Portfolio"}
    order = {"order": "Order", "id": "ID", "name": "Name", "enters_at": f"Enters at ({level})",
             "stays_in": "Stays in above"}
    return [Block("h3", "Efficient frontier"),
            Block("p", "The best portfolio at each level of the total budget (each level optimised on its own), "
                       "the chosen portfolio marked; then the order in which projects enter."),
            Block("chart", "frontier", alt="Efficient frontier with the chosen portfolio marked"),
            *table_blocks(frontier_table(fr), labels, {"level": FIT, "objective": ".2f", "gap": ".2%",
                                                        "spend": FIT}),
            *table_blocks(buy_order(fr), order, {"enters_at": FIT})]


def report_blocks(a: Analysis, date: datetime) -> list[Block]:
    """The report's content, in order, independent of the output format."""
    title = f"coprod briefing: {a.inputs.scenario.name}"
    return [Block("h1", title, anchor="top"), *_notional(a), *_summary(a), *_weights(a), *_ranking(a),
            *_rationale(a), *_portfolio(a), *_partners(a), *_why(a), *_robustness(a), *_manifest(a, date)]


def _partners(a: Analysis) -> list[Block]:
    """The section on the partners, for a scenario with perspectives (none without: the report reads as before)."""
    if a.study.views is None:
        return []
    from scorer.present.report_partners import partners_blocks

    return partners_blocks(a.study, a.solution, a.bargain, a.no_bargain)


# ------------------------------------------------------------------ charts ---


def chart(kind: str, a: Analysis, fmt: str = "png") -> bytes:
    """One chart of the analysis as PNG or SVG bytes.

    Raises
    ------
    OutputError
        Unknown kind, or the analysis behind the chart was not run.
    """
    names = {c.id: c.name for c in a.inputs.criteria.criteria}
    if kind == "contributions":
        return charts.contributions_chart(a.result, names, fmt=fmt)
    if kind == "gantt":
        return charts.gantt_chart(a.solution, fmt=fmt)
    if kind not in CHART_KINDS:
        raise OutputError(f"unknown chart '{kind}' (choose from {', '.join(CHART_KINDS)})")
    if kind in PARTNER_CHARTS:
        return _partner_chart(kind, a, fmt)
    rb = a.robustness
    if rb is None or CHART_PARTS[kind] not in rb.parts:
        raise OutputError(f"the {kind} chart needs the robustness analysis, which was not run")
    if kind == "tornado":
        return charts.tornado_chart(rb.rank_flips, rb.portfolio_flips, names, fmt=fmt)
    if kind == "acceptability":
        return charts.acceptability_chart(rb.smaa, fmt=fmt)
    if kind == "core":
        if rb.smaa.core_index is None:
            raise OutputError("the core chart needs re-optimised samples (robustness.portfolio_samples above 0)",
                              settings=("robustness.portfolio_samples",))
        return charts.core_chart(rb.smaa, fmt=fmt)
    return charts.frontier_chart(rb.frontier, rb.chosen_level, a.solution.objective,
                                 a.solution.problem.currency, fmt=fmt)


def _partner_chart(kind: str, a: Analysis, fmt: str) -> bytes:
    views = a.study.views
    if views is None:
        raise OutputError(f"the {kind} chart needs the partners' perspectives, and the scenario has none "
                          "(give them under 'perspectives:')")
    if kind == "partners":
        return charts.partners_chart(views, fmt=fmt)
    if a.bargain is None:
        raise OutputError(f"the pareto chart needs two partners' frontier; the scenario has {len(views.partners)} "
                          f"perspectives ({', '.join(views.partners)})" if len(views.partners) != 2
                          else f"the pareto chart needs the partners' frontier: {a.no_bargain or 'not found'}")
    return charts.pareto_chart(a.bargain, fmt=fmt)


def available_charts(a: Analysis) -> list[str]:
    """The chart kinds this analysis can draw, in report order."""
    kinds = ["contributions", "gantt"]
    for kind in ("tornado", "acceptability", "core", "frontier"):
        if CHART_PARTS[kind] in a.parts and not (kind == "core" and a.robustness.smaa.core_index is None):
            kinds.append(kind)
    if a.study.views is not None:
        kinds += ["partners"] + (["pareto"] if a.bargain is not None else [])
    return kinds


def build_report(a: Analysis, date: datetime | None = None) -> Report:
    """Render the analysis as HTML, Markdown and chart files (PNG and SVG).

    Parameters
    ----------
    a : Analysis
        From :func:`analyse` (plus robustness results, if any).
    date : datetime, optional
        The date in the manifest (default: :func:`report_date`).
    """
    files = {f"{kind}.{fmt}": chart(kind, a, fmt) for kind in available_charts(a) for fmt in charts.CHART_FORMATS}
    blocks = report_blocks(a, date or report_date())
    return Report(render_html(blocks, files), render_markdown(blocks), files)


# Every name a report may write, so that a rerun knows which files were a report's.
REPORT_FILES = frozenset({"report.html", "report.md",
                          *(f"{kind}.{fmt}" for kind in CHART_KINDS for fmt in charts.CHART_FORMATS)})


def check_report_folder(folder: str | Path, protected: Iterable[Path] = (), force: bool = False) -> FolderPlan:
    """Check that a report can be written into ``folder``, writing nothing (see :mod:`scorer.present.report_folder`)."""
    return check_folder(folder, REPORT_FILES, [Path(p) for p in protected if p is not None], force)


def write_report(report: Report, folder: str | Path, protected: Iterable[Path] = (), force: bool = False) -> list[Path]:
    """Write report.html, report.md and the chart files into ``folder`` (created if missing).

    Every target is checked before anything is written, so a refusal leaves
    the folder as it was. A folder that is new or holds only an earlier
    report is replaced as a whole, so it never mixes two runs; a folder
    holding other files is refused unless ``force`` (see
    :mod:`scorer.present.report_folder`).

    Raises
    ------
    OutputError
        A target is an input file or read-only, the folder holds other
        files, or it cannot be created or written.
    """
    plan = check_report_folder(folder, protected, force)
    files = {**dict(sorted(report.files.items())), "report.md": report.markdown, "report.html": report.html}
    write_folder(plan, files, [Path(p) for p in protected if p is not None], force)
    return [Path(folder) / name for name in files]
