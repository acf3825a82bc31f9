"""Engine, sessions and the request unit of work."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from functools import lru_cache
from typing import Annotated, Any, cast

import orjson
from fastapi import Depends, Request
from sqlalchemy import Executable, event
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.util import await_only

from epicflow.platform.engines import Engine, engine_of, engine_of_url
from epicflow.platform.errors import DomainError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SQLITE_BUSY_TIMEOUT_MS = 10_000
IMMEDIATE = {"sqlite_begin": "BEGIN IMMEDIATE"}
AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}
# Every statement here is a short indexed lookup, prepared once per connection (asyncpg). A
# generic plan is reused without planning again, which for the task views costs more than
# running them; and JIT compilation, which the planner's estimates for a generic plan can
# trigger, costs tens of milliseconds that such statements never win back.
PG_SESSION_SETTINGS = {"jit": "off", "plan_cache_mode": "force_generic_plan"}


def _configure_sqlite(engine: AsyncEngine) -> None:
    """Make SQLite enforce what PostgreSQL enforces, and let us choose how to BEGIN.

    pysqlite's own transaction handling defers BEGIN and cannot take the write lock up front;
    turning it off and emitting BEGIN ourselves lets a unit of work ask for BEGIN IMMEDIATE, so
    read-then-write transactions never fail half-way with SQLITE_BUSY.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql(conn.get_execution_options().get("sqlite_begin", "BEGIN"))


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    if engine_of_url(url) is Engine.SQLITE:
        engine = create_async_engine(
            url, hide_parameters=True, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        )
        _configure_sqlite(engine)
        return engine
    engine = create_async_engine(
        url,
        hide_parameters=True,
        json_deserializer=orjson.loads,
        # Every connection opened is kept: an "overflow" connection is closed when it comes
        # back to a full pool, and under steady load that meant a connect, a new backend and
        # the driver's type queries again and again, in the path of a request. A request holds
        # one connection at a time, so past the ceiling it waits for one (up to the timeout).
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=10,
        connect_args={"timeout": 5, "server_settings": PG_SESSION_SETTINGS},
    )
    event.listen(engine.sync_engine, "checkin", _returned)
    event.listen(engine.sync_engine, "checkout", _ping)
    return engine


# A connection back in the pool for less than this was working a moment ago: checking it again
# costs a round trip on nearly every request under load and protects against nothing that a
# request already running at that moment is not exposed to as well.
PING_AFTER_IDLE_SECONDS = 0.1


def _returned(_dbapi: Any, record: ConnectionPoolEntry) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping(_dbapi: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
    """Check a pooled PostgreSQL connection that sat idle before a request uses it, so that
    after a restart of the database no request fails on a dead connection: the pool replaces
    it.

    SQLAlchemy's `pool_pre_ping` does the same with BEGIN, an empty query and ROLLBACK (for
    PgBouncer in transaction mode) on every checkout: three round trips where one will do, and
    none for a connection returned a moment ago.
    """
    idle_since = record.info.get("idle_since")
    if idle_since is not None and time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
        return
    connection: Any = record.driver_connection
    try:
        await_only(connection.fetchrow(";"))
    except Exception as exc:
        raise DisconnectionError("The database connection is gone.") from exc


class Database:
    """The engine and session factory of one application instance. Every session carries
    `store` in its `info` (`epicflow.stores.base.store_of`): the engine's store, chosen once,
    here (`epicflow.stores.open_database`)."""

    def __init__(self, url: str, *, store: object, pool_size: int = 10) -> None:
        self.url = url
        self.kind = engine_of_url(url)  # refuses an engine epicflow does not run on
        self.engine = make_engine(url, pool_size=pool_size)
        self.is_sqlite = self.kind is Engine.SQLITE
        info = {"store": store}
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False, info=info)
        # Sessions whose statements each commit on their own on PostgreSQL (reads): the same
        # snapshots READ COMMITTED gives, without BEGIN and COMMIT. The session checks a
        # connection out only when the ORM needs one; `fetch_rows` reads without it.
        alone = self.engine if self.is_sqlite else self.engine.execution_options(**AUTOCOMMIT)
        self.alone_sessionmaker = async_sessionmaker(alone, expire_on_commit=False, info=info)

    async def begin_locking(self, session: AsyncSession) -> None:
        """Start the session's transaction so that it holds the write lock from its first read."""
        if self.is_sqlite:
            await session.connection(execution_options=IMMEDIATE)

    async def dispose(self) -> None:
        await self.engine.dispose()


