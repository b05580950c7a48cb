"""Same inputs and seed, same bytes; and the order of candidates in the file does not matter.

Every command is run twice on the same files and its outputs compared byte
for byte (the report's date is fixed with ``SOURCE_DATE_EPOCH``, as its
help says). Then the candidates file is rewritten with its candidates in
other orders and every output must stay byte-identical: ties are broken by
id, never by file position. The order of *criteria* is presentation (the
score table has one column per criterion, in file order), so it is not
required to be irrelevant.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.cli.group import main
from testkit import CANDIDATES, NAMES

pytestmark = pytest.mark.slow  # every test here takes seconds (measured with --durations)

FAST = ("--workers", "1")
# (args, files written): "-" means the data goes to stdout.
RUNS = [
    (("validate", "scenario.yaml"), ()),
    (("schema",), ()),
    (("score", "scenario.yaml", "--format", "csv"), ()),
    (("score", "scenario.yaml", "--method", "promethee-ii", "-o", "score.json"), ("score.json",)),
    (("score", "scenario.yaml", "--method", "topsis", "-o", "score.xlsx"), ("score.xlsx",)),
    (("weights", "scenario.yaml", "--format", "json"), ()),
    (("optimize", "scenario.yaml", "--format", "json", "--explain"), ()),
    (("optimize", "scenario.yaml", "-o", "opt.csv", "--schedule", "sched.csv", "--lp", "model.lp"),
     ("opt.csv", "sched.csv", "model.lp")),
    (("sensitivity", "scenario.yaml", "--samples", "50", "--portfolio-samples", "5", *FAST, "-o", "sens.json"),
     ("sens.json",)),
    (("frontier", "scenario.yaml", "--steps", "4", *FAST, "-o", "front.json"), ("front.json",)),
    (("alternatives", "scenario.yaml", "-k", "3", "-o", "alt.json"), ("alt.json",)),
    (("compare", "scenario.yaml", "scenario.yaml", "--format", "json"), ()),
    (("chart", "gantt", "scenario.yaml", "-o", "gantt.svg"), ("gantt.svg",)),
    (("chart", "contributions", "scenario.yaml", "-o", "contrib.png"), ("contrib.png",)),
    (("report", "scenario.yaml", "--samples", "30", "--portfolio-samples", "4", *FAST, "-o", "rep"), ("rep",)),
]
IDS = [" ".join(a[:1] + tuple(x for x in a[1:] if x.startswith("-") and x not in FAST)[:2]) for a, _ in RUNS]


def outputs(folder: Path, args: tuple[str, ...], files: tuple[str, ...]) -> dict[str, bytes]:
    """Run once in ``folder``; every output's bytes by name (a folder's files by relative path)."""
    result = CliRunner().invoke(main, list(args), prog_name="coprod")
    assert result.exit_code == 0, result.output
    found = {"-": result.stdout_bytes}
    for name in files:
        path = folder / name
        items = sorted(path.rglob("*")) if path.is_dir() else [path]
        found.update({str(p.relative_to(folder)): p.read_bytes() for p in items if p.is_file()})
        for p in reversed(items):  # remove, so the next run writes afresh
            p.rmdir() if p.is_dir() else p.unlink()
        if path.is_dir():
            path.rmdir()
    return found


def reorder(text: str, order: list[int]) -> str:
    """The candidates file with its candidate entries in ``order``."""
    head, *blocks = text.split("  - id: ")
    return head + "".join("  - id: " + blocks[i] for i in order)


@pytest.fixture
def fixed_date(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z


@pytest.mark.parametrize("args,files", RUNS, ids=IDS)
def test_two_runs_give_the_same_bytes(write_case, tmp_path, monkeypatch, fixed_date, args, files):
    write_case(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert outputs(tmp_path, args, files) == outputs(tmp_path, args, files)


def without_hashes(data: bytes | None) -> bytes | None:
    """The bytes with SHA-256 digests blanked: a report's manifest must show the
    reordered file's own (different) hash; everything else must stay equal."""
    return None if data is None else re.sub(rb"\b[0-9a-f]{64}\b", b"<sha256>", data)


@pytest.mark.parametrize("args,files", RUNS, ids=IDS)
def test_the_order_of_candidates_does_not_matter(write_case, tmp_path, monkeypatch, fixed_date, args, files):
    write_case(tmp_path)
    monkeypatch.chdir(tmp_path)
    reference = outputs(tmp_path, args, files)
    n = CANDIDATES.count("  - id: ")
    for seed in (1, 2):
        order = list(range(n))
        random.Random(seed).shuffle(order)
        if order == sorted(order):
            order.reverse()
        (tmp_path / NAMES["candidates"]).write_text(reorder(CANDIDATES, order))
        shuffled = outputs(tmp_path, args, files)
        different = sorted(k for k in reference if without_hashes(reference[k]) != without_hashes(shuffled.get(k)))
        assert not different, f"order {order} changes {different}"


@pytest.mark.parametrize("args,files", RUNS, ids=IDS)
def test_the_order_of_keys_in_partners_does_not_matter(write_case, tmp_path, monkeypatch, fixed_date, args, files):
    # Partner columns (cost_<partner>, spend, model rows) come sorted by partner, not in key order.
    write_case(tmp_path)
    monkeypatch.chdir(tmp_path)
    reference = outputs(tmp_path, args, files)
    swapped, count = re.subn(r"partners: \{US: ([0-9.]+), JP: ([0-9.]+)\}", r"partners: {JP: \2, US: \1}", CANDIDATES)
    assert count == CANDIDATES.count("  - id: ")
    (tmp_path / NAMES["candidates"]).write_text(swapped)
    different = sorted(k for k, v in outputs(tmp_path, args, files).items()
                       if without_hashes(reference.get(k)) != without_hashes(v))
    assert not different, f"swapped partner keys change {different}"


# ------------------------------------------------------------ ties by id ---

TIE_CRITERIA = """version: 1
criteria:
  - id: merit
    name: Merit
    scale: {min: 0, max: 3}
    weight: 1
"""


@settings(max_examples=60, deadline=None)
@given(scores=st.lists(st.integers(0, 3), min_size=2, max_size=12), seed=st.integers(0, 10**6))
def test_ties_share_a_rank_and_are_listed_by_id(tmp_path_factory, scores, seed):
    folder = tmp_path_factory.mktemp("ties")
    ids = [f"c{i:02d}" for i in range(len(scores))]
    order = list(range(len(scores)))
    random.Random(seed).shuffle(order)  # the file order must not matter
    lines = ["version: 1", "candidates:"]
    for i in order:
        lines += [f"  - id: {ids[i]}", f"    name: N{i}", "    partners: {US: 1}", "    cost: [1]",
                  "    scores:", f"      merit: {scores[i]}"]
    (folder / "candidates.yaml").write_text("\n".join(lines) + "\n")
    (folder / "criteria.yaml").write_text(TIE_CRITERIA)
    (folder / "scenario.yaml").write_text("version: 1\nname: ties\ncriteria: criteria.yaml\n"
                                          "candidates: candidates.yaml\nhorizon: {start: 2026, end: 2027}\n")
    result = CliRunner().invoke(main, ["score", str(folder / "scenario.yaml"), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    # Best first; equal scores in id order; rank = 1 + number strictly better (competition ranking).
    expected = sorted(range(len(scores)), key=lambda i: (-scores[i], ids[i]))
    assert [r["id"] for r in rows] == [ids[i] for i in expected]
    for r in rows:
        mine = scores[ids.index(r["id"])]
        assert r["rank"] == 1 + sum(s > mine for s in scores)
