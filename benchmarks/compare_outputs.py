"""Record every command's output on several scenarios, or compare two records.

A restructuring must not change what users see. This script runs the
installed ``coprod`` for every command, in every format that matters, on the
default scenario and a few varied ones, and stores stdout, stderr, the exit
code and any written file under one folder per run::

    python benchmarks/compare_outputs.py record /tmp/before
    ... change the code ...
    python benchmarks/compare_outputs.py record /tmp/after
    python benchmarks/compare_outputs.py diff /tmp/before /tmp/after

``diff`` lists every case whose bytes differ and exits 1 if any does.
``--coprod PATH`` picks the executable (default: the one next to this
Python). Reports embed no clock or path, so two runs of the same code give
the same bytes (tests/cli/test_determinism.py guards that): the generated
scenarios are written to the same folder every time (``WORK``), reports are
dated by ``SOURCE_DATE_EPOCH``, and ``diff`` compares stderr as a sorted set
of lines, because what HiGHS prints from C and what Python prints reach the
same stream in an order that varies from run to run.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Fixed, so that messages naming a generated scenario read the same in every record.
WORK = Path(tempfile.gettempdir()) / "coprod-compare-outputs"

VARIANT = """\
version: 1
name: Variant (TOPSIS, tight budget)
criteria: {criteria}
candidates: {candidates}
horizon: {{start: 2026, end: 2033}}
budget:
  total: 3500
  per_year: 700
  per_partner:
    US: {{total: 2200}}
    JP: {{total: 1800, per_year: 380}}
rules:
  mandatory: [gpi]
  max_projects: 7
  categories:
    co-sustainment: {{min: 2}}
