"""Errors the asyncpg driver raises on the raw statement path (`platform.db.fetch_rows`, which
bypasses SQLAlchemy's wrapping) answer like their SQLAlchemy-wrapped kin: a lost race is 409,
a deadlock, a serialization failure or a lost or refused connection is 503 with Retry-After,
anything else a 500 that names nothing inside."""

from __future__ import annotations

import json

import asyncpg
import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_dbapi

from epicflow.platform.http_errors import unexpected_error_response

_UNAVAILABLE = (503, "database_unavailable")


@pytest.mark.parametrize(
    ("error", "answer"),
    [
        (
            asyncpg.exceptions.ForeignKeyViolationError("a referenced row went away"),
            (409, "concurrent_change"),
        ),
        (asyncpg.exceptions.UniqueViolationError("taken meanwhile"), (409, "concurrent_change")),
        (asyncpg.exceptions.DeadlockDetectedError("deadlock detected"), _UNAVAILABLE),
        (asyncpg.exceptions.SerializationError("could not serialize"), _UNAVAILABLE),
        (asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"), _UNAVAILABLE),
        (asyncpg.exceptions.AdminShutdownError("terminating connection"), _UNAVAILABLE),
        (
            asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
            _UNAVAILABLE,
        ),
        (
            asyncpg.exceptions.UndefinedColumnError("column x does not exist"),
            (500, "internal_error"),
        ),
        (ValueError("a bug"), (500, "internal_error")),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else None,
)
def test_a_driver_error_answers_like_its_wrapped_kin(
    error: Exception, answer: tuple[int, str]
) -> None:
    response = unexpected_error_response("request-1", error)
    body = bytes(response.body).decode()
    assert (response.status_code, json.loads(body)["code"]) == answer
    assert response.headers["content-type"] == "application/problem+json"
    assert "asyncpg" not in body
    assert str(error) not in body
    if answer == _UNAVAILABLE:
        assert response.headers["retry-after"] == "5"


_TOO_MANY = "the number of query arguments cannot exceed 32767"


def _wrapped(error: Exception, *, invalidated: bool) -> sa_exc.InterfaceError:
    """`error` as SQLAlchemy hands it on from its asyncpg adapter (`session.execute`): which
    marks the connection invalidated when the driver's connection is closed."""
    orig = AsyncAdapt_asyncpg_dbapi.InterfaceError(f"{type(error)}: {error}")
    orig.__cause__ = error
    return sa_exc.InterfaceError("SELECT 1", None, orig, connection_invalidated=invalidated)


@pytest.mark.parametrize(
    ("error", "answer"),
    [
        # A statement that can never run: a retry fails the same way, so no Retry-After.
        (asyncpg.InterfaceError(_TOO_MANY), (500, "internal_error")),
        (
            _wrapped(asyncpg.InterfaceError(_TOO_MANY), invalidated=False),
            (500, "internal_error"),
        ),
        (
            asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
            (500, "internal_error"),
        ),
        # A connection lost under the statement: the next one may well work.
        (asyncpg.InterfaceError("connection is closed"), _UNAVAILABLE),
        (asyncpg.InterfaceError("cannot perform operation: connection is closed"), _UNAVAILABLE),
        (
            _wrapped(asyncpg.InterfaceError("connection is closed"), invalidated=True),
            _UNAVAILABLE,
        ),
        (ConnectionResetError("Connection reset by peer"), _UNAVAILABLE),
        (OSError("Network is unreachable"), _UNAVAILABLE),
    ],
    ids=[
        "too-many-arguments",
        "too-many-arguments-wrapped",
        "operation-in-progress",
        "connection-is-closed",
        "protocol-connection-is-closed",
        "connection-is-closed-wrapped",
        "connection-reset",
        "os-error",
    ],
)
def test_an_interface_error_is_unavailable_only_when_the_connection_is_lost(
    error: Exception, answer: tuple[int, str]
) -> None:
    test_a_driver_error_answers_like_its_wrapped_kin(error, answer)
