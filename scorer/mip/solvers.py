"""PuLP's solvers made with every limit set, and what their solve stats say."""

from __future__ import annotations

import math

import numpy as np
import pulp

from scorer.errors import SolverError
from scorer.mip.config import SOLVERS, SolverConfig
from scorer.mip.outcome import INTEGRAL, Said
from scorer.mip.pulp_adapter import InterruptibleHiGHS

# A model whose last solve took less than this re-solves without the Ctrl-C thread, which
# costs ~10 ms a solve (measured on the default scenario); such a solve ends soon anyway.
QUICK_SOLVE = 0.25


def pulp_said(stats, values: np.ndarray, config: SolverConfig, sense: float) -> Said:
    """What PuLP's solve stats and the variables' values say, as a :class:`~scorer.mip.outcome.Said`.

    CBC out of time just after its root LP hands back that LP's fractional
    answer as "Optimal" (measured: 100 candidates at 0.03 s, half the runs):
    that is no portfolio. CBC stopped by its time limit inside the root LP
    says "Linear relaxation infeasible" (measured: 30 candidates at 0.05 s,
    one run in four): when CBC used up its time, that is no proof, only a
    lack of time.
    """
    fractional = stats.has_solution and np.abs(values - np.round(values)).max(initial=0.0) > INTEGRAL
    if not stats.has_solution or fractional:
        cut_short = config.name == "cbc" and stats.time >= config.time_limit
        if stats.status == pulp.LpSolveStatus.Infeasible and not cut_short and not fractional:
            return Said("infeasible", math.nan, math.nan, np.zeros(0), stats.time, config)
        why = "TimeLimit" if cut_short or fractional else stats.status.name
        return Said("none", math.nan, math.nan, np.zeros(0), stats.time, config, why)
    objective = float(stats.objective if stats.objective is not None else 0.0)
    return Said("answer", objective, pulp_bound(stats, objective, config, sense), values, stats.time, config,
                stats.status.name, sense)


def pulp_bound(stats, objective: float, config: SolverConfig, sense: float) -> float:
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


def make_solver(config: SolverConfig, interruptible: bool = True) -> pulp.LpSolver:
    """A solver object with time limit, gap and seed always set.

    ``interruptible``: in-process HiGHS answers Ctrl-C at once (see
    :class:`InterruptibleHiGHS`); otherwise only when the solve ends.
    """
    if config.name == "highs":
        highs = InterruptibleHiGHS if interruptible else pulp.HiGHS
        return highs(msg=False, timeLimit=config.time_limit, gapRel=config.gap, random_seed=config.seed)
    if config.name == "cbc":
        solver = pulp.COIN_CMD(msg=False, timeLimit=config.time_limit, gapRel=config.gap, randomSeed=config.seed)
        if not solver.available():
            raise SolverError('the CBC solver is not installed; install it with: pip install "pulp[cbc]>=4.2,<5"')
        return solver
    raise SolverError(f"unknown solver '{config.name}' (choose from {', '.join(SOLVERS)})")

