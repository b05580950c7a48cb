"""Model files (``coprod optimize --lp``) as GLPK, CBC and HiGHS read them.

Each file is written by the installed ``coprod`` and handed to the programs
people use: ``glpsol`` (Debian glpk-utils), the ``cbc`` binary of PuLP's cbc
extra, and HiGHS's own reader (``highspy.Highs().readModel``). Each must find
the objective and the portfolio of ``coprod optimize --format json``, under
the names the file gave (no reader may refuse or rename them). Scenarios: the
default one, and tests/data/model_names (synthetic: ids such as ``a-b`` and
``a_b`` that used to break or collide in these files).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from scorer.errors import OutputError
from scorer.present.modelfile import MAX_NAME, file_names, lp_text, mps_text, name_part, write_model
from scorer.portfolio.model import PortfolioModel
from scorer.portfolio.solve import optimize
from testkit import make_problem

REPO = Path(__file__).resolve().parents[2]
NAMES_SCENARIO = REPO / "tests/data/model_names/scenario.yaml"
SCENARIOS = {"default": (None, REPO / "candidates/us-japan.yaml"),
             "model_names": (NAMES_SCENARIO, NAMES_SCENARIO.parent / "candidates.yaml")}
COLUMN = re.compile(r"x_([a-z0-9_.]+)_(\d+)")
# Letters, digits and the two marks the names use: "." for "-", "~" before a number that keeps a name apart.
LP_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.~]*")
# Rows each file must have, named after their limits (and no "once_0").
EXPECTED_ROWS = {
    "default": ["once_air.defense.missiles", "once_gpi", "cap_total_2027", "cap_JP_2027", "cap_US_2035",
                "budget_total", "budget_US", "budget_JP", "mandatory_gpi", "max_projects",
                "cat_min_co.sustainment", "cat_max_joint.development", "requires_tactical.trainer_t7a_2029",
                "excludes_air.defense.missiles_patriot.licence.expansion"],
    "model_names": ["once_a.b", "once_a_b", "once_a._b", "once_.lead", "once_2027", "once_e1",
                    "cap_J.P_2026", "cap_J_P_2026", "budget_J.P", "budget_J_P", "mandatory_2027", "min_projects",
                    "cat_max_co.production", "cat_max_co_production", "cat_min_co_production",
                    "excludes_a_b_c", "excludes_a_b_c~2"],
}


def coprod() -> str:
    found = Path(sys.executable).parent / "coprod"
    return str(found) if found.exists() else shutil.which("coprod") or "coprod"


def required(program: str, where: str) -> str:
    """A solver the test needs: missing is a failure (CI installs it), never a skip."""
    found = Path(sys.executable).parent / program
    path = str(found) if found.exists() else shutil.which(program)
    assert path, f"{program} is not installed: {where}"
    return path


@dataclass(frozen=True)
class Written:
    """A model file written by ``coprod optimize --lp`` with the JSON of the same run."""

    scenario: str
    path: Path
    objective: float
    selected: set[tuple[str, int]]
    ids: set[str]


@dataclass(frozen=True)
class Read:
    """What a reader solved: its objective and each column's value, by the name it reports."""

    objective: float
    values: dict[str, float]
    log: str = ""


@pytest.fixture(scope="module", params=[(s, f) for s in SCENARIOS for f in ("lp", "mps")],
                ids=lambda p: f"{p[0]}-{p[1]}")
