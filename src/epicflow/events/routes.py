from __future__ import annotations

from fastapi import APIRouter

from epicflow.events import service
from epicflow.events.paging import after_id, page
from epicflow.events.schemas import EventOut
from epicflow.platform.db import SessionDep
from epicflow.platform.openapi import responses
from epicflow.platform.pagination import CursorQuery, LimitQuery, Page
from epicflow.projects.deps import ProjectMember

router = APIRouter(tags=["events"])


@router.get("/projects/{key}/events", responses=responses(401, 404, 422, 429))
async def project_events(
    access: ProjectMember, session: SessionDep, limit: LimitQuery = 50, cursor: CursorQuery = None
) -> Page[EventOut]:
    """The project's activity feed, oldest first; follow `next_cursor` for newer events."""
    rows = await service.list_events(
        session, access.project.id, task_key=None, after_id=after_id(cursor), limit=limit + 1
    )
    return page(rows, limit)
