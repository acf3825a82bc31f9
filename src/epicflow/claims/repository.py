"""Claim storage. Each state change is one conditional UPDATE, so a stale claim token can never
win a race: the row either still matches the token and a live lease, or nothing changes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.epics.models import Epic
from epicflow.tasks.listing import ready_condition
from epicflow.tasks.models import Task, TaskLabel


@dataclass(frozen=True, slots=True)
class Expired:
    project_id: uuid.UUID
    key: str
    worker: str


def _expired(now: datetime) -> ColumnElement[bool]:
    return and_(
        Task.status == "in_progress",
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


async def next_ready_id(
    session: AsyncSession,
    project_id: uuid.UUID,
    now: datetime,
    *,
    epic: str | None,
    labels: list[str],
) -> int | None:
    """The first ready task in claim order: priority, downstream hours (critical first), number."""
    query = select(Task.id).where(Task.project_id == project_id, ready_condition(now))
    if epic is not None:
        query = query.where(
            Task.epic_id.in_(
                select(Epic.id).where(Epic.project_id == project_id, Epic.slug == epic)
            )
        )
    for label in labels:
        query = query.where(
            select(TaskLabel.task_id)
            .where(TaskLabel.task_id == Task.id, TaskLabel.label == label)
            .exists()
        )
    query = (
        query.order_by(Task.priority, Task.downstream_hours.desc(), Task.number)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def take(
    session: AsyncSession, task_id: int, worker: str, token: str, until: datetime, now: datetime
) -> None:
    await session.execute(
        update(Task)
        .where(Task.id == task_id)
        .values(
            status="in_progress",
            claimed_by=worker,
            claim_token=token,
            lease_expires_at=until,
            started_at=func.coalesce(Task.started_at, now),
            completed_at=None,
            version=Task.version + 1,
            updated_at=now,
        )
    )


def _held(task_id: int, token: str, now: datetime) -> ColumnElement[bool]:
    return and_(
        Task.id == task_id,
        Task.claim_token == token,
        Task.status == "in_progress",
        Task.lease_expires_at > now,
    )


async def extend(
    session: AsyncSession, task_id: int, token: str, until: datetime, now: datetime
) -> bool:
    result = await session.execute(
        update(Task)
        .where(_held(task_id, token, now))
        .values(lease_expires_at=until, version=Task.version + 1, updated_at=now)
        .returning(Task.id)
    )
    return result.scalar_one_or_none() is not None


async def finish(
    session: AsyncSession, task_id: int, token: str, now: datetime, *, status: str
) -> str | None:
    """End a held claim with `status`; returns the worker, or None when the token is stale."""
    worker = (
        await session.execute(select(Task.claimed_by).where(_held(task_id, token, now)))
    ).scalar_one_or_none()
    if worker is None:
        return None
    result = await session.execute(
        update(Task)
        .where(_held(task_id, token, now))
        .values(
            status=status,
            claimed_by=None,
            claim_token=None,
            lease_expires_at=None,
            completed_at=now if status == "done" else None,
            version=Task.version + 1,
            updated_at=now,
        )
        .returning(Task.id)
    )
    return worker if result.scalar_one_or_none() is not None else None
