"""The exact portfolio integer program: build it with PuLP, solve it, report honestly.

Pure: arrays in (a :class:`~scorer.portfolio.PortfolioProblem` and the
candidates' values), a :class:`Solution` out. One binary per start option;
each named limit of :mod:`scorer.portfolio` becomes one or more rows named
after it, so a row name leads back to the user's limit.

A built :class:`PortfolioModel` can be re-solved with another objective or
with options fixed on or off without being rebuilt (the explanations and the
robustness analysis re-solve it many times).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pulp

from scorer.errors import InfeasibleError, SolverError
from scorer.isolated import LinearModel, satisfies, solve_in_child
from scorer.portfolio import Limit, Options, PortfolioProblem, Row, named_limits, option_count, start_options
from scorer.relaxation import budget_bound
from scorer.warmstart import greedy_start

SOLVERS = ("highs", "cbc")
# Gaps at or below this count as proven optimal (solver tolerances are ~1e-9..1e-6).
OPTIMAL_GAP = 1e-6
# A binary further than this from 0 or 1 is fractional, so no portfolio (ten times the
# integrality tolerance of HiGHS and CBC, 1e-6 in both).
INTEGRAL = 1e-5
# A model whose last solve took less than this re-solves without the Ctrl-C thread, which
# costs ~10 ms a solve (measured on the default scenario); such a solve ends soon anyway.
QUICK_SOLVE = 0.25
# From this many start options a HiGHS solve runs in a child process that is killed at its
# deadline (see scorer.isolated): in-process, a 130,000-option model overran a 60 s limit by
# 12 minutes. Below it the child's start-up (~0.1-0.7 s) would cost more than it protects.
ISOLATE_OPTIONS = 20_000
# HiGHS settings for isolated solves, measured on 10,000 candidates x 15 years: with presolve
# the first 30 s pass without any portfolio; without it the first comes at 2 s and one within
# 0.01 % of the bound at 18 s.
LARGE_OPTIONS: dict[str, object] = {"presolve": "off"}


@dataclass(frozen=True)
class SolverConfig:
    """How to solve: which solver, and the limits that are always passed to it."""

    name: str = "highs"
    time_limit: float = 60.0
    gap: float = 0.0
    seed: int = 42


@dataclass(frozen=True, eq=False)
class Outcome:
    """What one solve returned, before any interpretation of the portfolio."""

    status: str  # optimal | feasible | infeasible
    objective: float
    bound: float
    gap: float
    x: np.ndarray  # (K,) 0/1 option choices (empty when infeasible)
    seconds: float


@dataclass(frozen=True, eq=False)
class Solution:
    """An optimised portfolio that passed the independent check.

    ``start[i]`` is candidate i's start year, or -1 when it is left out.
    """

    problem: PortfolioProblem
    values: np.ndarray
    start: np.ndarray
    status: str
    objective: float
    bound: float
    gap: float
    build_seconds: float
    solve_seconds: float
    model: PortfolioModel | None = field(default=None, repr=False)

    @property
    def selected(self) -> np.ndarray:
        return self.start >= 0


class PortfolioModel:
    """A PuLP model of a portfolio problem, kept for re-solving.

    Parameters
    ----------
    problem : PortfolioProblem
    values : array (n,)
        Each candidate's value (0-100).
    widen : bool
        Build the analysis model: every start inside the horizon, windows
        and forbidden candidates as limits (see :func:`start_options`).
    elastic : collection of str
        Keys of limits that may be violated: each gets a violation variable.
        When given, the objective minimises the weighted violation instead of
        maximising value.
    dropped : collection of str
        Keys of limits left out of the model altogether.
    """

    def __init__(self, problem: PortfolioProblem, values: np.ndarray, *, widen: bool = False,
                 elastic: Collection[str] = (), dropped: Collection[str] = ()):
        self.problem = problem
        self.values = np.asarray(values, dtype=float)
        self.options: Options = start_options(problem, widen=widen)
        self.limits: list[Limit] = [lim for lim in named_limits(problem, self.options, widen) if lim.key not in dropped]
        self.prob = pulp.LpProblem("coprod_portfolio", pulp.LpMaximize if not elastic else pulp.LpMinimize)
        o, p = self.options, problem
        labels = [f"{p.ids[c]}_{s}" for c, s in zip(o.cand.tolist(), o.start.tolist())]
        made = self.prob.add_variable_dict("x_%s", labels, cat="Binary")
        self.x = [made[label] for label in labels]
        self._ids = np.array([v.id for v in self.x], dtype=np.uint64)
        # Mirrors of the PuLP model as arrays, for solves that bypass PuLP (see linear()).
        self._lower, self._upper = np.zeros(o.k), np.ones(o.k)
        self._cost = np.zeros(o.k)
        self._rows: list[Row] = []  # as solved: conditioned (see conditioned())
        self._factor: dict[str, float] = {}  # row name -> its factor, where not 1
        self._structure()
        self.violation: dict[str, pulp.LpVariable] = {}
        self._last_seconds = math.inf  # no solve yet: the first one may be long
        for lim in self.limits:
            self._add_limit(lim, lim.key in elastic)
        if elastic:
            self.prob.setObjective(pulp.lpSum_vars_coefs(
                (v, violation_cost(self.limit(k))) for k, v in self.violation.items()))
        else:
            self.set_values(self.values)

    def _structure(self) -> None:
        """Each candidate at most once (not a user limit: it defines the model)."""
        o = self.options
        self._once_rows = 0
        for i in range(self.problem.n):
            sl = o.of(i)
            if sl.stop > sl.start:
                self.prob.addConstraint(pulp.lpSum_vars(self.x[sl]) <= 1, f"once_{i}")
                self._once_rows += 1

    def _add_limit(self, lim: Limit, elastic: bool) -> None:
        slack = None
        if elastic:
            upper = None if lim.unit not in ("rule",) else max(1.0, float(sum(len(r.idx) for r in lim.rows)))
            slack = self.prob.add_variable(f"viol_{lim.key}", 0, upper)
            self.violation[lim.key] = slack
        for row in lim.rows:
            row = self._conditioned(row)
            expr = self.affine(row.idx, row.coef)
            if slack is not None:  # in the limit's own units, whatever the row's factor
                factor = self.factor(row.name)
                expr += pulp.lpSum_vars_coefs([(slack, -factor if row.sense == "<=" else factor)])
            self.prob.addConstraint(expr <= row.rhs if row.sense == "<=" else expr >= row.rhs, row.name)
            self._rows.append(row)

    def add_row(self, row: Row) -> None:
        """Add a row the limits do not have (a no-good cut, an exclusion)."""
        row = self._conditioned(row)
        expr = self.affine(row.idx, row.coef)
        self.prob.addConstraint(expr <= row.rhs if row.sense == "<=" else expr >= row.rhs, row.name)
        self._rows.append(row)

    def _conditioned(self, row: Row) -> Row:
        row, factor = conditioned(row)
        if factor != 1.0:
            self._factor[row.name] = factor
        return row

    def factor(self, name: str) -> float:
        """What the row called ``name`` was multiplied by in the model (see :func:`conditioned`); its
        right-hand side in the user's units times this is its bound in the model."""
        return self._factor.get(name, 1.0)

    def affine(self, idx: np.ndarray, coef: np.ndarray) -> pulp.LpAffineExpression:
        """sum(coef * x[idx]) from arrays in one batch call.

        This is the batch path of :func:`pulp.lpSum_vars_coefs` without its
        per-term Python checks (the arrays are ours, finite, of one model): it
        keeps the 5,000-candidate build well under 0.3 s. Falls back to the
        public function if PuLP's internals change.
        """
        expr = pulp.LpAffineExpression.empty()
        if len(idx) == 0:
            return expr
        coef = np.ascontiguousarray(coef, dtype=np.float64)
        try:
            expr._expr.add_term_ids_coeffs(self.x[0]._var.containing_model(), self._ids[idx], coef)
        except AttributeError:  # pragma: no cover - other PuLP 4 releases
            expr = pulp.lpSum_vars_coefs([(self.x[j], c) for j, c in zip(idx.tolist(), coef.tolist())])
        return expr

    def limit(self, key: str) -> Limit:
        """The limit with this key."""
        return next(lim for lim in self.limits if lim.key == key)

    def set_values(self, values: np.ndarray) -> None:
        """Replace the objective by the discounted values (no rebuild)."""
        values = np.asarray(values, dtype=float)
        if not np.isfinite(values).all():
            raise SolverError("a candidate's value is not a finite number")
        coefs = values[self.options.cand] * self.options.weight
        self.prob.setObjective(self.affine(np.arange(self.options.k), coefs))
        self._cost = coefs

    def fix(self, on: Sequence[int] = (), off: Sequence[int] = ()) -> None:
        """Fix options on (=1) or off (=0); :meth:`unfix` restores them."""
        for j in on:
            self.x[j].bounds(1, 1)
        for j in off:
            self.x[j].bounds(0, 0)
        self._lower[list(on)], self._upper[list(on)] = 1.0, 1.0
        self._lower[list(off)], self._upper[list(off)] = 0.0, 0.0

    def unfix(self, options: Sequence[int]) -> None:
        for j in options:
            self.x[j].bounds(0, 1)
        self._lower[list(options)], self._upper[list(options)] = 0.0, 1.0

    @property
    def rows(self) -> list[Row]:
        """The rows after the "once" rows, in model order: each limit's, then those of :meth:`add_row`."""
        return list(self._rows)

    @property
    def choice_rows(self) -> int:
        """How many rows come first as "one start per candidate" (see :attr:`LinearModel.choice_rows`)."""
        return self._once_rows

    def linear(self) -> LinearModel:
        """The model as arrays, columns in :attr:`x` order and rows in PuLP's order.

        Only for the value-maximising model (an elastic one has extra columns).
        """
        if self.violation or len(self.prob.constraints()) != len(self._rows) + self._once_rows:
            raise SolverError("the model has rows or columns its arrays do not mirror")  # pragma: no cover
        o = self.options
        counts = np.diff(o.first)
        once = counts > 0
        sizes = np.concatenate([counts[once], [len(r.idx) for r in self._rows]]).astype(np.int64)
        index = np.concatenate([np.arange(o.k)] + [np.asarray(r.idx) for r in self._rows]).astype(np.int32)
        value = np.concatenate([np.ones(o.k)] + [np.asarray(r.coef, dtype=float) for r in self._rows])
        rhs = np.array([r.rhs for r in self._rows], dtype=float)
        upper_row = np.array([r.sense == "<=" for r in self._rows], dtype=bool)
        n_once = int(once.sum())
        return LinearModel(
            cost=self._cost.copy(), col_lower=self._lower.copy(), col_upper=self._upper.copy(),
            integer=np.ones(o.k, dtype=bool),
            row_lower=np.concatenate([np.full(n_once, -np.inf), np.where(upper_row, -np.inf, rhs)]),
            row_upper=np.concatenate([np.ones(n_once), np.where(upper_row, rhs, np.inf)]),
            start=np.concatenate([[0], np.cumsum(sizes)]).astype(np.int32), index=index, value=value,
            maximize=self.prob.sense == pulp.LpMaximize, choice_rows=n_once)

    def solve(self, config: SolverConfig) -> Outcome:
        """Solve with ``config`` and classify the answer (never calls an unproven answer optimal)."""
        if config.name == "highs" and not self.violation and isolates(self.options.k):
            return self._solve_isolated(config)
        solver = make_solver(config, interruptible=self._last_seconds >= QUICK_SOLVE)
        sense = 1.0 if self.prob.sense == pulp.LpMaximize else -1.0
        try:
            stats = self.prob.solve(solver)
        except pulp.PulpSolverError as exc:
            raise SolverError(f"the {config.name} solver failed: {exc}") from None
        self._last_seconds = stats.time
        x = np.array([v.varValue or 0.0 for v in self.x])
        # CBC out of time just after its root LP hands back that LP's fractional answer as
        # "Optimal" (measured: 100 candidates at 0.03 s, half the runs): that is no portfolio.
        fractional = stats.has_solution and np.abs(x - np.round(x)).max(initial=0.0) > INTEGRAL
        if not stats.has_solution or fractional:
            return _no_portfolio(stats, config, fractional)
        objective = float(stats.objective if stats.objective is not None else 0.0)
        bound = _bound(stats, objective, config, sense)
        return classified(objective, bound, (x > 0.5).astype(np.int8), stats.time, sense)


    def _solve_isolated(self, config: SolverConfig) -> Outcome:
        """Solve in a child process that is killed at the deadline (see :mod:`scorer.isolated`)."""
        return solve_large(self.linear(), config)


