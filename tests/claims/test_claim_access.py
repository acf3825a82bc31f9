"""Who may claim and complete. On PostgreSQL a claim and a completion read the caller's access in
the same statement as their call, so each caller is tried on that path (a claim order already
fresh) as well as the first claim after a change of the graph; a refused call changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from httpx import Response
from sqlalchemy import func, select

from epicflow.events.models import Event
from epicflow.platform.db import Database
from epicflow.tasks.models import Task
from tests.support.board import Board
from tests.support.callers import caller_named
from tests.support.users import TestUser

# caller: (claim, heartbeat, release, complete)
EXPECTED = {
    "owner": (201, 200, 200, 200),
    "admin": (201, 200, 200, 200),
    "member": (201, 200, 200, 200),
    "viewer": (403, 403, 403, 403),
    "non-member": (404, 404, 404, 404),
    "superuser": (201, 200, 200, 200),  # not a member: a superuser acts as owner everywhere
    "inactive member": (401, 401, 401, 401),
    "deleted user": (401, 401, 401, 401),
    "anonymous": (401, 401, 401, 401),
}
SUCCEEDED: dict[str, Callable[[Any], bool]] = {  # what a successful call's answer shows
    "claim": lambda body: body["task"]["claimed_by"] == "w",
    "heartbeat": lambda body: body["task"]["lease_expires_at"] == body["lease_expires_at"],
    "release": lambda body: body["status"] == "open" and body["claimed_by"] is None,
    "complete": lambda body: body["status"] == "done",
}


async def _state(db: Database) -> tuple[list[tuple[Any, ...]], int]:
    async with db.engine.connect() as connection:
        tasks = await connection.execute(
            select(Task.key, Task.status, Task.claimed_by, Task.version).order_by(Task.key)
        )
        events = await connection.scalar(select(func.count()).select_from(Event))
        return [tuple(row) for row in tasks], int(events or 0)


async def _post(board: Board, user: TestUser | None, url: str, body: dict[str, Any]) -> Response:
    headers = None if user is None else user.headers
    return await board.client.post(f"/api/v1{url}", json=body, headers=headers)


@pytest.mark.parametrize("fresh_order", [True, False], ids=["one call", "first after a change"])
@pytest.mark.parametrize("name", list(EXPECTED))
async def test_each_caller_may_use_claims_as_their_role_says(
    board: Board, db: Database, name: str, fresh_order: bool
) -> None:
    tokens: dict[str, str] = {}
    for _ in range(3):
        key = (await board.task())["key"]
        claim = await _post(board, board.owner, f"/tasks/{key}/claim", {"worker": "o"})
        tokens[key] = claim.json()["claim_token"]
    await board.task()  # left for the caller to claim
    if fresh_order:  # a claim refreshes the order the graph change left stale
        await board.task()
        assert (await _post(board, board.owner, "/projects/WEB/claims", {"worker": "o"})).is_success
    user = await caller_named(board, db, name)
    held, kept, _ = tokens
    calls = {
        "claim": ("/projects/WEB/claims", {"worker": "w"}),
        "heartbeat": (f"/tasks/{held}/heartbeat", {"claim_token": tokens[held]}),
        "release": (f"/tasks/{kept}/release", {"claim_token": tokens[kept]}),
        "complete": (f"/tasks/{held}/complete", {"claim_token": tokens[held]}),
    }
    for (action, (url, body)), status in zip(calls.items(), EXPECTED[name], strict=True):
        before = await _state(db)
        response = await _post(board, user, url, body)
        assert response.status_code == status, (action, response.text)
        if status >= 400:
            assert response.headers["content-type"] == "application/problem+json"
            assert await _state(db) == before, f"a refused {action} changed something"
        else:
            assert SUCCEEDED[action](response.json()), (action, response.text)


async def test_a_claim_in_an_unknown_project_is_404(board: Board) -> None:
    await board.task()
    response = await _post(board, board.owner, "/projects/NOPE/claims", {"worker": "w"})
    assert response.status_code == 404
    assert response.json()["code"] == "project_not_found"
