"""A mixed-integer program as plain arrays, and its conversion to and from a HiGHS model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from scorer.errors import SolverError
from scorer.mip.config import SolverConfig
from scorer.mip.outcome import Said

# HiGHS model statuses that stop early but may hold an incumbent.
_STOPPED = {"kTimeLimit", "kObjectiveBound", "kObjectiveTarget", "kInterrupt", "kIterationLimit",
            "kSolutionLimit", "kMemoryLimit"}
_INFEASIBLE = {"kInfeasible", "kUnboundedOrInfeasible"}


@dataclass(frozen=True, eq=False)
class LinearModel:
    """A mixed-integer program as arrays: ``row_lower <= A x <= row_upper``, A in CSR.

    ``integer[j]`` marks integer columns; ``maximize`` gives the sense of ``cost``.
    The first ``choice_rows`` rows are "at most one of these" choices (one
    start per project), not shared resources; heuristics may treat them so.
    """

    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    integer: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    start: np.ndarray  # (rows + 1,) CSR row starts
    index: np.ndarray
    value: np.ndarray
    maximize: bool
    choice_rows: int = 0

    @property
    def num_col(self) -> int:
        return len(self.cost)

    @property
    def row_of(self) -> np.ndarray:
        """The row of each stored coefficient (CSR ``start`` expanded)."""
        return np.repeat(np.arange(len(self.start) - 1), np.diff(self.start))

    def times(self, x: np.ndarray) -> np.ndarray:
        """Each row's activity ``A @ x``."""
        return np.bincount(self.row_of, weights=self.value * x[self.index], minlength=len(self.row_lower))


def satisfies(model: LinearModel, x: np.ndarray, tolerance: float = 1e-9) -> bool:
    """Whether ``x`` meets every row and column bound of ``model`` (relative ``tolerance``)."""
    x = np.asarray(x, dtype=float)
    if x.shape != (model.num_col,):
        return False
    activity = model.times(x)

    def within(v, lo, up):
        return bool(np.all(v >= lo - tolerance * np.maximum(1.0, np.abs(lo)))
                    and np.all(v <= up + tolerance * np.maximum(1.0, np.abs(up))))

    return within(x, model.col_lower, model.col_upper) and within(activity, model.row_lower, model.row_upper)


def to_highs(model: LinearModel, options: dict[str, Any]):
    """A ``highspy.Highs`` holding ``model``, with ``options`` set."""
    import highspy

    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = model.num_col, len(model.row_lower)
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = model.cost, model.col_lower, model.col_upper
    lp.row_lower_, lp.row_upper_ = model.row_lower, model.row_upper
    matrix = lp.a_matrix_
    matrix.format_ = highspy.MatrixFormat.kRowwise
    matrix.num_col_, matrix.num_row_ = lp.num_col_, lp.num_row_
    matrix.start_, matrix.index_, matrix.value_ = model.start, model.index, model.value
    kinds = np.where(model.integer, int(highspy.HighsVarType.kInteger), int(highspy.HighsVarType.kContinuous))
    lp.integrality_ = [highspy.HighsVarType(k) for k in kinds.tolist()]
    lp.sense_ = highspy.ObjSense.kMaximize if model.maximize else highspy.ObjSense.kMinimize
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    # kWarning: HiGHS dropped coefficients below its small_matrix_value (as it does for PuLP's models).
    if h.passModel(lp) == highspy.HighsStatus.kError:
        raise SolverError("HiGHS refused the model's arrays")  # pragma: no cover - our arrays
    for name, value in options.items():
        h.setOptionValue(name, value)
    return h


def from_highs(h) -> LinearModel:
    """The arrays of a live ``highspy.Highs`` model (costs, bounds and rows as they are now)."""
    import highspy

    lp = h.getLp()
    matrix = lp.a_matrix_
    start, index, value = (np.asarray(matrix.start_, dtype=np.int32), np.asarray(matrix.index_, dtype=np.int32),
                           np.asarray(matrix.value_, dtype=float))
    if matrix.format_ != highspy.MatrixFormat.kRowwise:
        start, index, value = _transpose(start, index, value, lp.num_row_)
    integer = np.array([int(k) == int(highspy.HighsVarType.kInteger) for k in lp.integrality_], dtype=bool)
    if integer.size == 0:
        integer = np.zeros(lp.num_col_, dtype=bool)
    return LinearModel(np.asarray(lp.col_cost_, dtype=float), np.asarray(lp.col_lower_, dtype=float),
                       np.asarray(lp.col_upper_, dtype=float), integer, np.asarray(lp.row_lower_, dtype=float),
                       np.asarray(lp.row_upper_, dtype=float), start, index, value,
                       lp.sense_ == highspy.ObjSense.kMaximize)


def _transpose(start: np.ndarray, index: np.ndarray, value: np.ndarray, num_row: int):
    """Column-wise (CSC) arrays to row-wise (CSR)."""
    col = np.repeat(np.arange(len(start) - 1, dtype=np.int32), np.diff(start))
    order = np.lexsort((col, index))
    counts = np.bincount(index, minlength=num_row)
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int32), col[order], value[order]



def highs_said(h, col: np.ndarray, config: SolverConfig, seconds: float) -> Said:
    """What a live ``highspy.Highs`` says after a run, as a :class:`~scorer.mip.outcome.Said`.

    ``col``: the HiGHS column of each of the caller's columns (the order of the answer's values).
    """
    status = h.getModelStatus().name
    info = h.getInfo()
    objective = float(info.objective_function_value)
    if status == "kModelEmpty":  # no column at all: the empty answer, if the rows allow it
        lp = h.getLp()
        if np.all(np.asarray(lp.row_lower_) <= 0) and np.all(np.asarray(lp.row_upper_) >= 0):
            return Said("answer", 0.0, 0.0, np.zeros(0), seconds, config, status[1:])
        return Said("infeasible", np.nan, np.nan, np.zeros(0), seconds, config, status[1:])
    if status in _INFEASIBLE:
        return Said("infeasible", np.nan, np.nan, np.zeros(0), seconds, config, status[1:])
    if status != "kOptimal" and not (status in _STOPPED and np.isfinite(objective)
                                      and info.primal_solution_status == 2):
        return Said("none", np.nan, np.nan, np.zeros(0), seconds, config, status[1:])
    bound = float(info.mip_dual_bound)
    values = np.asarray(h.getSolution().col_value)[col]
    return Said("answer", objective, bound if np.isfinite(bound) else np.inf, values, seconds, config, status[1:])