objective: {{delay_discount: 0.05}}
method: topsis
robustness: {{samples: 300, portfolio_samples: 40}}
seed: 7
"""


def scenarios(work: Path) -> dict[str, Path]:
    """The scenarios every command runs on, written under ``work``."""
    variant = work / "variant.yaml"
    variant.write_text(
        VARIANT.format(
            criteria=ROOT / "criteria/us-japan.yaml",
            candidates=ROOT / "candidates/us-japan.yaml",
        ),
        encoding="utf-8",
    )
    promethee = work / "promethee.yaml"
    text = (ROOT / "scenarios/baseline.yaml").read_text(encoding="utf-8")
    text = text.replace("../criteria/", f"{ROOT}/criteria/")
    text = text.replace("../candidates/", f"{ROOT}/candidates/")
    promethee.write_text(
        text.replace("method: weighted-sum", "method: promethee-ii"), encoding="utf-8"
    )
    return {
        "baseline": ROOT / "scenarios/baseline.yaml",
        "variant": variant,
        "promethee": promethee,
        "names": ROOT / "tests/data/model_names/scenario.yaml",
    }


def cases(scenario: Path) -> dict[str, list[str]]:
    """Command lines (after ``coprod``) for one scenario; ``{out}`` is a file or folder."""
    s = str(scenario)
    fast = ["--samples", "200", "--portfolio-samples", "20"]
    table = {
        "validate": ["validate", s],
        "weights": ["weights", s, "--format", "csv"],
        "weights-json": ["weights", s, "--format", "json"],
        "score-csv": ["score", s, "--format", "csv"],
        "score-json": ["score", s, "--format", "json"],
        "score-md": ["score", s, "--format", "markdown"],
        "score-w": ["score", s, "-w", "standardization=30", "--method", "topsis", "--format", "csv"],
        "score-xlsx": ["score", s, "-o", "{out}.xlsx"],
        "optimize-csv": ["optimize", s, "--format", "csv"],
        "optimize-json": ["optimize", s, "--format", "json"],
        "optimize-md": ["optimize", s, "--format", "markdown"],
        "optimize-table": ["optimize", s, "--format", "table"],
        "optimize-explain": ["optimize", s, "--explain", "--format", "json"],
        "optimize-explain-md": ["optimize", s, "--explain", "--format", "markdown"],
        "optimize-xlsx": ["optimize", s, "--explain", "-o", "{out}.xlsx"],
        "optimize-lp": ["optimize", s, "--lp", "{out}.lp", "--format", "json"],
        "optimize-mps": ["optimize", s, "--lp", "{out}.mps", "--format", "json"],
        "optimize-budget": ["optimize", s, "--budget", "2000", "--format", "json"],
        "optimize-cbc": ["optimize", s, "--solver", "cbc", "--format", "csv"],
        "sensitivity-json": ["sensitivity", s, *fast, "--format", "json"],
        "sensitivity-md": ["sensitivity", s, *fast, "--no-portfolios", "--format", "markdown"],
        "frontier-json": ["frontier", s, "--format", "json"],
        "frontier-year": ["frontier", s, "--year", "2028", "--format", "csv"],
        "alternatives-json": ["alternatives", s, "-k", "4", "--format", "json"],
        "alternatives-md": ["alternatives", s, "--format", "markdown"],
        "report": ["report", s, *fast, "-o", "{out}"],
        "compare-self": ["compare", s, s, "--format", "json"],
    }
    for kind in ("contributions", "gantt", "tornado", "acceptability", "core", "frontier"):
        table[f"chart-{kind}"] = ["chart", kind, s, "-o", "{out}.svg"]
    return table


def run_case(coprod: str, argv: list[str], out: Path, dest: Path) -> None:
    """Run one command line and store what it produced under ``dest``."""
    dest.mkdir(parents=True)
    args = [a.replace("{out}", str(out)) for a in argv]
    env = dict(os.environ, COLUMNS="120", NO_COLOR="1", LC_ALL="C.UTF-8", SOURCE_DATE_EPOCH="1767225600")
    proc = subprocess.run(
        [coprod, *args], capture_output=True, env=env, cwd=ROOT, timeout=900
    )
    (dest / "stdout").write_bytes(proc.stdout)
    (dest / "stderr").write_bytes(proc.stderr.replace(str(out).encode(), b"OUT"))
    (dest / "exit").write_text(f"{proc.returncode}\n")
    for produced in sorted(out.parent.glob(out.name + "*")):
        if produced.is_dir():
            shutil.copytree(produced, dest / "files" / produced.name.replace(out.name, "out"))
        else:
            (dest / "files").mkdir(exist_ok=True)
            shutil.copy(produced, dest / "files" / produced.name.replace(out.name, "out"))


def record(folder: Path, coprod: str) -> None:
    """Run every case on every scenario and store the results in ``folder``."""
    folder.mkdir(parents=True, exist_ok=False)
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir()
    try:
        work = WORK
        for name, scenario in scenarios(work).items():
            for case, argv in cases(scenario).items():
                out = work / "outputs" / f"{name}-{case}"
                out.parent.mkdir(exist_ok=True)
                run_case(coprod, argv, out, folder / name / case)
                print(f"{name}/{case}", file=sys.stderr)
        b = scenarios(work)
        run_case(coprod, ["compare", str(b["baseline"]), str(b["variant"]), "--format", "json"],
                 work / "outputs" / "compare", folder / "compare" / "baseline-variant")
        run_case(coprod, ["init", "{out}"], work / "outputs" / "init", folder / "init" / "init")
        for kind in ("criteria", "candidates", "scenario"):
            run_case(coprod, ["schema", kind], work / "outputs" / f"schema-{kind}",
                     folder / "schema" / kind)
    finally:
        shutil.rmtree(WORK, ignore_errors=True)


def digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by relative path, with its SHA-256."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(_comparable(p)).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _comparable(path: Path) -> bytes:
    """A stored file's bytes; stderr as its sorted lines (see the module docstring)."""
    data = path.read_bytes()
    return b"\n".join(sorted(data.splitlines())) if path.name == "stderr" else data


def diff(before: Path, after: Path) -> int:
    """Print every stored output that differs; 1 if any does, else 0."""
    a, b = digest(before), digest(after)
    changed = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    for key in changed:
        state = "only before" if key not in b else "only after" if key not in a else "differs"
        print(f"{state}: {key}")
    print(f"{len(a)} files before, {len(b)} after, {len(changed)} differ", file=sys.stderr)
    return 1 if changed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="action", required=True)
    rec = sub.add_parser("record")
    rec.add_argument("folder", type=Path)
    rec.add_argument("--coprod", default=str(Path(sys.executable).with_name("coprod")))
    dif = sub.add_parser("diff")
    dif.add_argument("before", type=Path)
    dif.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.action == "record":
        record(args.folder, args.coprod)
        return 0
    return diff(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
