"""Opaque keyset cursors and the list envelope every list endpoint answers with."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from epicflow.platform.errors import Invalid

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


def decode_cursor(cursor: str, *, arity: int) -> list[Any]:
    """Return the keyset values a cursor carries; anything malformed is a 422 naming `cursor`."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeError) as exc:
        raise Invalid("cursor is malformed", code="invalid_cursor", field="cursor") from exc
    if not isinstance(values, list) or len(values) != arity:
        raise Invalid("cursor is malformed", code="invalid_cursor", field="cursor")
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
        raise Invalid("cursor is malformed", code="invalid_cursor", field="cursor") from exc
    if parsed.tzinfo is None:
        raise Invalid("cursor is malformed", code="invalid_cursor", field="cursor")
    return parsed


def cursor_uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise Invalid("cursor is malformed", code="invalid_cursor", field="cursor") from exc


def cursor_str(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid("cursor is malformed", code="invalid_cursor", field="cursor")
    return value
