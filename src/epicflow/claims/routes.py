from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.auth.deps import CallerId
from epicflow.claims import service, waiting
from epicflow.claims.queue import QUEUE_HEADER
from epicflow.claims.schemas import (
    ClaimNextIn,
    ClaimOut,
    ClaimTaskIn,
    CompleteIn,
    HeartbeatIn,
    ReleaseIn,
)
from epicflow.platform.context import ContextDep
from epicflow.platform.db import DatabaseDep, SessionDep
from epicflow.platform.openapi import responses
from epicflow.platform.responses import FastJSONResponse
from epicflow.platform.wakeups import WakeupsDep
from epicflow.projects.deps import ProjectKeyPath
from epicflow.projects.service import ProjectAccess
from epicflow.tasks.deps import TaskKeyPath, TaskProject
from epicflow.tasks.schemas import TaskOut
from epicflow.tasks.views import task_view

router = APIRouter(tags=["claims"])
CLAIM_ERRORS = responses(401, 403, 404, 409, 422, 429)


async def _claim_body(
    session: AsyncSession, access: ProjectAccess, claim: service.Claim, now: datetime
) -> dict[str, object]:
    task = claim.task or await task_view(session, access, claim.task_id, now)
    return {
        "task": task,
        "claim_token": claim.token,
        "lease_expires_at": claim.lease_expires_at,
    }


@router.post(
    "/projects/{key}/claims",
    status_code=status.HTTP_201_CREATED,
    response_model=ClaimOut,
    responses={
        204: {
            "description": "Nothing is ready; the header `Epicflow-Queue` says why: `drained` "
            "(no task of the scope is open, in progress or blocked) or `waiting`"
        },
        **CLAIM_ERRORS,
    },
)
async def claim_next(
    key: ProjectKeyPath,
    body: ClaimNextIn,
    user_id: CallerId,
    session: SessionDep,
    context: ContextDep,
    db: DatabaseDep,
    wakeups: WakeupsDep,
) -> Response:
    """Claim the next ready task atomically: lowest priority number first, then the task with
    the most downstream hours (critical work first), then the lowest key number. When nothing
    is ready, waits up to `wait_seconds` for a task to become ready and claims it; else answers
    204 with `Epicflow-Queue: drained` (at once) or `waiting`. The `claim_token` fences every
    later call for this claim."""
    asked = waiting.Asked(
        body.worker, body.lease_seconds, body.epic, body.labels, body.wait_seconds
    )
    access, found = await waiting.claim_next_or_wait(
        session, db, wakeups, key, user_id, asked, context.clock
    )
    if not isinstance(found, service.Claim):
        return Response(status_code=status.HTTP_204_NO_CONTENT, headers={QUEUE_HEADER: found})
    body_out = await _claim_body(session, access, found, found.acquired_at)
    return FastJSONResponse(body_out, status_code=201)


@router.post(
    "/tasks/{task_key}/claim",
    status_code=status.HTTP_201_CREATED,
    response_model=ClaimOut,
    responses=CLAIM_ERRORS,
)
async def claim_task(
    task_key: TaskKeyPath,
    body: ClaimTaskIn,
    access: TaskProject,
    session: SessionDep,
    context: ContextDep,
) -> Response:
    """Claim one named task. 409 with the reason: `blocked_by_dependencies`,
    `conflict_in_progress`, `exclusive_task_running`, `already_claimed` or `not_open`."""
    claim = await service.claim_task(
        session,
        access,
        task_key,
        worker=body.worker,
        lease_seconds=body.lease_seconds,
        clock=context.clock,
    )
    body_out = await _claim_body(session, access, claim, claim.acquired_at)
    return FastJSONResponse(body_out, status_code=201)


@router.post("/tasks/{task_key}/heartbeat", response_model=ClaimOut, responses=CLAIM_ERRORS)
async def heartbeat(
    task_key: TaskKeyPath,
    body: HeartbeatIn,
    user_id: CallerId,
    session: SessionDep,
    context: ContextDep,
) -> Response:
    """Extend the lease of a claim you hold; a stale token answers 409 `claim_lost`."""
    now = context.now()
    access, claim = await service.heartbeat(
        session, task_key, user_id, body.claim_token, body.lease_seconds, now
    )
    return FastJSONResponse(await _claim_body(session, access, claim, now))


@router.post("/tasks/{task_key}/release", response_model=TaskOut, responses=CLAIM_ERRORS)
async def release(
    task_key: TaskKeyPath,
    body: ReleaseIn,
    user_id: CallerId,
    session: SessionDep,
    context: ContextDep,
) -> Response:
    """Give a claimed task back: it returns to `open`. A `reason` is kept as a `handoff`
    comment, for the next worker."""
    now = context.now()
    access, ended = await service.release(
        session, task_key, user_id, body.claim_token, now, body.reason
    )
    return FastJSONResponse(ended.task or await task_view(session, access, ended.task_id, now))


@router.post("/tasks/{task_key}/complete", response_model=TaskOut, responses=CLAIM_ERRORS)
async def complete(
    task_key: TaskKeyPath,
    body: CompleteIn,
    user_id: CallerId,
    session: SessionDep,
    context: ContextDep,
) -> Response:
    """Finish a claimed task: it becomes `done`, and the tasks waiting on it may become ready.
    A `summary` is kept as a `completion` comment; `links` are added to the task's."""
    now = context.now()
    access, ended = await service.complete(
        session,
        task_key,
        user_id,
        body.claim_token,
        now,
        body.summary,
        None if body.links is None else [link.model_dump() for link in body.links],
    )
    return FastJSONResponse(ended.task or await task_view(session, access, ended.task_id, now))
