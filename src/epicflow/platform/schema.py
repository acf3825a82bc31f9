"""Whether a database holds epicflow's schema, asked without creating anything: an operator
command run in the wrong folder must not leave an empty `epicflow.db` behind."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

UPGRADE_HINT = "run `epicflow db upgrade` (or `epicflow serve`) first"


class SchemaMissing(RuntimeError):
    """The database does not exist, or is not migrated to the newest revision."""


async def schema_revision(connection: AsyncConnection) -> str | None:
    """The migration the database is at; None when it has no epicflow schema."""
    has_table = await connection.run_sync(lambda sync: inspect(sync).has_table("alembic_version"))
    if not has_table:
        return None
    result = await connection.execute(text("SELECT version_num FROM alembic_version"))
    return result.scalar_one_or_none()


def _missing_file(url: str) -> Path | None:
    """The file of a SQLite URL when it does not exist (connecting would create it)."""
    parsed = make_url(url)
    name = parsed.database
    if parsed.get_backend_name() != "sqlite" or not name or name.startswith(":memory:"):
        return None
    path = Path(name.removeprefix("file:").split("?", 1)[0])
    return None if path.exists() else path


async def _revision(url: str) -> str | None:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return await schema_revision(connection)
    finally:
        await engine.dispose()


def require_schema(url: str, *, at_head: bool = True) -> None:
    """Raise `SchemaMissing` unless the database exists and (with `at_head`) is migrated to the
    newest revision."""
    from epicflow.platform.migrations import head_revision  # noqa: PLC0415 - slow to import

    missing = _missing_file(url)
    if missing is not None:
        raise SchemaMissing(f"no database at {missing}: {UPGRADE_HINT}")
    if not at_head:
        return
    revision = asyncio.run(_revision(url))
    if revision is None:
        raise SchemaMissing(f"the database has no epicflow schema: {UPGRADE_HINT}")
    if revision != head_revision():
        raise SchemaMissing(f"the database schema is at {revision}, not the newest: {UPGRADE_HINT}")
