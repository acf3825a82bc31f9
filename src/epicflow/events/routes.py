from __future__ import annotations

from fastapi import APIRouter

from epicflow.events import service
from epicflow.events.models import Event
from epicflow.events.schemas import EventOut
from epicflow.platform.db import SessionDep
from epicflow.platform.openapi import responses
from epicflow.platform.pagination import (
    CursorQuery,
    LimitQuery,
    Page,
    cursor_int,
    decode_cursor,
    encode_cursor,
)
from epicflow.projects.deps import ProjectMember

router = APIRouter(tags=["events"])


def after_id(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    (value,) = decode_cursor(cursor, arity=1)
    return cursor_int(value)


def page(rows: list[Event], limit: int) -> Page[EventOut]:
    items = [EventOut.model_validate(row) for row in rows[:limit]]
    next_cursor = encode_cursor([rows[limit - 1].id]) if len(rows) > limit else None
    return Page[EventOut](items=items, next_cursor=next_cursor)


@router.get("/projects/{key}/events", responses=responses(401, 404, 422, 429))
async def project_events(
    access: ProjectMember, session: SessionDep, limit: LimitQuery = 50, cursor: CursorQuery = None
) -> Page[EventOut]:
    """The project's activity feed, oldest first; follow `next_cursor` for newer events."""
    rows = await service.list_events(
        session, access.project.id, task_key=None, after_id=after_id(cursor), limit=limit + 1
    )
    return page(rows, limit)
