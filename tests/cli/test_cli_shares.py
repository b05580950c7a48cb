"""``coprod optimize`` on a scenario with cost-share ranges, through the installed executable.

tests/data/shares/ranges.yaml is infeasible with the candidates' own fixed
splits and feasible once T-7A's may move: the split is shown (JSON, CSV,
the partner_costs table), checked here against every limit, and the same
on every run. Its LP and MPS files carry the share columns, and GLPK, CBC
and HiGHS find coprod's objective in them.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import highspy
import numpy as np
import pytest

from scorer.inputs.loading import load_scenario
from scorer.portfolio.feasibility import violations
from scorer.portfolio.problem import problem_from_inputs

COPROD = Path(sys.executable).with_name("coprod")
DATA = Path(__file__).resolve().parents[1] / "data/shares"
RANGES = DATA / "ranges.yaml"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(COPROD), *args], capture_output=True, text=True, timeout=120, cwd=cwd, check=False)


@pytest.fixture(scope="module")
def first_run() -> str:
    done = run("optimize", str(RANGES), "--format", "json")
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def document(first_run: str) -> dict:
    return json.loads(first_run)


def test_json_shows_the_split_and_it_passes_the_check(document: dict) -> None:
    p = problem_from_inputs(load_scenario(RANGES))
    start = np.full(p.n, -1)
    shares = p.shares.copy()
    for item in document["selected"]:
        i = p.index(item["id"])
        start[i] = item["start"]
        assert set(item["shares"]) == set(p.partners)
        shares[i] = [item["shares"][q] for q in p.partners]
    assert violations(p, start, shares) == []
    t7a = next(item for item in document["selected"] if item["id"] == "t7a")
    assert t7a["shares"]["JP"] == pytest.approx(2 / 3)  # JP's budget of 1,500 less GPI's and MRO's parts
    costs = document["partner_costs"]
    assert sum(c["share"] for c in costs.values()) == pytest.approx(1.0)
    assert 0.3 <= costs["JP"]["share"] <= 0.5  # rules.partner_share
    assert costs["JP"]["cost"] == pytest.approx(sum(document["spend"][y]["JP"] for y in document["spend"]))


def test_the_same_split_twice(first_run: str) -> None:
    assert run("optimize", str(RANGES), "--format", "json").stdout == first_run


def test_csv_has_share_columns_and_costs_from_the_split(document: dict) -> None:
    done = run("optimize", str(RANGES), "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert list(rows[0])[-2:] == ["share_JP", "share_US"]
    for row in rows:
        shown = next(item for item in document["selected"] if item["id"] == row["id"])
        assert float(row["share_JP"]) == pytest.approx(shown["shares"]["JP"], rel=1e-9)
        assert float(row["cost_JP"]) == pytest.approx(float(row["cost_total"]) * float(row["share_JP"]), rel=1e-9)


def test_markdown_has_the_partner_costs_section() -> None:
    done = run("optimize", str(RANGES), "--format", "markdown")
    assert done.returncode == 0, done.stderr
    assert "Each partner's cost with the chosen split, and its share of the portfolio's cost" in done.stdout
    assert re.search(r"^\| JP \|", done.stdout, re.MULTILINE)


@pytest.mark.slow
def test_fixed_shares_are_infeasible_and_the_message_says_why(tmp_path: Path) -> None:
    text = RANGES.read_text(encoding="utf-8")
    fixed = re.sub(r"\nshares:\n(  .*\n)+", "\n", text.replace("../../../", str(DATA.parents[2]) + "/"))
    (tmp_path / "fixed.yaml").write_text(fixed, encoding="utf-8")
    done = run("optimize", str(tmp_path / "fixed.yaml"), "--format", "json")
    assert done.returncode == 1 and done.stdout == ""
    assert "need 1,577.5 from JP in total but JP's total budget is 1,500" in done.stderr


def test_a_narrow_range_is_named_in_the_explanation(tmp_path: Path) -> None:
    text = RANGES.read_text(encoding="utf-8").replace("../../../", str(DATA.parents[2]) + "/")
    (tmp_path / "narrow.yaml").write_text(text.replace("t7a: {US: [0.1, 0.4], JP: [0.6, 0.9]}",
                                                       "t7a: {US: [0.1, 0.2], JP: [0.8, 0.9]}"), encoding="utf-8")
    done = run("optimize", str(tmp_path / "narrow.yaml"), "--format", "json")
    assert done.returncode == 1
    # (1,500 - GPI's 940) / T-7A's 750: the least JP share that fits JP's budget.
    assert "widen t7a's JP share to 0.7467, or" in done.stderr
    assert "candidates.t7a.partners.JP = 0.8" in done.stderr
    assert "Traceback" not in done.stderr


def _glpk(path: Path, folder: Path) -> float:
    report = folder / f"glpk-{path.suffix[1:]}.txt"
    done = subprocess.run([shutil.which("glpsol") or "glpsol", "--lp" if path.suffix == ".lp" else "--freemps",
                           str(path), "-o", str(report)], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    text = report.read_text()
    assert re.search(r"^Status:\s+INTEGER OPTIMAL$", text, re.MULTILINE), text[:400]
    return float(re.search(r"^Objective:\s+\S+ = (\S+) ", text, re.MULTILINE).group(1))


def _cbc(path: Path, folder: Path) -> float:
    found = Path(sys.executable).parent / "cbc"
    solution = folder / f"cbc-{path.suffix[1:]}.txt"
    done = subprocess.run([str(found) if found.exists() else shutil.which("cbc") or "cbc", str(path), "-solve",
                           "-solu", str(solution)], capture_output=True, text=True, timeout=120, cwd=folder,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    head = solution.read_text().splitlines()[0]
    assert head.startswith("Optimal"), head
    return float(head.rsplit(" ", 1)[1])


def _highs(path: Path, folder: Path) -> float:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    assert h.readModel(str(path)) == highspy.HighsStatus.kOk
    h.setOptionValue("mip_rel_gap", 0.0)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    lp = h.getLp()
    shares = [k for k, name in enumerate(lp.col_names_) if name.startswith("y_t7a_")]
    assert shares and all(lp.integrality_[k] != highspy.HighsVarType.kInteger for k in shares)
    return h.getInfo().objective_function_value


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["lp", "mps"])
def test_model_files_with_share_columns_give_coprods_objective(document: dict, fmt: str, tmp_path: Path) -> None:
    path = tmp_path / f"m.{fmt}"
    done = run("optimize", str(RANGES), "--format", "json", "--lp", str(path))
    assert done.returncode == 0, done.stderr
    text = path.read_text()
    assert "y_t7a_2026_JP" in text and "split_t7a_2026" in text and "range_min_t7a_JP" in text
    assert "share_min_JP" in text and "share_max_JP" in text
    sign = 1.0 if fmt == "lp" else -1.0  # MPS minimises minus_value
    for reader in (_glpk, _cbc, _highs):
        assert sign * reader(path, tmp_path) == pytest.approx(document["objective"], rel=1e-6), reader.__name__