def written(request, tmp_path_factory) -> Written:
    name, fmt = request.param
    scenario, candidates = SCENARIOS[name]
    folder = tmp_path_factory.mktemp(f"{name}_{fmt}")
    model, out = folder / f"m.{fmt}", folder / "out.json"
    args = [coprod(), "optimize", *([str(scenario)] if scenario else []), "--format", "json", "-o", str(out),
            "--lp", str(model)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["status"] == "optimal"
    ids = {c["id"] for c in YAML(typ="safe").load(candidates.read_text(encoding="utf-8"))["candidates"]}
    return Written(name, model, doc["objective"], {(s["id"], s["start"]) for s in doc["selected"]}, ids)


def read_glpk(path: Path, folder: Path) -> Read:
    glpsol = required("glpsol", "Debian package glpk-utils")
    report = folder / "glpk.txt"  # glpsol deletes its -o file first: never /dev/null
    kind = "--lp" if path.suffix == ".lp" else "--freemps"
    done = subprocess.run([glpsol, kind, str(path), "-o", str(report)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    text = report.read_text()
    assert re.search(r"^Status:\s+(INTEGER )?OPTIMAL$", text, re.M), text[:500]  # no integer column: OPTIMAL
    objective = float(re.search(r"^Objective:\s+\S+ = (\S+) ", text, re.M).group(1))
    columns = text.split("Column name", 1)[1].split("Integer feasibility conditions", 1)[0]
    # "No. name * activity lower upper"; a long name puts the numbers on the next line.
    values = {m[1]: float(m[2]) for m in re.finditer(r"^\s*\d+ (\S+)\s+\*\s+(\S+)\s+\S+\s+\S+", columns, re.M)}
    return Read(objective, values, done.stdout)


def read_cbc(path: Path, folder: Path) -> Read:
    cbc = required("cbc", "the cbc binary of PuLP's cbc extra (pip install 'pulp[cbc]')")
    solution = folder / "cbc.txt"
    # "-printingOptions all": every row, then every column, each numbered from 0 (default: nonzero columns).
    done = subprocess.run([cbc, str(path), "-solve", "-printingOptions", "all", "-solu", str(solution)],
                          capture_output=True, text=True, timeout=120, cwd=folder)
    assert done.returncode == 0, done.stdout + done.stderr
    head, *lines = solution.read_text().splitlines()
    assert head.startswith("Optimal"), head
    entries = [line.split() for line in lines]
    columns = entries[max(k for k, e in enumerate(entries) if e[0] == "0"):]
    return Read(float(head.rsplit(" ", 1)[1]), {e[1]: float(e[2]) for e in columns}, done.stdout + done.stderr)


def read_highs(path: Path, folder: Path) -> Read:
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    assert h.readModel(str(path)) == highspy.HighsStatus.kOk
    h.setOptionValue("mip_rel_gap", 0.0)  # HiGHS stops at 1e-4 by default; coprod proved optimality
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    names = list(h.getLp().col_names_)
    return Read(h.getInfo().objective_function_value, dict(zip(names, h.getSolution().col_value)))


READERS = {"glpk": read_glpk, "cbc": read_cbc, "highs": read_highs}


def decoded(name: str) -> tuple[str, int]:
    """The (candidate id, start year) a column name stands for, by the README's rule."""
    match = COLUMN.fullmatch(name)
    assert match, name
    return match[1].replace(".", "-"), int(match[2])


@pytest.mark.slow
@pytest.mark.parametrize("reader", READERS)
def test_readers_find_coprods_objective_and_portfolio(written: Written, reader: str, tmp_path: Path) -> None:
    found = READERS[reader](written.path, tmp_path)
    # LP says Maximize; MPS minimises minus_value, so its readers report minus the value.
    sign = 1.0 if written.path.suffix == ".lp" else -1.0
    assert sign * found.objective == pytest.approx(written.objective, rel=1e-6)
    chosen = {decoded(name) for name, value in found.values.items() if value > 0.5}
    assert chosen == written.selected
    # The reader kept every name: each stands for a real candidate's start.
    assert {decoded(name)[0] for name in found.values} == written.ids
    assert not re.search(r"invalid|illegal|too long|renam", found.log, re.I), found.log


@pytest.mark.slow
def test_names_are_readable_distinct_and_lp_safe(written: Written) -> None:
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    assert h.readModel(str(written.path)) == highspy.HighsStatus.kOk
    lp = h.getLp()
    names = list(lp.col_names_) + list(lp.row_names_)
    assert len(set(names)) == len(names)
    assert all(LP_NAME.fullmatch(n) and len(n) <= MAX_NAME for n in names), [n for n in names if len(n) > 100]
    assert set(EXPECTED_ROWS[written.scenario]) <= set(lp.row_names_)
    assert not [n for n in lp.row_names_ if re.fullmatch(r"once_\d+", n) and n != "once_2027"]


def test_objective_sense_as_the_readme_says() -> None:
    """LP maximises; MPS has no OBJSENSE (GLPK 5.0 refuses one) and minimises minus the value."""
    model = default_model()
    mps, lp = mps_text(model), lp_text(model)
    assert not [line for line in mps.splitlines() if line.startswith("OBJSENSE")]
    assert mps.splitlines()[2:5] == ["NAME coprod_portfolio", "ROWS", " N  minus_value"]
    first = float(model.linear().cost[0])
    assert f"    x_air.defense.missiles_2027  minus_value  {-first!r}" in mps.splitlines()
    assert lp.splitlines()[1:3] == ["Maximize", f" value: {first!r} x_air.defense.missiles_2027"]


def default_model() -> PortfolioModel:
    from scorer.cli.commands.options import load
    from scorer.portfolio.problem import problem_from_inputs
    from scorer.scoring.score import candidate_values

    inputs = load(None)
    return PortfolioModel(problem_from_inputs(inputs), candidate_values(inputs))


def test_write_model_is_atomic_and_protects_inputs(tmp_path: Path) -> None:
    model = default_model()
    write_model(model, tmp_path / "m.lp")
    write_model(model, tmp_path / "m.MPS")
    assert (tmp_path / "m.lp").read_text() == lp_text(model)
    assert (tmp_path / "m.MPS").read_text() == mps_text(model)
    with pytest.raises(OutputError, match="refusing"):
        write_model(model, tmp_path / "m.lp", protected=[tmp_path / "m.lp"])
    with pytest.raises(OutputError, match="does not exist"):
        write_model(model, tmp_path / "nope" / "m.lp")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.MPS", "m.lp"]


# ------------------------------------------------------------------ names ---

IDS = st.text("ab-_0", min_size=1, max_size=6)  # a small alphabet, so that ids collide after slugging


def test_name_part() -> None:
    assert [name_part(t) for t in ("a-b", "a_b", "-lead", "co production", "x.y", "J-P")] == [
        "a.b", "a_b", ".lead", "co_production", "x_y", "J.P"]


@pytest.mark.slow
@given(st.lists(IDS, min_size=2, max_size=5, unique=True), st.data())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_names_never_collide_and_columns_decode(ids: list[str], data) -> None:
    n = len(ids)
    pairs = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1])
    requires = data.draw(st.lists(pairs, max_size=2, unique=True))
    excludes = data.draw(st.lists(pairs, max_size=3, unique_by=lambda p: frozenset(p)))
    partners = data.draw(st.lists(st.sampled_from(["J-P", "J_P", "US"]), min_size=1, max_size=3, unique=True))
    problem = make_problem([[10.0, 5.0]] * n, horizon=(2026, 2028), partners=partners, total=40.0,
                           per_year=25.0, partner_total={p: 30.0 for p in partners}, requires=requires,
                           excludes=excludes, categories=[["x-y", "x_y", "x y"][i % 3] for i in range(n)],
                           category_rules={"x-y": (None, 2), "x_y": (None, 2), "x y": (0, 2)},
                           mandatory=[0], max_projects=n)
    problem = replace(problem, ids=tuple(ids))
    model = PortfolioModel(problem, np.linspace(90.0, 40.0, n))
    columns, rows = file_names(model)
    assert len(set(columns + rows)) == len(columns) + len(rows)
    assert all(LP_NAME.fullmatch(name) and len(name) <= MAX_NAME for name in columns + rows)
    o = model.options
    assert [decoded(c) for c in columns] == [(ids[c], s) for c, s in zip(o.cand.tolist(), o.start.tolist())]


@pytest.mark.slow
@given(st.lists(IDS, min_size=2, max_size=4, unique=True))
@settings(max_examples=25, deadline=None)
def test_highs_reads_both_files_of_hostile_ids(ids: list[str]) -> None:
    import highspy

    n = len(ids)
    problem = replace(make_problem([[10.0, 5.0]] * n, horizon=(2026, 2028), total=30.0,
                                   excludes=[(0, 1)], requires=[(n - 1, 0)] if n > 2 else (),
                                   delay_discount=0.1), ids=tuple(ids))
    values = np.linspace(90.0, 40.0, n)
    best = optimize(problem, values).objective
    model = PortfolioModel(problem, values)
    with tempfile.TemporaryDirectory() as folder:
        for suffix, text, sign in ((".lp", lp_text(model), 1.0), (".mps", mps_text(model), -1.0)):
            path = Path(folder) / f"m{suffix}"
            path.write_text(text)
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
            assert h.readModel(str(path)) == highspy.HighsStatus.kOk
            h.setOptionValue("mip_rel_gap", 0.0)
            h.run()
            assert sign * h.getInfo().objective_function_value == pytest.approx(best, rel=1e-9)


def test_a_model_without_options_is_a_file_the_readers_read(tmp_path: Path) -> None:
    """Every candidate forbidden: no column, yet the limits' rows stay, on a column fixed at 0."""
    problem = make_problem([[10.0], [5.0]], total=30.0, per_year=20.0, forbidden=[0, 1], max_projects=1)
    model = PortfolioModel(problem, np.array([80.0, 60.0]))
    assert model.options.k == 0 and optimize(problem, np.array([80.0, 60.0])).objective == 0
    for suffix, text in ((".lp", lp_text(model)), (".mps", mps_text(model))):
        path = tmp_path / f"m{suffix}"
        path.write_text(text)
        for reader in (read_glpk, read_cbc, read_highs):
            assert reader(path, tmp_path).objective == 0, (suffix, reader.__name__)
