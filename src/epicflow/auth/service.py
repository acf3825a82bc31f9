"""Accounts, logins and tokens. Services flush; the unit of work commits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.auth import repository as repo
from epicflow.auth.models import ApiToken, RefreshToken, User
from epicflow.auth.security import (
    API_TOKEN_PREFIX,
    hash_password,
    hash_token,
    issue_access_token,
    new_api_token,
    new_refresh_token,
    read_access_token,
    verify_password,
)
from epicflow.platform.errors import BadRequest, Invalid, Unauthorized

# API tokens are touched at most this often, so authenticated reads rarely write.
LAST_USED_RESOLUTION = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class TokenPolicy:
    key: str
    access_lifetime: timedelta
    refresh_lifetime: timedelta


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int


def bad_credentials() -> Unauthorized:
    return Unauthorized("Incorrect e-mail or password.", code="invalid_credentials")


async def create_user(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    full_name: str,
    now: datetime,
    is_superuser: bool = False,
) -> User:
    if await repo.find_user_by_email(session, email) is not None:
        raise repo.email_taken()
    user = User(
        id=uuid.uuid4(),
        email=email.lower(),
        full_name=full_name,
        password_hash=hash_password(password),
        is_active=True,
        is_superuser=is_superuser,
        created_at=now,
    )
    return await repo.add_user(session, user)


async def authenticate(session: AsyncSession, email: str, password: str) -> User:
    user = await repo.find_user_by_email(session, email)
    valid = verify_password(password, user.password_hash if user else None)
    if user is None or not valid or not user.is_active:
        raise bad_credentials()
    return user


async def _issue(
    session: AsyncSession, user: User, policy: TokenPolicy, now: datetime, family: uuid.UUID
) -> IssuedTokens:
    refresh = new_refresh_token()
    await repo.add(
        session,
        RefreshToken(
            id=uuid.uuid4(),
            user_id=user.id,
            family_id=family,
            token_hash=hash_token(refresh),
            expires_at=now + policy.refresh_lifetime,
            created_at=now,
        ),
    )
    access = issue_access_token(
        str(user.id), key=policy.key, now=now, lifetime=policy.access_lifetime
    )
    return IssuedTokens(access, refresh, int(policy.access_lifetime.total_seconds()))


async def log_in(
    session: AsyncSession, user: User, policy: TokenPolicy, now: datetime
) -> IssuedTokens:
    return await _issue(session, user, policy, now, uuid.uuid4())


class RefreshReused(Unauthorized):
    """A spent refresh token came back: its family is revoked, and that must be committed."""

    keep_changes = True


async def refresh(
    session: AsyncSession, token: str, policy: TokenPolicy, now: datetime
) -> IssuedTokens:
    """Rotate a refresh token. A spent one used again revokes its whole login session."""
    row = await repo.find_refresh_token(session, hash_token(token))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise Unauthorized("Invalid refresh token.", code="invalid_token")
    if row.spent_at is not None:
        await repo.revoke_refresh_family(session, row.family_id, now)
        raise RefreshReused("Refresh token re-used; the session is revoked.", code="token_reused")
    user = await repo.find_user(session, row.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("Invalid refresh token.", code="invalid_token")
    row.spent_at = now
    return await _issue(session, user, policy, now, row.family_id)


async def log_out(session: AsyncSession, token: str, now: datetime) -> None:
    row = await repo.find_refresh_token(session, hash_token(token))
    if row is not None:
        await repo.revoke_refresh_family(session, row.family_id, now)


async def change_password(
    session: AsyncSession, user: User, current: str, new: str, now: datetime
) -> None:
    if not verify_password(current, user.password_hash):
        raise BadRequest("The current password is wrong.", code="wrong_password")
    user.password_hash = hash_password(new)
    await repo.revoke_user_refresh_tokens(session, user.id, now)


async def update_profile(
    session: AsyncSession, user: User, *, full_name: str | None, email: str | None
) -> User:
    if full_name is not None:
        user.full_name = full_name
    if email is not None and email != user.email:
        if await repo.find_user_by_email(session, email) is not None:
            raise repo.email_taken()
        user.email = email.lower()
    await repo.flush_user(session)
    return user


def invalid_token() -> Unauthorized:
    return Unauthorized("Invalid access token.", code="invalid_token")


@dataclass(frozen=True, slots=True)
class Bearer:
    """Who a bearer credential names, and whose rate-limit budget it spends (SPEC 10.5): each
    API token its own; every access token of a user that user's."""

    user_id: uuid.UUID
    budget: str


async def bearer_subject(session: AsyncSession, token: str, *, key: str, now: datetime) -> Bearer:
    """The user an access JWT or an `efp_` API token names, before the user is loaded (the
    caller loads it, possibly together with what the request needs)."""
    if token.startswith(API_TOKEN_PREFIX):
        row = await _api_token(session, token, now)
        return Bearer(row.user_id, f"token:{row.id}")
    try:
        user_id = uuid.UUID(read_access_token(token, key=key))
    except ValueError as exc:
        raise invalid_token() from exc
    return Bearer(user_id, f"user:{user_id}")


def check_active(user: User | None) -> User:
    if user is None or not user.is_active:
        raise invalid_token()
    return user


async def _api_token(session: AsyncSession, token: str, now: datetime) -> ApiToken:
    row = await repo.find_api_token(session, hash_token(token))
    if row is None or row.revoked_at is not None:
        raise Unauthorized("Invalid API token.", code="invalid_token")
    if row.expires_at is not None and row.expires_at <= now:
        raise Unauthorized("API token expired.", code="invalid_token")
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        row.last_used_at = now
    return row


async def create_api_token(
    session: AsyncSession, user: User, *, name: str, expires_at: datetime | None, now: datetime
) -> tuple[ApiToken, str]:
    if expires_at is not None and expires_at <= now:
        raise Invalid(
            "expires_at must be in the future.", code="invalid_expiry", field="expires_at"
        )
    token = new_api_token()
    row = ApiToken(
        id=uuid.uuid4(),
        user_id=user.id,
        name=name,
        token_hash=hash_token(token),
        expires_at=expires_at,
        created_at=now,
    )
    await repo.add(session, row)
    return row, token


async def revoke_api_token(
    session: AsyncSession, user: User, token_id: uuid.UUID, now: datetime
) -> None:
    row = await repo.get_api_token(session, user.id, token_id)
    if row.revoked_at is None:
        row.revoked_at = now


async def find_user_by_email(session: AsyncSession, email: str) -> User | None:
    return await repo.find_user_by_email(session, email)


async def find_user(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await repo.find_user(session, user_id)
