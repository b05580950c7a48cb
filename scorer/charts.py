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
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps, rc_context
from matplotlib.figure import Figure

from scorer.errors import OutputError
from scorer.feasibility import yearly_spend
from scorer.optimizer import Solution
from scorer.scoring import ScoreResult

CHART_FORMATS = ("png", "svg")
DPI = 110
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


def _wrapped(text: Any, width: int = 28, lines: int = 2) -> str:
    return "\n".join(textwrap.wrap(plain(text, width * lines), width, max_lines=lines, placeholder="…")) or " "


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
        buf = io.BytesIO()
        with rc_context(_RC):
            fig = build(*args, **kwargs)
            fig.savefig(buf, format=fmt, dpi=DPI, metadata=_METADATA[fmt])
        return buf.getvalue()

    return chart


def _colors(n: int, distinct: bool = False) -> list:
    """``n`` colours: tab10 for a few distinct groups, tab20 for more, a sampled ramp beyond 20."""
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
        Show only the best ``top`` candidates.

    For methods whose score does not split into parts (weighted-product,
    topsis) the bars are the scores alone.
    """
    order = result.order if top is None else result.order[:top]
    n = len(order)
    fig = Figure(layout="constrained", figsize=(10, 1.6 + 0.38 * n))
    ax = fig.add_subplot()
    pos = np.arange(n)[::-1]
    names = criterion_names or {}
    if result.contributions is not None:
        parts = result.contributions.to_numpy()[order]
        left = np.zeros(n)
        for j, (cid, color) in enumerate(zip(result.criteria, _colors(len(result.criteria)))):
            ax.barh(pos, parts[:, j], left=left, color=color, label=plain(names.get(cid, cid), 34), height=0.7)
            left += parts[:, j]
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, title="criterion")
    else:
        ax.barh(pos, result.scores[order], color="#1f4e99", height=0.7)
    for y, i in zip(pos, order):
        ax.text(result.scores[i] + 0.5, y, f"{result.scores[i]:.1f}", va="center", fontsize=8)
    ax.set_yticks(pos, labels=[plain(result.names[i]) for i in order])
    ax.set_xlim(0, max(100.0, float(result.scores.max()) + 8))
    ax.set_xlabel(f"score (0-100), {result.method}")
    ax.set_title("Ranking: each criterion's contribution to the score" if result.contributions is not None
                 else f"Ranking by {result.method} score")
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
    sel = sel[np.lexsort((np.array(p.ids)[sel], sol.start[sel]))]
    spend = yearly_spend(p, sol.start)
    partner = p.shares.T @ spend
    panels = 1 + len(p.partners)
    fig = Figure(layout="constrained", figsize=(10, 1.2 + 0.34 * len(sel) + 1.9 * panels))
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
    ax.set_title("Selected projects: years they run")
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