def _no_portfolio(stats, config: SolverConfig, fractional: bool) -> Outcome:
    """The outcome of a solve that returned no portfolio: infeasible if proven, else a SolverError.

    CBC stopped by its time limit inside the root LP says "Linear relaxation
    infeasible" (measured: 30 candidates at 0.05 s, one run in four): when CBC
    used up its time, that is no proof, only a lack of time.
    """
    cut_short = config.name == "cbc" and stats.time >= config.time_limit
    if stats.status == pulp.LpSolveStatus.Infeasible and not cut_short and not fractional:
        return Outcome("infeasible", math.nan, math.nan, math.nan, np.zeros(0), stats.time)
    why = "TimeLimit" if cut_short or fractional else stats.status.name
    raise SolverError(
        f"the {config.name} solver found no portfolio ({why}) within the "
        f"time limit of {config.time_limit:g} s; raise solver.time_limit or --time-limit"
    )


def solve_large(linear: LinearModel, config: SolverConfig, start: np.ndarray | None = None) -> Outcome:
    """A large model's solve: a child process killed at the deadline, from a start and a quick bound.

    ``start`` (column values) is used when it meets every row, else the greedy
    start; the time limit covers finding the start and the bound too.
    ``Outcome.x`` is in ``linear``'s column order.
    """
    t0 = time.monotonic()
    options = {"mip_rel_gap": float(config.gap), "random_seed": int(config.seed), **LARGE_OPTIONS}
    if start is None or not satisfies(linear, start):
        start = greedy_start(linear)
    bound = budget_bound(linear)
    left = max(float(config.time_limit) - (time.monotonic() - t0), 0.0)
    return child_outcome(solve_in_child(linear, options, left, start, bound), config)


