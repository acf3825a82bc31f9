"""Claim storage. Each state change is one conditional UPDATE, so a stale claim token can never
win a race: the row either still matches the token and a live lease, or nothing changes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import cast

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    Update,
    and_,
    bindparam,
    exists,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.epics.tables import Epic
from epicflow.platform.db import fetch_rows
from epicflow.platform.models import UTCDateTime
from epicflow.projects.tables import Project
from epicflow.tasks.readiness import UNRESOLVED_DEPENDENCY, claim_order, ready_condition
from epicflow.tasks.tables import IN_CLAIM_ORDER_INDEX, RUNNING, Task, TaskEdge, TaskLabel


@dataclass(frozen=True, slots=True)
class Expired:
    project_id: uuid.UUID
    key: str
    worker: str


def _expired(now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    return and_(
        Task.status == RUNNING,
        Task.claimed_by.is_not(None),
        Task.lease_expires_at <= now,
    )


async def expire_leases(
    session: AsyncSession, now: datetime, project_id: uuid.UUID | None = None
) -> list[Expired]:
    """Return tasks whose lease ran out to `open`. Safe when several processes sweep at once:
    the UPDATE re-checks its condition per row, so each expiry is reported by one of them."""
    query = select(Task.id, Task.project_id, Task.key, Task.claimed_by).where(_expired(now))
    if project_id is not None:
        query = query.where(Task.project_id == project_id)
    candidates = {row.id: row for row in (await session.execute(query)).all()}
    if not candidates:
        return []
    done = await session.execute(
        update(Task)
        .where(Task.id.in_(candidates), _expired(now))
        .values(
            status="open",
            claimed_by=None,
            claim_token=None,
            lease_expires_at=None,
            version=Task.version + 1,
            updated_at=now,
        )
        .returning(Task.id)
    )
    return [
        Expired(candidates[i].project_id, candidates[i].key, candidates[i].claimed_by)
        for i in done.scalars()
    ]


NOW = bindparam("now", type_=UTCDateTime)
# UPDATEs on the table, not the entity: no ORM session synchronisation.
TASK = cast(Table, Task.__table__)

# Lock the project's graph and say what needs doing first, in one round trip.
_LOCK = (
    select(
        Project.graph_stale,
        exists().where(Task.project_id == Project.id, _expired(NOW)).label("expired"),
    )
    .where(Project.id == bindparam("in_project"))
    .with_for_update(key_share=True)
)


async def lock_for_claim(
    session: AsyncSession, project_id: uuid.UUID, now: datetime
) -> tuple[bool, bool]:
    """Take the project's graph lock; answer (graph changed since, a lease has run out)."""
    row = (await session.execute(_LOCK, {"in_project": project_id, "now": now})).one()
    return bool(row[0]), bool(row[1])


def in_scope(has_epic: bool, labels: int) -> list[ColumnElement[bool]]:
    """The task is in a claim's scope: of the epic `:epic` (when given), carrying every label
    `:label_0`, `:label_1`, …"""
    conditions: list[ColumnElement[bool]] = []
    if has_epic:
        epics = select(Epic.id).where(
            Epic.project_id == bindparam("in_project"), Epic.slug == bindparam("epic")
        )
        conditions.append(Task.epic_id.in_(epics))
    for index in range(labels):
        label = TaskLabel.label == bindparam(f"label_{index}")
        conditions.append(exists().where(TaskLabel.task_id == Task.id, label))
    return conditions


def scope_params(project_id: uuid.UUID, epic: str | None, labels: list[str]) -> dict[str, object]:
    """The parameters of `in_scope`, with the project `:in_project`."""
    return {
        "in_project": project_id,
        "epic": epic,
        **{f"label_{index}": label for index, label in enumerate(labels)},
    }


@cache
def take_next_statement(has_epic: bool, labels: int) -> Update:
    """UPDATE the first ready task in claim order (priority, downstream hours, number) to
    in_progress, in one statement; built once per shape of filter."""
    query = select(Task.id).where(
        Task.project_id == bindparam("in_project"),
        *IN_CLAIM_ORDER_INDEX,  # the claim order's partial index
        ready_condition(NOW),  # checked in full all the same: a wrong count only hides a task
    )
    pick = (
        query.where(*in_scope(has_epic, labels))
        .order_by(*claim_order())
        .limit(1)
        .with_for_update(skip_locked=True)
        .correlate(None)
        .scalar_subquery()
    )
    return (
        update(TASK)
        .where(TASK.c.id == pick)
        .values(
            status="in_progress",
            claimed_by=bindparam("in_worker"),
            claim_token=bindparam("in_token"),
            lease_expires_at=bindparam("in_until", type_=UTCDateTime),
            started_at=func.coalesce(TASK.c.started_at, NOW),
            completed_at=None,
            version=TASK.c.version + 1,
            updated_at=NOW,
        )
        .returning(TASK.c.id, TASK.c.key, TASK.c.project_id)
    )


