"""Briefing charts drawn from result objects, as PNG or SVG bytes.

Every chart is a pure function from results to the bytes of a PNG or SVG file
(``fmt="png"`` or ``"svg"``), drawn on a bare :class:`matplotlib.figure.Figure`
with the Agg renderer: no pyplot, no display, no global state. Output is
deterministic: the same results give byte-identical files (fixed SVG hash
salt, no date or software stamp).

Names come from input files, so they are drawn as plain text: mathtext is
off (a candidate called ``$x$`` is shown as ``$x$``), control characters are
replaced and long names are shortened.
"""

from __future__ import annotations

import functools
import io
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from scorer.errors import OutputError
from scorer.portfolio.bargain import Bargain
from scorer.portfolio.feasibility import yearly_spend
from scorer.portfolio.solve import Solution
from scorer.robustness.flips import PortfolioFlip, RankFlip
from scorer.robustness.frontier import Frontier
from scorer.robustness.smaa import SmaaResult
from scorer.scoring.perspectives import PartnerViews
from scorer.scoring.score import ScoreResult

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CHART_FORMATS = ("png", "svg")
# Print resolution: the report prints a chart across an A4 page (186 mm between its margins), which
# gives a 7-inch chart (the narrowest) 210 dots per inch and a 10-inch one 300.
DPI = 220
# Rows (candidates, criteria, projects) drawn at most: beyond this a chart is
# unreadable and its canvas grows past what the renderer allows.
MAX_ROWS = 40
# Plain text everywhere (no $...$ maths from names), a fixed SVG id salt, text
# kept as <text> in SVG (selectable, searchable, small) and one font.
_RC = {
    "text.parse_math": False,
    "text.usetex": False,
    "svg.hashsalt": "coprod",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
}
_METADATA = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}
_PARTNER_COLORS = ("#1f4e99", "#c0392b", "#2e8b57", "#8e44ad", "#d68910", "#566573")


