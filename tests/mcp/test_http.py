"""/mcp on a served API: the API's credentials, and only configured hosts and origins."""

from __future__ import annotations

import httpx

from tests.support.served_api import ServedProject

LIST = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def post(url: str, **headers: str) -> httpx.Response:
    return httpx.post(url + "/mcp", json=LIST, headers={**ACCEPT, **headers}, timeout=30)


def test_without_a_credential_it_is_401_with_a_bearer_challenge(project: ServedProject) -> None:
    for headers in ({}, {"Authorization": "Bearer efp_not-a-token"}):
        answer = post(project.url, **headers)
        assert answer.status_code == 401, answer.text
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
        assert answer.headers["content-type"] == "application/problem+json"


def test_a_foreign_origin_is_refused(project: ServedProject) -> None:
    bearer = f"Bearer {project.token}"
    answer = post(project.url, Authorization=bearer, Origin="https://evil.example")
    assert answer.status_code == 403, answer.text
    assert post(project.url, Authorization=bearer).status_code == 200