@dataclass(frozen=True, slots=True)
class Wanted:
    """A claim of the next ready task: which project, which filters, what to write."""

    project_id: uuid.UUID
    epic: str | None
    labels: list[str]
    worker: str
    token: str
    until: datetime
    now: datetime

    @property
    def statement_shape(self) -> tuple[bool, int]:
        return self.epic is not None, len(self.labels)

    def params(self) -> dict[str, object]:
        return {
            **scope_params(self.project_id, self.epic, self.labels),
            "now": self.now,
            "in_worker": self.worker,
            "in_token": self.token,
            "in_until": self.until,
        }


async def take_next(session: AsyncSession, wanted: Wanted) -> tuple[int, str] | None:
    """Claim the first ready task in claim order; (id, key), or None when nothing is ready."""
    statement = take_next_statement(*wanted.statement_shape)
    row = (await session.execute(statement, wanted.params())).one_or_none()
    return None if row is None else (row[0], row[1])


async def take(
    session: AsyncSession, task_id: int, worker: str, token: str, until: datetime, now: datetime
) -> None:
    await session.execute(
        update(TASK)
        .where(TASK.c.id == task_id)
        .values(
            status="in_progress",
            claimed_by=worker,
            claim_token=token,
            lease_expires_at=until,
            started_at=func.coalesce(TASK.c.started_at, now),
            completed_at=None,
            version=TASK.c.version + 1,
            updated_at=now,
        )
    )


def _held() -> ColumnElement[bool]:
    """The task named by :project_id/:key is still held with :token under a live lease."""
    return and_(
        TASK.c.project_id == bindparam("in_project"),
        TASK.c.key == bindparam("in_key"),
        TASK.c.claim_token == bindparam("in_token"),
        TASK.c.status == RUNNING,
        TASK.c.lease_expires_at > NOW,
    )


def _held_params(project_id: uuid.UUID, key: str, token: str, now: datetime) -> dict[str, object]:
    """The parameters of `_held()`."""
    return {"in_project": project_id, "in_key": key, "in_token": token, "now": now}


_EXTEND = (
    update(TASK)
    .where(_held())
    .values(
        lease_expires_at=bindparam("in_until", type_=UTCDateTime),
        version=TASK.c.version + 1,
        updated_at=NOW,
    )
    .returning(TASK.c.id)
)


async def extend(
    session: AsyncSession,
    project_id: uuid.UUID,
    key: str,
    token: str,
    until: datetime,
    now: datetime,
) -> int | None:
    """Move the lease of a held claim to `until`; the task id, or None when the token is
    stale."""
    params = {**_held_params(project_id, key, token, now), "in_until": until}
    rows = await fetch_rows(session, _EXTEND, params)
    return int(rows[0][0]) if rows else None


@cache
def _held_rows(status: str) -> Select[tuple[int, str]]:
    """The held task (id, worker), locked; `done` also needs every dependency resolved
    (rule 2)."""
    held = select(TASK.c.id, TASK.c.claimed_by).where(_held())
    if status == "done":
        held = held.where(~UNRESOLVED_DEPENDENCY)
    return held.with_for_update().correlate(None)


def _finished(status: str) -> dict[str, object]:
    return {
        "status": status,
        "claimed_by": None,
        "claim_token": None,
        "lease_expires_at": None,
        "completed_at": NOW if status == "done" else None,
        "version": TASK.c.version + 1,
        "updated_at": NOW,
    }


@cache
def _finish_by_id(status: str) -> Update:
    return update(TASK).where(TASK.c.id == bindparam("in_id")).values(_finished(status))


# A task just done no longer holds up its dependents.
_UNBLOCK = (
    update(TASK)
    .where(
        TASK.c.id.in_(select(TaskEdge.task_id).where(TaskEdge.depends_on_id == bindparam("in_id")))
    )
    .values(unresolved_deps=TASK.c.unresolved_deps - 1)
)


async def finish(
    session: AsyncSession,
    project_id: uuid.UUID,
    key: str,
    token: str,
    now: datetime,
    *,
    status: str,
) -> tuple[int, str] | None:
    """End a held claim with `status`: (task id, worker), or None when it is not held with
    `token` (or, for done, a dependency is unresolved). The held row is read locked, then
    changed: RETURNING cannot see the FROM side of an UPDATE everywhere."""
    params = _held_params(project_id, key, token, now)
    row = (await session.execute(_held_rows(status), params)).one_or_none()
    if row is None:
        return None
    await session.execute(_finish_by_id(status), {**params, "in_id": row[0]})
    if status == "done":
        await session.execute(_UNBLOCK, {"in_id": row[0]})
    return row[0], row[1]
