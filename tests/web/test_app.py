"""The API of ``coprod serve`` in process (Starlette's test client): the command line's numbers, and 400s for bad input.

The command-line answers come from the installed executable in a subprocess,
parsed with ``json``, so the API is held to what a user of ``coprod score``
and ``coprod optimize`` sees.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from scorer.inputs.loading import load_scenario
from scorer.study.whatif import WhatIf
from scorer.web.app import create_app
from scorer.web.security import served_hosts

COPROD = Path(sys.executable).with_name("coprod")
REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "scenarios" / "baseline.yaml"
BILATERAL = REPO / "scenarios" / "bilateral.yaml"
TOKEN = "api-test-token"
HOST = "127.0.0.1:8765"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def client_for(path: Path) -> TestClient:
    app = create_app(WhatIf(load_scenario(path)), token=TOKEN, hosts=served_hosts("127.0.0.1", 8765))
    return TestClient(app, base_url=f"http://{HOST}", raise_server_exceptions=False)


@pytest.fixture(scope="module")
def baseline() -> TestClient:
    with client_for(BASELINE) as client:
        yield client


@pytest.fixture(scope="module")
def bilateral() -> TestClient:
    with client_for(BILATERAL) as client:
        yield client


def coprod_json(*args: str) -> object:
    assert COPROD.exists(), f"install the package first: no {COPROD}"
    done = subprocess.run([str(COPROD), *args, "--format", "json"], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def cli_flags(settings: dict) -> list[str]:
    flags = [f"-w{cid}={value!r}" for cid, value in settings.get("weights", {}).items()]
    if settings.get("budget") is not None:
        flags += ["--budget", repr(settings["budget"])]
    flags += [f"--year-cap={year}={cap!r}" for year, cap in settings.get("year_caps", {}).items()]
    return flags


def evaluate(client: TestClient, settings: dict) -> dict:
    answer = client.post("/api/evaluate", json=settings, headers=AUTH)
    assert answer.status_code == 200, answer.text
    return answer.json()


def criteria_ids(client: TestClient) -> list[str]:
    return [c["id"] for c in client.get("/api/scenario", headers=AUTH).json()["criteria"]]


# ------------------------------------------------------- CLI equality ---

WEIGHTS = st.floats(min_value=0.5, max_value=60, allow_nan=False).map(lambda x: round(x, 3))


@pytest.mark.slow
@settings(max_examples=6, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_evaluate_equals_score_and_optimize_on_random_weights(baseline, data) -> None:
    ids = criteria_ids(baseline)
    chosen = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=4, unique=True))
    settings_ = {"weights": {cid: data.draw(WEIGHTS) for cid in chosen}}
    if data.draw(st.booleans()):
        settings_["budget"] = data.draw(st.sampled_from([3000.0, 4200.5, 5200.0, 8000.0]))
    if data.draw(st.booleans()):
        settings_["year_caps"] = {"2027": data.draw(st.sampled_from([300.0, 650.0, 900.0]))}
    answer = evaluate(baseline, settings_)
    flags = cli_flags(settings_)
    scored = coprod_json("score", str(BASELINE), *[f for f in flags if f.startswith("-w")])
    assert answer["ranking"] == [{"rank": r["rank"], "id": r["id"], "score": r["score"]} for r in scored]
    assert answer["portfolio"] == coprod_json("optimize", str(BASELINE), *flags)


@pytest.mark.slow
@pytest.mark.parametrize("objective", ["joint", "nash", "JP"])
def test_evaluate_equals_optimize_with_perspectives(bilateral, objective) -> None:
    settings_ = {"weights": {"standardization": 25.0}, "objective": objective}
    answer = evaluate(bilateral, settings_)
    cli = coprod_json("optimize", str(BILATERAL), "-wstandardization=25.0", "--objective", objective)
    assert answer["portfolio"] == cli
    assert set(answer["partners"]) == {"JP", "US"}
    assert {p: v["value"] for p, v in answer["partners"].items()} == cli["partner_values"]


def test_evaluate_empty_body_is_the_file_and_changes_nothing(baseline) -> None:
    answer = evaluate(baseline, {})
    assert answer["changes"] == {"in": [], "out": [], "moved": []}
    assert answer["portfolio"]["status"] == "optimal"


def test_a_what_if_says_what_changed_against_the_file(baseline) -> None:
    before = evaluate(baseline, {})["portfolio"]
    after = evaluate(baseline, {"budget": 3500.0})
    was = {s["id"]: s["start"] for s in before["selected"]}
    now = {s["id"]: s["start"] for s in after["portfolio"]["selected"]}
    changes = after["changes"]
    assert changes["out"] == [i for i in was if i not in now] != []
    assert changes["in"] == [i for i in now if i not in was]
    assert changes["moved"] == [{"id": i, "from": was[i], "to": now[i]} for i in was if i in now and was[i] != now[i]]


def test_partner_weights_change_that_partners_value_only(bilateral) -> None:
    base = evaluate(bilateral, {})
    moved = evaluate(bilateral, {"partner_weights": {"US": {"operational_urgency": 0.0}}})
    assert moved["partners"]["US"]["effective"]["operational_urgency"] == 0.0
    assert moved["partners"]["JP"]["effective"] == base["partners"]["JP"]["effective"]
    # Under joint: mean the joint weights are the partners' mean, so the joint ranking moves too.
    assert moved["effective"] != base["effective"]


def test_the_scenario_document_lists_what_the_page_needs(bilateral) -> None:
    doc = bilateral.get("/api/scenario", headers=AUTH).json()
    assert doc["partners"] == ["JP", "US"]
    assert doc["objectives"] == ["joint", "nash", "balanced", "JP", "US"]
    assert doc["horizon"] == [2026, 2035]
    assert len(doc["candidates"]) == 13 and len(doc["criteria"]) == 12
    assert all(c["slider_max"] >= c["raw"] for c in doc["criteria"])
    assert abs(sum(c["effective"] for c in doc["criteria"]) - 1.0) < 1e-9


def test_bargain_is_coprod_bargains_document(bilateral) -> None:
    answer = bilateral.post("/api/bargain", json={}, headers=AUTH)
    assert answer.status_code == 200, answer.text
    assert answer.json() == coprod_json("bargain", str(BILATERAL))


def test_bargain_without_perspectives_is_a_400(baseline) -> None:
    answer = baseline.post("/api/bargain", json={}, headers=AUTH)
    assert answer.status_code == 400
    assert "perspectives" in answer.json()["error"]


# ------------------------------------------------------------ exports ---

def test_exports_are_the_command_lines_files(baseline, tmp_path) -> None:
    ranking = baseline.post("/api/export?what=ranking&format=csv", json={"weights": {"standardization": 30.0}},
                            headers=AUTH)
    assert ranking.status_code == 200
    assert ranking.headers["content-disposition"] == 'attachment; filename="ranking.csv"'
    out = tmp_path / "score.csv"
    done = subprocess.run([str(COPROD), "score", str(BASELINE), "-wstandardization=30.0", "-o", str(out)],
                          capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    assert ranking.content == out.read_bytes()
    book = baseline.post("/api/export?what=portfolio&format=xlsx", json={}, headers=AUTH)
    assert book.status_code == 200
    from python_calamine import CalamineWorkbook

    sheets = CalamineWorkbook.from_filelike(__import__("io").BytesIO(book.content)).sheet_names
    assert "portfolio" in sheets and "schedule" in sheets


@pytest.mark.parametrize("query", ["what=nothing&format=csv", "what=ranking&format=pdf", ""])
def test_unknown_exports_are_400s(baseline, query) -> None:
    answer = baseline.post(f"/api/export?{query}", json={}, headers=AUTH)
    assert answer.status_code == 400
    assert "can export ranking or portfolio" in answer.json()["error"]


# --------------------------------------------------------------- save ---

def test_save_weights_writes_the_file_keeping_its_comments(tmp_path) -> None:
    for folder in ("criteria", "candidates", "scenarios"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    criteria = tmp_path / "criteria" / "us-japan.yaml"
    before = criteria.read_text(encoding="utf-8")
    with client_for(tmp_path / "scenarios" / "baseline.yaml") as client:
        answer = client.post("/api/save-weights", json={"weights": {"standardization": 21}}, headers=AUTH)
        assert answer.status_code == 200, answer.text
        assert answer.json()["saved"] == {"standardization": 21.0}
        refused = client.post("/api/save-weights", json={"weights": {"nope": 1}}, headers=AUTH)
        assert refused.status_code == 400 and "nope" in refused.json()["error"]
    after = criteria.read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert changed == [("    weight: 15", "    weight: 21")]


def test_save_refuses_derived_weightings(tmp_path, write_case) -> None:
    rank = ("version: 1\n", ("version: 1\nweighting:\n  method: rank\n  rank:\n"
                              "    order: [standardization, export_friction, cost_sharing]\n"))
    unweighted = [("    weight: 15\n", ""), ("    weight: 5\n", ""), ("    weight: 10\n", "")]
    case = write_case(tmp_path, {"criteria": [rank, *unweighted]})
    with client_for(case.path) as client:
        assert client.get("/api/scenario", headers=AUTH).json()["editable"] is False
        answer = client.post("/api/save-weights", json={"weights": {"standardization": 2}}, headers=AUTH)
    assert answer.status_code == 400
    assert "derived by the rank method" in answer.json()["error"]


# -------------------------------------------------------------- 400s ---

BAD_BODIES = [
    (b"not json", "invalid json"),
    (b"[1, 2]", "input should be an object"),
    (b'{"weights": {"standardization": NaN}}', "weights.standardization"),
    (b'{"weights": {"standardization": Infinity}}', "weights.standardization"),
    (b'{"weights": {"standardization": -1}}', "greater than or equal to 0"),
    (b'{"weights": {"standardization": "5"}}', "weights.standardization"),
    (b'{"weights": {"standardization": true}}', "weights.standardization"),
    (b'{"weights": {"nope": 5}}', "unknown criterion 'nope'"),
    (b'{"budget": -5}', "budget"),
    (b'{"budget": 1e300}', "budget"),
    (b'{"year_caps": {"20x7": 5}}', "'20x7' is not a year"),
    (b'{"year_caps": {"2040": 5}}', "outside the horizon"),
    (b'{"method": "magic"}', "unknown method 'magic'"),
    (b'{"objective": "nash"}', "perspectives"),
    (b'{"partner_weights": {"US": {"standardization": 1}}}', "perspectives"),
    (b'{"colour": "red"}', "colour"),
]


@pytest.mark.parametrize(("body", "words"), BAD_BODIES)
def test_bad_bodies_are_400s_in_the_librarys_words(baseline, body, words) -> None:
    answer = baseline.post("/api/evaluate", content=body, headers={**AUTH, "content-type": "application/json"})
    assert answer.status_code == 400, answer.text
    assert words in answer.json()["error"].lower() or words in answer.json()["error"]
    assert evaluate(baseline, {})["portfolio"]["status"] == "optimal"  # and the server goes on


def test_an_infeasible_what_if_is_a_400_naming_the_limits(baseline) -> None:
    answer = baseline.post("/api/evaluate", json={"budget": 1.0}, headers=AUTH)
    assert answer.status_code == 400
    assert "budget" in answer.json()["error"]


JSON = st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                    max_leaves=8)
KEYS = st.sampled_from(["weights", "method", "budget", "year_caps", "objective", "partner_weights", "x"])


@pytest.mark.slow
@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.dictionaries(KEYS, JSON, max_size=4))
def test_no_body_makes_a_500(bilateral, body) -> None:
    answer = bilateral.post("/api/evaluate", content=json.dumps(body, allow_nan=True),
                            headers={**AUTH, "content-type": "application/json"})
    assert answer.status_code in (200, 400), answer.text
    if answer.status_code == 400:
        assert set(answer.json()) == {"error", "fields"} and "\n" not in answer.json()["error"]
