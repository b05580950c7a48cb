"""Solving in a child process against solving in-process, and what the greedy start and budget bound give.

Usage::

    python benchmarks/bench_isolated.py [--sizes 1000 2000 5000] [--time-limit 10] [--gap 0.0001]

For each size it generates the scenario of ``bench_optimizer.py`` and prints
the number of start options, the greedy start (seconds, value) and the budget
bound (seconds, value, the greedy's gap to it), then solves the same model
twice with the same limits: in this process (the baseline) and in a child
process (``scorer/isolated.py``, which also gets the greedy start and the
bound). Each line gives wall seconds, status, gap and objective, and the
isolated run's wall time as a ratio of the baseline's. coprod isolates
models from ``SolverConfig.isolate_from`` start options on; this shows what that
costs or gains either side of the threshold. Beware that an in-process
baseline on a very large model may overrun its time limit by minutes, which
is the reason isolation exists.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_optimizer import generate  # noqa: E402

from dataclasses import replace  # noqa: E402

from scorer.portfolio.model import PortfolioModel
from scorer.mip.config import SolverConfig
from scorer.portfolio.solve import checked_solution  # noqa: E402
from scorer.mip.relaxation import budget_bound  # noqa: E402
from scorer.mip.warmstart import greedy_start  # noqa: E402


def solve(model: PortfolioModel, config: SolverConfig, isolated: bool) -> tuple[float, str]:
    config = replace(config, isolate_from=1 if isolated else 10**12)
    t0 = time.perf_counter()
    sol = checked_solution(model.problem, model.values, model.options, model.solve(config), model=model)
    wall = time.perf_counter() - t0
    return wall, f"{wall:7.2f} s  {sol.status:>8}  gap {sol.gap:8.4%}  objective {sol.objective:12.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 5000])
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--gap", type=float, default=1e-4)
    args = parser.parse_args()
    config = SolverConfig("highs", args.time_limit, args.gap, 42)
    threshold = config.isolate_from
    print(f"time limit {args.time_limit:g} s, gap {args.gap:g}; coprod isolates from {threshold:,} start options")
    for n in args.sizes:
        problem, values = generate(n)
        model = PortfolioModel(problem, values)
        linear = model.linear()
        t0 = time.perf_counter()
        x = greedy_start(linear)
        t1 = time.perf_counter()
        bound = budget_bound(linear)
        t2 = time.perf_counter()
        greedy = float(linear.cost @ x) if x is not None else float("nan")
        print(f"N={n}: {model.options.k:,} start options")
        print(f"  greedy start   {t1 - t0:6.2f} s  value {greedy:12.3f}" if x is not None
              else f"  greedy start   {t1 - t0:6.2f} s  none (a minimum it cannot reach)")
        print(f"  budget bound   {t2 - t1:6.2f} s  bound {bound:12.3f}  greedy gap {(bound - greedy) / bound:.4%}")
        base, text = solve(model, config, isolated=False)
        print(f"  in-process     {text}")
        iso, text = solve(model, config, isolated=True)
        print(f"  child process  {text}  ({iso / base:.2f}x the in-process time)")


if __name__ == "__main__":
    main()
