"""`complete` takes `links` (at most 20, http or https) and adds them to the task's links in the
same transaction; past 50 in all is 422 naming `links`, and nothing is done."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.board import Board
from tests.support.claims import call
from tests.support.comments import list_comments

PR = {"url": "https://git.example/web/pull/12", "title": "PR 12"}


async def _claimed(board: Board, **fields: Any) -> tuple[str, str]:
    task = await board.task(**fields)
    claimed = await call(board, task["key"], "claim", worker="agent-1")
    assert claimed.status_code == 201, claimed.text
    return task["key"], claimed.json()["claim_token"]


async def test_completion_links_are_added_after_the_task_links(board: Board) -> None:
    old = {"url": "https://git.example/web/tree/b", "title": "Branch"}
    key, token = await _claimed(board, links=[old])
    done = await call(
        board,
        key,
        "complete",
        claim_token=token,
        summary="Merged.",
        links=[PR, {"url": "http://ci.example/9"}],
    )
    assert done.status_code == 200, done.text
    expected = [old, PR, {"url": "http://ci.example/9", "title": None}]
    assert (done.json()["status"], done.json()["links"]) == ("done", expected)
    assert (await board.get(key))["links"] == expected


async def test_completion_without_links_keeps_the_task_links(board: Board) -> None:
    key, token = await _claimed(board, links=[PR])
    done = await call(board, key, "complete", claim_token=token)
    assert done.json()["links"] == [PR]


async def test_links_past_fifty_are_refused_and_nothing_is_done(board: Board) -> None:
    links = [{"url": f"https://ci.example/{n}"} for n in range(45)]
    key, token = await _claimed(board, links=links)
    extra = [{"url": f"https://pr.example/{n}"} for n in range(6)]
    refused = await call(board, key, "complete", claim_token=token, summary="done", links=extra)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["field"] == "links"
    task = await board.get(key)
    assert (task["status"], task["claimed_by"], len(task["links"])) == (
        "in_progress",
        "agent-1",
        45,
    )
    assert (await list_comments(board, key)).json()["items"] == []
    # Exactly fifty is taken, with the same claim.
    done = await call(board, key, "complete", claim_token=token, links=extra[:5])
    assert done.status_code == 200, done.text
    assert len(done.json()["links"]) == 50


@pytest.mark.parametrize(
    "links",
    [
        [{"url": f"https://ci.example/{n}"} for n in range(21)],
        [{"url": "file:///etc/passwd"}],
        [{"url": "https://ci.example/1", "title": ""}],
    ],
    ids=["21", "file", "empty-title"],
)
async def test_bad_completion_links_are_422_and_the_claim_stays(
    board: Board, links: list[dict[str, Any]]
) -> None:
    key, token = await _claimed(board)
    refused = await call(board, key, "complete", claim_token=token, links=links)
    assert refused.status_code == 422, refused.text
    assert "links" in [error["loc"][1] for error in refused.json()["errors"]]
    task = await board.get(key)
    assert (task["status"], task["links"]) == ("in_progress", [])


async def test_a_stale_token_adds_no_links(board: Board) -> None:
    key, _token = await _claimed(board)
    lost = await call(board, key, "complete", claim_token="stale", links=[PR])
    assert lost.status_code == 409
    assert (await board.get(key))["links"] == []
