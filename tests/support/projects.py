"""Projects, members and superusers for tests: set up through the API, as a client would.

Only `make_superuser` writes to the database directly: no endpoint grants that flag.
"""

from __future__ import annotations

import uuid
from typing import Any

from httpx import AsyncClient
from sqlalchemy import update

from epicflow.auth.models import User
from epicflow.platform.db import Database
from tests.support.users import TestUser

PROJECTS = "/api/v1/projects"


def project_url(key: str) -> str:
    return f"{PROJECTS}/{key}"


def members_url(key: str) -> str:
    return f"{PROJECTS}/{key}/members"


def member_url(key: str, user_id: str) -> str:
    return f"{PROJECTS}/{key}/members/{user_id}"


async def make_superuser(db: Database, user: TestUser) -> None:
    """Grant the superuser flag the way an operator would: straight in the database."""
    statement = update(User).where(User.id == uuid.UUID(user.id)).values(is_superuser=True)
    async with db.engine.begin() as connection:
        result = await connection.execute(statement)
    assert result.rowcount == 1


async def create_project(
    client: AsyncClient, owner: TestUser, key: str, name: str | None = None, **extra: Any
) -> dict[str, Any]:
    response = await client.post(
        PROJECTS,
        json={"key": key, "name": name or f"Project {key}", **extra},
        headers=owner.headers,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def add_member(
    client: AsyncClient, key: str, by: TestUser, user: TestUser, role: str = "member"
) -> dict[str, Any]:
    response = await client.post(
        members_url(key), json={"email": user.email, "role": role}, headers=by.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def member_roles(client: AsyncClient, key: str, by: TestUser) -> dict[str, str]:
    """Every member's role by e-mail, read through the API."""
    response = await client.get(members_url(key), params={"limit": 200}, headers=by.headers)
    assert response.status_code == 200, response.text
    return {item["email"]: item["role"] for item in response.json()["items"]}
