"""Domain error categories. One module (``http_errors``) maps them to problem+json."""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    status: ClassVar[int] = 400
    title: ClassVar[str] = "Bad request"
    code: str = "bad_request"
    # Set when the changes made before the error must still be committed (a security response,
    # such as revoking a login whose refresh token was replayed).
    keep_changes: ClassVar[bool] = False

    def __init__(self, detail: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.extra = extra


class BadRequest(DomainError):
    pass


class Unauthorized(DomainError):
    status = 401
    title = "Unauthorized"
    code = "unauthorized"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    title = "Not found"
    code = "not_found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"
    code = "conflict"


class PreconditionFailed(DomainError):
    status = 412
    title = "Precondition failed"
    code = "version_mismatch"


class Invalid(DomainError):
    status = 422
    title = "Unprocessable content"
    code = "invalid"


class RateLimited(DomainError):
    status = 429
    title = "Too many requests"
    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__("Rate limit exceeded; retry later.")
        self.retry_after = retry_after


class Unavailable(DomainError):
    status = 503
    title = "Service unavailable"
    code = "unavailable"
