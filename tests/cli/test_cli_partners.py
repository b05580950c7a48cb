"""``coprod partners`` through the installed executable, each output read with its own parser."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from markdown_it import MarkdownIt

from testkit import write_perspectives

COPROD = Path(sys.executable).with_name("coprod")
TABLES = ["ranking", "agreement", "weights", "disagreements", "raters"]


def coprod(*args: str, cwd: Path | None = None, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    assert COPROD.exists(), f"{COPROD} is not installed"
    return subprocess.run([str(COPROD), *args], capture_output=True, cwd=cwd, input=stdin, timeout=120,
                          check=False)


def _json(*args: str, **kwargs) -> dict | list:
    done = coprod(*args, "--format", "json", **kwargs)
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


@pytest.fixture
def bilateral(case) -> Path:
    return write_perspectives(case)


@pytest.mark.slow
def test_a_partners_values_are_coprod_score_with_its_weights(bilateral, case) -> None:
    # US's perspective is weights: {export_friction: 30} on the shared criteria file.
    doc = _json("partners", str(bilateral))
    scored = _json("score", str(case.path), "-w", "export_friction=30")
    want = {row["id"]: row["score"] for row in scored}
    assert {row["id"]: row["value_US"] for row in doc["ranking"]} == want
    ranks = {row["id"]: row["rank"] for row in scored}
    assert {row["id"]: row["rank_US"] for row in doc["ranking"]} == ranks
    # joint: file is coprod score itself.
    plain = {row["id"]: row["score"] for row in _json("score", str(case.path))}
    assert {row["id"]: row["value_joint"] for row in doc["ranking"]} == plain


@pytest.mark.slow
def test_json_holds_every_table_and_the_joint_settings(bilateral) -> None:
    doc = _json("partners", str(bilateral))
    assert doc["partners"] == ["JP", "US"] and doc["method"] == "weighted-sum" and doc["contributions"] is True
    assert doc["joint"] == {"method": "file", "influence": {"JP": 0.5, "US": 0.5}}
    assert all(name in doc for name in TABLES)
    ranking = doc["ranking"]
    assert [row["rank_joint"] for row in ranking] == sorted(row["rank_joint"] for row in ranking)
    assert all(row["rank_difference"] == abs(row["rank_JP"] - row["rank_US"]) for row in ranking)
    pairs = {(r["ranking_a"], r["ranking_b"]) for r in doc["agreement"]}
    assert pairs == {("JP", "US"), ("JP", "joint"), ("US", "joint")}
    assert sum(r["weight_US"] for r in doc["weights"]) == pytest.approx(1)
    explained = {r["id"] for r in doc["disagreements"]}
    worst = max(ranking, key=lambda r: r["rank_difference"])
    assert worst["id"] in explained and len(explained) <= 3
    for row in doc["disagreements"]:
        assert row["difference"] == pytest.approx(row["contribution_ahead"] - row["contribution_behind"])
        assert row["rank_ahead"] < row["rank_behind"]
    group = [r for r in doc["raters"] if r["rater"] == "group (AIJ)"]
    assert len(group) == 1 and 0 <= group[0]["consensus"] <= 1 and group[0]["consistency_ratio"] >= 0
    assert [r["rater"] for r in doc["raters"]] == ["ATLA", "JSDF", "group (AIJ)"]


@pytest.mark.slow
def test_csv_markdown_and_xlsx(bilateral, tmp_path) -> None:
    done = coprod("partners", str(bilateral), "--format", "csv")
    assert done.returncode == 0, done.stderr.decode()
    rows = list(csv.reader(io.StringIO(done.stdout.decode("utf-8"), newline="")))
    assert rows[0] == ["id", "name", "value_JP", "rank_JP", "value_US", "rank_US", "value_joint", "rank_joint",
                       "rank_difference"]
    assert len(rows) == 5
    assert b"CSV holds the ranking table only" in done.stderr
    done = coprod("partners", str(bilateral), "--format", "markdown")
    tokens = MarkdownIt("commonmark").enable("table").parse(done.stdout.decode("utf-8"))
    assert sum(t.type == "table_open" for t in tokens) == len(TABLES)
    out = tmp_path / "partners.xlsx"
    assert coprod("partners", str(bilateral), "-o", str(out)).returncode == 0
    assert openpyxl.load_workbook(out).sheetnames == [*TABLES, "about"]


@pytest.mark.slow
def test_stdin_and_a_non_additive_method(bilateral) -> None:
    doc = _json("partners", "-", "--method", "topsis", cwd=bilateral.parent, stdin=bilateral.read_bytes())
    assert doc["method"] == "topsis" and doc["contributions"] is False and doc["disagreements"] == []
    done = coprod("partners", str(bilateral), "--method", "topsis", "--format", "table")
    assert "topsis scores do not split into criterion contributions" in done.stdout.decode()


@pytest.mark.slow
def test_w_changes_the_shared_file_the_joint_and_us_start_from(bilateral) -> None:
    doc = _json("partners", str(bilateral), "-w", "cost_sharing=20")
    weights = {r["criterion"]: r for r in doc["weights"]}
    assert weights["cost_sharing"]["weight_US"] == pytest.approx(0.4 * 20 / 50)
    assert weights["cost_sharing"]["weight_joint"] == pytest.approx(0.4 * 20 / 30)


@pytest.mark.slow
def test_joint_mean_is_what_score_uses(case) -> None:
    path = write_perspectives(case, joint="joint: {method: mean, influence: {US: 1, JP: 3}}")
    doc = _json("partners", str(path))
    scored = {row["id"]: row["score"] for row in _json("score", str(path))}
    assert {row["id"]: row["value_joint"] for row in doc["ranking"]} == scored
    weights = _json("weights", str(path))
    assert weights["method"] == "joint mean"
    by_id = {r["criterion"]: r for r in doc["weights"]}
    for row in weights["criteria"]:
        want = 0.25 * by_id[row["id"]]["weight_US"] + 0.75 * by_id[row["id"]]["weight_JP"]
        assert row["effective_weight"] == pytest.approx(want)


@pytest.mark.slow
def test_a_scenario_without_perspectives_is_one_line_and_exit_1(case) -> None:
    done = coprod("partners", str(case.path), "--format", "json")
    assert done.returncode == 1 and done.stdout == b""
    lines = done.stderr.decode().splitlines()
    assert len(lines) == 1 and "has no perspectives" in lines[0], lines
