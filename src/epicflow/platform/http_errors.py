"""The one mapping from errors to RFC 9457 problem+json responses."""

from __future__ import annotations

import logging
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from epicflow.platform.errors import DomainError, RateLimited

PROBLEM = "application/problem+json"
log = logging.getLogger("epicflow.errors")

_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}
_CODES = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}


def problem_body(
    status: int, detail: str, /, *, code: str | None = None, **extra: Any
) -> dict[str, Any]:
    """The problem+json document (RFC 9457) for an error, as the API and ``--json`` print it."""
    return {
        **extra,  # never overrides the standard members below
        "type": "about:blank",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code or _CODES.get(status, "error"),
    }


def problem(
    status: int,
    detail: str,
    /,
    *,
    code: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = problem_body(status, detail, code=code, **extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


# A body with thousands of bad or unknown fields (or huge field names) must not turn into a
# larger error document: report the first few, each location part cut short.
MAX_REPORTED_ERRORS = 50
MAX_REPORTED_FIELDS = 10
MAX_LOC_PART = 100


def _loc_part(part: object) -> str:
    text = str(part)
    return text if len(text) <= MAX_LOC_PART else text[:MAX_LOC_PART] + "…"


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors()[:MAX_REPORTED_ERRORS]:
        item: dict[str, Any] = {
            "loc": [_loc_part(part) for part in err.get("loc", ())],
            "msg": str(err.get("msg", "invalid")),
            "type": str(err.get("type", "value_error")),
        }
        errors.append(item)
    return errors


def _validation_detail(errors: list[dict[str, Any]], total: int) -> str:
    fields = sorted({".".join(e["loc"][1:]) or e["loc"][0] for e in errors if e["loc"]})
    if not fields:
        return "Invalid input"
    shown = fields[:MAX_REPORTED_FIELDS]
    hidden = len(fields) - len(shown) + max(0, total - len(errors))
    more = f" and {hidden} more" if hidden else ""
    return "Invalid input: " + ", ".join(shown) + more


async def _on_domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    if exc.status == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    if exc.status == 503:
        headers = {"Retry-After": "5"}
    return problem(exc.status, exc.detail, code=exc.code, headers=headers, **exc.extra)


async def _on_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _validation_errors(exc)
    detail = _validation_detail(errors, len(exc.errors()))
    return problem(422, detail, code="validation_error", errors=errors)


async def _on_http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:
        # FastAPI's only 400: a body it could not read at all (not UTF-8, nested too deep, a
        # broken multipart form). That is invalid input like a JSON syntax error, which FastAPI
        # answers with 422, and 422 is what every route with a body documents.
        error = {"loc": ["body"], "msg": "The body could not be parsed.", "type": "malformed_body"}
        return problem(422, "Invalid input: body", code="malformed_body", errors=[error])
    detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "Error")
    return problem(exc.status_code, detail, headers=dict(exc.headers or {}) or None)


_UNAVAILABLE = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    sa_exc.DBAPIError,
    OSError,
)


# Deadlock and serialization failures: the transaction lost a race and a retry will succeed.
_RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})


# The same, and a connection lost or refused, as the asyncpg driver raises them on the raw
# statement path (`platform.db.fetch_rows`), which SQLAlchemy does not wrap.
_RAW_UNAVAILABLE_SQLSTATES = _RETRYABLE_SQLSTATES | {"57P01", "57P02", "57P03"}


def _is_raw_unavailable(exc: BaseException | None) -> bool:
    if isinstance(exc, asyncpg.InterfaceError):
        # How asyncpg says, in a few phrasings, that the connection went away under the
        # statement (SQLAlchemy's own disconnect check reads it the same way). Its other
        # interface errors are statements that can never run (more arguments than it can
        # send, say): retrying them fails the same way, so they are no outage.
        return "connection is closed" in str(exc)
    if not isinstance(exc, asyncpg.PostgresError):
        return False
    state = str(exc.sqlstate or "")
    return state in _RAW_UNAVAILABLE_SQLSTATES or state.startswith("08")


def _is_unavailable(exc: BaseException) -> bool:
    if _is_raw_unavailable(exc):
        return True
    if isinstance(exc, sa_exc.InterfaceError):
        # Wrapped from the driver by SQLAlchemy, which marks it invalidated when the connection
        # is gone; the driver's own error is the wrapped one's cause.
        return exc.connection_invalidated or _is_raw_unavailable(
            getattr(exc.orig, "__cause__", None)
        )
    if isinstance(exc, sa_exc.DBAPIError):
        state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        if state in _RETRYABLE_SQLSTATES:
            return True
    if isinstance(exc, sa_exc.DBAPIError) and not isinstance(
        exc, sa_exc.OperationalError | sa_exc.InterfaceError
    ):
        return exc.connection_invalidated
    return isinstance(exc, _UNAVAILABLE)


def unexpected_error_response(request_id: str | None, exc: BaseException) -> JSONResponse:
    """A database outage answers 503 with Retry-After; anything else a 500 that hides internals."""
    if isinstance(exc, sa_exc.IntegrityError | asyncpg.IntegrityConstraintViolationError):
        # Repositories translate the constraint errors they expect; one that still gets here
        # lost a race with a concurrent write (a row it referenced went away), so retrying helps.
        log.warning("integrity error", extra={"request_id": request_id})
        return problem(409, "The data changed concurrently; retry.", code="concurrent_change")
    if _is_unavailable(exc):
        log.warning(
            "database unavailable",
            extra={"request_id": request_id, "error": type(exc).__name__},
        )
        return problem(
            503,
            "The database is unavailable; retry shortly.",
            code="database_unavailable",
            headers={"Retry-After": "5"},
        )
    log.error("unhandled error", exc_info=exc, extra={"request_id": request_id})
    return problem(500, "An internal error occurred.", code="internal_error", request_id=request_id)


async def _on_database_error(request: Request, exc: Exception) -> JSONResponse:
    return unexpected_error_response(getattr(request.state, "request_id", None), exc)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _on_domain_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    for exc_type in _UNAVAILABLE:
        app.add_exception_handler(exc_type, _on_database_error)