def conditioned(row: Row) -> tuple[Row, float]:
    """``row`` multiplied by a power of two that brings its largest coefficient into [1, 2), and that factor.

    Only rows whose coefficients are all below 1 change (money in tiny
    units); counts and ordinary money rows keep factor 1, so their models stay
    exactly as they were. A solver meets a row to within an absolute
    tolerance (HiGHS and CBC: 1e-7), which on costs of 1e-9 lets a portfolio
    33 % over its budget through; scaled, the tolerance is relative to the
    row's size. A power of two changes no digit of what the row says.
    """
    top = float(np.max(np.abs(row.coef), initial=0.0))
    if not 0.0 < top < 1.0:
        return row, 1.0
    factor = math.ldexp(1.0, 1 - math.frexp(top)[1])
    if not math.isfinite(row.rhs * factor) and math.isfinite(row.rhs):
        return row, 1.0  # a bound this far beyond every coefficient can never bind anyway
    return replace(row, coef=np.asarray(row.coef, dtype=float) * factor, rhs=row.rhs * factor), factor


def isolates(k: int) -> bool:
    """Whether a HiGHS model with ``k`` start options is solved in a child process."""
    return k >= max(ISOLATE_OPTIONS, 1)  # an empty model is decided in-process (no columns, no child)


def sweep_note(problem: PortfolioProblem, config: SolverConfig, solves: int) -> str | None:
    """What a sweep of at least ``solves`` re-solves may cost when each runs in a child process; else None."""
    k = option_count(problem)
    if not isolates(k):
        return None
    return (f"at least {solves:,} re-solves of a model with {k:,} start options, each in a child process with "
            f"the {config.time_limit:g} s time limit: up to {duration_text(solves * config.time_limit)}; "
            "Ctrl-C stops it")


