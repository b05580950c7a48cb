"""``coprod bargain`` and ``optimize --objective`` through the installed executable, read with each format's parser."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from testkit import write_perspectives

COPROD = Path(sys.executable).with_name("coprod")


def coprod(*args: str) -> subprocess.CompletedProcess:
    assert COPROD.exists(), f"{COPROD} is not installed"
    return subprocess.run([str(COPROD), *args], capture_output=True, timeout=120, check=False)


def _json(*args: str) -> dict:
    done = coprod(*args, "--format", "json")
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


@pytest.fixture
def bilateral(case) -> Path:
    return write_perspectives(case)


@pytest.mark.slow
def test_bargain_json_is_the_contract_and_agrees_with_optimize(bilateral) -> None:
    doc = _json("bargain", str(bilateral))
    assert doc["partners"] == ["JP", "US"]
    assert doc["disagreement"] == {"JP": 0.0, "US": 10.0}
    front = doc["frontier"]
    assert front and set(doc["solutions"]) == {"joint", "nash", "balanced"}
    for a in front:
        assert set(a) == {"values", "joint", "selected"}
        for item in a["selected"]:
            assert set(item) == {"id", "start", "finish", "shares"} and sum(item["shares"].values()) == pytest.approx(1)
        assert not any(all(b["values"][p] >= a["values"][p] for p in doc["partners"]) and b is not a
                       and b["values"] != a["values"] for b in front)
    assert doc["ideal"] == {p: max(pt["values"][p] for pt in front) for p in doc["partners"]}
    for concept, sol in doc["solutions"].items():
        point = front[sol["point"]]
        assert sol["values"] == point["values"] and sol["selected"] == point["selected"]
        assert sol["gain"] == {p: point["values"][p] - doc["disagreement"][p] for p in doc["partners"]}
        chosen = _json("optimize", str(bilateral), "--objective", concept)
        assert chosen["partner_values"] == pytest.approx(point["values"])
        assert chosen["objective"] == pytest.approx(point["joint"])
        assert chosen["objective_concept"] == concept


@pytest.mark.slow
def test_optimize_of_a_partner_reaches_its_ideal(bilateral) -> None:
    ideal = _json("bargain", str(bilateral))["ideal"]
    for partner in ("JP", "US"):
        assert _json("optimize", str(bilateral), "--objective", partner)["partner_values"][partner] == \
            pytest.approx(ideal[partner])


def test_bargain_csv_is_the_frontier(bilateral) -> None:
    done = coprod("bargain", str(bilateral), "--format", "csv")
    assert done.returncode == 0, done.stderr.decode()
    rows = list(csv.DictReader(io.StringIO(done.stdout.decode())))
    assert list(rows[0]) == ["point", "value_JP", "value_US", "joint", "projects", "selected", "solution"]
    assert any("nash" in row["solution"] for row in rows)


def test_errors_in_the_librarys_terms(bilateral, case) -> None:
    done = coprod("optimize", str(bilateral), "--objective", "KR")
    assert done.returncode == 1 and done.stdout == b""
    assert done.stderr.decode().strip() == ("coprod: error: no partner 'KR' (partners: JP, US); "
                                             "on the command line: --objective")
    done = coprod("optimize", str(case.path), "--objective", "nash")
    assert done.returncode == 1 and "needs the partners' perspectives" in done.stderr.decode()
    done = coprod("bargain", str(case.path))
    assert done.returncode == 1 and "needs the partners' perspectives" in done.stderr.decode()


def test_an_unreachable_floor_is_named(bilateral) -> None:
    text = bilateral.read_text(encoding="utf-8").replace("disagreement: 10\n", "disagreement: 10\n    min_value: 1000\n")
    bilateral.write_text(text, encoding="utf-8")
    done = coprod("bargain", str(bilateral))
    assert done.returncode == 1
    err = done.stderr.decode()
    assert "US's value floor (1,000)" in err and "perspectives.US.min_value = 1,000" in err
    assert coprod("optimize", str(bilateral)).returncode == 1  # a floor holds for the joint objective too


def test_optimize_without_perspectives_has_no_partner_values(case) -> None:
    doc = _json("optimize", str(case.path))
    assert "partner_values" not in doc and "objective_concept" not in doc


@pytest.mark.slow
def test_slices_list_a_coarse_frontier_with_the_exact_solutions() -> None:
    scenario = str(Path(__file__).resolve().parents[2] / "scenarios/bilateral.yaml")
    exact = _json("bargain", scenario)
    coarse = _json("bargain", scenario, "--slices", "2", "--time-limit", "60")
    names = exact["partners"]
    assert coarse["exact"] is False and exact["spacing"] is None
    listed = [pt["values"] for pt in coarse["frontier"]]
    assert all(v in [pt["values"] for pt in exact["frontier"]] for v in listed)
    first, last = exact["frontier"][0]["values"], exact["frontier"][-1]["values"]
    assert coarse["spacing"] == pytest.approx((last[names[1]] - first[names[1]]) / 2)
    for pt in exact["frontier"]:  # covered: a listed point no worse for the first, less than the spacing below
        assert any(v[names[0]] >= pt["values"][names[0]] and v[names[1]] > pt["values"][names[1]] - coarse["spacing"]
                   for v in listed)
    for concept in ("joint", "nash", "balanced"):  # no ties here: the same points
        assert coarse["solutions"][concept]["values"] == exact["solutions"][concept]["values"], concept
    table = coprod("bargain", scenario, "--slices", "2", "--format", "table")
    assert table.returncode == 0 and b"coarse: every non-dominated point not listed" in table.stdout
