"""A completion's summary and a release's reason are kept as comments, in the same transaction as
the call: a call that fails keeps none."""

from __future__ import annotations

from typing import Any

from tests.support.board import Board
from tests.support.claims import call
from tests.support.comments import list_comments, task_events


async def _claimed(board: Board, worker: str = "agent-3") -> tuple[str, str]:
    task = await board.task()
    claimed = await call(board, task["key"], "claim", worker=worker)
    assert claimed.status_code == 201, claimed.text
    return task["key"], claimed.json()["claim_token"]


async def _comments(board: Board, key: str) -> list[dict[str, Any]]:
    response = await list_comments(board, key)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


class TestCompletionSummary:
    async def test_a_summary_becomes_a_completion_comment_of_the_worker(self, board: Board) -> None:
        key, token = await _claimed(board)
        done = await call(board, key, "complete", claim_token=token, summary="Shipped in #12.")
        assert done.status_code == 200, done.text
        assert done.json()["status"] == "done"
        (comment,) = await _comments(board, key)
        assert (comment["kind"], comment["worker"], comment["body"]) == (
            "completion",
            "agent-3",
            "Shipped in #12.",
        )
        assert comment["author"]["id"] == board.owner.id
        types = [event["type"] for event in await task_events(board, key)]
        assert types[-2:] == ["task.completed", "comment.added"]

    async def test_without_a_summary_no_comment_is_written(self, board: Board) -> None:
        key, token = await _claimed(board)
        assert (await call(board, key, "complete", claim_token=token)).status_code == 200
        assert await _comments(board, key) == []

    async def test_a_stale_token_keeps_no_summary(self, board: Board) -> None:
        key, _token = await _claimed(board)
        lost = await call(board, key, "complete", claim_token="stale", summary="never")
        assert lost.status_code == 409
        assert lost.json()["code"] == "claim_lost"
        assert await _comments(board, key) == []
        assert (await board.get(key))["status"] == "in_progress"

    async def test_a_summary_too_long_is_422_and_the_claim_stays(self, board: Board) -> None:
        key, token = await _claimed(board)
        refused = await call(board, key, "complete", claim_token=token, summary="x" * 65_537)
        assert refused.status_code == 422
        assert "summary" in [error["loc"][-1] for error in refused.json()["errors"]]
        empty = await call(board, key, "complete", claim_token=token, summary="")
        assert empty.status_code == 422
        assert (await board.get(key))["claimed_by"] == "agent-3"


class TestReleaseReason:
    async def test_a_reason_becomes_a_handoff_comment(self, board: Board) -> None:
        key, token = await _claimed(board, worker="agent-9")
        released = await call(board, key, "release", claim_token=token, reason="exit code 2")
        assert released.status_code == 200, released.text
        assert released.json()["status"] == "open"
        (comment,) = await _comments(board, key)
        assert (comment["kind"], comment["worker"], comment["body"]) == (
            "handoff",
            "agent-9",
            "exit code 2",
        )

    async def test_a_stale_token_keeps_no_reason(self, board: Board) -> None:
        key, _token = await _claimed(board)
        lost = await call(board, key, "release", claim_token="stale", reason="never")
        assert lost.status_code == 409
        assert await _comments(board, key) == []

    async def test_release_refuses_a_summary(self, board: Board) -> None:
        key, token = await _claimed(board)
        refused = await call(board, key, "release", claim_token=token, summary="x")
        assert refused.status_code == 422
        assert (await board.get(key))["status"] == "in_progress"