async def begin(session: AsyncSession) -> None:
    """Start the unit of work's transaction now, so that what follows, `fetch_rows` included,
    runs in it: for a call a store could run on its own that has more to write after it."""
    connection = await session.connection()
    if engine_of(session) is Engine.POSTGRESQL:
        # SQLAlchemy's asyncpg adapter sends BEGIN before its own first statement only, and
        # `fetch_rows` runs on the driver's connection: without a statement here, a store's
        # write would commit on its own and a later failure could not roll it back.
        await connection.exec_driver_sql("SELECT 1")


def get_database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def session_scope(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request, committed before the response is sent; on PostgreSQL reads
    run each statement on its own instead. A write's transaction begins with its first ORM
    statement (SQLite: at once, taking the write lock); what a store runs through `fetch_rows`
    before that commits on its own."""
    db = get_database(request)
    alone = request.method in SAFE_METHODS
    session = (db.alone_sessionmaker if alone else db.sessionmaker)()
    try:
        if not alone:
            await db.begin_locking(session)
        try:
            yield session
        except DomainError as exc:
            await (session.commit() if exc.keep_changes else session.rollback())
            raise
        except BaseException:
            await session.rollback()
            raise
        if _used(session):
            await session.commit()
    finally:
        if _used(session):
            await session.close()


def _used(session: AsyncSession) -> bool:
    """Whether `session` holds a connection or objects. A request that only read through
    `fetch_rows` leaves it untouched: then its commit and close, each a trip through a
    greenlet, have nothing to do and are skipped."""
    return session.in_transaction() or bool(session.identity_map) or bool(session.new)


SessionDep = Annotated[AsyncSession, Depends(session_scope, scope="function")]


async def _database(request: Request) -> Database:
    return get_database(request)  # async: a plain `def` dependency would run in a thread


DatabaseDep = Annotated[Database, Depends(_database)]


@lru_cache(maxsize=4096)  # bounded: callers may build statements per shape, in an LRU of their own
def _compiled_for(statement: Executable, dialect: Dialect) -> SQLCompiler:
    return cast(SQLCompiler, cast(ClauseElement, statement).compile(dialect=dialect))


async def fetch_rows(
    session: AsyncSession, statement: Executable, params: dict[str, Any]
) -> Sequence[Sequence[Any]]:
    """The rows of a constant statement (module-level or cached, parameters as `bindparam`s),
    as tuples: a SELECT, or a write with RETURNING that is the request's only write.

    On PostgreSQL the statement, compiled once, runs on the asyncpg connection itself: for
    statements answering many thousands of rows, SQLAlchemy's per-row result processing costs
    several times the query. Only for columns asyncpg decodes as the models expect (numbers,
    text, booleans, timestamps with time zone). No autoflush: pending ORM changes are not
    written first. Outside a transaction the statement commits on its own: a store may run a
    write so only when it is the whole write of its unit of work.
    """
    if engine_of(session) is not Engine.POSTGRESQL:
        return (await session.execute(statement, params)).tuples().all()
    compiled = _compiled_for(statement, session.bind.dialect)
    values = compiled.construct_params(params)
    # What execute() would apply to each parameter.
    processors = cast(dict[str, Any], compiled._bind_processors)
    args = [
        processors[name](values[name]) if name in processors else values[name]
        for name in compiled.positiontup or ()
    ]
    if session.in_transaction():  # the session holds a connection: read through it
        connection = await session.connection()
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        try:
            rows: Sequence[Sequence[Any]] = await driver.fetch(compiled.string, *args)
        except BaseException as exc:
            await connection.invalidate(exc)  # see below
            raise
        return rows
    # Otherwise a pooled connection for this statement alone (autocommit): a fraction of the
    # cost of the session's connection, and never held while waiting for another one.
    pooled = await cast(AsyncEngine, session.bind).raw_connection()
    try:
        rows = await cast(Any, pooled.driver_connection).fetch(compiled.string, *args)
    except BaseException:
        # A statement that failed here may have left the protocol half-way: asyncpg refuses a
        # value beyond its column (raising a DataError like the server's) after the statement
        # was parsed, and the backend then waits, holding the table's lock, for a message that
        # never comes. Such a connection is closed, never given back (errors here are rare).
        pooled.invalidate()
        raise
    pooled.close()
    return rows
