"""Re-solve benchmark: many portfolio solves of the default scenario with perturbed values.

Usage::

    python benchmarks/bench_resolve.py                      # 1,000 samples, 1 and 2 workers
    python benchmarks/bench_resolve.py --samples 200 --baseline 50 --workers 1 2 4

Prints, for the same seeded samples:

- the baseline: a fresh ``optimize()`` per sample (model built and solved
  through PuLP each time), on the first ``--baseline`` samples;
- :class:`scorer.portfolio.resolve.Resolver` in this process and through
  :func:`scorer.robustness.parallel.run_map` on each worker count: total seconds,
  milliseconds per solve, the CPU seconds the solves took (summed over
  workers, measured where they ran) and the speed-up against the baseline;
- the start-up cost of a local worker pool (forkserver, first and warm;
  spawn for comparison);
- whether every worker count gave the same portfolios, and whether the
  re-solves agree with the baseline.

Target (issue 5): 1,000 re-solves in < 30 s on the 2 cores here. The machine
is shared, so the load average is printed too: wall times stretch with it,
CPU times much less; the busiest worker's CPU time is what the wall time
would be on idle cores (plus the pool start-up).
"""

from __future__ import annotations

import argparse
import multiprocessing
import functools
import os
import time

import numpy as np

import scorer.robustness.parallel as parallel
from scorer.defaults import default_scenario
from scorer.inputs.loading import load_scenario
from scorer.mip.config import SolverConfig
from scorer.portfolio.solve import optimize
from scorer.robustness.parallel import run_map
from scorer.portfolio.problem import problem_from_inputs
from scorer.portfolio.resolve import Resolver
from scorer.scoring.score import candidate_values

TARGET_SECONDS = 30.0


def timed(fn):
    """(result, wall seconds, CPU seconds of this process) of ``fn()``."""
    c0, t0 = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0, time.process_time() - c0


def solve_timed(resolver: Resolver, values: np.ndarray) -> tuple:
    """One re-solve, the CPU seconds it took and the process that ran it (a worker, maybe)."""
    c0 = time.process_time()
    sol = resolver.solve(values)
    return sol, time.process_time() - c0, os.getpid()


def pool_startup() -> None:
    """Wall time of a trivial two-worker run_map: forkserver cold and warm, and spawn."""
    _, cold, _ = timed(lambda: run_map(abs, [1, -2], workers=2))
    _, warm, _ = timed(lambda: run_map(abs, [1, -2], workers=2))
    forkserver = parallel.pool_context
    parallel.pool_context = lambda: multiprocessing.get_context("spawn")
    try:
        _, spawn, _ = timed(lambda: run_map(abs, [1, -2], workers=2))
    finally:
        parallel.pool_context = forkserver
    print(f"pool start-up (2 workers, trivial tasks): forkserver cold {cold:.2f} s, warm {warm:.2f} s; "
          f"spawn {spawn:.2f} s (spawned workers then still import numpy/PuLP/HiGHS per worker)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--baseline", type=int, default=100, help="samples solved with optimize() for the ratio")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--spread", type=float, default=0.2, help="values times uniform(1-spread, 1+spread)")
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()

    inputs = load_scenario(default_scenario())
    problem, values = problem_from_inputs(inputs), candidate_values(inputs)
    s = inputs.scenario.solver
    config = SolverConfig(s.name, s.time_limit, s.gap, inputs.scenario.seed)
    rng = np.random.default_rng(args.seed)  # drawn here, before any distribution
    samples = list(values * rng.uniform(1 - args.spread, 1 + args.spread, (args.samples, problem.n)))
    print(f"default scenario: {problem.n} candidates; {args.samples} samples (values x U[{1 - args.spread:g}, "
          f"{1 + args.spread:g}], seed {args.seed}); {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f}")

    nb = min(args.baseline, args.samples)
    base, wall, cpu = timed(lambda: [optimize(problem, v, config) for v in samples[:nb]])
    per_base = wall / nb
    print(f"baseline optimize() per sample: {nb} solves in {wall:.2f} s = {per_base * 1e3:.1f} ms/solve "
          f"(CPU {cpu / nb * 1e3:.1f} ms)")

    pool_startup()
    first = None
    for w in args.workers:
        resolver = Resolver(problem, values, config)
        pairs, wall, _ = timed(lambda: run_map(functools.partial(solve_timed, resolver), samples, workers=w))
        got, cpu = [p[0] for p in pairs], sum(p[1] for p in pairs)
        busiest = max(sum(p[1] for p in pairs if p[2] == pid) for pid in {p[2] for p in pairs})
        per = wall / len(samples)
        verdict = "" if len(samples) != 1000 else f"  [target < {TARGET_SECONDS:g} s: " \
            f"{'met' if wall < TARGET_SECONDS else 'NOT met'}]"
        print(f"Resolver, {w} worker{'s' if w > 1 else ''}: {len(samples)} solves in {wall:.2f} s = "
              f"{per * 1e3:.1f} ms/solve (solve CPU {cpu:.1f} s = {cpu / len(samples) * 1e3:.1f} ms/solve); "
              f"{per_base / per:.1f}x the baseline{verdict}")
        print(f"  busiest worker's solve CPU {busiest:.1f} s: about the wall time on {w} idle core"
              f"{'s' if w > 1 else ''}, plus start-up")
        starts = np.array([sol.start for sol in got])
        if first is None:
            first = starts
            same = [abs(a.objective - b.objective) <= 1e-9 * max(1.0, abs(b.objective))
                    for a, b in zip(got, base)]
            print(f"  objective equal to optimize() on {sum(same)}/{nb} baseline samples")
        else:
            print(f"  portfolios identical to {args.workers[0]} worker(s): {bool(np.array_equal(starts, first))}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
