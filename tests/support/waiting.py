"""Claims that wait for work: a process's wake-ups with its engine's watch running (the app's
lifespan does this when served), and a way to know a claim is waiting."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response

from epicflow.platform.wakeups import Wakeups
from epicflow.stores.choice import store_for
from tests.support.board import Board


@asynccontextmanager
async def watched(app: FastAPI, limit: int = 1000) -> AsyncIterator[Wakeups]:
    """Fresh wake-ups for `app`, fed by its store's watch until the block ends."""
    before = app.state.wakeups
    wakeups = app.state.wakeups = Wakeups(limit)
    watch = asyncio.create_task(store_for(app.state.db).watch.run(app.state.db, wakeups))
    try:
        yield wakeups
    finally:
        wakeups.close()
        watch.cancel()
        await asyncio.gather(watch, return_exceptions=True)
        app.state.wakeups = before


async def until_waiting(wakeups: Wakeups, count: int) -> None:
    """Return once `count` requests are parked waiting (a claim first tries, then waits)."""
    for _ in range(1000):  # bounded: 10 s at most
        if wakeups.parked >= count:
            return
        await asyncio.sleep(0.01)
    pytest.fail(f"{count} claims should wait; {wakeups.parked} do")


def claim_waiting(board: Board, seconds: int, **body: Any) -> asyncio.Task[Response]:
    """A claim of the next ready task that waits up to `seconds`, running in the background."""
    return asyncio.create_task(claim_on(board.client, board, seconds, **body))


async def claim_on(client: AsyncClient, board: Board, seconds: int, **body: Any) -> Response:
    return await client.post(
        f"/api/v1/projects/{board.key}/claims",
        json={"worker": "waiter", "wait_seconds": seconds, **body},
        headers=board.owner.headers,
    )
