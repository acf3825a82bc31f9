"""Opaque keyset cursors and the list envelope every list endpoint answers with."""

from __future__ import annotations

import base64
import binascii
import json
import math
import uuid
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from epicflow.platform.errors import Invalid
from epicflow.platform.types import is_plain_line

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_CURSOR_LENGTH = 1024


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _malformed() -> Invalid:
    return Invalid("cursor is malformed", code="invalid_cursor", field="cursor")


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a keyset value")


def decode_cursor(cursor: str, *, arity: int) -> list[Any]:
    """Return the keyset values a cursor carries; anything malformed is a 422 naming `cursor`.

    The values are what a client sent: each caller checks each one (`cursor_int`, `cursor_str`,
    ...) before it reaches a statement."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii"))
        values = json.loads(raw, parse_constant=_no_constants)  # no NaN, no Infinity
    except (binascii.Error, ValueError, UnicodeError) as exc:
        raise _malformed() from exc
    if not isinstance(values, list) or len(values) != arity:
        raise _malformed()
    return values


LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size (max 200).")]
CursorQuery = Annotated[
    str | None,
    Query(max_length=MAX_CURSOR_LENGTH, description="Opaque cursor from `next_cursor`."),
]


def cursor_datetime(value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise _malformed() from exc
    if parsed.tzinfo is None:
        raise _malformed()
    return parsed


def cursor_uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise _malformed() from exc


def cursor_str(value: Any) -> str:
    """A text value, without control characters (PostgreSQL refuses NUL in text)."""
    if not isinstance(value, str) or not is_plain_line(value):
        raise _malformed()
    return value


INT32 = range(-(2**31), 2**31)  # what an INTEGER column holds


def cursor_int(value: Any) -> int:
    """An integer an INTEGER column can hold (not a boolean)."""
    if not isinstance(value, int) or isinstance(value, bool) or value not in INT32:
        raise _malformed()
    return value


def cursor_float(value: Any) -> float:
    """A finite number."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise _malformed()
    try:
        number = float(value)
    except OverflowError as exc:  # an integer beyond any float
        raise _malformed() from exc
    if not math.isfinite(number):
        raise _malformed()
    return number
