"""Robustness analyses: rank acceptability, flip points, frontier and k-best timings.

Usage::

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/bench_robustness.py
        [--samples 10000] [--candidates 1000] [--criteria 12] [--repeat 3] [--no-portfolio]

Prints, best of ``--repeat`` in one process, wall clock and CPU time (pin BLAS to one core as above
for the "one core" figure):

- rank acceptability of ``--samples`` Dirichlet weight samples x
  ``--candidates`` candidates: sampling, the one matrix product, the
  vectorised ranking and counting; against a baseline in the same process
  that ranks one sample at a time with :func:`scorer.scoring.ranking.rank_order`
  (timed on 500 samples and scaled), as a ratio. Target: under 0.5 s.
- exact top-rank flip points of every criterion on the same candidates,
  against a 1,001-point weight grid per criterion.
- on the default scenario (unless ``--no-portfolio``): portfolio flip points
  (tolerance 0.01), an 11-level frontier and the 5 best portfolios, with 1
  and 2 workers. The 1,000-re-solve benchmark and its re-solve/rebuild ratio
  are in ``benchmarks/bench_resolve.py``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from scorer.scoring.aggregation import PreferenceFunction
from scorer.robustness.flips import ranking_flips, weights_at
from scorer.inputs.models import CriteriaFile
from scorer.scoring.ranking import rank_order
from scorer.robustness.sampling import SampleSpec, ScoringBasis, dirichlet_weights
from scorer.scoring.ranking import rank_positions
from scorer.robustness.smaa import acceptability

SEED = 20260101


def synthetic_basis(n: int, m: int) -> ScoringBasis:
    """Random values in [0, 1] (raw scores on a 0-1 scale), random weights."""
    rng = np.random.default_rng(SEED)
    values = rng.random((n, m))
    w = rng.random(m) + 0.1
    crit = CriteriaFile.model_validate({"version": 1, "criteria": [
        {"id": f"k{j}", "name": f"K{j}", "scale": {"min": 0.0, "max": 1.0}, "weight": 1.0} for j in range(m)]})
    return ScoringBasis("weighted-sum", [f"c{i:05d}" for i in range(n)], [f"C{i}" for i in range(n)],
                        [f"k{j}" for j in range(m)], w / w.sum(), values, values, values, values,
                        np.ones(m, dtype=bool), crit, [PreferenceFunction()] * m)


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    """Best wall-clock time of ``repeat`` runs (the CPU time of that run is kept in :data:`CPU`)."""
    times = []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - t0, time.process_time() - c0))
    wall, cpu = min(times)
    CPU[0] = cpu
    return wall


# CPU seconds of the last best_of: on a shared machine the wall clock also
# counts other processes' turns, the CPU time only ours.
CPU = [0.0]


def bench_acceptability(basis: ScoringBasis, samples: int, repeat: int) -> None:
    spec = SampleSpec(samples=samples, concentration=100.0, seed=SEED)

    def whole() -> np.ndarray:
        w = dirichlet_weights(basis.weights, spec.concentration, samples, np.random.default_rng(SEED))
        return acceptability(basis.scores(w), basis.ids)

    w = dirichlet_weights(basis.weights, spec.concentration, samples, np.random.default_rng(SEED))
    scores = basis.scores(w)
    t_sample = best_of(repeat, lambda: dirichlet_weights(basis.weights, 100.0, samples, np.random.default_rng(SEED)))
    t_product = best_of(repeat, lambda: basis.scores(w))
    t_rank = best_of(repeat, lambda: acceptability(scores, basis.ids))
    t_all = best_of(repeat, whole)
    c_all = CPU[0]
    few = min(500, samples)
    ids = np.array(basis.ids)

    def loop() -> None:
        counts = np.zeros((basis.n, basis.n))
        for k in range(few):  # the baseline: one sample at a time
            order, _ = rank_order(scores[k], ids)
            counts[order, np.arange(basis.n)] += 1

    t_loop = best_of(1, loop) * samples / few
    assert np.array_equal(rank_positions(scores[:3], basis.ids)[0], rank_order(scores[0], ids)[0])
    print(f"rank acceptability, {samples:,} samples x {basis.n:,} candidates x {len(basis.criteria)} criteria:")
    print(f"  weight sampling      {t_sample:8.3f} s")
    print(f"  one matrix product   {t_product:8.3f} s")
    print(f"  ranking + counting   {t_rank:8.3f} s")
    print(f"  total                {t_all:8.3f} s   (CPU {c_all:.3f} s; target < 0.5 s on one core)")
    print(f"  baseline, per-sample rank_order loop (500 samples, scaled): {t_loop:8.3f} s  "
          f"ratio {t_loop / t_all:6.1f}x")


def bench_flips(basis: ScoringBasis, repeat: int) -> None:
    t_exact = best_of(repeat, lambda: ranking_flips(basis))
    grid = np.linspace(0.0, 1.0, 1001)

    def by_grid() -> None:
        for c in range(len(basis.criteria)):  # the baseline: score every grid weight
            rank_positions(basis.scores(weights_at(basis.weights, c, grid)), basis.ids)

    t_grid = best_of(1, by_grid)
    print(f"top-rank flip points, {basis.n:,} candidates x {len(basis.criteria)} criteria:")
    print(f"  exact (roots of linear differences) {t_exact:8.4f} s")
    print(f"  baseline, 1,001-point grid          {t_grid:8.4f} s   ratio {t_grid / t_exact:6.1f}x "
          "(and the grid is only exact to 0.001)")


def bench_portfolio() -> None:
    from scorer.robustness.alternatives import k_best
    from scorer.defaults import default_scenario
    from scorer.robustness.flips import portfolio_flips
    from scorer.robustness.frontier import frontier, sweep_levels
    from scorer.inputs.loading import load_scenario
    from scorer.mip.config import SolverConfig
    from scorer.portfolio.problem import problem_from_inputs
    from scorer.robustness.sampling import scoring_basis

    inputs = load_scenario(default_scenario())
    basis = scoring_basis(inputs)
    problem = problem_from_inputs(inputs)
    values = basis.scores(basis.weights)
    config = SolverConfig()
    levels = sweep_levels(problem, None, None, 11)
    print("default scenario (13 candidates, 12 criteria, 2026-2035):")
    for workers in (1, 2):
        t_flip = best_of(1, lambda: portfolio_flips(basis, problem, config, tolerance=0.01, workers=workers))
        t_front = best_of(1, lambda: frontier(problem, values, config, levels, workers=workers))
        print(f"  workers={workers}: portfolio flip points (12 criteria, tol 0.01) {t_flip:7.2f} s; "
              f"frontier (11 levels) {t_front:6.2f} s")
    t_k = best_of(1, lambda: k_best(problem, values, config, 5))
    print(f"  5 best distinct portfolios (one model, 4 no-good cuts) {t_k:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--criteria", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-portfolio", action="store_true")
    args = parser.parse_args()
    basis = synthetic_basis(args.candidates, args.criteria)
    bench_acceptability(basis, args.samples, args.repeat)
    bench_flips(basis, args.repeat)
    if not args.no_portfolio:
        bench_portfolio()


if __name__ == "__main__":
    main()
