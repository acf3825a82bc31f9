"""A user with an API token and a project on a served API, set up over HTTP as a client would."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.users import PASSWORD


@dataclass
class ServedProject:
    """Project `key` on the API at `url`, owned by `email`, who holds API token `token`."""

    url: str
    email: str
    token: str
    key: str = "WEB"

    def _http(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url + "/api/v1",
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
        )

    def get(self, path: str, **params: Any) -> Any:
        with self._http() as http:
            response = http.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def task(self, title: str = "Implement the thing", **fields: Any) -> dict[str, Any]:
        with self._http() as http:
            response = http.post(f"/projects/{self.key}/tasks", json={"title": title, **fields})
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def claim(self, key: str) -> dict[str, Any]:
        with self._http() as http:
            response = http.post(f"/tasks/{key}/claim", json={"worker": "someone else"})
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body


def served_project(url: str, key: str = "WEB") -> ServedProject:
    email = f"worker-{uuid.uuid4().hex[:10]}@example.com"
    with httpx.Client(base_url=url + "/api/v1", timeout=30) as http:
        created = http.post("/auth/register", json={"email": email, "password": PASSWORD})
        assert created.status_code == 201, created.text
        login = http.post("/auth/token", data={"username": email, "password": PASSWORD})
        access = {"Authorization": f"Bearer {login.json()['access_token']}"}
        token = http.post("/users/me/tokens", json={"name": "tests"}, headers=access)
        assert token.status_code == 201, token.text
        project = http.post("/projects", json={"key": key, "name": key}, headers=access)
        assert project.status_code == 201, project.text
    return ServedProject(url, email, token.json()["token"], key)
