"""The history's cursor and page, shared by the project feed and a task's history.

A reader follows `next_cursor` to the end; there `last_id`, the id of the newest event it has
seen, resumes the feed later with `after=<last_id>` (event ids grow within a project)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from epicflow.events.models import Event
from epicflow.events.schemas import EventOut
from epicflow.platform.errors import Invalid
from epicflow.platform.pagination import INT32, Page, cursor_int, decode_cursor, encode_cursor

AfterQuery = Annotated[
    int | None,
    Query(
        ge=0,
        le=INT32.stop - 1,
        description="Only events with a greater id: the `last_id` a reader saw last.",
    ),
]


class EventPage(Page[EventOut]):
    last_id: int | None
    """The newest event id the reader has now seen: pass it as `after` to resume."""


def after_id(cursor: str | None, after: int | None = None) -> int | None:
    if cursor is None:
        return after
    if after is not None:
        raise Invalid("Give either `after` or `cursor`, not both.", field="after")
    (value,) = decode_cursor(cursor, arity=1)
    return cursor_int(value)


def page(rows: list[Event], limit: int, after: int | None) -> EventPage:
    items = [EventOut.model_validate(row) for row in rows[:limit]]
    next_cursor = encode_cursor([rows[limit - 1].id]) if len(rows) > limit else None
    last_id = items[-1].id if items else after
    return EventPage(items=items, next_cursor=next_cursor, last_id=last_id)
