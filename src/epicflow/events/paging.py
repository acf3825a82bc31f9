"""The history's cursor and page, shared by the project feed and a task's history."""

from __future__ import annotations

from epicflow.events.models import Event
from epicflow.events.schemas import EventOut
from epicflow.platform.pagination import Page, cursor_int, decode_cursor, encode_cursor


def after_id(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    (value,) = decode_cursor(cursor, arity=1)
    return cursor_int(value)


def page(rows: list[Event], limit: int) -> Page[EventOut]:
    items = [EventOut.model_validate(row) for row in rows[:limit]]
    next_cursor = encode_cursor([rows[limit - 1].id]) if len(rows) > limit else None
    return Page[EventOut](items=items, next_cursor=next_cursor)
