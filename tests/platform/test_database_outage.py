"""A database that is down answers 503 with Retry-After, and the service recovers by itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy.engine import make_url

from epicflow.main import create_app
from epicflow.platform import db
from tests.support.proxy import TcpProxy, free_port
from tests.support.settings import make_settings
from tests.support.users import UserFactory


def _client(app: object) -> AsyncClient:
    transport = ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
    return AsyncClient(transport=transport, base_url="http://t")


class TestClosedPort:
    async def test_api_and_readiness_answer_503(self) -> None:
        url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nowhere"
        app = create_app(make_settings(url))
        try:
            async with _client(app) as client:
                write = await client.post(
                    "/api/v1/auth/register",
                    json={"email": "a@example.com", "password": "password123"},
                )
                ready = await client.get("/health/ready")
        finally:
            await app.state.db.dispose()
        assert write.status_code == 503
        assert write.headers["retry-after"] == "5"
        assert write.headers["content-type"] == "application/problem+json"
        assert write.json()["code"] == "database_unavailable"
        assert "asyncpg" not in write.text
        assert ready.status_code == 503


@asynccontextmanager
async def _behind_proxy(database_url: str) -> AsyncIterator[tuple[AsyncClient, TcpProxy]]:
    """A client of the app, whose database connections pass through a proxy the test can cut."""
    real = make_url(database_url)
    proxy = TcpProxy(real.host or "127.0.0.1", real.port or 5432)
    await proxy.start()
    proxied = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    app = create_app(make_settings(proxied))
    try:
        async with _client(app) as client:
            yield client, proxy
    finally:
        await app.state.db.dispose()
        await proxy.stop()


@pytest.mark.postgres_only  # a PostgreSQL server to take down
class TestOutageAndRecovery:
    async def test_service_recovers_when_the_database_returns(self, database_url: str) -> None:
        async with _behind_proxy(database_url) as (client, proxy):
            user = await UserFactory(client).create()
            assert (await client.get("/api/v1/users/me", headers=user.headers)).status_code == 200

            await proxy.stop()
            down = await client.get("/api/v1/users/me", headers=user.headers)
            assert down.status_code == 503
            assert down.headers["retry-after"] == "5"
            assert (await client.get("/health/ready")).status_code == 503

            await proxy.start()
            back = await client.get("/api/v1/users/me", headers=user.headers)
            assert back.status_code == 200
            assert (await client.get("/health/ready")).status_code == 200

    async def test_a_restart_while_idle_costs_no_request(
        self, database_url: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # idle longer than that
        async with _behind_proxy(database_url) as (client, proxy):
            user = await UserFactory(client).create()
            assert (await client.get("/api/v1/users/me", headers=user.headers)).status_code == 200
            # Every pooled connection dies while no request runs; the next request must not be
            # the one that finds out.
            await proxy.stop()
            await proxy.start()
            again = await client.get("/api/v1/users/me", headers=user.headers)
            assert again.status_code == 200, again.text


@pytest.mark.postgres_only  # the ping is PostgreSQL's
class TestPing:
    async def test_only_a_connection_idle_for_a_while_is_pinged(
        self, database_url: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        engine = db.make_engine(database_url)
        sent: list[str] = []
        try:
            async with engine.connect() as connection:
                raw = await connection.get_raw_connection()
                driver: Any = raw.driver_connection
                driver.add_query_logger(lambda query: sent.append(query.query))
            monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 60.0)
            async with engine.connect():
                pass
            assert sent == []  # back in the pool a moment ago: no round trip
            monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
            async with engine.connect():
                pass
            assert sent == [";"]
        finally:
            await engine.dispose()
