"""Who may call which project endpoint, as one table (SPEC §2 "Users and access").

Every cell (operation x caller) runs against a fresh project of its own whose roster
holds one user per role, two spare targets (a member and an admin) and a second owner, so that
removing or demoting an owner is never refused only because they are the last one. Non-members get
404 (existence is not disclosed), callers without credentials 401, a role too low 403.
A refused call must leave the project and its memberships exactly as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from httpx import AsyncClient
from sqlalchemy import select

from epicflow.platform.db import Database
from epicflow.projects.models import Membership, Project
from tests.support.accounts import AccountSeeder
from tests.support.projects import add_member, create_project
from tests.support.users import TestUser

CALLERS = ("owner", "admin", "member", "viewer", "non-member", "superuser", "anonymous")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # "{key}" and "{target}" are filled in per cell
    target: str | None = None  # whose user id (or e-mail, for POST /members) the call names
    body: dict[str, Any] | None = None


OPERATIONS: dict[str, Operation] = {
    "read project": Operation("GET", "/api/v1/projects/{key}"),
    "rename project": Operation("PATCH", "/api/v1/projects/{key}", body={"name": "Renamed"}),
    "delete project": Operation("DELETE", "/api/v1/projects/{key}"),
    "list members": Operation("GET", "/api/v1/projects/{key}/members"),
    "add viewer": Operation(
        "POST", "/api/v1/projects/{key}/members", "newcomer", {"role": "viewer"}
    ),
    "add member": Operation(
        "POST", "/api/v1/projects/{key}/members", "newcomer", {"role": "member"}
    ),
    "add admin": Operation("POST", "/api/v1/projects/{key}/members", "newcomer", {"role": "admin"}),
    "add owner": Operation("POST", "/api/v1/projects/{key}/members", "newcomer", {"role": "owner"}),
    "member to viewer": Operation(
        "PATCH", "/api/v1/projects/{key}/members/{target}", "spare member", {"role": "viewer"}
    ),
    "member to admin": Operation(
        "PATCH", "/api/v1/projects/{key}/members/{target}", "spare member", {"role": "admin"}
    ),
    "admin to member": Operation(
        "PATCH", "/api/v1/projects/{key}/members/{target}", "spare admin", {"role": "member"}
    ),
    "owner to admin": Operation(
        "PATCH", "/api/v1/projects/{key}/members/{target}", "second owner", {"role": "admin"}
    ),
    "self to viewer": Operation(
        "PATCH", "/api/v1/projects/{key}/members/{target}", "self", {"role": "viewer"}
    ),
    "remove member": Operation("DELETE", "/api/v1/projects/{key}/members/{target}", "spare member"),
    "remove admin": Operation("DELETE", "/api/v1/projects/{key}/members/{target}", "spare admin"),
    "remove owner": Operation("DELETE", "/api/v1/projects/{key}/members/{target}", "second owner"),
    "leave": Operation("DELETE", "/api/v1/projects/{key}/members/{target}", "self"),
}

# fmt: off
EXPECTED: dict[str, tuple[int, int, int, int, int, int, int]] = {
    #                    owner admin member viewer non-member superuser anonymous
    "read project":     (200,  200,  200,   200,   404,       200,      401),
    "rename project":   (200,  200,  403,   403,   404,       200,      401),
    "delete project":   (204,  403,  403,   403,   404,       204,      401),
    "list members":     (200,  200,  200,   200,   404,       200,      401),
    "add viewer":       (201,  201,  403,   403,   404,       201,      401),
    "add member":       (201,  201,  403,   403,   404,       201,      401),
    "add admin":        (201,  403,  403,   403,   404,       201,      401),
    "add owner":        (201,  403,  403,   403,   404,       201,      401),
    "member to viewer": (200,  200,  403,   403,   404,       200,      401),
    "member to admin":  (200,  403,  403,   403,   404,       200,      401),
    "admin to member":  (200,  403,  403,   403,   404,       200,      401),
    "owner to admin":   (200,  403,  403,   403,   404,       200,      401),
    # An admin's own role is not below admin, so only an owner may change it; a superuser who is
    # not a member has no membership to change (404), like a non-member.
    "self to viewer":   (200,  403,  403,   403,   404,       404,      401),
    "remove member":    (204,  204,  403,   403,   404,       204,      401),
    "remove admin":     (204,  403,  403,   403,   404,       204,      401),
    "remove owner":     (204,  403,  403,   403,   404,       204,      401),
    # Anyone may leave; the owner may because a second owner remains.
    "leave":            (204,  204,  204,   204,   404,       404,      401),
}
# fmt: on


@dataclass
class Roster:
    people: dict[str, TestUser]

    def caller(self, name: str) -> TestUser | None:
        return None if name == "anonymous" else self.people[name]


async def _people(accounts: AccountSeeder) -> Roster:
    names = (
        "owner", "admin", "member", "viewer", "non-member", "spare member", "spare admin",
        "second owner", "newcomer",
    )  # fmt: skip
    people = {name: await accounts.create() for name in names}
    people["superuser"] = await accounts.create(superuser=True)
    return Roster(people)


async def _fresh_project(client: AsyncClient, roster: Roster, key: str) -> None:
    """A new project with the whole roster in place: each cell starts from this state."""
    owner = roster.people["owner"]
    await create_project(client, owner, key)
    for name, role in (
        ("admin", "admin"),
        ("member", "member"),
        ("viewer", "viewer"),
        ("spare member", "member"),
        ("spare admin", "admin"),
        ("second owner", "owner"),
    ):
        await add_member(client, key, owner, roster.people[name], role=role)


async def _state(db: Database) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    async with db.engine.connect() as connection:
        projects = await connection.execute(
            select(Project.id, Project.key, Project.name, Project.description).order_by(Project.key)
        )
        members = await connection.execute(
            select(Membership.project_id, Membership.user_id, Membership.role).order_by(
                Membership.project_id, Membership.user_id
            )
        )
        return [tuple(row) for row in projects], [tuple(row) for row in members]


def _request(
    operation: Operation, roster: Roster, caller: str, key: str
) -> tuple[str, dict[str, Any] | None]:
    target_id = ""
    body = operation.body
    if operation.target == "newcomer":
        body = {"email": roster.people["newcomer"].email, **(body or {})}
    elif operation.target == "self":
        # The anonymous caller names some real member: the answer must be 401 all the same.
        target_id = roster.people["member" if caller == "anonymous" else caller].id
    elif operation.target is not None:
        target_id = roster.people[operation.target].id
    return operation.path.format(key=key, target=target_id), body


async def _run_cell(
    client: AsyncClient, db: Database, roster: Roster, operation: str, caller: str, key: str
) -> str | None:
    """Play one cell on a fresh project; return what went wrong, naming the cell, or None."""
    await _fresh_project(client, roster, key)
    spec = OPERATIONS[operation]
    expected = EXPECTED[operation][CALLERS.index(caller)]
    url, body = _request(spec, roster, caller, key)
    user = roster.caller(caller)
    before = await _state(db)

    response = await client.request(
        spec.method, url, json=body, headers=user.headers if user else None
    )

    cell = f"[{operation} | {caller}] {spec.method} {url}"
    after = await _state(db)
    if response.status_code != expected:
        return f"{cell}: expected {expected}, got {response.status_code}: {response.text}"
    if expected >= 400:
        if response.headers["content-type"] != "application/problem+json":
            return f"{cell}: {response.headers['content-type']} instead of problem+json"
        if after != before:
            return f"{cell}: a refused call changed the project or its members"
    elif (spec.method == "GET") != (after == before):
        return f"{cell}: answered {expected} but {'changed' if after != before else 'kept'} state"
    return None


@pytest.fixture
def accounts(db: Database) -> AccountSeeder:
    return AccountSeeder(db)


@pytest.mark.parametrize("operation", list(EXPECTED))
async def test_each_caller_gets_the_status_the_table_says(
    client: AsyncClient, accounts: AccountSeeder, db: Database, operation: str
) -> None:
    """One row of the table: the users are made once, every caller gets a project of its own."""
    roster = await _people(accounts)
    failures = []
    for index, caller in enumerate(CALLERS):
        failure = await _run_cell(client, db, roster, operation, caller, key=f"C{index}")
        if failure is not None:
            failures.append(failure)
    if failures:
        pytest.fail("\n".join(failures), pytrace=False)


def test_the_table_covers_every_project_and_member_route(app: FastAPI) -> None:
    covered = {(spec.method, spec.path) for spec in OPERATIONS.values()}
    project_paths = {
        "/api/v1/projects/{key}",
        "/api/v1/projects/{key}/members",
        "/api/v1/projects/{key}/members/{user_id}",
    }
    routes = {
        (method, route.path.replace("{user_id}", "{target}"))
        for route in app.routes
        if isinstance(route, APIRoute) and route.path in project_paths
        for method in route.methods
    }
    assert routes == covered
    assert set(EXPECTED) == set(OPERATIONS)
