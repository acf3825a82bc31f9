from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status
from pydantic import AwareDatetime
from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.events import service as events
from epicflow.events.routes import after_id, page
from epicflow.events.schemas import EventOut
from epicflow.platform.context import ContextDep
from epicflow.platform.db import SessionDep, dialect_of
from epicflow.platform.errors import Invalid
from epicflow.platform.idempotency import IdempotencyKey, fingerprint, run_idempotent
from epicflow.platform.openapi import responses
from epicflow.platform.pagination import CursorQuery, LimitQuery, Page
from epicflow.platform.responses import FastJSONResponse
from epicflow.platform.types import Label, Slug
from epicflow.projects.deps import ProjectMember
from epicflow.projects.service import ProjectAccess
from epicflow.tasks import service
from epicflow.tasks.deps import TaskKeyPath, TaskProject
from epicflow.tasks.listing import Sort, TaskFilters, next_cursor, page_query
from epicflow.tasks.repository import task_not_found
from epicflow.tasks.schemas import TaskIn, TaskOut, TaskStatus, TaskUpdate
from epicflow.tasks.views import page_views, views_by_id, views_by_key

router = APIRouter(tags=["tasks"])
IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", max_length=200, description='The ETag of the version you read: "7".'),
]
MAX_REPEATS = 20


async def task_view(
    session: AsyncSession, access: ProjectAccess, task_id: int, now: datetime
) -> dict[str, object]:
    (view,) = await views_by_id(session, [task_id], access.project.key, now)
    return view


async def task_views_by_key(
    session: AsyncSession, access: ProjectAccess, keys: list[str], now: datetime
) -> list[dict[str, object]]:
    """Views of `keys`, in that order."""
    if not keys:
        return []
    views = await views_by_key(session, access.project.id, keys, access.project.key, now)
    missing = [key for key in keys if key not in views]
    if missing:
        raise task_not_found(missing[0])
    return [views[key] for key in keys]


def _etag(view: dict[str, object]) -> dict[str, str]:
    return {"ETag": f'"{view["version"]}"'}


def _assignee(value: str | None, access: ProjectAccess) -> tuple[uuid.UUID | None, bool]:
    if value is None:
        return None, False
    if value == "me":
        return access.user.id, False
    if value == "none":
        return None, True
    try:
        return uuid.UUID(value), False
    except ValueError as exc:
        raise Invalid("assignee must be me, none or a user id.", field="assignee") from exc


@router.get(
    "/projects/{key}/tasks",
    response_model=Page[TaskOut],
    responses=responses(401, 404, 422, 429),
)
async def list_tasks(
    access: ProjectMember,
    session: SessionDep,
    context: ContextDep,
    task_status: Annotated[list[TaskStatus], Query(alias="status")] = [],  # noqa: B006
    epic: Slug | None = None,
    label: Annotated[list[Label], Query()] = [],  # noqa: B006
    assignee: Annotated[
        str | None, Query(max_length=36, description="me, none or a user id")
    ] = None,
    ready: bool | None = None,
    blocked: bool | None = None,
    claimed_by: Annotated[str | None, Query(max_length=200)] = None,
    q: Annotated[str | None, Query(max_length=200, description="Full-text search")] = None,
    updated_since: AwareDatetime | None = None,
    sort: Annotated[
        str,
        Query(
            max_length=20, description="priority, created_at, updated_at or key; '-' for descending"
        ),
    ] = "key",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Response:
    """Tasks of the project, filtered and sorted, a page at a time."""
    if len(task_status) > MAX_REPEATS or len(label) > MAX_REPEATS:
        raise Invalid("Too many repeated filters.", field="label")
    order = Sort.parse(sort)
    user_id, unassigned = _assignee(assignee, access)
    filters = TaskFilters(
        status=[s.value for s in task_status],
        epic=epic,
        labels=label,
        assignee=user_id,
        unassigned=unassigned,
        ready=ready,
        blocked=blocked,
        claimed_by=claimed_by,
        q=q,
        updated_since=updated_since,
    )
    page = page_query(
        filters,
        order,
        cursor,
        limit + 1,
        project_id=access.project.id,
        dialect=dialect_of(session),
        now=context.now(),
    )
    items = await page_views(session, page, access.project.key)
    more = next_cursor(order, items[limit - 1]) if len(items) > limit else None
    items = items[:limit]
    return FastJSONResponse({"items": items, "next_cursor": more})


@router.post(
    "/projects/{key}/tasks",
    status_code=status.HTTP_201_CREATED,
    response_model=TaskOut,
    responses=responses(401, 403, 404, 409, 422, 429),
)
async def create_task(
    body: TaskIn,
    request: Request,
    access: ProjectMember,
    session: SessionDep,
    context: ContextDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Create a task (member or above). Keys are `<PROJECT>-<n>`, numbered per project."""
    if idempotency_key is None:
        task_id = await service.create_task(session, access, body, context.now(), alone=True)
        view = await task_view(session, access, task_id, context.now())
        return FastJSONResponse(view, status_code=status.HTTP_201_CREATED)

    async def create() -> object:
        task_id = await service.create_task(session, access, body, context.now())
        return await task_view(session, access, task_id, context.now())

    return await run_idempotent(
        session,
        user_id=access.user.id,
        key=idempotency_key,
        request_hash=fingerprint(request.url.path, await request.body()),
        now=context.now(),
        create=create,
    )


@router.get("/tasks/{task_key}", response_model=TaskOut, responses=responses(401, 404, 422, 429))
async def read_task(
    task_key: TaskKeyPath, access: TaskProject, session: SessionDep, context: ContextDep
) -> Response:
    """One task with derived `ready` and `blocked_by`; the `ETag` header carries its version."""
    views = await task_views_by_key(session, access, [task_key], context.now())
    return FastJSONResponse(views[0], headers=_etag(views[0]))


@router.patch(
    "/tasks/{task_key}",
    response_model=TaskOut,
    responses=responses(401, 403, 404, 409, 412, 422, 429),
)
async def update_task(
    task_key: TaskKeyPath,
    body: TaskUpdate,
    access: TaskProject,
    session: SessionDep,
    context: ContextDep,
    if_match: IfMatch = None,
) -> Response:
    """Change a task. Lists (`labels`, `depends_on`, `conflicts_with`, checklists) are replaced
    whole, checked atomically: a cycle answers 409 `dependency_cycle` with the cycle, a status the
    rules forbid answers 409 with the rule's code, a stale `If-Match` answers 412."""
    now = context.now()
    task_id = await service.update_task(session, access, task_key, body, if_match, now, alone=True)
    view = await task_view(session, access, task_id, context.now())
    return FastJSONResponse(view, headers=_etag(view))


@router.delete(
    "/tasks/{task_key}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(401, 403, 404, 412, 422, 429),
)
async def delete_task(
    task_key: TaskKeyPath,
    access: TaskProject,
    session: SessionDep,
    context: ContextDep,
    if_match: IfMatch = None,
) -> Response:
    """Delete a task (admin or owner) with its edges; tasks that waited on it may become ready."""
    await service.delete_task(session, access, task_key, if_match, context.now())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/tasks/{task_key}/events", responses=responses(401, 404, 422, 429))
async def task_events(
    task_key: TaskKeyPath,
    access: TaskProject,
    session: SessionDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[EventOut]:
    """The task's history, oldest first."""
    await service.get_task(session, access, task_key)
    rows = await events.list_events(
        session, access.project.id, task_key=task_key, after_id=after_id(cursor), limit=limit + 1
    )
    return page(rows, limit)
