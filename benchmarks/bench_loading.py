"""Loading speed: parse + validate + cross-check a large generated scenario.

Usage::

    python benchmarks/bench_loading.py [--candidates 10000] [--criteria 30] [--years 15] [--long]

Writes a scenario with N candidates x K criteria (each running Y years) to a
temporary folder and prints the time of each stage of ``load_scenario``, then
the same candidates as a CSV and an xlsx table (written by ``coprod convert``'s
library), each loaded whole, beside YAML as ratios. ``--long`` writes every
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
        tables(folder, scenario, inputs.candidates, total)


def tables(folder: Path, scenario: Path, candidates: CandidatesFile, yaml_seconds: float) -> None:
    """The same candidates as CSV and xlsx: load_scenario of each, beside YAML's."""
    text = scenario.read_text()
    print("tables (load_scenario, everything):")
    for fmt in ("csv", "xlsx"):
        table = folder / f"candidates.{fmt}"
        table.write_bytes(candidates_as(candidates, fmt).content)
        path = folder / f"{fmt}.yaml"
        extra = "\ncurrency: USD million (notional)" if fmt == "csv" else ""
        path.write_text(text.replace("candidates: candidates.yaml", f"candidates: candidates.{fmt}{extra}"))
        loaded, seconds = timed(f"{fmt} ({table.stat().st_size / 2**20:.1f} MiB)", lambda p=path: load_scenario(p))
        assert loaded.candidates == candidates
        print(f"  {fmt} / yaml: {seconds / yaml_seconds:.2f}")


if __name__ == "__main__":
    main()
