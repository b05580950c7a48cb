"""Loading speed: parse + validate + cross-check a large generated scenario.

Usage::

    python benchmarks/bench_loading.py [--candidates 10000] [--criteria 30] [--years 15] [--long]

Writes a scenario with N candidates x K criteria (each running Y years) to a
temporary folder and prints the time of each stage of ``load_scenario``, then
the same candidates as a CSV and an xlsx table (written by ``coprod convert``'s
library), each loaded whole (the fastest of ``--repeat`` loads), beside YAML
as ratios; then, for each format, where ``coprod optimize`` spends its time
(load, score, model, solve) under a budget that makes the choice real.
``--long`` writes every
score in the long form (value, low, high, rationale, source), which is about
five times the bytes of the shorthand ``criterion: 7``. As a baseline in the
same process it times ruamel.yaml's stock safe loader on the same text, so the
figures read as ratios on any machine.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from ruamel.yaml import YAML

from scorer.inputs.conversion import candidates_as
from scorer.inputs.crosscheck import check_all
from scorer.inputs.loading import load_scenario
from scorer.inputs.models import CandidatesFile
from scorer.inputs.yamlfile import read_yaml
from scorer.cli.stdio import data_stdout
from scorer.study.study import Study


def write_scenario(folder: Path, n: int, k: int, long_form: bool, years: int = 15, seed: int = 1) -> Path:
    """Write criteria, candidates and scenario files; return the scenario path."""
    rng = random.Random(seed)
    crit = ["version: 1", "criteria:"]
    for j in range(k):
        crit += [f"  - id: c{j}", f"    name: Criterion {j}", "    scale: {min: 0, max: 10}", f"    weight: {rng.randint(1, 20)}"]
    (folder / "criteria.yaml").write_text("\n".join(crit) + "\n")
    lines = ["version: 1", "currency: USD million (notional)", "candidates:"]
    for i in range(n):
        lines += [
            f"  - id: cand-{i}",
            f"    name: Candidate {i}",
            "    category: " + rng.choice(["joint-development", "co-production", "co-sustainment"]),
            "    partners: {US: 0.6, JP: 0.4}",
            "    cost: [" + ", ".join(str(rng.randint(5, 80)) for _ in range(years)) + "]",
            "    earliest_start: 2026",
            "    scores:",
        ]
        for j in range(k):
            v = rng.randint(2, 8)
            if long_form:
                lines.append(f"      c{j}: {{value: {v}, low: {v - 2}, high: {v + 2}, rationale: judged from the sources, source: GSSR}}")
            else:
                lines.append(f"      c{j}: {v}")
    (folder / "candidates.yaml").write_text("\n".join(lines) + "\n")
    scenario = folder / "scenario.yaml"
    scenario.write_text(
        "version: 1\nname: bench\ncriteria: criteria.yaml\ncandidates: candidates.yaml\n"
        f"horizon: {{start: 2026, end: {2026 + max(years, 15) - 1}}}\n"
    )
    return scenario


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    print(f"  {label:<32} {elapsed:8.2f} s")
    return result, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--criteria", type=int, default=30)
    parser.add_argument("--years", type=int, default=15, help="project years of each candidate")
    parser.add_argument("--long", action="store_true", help="long-form scores")
    parser.add_argument("--repeat", type=int, default=3, help="loads of each table (the fastest is the figure)")
    parser.add_argument("--time-limit", type=float, default=60,
                        help="the optimize part's solver time limit (0: skip that part)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        scenario = write_scenario(folder, args.candidates, args.criteria, args.long, args.years)
        cand_path = folder / "candidates.yaml"
        size = cand_path.stat().st_size / 2**20
        print(f"{args.candidates} candidates x {args.criteria} criteria, candidates file {size:.1f} MiB")
        text = cand_path.read_text()
        _, stock = timed("baseline: stock ruamel safe load", lambda: YAML(typ="safe").load(text))
        doc, parse = timed("coprod parse (read_yaml)", lambda: read_yaml(cand_path, "candidates.yaml"))
        _, validate = timed("pydantic validation", lambda: CandidatesFile.model_validate(doc.data))
        inputs, total = timed("load_scenario (everything)", lambda: load_scenario(scenario))
        _, cross = timed("cross-file checks alone", lambda: check_all(inputs.scenario, inputs.criteria, inputs.candidates))
        print(f"  parse speed-up over stock ruamel: {stock / parse:.2f}x")
        scenarios = tables(folder, scenario, inputs.candidates, total, args.repeat)
        if args.time_limit > 0:
            with data_stdout():  # HiGHS's banner goes to stderr, as in coprod optimize
                optimize_split(scenarios, inputs.candidates, args.time_limit)


def best_of(repeat: int, fn):
    """``fn()``'s result and its fastest time of ``repeat`` runs (the machine's noise is one-sided)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return result, min(times), max(times)


def tables(folder: Path, scenario: Path, candidates: CandidatesFile, yaml_seconds: float,
           repeat: int) -> dict[str, Path]:
    """The same candidates as CSV and xlsx: load_scenario of each, beside YAML's; the scenarios, by format."""
    text = scenario.read_text()
    print(f"tables (load_scenario, everything; fastest and slowest of {repeat}):")
    scenarios = {"yaml": scenario}
    for fmt in ("csv", "xlsx"):
        table = folder / f"candidates.{fmt}"
        table.write_bytes(candidates_as(candidates, fmt).content)
        path = scenarios[fmt] = folder / f"{fmt}.yaml"
        extra = "\ncurrency: USD million (notional)" if fmt == "csv" else ""
        path.write_text(text.replace("candidates: candidates.yaml", f"candidates: candidates.{fmt}{extra}"))
        loaded, fastest, slowest = best_of(repeat, lambda p=path: load_scenario(p))
        assert loaded.candidates == candidates
        print(f"  {fmt + f' ({table.stat().st_size / 2**20:.1f} MiB)':<32} {fastest:8.2f} s (slowest {slowest:.2f} s)"
              f"   {fmt} / yaml: {fastest / yaml_seconds:.2f}")
    return scenarios


def optimize_split(scenarios: dict[str, Path], candidates: CandidatesFile, time_limit: float) -> None:
    """Where ``coprod optimize`` spends its time, by input format: load, score, build the model, solve.

    A total budget of a third of all the candidates' money makes the choice
    real (the generator leaves no other limit that binds).
    """
    total = sum(sum(c.cost) for c in candidates.candidates) / 3
    print(f"optimize (budget total {total:,.0f}, time limit {time_limit:g} s):")
    for fmt, path in scenarios.items():
        budgeted = path.with_name(f"budgeted-{path.name}")
        budgeted.write_text(path.read_text() + f"budget: {{total: {total:.0f}}}\n")
        inputs, load = timed(f"{fmt}: load", lambda p=budgeted: load_scenario(p))
        study = Study(inputs, time_limit=time_limit)
        _, score = timed(f"{fmt}: score", study.scored)
        _, build = timed(f"{fmt}: build the model", lambda s=study: s.model)
        sol, solve = timed(f"{fmt}: solve and check", lambda s=study: s.solution)
        whole = load + score + build + solve
        print(f"  {fmt}: load is {load / whole:.0%} of {whole:.2f} s, the solve {solve / whole:.0%} "
              f"({sol.status}, {int(sol.selected.sum()):,} selected)")


if __name__ == "__main__":
    main()
