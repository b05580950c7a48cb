"""The default bilateral scenario end to end, through the installed executable.

``scenarios/bilateral.yaml`` must make the choice real (issue 15, item 7): a
frontier of several points, and the joint, Nash and balanced solutions not all
the same portfolio. Every figure here is read from the command's own JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

COPROD = Path(sys.executable).with_name("coprod")
ROOT = Path(__file__).resolve().parents[2]
BILATERAL = ROOT / "scenarios" / "bilateral.yaml"
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def coprod_json(*args: str) -> dict:
    done = subprocess.run([str(COPROD), "-q", *args, "--format", "json"], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def bargain() -> dict:
    return coprod_json("bargain", str(BILATERAL))


def _key(point: dict) -> tuple:
    return tuple(sorted((s["id"], s["start"]) for s in point["selected"]))


def test_the_frontier_has_several_points_none_dominated(bargain) -> None:
    partners = bargain["partners"]
    assert partners == ["JP", "US"]
    points = [tuple(p["values"][q] for q in partners) for p in bargain["frontier"]]
    assert len(points) >= 3
    for a in points:
        assert not any(b != a and all(y >= x for x, y in zip(a, b)) for b in points), a
    for q in partners:
        assert max(v[partners.index(q)] for v in points) == pytest.approx(bargain["ideal"][q], rel=1e-9)


def test_the_three_solutions_are_frontier_points_and_not_all_the_same(bargain) -> None:
    frontier = {_key(p) for p in bargain["frontier"]}
    chosen = {name: _key(bargain["solutions"][name]) for name in ("joint", "nash", "balanced")}
    assert set(chosen.values()) <= frontier
    assert len(set(chosen.values())) >= 2, chosen


def test_every_split_sums_to_one(bargain) -> None:
    for point in bargain["frontier"]:
        for project in point["selected"]:
            assert sum(project["shares"].values()) == pytest.approx(1.0, abs=1e-9)


def test_optimize_reports_partner_values_and_nash_matches_bargain(bargain) -> None:
    joint = coprod_json("optimize", str(BILATERAL))
    assert set(joint["partner_values"]) == {"US", "JP"}
    nash = coprod_json("optimize", str(BILATERAL), "--objective", "nash")
    got = tuple(sorted((s["id"], s["start"]) for s in nash["selected"]))
    assert got == _key(bargain["solutions"]["nash"])


def test_baseline_has_no_partner_values_or_shares() -> None:
    data = coprod_json("optimize", str(BASELINE))
    assert "partner_values" not in data
    assert all("shares" not in s for s in data["selected"])
