from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError

from epicflow.auth.deps import CallerId
from epicflow.events import service as events
from epicflow.events.paging import AfterQuery, EventPage, after_id, page
from epicflow.platform.context import ContextDep
from epicflow.platform.db import SessionDep
from epicflow.platform.errors import Invalid
from epicflow.platform.idempotency import IdempotencyKey, fingerprint, run_idempotent
from epicflow.platform.openapi import query_parameters, responses
from epicflow.platform.pagination import CursorQuery, LimitQuery, Page
from epicflow.platform.query import parse_query
from epicflow.platform.responses import FastJSONResponse
from epicflow.projects.deps import ProjectKeyPath, ProjectMember
from epicflow.projects.service import get_access_for
from epicflow.stores.base import TaskSql, store_of
from epicflow.tasks import service
from epicflow.tasks.deps import TaskKeyPath, TaskProject
from epicflow.tasks.listing import PageQuery, Sort, TaskFilters, next_cursor, page_query
from epicflow.tasks.schemas import TaskIn, TaskListQuery, TaskOut, TaskUpdate
from epicflow.tasks.views import page_views, task_view, task_views_by_key

router = APIRouter(tags=["tasks"])
IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", max_length=200, description='The ETag of the version you read: "7".'),
]
ForceQuery = Annotated[
    bool,
    Query(description="End a live claim to change the task's status (admin or owner)."),
]
MAX_REPEATS = 20


def _etag(view: dict[str, object]) -> dict[str, str]:
    return {"ETag": f'"{view["version"]}"'}


def _assignee(value: str | None, me: uuid.UUID) -> tuple[uuid.UUID | None, bool]:
    if value is None:
        return None, False
    if value == "me":
        return me, False
    if value == "none":
        return None, True
    try:
        return uuid.UUID(value), False
    except ValueError as exc:
        raise Invalid("assignee must be me, none or a user id.", field="assignee") from exc


REPEATABLE = frozenset({"status", "label"})


def _page_asked(
    request: Request, key: str, user_id: uuid.UUID, sql: TaskSql, now: datetime
) -> tuple[PageQuery, Sort, int]:
    """The page the query string asks for (one more task than the limit, to know whether
    another page follows), its sort and its limit."""
    query = parse_query(TaskListQuery, request.query_params, REPEATABLE)
    if len(query.status) > MAX_REPEATS or len(query.label) > MAX_REPEATS:
        raise Invalid("Too many repeated filters.", field="label")
    order = Sort.parse(query.sort)
    assignee, unassigned = _assignee(query.assignee, user_id)
    filters = TaskFilters(
        status=[s.value for s in query.status],
        epic=query.epic,
        labels=query.label,
        assignee=assignee,
        unassigned=unassigned,
        ready=query.ready,
        blocked=query.blocked,
        claimed_by=query.claimed_by,
        q=query.q,
        updated_since=query.updated_since,
    )
    page = page_query(
        filters,
        order,
        query.cursor,
        query.limit + 1,
        key=key,
        user_id=user_id,
        sql=sql,
        now=now,
    )
    return page, order, query.limit


@router.get(
    "/projects/{key}/tasks",
    response_model=Page[TaskOut],
    responses=responses(401, 404, 422, 429),
    openapi_extra={"parameters": query_parameters(TaskListQuery)},
)
async def list_tasks(
    key: ProjectKeyPath,
    user_id: CallerId,
    session: SessionDep,
    context: ContextDep,
    request: Request,
) -> Response:
    """Tasks of the project, filtered and sorted, a page at a time.

    The page statement reads the caller's access itself and finds no task for a caller who
    may not read the project; only an empty page (or bad input) asks who the caller is, so
    that such a caller gets the usual 401 or 404 (who asks comes before what is asked)."""
    try:
        sql = store_of(session).tasks.sql
        page, order, limit = _page_asked(request, key, user_id, sql, context.now())
    except (Invalid, RequestValidationError):
        await get_access_for(session, key, user_id)
        raise
    items = await page_views(session, page, key)
    if not items:
        await get_access_for(session, key, user_id)
    more = next_cursor(order, items[limit - 1]) if len(items) > limit else None
    return FastJSONResponse({"items": items[:limit], "next_cursor": more})


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
        task_id = await service.create_task(session, access, body, context.now())
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
    force: ForceQuery = False,
) -> Response:
    """Change a task. Lists (`labels`, `depends_on`, `conflicts_with`, checklists) are replaced
    whole, checked atomically: a cycle answers 409 `dependency_cycle` with the cycle, a status the
    rules forbid answers 409 with the rule's code, a stale `If-Match` answers 412. While a
    worker's claim is live, a change of status answers 409 `claimed` (with `claimed_by` and
    `lease_expires_at`); an admin or owner may add `force=true` to end the claim first (event
    `claim.revoked`: the worker's token is dead) and apply the change."""
    now = context.now()
    task_id = await service.update_task(session, access, task_key, body, if_match, now, force=force)
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
    after: AfterQuery = None,
) -> EventPage:
    """The task's history, oldest first. At the end, resume later with `after=<last_id>`."""
    await service.get_task(session, access, task_key)
    start = after_id(cursor, after)
    rows = await events.list_events(
        session, access.project.id, task_key=task_key, after_id=start, limit=limit + 1
    )
    return page(rows, limit, start)
