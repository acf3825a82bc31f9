"""Which locks a completion waits for on PostgreSQL (docs/claims.md, "The counts lock").

A completion lowers the unresolved counts of the tasks that wait on it, and a recount must never
run beside it. It takes the project's counts lock in shared mode: it does not queue behind a
claim, which holds the graph lock, but it waits while a graph write or a claim's recount holds
the counts lock. The guard below only keeps a wrong lock from hanging the suite.
"""

from __future__ import annotations

import asyncio
import random
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
from epicflow.stores.postgres.locks import COUNTS_LOCK_CLASS
from tests.support.board import Board
from tests.support.claims import call, change_graph, claim_next, stored_counts, waiting_counts
from tests.support.random_project import project_graph, random_project

GUARD_SECONDS = 30.0  # not a timing: how long a wrong lock may hold the test before it fails

_WAITING_FOR_COUNTS = text(
    "SELECT count(*) FROM pg_locks "
    "WHERE locktype = 'advisory' AND NOT granted AND classid = :class AND objsubid = 2"
)


# SQLite runs one writer at a time; the counts lock is PostgreSQL's.
pytestmark = pytest.mark.postgres_only


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


@pytest.mark.parametrize("seed", [21, 22, 23])
async def test_graph_changes_claims_and_completions_at_once(
    board: Board, db: Database, seed: int
) -> None:
    """Four workers claim and complete while a fifth client changes the graph, then work on
    until nothing is ready: nothing fails or deadlocks (a deadlock would answer 503), the
    chain of tasks created last is done, and the stored counts of the claim order's index are
    the graph's."""
    rng = random.Random(seed)
    await random_project(board, rng, size=40, exclusive=0.05)
    keys = [task["key"] for task in (await board.list(limit=200))["items"]]
    chain = [(await board.task())["key"]]  # work for once the changes stop: a chain whose
    for _ in range(5):  # head the changer holds until then, each task waiting on the one before
        chain.append((await board.task(depends_on=chain[-1:]))["key"])
    head = await call(board, chain[0], "claim", worker="changer")
    assert head.status_code == 201, head.text
    changing = True
    answers: list[int] = []

    async def work(name: str) -> None:
        while True:
            claimed = await claim_next(board, worker=name)
            answers.append(claimed.status_code)
            if claimed.status_code == 204 and changing:
                await asyncio.sleep(0.005)
                continue
            if claimed.status_code != 201:
                return  # nothing ready once the changes stopped, or a failure (asserted below)
            claim = claimed.json()
            done = await call(
                board, claim["task"]["key"], "complete", claim_token=claim["claim_token"]
            )
            answers.append(done.status_code)  # 409 when a change cancelled or reopened it

    async def change() -> None:
        nonlocal changing
        for _ in range(40):
            await change_graph(board, rng, keys)
            await board.task(depends_on=rng.sample(keys, 1))
        done = await call(board, chain[0], "complete", claim_token=head.json()["claim_token"])
        assert done.status_code == 200, done.text
        changing = False

    await asyncio.wait_for(
        asyncio.gather(change(), *(work(f"w{n}") for n in range(4))), GUARD_SECONDS * 4
    )
    assert set(answers) <= {200, 201, 204, 409}, sorted(answers)
    assert answers.count(200) >= 20
    assert [(await board.get(key))["status"] for key in chain] == ["done"] * len(chain)
    assert await stored_counts(db, board.key) == waiting_counts(await project_graph(db, board.key))