def plain(text: Any, width: int = 40) -> str:
    """A name fit for a chart: printable characters only, at most ``width`` characters."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in str(text))
    return clean if len(clean) <= width else clean[: width - 1].rstrip() + "…"


def _of(shown: int, total: int, what: str) -> str:
    """A title suffix saying when a chart shows only part of the rows."""
    return f" ({what} {shown} of {total})" if shown < total else ""


def _chart(build: Callable[..., Figure]) -> Callable[..., bytes]:
    """Turn a figure builder into ``chart(..., fmt="png") -> bytes``.

    The figure is built and saved once, under the plain-text style (tick
    labels are laid out at save time too). Saving one figure twice re-runs
    its layout and can move things by a pixel, so every file gets a fresh
    figure: that is what makes equal inputs give equal bytes.
    """

    @functools.wraps(build)
    def chart(*args: Any, fmt: str = "png", **kwargs: Any) -> bytes:
        if fmt not in CHART_FORMATS:
            raise OutputError(f"unknown chart format '{fmt}' (choose from {', '.join(CHART_FORMATS)})")
        from matplotlib import (
            rc_context,  # here, not at import: matplotlib costs every command ~0.5 s
        )

        buf = io.BytesIO()
        with rc_context(_RC), warnings.catch_warnings():
            # A name in a script DejaVu Sans lacks (e.g. Japanese) is drawn as boxes in PNG
            # (SVG keeps the characters); one warning per glyph on stderr would only be noise.
            warnings.filterwarnings("ignore", message=r"Glyph .* missing from font", category=UserWarning)
            fig = build(*args, **kwargs)
            fig.savefig(buf, format=fmt, dpi=DPI, metadata=_METADATA[fmt])
        return buf.getvalue()

    return chart


def _figure(**size: Any) -> Figure:
    """A bare constrained-layout figure (no pyplot state, no GUI backend)."""
    from matplotlib.figure import Figure

    return Figure(layout="constrained", **size)


def _colors(n: int, distinct: bool = False) -> list:
    """``n`` colours: tab10 for a few distinct groups, tab20 for more, a sampled ramp beyond 20."""
    from matplotlib import colormaps

    if distinct and n <= 10:
        return [colormaps["tab10"](i) for i in range(n)]
    if n <= 20:
        return [colormaps["tab20"](i) for i in range(n)]
    return [colormaps["turbo"](i / (n - 1)) for i in range(n)]


# ------------------------------------------------------------ contributions ---


@_chart
def contributions_chart(result: ScoreResult, criterion_names: Mapping[str, str] | None = None,
                         top: int | None = None) -> Figure:
    """Stacked per-criterion contributions of the ranked candidates (best at the top).

    Parameters
    ----------
    result : ScoreResult
    criterion_names : mapping of criterion id to name, optional
        Legend labels (default: the ids).
    top : int, optional
        Show only the best ``top`` candidates (at most :data:`MAX_ROWS` are drawn).

    For methods whose score does not split into parts (weighted-product,
    topsis) the bars are the scores alone.
    """
    order = result.order[:MAX_ROWS if top is None else min(top, MAX_ROWS)]
    n = len(order)
    fig = _figure(figsize=(10, 1.6 + 0.38 * n))
    ax = fig.add_subplot()
    pos = np.arange(n)[::-1]
    names = criterion_names or {}
    if result.contributions is not None:
        parts = result.contributions.to_numpy()[order]
        left = np.zeros(n)
        for j, (cid, color) in enumerate(zip(result.criteria, _colors(len(result.criteria)))):
            ax.barh(pos, parts[:, j], left=left, color=color, label=plain(names.get(cid, cid), 44), height=0.7)
            left += parts[:, j]
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, title="criterion")
    else:
        ax.barh(pos, result.scores[order], color="#1f4e99", height=0.7)
    for y, i in zip(pos, order):
        ax.text(result.scores[i] + 0.5, y, f"{result.scores[i]:.1f}", va="center", fontsize=8)
    ax.set_yticks(pos, labels=[plain(result.names[i]) for i in order])
    ax.set_xlim(0, max(100.0, float(result.scores.max()) + 8))
    ax.set_xlabel(f"score (0-100), {result.method}")
    ax.set_title(("Ranking: each criterion's contribution to the score" if result.contributions is not None
                  else f"Ranking by {result.method} score") + _of(n, len(result.order), "best"))
    return fig


# ------------------------------------------------------------------- gantt ---


@_chart
def gantt_chart(sol: Solution) -> Figure:
    """The schedule as a Gantt chart, with yearly spend against each year's cap.

    The top panel shows when each selected project runs; below it, one panel
    for the spend of both partners together and one per partner, each with
    its yearly cap as a line (no line where the year has no cap).
    """
    p = sol.problem
    sel = np.flatnonzero(sol.selected)
    sel = sel[np.lexsort((np.array(p.ids)[sel], sol.start[sel]))][:MAX_ROWS]  # the spend panels count all
    spend = yearly_spend(p, sol.start)
    partner = sol.shares.T @ spend  # the chosen split
    panels = 1 + len(p.partners)
    fig = _figure(figsize=(10, 1.2 + 0.34 * len(sel) + 1.9 * panels))
    axes = fig.subplots(1 + panels, 1, sharex=True,
                        gridspec_kw={"height_ratios": [max(2.0, 0.3 * len(sel))] + [1.6] * panels})
    _gantt_bars(axes[0], sol, sel)
    colors = dict(zip(p.partners, _PARTNER_COLORS * (1 + len(p.partners) // len(_PARTNER_COLORS))))
    _spend_panel(axes[1], p.years, [(name, partner[j], colors[name]) for j, name in enumerate(p.partners)],
                 p.year_cap, "both partners", p.currency)
    for j, name in enumerate(p.partners):
        _spend_panel(axes[2 + j], p.years, [(name, partner[j], colors[name])], p.partner_year_cap[j],
                     plain(name, 32), p.currency)
    axes[-1].set_xlabel("year")
    axes[-1].set_xticks(p.years, labels=[str(int(y)) for y in p.years])
    # Shared x hides the inner panels' tick labels; the years belong above the bars as well.
    axes[0].tick_params(axis="x", top=True, labeltop=True)
    axes[0].grid(axis="x", color="#e3e6ea", linewidth=0.8)
    axes[0].set_axisbelow(True)
    fig.suptitle(f"Schedule ({sol.status}, objective {sol.objective:.2f}) and yearly spend against caps",
                 fontweight="bold")
    return fig


def _gantt_bars(ax: Any, sol: Solution, sel: np.ndarray) -> None:
    p = sol.problem
    cats = sorted({p.categories[i] or "-" for i in sel})
    color = dict(zip(cats, _colors(len(cats), distinct=True)))
    pos = np.arange(len(sel))[::-1]
    for y, i in zip(pos, sel):
        cat = p.categories[i] or "-"
        ax.barh(y, p.durations[i], left=sol.start[i] - 0.45, height=0.6, color=color[cat])
    for cat in cats:  # one legend entry per category
        ax.barh(np.nan, 0, color=color[cat], label=plain(cat, 30))
    ax.set_yticks(pos, labels=[plain(p.names[i]) for i in sel])
    ax.set_xlim(p.years[0] - 0.6, p.years[-1] + 0.6)
    ax.set_title("Selected projects: years they run" + _of(len(sel), int(sol.selected.sum()), "first"))
    if cats:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, title="category")


def _spend_panel(ax: Any, years: np.ndarray, stacks: Sequence[tuple[str, np.ndarray, str]], cap: np.ndarray,
                 title: str, currency: str) -> None:
    bottom = np.zeros(len(years))
    for name, values, color in stacks:
        ax.bar(years, values, bottom=bottom, width=0.7, color=color, label=f"{plain(name, 20)} spend")
        bottom += values
    capped = np.where(np.isfinite(cap), cap, np.nan)
    if np.isfinite(capped).any():  # one dash per capped year: caps differ by year and may be missing
        ax.hlines(capped, years - 0.48, years + 0.48, colors="black", linestyles="--", linewidth=1.3,
                  label="yearly cap")
    ax.set_ylabel(plain(currency, 30), fontsize=8)
    ax.set_title(f"Yearly spend: {title}", fontsize=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)


# -------------------------------------------------------------- robustness ---


@_chart
def tornado_chart(ranks: Sequence[RankFlip], portfolios: Sequence[PortfolioFlip] | None = None,
                  criterion_names: Mapping[str, str] | None = None) -> Figure:
    """Flip points as a tornado: per criterion, the weight interval that keeps the answer.

    Parameters
    ----------
    ranks : sequence of RankFlip
        The interval in which the top-ranked candidate stays on top (wide bar).
    portfolios : sequence of PortfolioFlip, optional
        The interval in which the optimal selection stays the same (thin bar).
    criterion_names : mapping of criterion id to name, optional

    The narrowest intervals (the most sensitive criteria) are at the top;
    a black tick marks each criterion's current weight.
    """
    from matplotlib.ticker import PercentFormatter

    names = criterion_names or {}
    order = sorted(range(len(ranks)), key=lambda j: (ranks[j].high - ranks[j].low, ranks[j].criterion))[:MAX_ROWS]
    n = len(order)
    fig = _figure(figsize=(10, 1.8 + 0.42 * n))
    ax = fig.add_subplot()
    pos = np.arange(n)[::-1]
    for y, j in zip(pos, order):
        r = ranks[j]
        ax.barh(y + 0.15, r.high - r.low, left=r.low, height=0.35, color="#1f4e99",
                label="top rank unchanged" if y == pos[0] else None)
        if portfolios is not None:
            p = portfolios[j]
            ax.barh(y - 0.2, p.high - p.low, left=p.low, height=0.25, color="#d68910",
                    label="portfolio unchanged" if y == pos[0] else None)
        ax.plot([r.weight, r.weight], [y - 0.4, y + 0.4], color="black", linewidth=2,
                label="current weight" if y == pos[0] else None)
    ax.set_yticks(pos, labels=[plain(names.get(ranks[j].criterion, ranks[j].criterion)) for j in order])
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("effective weight of the criterion (others rescaled in proportion)")
    leader = plain(ranks[0].leader, 30) if ranks else ""
    ax.set_title(f"Flip points: weight ranges that keep {leader} on top" +
                 (" and the portfolio unchanged" if portfolios is not None else "") +
                 _of(n, len(ranks), "most sensitive"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    return fig


@_chart
def acceptability_chart(result: SmaaResult) -> Figure:
    """Rank-acceptability heatmap: the share of samples in which each candidate holds each rank.

    Candidates are ordered by expected rank; cells of at least 1 % are
    labelled. Beyond :data:`MAX_ROWS` candidates, the best by expected rank
    and the first ranks are drawn.
    """
    total = result.acceptability.shape[0]
    expected = result.acceptability @ np.arange(1, total + 1)
    order = sorted(range(total), key=lambda i: (round(float(expected[i]), 9), result.ids[i]))[:MAX_ROWS]
    n = len(order)
    acc = np.asarray(result.acceptability)[:, :n]
    fig = _figure(figsize=(max(7.0, 3.5 + 0.5 * n), 1.8 + 0.4 * n))
    ax = fig.add_subplot()
    image = ax.imshow(acc[order], cmap="Blues", vmin=0, vmax=1, aspect="auto")
    if n <= 25:  # labels stay legible up to about this size
        for (r, k), share in np.ndenumerate(acc[order]):
            if share >= 0.01:
                ax.text(k, r, f"{share:.0%}", ha="center", va="center", fontsize=7,
                        color="white" if share > 0.6 else "black")
    ax.set_yticks(np.arange(n), labels=[plain(result.names[i]) for i in order])
    ax.set_xticks(np.arange(n), labels=[str(k + 1) for k in range(n)])
    ax.set_xlabel("rank")
    ax.set_title(f"Rank acceptability ({result.samples} weight samples)" + _of(n, total, f"ranks 1-{n}, best"))
    fig.colorbar(image, ax=ax, label="share of samples", shrink=0.8)
    return fig


@_chart
def core_chart(result: SmaaResult) -> Figure:
    """Core index bars: the share of sampled optimal portfolios holding each candidate.

    Raises
    ------
    OutputError
        The analysis did not re-optimise portfolios (no core index).
    """
    if result.core_index is None:
        raise OutputError("the core index needs sampled portfolios (portfolio samples > 0)")
    core = np.asarray(result.core_index, dtype=float)
    order = sorted(range(len(core)), key=lambda i: (-round(float(core[i]), 12), result.ids[i]))[:MAX_ROWS]
    n = len(order)
    fig = _figure(figsize=(10, 1.6 + 0.36 * n))
    ax = fig.add_subplot()
    pos = np.arange(n)[::-1]
    colors = ["#2e8b57" if core[i] >= 0.95 else "#d68910" if core[i] > 0.05 else "#a6acaf" for i in order]
    ax.barh(pos, core[order], color=colors, height=0.7)
    for y, i in zip(pos, order):
        ax.text(core[i] + 0.01, y, f"{core[i]:.1%}", va="center", fontsize=8)
    ax.set_yticks(pos, labels=[plain(result.names[i]) for i in order])
    ax.set_xlim(0, 1.08)
    ax.set_xlabel("core index: share of sampled optimal portfolios that include the project")
    ax.set_title(f"Core index ({result.portfolio_samples} re-optimised samples; green >= 95 %, grey <= 5 %)"
                 + _of(n, len(core), "highest"))
    return fig


@_chart
def frontier_chart(result: Frontier, chosen_level: float, chosen_value: float, currency: str = "") -> Figure:
    """The efficient frontier: the best value at each budget level, with the chosen portfolio marked.

    Parameters
    ----------
    result : Frontier
    chosen_level, chosen_value : float
        Where today's portfolio sits (its budget level and objective).
    currency : str
        The money unit, for the axis label.
    """
    fig = _figure(figsize=(9, 5))
    ax = fig.add_subplot()
    ok = np.isfinite(result.objective)
    ax.step(result.levels[ok], result.objective[ok], where="post", color="#1f4e99", linewidth=1.6)
    ax.plot(result.levels[ok], result.objective[ok], "o", color="#1f4e99", markersize=4, label="optimum at level")
    if (~ok).any():
        ax.plot(result.levels[~ok], np.zeros((~ok).sum()), "x", color="#c0392b", label="no portfolio fits")
    ax.plot([chosen_level], [chosen_value], marker="*", markersize=16, color="#d68910", linestyle="none",
            label=f"chosen portfolio ({chosen_value:.1f})")
    what = "total budget" if result.limit == "total" else f"cap of {result.limit}"
    ax.set_xlabel(f"{what} ({plain(currency, 40)})" if currency else what)
    ax.set_ylabel("portfolio value (sum of 0-100 scores, discounted)")
    ax.set_title("Efficient frontier: best portfolio value by budget")
    ax.set_ylim(bottom=0)
    ax.legend(loc="lower right", fontsize=8)
    return fig


# ---------------------------------------------------------------- partners ---

# Candidates whose rank difference the partners chart labels.
_LABELLED = 3
# Each solution concept's marker and colour on the Pareto chart.
_CONCEPT_STYLE = {"joint": ("s", "#1f4e99"), "nash": ("D", "#2e8b57"), "balanced": ("^", "#8e44ad")}


@_chart
def pareto_chart(result: Bargain) -> Figure:
    """The two partners' Pareto frontier, with the ideal and disagreement points and the solutions.

    Parameters
    ----------
    result : Bargain
        From :func:`scorer.portfolio.bargain.bargain` (two partners).

    The first partner's value is across, the second's up. The frontier
    points are joined as a staircase (every portfolio below and left of it is
    dominated); the ideal point (each partner's best value, no portfolio gives
    both), the disagreement point (each partner's outside option) and the
    joint, Nash and balanced solutions are marked and labelled.
    """
    names, front, parties = result.parties.names, result.frontier, result.parties
    fig = _figure(figsize=(9, 6.5))
    ax = fig.add_subplot()
    pts = np.array([pt.values for pt in front.points]).reshape(-1, 2)
    ax.step(pts[:, 0], pts[:, 1], where="post", color="#a6acaf", linewidth=1.2, zorder=1)
    ax.plot(pts[:, 0], pts[:, 1], "o", color="#566573", markersize=5, zorder=2,
            label=f"frontier ({len(pts)} portfolios)")
    ideal, dis = front.ideal, parties.disagreement
    ax.plot([ideal[0]], [ideal[1]], marker="*", markersize=15, color="#d68910", linestyle="none", zorder=3,
            label=f"ideal ({ideal[0]:.1f}, {ideal[1]:.1f})")
    ax.plot([dis[0]], [dis[1]], marker="X", markersize=10, color="#c0392b", linestyle="none", zorder=3,
            label=f"disagreement: outside options ({dis[0]:.1f}, {dis[1]:.1f})")
    ax.plot([dis[0], ideal[0]], [dis[1], ideal[1]], linestyle=":", color="#d68910", linewidth=1, zorder=1)
    by_point: dict[int, list[str]] = {}
    for concept, k in result.solutions.items():
        by_point.setdefault(k, []).append(concept)
        marker, color = _CONCEPT_STYLE.get(concept, ("o", "black"))
        ax.plot([pts[k, 0]], [pts[k, 1]], marker=marker, markersize=11, markerfacecolor="none",
                markeredgewidth=2, color=color, linestyle="none", zorder=4, label=f"{concept} solution")
    for k, concepts in sorted(by_point.items()):
        ax.annotate(" = ".join(concepts), (pts[k, 0], pts[k, 1]), xytext=(8, 8), textcoords="offset points",
                    fontsize=9, fontweight="bold")
    span = np.ptp(np.vstack([pts, ideal[None, :]]), axis=0)
    pad = np.maximum(span * 0.15, 1.0)
    low = np.minimum(pts.min(axis=0), ideal) - pad
    high = np.maximum(pts.max(axis=0), ideal) + pad
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    if (dis < low).any():  # far outside the frontier's box: say where it is rather than shrink the frontier
        ax.text(0.01, 0.01, "disagreement point off the chart (see legend)", transform=ax.transAxes,
                fontsize=8, color="#c0392b")
    ax.set_xlabel(f"{plain(names[0], 30)}'s value of the portfolio (sum of its 0-100 values)")
    ax.set_ylabel(f"{plain(names[1], 30)}'s value of the portfolio")
    ax.set_title(f"Portfolios both partners could accept: {plain(names[0], 20)} against {plain(names[1], 20)}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    return fig


@_chart
def partners_chart(views: PartnerViews, top: int | None = None) -> Figure:
    """Each candidate's rank for each partner side by side (a dumbbell per candidate).

    Parameters
    ----------
    views : PartnerViews
    top : int, optional
        Show only the best ``top`` by joint rank (at most :data:`MAX_ROWS`).

    Candidates run down in joint order; each partner's rank is a dot, joined
    by a bar, so the longest bars are the largest disagreements; the three
    largest are labelled with the rank difference and their names set in bold.
    """
    joint = views.joint
    order = joint.order[:MAX_ROWS if top is None else min(top, MAX_ROWS)]
    n = len(order)
    ranks = np.stack([views.views[p].scored.ranks for p in views.partners])[:, order].astype(float)
    spread = ranks.max(axis=0) - ranks.min(axis=0)
    fig = _figure(figsize=(10, 1.8 + 0.38 * n))
    ax = fig.add_subplot()
    pos = np.arange(n)[::-1]
    ax.hlines(pos, ranks.min(axis=0), ranks.max(axis=0), color="#d5d8dc", linewidth=4, zorder=1)
    colors = _PARTNER_COLORS * (1 + len(views.partners) // len(_PARTNER_COLORS))
    for j, p in enumerate(views.partners):  # each smaller than the last: equal ranks show every dot
        ax.plot(ranks[j], pos, "o", color=colors[j], markersize=max(3.0, 9.0 - 2.5 * j), zorder=2 + j,
                label=f"{plain(p, 20)}'s rank")
    ax.plot(joint.ranks[order], pos, "|", color="black", markersize=12, zorder=9, label="joint rank")
    marked = np.zeros(n, dtype=bool)
    marked[np.argsort(-spread, kind="stable")[:_LABELLED]] = True  # ties: the better joint rank
    marked &= spread > 0
    for y, gap, right, flag in zip(pos, spread, ranks.max(axis=0), marked):
        if flag:
            ax.text(right + 0.4, y, f"{gap:.0f} places apart", va="center", fontsize=8, color="#c0392b")
    ax.set_yticks(pos, labels=[plain(joint.names[i]) for i in order])
    for label, flag in zip(ax.get_yticklabels(), marked):
        if flag:
            label.set_fontweight("bold")
    total = len(joint.order)
    ax.set_xlim(0.5, total + max(3.0, 0.2 * total))  # room right of the worst rank for the labels
    ax.set_xlabel("rank (1 = best)")
    ax.set_title("Where the partners' rankings differ (candidates in joint order)" + _of(n, total, "best"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    return fig
