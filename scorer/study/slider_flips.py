"""Flip points along the page's weight sliders: how far one raw weight can move, the others as they are.

A slider of ``coprod serve`` sets one criterion's raw weight, exactly as
``-w ID=N``: the weights are then derived again (normalised within the
criterion's group, if the file has groups; under ``joint: mean|geometric``
through the partners, who start from the shared file). Moving one raw weight
is therefore not always the path of ``coprod sensitivity``'s flip points
(:mod:`scorer.robustness.flips`: one effective weight ``t``, all the others
rescaled proportionally); it is when the file has no groups and its weights
are direct, and then a raw weight ``x`` is ``t = x / (x + S)`` (``S``: the
other raw weights' sum). So that the marks show what the slider does, every
probe here is a :class:`~scorer.study.study.Study` with that raw weight:
the command line's own values.

The interval keeping the top candidate comes from a grid over the slider
(:data:`GRID` points) refined by bisection to the tolerance; a change and
change back between two grid points can be missed. The interval keeping the
optimal selection is bisected on warm re-solves from the slider's ends, as
the portfolio flip points are: the bound is the farthest value verified to
keep it. A slider value that is not a valid setting (a group left with
weight but no criterion weighing) ends an interval there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from scorer.errors import ScoringError
from scorer.scoring.weights import derive_weights
from scorer.study.study import Study

# Grid points along each slider for the top candidate (ends included).
GRID = 21
# Default tolerance: this share of the slider's length.
TOLERANCE_SHARE = 1 / 100

Change = tuple[tuple[str, ...], tuple[str, ...]]


@dataclass(frozen=True)
class SliderFlip:
    """One slider's intervals of the raw weight (``[0, slider_max]``) around its value ``raw``.

    ``top_low``/``top_high``: the top candidate stays ``leader`` within them;
    ``leader_below``/``leader_above`` is on top just beyond (None at the
    slider's end or where the setting is not valid). ``portfolio_low``/
    ``portfolio_high``: the optimal selection stays the same (None when not
    asked); ``change_below``/``change_above``: the ids entering and leaving it
    just beyond (None when it does not change on that side). Bounds are
    located within ``tolerance``.
    """

    criterion: str
    raw: float
    slider_max: float
    top_low: float
    top_high: float
    leader: str
    leader_below: str | None
    leader_above: str | None
    portfolio_low: float | None
    portfolio_high: float | None
    change_below: Change | None
    change_above: Change | None
    tolerance: float


def slider_flips(study: Study, slider_max: Mapping[str, float], *, portfolios: bool = True,
                 tolerance: float | None = None) -> list[SliderFlip]:
    """Every weight slider's intervals keeping the top candidate and (``portfolios``) the optimal selection.

    Parameters
    ----------
    study : Study
        The settings the sliders start from (its ``weights`` over the file's).
    slider_max : mapping of criterion id to number
        Where each slider ends (it starts at 0).
    portfolios : bool
        Also bisect the portfolio intervals (re-solves).
    tolerance : float, optional
        Width within which each bound is located, in raw weight (default:
        :data:`TOLERANCE_SHARE` of each slider).
    """
    raw = derive_weights(study.inputs.criteria, study.weights).raw
    ids = [c.id for c in study.inputs.criteria.criteria]
    resolver = study.resolver() if portfolios else None
    base = resolver.solve(study.values.copy()).selected if resolver is not None else None
    out = []
    for c, cid in enumerate(ids):  # a loop over criteria only; each probe is a whole study
        at = _prober(study, dict(zip(ids, raw.tolist())), cid)
        end = float(slider_max[cid])
        step = tolerance or end * TOLERANCE_SHARE
        x0 = float(raw[c])
        top = _leader_interval(at, x0, end, step)
        port = _portfolio_interval(at, resolver, base, x0, end, step) if resolver is not None else (None,) * 4
        out.append(SliderFlip(cid, x0, end, *top, *port, step))
    return out


def _prober(study: Study, raw: dict[str, float], cid: str) -> Callable[[float], Study | None]:
    def at(x: float) -> Study | None:
        try:
            return study.with_changes(weights={**raw, cid: x})
        except ScoringError:
            return None

    return at


def _leader_of(s: Study | None) -> str | None:
    if s is None:
        return None
    scored = s.scored()
    return scored.ids[int(scored.order[0])]


def _leader_interval(at: Callable[[float], Study | None], x0: float, end: float, step: float):
    """(low, high, leader, below, above): the grid, then bisection at the first change on each side."""
    lead = _leader_of(at(x0))
    grid = np.linspace(0.0, end, GRID)
    below = grid[grid < x0][::-1]
    above = grid[grid > x0]
    low, before = _walk(at, x0, below, lead, step)
    high, after = _walk(at, x0, above, lead, step)
    return low, high, lead, before, after


def _walk(at, x0: float, points: np.ndarray, lead: str | None, step: float) -> tuple[float, str | None]:
    inner = x0
    for x in points.tolist():
        other = _leader_of(at(x))
        if other != lead:
            return _bisect(lambda y: _leader_of(at(y)), lead, inner, x, other, step)
        inner = x
    return inner, None


def _bisect(probe, same, inner: float, outer: float, beyond, step: float):
    """Halve [inner, outer] until within ``step``: (farthest value kept, what is found just beyond)."""
    while abs(outer - inner) > step:
        mid = 0.5 * (inner + outer)
        here = probe(mid)
        if _equal(here, same):
            inner = mid
        else:
            outer, beyond = mid, here
    return inner, beyond


def _equal(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return a is not None and b is not None and bool(np.array_equal(a, b))
    return a == b


def _portfolio_interval(at, resolver, base: np.ndarray, x0: float, end: float, step: float):
    def selection(x: float) -> np.ndarray | None:
        s = at(x)
        return None if s is None else resolver.solve(s.values.copy()).selected

    ids = np.asarray(resolver.problem.ids)
    sides = []
    for outer in (0.0, end):
        beyond = selection(outer) if outer != x0 else base
        if _equal(beyond, base):
            sides.append((outer, None))
            continue
        bound, found = _bisect(selection, base, x0, outer, beyond, step)
        sides.append((bound, None if found is None else _change(base, found, ids)))
    (low, below), (high, above) = sides
    return low, high, below, above


def _change(base: np.ndarray, other: np.ndarray, ids: np.ndarray) -> Change:
    return tuple(ids[other & ~base].tolist()), tuple(ids[base & ~other].tolist())
