"""Every way a bearer credential can be wrong answers 401, never more."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from httpx import AsyncClient

from epicflow.auth import security
from epicflow.platform.errors import Unauthorized
from tests.support.settings import TEST_SECRET
from tests.support.users import TestUser, UserFactory

ME = "/api/v1/users/me"
TOKENS = "/api/v1/users/me/tokens"


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _claims(user: TestUser, **changes: object) -> dict[str, object]:
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": user.id,
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "typ": "access",
    }
    claims.update(changes)
    return claims


async def _status_with(client: AsyncClient, token: str) -> int:
    response = await client.get(ME, headers={"Authorization": f"Bearer {token}"})
    if response.status_code == 401:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"] == "Bearer"
    return response.status_code


class TestAccessTokens:
    async def test_valid_token_is_accepted(self, client: AsyncClient, users: UserFactory) -> None:
        user = await users.create()
        assert await _status_with(client, user.access_token) == 200

    async def test_missing_credentials_are_401(self, client: AsyncClient) -> None:
        assert (await client.get(ME)).status_code == 401
        basic = await client.get(ME, headers={"Authorization": "Basic dXNlcjpwYXNz"})
        assert basic.status_code == 401

    async def test_expired_token_is_401(self, client: AsyncClient, users: UserFactory) -> None:
        user = await users.create()
        past = datetime.now(UTC) - timedelta(hours=1)
        token = jwt.encode(
            _claims(user, iat=past, exp=past + timedelta(minutes=1)), TEST_SECRET, "HS256"
        )
        assert await _status_with(client, token) == 401

    async def test_tampered_payload_is_401(self, client: AsyncClient, users: UserFactory) -> None:
        user = await users.create()
        other = await users.create()
        header, _payload, signature = user.access_token.split(".")
        forged = _b64(
            {**jwt.decode(user.access_token, options={"verify_signature": False}), "sub": other.id}
        )
        assert await _status_with(client, f"{header}.{forged}.{signature}") == 401

    async def test_alg_none_is_401(self, client: AsyncClient, users: UserFactory) -> None:
        user = await users.create()
        payload = jwt.decode(user.access_token, options={"verify_signature": False})
        unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(payload)}."
        assert await _status_with(client, unsigned) == 401

    async def test_token_signed_with_another_key_is_401(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        token = jwt.encode(_claims(user), "another-secret-key-of-sufficient-length!!", "HS256")
        assert await _status_with(client, token) == 401

    async def test_token_for_a_missing_user_is_401(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        token = jwt.encode(
            _claims(user, sub="00000000-0000-0000-0000-000000000000"), TEST_SECRET, "HS256"
        )
        assert await _status_with(client, token) == 401

    @pytest.mark.parametrize("token", ["garbage", "a.b.c", "efp_", "x" * 500])
    async def test_garbage_is_401(self, client: AsyncClient, token: str) -> None:
        assert await _status_with(client, token) == 401


class TestApiTokens:
    async def test_created_token_authenticates_and_is_shown_once(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        created = await client.post(TOKENS, json={"name": "ci"}, headers=user.headers)
        assert created.status_code == 201
        secret = created.json()["token"]
        assert secret.startswith("efp_")
        assert await _status_with(client, secret) == 200
        listed = await client.get(TOKENS, headers=user.headers)
        (item,) = listed.json()["items"]
        assert "token" not in item
        assert item["last_used_at"] is not None
        assert secret not in listed.text

    async def test_revoked_token_is_401(self, client: AsyncClient, users: UserFactory) -> None:
        user = await users.create()
        created = (await client.post(TOKENS, json={"name": "ci"}, headers=user.headers)).json()
        revoked = await client.delete(f"{TOKENS}/{created['id']}", headers=user.headers)
        assert revoked.status_code == 204
        assert await _status_with(client, created["token"]) == 401

    async def test_expired_token_is_401(
        self, client: AsyncClient, users: UserFactory, app: object
    ) -> None:
        user = await users.create()
        soon = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
        created = (
            await client.post(TOKENS, json={"name": "ci", "expires_at": soon}, headers=user.headers)
        ).json()
        context = app.state.context  # type: ignore[attr-defined]
        real_clock = context.clock
        context.clock = lambda: real_clock() + timedelta(minutes=5)
        try:
            assert await _status_with(client, created["token"]) == 401
        finally:
            context.clock = real_clock

    async def test_expiry_in_the_past_is_422(self, client: AsyncClient, users: UserFactory) -> None:
        user = await users.create()
        past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
        response = await client.post(
            TOKENS, json={"name": "ci", "expires_at": past}, headers=user.headers
        )
        assert response.status_code == 422

    async def test_someone_elses_token_cannot_be_revoked(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        owner = await users.create()
        stranger = await users.create()
        created = (await client.post(TOKENS, json={"name": "ci"}, headers=owner.headers)).json()
        response = await client.delete(f"{TOKENS}/{created['id']}", headers=stranger.headers)
        assert response.status_code == 404
        assert await _status_with(client, created["token"]) == 200

    async def test_tokens_page_through_with_a_cursor(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        for index in range(3):
            await client.post(TOKENS, json={"name": f"t{index}"}, headers=user.headers)
        first = (await client.get(TOKENS, params={"limit": 2}, headers=user.headers)).json()
        assert len(first["items"]) == 2
        second = (
            await client.get(
                TOKENS, params={"limit": 2, "cursor": first["next_cursor"]}, headers=user.headers
            )
        ).json()
        assert [t["name"] for t in first["items"] + second["items"]] == ["t0", "t1", "t2"]
        assert second["next_cursor"] is None


class TestVerifiedTokens:
    """A token verified once is remembered (its signature is not checked again on every
    request) but never past its expiry, and never under another key."""

    def test_a_remembered_token_still_expires(self, monkeypatch: pytest.MonkeyPatch) -> None:
        now = datetime.now(UTC)
        token = security.issue_access_token(
            "someone", key=TEST_SECRET, now=now, lifetime=timedelta(minutes=5)
        )
        assert security.read_access_token(token, key=TEST_SECRET) == "someone"
        later = (now + timedelta(minutes=5, seconds=1)).timestamp()
        monkeypatch.setattr(security, "_clock", lambda: later)
        with pytest.raises(Unauthorized):
            security.read_access_token(token, key=TEST_SECRET)

    def test_a_remembered_token_is_refused_under_another_key(self) -> None:
        token = security.issue_access_token(
            "someone", key=TEST_SECRET, now=datetime.now(UTC), lifetime=timedelta(minutes=5)
        )
        assert security.read_access_token(token, key=TEST_SECRET) == "someone"
        with pytest.raises(Unauthorized):
            security.read_access_token(token, key="another-secret-of-sufficient-length-0123456789")
