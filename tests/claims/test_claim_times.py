"""On PostgreSQL a claim, a completion and a release are stamped no earlier than the database's
clock when they write: a request whose clock was read before it waited (in the server's event
loop, say) is still stamped after everything it saw. Tests here hold a request's clock back, as
such a wait would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from fastapi import FastAPI

from tests.support.board import Board
from tests.support.claims import call, claim_next

BEHIND = timedelta(seconds=5)


# SQLite reads the clock once it holds the write lock.
pytestmark = pytest.mark.postgres_only


@contextmanager
def _clock_behind(app: FastAPI) -> Iterator[None]:
    context = app.state.context
    real = context.clock
    context.clock = lambda: real() - BEHIND
    try:
        yield
    finally:
        context.clock = real


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def test_a_claim_is_stamped_after_the_completion_that_made_it_ready(
    board: Board, app: FastAPI
) -> None:
    first = await board.task()
    then = await board.task(depends_on=[first["key"]])
    held = (await claim_next(board)).json()
    done = await call(board, first["key"], "complete", claim_token=held["claim_token"])
    assert done.status_code == 200, done.text
    with _clock_behind(app):
        claimed = await claim_next(board)
    assert claimed.json()["task"]["key"] == then["key"]
    assert _at(claimed.json()["task"]["started_at"]) > _at(done.json()["completed_at"])
    events = await board.client.get(
        f"/api/v1/projects/{board.key}/events", headers=board.owner.headers
    )
    times = [(e["type"], _at(e["created_at"])) for e in events.json()["items"]]
    completed = next(at for kind, at in times if kind == "task.completed")
    acquired = [at for kind, at in times if kind == "claim.acquired"]
    assert acquired[-1] > completed


@pytest.mark.parametrize("ending", ["complete", "release"])
async def test_a_late_request_ends_a_claim_at_the_databases_time(
    board: Board, app: FastAPI, ending: str
) -> None:
    task = await board.task()
    held = (await claim_next(board)).json()
    with _clock_behind(app):
        ended = await call(board, task["key"], ending, claim_token=held["claim_token"])
    assert ended.status_code == 200, ended.text
    assert _at(ended.json()["updated_at"]) > _at(held["task"]["started_at"])
