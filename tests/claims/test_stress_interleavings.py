"""Two PostgreSQL interleavings the served stress run hits only by chance, forced: the sweeper and
a claim expiring one lease at once, and a claim that waited for the graph lock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from epicflow.claims.repository import expire_leases
from epicflow.events import service as events
from epicflow.platform.db import Database
from epicflow.projects.models import Project
from epicflow.projects.repository import lock_project
from tests.support.board import Board
from tests.support.claims import claim_next
from tests.support.stress.workers import (
    parse_time,
)


async def _project_id(db: Database, key: str) -> Any:
    async with db.sessionmaker() as session:
        return (await session.execute(select(Project.id).where(Project.key == key))).scalar_one()


@pytest.mark.postgres_only
class TestPostgresInterleavings:
    async def test_the_sweeper_and_a_claim_expire_one_lease_without_deadlock(
        self, board: Board, db: Database
    ) -> None:
        """The sweeper has returned an expired task to `open` (row locked) and is about to
        record `claim.expired`; a claim holding the graph lock tries to expire the same lease.
        The event's foreign key needs a KEY SHARE lock on the project row, which the graph
        lock (`SELECT ... FOR UPDATE`) excludes, while the claim waits for the task row: a
        deadlock, answered 500 (seen in the served run: two servers, six stalls)."""
        first = await board.task()
        await board.task()
        taken = await board.client.post(
            f"/api/v1/tasks/{first['key']}/claim",
            json={"worker": "stalled", "lease_seconds": 1},
            headers=board.owner.headers,
        )
        assert taken.status_code == 201, taken.text
        await asyncio.sleep(1.2)
        project = await _project_id(db, board.key)
        claiming: asyncio.Task[httpx.Response] | None = None
        error: Exception | None = None
        try:
            async with db.sessionmaker() as sweep:  # the sweeper's transaction, paused half-way
                now = datetime.now(UTC)
                expired = await expire_leases(sweep, now)
                assert [item.key for item in expired] == [first["key"]]
                claiming = asyncio.create_task(claim_next(board))
                await asyncio.sleep(0.5)  # the claim takes the graph lock, then waits on the row
                await events.record(
                    sweep,
                    project_id=project,
                    task_key=first["key"],
                    type="claim.expired",
                    actor="lease-sweeper",
                    now=now,
                    data={"worker": "stalled"},
                )
                await sweep.commit()
        except Exception as exc:
            error = exc
        finally:
            response = await claiming if claiming is not None else None
        assert error is None, f"the sweep failed: {error!r}"
        assert response is not None
        assert response.status_code == 201, response.text

    async def test_a_claim_that_waited_for_the_graph_lock_gets_its_whole_lease(
        self, board: Board, db: Database
    ) -> None:
        """The claim's clock is read when the request arrives, before it waits for the graph
        lock: under contention (seconds, in the served run) the lease it grants is that much
        shorter, and can be over before the 201 is sent. The event feed then shows the claim
        stamped before completions it depended on."""
        await board.task()
        project = await _project_id(db, board.key)
        async with db.sessionmaker() as holder:  # another writer holds the graph lock
            await lock_project(holder, project)
            claiming = asyncio.create_task(claim_next(board, lease_seconds=2))
            await asyncio.sleep(1.5)
            await holder.commit()
        response = await claiming
        received = datetime.now(UTC)
        assert response.status_code == 201, response.text
        left = parse_time(response.json()["lease_expires_at"]) - received
        assert left > timedelta(seconds=1), f"asked for a 2 s lease, {left} left on arrival"
