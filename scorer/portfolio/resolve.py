"""Re-solving one portfolio problem many times with only values or limits changed.

Robustness analyses (Monte Carlo, flip points, frontiers) solve the same
limits again and again. A :class:`Resolver` is a small, picklable recipe: each
process builds its model once, on first use, and every later solve only
changes the column costs (and, when asked, some right-hand sides) of the live
HiGHS model before running it again. Every answer still goes through
:func:`scorer.portfolio.solve.checked_solution`: the portfolio is checked against
every limit by plain numpy code and its objective recomputed.

Each solve is a pure function of its inputs: the live model is cleared before
every run, started from the same portfolio (the optimum at the base values)
and temporary rows are removed afterwards, so the answer does not depend on
which solves ran before it in the same process. That is what makes results
identical whichever worker computed them.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from scorer.errors import InfeasibleError, SolverError
from scorer.mip.config import SolverConfig
from scorer.mip.large import solve_large
from scorer.mip.linear import from_highs, highs_said, to_highs
from scorer.mip.outcome import Outcome, outcome_of
from scorer.mip.pulp_adapter import handle_user_interrupt, live_highs, run_interruptible
from scorer.mip.solvers import make_solver
from scorer.portfolio.limit_keys import LimitKey
from scorer.portfolio.model import PortfolioModel, conditioned
from scorer.portfolio.problem import (
    Limit,
    Options,
    PortfolioProblem,
    Row,
    named_limits,
    no_good,
    start_options,
)
from scorer.portfolio.solve import Solution, checked_solution

# HiGHS options for the live model, chosen by measurement on the default
# scenario (benchmarks/bench_resolve.py): with the base optimum as a start,
# presolve, symmetry detection and the primal heuristics cost more than they
# save on a model this size (about 3x less CPU per re-solve). Exactness is
# untouched: the gap tolerance still decides when to stop.
TUNED_OPTIONS: dict[str, object] = {
    "presolve": "off",
    "mip_detect_symmetry": False,
    "mip_heuristic_effort": 0.0,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_root_reduced_cost": False,
    "mip_heuristic_run_feasibility_jump": False,
}
# Beyond this many start options HiGHS keeps its defaults: presolve and the
# heuristics matter on large models, and the tuning above was measured on small ones.
TUNED_MAX_OPTIONS = 2000
# In the user's own thread, a model beyond TUNED_MAX_OPTIONS, or one whose solve at the
# base values took longer than this (seconds), runs every solve interruptibly, so that
# Ctrl-C stops it at once; quicker models run plainly (the interrupt callbacks cost about
# 15 % of a short solve) and hold Ctrl-C back for about one such solve.
INTERRUPTIBLE_AFTER = 0.25
# HiGHS's own default mip_abs_gap, restored after a solve that asked for another.
HIGHS_ABS_GAP = 1e-6
# Models kept alive per thread for Resolvers that arrived by pickle (worker processes).
_SHARED_MAX = 4
_shared = threading.local()

@dataclass(eq=False)
class Resolver:
    """Solve ``problem`` for many value vectors (and limit changes), each answer checked.

    Not thread-safe: give each thread its own Resolver (pickling one is
    enough; worker processes rebuild the model once and keep it).

    Parameters
    ----------
    problem : PortfolioProblem
    values : array (n,)
        The base values: the model is built with them, and their optimum is
        the starting portfolio of every later solve.
    config : SolverConfig
        Solver, time limit, gap and seed, applied to every solve.
    """

    problem: PortfolioProblem
    values: np.ndarray
    config: SolverConfig
    # Models up to this many start options run with TUNED_OPTIONS (see there), beyond it with HiGHS's
    # defaults; None: TUNED_MAX_OPTIONS.
    tuned_up_to: int | None = None
    _live: _Live | None = field(default=None, init=False, repr=False)
    _key: str = field(default_factory=lambda: uuid.uuid4().hex, init=False, repr=False)
    _pickled: bool = field(default=False, init=False, repr=False)
    _options: Options | None = field(default=None, init=False, repr=False)

    def __getstate__(self) -> dict:
        # The live model does not cross process boundaries; each process builds its own.
        state = self.__dict__.copy()
        state["_live"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._pickled = True
        self._live = _shared_models().get(self._key)

    def solve(self, values: np.ndarray, *, rhs: Mapping[LimitKey | str, float] | None = None,
              exclude: Sequence[np.ndarray] = (), explain: bool = True, rows: Sequence[Row] = (),
              abs_gap: float | None = None, start_from: np.ndarray | None = None) -> Solution:
        """The checked optimal (or time-limited) portfolio for ``values``.

        Parameters
        ----------
        values : array (n,)
            Each candidate's value (0-100).
        rhs : mapping of limit key to number, optional
            New bounds for money or count limits for this solve only, e.g.
            ``{LimitKey("total_budget"): 1500, LimitKey("year_cap", year=2027): 300}``
            or by name, ``{"budget_total": 1500, "cap_total_2027": 300}`` (see
            :func:`limit_changes`); a limit the scenario does not have is added,
            ``inf`` removes a cap.
        exclude : sequence of arrays (n,) of bool
            Selections (which candidates are in, whatever their start years)
            that the answer must differ from: no-good cuts for listing
            alternative portfolios.
        explain : bool
            When no portfolio fits, name the conflicting limits (extra solves,
            up to seconds); False raises at once with a short message (sweeps
            that expect infeasible points).
        rows : sequence of Row
            Extra rows over the start options of :attr:`options` for this solve
            only (e.g. a partner's value at least some amount), added like the
            no-good cuts and removed afterwards.
        abs_gap : float, optional
            Stop once the objective is within this much of the bound (HiGHS's
            ``mip_abs_gap``, for this solve only; the live model's path only):
            for objectives whose distinct values lie at least that far apart,
            such a stop is still the optimum.
        start_from : array (n,), optional
            A portfolio (start year per candidate, -1: left out) known to meet
            ``rows``, started from instead of the base optimum (live model only):
            a lexicographic stage's previous answer, which the base optimum may
            not be, so that HiGHS without its heuristics has a portfolio at once.

        Returns
        -------
        Solution
            Checked against every limit (with ``rhs`` applied), against
            ``exclude`` and against ``rows`` (recomputed from the start years);
            its ``model`` is None (the live model moves on).

        Raises
        ------
        InfeasibleError, SolverError
            As :func:`scorer.portfolio.solve.optimize`.
        """
        values = np.asarray(values, dtype=float)
        if values.shape != (self.problem.n,) or not np.isfinite(values).all():
            raise SolverError(f"need one finite value per candidate ({self.problem.n}), got {values.shape}")
        changes = limit_changes(self.problem, rhs or {})
        problem = problem_with_limits(self.problem, changes)
        cuts = [np.asarray(s, dtype=bool) for s in exclude]
        why = _Why(problem, self.config, cuts, changes, explain, tuple(rows), abs_gap, start_from)
        if self.config.name != "highs":
            return _solve_pulp(problem, values, self.config, why)
        try:
            if self._live is None:
                self._live = _Live(self.problem, self.values, self.config, self.tuned_up_to)
                if self._pickled:
                    _remember(self._key, self._live)
            return self._live.solve(problem, values, why)
        except KeyboardInterrupt:
            self._live = None  # a cancelled HiGHS keeps its stop flag: build afresh if used again
            raise

    @property
    def options(self) -> Options:
        """The start options the model's columns (and the ``rows`` of :meth:`solve`) are indexed by."""
        if self._live is not None:
            return self._live.model.options
        if self._options is None:
            self._options = start_options(self.problem)
        return self._options


# ------------------------------------------------------------- limits ---


def limit_fields(problem: PortfolioProblem) -> dict[LimitKey, tuple[str, tuple]]:
    """Every limit whose bound a re-solve may change: key -> (problem field, index).

    Covers the money caps and budgets (also those the scenario leaves
    uncapped), ``max_projects``/``min_projects`` and the category rules.
    """
    keys: dict[LimitKey, tuple[str, tuple]] = {LimitKey("total_budget"): ("total_cap", ()),
                                               LimitKey("max_projects"): ("max_projects", ()),
                                               LimitKey("min_projects"): ("min_projects", ())}
    for t, year in enumerate(problem.years.tolist()):
        keys[LimitKey("year_cap", year=year)] = ("year_cap", (t,))
        for j, partner in enumerate(problem.partners):
            keys[LimitKey("partner_year_cap", year=year, partner=partner)] = ("partner_year_cap", (j, t))
    for j, partner in enumerate(problem.partners):
        keys[LimitKey("partner_budget", partner=partner)] = ("partner_total", (j,))
    for r, rule in enumerate(problem.category_rules):
        keys[LimitKey("category_min", category=rule.name)] = ("category_rules", (r, "min"))
        keys[LimitKey("category_max", category=rule.name)] = ("category_rules", (r, "max"))
    return keys


def limit_changes(problem: PortfolioProblem, rhs: Mapping[LimitKey | str, float]) -> dict[LimitKey, float]:
    """``rhs`` by typed key: each a limit of :func:`limit_fields`, given by key or by name.

    A name (``"cap_total_2027"``, as ``--explain`` and model files show it) is
    accepted for callers that have only what users read; it must name exactly
    one changeable limit. Every key must have a name no other changeable limit
    shares, because the live model finds a limit's row by its name.

    Raises
    ------
    SolverError
        A key or name of no changeable limit, or a name two such limits share
        (ids ``J-P`` and ``J_P`` both give ``budget_J_P``).
    """
    if not rhs:
        return {}
    by_name: dict[str, list[LimitKey]] = {}
    for key in limit_fields(problem):
        by_name.setdefault(key.name(), []).append(key)
    out: dict[LimitKey, float] = {}
    for given, value in rhs.items():
        name = given.name() if isinstance(given, LimitKey) else str(given)
        found = by_name.get(name, [])
        if not found or (isinstance(given, LimitKey) and given not in found):
            raise SolverError(f"no limit '{name}' whose bound can change (try e.g. budget_total, "
                              f"cap_total_{int(problem.years[0])}, max_projects)")
        if len(found) > 1:
            raise SolverError(f"cannot change limit '{name}' alone: {len(found)} limits of the scenario "
                              "share that name")
        out[found[0]] = value
    return out


def problem_with_limits(problem: PortfolioProblem, rhs: Mapping[LimitKey | str, float]) -> PortfolioProblem:
    """A copy of ``problem`` with the given limits set to new bounds (``inf``: no limit).

    Keys as :func:`limit_changes` takes them.

    Raises
    ------
    SolverError
        A key that names no changeable limit, or a count that is not a whole number.
    """
    if not rhs:
        return problem
    fields = limit_fields(problem)
    changes: dict[str, object] = {}
    for key, value in limit_changes(problem, rhs).items():
        name, where = fields[key]
        current = changes.get(name, getattr(problem, name))
        changes[name] = _set_bound(current, where, float(value), key)
    return replace(problem, **changes)


def _set_bound(current: object, where: tuple, value: float, key: LimitKey) -> object:
    """``current`` with the bound at ``where`` replaced (arrays copied, rules rebuilt)."""
    if isinstance(current, np.ndarray):
        out = current.astype(float, copy=True)
        out[where] = value
        return out
    if key.kind == "total_budget":  # the one scalar money bound: any amount, not a count
        return float(value)
    count = _count(value, key)
    if isinstance(current, tuple):  # category rules
        rules = list(current)
        r, side = where
        rules[r] = replace(rules[r], **{side: count})
        return tuple(rules)
    if where == ():
        return count
    raise SolverError(f"cannot change limit '{key.name()}'")  # pragma: no cover - fields are ours


def _count(value: float, key: LimitKey) -> int | None:
    if not np.isfinite(value):
        return None
    if value != round(value):
        raise SolverError(f"limit '{key.name()}' counts projects; {value:g} is not a whole number")
    return int(value)


def _row_bounds(sense: str, rhs: float) -> tuple[float, float]:
    """(lower, upper) of a row with right-hand side ``rhs`` (not finite: no limit)."""
    if not np.isfinite(rhs):
        return -np.inf, np.inf
    return (-np.inf, float(rhs)) if sense == "<=" else (float(rhs), np.inf)


# ---------------------------------------------------------- live model ---


class _Live:
    """A built PortfolioModel and its live ``highspy.Highs``, re-run with new costs and bounds."""

    def __init__(self, problem: PortfolioProblem, values: np.ndarray, config: SolverConfig,
                 tuned_up_to: int | None = None):
        t0 = time.perf_counter()
        self.model = PortfolioModel(problem, values)
        self.config = config
        prob = self.model.prob
        if config.isolates(self.model.options.k):
            # Straight from the arrays: PuLP's export loops in Python (5-6 s at 130,000 options), and
            # these runs happen in a child process anyway. Columns in model.x order, rows in PuLP's.
            self.highs = to_highs(self.model.linear(), {})
            self.columns = np.arange(len(self.model.x) + len(self.model.y), dtype=np.int32)
        else:
            # The live model exactly as PuLP builds it (options, columns, rows, objective at the base values).
            self.highs, self.columns = live_highs(make_solver(config), prob, self.model.x + self.model.y)
        # The HiGHS column of each option binary; ``columns`` has the share columns after them.
        self.col = self.columns[:self.model.options.k]
        self._map(prob)
        self._configure()
        self.start: np.ndarray | None = None
        # Ctrl-C can only reach the user's own thread; pool workers are stopped by their parent.
        self._interruptible(_in_user_thread())
        t1 = time.perf_counter()
        self.start = self._base_start()
        small = self.model.options.k <= (TUNED_MAX_OPTIONS if tuned_up_to is None else tuned_up_to)
        if small and time.perf_counter() - t1 < INTERRUPTIBLE_AFTER:
            self._interruptible(False)  # quick solves: the interrupt callbacks would cost ~15 % each
        if small:
            for name, value in TUNED_OPTIONS.items():
                self.highs.setOptionValue(name, value)
        self.built = time.perf_counter() - t0

    def _interruptible(self, on: bool) -> None:
        """Run HiGHS so that Ctrl-C cancels it (see :func:`~scorer.mip.solvers.run_interruptible`), or plainly."""
        if on != getattr(self, "interruptible", False):
            handle_user_interrupt(self.highs, on)
        self.interruptible = on

    def _map(self, prob) -> None:
        """Where each named row is in the HiGHS model, and the rows' base bounds."""
        constraints = prob.constraints()
        # Names of changeable limits are unique; a repeated rule row name keeps its first row.
        self.rows: dict[str, int] = {}
        for i, c in enumerate(constraints):
            self.rows.setdefault(c.name, i)
        if self.highs.getNumCol() != len(self.columns) or self.highs.getNumRow() != len(constraints):
            raise SolverError("the live HiGHS model does not match the PuLP model")  # pragma: no cover
        lp = self.highs.getLp()
        self.lower = np.array(lp.row_lower_, dtype=float)
        self.upper = np.array(lp.row_upper_, dtype=float)

    def _configure(self) -> None:
        h, c = self.highs, self.config
        h.setOptionValue("output_flag", False)
        h.setOptionValue("time_limit", float(c.time_limit))
        h.setOptionValue("mip_rel_gap", float(c.gap))
        h.setOptionValue("random_seed", int(c.seed))

    def _base_start(self) -> np.ndarray | None:
        """The best portfolio at the base values (HiGHS defaults), where every later run starts."""
        try:
            outcome = self._run()
        except SolverError:  # nothing found in time: later runs start from nothing
            return None
        if outcome.status == "infeasible":
            return None
        start = np.zeros(self.highs.getNumCol())
        start[self.col] = outcome.x
        if len(self.columns) > len(self.col) and not self.config.isolates(self.model.options.k):
            shares = self.columns[len(self.col):]  # the split HiGHS chose, so that the start meets every row
            start[shares] = np.asarray(self.highs.getSolution().col_value)[shares]
        return start

    def solve(self, problem: PortfolioProblem, values: np.ndarray, why: _Why) -> Solution:
        """Set costs, bounds and temporary rows; run; restore; check."""
        h, opts, rhs, cuts = self.highs, self.model.options, why.rhs, why.cuts
        h.changeColsCost(opts.k, self.col, values[opts.cand] * opts.weight)
        moved = self._move_rows(rhs)
        added = self._add_rows(problem, rhs, cuts, why.rows)
        if why.abs_gap is not None:
            h.setOptionValue("mip_abs_gap", float(why.abs_gap))
        start = None
        if why.start_from is not None:
            on = (why.start_from[opts.cand] >= 0) & (opts.start == why.start_from[opts.cand])
            start = np.zeros(h.getNumCol())
            start[self.col] = on.astype(float)
        try:
            outcome = self._run(start)
        finally:
            self._restore(moved, added)
            if why.abs_gap is not None:
                h.setOptionValue("mip_abs_gap", HIGHS_ABS_GAP)
        if outcome.status == "infeasible":
            raise InfeasibleError(why.message())
        sol = checked_solution(problem, values, opts, outcome)
        _check_cuts(sol.selected, cuts)
        check_rows(opts, sol.start, why.rows)
        return replace(sol, model=None)

    def _move_rows(self, rhs: dict[LimitKey, float]) -> list[int]:
        """Change the bounds of existing single-row limits (rows by their limit's name); the rows moved."""
        moved = []
        for key, value in rhs.items():
            if key.name() in self.rows:
                i = self.rows[key.name()]
                sense = "<=" if np.isneginf(self.lower[i]) else ">="
                self.highs.changeRowBounds(i, *_row_bounds(sense, value * self.model.factor(key.name())))
                moved.append(i)
        return moved

    def _add_rows(self, problem: PortfolioProblem, rhs: dict[LimitKey, float], cuts: list[np.ndarray],
                  extra: Sequence[Row] = ()) -> int:
        """Append the rows of limits the model lacks, the no-good cuts and the extra rows; how many were added."""
        missing = [k for k, v in rhs.items() if k.name() not in self.rows and np.isfinite(v)]
        rows: list[Row] = []
        if missing:
            limits = {lim.key: lim for lim in named_limits(problem, self.model.options)}
            rows += [r for k in missing for r in _limit_rows(limits, k)]
        rows += [no_good(self.model.options, sel) for sel in cuts]
        rows += list(extra)
        for row in rows:
            row, _ = conditioned(row)
            lo, up = _row_bounds(row.sense, row.rhs)
            self.highs.addRow(lo, up, len(row.idx), self.columns[row.idx], np.asarray(row.coef, dtype=float))
        return len(rows)

    def _restore(self, moved: list[int], added: int) -> None:
        h = self.highs
        for i in moved:
            h.changeRowBounds(i, self.lower[i], self.upper[i])
        if added:
            first = len(self.lower)
            h.deleteRows(added, np.arange(first, first + added, dtype=np.int32))

    def _run(self, start: np.ndarray | None = None) -> Outcome:
        """Run from a cleared state and the base start, so that history does not matter."""
        h = self.highs
        if self.config.isolates(self.model.options.k):
            return self._run_isolated(start)
        h.clearSolver()
        start = self.start if start is None else start
        if start is not None:
            h.setSolution(len(start), np.arange(len(start), dtype=np.int32), start)
        t0 = time.perf_counter()
        if self.interruptible:
            run_interruptible(h)
        else:
            h.run()
        return outcome_of(highs_said(h, self.col, self.config, time.perf_counter() - t0))

    def _run_isolated(self, start: np.ndarray | None = None) -> Outcome:
        """A large model's run, in a child process killed at the deadline (as PortfolioModel.solve)."""
        # The live model's rows keep the PuLP model's order, so its first rows are the choice rows too.
        linear = replace(from_highs(self.highs), choice_rows=self.model.choice_rows)
        outcome = solve_large(linear, self.config, self.start if start is None else start)
        return replace(outcome, x=outcome.x[self.col]) if len(outcome.x) else outcome


def _in_user_thread() -> bool:
    """Whether Ctrl-C lands here: the main thread of a process that is not a worker."""
    return threading.current_thread() is threading.main_thread() and multiprocessing.parent_process() is None


def _limit_rows(limits: dict[LimitKey, Limit], key: LimitKey) -> tuple[Row, ...]:
    if key not in limits:  # pragma: no cover - problem_with_limits made it
        raise SolverError(f"limit '{key.name()}' is not in the model")
    return limits[key].rows


# An extra row counts as met to within this share of its size (at least 1e-6 absolute): the
# solvers meet rows to 1e-7 absolute; callers leave far more room than this (see bargain.py).
ROW_TOL = 1e-6


def check_rows(options: Options, start: np.ndarray, rows: Sequence[Row]) -> None:
    """Refuse a portfolio that breaks one of ``rows``, recomputed from its start years alone.

    Raises
    ------
    SolverError
        The first row broken, by name.
    """
    if not rows:
        return
    x = np.zeros(options.k)
    # Each selected candidate's option: the one of its candidate with its start year.
    on = (start[options.cand] >= 0) & (options.start == start[options.cand])
    x[on] = 1.0
    for row in rows:
        lhs = float(np.dot(np.asarray(row.coef, dtype=float), x[np.asarray(row.idx)]))
        room = ROW_TOL * max(1.0, abs(row.rhs))
        if (lhs > row.rhs + room) if row.sense == "<=" else (lhs < row.rhs - room):
            raise SolverError(f"the solver returned a portfolio that breaks the row '{row.name}' "
                              f"({lhs:.9g} {row.sense} {row.rhs:.9g} does not hold)")


def _check_cuts(selected: np.ndarray, cuts: list[np.ndarray]) -> None:
    for cut in cuts:
        if np.array_equal(selected, cut):
            raise SolverError("the solver returned a portfolio that was excluded")


@dataclass(frozen=True, eq=False)
class _Why:
    """What a solve was asked, to say why nothing fits."""

    problem: PortfolioProblem
    config: SolverConfig
    cuts: list[np.ndarray]
    rhs: dict[LimitKey, float]
    explain: bool
    rows: tuple[Row, ...] = ()
    abs_gap: float | None = None
    start_from: np.ndarray | None = None

    def message(self) -> str:
        if self.rows:  # the limits alone may well fit: name what was asked on top of them
            return f"infeasible: no portfolio meets every limit and the {len(self.rows)} extra rows"
        if self.cuts:
            return f"infeasible: no portfolio fits every limit besides the {len(self.cuts)} excluded"
        if not self.explain:
            changed = ", ".join(f"{k.name()} = {v:g}" for k, v in self.rhs.items())
            return "infeasible: no portfolio meets every limit" + (f" (with {changed})" if changed else "")
        from scorer.portfolio.infeasibility import explain_infeasibility

        return explain_infeasibility(self.problem, self.config)


def _solve_pulp(problem: PortfolioProblem, values: np.ndarray, config: SolverConfig, why: _Why) -> Solution:
    """The plain PuLP path (CBC): a model per solve, built in a few milliseconds."""
    t0 = time.perf_counter()
    model = PortfolioModel(problem, values)
    for k, sel in enumerate(why.cuts):
        model.add_row(no_good(model.options, sel, f"exclude_{k}"))
    for k, row in enumerate(why.rows):  # PuLP refuses two rows of one name
        model.add_row(replace(row, name=f"extra_{k}"))
    built = time.perf_counter() - t0
    outcome = model.solve(config)
    if outcome.status == "infeasible":
        raise InfeasibleError(why.message())
    sol = checked_solution(model.problem, model.values, model.options, outcome, built)
    _check_cuts(sol.selected, why.cuts)
    check_rows(model.options, sol.start, why.rows)
    return replace(sol, model=None)


# --------------------------------------------------- per-process models ---


def _shared_models() -> OrderedDict:
    if not hasattr(_shared, "models"):
        _shared.models = OrderedDict()
    return _shared.models


def _remember(key: str, live: _Live) -> None:
    """Keep a worker's model for later tasks carrying the same Resolver (a few, newest last)."""
    models = _shared_models()
    models[key] = live
    models.move_to_end(key)
    while len(models) > _SHARED_MAX:
        models.popitem(last=False)