def duration_text(seconds: float) -> str:
    """``45 s``, ``12 minutes`` or ``3.5 hours``."""
    if seconds < 120:
        return f"{seconds:g} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:,.1f} hours"


def child_outcome(found, config: SolverConfig) -> Outcome:
    """Classify a :class:`~scorer.isolated.ChildResult` as :meth:`PortfolioModel.solve` does its own."""
    if found.status in ("kInfeasible", "kUnboundedOrInfeasible"):
        return Outcome("infeasible", math.nan, math.nan, math.nan, np.zeros(0), found.seconds)
    if len(found.x) == 0 or not math.isfinite(found.objective):
        stopped = "stopped at the deadline" if found.status == "deadline" else found.status[1:]
        raise SolverError(
            f"the {config.name} solver found no portfolio ({stopped}) within the time limit of "
            f"{config.time_limit:g} s; raise solver.time_limit or --time-limit")
    bound = found.bound if math.isfinite(found.bound) else math.inf
    x = (np.asarray(found.x) > 0.5).astype(np.int8)
    return classified(found.objective, bound, x, found.seconds)


def scenario_config(scenario: Any, name: str | None = None, time_limit: float | None = None,
                    gap: float | None = None) -> SolverConfig:
    """The scenario's ``solver`` settings and seed, with command-line overrides where given."""
    s = scenario.solver
    return SolverConfig(name or s.name, time_limit or s.time_limit, s.gap if gap is None else gap, scenario.seed)


