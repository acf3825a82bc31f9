"""The PostgreSQL connection pool: at most its size in connections, and it keeps them all."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from epicflow.platform import db


async def _burst(engine: AsyncEngine, size: int) -> None:
    """`size` statements at once, each on a connection of its own."""

    async def one() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT pg_sleep(0.05)"))

    await asyncio.gather(*(one() for _ in range(size)))


@pytest.mark.postgres_only
async def test_the_pool_opens_at_most_its_size_and_keeps_every_connection(
    database_url: str,
) -> None:
    """Under load, no request waits for a new connection (a connect, a backend started, the
    driver's type queries) because a connection was closed on its return to a full pool, as
    happened to every connection beyond half the ceiling; more statements than the pool holds
    wait for a connection instead of opening one."""
    size = 6
    engine = db.make_engine(database_url, pool_size=size)
    opened: list[object] = []
    event.listen(engine.sync_engine, "connect", lambda *_: opened.append(1))
    try:
        await _burst(engine, 2 * size)
        assert len(opened) == size
        await _burst(engine, 2 * size)
        assert len(opened) == size  # all kept: none opened again
    finally:
        await engine.dispose()
