"""Who may list a project's tasks. The page statement reads the caller's access itself (a
caller who may not read the project gets no rows from it), and only an empty page asks again
why: so each caller is tried on a page with tasks, on an empty one and with bad input."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import Response

from epicflow.platform.db import Database
from tests.support.board import Board
from tests.support.callers import CALLERS, caller_named
from tests.support.users import TestUser

REFUSED = {"non-member": 404, "inactive member": 401, "deleted user": 401, "anonymous": 401}


async def _list(board: Board, user: TestUser | None, key: str, **params: Any) -> Response:
    headers = None if user is None else user.headers
    return await board.client.get(f"/api/v1/projects/{key}/tasks", params=params, headers=headers)


@pytest.mark.parametrize("name", CALLERS)
async def test_each_caller_lists_as_their_role_says(board: Board, db: Database, name: str) -> None:
    first = await board.task(labels=["backend"])
    second = await board.task(labels=["backend"], status="done")
    user = await caller_named(board, db, name)
    pages: dict[str, tuple[dict[str, Any], list[str]]] = {
        "every task": ({}, [first["key"], second["key"]]),
        "a label, open": ({"label": "backend", "status": "open"}, [first["key"]]),
        "a page of one": ({"limit": 1, "sort": "key"}, [first["key"]]),
        "nothing matches": ({"label": "nowhere"}, []),
    }
    for what, (params, expected) in pages.items():
        response = await _list(board, user, "WEB", **params)
        if name in REFUSED:
            assert response.status_code == REFUSED[name], (what, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert "items" not in response.json()
        else:
            assert response.status_code == 200, (what, response.text)
            assert [task["key"] for task in response.json()["items"]] == expected, what
    bad = await _list(board, user, "WEB", sort="nonsense")
    assert bad.status_code == REFUSED.get(name, 422), bad.text  # who asks comes first


async def test_a_missing_project_is_404_for_everyone(board: Board, db: Database) -> None:
    superuser = await caller_named(board, db, "superuser")
    for user in (board.owner, superuser):
        for params in ({}, {"label": "backend"}, {"sort": "nonsense"}):
            response = await _list(board, user, "NOPE", **params)
            assert response.status_code == 404, response.text
            assert response.json()["code"] == "project_not_found"


async def test_the_next_page_is_read_as_the_caller_too(board: Board, db: Database) -> None:
    for _ in range(3):
        await board.task()
    first = (await _list(board, board.owner, "WEB", limit=2)).json()
    assert first["next_cursor"]
    outsider = await caller_named(board, db, "non-member")
    response = await _list(board, outsider, "WEB", limit=2, cursor=first["next_cursor"])
    assert response.status_code == 404
    own = await _list(board, board.owner, "WEB", limit=2, cursor=first["next_cursor"])
    assert [task["key"] for task in own.json()["items"]] == ["WEB-3"]
