"""The portfolio integer program as a PuLP model kept for re-solving, with its rows as arrays."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import replace

import numpy as np
import pulp

from scorer.errors import SolverError
from scorer.mip.config import SolverConfig
from scorer.mip.large import isolates, solve_large
from scorer.mip.linear import LinearModel
from scorer.mip.outcome import INTEGRAL, Outcome, classified
from scorer.mip.solvers import QUICK_SOLVE, make_solver, no_portfolio, pulp_bound
from scorer.portfolio.problem import (
    Limit,
    Options,
    PortfolioProblem,
    Row,
    named_limits,
    start_options,
)


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
            slack = self.prob.add_variable(f"viol_{lim.name}", 0, upper)
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
            return no_portfolio(stats, config, fractional)
        objective = float(stats.objective if stats.objective is not None else 0.0)
        bound = pulp_bound(stats, objective, config, sense)
        return classified(objective, bound, (x > 0.5).astype(np.int8), stats.time, sense)


    def _solve_isolated(self, config: SolverConfig) -> Outcome:
        """Solve in a child process that is killed at the deadline (see :mod:`scorer.mip.child`)."""
        return solve_large(self.linear(), config)


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

