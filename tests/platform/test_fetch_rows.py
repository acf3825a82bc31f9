"""`platform.db.fetch_rows` on PostgreSQL runs a statement on the asyncpg connection itself. When
the driver refuses a value before the statement has run (a number beyond its column, say), the
connection may be left half-way through the protocol, its backend holding the table's lock until
the connection is used again: such a connection is closed, never given back to the pool."""

from __future__ import annotations

import pytest
from sqlalchemy import Integer, bindparam, select, text

from epicflow.platform.db import Database, fetch_rows
from epicflow.tasks.models import Task

_REFUSED = select(Task.id).where(Task.number == bindparam("number", type_=Integer))

# Backends of the test database, other than the one asking, busy with a statement.
_BUSY = text(
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'"
)


# SQLite runs fetch_rows through the session.
pytestmark = pytest.mark.postgres_only


async def _busy(db: Database) -> int:
    async with db.engine.connect() as connection:
        return int((await connection.execute(_BUSY)).scalar_one())


async def test_a_value_the_driver_refuses_leaves_no_backend_busy(db: Database) -> None:
    async with db.sessionmaker() as session:
        with pytest.raises(Exception, match="out of int32 range"):
            await fetch_rows(session, _REFUSED, {"number": 2**40})
    assert await _busy(db) == 0
    async with db.sessionmaker() as session:  # and the pool still serves
        assert await fetch_rows(session, _REFUSED, {"number": 1}) == []


async def test_inside_a_transaction_too(db: Database) -> None:
    async with db.sessionmaker() as session:
        await session.execute(text("SELECT 1"))  # the session holds a connection
        with pytest.raises(Exception, match="out of int32 range"):
            await fetch_rows(session, _REFUSED, {"number": 2**40})
        await session.rollback()
    assert await _busy(db) == 0
