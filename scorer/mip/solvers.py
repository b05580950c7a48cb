"""PuLP's solvers made with every limit set, and HiGHS runs that Ctrl-C stops at once."""

from __future__ import annotations

import math
import threading

import numpy as np
import pulp

from scorer.errors import SolverError
from scorer.mip.config import SOLVERS, SolverConfig
from scorer.mip.outcome import Outcome

# A model whose last solve took less than this re-solves without the Ctrl-C thread, which
# costs ~10 ms a solve (measured on the default scenario); such a solve ends soon anyway.
QUICK_SOLVE = 0.25


def no_portfolio(stats, config: SolverConfig, fractional: bool) -> Outcome:
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
        f"time limit of {config.time_limit:g} s; raise solver.time_limit", settings=("solver.time_limit",)
    )


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

