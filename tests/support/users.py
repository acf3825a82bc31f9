"""Sign up and log in users through the API, as a client would."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from httpx import AsyncClient

PASSWORD = "correct horse battery"


@dataclass
class TestUser:
    __test__ = False  # a helper, not a test class

    id: str
    email: str
    access_token: str
    refresh_token: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class UserFactory:
    client: AsyncClient

    async def create(self, email: str | None = None, password: str = PASSWORD) -> TestUser:
        address = email or f"user-{uuid.uuid4().hex[:10]}@example.com"
        created = await self.client.post(
            "/api/v1/auth/register", json={"email": address, "password": password}
        )
        assert created.status_code == 201, created.text
        tokens = await self.login(address, password)
        return TestUser(
            id=created.json()["id"],
            email=address,
            access_token=tokens["access_token"],
            refresh_token=tokens["refresh_token"],
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
        )

    async def login(self, email: str, password: str = PASSWORD) -> dict[str, Any]:
        response = await self.client.post(
            "/api/v1/auth/token", data={"username": email, "password": password}
        )
        assert response.status_code == 200, response.text
        tokens: dict[str, Any] = response.json()
        return tokens
