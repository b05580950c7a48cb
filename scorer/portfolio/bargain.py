"""The portfolios partners could agree on: each partner's value, the exact frontier, and three solution concepts.

Pure: a :class:`~scorer.portfolio.problem.PortfolioProblem` and a :class:`Parties`
(each partner's candidate values, the joint values, disagreement points and
influence) in; checked portfolios out. Partner p's value of a portfolio is
``V_p = sum of its selected values`` with the objective's delay discount
(:func:`~scorer.portfolio.solve.portfolio_value`), linear in the option binaries,
so every stage below is one integer program, re-solved warm by a
:class:`~scorer.portfolio.resolve.Resolver` with temporary rows.

Solution concepts (``objective``):

- ``joint``: today's objective, the joint values.
- ``<partner>``: that partner's own value, then the others' (in order) and the
  joint value lexicographically, so the answer is not dominated.
- ``balanced`` (Kalai & Smorodinsky 1975): max t with
  ``V_p - d_p >= t (I_p - d_p)`` for every p, then max the sum of V_p with t fixed.
- ``nash`` (Nash 1950): max ``prod (V_p - d_p)^lambda_p`` over ``V_p > d_p``.

The exact two-partner frontier (:func:`pareto_frontier`) is the epsilon-constraint
method with a lexicographic second stage (Haimes, Lasdon & Wismer 1971;
Ehrgott, *Multicriteria Optimization*, 2005, ch. 4).

Precision. The "just above" step needs a tolerance below the smallest
difference between two distinct values of a partner. :func:`value_step` finds
the coarsest decimal grid ``q = 10^-d`` (d <= :data:`FINEST_DECIMALS`) on which
every option's discounted value lies; every portfolio value is then a multiple
of q, two distinct ones differ by at least q, and the step ``q / 2`` is exact.
Values off every such grid (a delay discount such as 0.05 compounds to 8+
decimals) use q = :data:`RESOLUTION`: then two portfolios whose values for one
partner differ by less than that are treated as one value. Both are far
above the solvers' row tolerance (1e-7).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial

import numpy as np

from scorer.errors import InfeasibleError, ScoringError, SolverError
from scorer.mip.config import SolverConfig
from scorer.portfolio.feasibility import yearly_spend
from scorer.portfolio.problem import Options, PartnerFloor, PortfolioProblem, Row
from scorer.portfolio.resolve import Resolver
from scorer.portfolio.solve import Solution, portfolio_value

# Finest decimal grid value_step tries: values are 0-100 with at most a few decimals.
FINEST_DECIMALS = 5
# The resolution (points) of values on no such grid; see the module's docstring.
RESOLUTION = 1e-5
# See solver_room.
SOLVER_ROOM = 1e-6
# Ratios and Nash criteria equal to within this (relative) are ties, broken by the next stage.
TIE = 1e-12
# A coarse frontier's gap is refined when its bound beats the best by more than this (relative): float
# noise. The supporting lines trust a solve's optimum as every stage does (a gap within 1e-6 counts as
# optimal, scorer.mip.outcome), so a hidden point better than the best by less than that may be missed.
BOUND_TIE = 1e-9
CONCEPTS = ("joint", "nash", "balanced")
# The slices of partner 2's value range a coarse sweep starts Nash from (solve_objective): exact anyway,
# since the gaps are refined until none can hold a better point (see _coarse).
NASH_SLICES = 8
# The frontier's stages hold a partner's value above a floor, which makes each solve far harder than a
# plain re-solve: the Resolver's tuned options (presolve and heuristics off) pay only on small models.
# Measured on benchmarks/bench_bargain.py's problems (one process, idle machine): 206 options, tuned
# 11.3 s for the 46 solves of the whole frontier against 30.6 s with HiGHS's defaults; 390 options,
# 18.3 s against 16.6 s for 4 points; 909 options, 66.8 s against 29.5 s for 2 points.
FRONTIER_TUNED_UP_TO = 400


@dataclass(frozen=True, eq=False)
class Parties:
    """The partners of a bargain and what each wants.

    Parameters
    ----------
    names : tuple of str
        Partner ids, in the order of the rows below.
    values : array (P, n)
        Each partner's value (0-100) of each candidate.
    joint : array (n,)
        The joint values (today's objective).
    disagreement : array (P,)
        Each partner's value if no deal is made.
    influence : array (P,)
        Positive, summing to 1: the Nash exponents and joint weights.
    min_value, min_share_of_ideal : array (P,), optional
        Floors on a partner's value, and on its value as a share of its ideal;
        ``nan`` where a partner has none.
    """

    names: tuple[str, ...]
    values: np.ndarray
    joint: np.ndarray
    disagreement: np.ndarray
    influence: np.ndarray
    min_value: np.ndarray | None = None
    min_share_of_ideal: np.ndarray | None = None

    def __post_init__(self) -> None:
        names = tuple(self.names)
        p = len(names)
        if p < 1 or len(set(names)) != p:
            raise ScoringError("a bargain needs one or more partners with distinct ids")
        values = np.asarray(self.values, dtype=float)
        if values.ndim != 2 or values.shape[0] != p or not np.isfinite(values).all():
            raise ScoringError(f"need finite values for each of the {p} partners, got shape {values.shape}")
        joint = np.asarray(self.joint, dtype=float)
        if joint.shape != (values.shape[1],) or not np.isfinite(joint).all():
            raise ScoringError(f"need one finite joint value per candidate ({values.shape[1]})")
        arrays = {"disagreement": self.disagreement, "influence": self.influence,
                  "min_value": self.min_value, "min_share_of_ideal": self.min_share_of_ideal}
        for name, given in arrays.items():
            out = np.full(p, np.nan) if given is None else np.asarray(given, dtype=float).reshape(-1)
            if out.shape != (p,):
                raise ScoringError(f"{name} needs one number per partner ({p}), got {out.shape}")
            object.__setattr__(self, name, out)
        if not np.isfinite(self.disagreement).all():
            raise ScoringError("each partner's disagreement value must be a finite number")
        if not (self.influence > 0).all() or not math.isclose(float(self.influence.sum()), 1.0, rel_tol=1e-9):
            raise ScoringError("the partners' influence must be positive and sum to 1")
        share = self.min_share_of_ideal[~np.isnan(self.min_share_of_ideal)]
        if ((share < 0) | (share > 1)).any():
            raise ScoringError("min_share_of_ideal must lie between 0 and 1")
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "joint", joint)

    @property
    def count(self) -> int:
        return len(self.names)

    def index(self, name: str) -> int:
        """Position of a partner id.

        Raises
        ------
        ScoringError
            An id that is not one of the partners.
        """
        if name not in self.names:
            raise ScoringError(f"no partner '{name}' (partners: {', '.join(self.names)})", settings=("objective",))
        return self.names.index(name)


@dataclass(frozen=True, eq=False)
class Point:
    """One portfolio and its value for each partner (and jointly)."""

    start: np.ndarray  # (n,) start year, -1 when left out
    values: np.ndarray  # (P,)
    joint: float
    status: str  # the solver's status of the last stage ("optimal", "time_limit", ...)
    shares: np.ndarray  # (n, P) each paying partner's share: the split checked with the portfolio

    @property
    def selected(self) -> np.ndarray:
        return self.start >= 0


@dataclass(frozen=True, eq=False)
class Frontier:
    """The non-dominated points of two partners, the first partner's value descending."""

    partners: tuple[str, ...]
    points: tuple[Point, ...]
    ideal: np.ndarray  # (P,)
    step: np.ndarray  # (P,) the grid q of each partner's values (see value_step)
    on_grid: tuple[bool, ...]  # whether q is the values' own grid (exact) or RESOLUTION
    solves: int
    seconds: float
    complete: bool = True  # False: stopped at max_points, more points may follow
    # A coarse frontier's step in partner 2's value (None: every point): each non-dominated point not
    # listed has partner 2's value less than this above a listed point's that is at least as good for
    # partner 1 (see _coarse).
    spacing: float | None = None
    unproven: bool = False  # some round found nothing without proving that nothing is there (a time limit)

    @property
    def optimal(self) -> bool:
        """Whether every stage was proven optimal (else the list may miss or misplace points)."""
        return not self.unproven and all(pt.status == "optimal" for pt in self.points)


@dataclass(frozen=True, eq=False)
class Choice:
    """A solution concept's portfolio: ``criterion`` is what the concept maximised.

    joint: the joint value; a partner: its value; balanced: t, the smallest gain
    as a share of the ideal gain; nash: the sum of ``lambda_p log(V_p - d_p)``.
    """

    concept: str
    point: Point
    criterion: float
    solves: int
    seconds: float


@dataclass(frozen=True, eq=False)
class Bargain:
    """The frontier with the disagreement point and the joint, Nash and balanced solutions on it."""

    parties: Parties
    problem: PortfolioProblem  # with the partners' floors, as solved
    frontier: Frontier
    solutions: dict[str, int]  # concept -> index into frontier.points


# ------------------------------------------------------------------ values ---


def partner_values(problem: PortfolioProblem, parties: Parties, start: np.ndarray) -> np.ndarray:
    """Each partner's value (P,) of the portfolio ``start`` (start year per candidate, -1: left out)."""
    return np.array([portfolio_value(problem, v, start) for v in parties.values])


def partner_spend(problem: PortfolioProblem, parties: Parties, start: np.ndarray,
                  shares: np.ndarray | None = None) -> np.ndarray:
    """What each partner (P,) pays for the portfolio over the horizon: its cost shares of the spend.

    A party that is not one of the problem's paying partners pays 0.
    """
    shares = problem.shares if shares is None else shares
    paid = shares.T @ yearly_spend(problem, start).sum(axis=1)
    return np.array([paid[problem.partners.index(p)] if p in problem.partners else 0.0 for p in parties.names])


def value_step(options: Options, values: np.ndarray) -> tuple[float, bool]:
    """The step between distinct values of one partner's portfolios, and whether it is exact.

    The coarsest ``10^-d`` (d = 0 .. :data:`FINEST_DECIMALS`) that every
    option's discounted value is a whole multiple of (to 1e-9 of its size),
    if half of it is above what a solver may miss a row by (:func:`solver_room`):
    then (q, True). Otherwise (twice the solver's room, at least
    :data:`RESOLUTION`; False): values closer than that count as one.
    """
    coef = np.asarray(values, dtype=float)[options.cand] * options.weight
    room = solver_room(coef)
    for d in range(FINEST_DECIMALS + 1):
        r = coef * 10.0**d
        if np.all(np.abs(r - np.round(r)) <= 1e-9 * np.maximum(1.0, np.abs(r))):
            if 10.0**-d / 2 > room:
                return 10.0**-d, True
            break
    return max(RESOLUTION, 2 * room), False


def solver_room(coef: np.ndarray) -> float:
    """How far a solver may leave a row of these coefficients unmet: HiGHS's and CBC's feasibility
    tolerance (1e-6) on the row scaled by its largest coefficient (measured: a row of values up to
    100 was met 5e-6 short, a twentieth of this)."""
    return SOLVER_ROOM * float(np.max(np.abs(coef), initial=1.0))


def _grid_at_least(threshold: float, q: float, strictly: bool, on_grid: bool = True) -> float:
    """The right-hand side for "a value at least (or above) ``threshold``".

    On the values' own grid q: the smallest grid value that qualifies, less half a
    step (so a solver's rounding cannot cut it off). Off every grid: ``threshold``
    plus (strictly) or less half the resolution q.
    """
    if not on_grid:
        return threshold + (0.5 if strictly else -0.5) * q
    r = threshold / q
    m = round(r)
    if abs(r - m) <= 1e-6:  # on the grid (to float rounding)
        k = m + 1 if strictly else m
    else:  # off it: the next grid value up is above it, strictly or not
        k = math.floor(r) + 1
    return (k - 0.5) * q


# -------------------------------------------------------------- the solves ---


class _Solver:
    """The warm model of one bargain: solves with extra rows, counted and timed."""

    def __init__(self, problem: PortfolioProblem, parties: Parties, config: SolverConfig):
        self.parties = parties
        self.config = replace(config, gap=0.0)  # exactness needs proven optima at every stage
        self.problem = with_floors(problem, parties, self.config)
        self.resolver = Resolver(self.problem, parties.joint, self.config, tuned_up_to=FRONTIER_TUNED_UP_TO)
        self.options = self.resolver.options
        grids = [value_step(self.options, v) for v in parties.values]
        self.step = np.array([q for q, _ in grids])
        self.on_grid = tuple(exact for _, exact in grids)
        self.combination = joint_combination(parties)
        self.unproven = False
        self.solves = 0
        self.t0 = time.perf_counter()

    def run(self, objective: np.ndarray, rows: Sequence[Row] = (), explain: bool = False,
            partner: int | None = None, start_from: np.ndarray | None = None) -> Solution | None:
        """The checked optimum with ``rows``, or None when none fits (with ``explain``: raise, naming limits).

        Maximising ``partner``'s value, the solver may stop within less than
        half a step of the bound: on the values' own grid no other value lies
        in between, so that is the optimum; off it, that is the resolution
        values are told apart at anyway. Its status then says optimal.
        """
        self.solves += 1
        exact = partner is not None
        gap = 0.49 * float(self.step[partner]) if exact else None
        try:
            sol = self.resolver.solve(objective, rows=rows, explain=explain, abs_gap=gap, start_from=start_from)
        except InfeasibleError:
            if explain:
                raise
            return None
        if exact and sol.status == "feasible" and sol.bound - sol.objective <= gap:
            sol = replace(sol, status="optimal", bound=sol.objective, gap=0.0)
        return sol

    def must(self, objective: np.ndarray, rows: Sequence[Row], partner: int | None = None,
             known: Solution | None = None) -> Solution:
        """A stage whose rows a known portfolio meets (started from it): no answer is the solver's fault."""
        sol = self.run(objective, rows, partner=partner, start_from=None if known is None else known.start)
        if sol is None:
            raise SolverError("a lexicographic stage found no portfolio although the previous stage's fits")
        return sol

    def row(self, p: int, threshold: float, strictly: bool = False, name: str = "value") -> Row:
        """Partner p's value at least (or strictly above) ``threshold``, on its value grid."""
        idx, coef = self._coef(p)
        return Row(f"{name}_{p}", idx, coef, ">=", _grid_at_least(threshold, float(self.step[p]), strictly,
                                                                   self.on_grid[p]))

    def row_below(self, p: int, threshold: float, name: str = "below") -> Row:
        """Partner p's value strictly below ``threshold``, on its value grid."""
        idx, coef = self._coef(p)
        return Row(f"{name}_{p}", idx, coef, "<=", -_grid_at_least(-threshold, float(self.step[p]), True,
                                                                    self.on_grid[p]))

    def _coef(self, p: int) -> tuple[np.ndarray, np.ndarray]:
        coef = self.parties.values[p][self.options.cand] * self.options.weight
        idx = np.flatnonzero(coef)
        return idx, coef[idx]

    def point(self, sol: Solution) -> Point:
        return Point(sol.start, partner_values(self.problem, self.parties, sol.start),
                     portfolio_value(self.problem, self.parties.joint, sol.start), sol.status, sol.shares)

    def lexicographic(self, order: Sequence[int], rows: Sequence[Row] = (), explain: bool = False,
                      start: Point | None = None, above: float | None = None) -> Point | None:
        """Maximise the partners' values in ``order``, each then held, and last the joint value.

        The last stage is left out when ``order`` holds every partner and the joint
        values are a combination of theirs: every portfolio of those values then has
        the same joint value. The first stage starts from ``start`` (a point that
        meets ``rows``); when its value for ``order[0]`` is not above ``above``, the
        answer is None.
        """
        rows = list(rows)
        sol = None
        for k, p in enumerate(order):
            if k == 0:
                sol = self.run(self.parties.values[p], rows, explain, p,
                               start_from=None if start is None else start.start)
            else:
                sol = self.must(self.parties.values[p], rows, p, sol)
            if sol is None:
                return None
            value = portfolio_value(self.problem, self.parties.values[p], sol.start)
            if k == 0 and above is not None:
                line = _grid_at_least(above, float(self.step[p]), True, self.on_grid[p])
                if value <= line:
                    # A solve stopped by its time limit proves nothing above the line unless its bound does.
                    self.unproven |= sol.status != "optimal" and sol.bound > line
                    return None
            if k == len(order) - 1 and len(order) == self.parties.count and self.combination is not None:
                return self.point(sol)
            rows.append(self.row(p, value, name="lex"))
        sol = self.must(self.parties.joint, rows, known=sol) if order else self.run(self.parties.joint, rows, explain)
        return None if sol is None else self.point(sol)

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.t0


def joint_combination(parties: Parties) -> np.ndarray | None:
    """c (P,) with ``joint = c @ values`` for every candidate (to 1e-9 of their size), or None.

    ``joint: mean`` gives c = the influence; a file's weights or ``geometric`` in general none.
    """
    c = np.linalg.lstsq(parties.values.T, parties.joint, rcond=None)[0]
    size = max(1.0, float(np.abs(parties.joint).max(initial=0.0)))
    return c if np.allclose(parties.values.T @ c, parties.joint, rtol=0.0, atol=1e-9 * size) else None


def with_floors(problem: PortfolioProblem, parties: Parties, config: SolverConfig) -> PortfolioProblem:
    """``problem`` with each partner's floors as limits (``problem`` itself when there are none).

    ``min_share_of_ideal`` s becomes the floor ``s * I_p``, I_p the partner's ideal in
    ``problem`` without any partner floor; with both, the higher floor holds.
    """
    lows = parties.min_value.copy()
    shares = ~np.isnan(parties.min_share_of_ideal)
    if shares.any():
        resolver = Resolver(problem, parties.joint, replace(config, gap=0.0))
        for p in np.flatnonzero(shares):
            ideal = resolver.solve(parties.values[p]).objective
            lows[p] = np.fmax(lows[p], parties.min_share_of_ideal[p] * ideal)
    floors = []
    for p in np.flatnonzero(~np.isnan(lows)):
        field_name = "min_value" if np.isnan(parties.min_share_of_ideal[p]) else "min_share_of_ideal"
        floors.append(PartnerFloor(parties.names[p], parties.values[p], float(lows[p]),
                                   f"perspectives.{parties.names[p]}.{field_name}"))
    return replace(problem, floors=tuple(floors)) if floors else problem


# ---------------------------------------------------------------- concepts ---


def ideal_points(problem: PortfolioProblem, parties: Parties, config: SolverConfig = SolverConfig()) -> np.ndarray:
    """Each partner's ideal I_p (P,): the most it can get from any portfolio that meets every limit.

    Raises
    ------
    InfeasibleError
        No portfolio meets every limit (the message names them, floors included).
    """
    return _ideals(_Solver(problem, parties, config))


def _ideals(s: _Solver) -> np.ndarray:
    out = np.empty(s.parties.count)
    for p in range(s.parties.count):
        sol = s.run(s.parties.values[p], explain=True)
        out[p] = portfolio_value(s.problem, s.parties.values[p], sol.start)
    return out


def pareto_frontier(problem: PortfolioProblem, parties: Parties,
                    config: SolverConfig = SolverConfig(), max_points: int | None = None) -> Frontier:
    """Every non-dominated (V_1, V_2) of two partners, each with one portfolio, none missed.

    The epsilon-constraint method with a lexicographic second stage (Haimes,
    Lasdon & Wismer 1971; Ehrgott 2005, ch. 4). With eps = -inf at first:

    1. maximise V_1 subject to V_2 >= eps: V_1*;
    2. maximise V_2 subject to V_1 >= V_1* (and V_2 >= eps): V_2*;
    3. maximise the joint value subject to V_1 >= V_1*, V_2 >= V_2* (which
       portfolio of the point is shown: the best jointly);
    4. record (V_1*, V_2*), set eps just above V_2* and repeat until infeasible.

    Each point is non-dominated: a portfolio y with V_2(y) >= V_2* >= eps has
    V_1(y) <= V_1* (stage 1), and if V_1(y) = V_1* then V_2(y) <= V_2* (stage 2).
    None is missed: the rounds' V_2* rise strictly, a_1 < ... < a_m, and a_m is
    the largest V_2 of all (round m + 1 finds nothing above it). For a
    non-dominated z, take the first round k with a_k >= V_2(z); its eps (just
    above a_(k-1)) admits z, so its V_1* >= V_1(z): point k weakly dominates z,
    hence has z's values. So the loop takes as many rounds as there are points, plus one.
    "Just above" is the next value on the partner's value grid (see
    :func:`value_step`), the steps thus exact on it. ``max_points`` stops the
    list early (``complete`` is then False; the points found are still exact).
    :func:`coarse_frontier` lists fewer points when there are too many.

    Raises
    ------
    ScoringError
        Not exactly two partners.
    InfeasibleError
        No portfolio meets every limit, floors included (the message names them).
    """
    if parties.count != 2:
        raise ScoringError(f"the exact frontier is for two partners; {parties.count} given "
                           f"({', '.join(parties.names)})")
    return _frontier(_Solver(problem, parties, config), max_points)


def coarse_frontier(problem: PortfolioProblem, parties: Parties, config: SolverConfig = SolverConfig(),
                    slices: int = NASH_SLICES, concepts: Sequence[str] = ()) -> Frontier:
    """Non-dominated points about ``slices`` steps apart in the second partner's value, and each concept's best.

    Every listed point is non-dominated; every non-dominated point not listed
    has the second partner's value less than ``spacing`` (the frontier's) above
    a listed point that is at least as good for the first; and for each of
    ``concepts`` (``joint``, ``nash``, ``balanced``), the best listed point's
    value is its best on the exact frontier (see :func:`_coarse`; which of
    equally good points is listed may differ).

    Raises
    ------
    ScoringError
        Not two partners, ``slices`` not a whole number of 1 or more, or an unknown concept.
    InfeasibleError
        No portfolio meets every limit, floors included.
    """
    if parties.count != 2:
        raise ScoringError(f"the frontier is for two partners; {parties.count} given ({', '.join(parties.names)})")
    _check_slices(slices)
    unknown = sorted(set(concepts) - set(CONCEPTS))
    if unknown:
        raise ScoringError(f"no solution concept {unknown[0]!r} (concepts: {', '.join(CONCEPTS)})")
    return _coarse(_Solver(problem, parties, config), slices, tuple(concepts))


def _check_slices(slices: int | None) -> None:
    if slices is not None and (isinstance(slices, bool) or not isinstance(slices, int | np.integer) or slices < 1):
        raise ScoringError(f"a coarse frontier needs a whole number of slices, 1 or more (got {slices!r})",
                           settings=("slices",))


def _frontier(s: _Solver, max_points: int | None = None) -> Frontier:
    points, complete = _sweep(s, [], None, max_points, explain=True)
    ideal = np.array([points[0].values[0], points[-1].values[1] if complete else np.nan])
    return Frontier(s.parties.names, tuple(points), ideal, s.step, s.on_grid, s.solves, s.seconds, complete)


def _sweep(s: _Solver, rows: Sequence[Row], spacing: float | None, max_points: int | None = None,
           explain: bool = False, start: tuple[Point, Point] | None = None) -> tuple[list[Point], bool]:
    """The epsilon-constraint rounds under ``rows``: each next point's V_2 just above the last's (``spacing``
    None) or at least ``spacing`` above it; (points, whether the rounds ran out rather than ``max_points``).

    ``start``, two frontier points (first, last): the rounds begin after the first
    and end before the last, each started from it (a warm start only: it may miss the floor).
    """
    points: list[Point] = []
    eps: list[Row] = []
    after, last = (None, None) if start is None else start
    while max_points is None or len(points) < max_points:
        if after is not None:
            v2 = float(after.values[1])
            eps = [s.row(1, v2, strictly=True, name="eps") if spacing is None else s.row(1, v2 + spacing, name="eps")]
        pt = s.lexicographic((0, 1), [*rows, *eps], explain=explain and after is None, start=last,
                             above=None if last is None else float(last.values[0]))
        if pt is None:
            return points, True
        if after is not None and pt.values[1] <= after.values[1]:  # the independent check of the step itself
            raise SolverError("the solver returned a frontier point no better for "
                              f"{s.parties.names[1]} than the previous one")
        points.append(pt)
        after = pt
    return points, False


@dataclass(frozen=True)
class _Gap:
    """Where a coarse frontier may still hide points: between listed points ``a`` and ``b`` (V_1 falling,
    V_2 rising), with V_2 in (a's, ``top``) and V_1 in (b's, a's); nothing else there is non-dominated."""

    a: int
    b: int
    top: float


def _coarse(s: _Solver, slices: int, concepts: Sequence[str]) -> Frontier:
    """A frontier of about ``slices`` steps of partner 2's value, refined until each concept's best is exact.

    The ends are the exact extreme points (each partner's ideal, then the other's
    value). Between them, the rounds step V_2 up by at least the spacing
    ``(I_2 - V_2(first)) / slices``, each round asking V_1 above the last point's,
    so every listed point is non-dominated (as in :func:`pareto_frontier`) and a
    point not listed lies in a gap: V_2 within the spacing above a listed point
    ``a`` and V_1 between the next one's and a's. The joint value (a non-negative
    combination of the partners'; otherwise the gap's bound is a solve) and the
    Nash criterion are increasing in both values, so the gap's box, cut by
    supporting lines (:func:`_lines`), bounds them. A gap whose bound beats a
    concept's best listed point (by more than :data:`BOUND_TIE`) is split: one
    round from the middle of its V_2 range, which lists a point or empties the
    upper half. Each split halves a gap or more, so this ends, with both
    concepts' values exact. The balanced solution is found by its own rounds
    (:func:`_balanced_probes`).
    """
    first = s.lexicographic((0, 1), explain=True)
    last = s.lexicographic((1, 0))
    points, spacing = [first], None
    if last.values[1] - first.values[1] > s.step[1] / 2:  # distinct values: a step or more apart
        spacing = float(last.values[1] - first.values[1]) / slices
        middle, _ = _sweep(s, [], spacing, start=(first, last))
        points += [*middle, last]
    gaps = [_Gap(k, k + 1, min(float(points[k].values[1]) + spacing, float(points[k + 1].values[1])))
            for k in range(len(points) - 1)]
    ideal = np.array([first.values[0], last.values[1]])
    cache: dict[tuple, float] = {}
    lines: dict = {}
    bounded = [c for c in concepts if c != "balanced"]
    while True:
        gaps = [g for g in gaps if g.top - points[g.a].values[1] > s.step[1]]
        front = _listed(s, points, ideal, spacing)
        best = {c: _criterion(s, c, front) for c in bounded}
        cuts = _lines(s, bounded, front, lines) if gaps else []
        todo = [g for g in gaps if any(_could_beat(_corner(s, c, points, g, cache, cuts), best[c]) for c in bounded)]
        if not todo:
            break
        for g in sorted(todo, key=lambda h: -h.a):  # from the end, so the earlier gaps' indices hold
            gaps.remove(g)
            points, gaps = _split(s, points, gaps, g)
    if "balanced" in concepts:
        points = _balanced_probes(s, points, ideal)
    return _listed(s, points, ideal, spacing)


def _balanced_probes(s: _Solver, points: list[Point], ideal: np.ndarray) -> list[Point]:
    """``points`` with the frontier points that make the balanced solution exact.

    A point whose every share of ideal gain is above t has V_2 above
    d_2 + t (I_2 - d_2) and V_1 above d_1 + t (I_1 - d_1): one round with the
    first as its floor either finds the most V_1 there is below the second
    (t is the largest: one solve) or a frontier point with both shares above
    t, which raises t. Last, as :func:`_balanced` does, the largest sum of
    values with every share at least t (non-dominated: a dominating point meets
    the floors with a larger sum), the tie-break of :func:`balanced_index`.
    """
    parties = s.parties
    gain = _gains(parties, ideal, "balanced")
    live = np.flatnonzero(gain > 0)
    t = np.inf
    while live.size:
        front = _listed(s, points, ideal, None)
        t = _ratio(front.points[balanced_index(front, parties)].values, parties, gain)
        if live.size < 2:  # one partner with a gain: its ideal, t = 1, is listed
            break
        floor = parties.disagreement + t * gain
        pt = s.lexicographic((0, 1), [s.row(1, float(floor[1]), strictly=True, name="ratio")],
                             above=float(floor[0]))
        if pt is None:
            break
        points = sorted([*points, pt], key=lambda q: -q.values[0])
    rows = [s.row(int(p), float(parties.disagreement[p] + t * gain[p]), name="ratio") for p in live] \
        if np.isfinite(t) else []
    pt = _largest_sum(s, rows)
    if any(np.allclose(pt.values, q.values, rtol=0, atol=1e-9) for q in points):
        return points
    return sorted([*points, pt], key=lambda q: -q.values[0])


def _above(s: _Solver, pt: Point, name: str = "cap") -> Row:
    """Partner 1's value strictly above ``pt``'s: with V_2 held below pt's by its being non-dominated."""
    return s.row(0, float(pt.values[0]), strictly=True, name=name)


def _split(s: _Solver, points: list[Point], gaps: list[_Gap], g: _Gap) -> tuple[list[Point], list[_Gap]]:
    """One round in the upper half of gap ``g``: a new point (and the gaps either side of it) or a lower top."""
    a, b = points[g.a], points[g.b]
    middle = (float(a.values[1]) + g.top) / 2
    pt = s.lexicographic((0, 1), [s.row(1, middle, name="split")], start=b, above=float(b.values[0]))
    if pt is None:
        return points, [*gaps, replace(g, top=middle)]
    points = [*points[:g.b], pt, *points[g.b:]]
    shift = [replace(h, a=h.a + (h.a >= g.b), b=h.b + (h.b >= g.b)) for h in gaps]
    return points, [*shift, _Gap(g.a, g.b, middle), _Gap(g.b, g.b + 1, min(g.top, float(b.values[1])))]


def _listed(s: _Solver, points: list[Point], ideal: np.ndarray, spacing: float | None) -> Frontier:
    return Frontier(s.parties.names, tuple(points), ideal, s.step, s.on_grid, s.solves, s.seconds, True, spacing,
                    s.unproven)


def _criterion(s: _Solver, concept: str, front: Frontier) -> float:
    """The joint value, or the Nash criterion, of the best listed point (-inf when none gives both a gain)."""
    if concept == "joint":
        return float(max(pt.joint for pt in front.points))
    return float(max(nash_criterion(pt.values, s.parties) for pt in front.points))


def _support(s: _Solver, w: np.ndarray, pt: Point) -> tuple[np.ndarray, float, Point]:
    """(w, W, the optimum) with ``w . V <= W`` for every portfolio: one solve of the weighted sum, started
    from ``pt``."""
    w = w / w.max()  # a row of the same size as the partners' values
    objective = w @ s.parties.values
    sol = s.run(objective, start_from=pt.start)
    if sol is None:
        raise SolverError("a weighted sum of the partners' values found no portfolio although one fits")
    return w, max(float(sol.objective), float(sol.bound)), s.point(sol)


def _lines(s: _Solver, concepts: Sequence[str], front: Frontier, known: dict) -> list[tuple[np.ndarray, float]]:
    """Supporting lines that cut the gaps' boxes, each solved once (``known`` keeps them).

    Joint (a positive combination c): c . V is at most the joint optimum. Nash: the criterion's
    gradient at its best listed point (redone when that point changes); when the
    point is itself the weighted sum's optimum, the line proves it optimal, the
    criterion being concave. Without them, a box's corner would split nearly
    every gap near a concept's best point, where the criterion is flat.
    """
    parties = s.parties
    wanted: list[tuple] = []
    c = s.combination
    if "joint" in concepts and c is not None and (c > 0).all():
        wanted.append(("joint", c, front.points[joint_index(front)]))
    crit = np.array([nash_criterion(pt.values, parties) for pt in front.points])
    if "nash" in concepts and np.isfinite(crit).any():
        pt = front.points[_best(crit, front)]
        wanted.append((("nash", *pt.values), parties.influence / (pt.values - parties.disagreement), pt))
    for key, w, pt in wanted:
        if key not in known:
            known[key] = _support(s, w, pt)[:2]
    return [known[key] for key, _, _ in wanted]


def _box_max(f, interior, low: np.ndarray, high: np.ndarray, lines) -> float:
    """An upper bound of ``f`` (increasing in both values) over the box [low, high] cut by each line.

    On a line's segment within the box ``f`` is unimodal: its largest value is
    at an end or at ``interior(w, W)``'s first values (clipped to the segment).
    """
    best = f(high)
    for w, top in lines:
        if w @ high <= top:
            continue
        if w @ low > top:
            return -np.inf
        a = max(low[0], (top - w[1] * high[1]) / w[0])
        b = min(high[0], (top - w[1] * low[1]) / w[0])
        ends = [a, b, *(min(max(v, a), b) for v in interior(w, top))]
        best = min(best, max(f(np.array([v, (top - w[0] * v) / w[1]])) for v in ends))
    return best


def _no_interior(w: np.ndarray, top: float) -> list[float]:
    return []


def _corner(s: _Solver, concept: str, points: list[Point], g: _Gap, cache: dict[tuple, float],
            lines=()) -> float:
    """An upper bound of the joint value or the Nash criterion over what gap ``g`` may hide."""
    parties = s.parties
    low = np.array([points[g.b].values[0], points[g.a].values[1]])
    high = np.array([points[g.a].values[0], g.top])
    if concept == "nash":
        return _box_max(lambda v: nash_criterion(v, parties), partial(_stationary, parties), low, high, lines)
    c = s.combination
    if c is not None and (c >= 0).all():
        return _box_max(lambda v: float(c @ v), _no_interior, low, high, lines)
    # No bound from the partners' values: ask the solver for the gap's best joint value.
    key = (float(low[1]), float(low[0]), g.top)
    if key not in cache:
        rows = [s.row(1, float(low[1]), strictly=True, name="gap"), s.row_below(1, g.top), _above(s, points[g.b])]
        sol = s.run(parties.joint, rows)
        cache[key] = -np.inf if sol is None else max(float(sol.objective), float(sol.bound))
    return cache[key]


def _stationary(parties: Parties, w: np.ndarray, top: float) -> list[float]:
    """Where the Nash criterion is largest on the line w . V = W: w_p (V_p - d_p) = lambda_p (W - w . d)."""
    d = parties.disagreement
    return [float(d[0] + parties.influence[0] * (top - w @ d) / w[0])]


def _could_beat(bound: float, best: float) -> bool:
    """Whether a gap's bound is above its concept's best (by more than :data:`BOUND_TIE` of it).

    A hidden point that only ties the best is not looked for: the concept's value
    is exact, but which of equally good points is shown may differ from the exact
    frontier's choice.
    """
    if bound == -np.inf:
        return False
    if best == -np.inf:
        return True
    return bound > best + BOUND_TIE * max(1.0, abs(best))


def _gains(parties: Parties, ideal: np.ndarray, concept: str) -> np.ndarray:
    """I_p - d_p; refused where a partner's ideal is below its disagreement value (no deal it accepts)."""
    gain = ideal - parties.disagreement
    short = np.flatnonzero(gain < 0)
    if short.size:
        p = int(short[0])
        raise ScoringError(f"no {concept} solution: {parties.names[p]}'s best portfolio is worth "
                           f"{ideal[p]:g}, below its disagreement value {parties.disagreement[p]:g}")
    return gain


def _ratio(values: np.ndarray, parties: Parties, gain: np.ndarray) -> float:
    """min over partners with something to gain of (V_p - d_p) / (I_p - d_p) (inf when none has)."""
    live = gain > 0
    return float(np.min((values[live] - parties.disagreement[live]) / gain[live], initial=np.inf))


def nash_index(frontier: Frontier, parties: Parties) -> int:
    """The frontier point maximising sum of lambda_p log(V_p - d_p) over V_p > d_p (ties: best jointly).

    On a finite set the Nash maximiser is non-dominated: if y dominated it,
    every gain of y would be at least as large and one larger, so its product
    would be larger. So the best frontier point is the Nash solution.

    Raises
    ------
    ScoringError
        No frontier point gives every partner more than its disagreement value.
    """
    crit = np.array([nash_criterion(pt.values, parties) for pt in frontier.points])
    if not np.isfinite(crit).any():
        raise ScoringError("no Nash solution: no portfolio gives every partner more than its disagreement value "
                           + ", ".join(f"{p} {d:g}" for p, d in zip(parties.names, parties.disagreement)))
    return _best(crit, frontier)


def nash_criterion(values: np.ndarray, parties: Parties) -> float:
    """sum of lambda_p log(V_p - d_p); -inf when some partner gains nothing."""
    gain = values - parties.disagreement
    if (gain <= 0).any():
        return -np.inf
    return float(np.sum(parties.influence * np.log(gain)))


def balanced_index(frontier: Frontier, parties: Parties) -> int:
    """The frontier point with the largest smallest share of ideal gain, then the largest sum of values.

    max_x min_p r_p(x) is reached on the frontier, since a portfolio is weakly
    dominated by a frontier point whose ratios are each at least as large; among
    the ties, the largest sum of values is non-dominated (a dominating point has
    ratios as large and a larger sum), so it is a frontier point too.
    """
    gain = _gains(parties, frontier.ideal, "balanced")
    t = np.array([_ratio(pt.values, parties, gain) for pt in frontier.points])
    top = t >= t.max() - TIE * max(1.0, abs(t.max())) if np.isfinite(t.max()) else np.ones(len(t), dtype=bool)
    total = np.array([pt.values.sum() if top[k] else -np.inf for k, pt in enumerate(frontier.points)])
    return _best(total, frontier)


def joint_index(frontier: Frontier) -> int:
    """The frontier point with the largest joint value (ties: the first)."""
    return int(np.argmax([pt.joint for pt in frontier.points]))


def _best(crit: np.ndarray, frontier: Frontier) -> int:
    """argmax of ``crit`` with ties (to :data:`TIE`) broken by the joint value, then by order."""
    top = float(np.max(crit))
    tied = np.flatnonzero(crit >= top - TIE * max(1.0, abs(top)))
    return int(tied[np.argmax([frontier.points[k].joint for k in tied])])


def bargain(problem: PortfolioProblem, parties: Parties, config: SolverConfig = SolverConfig(),
            slices: int | None = None) -> Bargain:
    """The exact frontier of two partners with the joint, Nash and balanced solutions on it.

    With ``slices``, a coarse frontier (see :func:`_coarse`) refined until the
    three solutions are exact: the same solutions in far fewer solves when the
    exact frontier has many points.

    ``solutions["joint"]`` is the frontier point of the largest joint value;
    when the joint values are an influence-weighted sum of the partners', that
    is the joint optimum itself (a positive weighted sum's maximiser is non-dominated).

    Raises
    ------
    ScoringError
        Not two partners, or a partner whose ideal is below its disagreement
        value, or no portfolio gives both more than their disagreement values.
    InfeasibleError
        No portfolio meets every limit, floors included.
    """
    if parties.count != 2:
        raise ScoringError(f"bargaining over the exact frontier needs two partners; {parties.count} given "
                           f"({', '.join(parties.names)})")
    _check_slices(slices)
    s = _Solver(problem, parties, config)
    front = _frontier(s) if slices is None else _coarse(s, slices, CONCEPTS)
    solutions = {"joint": joint_index(front), "nash": nash_index(front, parties),
                 "balanced": balanced_index(front, parties)}
    return Bargain(parties, s.problem, front, solutions)


def solve_objective(problem: PortfolioProblem, parties: Parties, objective: str,
                    config: SolverConfig = SolverConfig()) -> Choice:
    """The portfolio one solution concept picks: ``joint``, ``nash``, ``balanced`` or a partner id.

    Nash for three or more partners is not available (the command says so);
    joint and balanced are exact for any number (see :func:`_balanced`).

    Raises
    ------
    ScoringError
        An unknown objective or partner, Nash for 3+ partners, or a concept with no solution.
    InfeasibleError
        No portfolio meets every limit, floors included.
    """
    if objective not in CONCEPTS:
        p = parties.index(objective)
        s = _Solver(problem, parties, config)
        order = [p, *(q for q in range(parties.count) if q != p)]
        pt = s.lexicographic(order, explain=True)
        return Choice(objective, pt, float(pt.values[p]), s.solves, s.seconds)
    if objective == "nash" and parties.count != 2:
        raise ScoringError(f"the Nash solution is available for two partners only ({parties.count} given: "
                           f"{', '.join(parties.names)}); use balanced or joint", settings=("objective",))
    s = _Solver(problem, parties, config)
    if objective == "joint":
        pt = s.lexicographic((), explain=True)
        return Choice("joint", pt, pt.joint, s.solves, s.seconds)
    if objective == "nash":
        front = _coarse(s, NASH_SLICES, ("nash",))
        pt = front.points[nash_index(front, parties)]
        return Choice("nash", pt, nash_criterion(pt.values, parties), s.solves, s.seconds)
    pt, t = _balanced(s)
    return Choice("balanced", pt, t, s.solves, s.seconds)


def _balanced(s: _Solver) -> tuple[Point, float]:
    """Kalai-Smorodinsky in max-min form, exactly, for any number of partners.

    Start from the portfolio of the largest sum of values, t its smallest
    ratio. Then, while some portfolio has every ratio above t (each partner's
    value at least the next grid value above d_p + t (I_p - d_p)), take the one
    of the largest sum and t its smallest ratio: t strictly rises over a finite
    set, so this ends, at the largest t. Last, with every ratio at least t, the
    largest sum of values (non-dominated), and the joint value among its ties.
    """
    parties = s.parties
    ideal = _ideals(s)
    gain = _gains(parties, ideal, "balanced")
    total = parties.values.sum(axis=0)
    live = np.flatnonzero(gain > 0)

    def floors(t: float, strictly: bool) -> list[Row]:
        return [s.row(int(p), float(parties.disagreement[p] + t * gain[p]), strictly, "ratio") for p in live]

    sol = s.run(total)
    t = _ratio(partner_values(s.problem, parties, sol.start), parties, gain)
    better = None
    while np.isfinite(t):
        found = s.run(total, floors(t, strictly=True))
        if found is None:
            break
        better = found
        t = _ratio(partner_values(s.problem, parties, better.start), parties, gain)
    rows = floors(t, strictly=False) if np.isfinite(t) else []
    return _largest_sum(s, rows, known=sol if better is None else better), t  # started from the last reaching t


def _largest_sum(s: _Solver, rows: list[Row], known: Solution | None = None) -> Point:
    """The largest sum of the partners' values under ``rows``, then (the sum held) the largest joint value;
    that last stage is left out when the joint values are a combination of the partners'."""
    total = s.parties.values.sum(axis=0)
    best = s.must(total, rows, known=known)
    if s.combination is not None:
        return s.point(best)
    held = [*rows, Row("sum", *_total_row(s, total, portfolio_value(s.problem, total, best.start)))]
    return s.point(s.must(s.parties.joint, held, known=best))


def _total_row(s: _Solver, total: np.ndarray, value: float) -> tuple[np.ndarray, np.ndarray, str, float]:
    """The sum of values held at ``value`` (on the partners' finest grid)."""
    coef = total[s.options.cand] * s.options.weight
    idx = np.flatnonzero(coef)
    q = float(np.min(s.step)) if all(s.on_grid) else RESOLUTION
    return idx, coef[idx], ">=", _grid_at_least(value, q, strictly=False, on_grid=all(s.on_grid))
