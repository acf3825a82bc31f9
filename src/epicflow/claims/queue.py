"""Why a claim found nothing: the scope is `drained` (none of its tasks is open, in progress or
blocked, so nothing becomes ready without new work) or `waiting` (work exists, none ready)."""

from __future__ import annotations

import uuid
from enum import StrEnum
from functools import cache

from sqlalchemy import Select, bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.claims.repository import in_scope, scope_params
from epicflow.tasks.readiness import unresolved
from epicflow.tasks.tables import Task

QUEUE_HEADER = "Epicflow-Queue"


class Queue(StrEnum):
    drained = "drained"
    waiting = "waiting"


@cache
def _work_left(has_epic: bool, labels: int) -> Select[tuple[bool]]:
    left = select(Task.id).where(
        Task.project_id == bindparam("in_project"),
        unresolved(Task.status),
        *in_scope(has_epic, labels),
    )
    return select(exists(left))


async def queue_state(
    session: AsyncSession, project_id: uuid.UUID, epic: str | None, labels: list[str]
) -> Queue:
    statement = _work_left(epic is not None, len(labels))
    params = scope_params(project_id, epic, labels)
    left = (await session.execute(statement, params)).scalar_one()
    return Queue.waiting if left else Queue.drained
