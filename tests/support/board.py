from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from httpx import AsyncClient, Response

from tests.support.users import TestUser, UserFactory


@dataclass
class Board:
    """A project `WEB` owned by `owner`, driven through the API."""

    client: AsyncClient
    owner: TestUser
    key: str = "WEB"

    async def task(self, title: str = "Implement the thing", **fields: Any) -> dict[str, Any]:
        response = await self.create(title=title, **fields)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def create(self, **fields: Any) -> Response:
        return await self.client.post(
            f"/api/v1/projects/{self.key}/tasks", json=fields, headers=self.owner.headers
        )

    async def patch(
        self, key: str, headers: dict[str, str] | None = None, **fields: Any
    ) -> Response:
        return await self.client.patch(
            f"/api/v1/tasks/{key}", json=fields, headers={**self.owner.headers, **(headers or {})}
        )

    async def get(self, key: str) -> dict[str, Any]:
        response = await self.client.get(f"/api/v1/tasks/{key}", headers=self.owner.headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def epic(self, slug: str, **fields: Any) -> dict[str, Any]:
        response = await self.client.post(
            f"/api/v1/projects/{self.key}/epics",
            json={"slug": slug, "title": slug.title(), **fields},
            headers=self.owner.headers,
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def member(self, role: str) -> TestUser:
        """A new user added to the project with `role`."""
        user = await UserFactory(self.client).create()
        response = await self.client.post(
            f"/api/v1/projects/{self.key}/members",
            json={"email": user.email, "role": role},
            headers=self.owner.headers,
        )
        assert response.status_code == 201, response.text
        return user

    async def list(self, **params: Any) -> dict[str, Any]:
        response = await self.client.get(
            f"/api/v1/projects/{self.key}/tasks", params=params, headers=self.owner.headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


async def make_board(client: AsyncClient, users: UserFactory, key: str = "WEB") -> Board:
    owner = await users.create()
    created = await client.post(
        "/api/v1/projects", json={"key": key, "name": key.title()}, headers=owner.headers
    )
    assert created.status_code == 201, created.text
    return Board(client, owner, key)