def classified(objective: float, bound: float, x: np.ndarray, seconds: float, sense: float = 1.0) -> Outcome:
    """An outcome with an honest status: ``optimal`` only when the bound proves it.

    Every solve of every solver ends here (PuLP's HiGHS and CBC, the live
    HiGHS of :mod:`scorer.resolve`, the child process of :mod:`scorer.isolated`).

    Parameters
    ----------
    objective : float
        The incumbent's objective.
    bound : float
        The best proven bound in the problem's sense (``inf``: none). A
        "bound" on the wrong side of the incumbent bounds nothing (CBC stopped
        on time mid-way through its cuts reports such figures, e.g. -4.8e12
        against an incumbent of 97): it counts as none.
    x : array (K,)
        0/1 option choices, in :attr:`PortfolioModel.x` order.
    seconds : float
        Solve time.
    sense : float
        1 for a maximisation, -1 for a minimisation.
    """
    if math.isfinite(bound) and sense * (bound - objective) < -OPTIMAL_GAP * max(abs(objective), 1.0):
        bound = math.inf * sense
    gap = abs(bound - objective) / max(abs(objective), 1e-9) if math.isfinite(bound) else math.inf
    if gap <= OPTIMAL_GAP or abs(bound - objective) <= 1e-9:
        return Outcome("optimal", objective, objective, 0.0, x, seconds)
    return Outcome("feasible", objective, bound, gap, x, seconds)


def _bound(stats, objective: float, config: SolverConfig, sense: float) -> float:
    """The best proven bound, in the problem's sense.

    PuLP reads CBC's bound off its log (rounded to about 8 digits): none at
    all when CBC ends "Optimal", the incumbent itself when it stops on the
    gap. What CBC proves by stopping on its own is its stopping rule: done,
    or (best possible - incumbent) < max(1e-10, gap x the larger of the two),
    that is a bound within gap / (1 - gap) of the incumbent. Stopped by a
    limit, the log's figure is all there is (:func:`classified` refuses one
    on the wrong side of the incumbent).
    """
    status = pulp.LpSolveStatus
    if config.name == "cbc" and stats.status == status.Optimal:
        return objective
    if config.name == "cbc" and stats.status == status.GapLimit:
        return objective + sense * max(1e-10, config.gap / (1.0 - config.gap) * abs(objective))
    if stats.best_bound is None or not math.isfinite(stats.best_bound):
        return objective if stats.status == pulp.LpSolveStatus.Optimal and not stats.is_mip else math.inf * sense
    return float(stats.best_bound)


def run_interruptible(highs) -> None:
    """Run HiGHS in a thread so that Ctrl-C cancels the solve within a fraction of a second.

    A plain ``run()`` holds the main thread until HiGHS returns, which delays
    KeyboardInterrupt by up to the time limit; HiGHS releases the GIL while it works.
    """
    done = threading.Event()

    def run() -> None:
        try:
            highs.run()
        finally:
            done.set()

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    try:
        while not done.wait(0.1):
            pass
    except KeyboardInterrupt:
        highs.cancelSolve()
        worker.join()
        raise


class _InterruptibleHiGHS(pulp.HiGHS):
    """PuLP's in-process HiGHS, with Ctrl-C stopping a solve in the main thread at once."""

    def callSolver(self, lp: pulp.LpProblem) -> None:
        if threading.current_thread() is not threading.main_thread():
            return super().callSolver(lp)  # no signal arrives here
        lp.solverModel.HandleUserInterrupt = True
        run_interruptible(lp.solverModel)


