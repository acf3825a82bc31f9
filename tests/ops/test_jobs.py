"""The periodic jobs: lease sweep and the purge of old Idempotency-Key answers."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy import func, select

from epicflow.ops.jobs import purge_idempotency_records, run_periodic_jobs
from epicflow.platform.idempotency import IdempotencyRecord
from tests.support.board import Board


async def _records(app: FastAPI) -> int:
    async with app.state.db.sessionmaker() as session:
        query = select(func.count()).select_from(IdempotencyRecord)
        return int((await session.execute(query)).scalar_one())


class TestIdempotencyPurge:
    async def test_records_older_than_a_day_are_purged(self, board: Board, app: FastAPI) -> None:
        headers = {**board.owner.headers, "Idempotency-Key": "purge-me"}
        created = await board.client.post(
            "/api/v1/projects/WEB/tasks", json={"title": "Add x"}, headers=headers
        )
        assert created.status_code == 201
        now = app.state.context.clock()
        await purge_idempotency_records(app.state.db, lambda: now + timedelta(hours=23))
        assert await _records(app) == 1
        await purge_idempotency_records(app.state.db, lambda: now + timedelta(hours=25))
        assert await _records(app) == 0


class TestPeriodicLoop:
    async def test_loop_sweeps_expired_leases_until_cancelled(
        self, board: Board, app: FastAPI
    ) -> None:
        task = await board.task()
        claimed = await board.client.post(
            f"/api/v1/tasks/{task['key']}/claim",
            json={"worker": "w1", "lease_seconds": 1},
            headers=board.owner.headers,
        )
        assert claimed.status_code == 201
        later = app.state.context.clock() + timedelta(seconds=5)
        loop = asyncio.create_task(run_periodic_jobs(app.state.db, lambda: later, 0.01))
        try:
            for _ in range(200):
                if (await board.get(task["key"]))["status"] == "open":
                    break
                await asyncio.sleep(0.02)
        finally:
            loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await loop
        assert (await board.get(task["key"]))["status"] == "open"
