"""The guard in front of ``coprod serve``: token, Host, Origin, body cap and the headers of every answer."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from scorer.study.whatif import WhatIf
from scorer.web.app import create_app
from scorer.web.security import BODY_LIMIT, CSP, served_hosts

TOKEN = "security-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def client(default_inputs) -> TestClient:
    app = create_app(WhatIf(default_inputs), token=TOKEN, hosts=served_hosts("127.0.0.1", 8765))
    with TestClient(app, base_url="http://127.0.0.1:8765", raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize("path", ["/", "/api/scenario"])
def test_pages_with_data_need_the_token(client, path) -> None:
    assert client.get(path).status_code == 401
    assert client.get(path, params={"token": "wrong-token"}).status_code == 401
    assert client.get(path, headers={"Authorization": "Bearer wrong-token"}).status_code == 401
    assert client.get(path, headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401
    assert client.get(path, params={"token": TOKEN}).status_code == 200
    assert client.get(path, headers=AUTH).status_code == 200


def test_every_api_post_needs_the_token(client) -> None:
    for path in ("/api/evaluate", "/api/flips", "/api/bargain", "/api/save-weights", "/api/export", "/api/report"):
        assert client.post(path, json={}).status_code == 401, path


def test_static_files_need_no_token_and_hold_no_data(client) -> None:
    answer = client.get("/static/app.js")
    assert answer.status_code == 200
    assert "ship-mro" not in answer.text  # the data comes from the API, behind the token


@pytest.mark.parametrize("host", ["evil.example:8765", "127.0.0.1:9999", "127.0.0.1", "localhost.evil:8765", ""])
def test_a_foreign_host_is_refused(client, host) -> None:
    answer = client.get("/api/scenario", headers={**AUTH, "Host": host})
    assert answer.status_code == 403
    assert "Host" in answer.json()["error"]


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost:8765", "[::1]:8765", "LOCALHOST:8765"])
def test_loopbacks_names_are_served(client, host) -> None:
    assert client.get("/api/scenario", headers={**AUTH, "Host": host}).status_code == 200


def test_a_post_from_another_origin_is_refused(client) -> None:
    refused = client.post("/api/evaluate", json={}, headers={**AUTH, "Origin": "http://evil.example"})
    assert refused.status_code == 403
    same = client.post("/api/evaluate", json={}, headers={**AUTH, "Origin": "http://127.0.0.1:8765"})
    assert same.status_code == 200
    assert client.post("/api/evaluate", json={}, headers=AUTH).status_code == 200  # a script: no Origin


def test_a_body_over_the_cap_is_refused_declared_or_chunked(client) -> None:
    big = b" " * (BODY_LIMIT + 1)
    assert client.post("/api/evaluate", content=big, headers=AUTH).status_code == 413

    def chunks():
        for _ in range(BODY_LIMIT // 1024 + 2):
            yield b" " * 1024

    assert client.post("/api/evaluate", content=chunks(), headers=AUTH).status_code == 413
    assert client.post("/api/evaluate", content=b" " * 100 + b"{}", headers=AUTH).status_code == 200


def test_every_answer_carries_the_policy(client) -> None:
    for answer in (client.get("/", params={"token": TOKEN}), client.get("/static/app.css"), client.get("/api/scenario"),
                   client.get("/api/scenario", headers={"Host": "evil:1"})):
        assert answer.headers["content-security-policy"] == CSP
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["cache-control"] == "no-store"
    assert "'unsafe-inline'" not in CSP and "default-src 'self'" in CSP


def test_served_hosts() -> None:
    assert served_hosts("127.0.0.1", 80) == {"127.0.0.1:80", "localhost:80", "[::1]:80"}
    assert served_hosts("10.0.0.5", 8765) == {"10.0.0.5:8765"}
    assert served_hosts("0.0.0.0", 1, ["box", "10.1.1.1"]) == {"0.0.0.0:1", "box:1", "10.1.1.1:1"}
