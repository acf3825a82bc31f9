"""Create and drop throw-away PostgreSQL databases for a test run."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
from sqlalchemy.engine import make_url


def _dsn(url: str, database: str) -> str:
    parsed = make_url(url).set(drivername="postgresql", database=database)
    return parsed.render_as_string(hide_password=False)


async def _execute(server_url: str, statement: str) -> None:
    connection = await asyncpg.connect(
        _dsn(server_url, make_url(server_url).database or "postgres")
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def create_postgres_database(server_url: str) -> str:
    """A fresh database on the server `server_url` points at; returns its async URL."""
    name = f"epicflow_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_execute(server_url, f'CREATE DATABASE "{name}"'))
    parsed = make_url(server_url).set(drivername="postgresql+asyncpg", database=name)
    return parsed.render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    maintenance = make_url(url).set(database="postgres").render_as_string(hide_password=False)
    asyncio.run(_execute(maintenance, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
