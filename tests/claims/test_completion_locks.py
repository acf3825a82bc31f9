"""Which locks a completion waits for on PostgreSQL (docs/claims.md, "The counts lock").

A completion lowers the unresolved counts of the tasks that wait on it, and a recount must never
run beside it. It takes the project's counts lock in shared mode: it does not queue behind a
claim, which holds the graph lock, but it waits while a graph write or a claim's recount holds
the counts lock. The guard below only keeps a wrong lock from hanging the suite.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

import pytest
from httpx import Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.claims import service as claims
from epicflow.platform.clock import utcnow
from epicflow.platform.db import Database
from epicflow.projects import service as projects
from epicflow.projects.repository import COUNTS_LOCK_CLASS
from tests.support.board import Board

GUARD_SECONDS = 30.0  # not a timing: how long a wrong lock may hold the test before it fails

_WAITING_FOR_COUNTS = text(
    "SELECT count(*) FROM pg_locks "
    "WHERE locktype = 'advisory' AND NOT granted AND classid = :class AND objsubid = 2"
)


@pytest.fixture
def postgres_only(is_postgres: bool) -> None:
    if not is_postgres:
        pytest.skip("SQLite runs one writer at a time; the counts lock is PostgreSQL's")


async def _claimed(board: Board) -> tuple[str, str, str]:
    """A claimed task, its token, and a task that waits on it."""
    first = await board.task()
    waiting = await board.task(depends_on=[first["key"]])
    claim = await board.client.post(
        f"/api/v1/tasks/{first['key']}/claim", json={"worker": "w1"}, headers=board.owner.headers
    )
    assert claim.status_code == 201, claim.text
    return first["key"], claim.json()["claim_token"], waiting["key"]


def _complete(board: Board, key: str, token: str) -> Awaitable[Response]:
    return board.client.post(
        f"/api/v1/tasks/{key}/complete", json={"claim_token": token}, headers=board.owner.headers
    )


async def _until_a_completion_waits(db: Database) -> None:
    async def waiting() -> None:
        while True:
            async with db.sessionmaker() as session:
                found = await session.scalar(_WAITING_FOR_COUNTS, {"class": COUNTS_LOCK_CLASS})
            if found:
                return
            await asyncio.sleep(0.02)

    await asyncio.wait_for(waiting(), GUARD_SECONDS)


@pytest.mark.usefixtures("postgres_only")
async def test_a_completion_does_not_wait_for_a_claim(board: Board, db: Database) -> None:
    key, token, waiting = await _claimed(board)
    async with db.sessionmaker() as session, session.begin():
        # the graph lock, as a claim holds it for its call
        await session.execute(
            text("SELECT 1 FROM project WHERE key = :key FOR NO KEY UPDATE"), {"key": board.key}
        )
        done = await asyncio.wait_for(_complete(board, key, token), GUARD_SECONDS)
        assert done.status_code == 200, done.text
    assert done.json()["status"] == "done"
    assert (await board.get(waiting))["ready"] is True


async def _graph_write(session: AsyncSession, board: Board) -> None:
    access = await projects.get_access_for(session, board.key, uuid.UUID(board.owner.id))
    await projects.lock_graph(session, access)


async def _recount(session: AsyncSession, board: Board) -> None:
    await board.task()  # a new task: the claim order is stale, the next claim recounts
    access = await projects.get_access_for(session, board.key, uuid.UUID(board.owner.id))
    await claims.prepare(session, access, utcnow)


@pytest.mark.usefixtures("postgres_only")
@pytest.mark.parametrize("holder", [_graph_write, _recount], ids=["graph write", "recount"])
async def test_a_completion_waits_for_the_counts_lock(
    board: Board, db: Database, holder: Callable[[AsyncSession, Board], Awaitable[None]]
) -> None:
    key, token, waiting = await _claimed(board)
    async with db.sessionmaker() as session:
        await holder(session, board)
        completing = asyncio.ensure_future(_complete(board, key, token))
        await _until_a_completion_waits(db)
        assert not completing.done()
        await session.commit()
    done = await asyncio.wait_for(completing, GUARD_SECONDS)
    assert done.status_code == 200, done.text
    assert (await board.get(waiting))["ready"] is True
