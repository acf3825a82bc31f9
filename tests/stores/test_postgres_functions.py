"""The migrated database holds each PostgreSQL function as its file renders it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from epicflow.stores.postgres.functions import FUNCTIONS, function_sql

pytestmark = pytest.mark.postgres_only

_DEFINITION = text("SELECT pg_get_functiondef(CAST(:name AS regproc))")


def _body(definition: str, quote: str) -> str:
    """What lies between the dollar quotes, each line without its trailing whitespace: the
    rest (the header) PostgreSQL writes in its own words."""
    _header, found, rest = definition.partition(f"AS {quote}")
    assert found, definition
    body, found, _end = rest.rpartition(quote)
    assert found, definition
    return "\n".join(line.rstrip() for line in body.splitlines())


@pytest.fixture
async def connection(database_url: str) -> AsyncIterator[AsyncConnection]:
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            yield connection
            await connection.rollback()
    finally:
        await engine.dispose()


@pytest.mark.parametrize("name", FUNCTIONS)
async def test_the_database_holds_the_rendered_file(connection: AsyncConnection, name: str) -> None:
    installed = await connection.scalar(_DEFINITION, {"name": name})
    assert _body(installed, "$function$") == _body(function_sql(name), "$$")
    # The header too, in PostgreSQL's words: installing the file's text (rolled back) leaves
    # the definition as it was.
    await connection.execute(text(function_sql(name)))
    assert await connection.scalar(_DEFINITION, {"name": name}) == installed
