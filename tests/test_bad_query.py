"""Bad input in a query string, a cursor or a path is a clean 4xx too (SPEC §3).

PostgreSQL refuses a NUL in text and numbers beyond a column's range, so a value that reaches a
statement unchecked fails there as a 500. Each is refused at the edge instead, naming what was
wrong: a query parameter by name, a forged cursor as `cursor`.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from httpx import Response

from epicflow.platform.pagination import encode_cursor
from tests.support.board import Board

TASKS = "/api/v1/projects/WEB/tasks"
BIG = 2**40  # beyond a 32-bit column
HUGE = 2**70  # beyond any integer column


def _raw_cursor(text: str) -> str:
    """A cursor around JSON text that `encode_cursor` would never write (NaN, Infinity)."""
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _problem(response: Response) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert response.headers["content-type"] == "application/problem+json", response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"q": "find\x00me"}, "q"),
        ({"q": "bell\x07"}, "q"),
        ({"claimed_by": "w\x001"}, "claimed_by"),
        ({"assignee": "\x00"}, "assignee"),
        ({"epic": "api\x00"}, "epic"),
        ({"label": "x\x00"}, "label.0"),
        ({"sort": "key\x00"}, "sort"),
    ],
    ids=["q NUL", "q bell", "claimed_by", "assignee", "epic", "label", "sort"],
)
async def test_a_control_character_in_a_filter_is_422_naming_it(
    board: Board, params: dict[str, str], name: str
) -> None:
    response = await board.client.get(TASKS, params=params, headers=board.owner.headers)
    assert response.status_code == 422, response.text
    assert _problem(response)["detail"] == f"Invalid input: {name}"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        (TASKS, {"cursor": encode_cursor(["key", BIG, 1])}),
        (TASKS, {"cursor": encode_cursor(["key", 1, HUGE])}),
        (TASKS, {"cursor": encode_cursor(["-priority", -BIG, 1]), "sort": "-priority"}),
        ("/api/v1/projects", {"cursor": encode_cursor(["WEB\x00"])}),
        ("/api/v1/projects/WEB/epics", {"cursor": encode_cursor(["api\x00"])}),
        ("/api/v1/projects/WEB/events", {"cursor": encode_cursor([HUGE])}),
        ("/api/v1/projects/WEB/ready", {"cursor": encode_cursor([1, 2.0, BIG])}),
        ("/api/v1/projects/WEB/ready", {"cursor": _raw_cursor("[1, Infinity, 1]")}),
        ("/api/v1/projects/WEB/ready", {"cursor": _raw_cursor("[1e400, 1, 1]")}),
        ("/api/v1/projects/WEB/ready", {"cursor": _raw_cursor("[1, NaN, 1]")}),
    ],
    ids=[
        "tasks value",
        "tasks number",
        "tasks priority",
        "projects",
        "epics",
        "events",
        "ready number",
        "ready infinity",
        "ready overflow",
        "ready nan",
    ],
)
async def test_a_forged_cursor_is_422_naming_the_cursor(
    board: Board, path: str, params: dict[str, str]
) -> None:
    await board.task()
    await board.epic("api")
    response = await board.client.get(path, params=params, headers=board.owner.headers)
    assert response.status_code == 422, response.text
    assert _problem(response).get("field") == "cursor", response.text


@pytest.mark.parametrize(
    ("method", "path", "name"),
    [
        ("GET", "/api/v1/tasks/WEB-1%00", "task_key"),
        ("GET", "/api/v1/tasks/WEB%00-1/events", "task_key"),
        ("GET", "/api/v1/projects/WEB%00/tasks", "key"),
        ("GET", "/api/v1/projects/WEB%00/ready", "key"),
        ("POST", "/api/v1/projects/WEB%00/claims", "key"),
        ("GET", "/api/v1/projects/WEB/epics/api%00", "slug"),
    ],
)
async def test_a_nul_in_a_path_is_422_naming_it(
    board: Board, method: str, path: str, name: str
) -> None:
    await board.task()
    await board.epic("api")
    body = {"worker": "w1"} if method == "POST" else None
    response = await board.client.request(method, path, json=body, headers=board.owner.headers)
    assert response.status_code == 422, response.text
    assert _problem(response)["detail"] == f"Invalid input: {name}"
