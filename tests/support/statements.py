"""Count the SQL statements a request sends, on either database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event

from epicflow.platform.db import Database


@asynccontextmanager
async def count_statements(db: Database) -> AsyncIterator[list[str]]:
    """The SQL statements sent while the block runs. On PostgreSQL some reads go to the asyncpg
    connection itself (`platform.db.fetch_rows`), so there asyncpg's query logger counts; it
    reports each statement on the event loop's next turn, which the block's end waits for."""
    statements: list[str] = []
    if db.is_sqlite:

        def record(*args: Any) -> None:
            statements.append(args[2])

        event.listen(db.engine.sync_engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(db.engine.sync_engine, "before_cursor_execute", record)
        return

    def logged(query: Any) -> None:
        statements.append(query.query)

    def on_checkout(_dbapi: Any, record: Any, _proxy: Any) -> None:
        record.driver_connection.add_query_logger(logged)

    def on_checkin(_dbapi: Any, record: Any) -> None:
        if record.driver_connection is not None:
            record.driver_connection.remove_query_logger(logged)

    pool = db.engine.sync_engine.pool
    event.listen(pool, "checkout", on_checkout)
    event.listen(pool, "checkin", on_checkin)
    try:
        yield statements
        await asyncio.sleep(0)
    finally:
        event.remove(pool, "checkout", on_checkout)
        event.remove(pool, "checkin", on_checkin)
