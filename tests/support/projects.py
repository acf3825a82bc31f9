"""Projects, members and superusers for tests: set up through the API, as a client would.

Only `make_superuser` writes to the database directly: no endpoint grants that flag.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import update

from epicflow.auth.models import User
from epicflow.platform.db import Database
from tests.support.accounts import AccountSeeder
from tests.support.users import TestUser

PROJECTS = "/api/v1/projects"
PROBLEM = "application/problem+json"


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


def problem(response: Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The problem+json body of an answer that must have this status (and code, if given)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    if code is not None:
        assert body["code"] == code
    return body


def cursor_of(values: object) -> str:
    """A page cursor as the API encodes one, for forging cursors."""
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


async def all_pages(
    client: AsyncClient, url: str, user: TestUser, limit: int
) -> list[list[dict[str, Any]]]:
    """Every page of a listing, `limit` items at a time, following the cursors."""
    pages: list[list[dict[str, Any]]] = []
    params: dict[str, str | int] = {"limit": limit}
    while True:
        response = await client.get(url, params=params, headers=user.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body["items"])
        if body["next_cursor"] is None:
            return pages
        assert len(pages) < 50, "pagination does not end"
        params = {"limit": limit, "cursor": body["next_cursor"]}


class Roster:
    """A project WEB with one user in every role."""

    def __init__(
        self, owner: TestUser, admin: TestUser, member: TestUser, viewer: TestUser
    ) -> None:
        self.owner = owner
        self.admin = admin
        self.member = member
        self.viewer = viewer


async def make_roster(client: AsyncClient, accounts: AccountSeeder) -> Roster:
    roster = Roster(
        await accounts.create(),
        await accounts.create(),
        await accounts.create(),
        await accounts.create(),
    )
    await create_project(client, roster.owner, "WEB")
    await add_member(client, "WEB", roster.owner, roster.admin, role="admin")
    await add_member(client, "WEB", roster.owner, roster.member, role="member")
    await add_member(client, "WEB", roster.owner, roster.viewer, role="viewer")
    return roster


async def set_role(client: AsyncClient, by: TestUser, target: TestUser, role: str) -> Response:
    """`by` changes `target`'s role in WEB."""
    return await client.patch(member_url("WEB", target.id), json={"role": role}, headers=by.headers)
