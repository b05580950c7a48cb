"""Every use of PuLP's (and highspy's) private API, each with the measured reason it is worth it.

Nothing else in coprod touches a private PuLP attribute; tests/mip/test_pulp_adapter.py fails
loudly when a PuLP release removes one of them.
"""

from __future__ import annotations

import threading

import numpy as np
import pulp

from scorer.mip.cancelled import leave_running

# Seconds a cancelled HiGHS run is waited for before Ctrl-C goes on without it.
CANCEL_WAIT = 0.25


def affine(variables: list, ids: np.ndarray, idx: np.ndarray, coef: np.ndarray) -> pulp.LpAffineExpression:
    """sum(coef * variables[idx]) in one batch call; ``ids[j]`` is ``variables[j].id``.

    Private: ``LpAffineExpression._expr.add_term_ids_coeffs`` and
    ``LpVariable._var.containing_model``. It is the batch path of
    :func:`pulp.lpSum_vars_coefs` without its per-term Python checks (our
    arrays are finite and of one model). Measured on benchmarks/bench_optimizer.py's
    5,000 candidates (21,965 start options, 1,469 rows), three runs each on 2 busy
    cores: the model builds in 0.72-0.98 s with it and 1.46-2.40 s with
    ``lpSum_vars_coefs``; a new objective (``set_values``, once per explained
    candidate and per robustness sample) takes 1.1-1.8 ms against 56-114 ms.
    Falls back to the public function if the attributes go.
    """
    expr = pulp.LpAffineExpression.empty()
    if len(idx) == 0:
        return expr
    coef = np.ascontiguousarray(coef, dtype=np.float64)
    try:
        expr._expr.add_term_ids_coeffs(variables[0]._var.containing_model(), ids[idx], coef)
    except AttributeError:  # pragma: no cover - other PuLP 4 releases (the test says so first)
        expr = pulp.lpSum_vars_coefs([(variables[j], c) for j, c in zip(idx.tolist(), coef.tolist())])
    return expr


def live_highs(solver: pulp.HiGHS, prob: pulp.LpProblem, variables: list):
    """PuLP's own steps of a HiGHS solve without the run: the live ``highspy.Highs`` exactly as PuLP builds it.

    Private: ``HiGHS.createAndConfigureSolver``, ``HiGHS.buildSolverModel`` and
    ``LpProblem.solverModel``. The Resolver re-runs this one model with new
    costs and bounds instead of a PuLP solve per sample, which rebuilds it each
    time (measured with benchmarks/bench_resolve.py on the default scenario:
    29 ms of CPU per re-solve against 112 ms for a fresh ``optimize()``).

    Returns
    -------
    highspy.Highs
        The model (options, columns, rows, objective), not yet run.
    array of int32
        The HiGHS column of each of ``variables``: PuLP numbers columns in its own export order.
    """
    solver.createAndConfigureSolver(prob)
    solver.buildSolverModel(prob)
    ids = {v.id: j for j, v in enumerate(prob.exported_variables())}
    return prob.solverModel, np.array([ids[v.id] for v in variables], dtype=np.int32)


def handle_user_interrupt(highs, on: bool) -> None:
    """Let ``cancelSolve`` (and Ctrl-C) stop a running HiGHS, or not.

    ``Highs.HandleUserInterrupt`` is highspy's undocumented switch for its
    interrupt callbacks; without it ``cancelSolve`` does nothing. The callbacks
    cost about 15 % of a short solve (measured on the default scenario), so
    quick models run without them.
    """
    highs.HandleUserInterrupt = on


def run_interruptible(highs) -> None:
    """Run HiGHS in a thread so that Ctrl-C cancels the solve within a fraction of a second.

    A plain ``run()`` holds the main thread until HiGHS returns, which delays
    KeyboardInterrupt by up to the time limit; HiGHS releases the GIL while it works.
    After Ctrl-C the run is cancelled and waited for at most
    :data:`CANCEL_WAIT` seconds: HiGHS hears ``cancelSolve`` only between
    steps, which took from 0.05 to over 1 s on the 400-candidate test instance
    under load. A run still going then finishes on its own daemon thread, so
    ``highs`` must not be run again (every caller drops it on KeyboardInterrupt).
    """
    done = threading.Event()

    def run() -> None:
        try:
            highs.run()
        finally:
            done.set()

    # Not a daemon: an interpreter that exits normally must wait for a cancelled run (see scorer.mip.cancelled).
    worker = threading.Thread(target=run, name="highs-run")
    worker.start()
    try:
        while not done.wait(0.1):
            pass
    except KeyboardInterrupt:
        highs.cancelSolve()
        worker.join(CANCEL_WAIT)
        if worker.is_alive():
            leave_running(worker)
        raise


class InterruptibleHiGHS(pulp.HiGHS):
    """PuLP's in-process HiGHS, with Ctrl-C stopping a solve in the main thread at once.

    Private: overrides ``HiGHS.callSolver`` (the one step of PuLP's solve that
    runs HiGHS) and reads ``LpProblem.solverModel``. PuLP's own ``run()``
    holds Ctrl-C back until the solve ends, up to the whole time limit.
    """

    def callSolver(self, lp: pulp.LpProblem) -> None:
        if threading.current_thread() is not threading.main_thread():
            return super().callSolver(lp)  # no signal arrives here
        handle_user_interrupt(lp.solverModel, True)
        run_interruptible(lp.solverModel)
