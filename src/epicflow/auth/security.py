"""Password hashing, access-token signing and opaque-token hashing."""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import datetime, timedelta
from typing import Any

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from epicflow.platform.errors import Unauthorized

ALGORITHM = "HS256"
# Access tokens that verified, by (token, key): their subject and expiry (seconds since the
# epoch, compared with the same clock PyJWT uses).
_VERIFIED: dict[tuple[str, str], tuple[str, float]] = {}
_VERIFIED_MAX = 10_000
_clock = time.time
API_TOKEN_PREFIX = "efp_"
_hasher = PasswordHash((Argon2Hasher(),))
# Verified against when the e-mail is unknown, so both failures take the same time; made on
# first use rather than at import, which every worker start would pay for.
_DUMMY_HASH: str | None = None


def use_test_hashing() -> None:
    """Cheap argon2 parameters for test suites only (EPICFLOW_ENV=test); hashes made with the
    default parameters still verify."""
    global _hasher, _DUMMY_HASH  # noqa: PLW0603 - one process-wide hasher, set at start-up
    _hasher = PasswordHash(
        (Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1), Argon2Hasher())
    )
    _DUMMY_HASH = None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        global _DUMMY_HASH  # noqa: PLW0603 - a cache of one value
        if _DUMMY_HASH is None:
            _DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
        _hasher.verify(password, _DUMMY_HASH)
        return False
    return _hasher.verify(password, password_hash)


def hash_token(token: str) -> str:
    """Opaque tokens carry 256 bits of randomness, so a fast hash is enough to store them."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def new_api_token() -> str:
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def issue_access_token(subject: str, *, key: str, now: datetime, lifetime: timedelta) -> str:
    claims = {"sub": subject, "iat": now, "exp": now + lifetime, "typ": "access"}
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def read_access_token(token: str, *, key: str) -> str:
    """Return the subject of a valid access token; anything else is a 401.

    A token that verified is remembered with its expiry, so that a client's later requests
    with it skip the signature check (a twentieth of a short request's CPU) but not the expiry.
    """
    remembered = _VERIFIED.get((token, key))
    if remembered is not None:
        subject, expires = remembered
        if _clock() < expires:
            return subject
    invalid = Unauthorized("Invalid or expired access token.", code="invalid_token")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            # The expiry is checked below, by the clock the remembered tokens are checked by.
            options={"require": ["exp", "iat", "sub"], "verify_exp": False},
        )
    except jwt.PyJWTError as exc:
        raise invalid from exc
    subject, expires = claims["sub"], claims["exp"]
    if claims.get("typ") != "access" or not isinstance(subject, str):
        raise invalid
    if isinstance(expires, bool) or not isinstance(expires, int | float) or expires <= _clock():
        raise invalid
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.clear()
    _VERIFIED[(token, key)] = (subject, float(expires))
    return subject