def make_solver(config: SolverConfig, interruptible: bool = True) -> pulp.LpSolver:
    """A solver object with time limit, gap and seed always set.

    ``interruptible``: in-process HiGHS answers Ctrl-C at once (see
    :class:`_InterruptibleHiGHS`); otherwise only when the solve ends.
    """
    if config.name == "highs":
        highs = _InterruptibleHiGHS if interruptible else pulp.HiGHS
        return highs(msg=False, timeLimit=config.time_limit, gapRel=config.gap, random_seed=config.seed)
    if config.name == "cbc":
        solver = pulp.COIN_CMD(msg=False, timeLimit=config.time_limit, gapRel=config.gap, randomSeed=config.seed)
        if not solver.available():
            raise SolverError('the CBC solver is not installed; install it with: pip install "pulp[cbc]>=4.2,<5"')
        return solver
    raise SolverError(f"unknown solver '{config.name}' (choose from {', '.join(SOLVERS)})")


def optimize(problem: PortfolioProblem, values: np.ndarray, config: SolverConfig = SolverConfig()) -> Solution:
    """The best portfolio, checked independently before it is returned.

    Parameters
    ----------
    problem : PortfolioProblem
    values : array (n,)
        Each candidate's value on the 0-100 scale, in candidate order.
    config : SolverConfig

    Returns
    -------
    Solution

    Raises
    ------
    InfeasibleError
        No portfolio meets every limit; the message names the conflicting
        limits and the cheapest ways out.
    SolverError
        The solver failed, found nothing in time, or returned a portfolio
        that breaks a limit.
    """
    values = np.asarray(values, dtype=float)
    if values.shape != (problem.n,) or not np.isfinite(values).all():
        raise SolverError(f"need one finite value per candidate ({problem.n}), got shape {values.shape}")
    t0 = time.perf_counter()
    model = PortfolioModel(problem, values)
    return solve_built(model, config, time.perf_counter() - t0)


def solve_built(model: PortfolioModel, config: SolverConfig, built: float = 0.0) -> Solution:
    """Solve a model built by the caller (e.g. after writing it to a file); as :func:`optimize`."""
    outcome = model.solve(config)
    if outcome.status == "infeasible":
        from scorer.infeasibility import explain_infeasibility

        raise InfeasibleError(explain_infeasibility(model.problem, config))
    return checked_solution(model, outcome, built)


def checked_solution(model: PortfolioModel, outcome: Outcome, built: float = 0.0) -> Solution:
    """Turn an outcome into a :class:`Solution`, refusing one that breaks a limit."""
    from scorer.feasibility import violations

    start = chosen_starts(model.options, outcome.x, model.problem.n)
    found = violations(model.problem, start)
    if found:
        raise SolverError("the solver returned a portfolio that breaks a limit: " + "; ".join(found[:3]))
    objective = portfolio_value(model.problem, model.values, start)
    if abs(objective - outcome.objective) > 1e-6 * max(1.0, abs(objective)):
        raise SolverError(f"the solver's objective {outcome.objective:.6f} does not match the portfolio's "
                          f"value {objective:.6f}")
    bound = max(outcome.bound, objective)
    return Solution(model.problem, model.values, start, outcome.status, objective, bound, outcome.gap,
                    built, outcome.seconds, model)


def chosen_starts(options: Options, x: np.ndarray, n: int) -> np.ndarray:
    """Start year per candidate (-1 when not selected) from option choices."""
    start = np.full(n, -1, dtype=np.int64)
    on = np.flatnonzero(x)
    start[options.cand[on]] = options.start[on]
    return start


def portfolio_value(problem: PortfolioProblem, values: np.ndarray, start: np.ndarray) -> float:
    """Sum of selected values less the delay discount, computed from the portfolio itself."""
    sel = start >= 0
    delay = np.maximum(start[sel] - problem.earliest[sel], 0)
    return float(np.sum(np.asarray(values)[sel] * (1.0 - problem.delay_discount) ** delay))


def violation_cost(lim: Limit) -> float:
    """Cost of one unit of violation in the elastic model, comparable across kinds.

    Money is relative to the cap (raising a cap by 10% costs 0.1), a project
    or a rule counts 1, a year of window 0.5.
    """
    if lim.unit == "money":
        return 1.0 / max(abs(lim.bound), 1.0)
    if lim.unit == "years":
        return 0.5
    return 1.0
