"""Budgets per endpoint group; 429 with Retry-After; shared through Redis when configured."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from epicflow.main import create_app
from epicflow.platform.ratelimit import RateLimits
from tests.support.settings import make_settings
from tests.support.users import PASSWORD

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(params=["memory", "redis"])
async def limited_app(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[FastAPI]:
    redis_url = REDIS_URL if request.param == "redis" else None
    application = create_app(
        make_settings(database_url, auth_rate_limit="3/minute", api_rate_limit="4/minute")
    )
    # A fresh key space per test, so earlier runs sharing the Redis server never interfere.
    application.state.context.rate_limits = RateLimits(
        auth_rule="3/minute",
        api_rule="4/minute",
        redis_url=redis_url,
        key_prefix=f"test-{uuid.uuid4().hex}",
    )
    yield application
    await application.state.context.rate_limits.close()
    await application.state.db.dispose()


def _client(app: FastAPI, address: str) -> AsyncClient:
    transport = ASGITransport(app=app, client=(address, 40000), raise_app_exceptions=False)
    return AsyncClient(transport=transport, base_url="http://testserver")


class TestAuthRateLimit:
    async def test_login_attempts_over_budget_get_429_with_retry_after(
        self, limited_app: FastAPI
    ) -> None:
        async with _client(limited_app, "10.1.0.1") as client:
            statuses = [
                (
                    await client.post(
                        "/api/v1/auth/token",
                        data={"username": "nobody@example.com", "password": PASSWORD},
                    )
                ).status_code
                for _ in range(4)
            ]
            assert statuses == [401, 401, 401, 429]
            limited = await client.post(
                "/api/v1/auth/token", data={"username": "x@example.com", "password": PASSWORD}
            )
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert limited.headers["content-type"] == "application/problem+json"

    async def test_account_budget_holds_across_addresses(self, limited_app: FastAPI) -> None:
        statuses = []
        for index in range(4):
            async with _client(limited_app, f"10.2.0.{index}") as client:
                response = await client.post(
                    "/api/v1/auth/token",
                    data={"username": "target@example.com", "password": "guess-guess"},
                )
                statuses.append(response.status_code)
        assert statuses == [401, 401, 401, 429]

    async def test_other_addresses_keep_their_budget(self, limited_app: FastAPI) -> None:
        async with _client(limited_app, "10.3.0.1") as client:
            for index in range(4):
                await client.post(
                    "/api/v1/auth/register",
                    json={"email": f"r{index}@example.com", "password": PASSWORD},
                )
        async with _client(limited_app, "10.3.0.2") as other:
            fresh = await other.post(
                "/api/v1/auth/register", json={"email": "fresh@example.com", "password": PASSWORD}
            )
        assert fresh.status_code == 201


class TestApiRateLimit:
    async def test_caller_over_budget_gets_429(self, limited_app: FastAPI) -> None:
        async with _client(limited_app, "10.4.0.1") as client:
            await client.post(
                "/api/v1/auth/register", json={"email": "api@example.com", "password": PASSWORD}
            )
            token = (
                await client.post(
                    "/api/v1/auth/token", data={"username": "api@example.com", "password": PASSWORD}
                )
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            statuses = [
                (await client.get("/api/v1/users/me", headers=headers)).status_code
                for _ in range(5)
            ]
        assert statuses == [200, 200, 200, 200, 429]


async def _login_headers(client: AsyncClient, email: str) -> dict[str, str]:
    await client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
    login = await client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def _api_token(client: AsyncClient, headers: dict[str, str], name: str) -> dict[str, str]:
    created = await client.post("/api/v1/users/me/tokens", json={"name": name}, headers=headers)
    assert created.status_code == 201, created.text
    return {"Authorization": f"Bearer {created.json()['token']}"}


async def _statuses(client: AsyncClient, headers: dict[str, str], count: int) -> list[int]:
    return [
        (await client.get("/api/v1/users/me", headers=headers)).status_code for _ in range(count)
    ]


class TestBudgetPerCredential:
    async def test_two_api_tokens_of_one_user_each_get_the_full_budget(
        self, limited_app: FastAPI
    ) -> None:
        async with _client(limited_app, "10.5.0.1") as client:
            login = await _login_headers(client, "swarm@example.com")
            first = await _api_token(client, login, "agent-1")
            second = await _api_token(client, login, "agent-2")
            spent = await _statuses(client, first, 5)
            fresh = await _statuses(client, second, 5)
        assert spent == [200, 200, 200, 200, 429]
        assert fresh == [200, 200, 200, 200, 429]

    async def test_access_tokens_of_one_user_share_one_budget(self, limited_app: FastAPI) -> None:
        async with _client(limited_app, "10.6.0.1") as client:
            first = await _login_headers(client, "person@example.com")
            again = await client.post(
                "/api/v1/auth/token",
                data={"username": "person@example.com", "password": PASSWORD},
            )
            second = {"Authorization": f"Bearer {again.json()['access_token']}"}
            statuses = await _statuses(client, first, 2) + await _statuses(client, second, 3)
        assert statuses == [200, 200, 200, 200, 429]


class TestDisabled:
    def test_zero_turns_a_limit_off(self) -> None:
        limits = RateLimits(auth_rule="0", api_rule="", redis_url=None)
        assert limits.auth is None
        assert limits.api is None
