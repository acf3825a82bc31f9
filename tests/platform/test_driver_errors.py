"""Errors the asyncpg driver raises on the raw statement path (`platform.db.fetch_rows`, which
bypasses SQLAlchemy's wrapping) answer like their SQLAlchemy-wrapped kin: a lost race is 409,
a deadlock, a serialization failure or a lost or refused connection is 503 with Retry-After,
anything else a 500 that names nothing inside."""

from __future__ import annotations

import json

import asyncpg
import pytest

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
