"""The portfolio integer program as a PuLP model kept for re-solving, with its rows as arrays."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace

import numpy as np
import pulp

from scorer.errors import SolverError
from scorer.mip.config import SolverConfig
from scorer.mip.large import solve_large
from scorer.mip.linear import LinearModel
from scorer.mip.outcome import Outcome, outcome_of
from scorer.mip.pulp_adapter import affine
from scorer.mip.solvers import QUICK_SOLVE, make_solver, pulp_said
from scorer.portfolio.limit_keys import LimitKey
from scorer.portfolio.problem import (
    Limit,
    Options,
    PortfolioProblem,
    Row,
    ShareColumns,
    named_limits,
    share_columns,
    split_rows,
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
    elastic : collection of LimitKey
        Keys of limits that may be violated: each gets a violation variable.
        When given, the objective minimises the weighted violation instead of
        maximising value.
    dropped : collection of LimitKey
        Keys of limits left out of the model altogether.
    """

    def __init__(self, problem: PortfolioProblem, values: np.ndarray, *, widen: bool = False,
                 elastic: Collection[LimitKey] = (), dropped: Collection[LimitKey] = ()):
        self.problem = problem
        self.values = np.asarray(values, dtype=float)
        self.options: Options = start_options(problem, widen=widen)
        self.limits: list[Limit] = [lim for lim in named_limits(problem, self.options, widen) if lim.key not in dropped]
        self.prob = pulp.LpProblem("coprod_portfolio", pulp.LpMaximize if not elastic else pulp.LpMinimize)
        o, p = self.options, problem
        labels = [f"{p.ids[c]}_{s}" for c, s in zip(o.cand.tolist(), o.start.tolist())]
        made = self.prob.add_variable_dict("x_%s", labels, cat="Binary")
        self.x = [made[label] for label in labels]
        self.share_columns: ShareColumns = share_columns(p, o)
        self.y = self._share_variables()
        self._columns = self.x + self.y
        self._ids = np.array([v.id for v in self._columns], dtype=np.uint64)
        # Mirrors of the PuLP model as arrays, for solves that bypass PuLP (see linear()).
        width = len(self._columns)
        self._lower, self._upper = np.zeros(width), np.ones(width)
        self._cost = np.zeros(width)
        self._rows: list[Row] = []  # as solved: conditioned (see conditioned())
        self._factor: dict[str, float] = {}  # row name -> its factor, where not 1
        self._row_index: dict[str, int] = {}  # row name -> its first row in _rows
        self._forced = np.zeros(problem.n, dtype=bool)  # candidates whose once-row is an equality
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

    def _share_variables(self) -> list:
        """The continuous share columns (:class:`ShareColumns`), none without share ranges."""
        cols, o, p = self.share_columns, self.options, self.problem
        labels = [f"{p.ids[o.cand[k]]}_{o.start[k]}_{p.partners[j]}"
                  for k, j in zip(cols.option.tolist(), cols.partner.tolist())]
        if not labels:
            return []
        made = self.prob.add_variable_dict("y_%s", labels, lowBound=0, upBound=1)
        return [made[label] for label in labels]

    def _structure(self) -> None:
        """Each candidate at most once (not a user limit: it defines the model); a chosen option's shares sum to 1."""
        o = self.options
        self._once_rows = 0
        for i in range(self.problem.n):
            sl = o.of(i)
            if sl.stop > sl.start:
                self.prob.addConstraint(pulp.lpSum_vars(self.x[sl]) <= 1, f"once_{i}")
                self._once_rows += 1
        for row in split_rows(self.problem, o):
            self.prob.addConstraint(self.affine(row.idx, row.coef) == row.rhs, row.name)
            self._append(row)

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
            self.prob.addConstraint(_compare(expr, row), row.name)
            self._append(row)

    def add_row(self, row: Row) -> None:
        """Add a row the limits do not have (a no-good cut, an exclusion)."""
        row = self._conditioned(row)
        expr = self.affine(row.idx, row.coef)
        self.prob.addConstraint(_compare(expr, row), row.name)
        self._append(row)

    def _append(self, row: Row) -> None:
        self._row_index.setdefault(row.name, len(self._rows))
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
        """sum(coef * col[idx]) from arrays in one batch call (see :func:`scorer.mip.pulp_adapter.affine`).

        Columns are the option binaries :attr:`x`, then the share columns :attr:`y`.
        """
        return affine(self._columns, self._ids, idx, coef)

    def column_values(self, start: np.ndarray, shares: np.ndarray) -> np.ndarray:
        """The model's columns for a portfolio: each option's binary, then each share column's share (or 0).

        ``start`` per candidate (-1: out), ``shares`` (n, P) the split (see :class:`~scorer.portfolio.solve.Solution`).
        """
        o, cols = self.options, self.share_columns
        x = ((start[o.cand] == o.start) & (start[o.cand] >= 0)).astype(float)
        y = x[cols.option] * np.asarray(shares, dtype=float)[o.cand[cols.option], cols.partner]
        return np.concatenate([x, y])

    def limit(self, key: LimitKey | str) -> Limit:
        """The limit with this key, or with this name (as ``--explain`` and model files show it)."""
        found = next((lim for lim in self.limits if (lim.name if isinstance(key, str) else lim.key) == key), None)
        if found is None:
            raise SolverError(f"the model has no limit '{key}'")
        return found

    def set_values(self, values: np.ndarray) -> None:
        """Replace the objective by the discounted values (no rebuild); :meth:`changes` restores it."""
        values = np.asarray(values, dtype=float)
        if not np.isfinite(values).all():
            raise SolverError("a candidate's value is not a finite number")
        self._set_cost(values[self.options.cand] * self.options.weight)

    def _set_cost(self, coefs: np.ndarray) -> None:
        k = self.options.k
        self.prob.setObjective(self.affine(np.arange(k), np.asarray(coefs, dtype=float)[:k]))
        self._cost = np.zeros(len(self._columns))
        self._cost[:k] = np.asarray(coefs, dtype=float)[:k]  # share columns carry no value

    def fix(self, on: Sequence[int] = (), off: Sequence[int] = ()) -> None:
        """Fix options on (=1) or off (=0); :meth:`unfix` (or :meth:`changes`) restores them."""
        on, off = list(on), list(off)
        self._lower[on], self._upper[on] = 1.0, 1.0
        self._lower[off], self._upper[off] = 0.0, 0.0
        self._apply_bounds(on + off)

    def unfix(self, options: Sequence[int]) -> None:
        """Let options be chosen or not again."""
        options = list(options)
        self._lower[options], self._upper[options] = 0.0, 1.0
        self._apply_bounds(options)

    def _apply_bounds(self, options: Sequence[int]) -> None:
        for j in options:
            self._columns[j].bounds(float(self._lower[j]), float(self._upper[j]))

    def force(self, i: int, chosen: bool = True) -> None:
        """Candidate i in (some start of it, its once-row an equality) or out (every start off).

        :meth:`release` (or :meth:`changes`) undoes it.
        """
        sl = self.options.of(i)
        if not chosen:
            self.fix(off=range(sl.start, sl.stop))
            return
        if sl.stop == sl.start:
            raise SolverError(f"candidate {self.problem.ids[i]} has no start to force in")
        self._forced[i] = True
        self._once(i).sense = pulp.LpConstraintEQ

    def release(self, i: int) -> None:
        """Undo :meth:`force` of candidate i (in or out)."""
        sl = self.options.of(i)
        self.unfix(range(sl.start, sl.stop))
        if self._forced[i]:
            self._forced[i] = False
            self._once(i).sense = pulp.LpConstraintLE

    def set_rhs(self, name: str, rhs: float) -> None:
        """Set the right-hand side of the row called ``name``, in the user's units (the row's factor applied).

        The limit's own figure stays in :attr:`limits`; :meth:`changes` restores the row.
        """
        k = self._row_index[name]
        row = self._rows[k]
        self._rows[k] = replace(row, rhs=float(rhs) * self.factor(name))
        self.prob.get_constraint_by_name(name).changeRHS(self._rows[k].rhs)

    @contextmanager
    def changes(self) -> Iterator[PortfolioModel]:
        """Every change made inside (values, bounds, right-hand sides, forced candidates) undone on leaving.

        ``with model.changes(): model.set_rhs("budget_total", 0); model.solve(config)``
        """
        saved = (self._cost.copy(), self._lower.copy(), self._upper.copy(), list(self._rows), self._forced.copy())
        try:
            yield self
        finally:
            self._restore(*saved)

    def _restore(self, cost, lower, upper, rows, forced) -> None:
        if not np.array_equal(cost, self._cost):
            self._set_cost(cost)
        moved = np.flatnonzero((lower != self._lower) | (upper != self._upper))
        self._lower, self._upper = lower, upper
        self._apply_bounds(moved.tolist())
        for k, row in enumerate(rows):  # rows added inside (add_row) stay: PuLP cannot remove a row
            if row.rhs != self._rows[k].rhs:
                self._rows[k] = row
                self.prob.get_constraint_by_name(row.name).changeRHS(row.rhs)
        for i in np.flatnonzero(forced != self._forced).tolist():
            self._forced[i] = bool(forced[i])
            self._once(i).sense = pulp.LpConstraintEQ if forced[i] else pulp.LpConstraintLE

    def _once(self, i: int):
        return self.prob.get_constraint_by_name(f"once_{i}")

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
        sense = np.array([r.sense for r in self._rows], dtype=object)
        n_once = int(once.sum())
        return LinearModel(
            cost=self._cost.copy(), col_lower=self._lower.copy(), col_upper=self._upper.copy(),
            integer=np.arange(len(self._columns)) < o.k,
            row_lower=np.concatenate([np.where(self._forced[once], 1.0, -np.inf),
                                      np.where(sense == "<=", -np.inf, rhs)]),
            row_upper=np.concatenate([np.ones(n_once), np.where(sense == ">=", np.inf, rhs)]),
            start=np.concatenate([[0], np.cumsum(sizes)]).astype(np.int32), index=index, value=value,
            maximize=self.prob.sense == pulp.LpMaximize, choice_rows=n_once)

    def solve(self, config: SolverConfig) -> Outcome:
        """Solve with ``config`` and classify the answer (never calls an unproven answer optimal).

        Every change made through this model's methods holds on every path: PuLP's
        solvers read the PuLP model, a child process (a large HiGHS model) reads
        :meth:`linear`, and both are kept the same.
        """
        if config.name == "highs" and not self.violation and config.isolates(self.options.k):
            outcome = solve_large(self.linear(), config)
            return replace(outcome, x=outcome.x[:self.options.k]) if len(outcome.x) else outcome  # the binaries
        solver = make_solver(config, interruptible=self._last_seconds >= QUICK_SOLVE)
        sense = 1.0 if self.prob.sense == pulp.LpMaximize else -1.0
        try:
            stats = self.prob.solve(solver)
        except pulp.PulpSolverError as exc:
            raise SolverError(f"the {config.name} solver failed: {exc}") from None
        self._last_seconds = stats.time
        x = np.array([v.varValue or 0.0 for v in self.x])
        return outcome_of(pulp_said(stats, x, config, sense))


def _compare(expr: pulp.LpAffineExpression, row: Row):
    if row.sense == "==":
        return expr == row.rhs
    return expr <= row.rhs if row.sense == "<=" else expr >= row.rhs


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

    Money (and a partner's value floor) is relative to the bound (raising a cap by 10% costs 0.1), a project
    or a rule counts 1, a year of window 0.5.
    """
    if lim.unit in ("money", "points"):
        return 1.0 / max(abs(lim.bound), 1.0)
    if lim.unit == "years":
        return 0.5
    if lim.kind in ("partner_share_min", "partner_share_max"):
        # Its row is money (a partner's cost less a share of the portfolio's): relative to all of it.
        return 1.0 / max(float(np.abs(lim.rows[0].coef).sum()), 1.0)
    return 1.0  # a share range: widening it by 0.1 costs 0.1

