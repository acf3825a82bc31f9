"""Comment calls through the API."""

from __future__ import annotations

from typing import Any

from httpx import Response

from tests.support.board import Board
from tests.support.users import TestUser


async def post_comment(board: Board, key: str, by: TestUser | None = None, **body: Any) -> Response:
    user = by or board.owner
    return await board.client.post(f"/api/v1/tasks/{key}/comments", json=body, headers=user.headers)


async def list_comments(
    board: Board, key: str, by: TestUser | None = None, **params: Any
) -> Response:
    user = by or board.owner
    return await board.client.get(
        f"/api/v1/tasks/{key}/comments", params=params, headers=user.headers
    )


async def task_events(board: Board, key: str) -> list[dict[str, Any]]:
    response = await board.client.get(f"/api/v1/tasks/{key}/events", headers=board.owner.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items
