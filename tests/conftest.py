"""Test databases built by the migrations; real HTTP through the ASGI app.

SQLite by default; PostgreSQL when EPICFLOW_TEST_DATABASE_URL names a server (a fresh database is
created on it for the run and dropped afterwards). Every test starts from empty tables.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from epicflow.main import create_app
from epicflow.platform import migrations
from epicflow.platform.db import Database
from epicflow.registry import metadata
from epicflow.settings import Settings
from tests.support.accounts import AccountSeeder
from tests.support.board import Board, make_board
from tests.support.databases import create_postgres_database, drop_postgres_database
from tests.support.settings import make_settings
from tests.support.users import UserFactory

# A marker per engine a test needs: (the engine's backend name, the one reason it is skipped with
# on any other engine). .ci/run greps these reasons to fail when a test was skipped on its own
# engine, so keep them fixed. Another engine is one more line here and in pyproject's markers.
ENGINE_MARKERS: dict[str, tuple[str, str]] = {
    "postgres_only": ("postgresql", "needs a PostgreSQL test database"),
    "sqlite_only": ("sqlite", "needs the SQLite test database"),
}
ENGINE_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


def engine_under_test() -> str:
    """The backend name of the test database: SQLite unless EPICFLOW_TEST_DATABASE_URL is set."""
    server = os.environ.get("EPICFLOW_TEST_DATABASE_URL")
    return make_url(server).get_backend_name() if server else "sqlite"


def pytest_report_header() -> str:
    engine = engine_under_test()
    return f"epicflow test database: {ENGINE_NAMES.get(engine, engine)}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    engine = engine_under_test()
    for item in items:
        for marker, (needed, reason) in ENGINE_MARKERS.items():
            if engine != needed and item.get_closest_marker(marker) is not None:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = os.environ.get("EPICFLOW_TEST_DATABASE_URL")
    if server:
        url = create_postgres_database(server)
        migrations.upgrade(url)
        yield url
        drop_postgres_database(url)
        return
    path: Path = tmp_path_factory.mktemp("db") / "epicflow.db"
    url = f"sqlite+aiosqlite:///{path}"
    migrations.upgrade(url)
    yield url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    yield application
    await application.state.db.dispose()


@pytest.fixture(scope="session")
def db(app: FastAPI) -> Database:
    database: Database = app.state.db
    return database


@pytest.fixture(autouse=True)
async def _empty_tables(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Every test that touches the database leaves it empty for the next one."""
    yield
    if "database_url" not in request.fixturenames:
        return
    url: str = request.getfixturevalue("database_url")
    # NullPool: no connection outlives the cleanup, so nothing needs disposing later.
    engine = create_async_engine(url, poolclass=NullPool)
    tables = [table.name for table in reversed(metadata.sorted_tables)]
    try:
        async with engine.begin() as connection:
            if url.startswith("sqlite"):
                for name in tables:
                    await connection.execute(text(f'DELETE FROM "{name}"'))
            else:
                joined = ", ".join(f'"{name}"' for name in tables)
                await connection.execute(text(f"TRUNCATE {joined} CASCADE"))
    finally:
        await engine.dispose()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def users(client: AsyncClient) -> UserFactory:
    return UserFactory(client)


@pytest.fixture
def accounts(db: Database) -> AccountSeeder:
    """Users written straight to the database, for tests that need many quickly."""
    return AccountSeeder(db)


@pytest.fixture
async def board(client: AsyncClient, users: UserFactory) -> Board:
    """A project `WEB` with its owner, driven through the API."""
    return await make_board(client, users)
