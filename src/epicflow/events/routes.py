from __future__ import annotations

from fastapi import APIRouter

from epicflow.events import service
from epicflow.events.paging import AfterQuery, EventPage, after_id, page
from epicflow.platform.db import SessionDep
from epicflow.platform.openapi import responses
from epicflow.platform.pagination import CursorQuery, LimitQuery
from epicflow.projects.deps import ProjectMember

router = APIRouter(tags=["events"])


@router.get("/projects/{key}/events", responses=responses(401, 404, 422, 429))
async def project_events(
    access: ProjectMember,
    session: SessionDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    after: AfterQuery = None,
) -> EventPage:
    """The project's activity feed, oldest first; follow `next_cursor` for newer events. At
    the end, resume later with `after=<last_id>`."""
    start = after_id(cursor, after)
    rows = await service.list_events(
        session, access.project.id, task_key=None, after_id=start, limit=limit + 1
    )
    return page(rows, limit, start)
