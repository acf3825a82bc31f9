"""SPEC §10.3: a feed reader that reached the end resumes after the last event id it saw."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.board import Board


async def _feed(board: Board, path: str, **params: Any) -> dict[str, Any]:
    response = await board.client.get(path, params=params, headers=board.owner.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("feed", ["project", "task"])
class TestResumeAfter:
    async def test_a_reader_at_the_end_gets_only_what_came_next(
        self, board: Board, feed: str
    ) -> None:
        task = await board.task("Watched")
        path = (
            f"/api/v1/projects/{board.key}/events"
            if feed == "project"
            else f"/api/v1/tasks/{task['key']}/events"
        )
        end = await _feed(board, path)
        assert end["next_cursor"] is None
        assert end["last_id"] == end["items"][-1]["id"]
        again = await _feed(board, path, after=end["last_id"])
        assert again["items"] == []
        assert again["last_id"] == end["last_id"]  # nothing new: resume from the same place
        await board.patch(task["key"], title="Renamed")
        fresh = await _feed(board, path, after=end["last_id"])
        assert [item["type"] for item in fresh["items"]] == ["task.updated"]
        assert fresh["items"][0]["id"] > end["last_id"]
        assert fresh["last_id"] == fresh["items"][0]["id"]

    async def test_after_and_cursor_together_are_refused(self, board: Board, feed: str) -> None:
        task = await board.task("Watched")
        path = (
            f"/api/v1/projects/{board.key}/events"
            if feed == "project"
            else f"/api/v1/tasks/{task['key']}/events"
        )
        response = await board.client.get(
            path, params={"after": 1, "cursor": "WzFd"}, headers=board.owner.headers
        )
        assert response.status_code == 422
        assert "after" in response.text

    @pytest.mark.parametrize("after", ["-1", "x", str(2**31)])
    async def test_a_bad_after_is_refused(self, board: Board, feed: str, after: str) -> None:
        task = await board.task("Watched")
        path = (
            f"/api/v1/projects/{board.key}/events"
            if feed == "project"
            else f"/api/v1/tasks/{task['key']}/events"
        )
        response = await board.client.get(
            path, params={"after": after}, headers=board.owner.headers
        )
        assert response.status_code == 422
        assert "after" in response.text
