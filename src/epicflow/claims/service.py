"""Claims and leases: many workers take work from one graph and never collide.

Locking (see docs/claims.md): a claim runs under the project's graph lock (a row lock on the
project in PostgreSQL; the database write lock from BEGIN IMMEDIATE in SQLite), so the readiness
it reads — dependencies, conflicts, exclusivity — cannot change before it writes. Heartbeat,
release and complete are single conditional UPDATEs fenced by the claim token.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.claims import repository as repo
from epicflow.events import service as events
from epicflow.platform.clock import Clock
from epicflow.platform.errors import Conflict
from epicflow.projects import service as projects
from epicflow.projects.rules import Role
from epicflow.projects.service import ProjectAccess
from epicflow.tasks import service as tasks
from epicflow.tasks.downstream import refresh_downstream_hours
from epicflow.tasks.models import Task


@dataclass(frozen=True, slots=True)
class Claim:
    task: Task
    token: str
    lease_expires_at: datetime
    acquired_at: datetime


def claim_lost() -> Conflict:
    return Conflict(
        "The claim token is not current: the lease ran out or another worker holds the task.",
        code="claim_lost",
    )


async def _record(
    session: AsyncSession, access: ProjectAccess, key: str, kind: str, now: datetime, **data: object
) -> None:
    await events.record(
        session,
        project_id=access.project.id,
        task_key=key,
        type=kind,
        actor=access.user.email,
        now=now,
        data=dict(data),
    )


async def _prepare(session: AsyncSession, access: ProjectAccess, clock: Clock) -> datetime:
    """Take the graph lock, return expired leases to `open`, refresh a stale claim order.

    The time is read once the lock is held, so waiting for it never eats into a lease.
    """
    access.require(Role.member)
    await projects.lock_graph(session, access)
    now = clock()
    for expired in await repo.expire_leases(session, now, access.project.id):
        await _record(session, access, expired.key, "claim.expired", now, worker=expired.worker)
    if await projects.take_graph_stale(session, access):
        await refresh_downstream_hours(session, access.project.id, now)
    return now


async def _take(
    session: AsyncSession,
    access: ProjectAccess,
    task_id: int,
    worker: str,
    lease: int,
    now: datetime,
) -> Claim:
    token = secrets.token_urlsafe(24)
    until = now + timedelta(seconds=lease)
    await repo.take(session, task_id, worker, token, until, now)
    task = await tasks.get_task_by_id(session, access, task_id)
    await _record(
        session,
        access,
        task.key,
        "claim.acquired",
        now,
        worker=worker,
        lease_expires_at=until.isoformat(),
    )
    return Claim(task, token, until, now)


async def claim_next_ready_task(
    session: AsyncSession,
    access: ProjectAccess,
    *,
    worker: str,
    lease_seconds: int,
    epic: str | None,
    labels: list[str],
    clock: Clock,
) -> Claim | None:
    now = await _prepare(session, access, clock)
    task_id = await repo.next_ready_id(session, access.project.id, now, epic=epic, labels=labels)
    if task_id is None:
        return None
    return await _take(session, access, task_id, worker, lease_seconds, now)


async def claim_task(
    session: AsyncSession,
    access: ProjectAccess,
    key: str,
    *,
    worker: str,
    lease_seconds: int,
    clock: Clock,
) -> Claim:
    now = await _prepare(session, access, clock)
    task = await tasks.get_task(session, access, key)
    if task.status == "in_progress" and task.claimed_by is not None:
        raise Conflict(f"{key} is already claimed.", code="already_claimed")
    if task.status != "open":
        raise Conflict(
            f"{key} is {task.status}, not open.", code="not_open", task_status=task.status
        )
    await tasks.check_can_start(session, access, task)
    return await _take(session, access, task.id, worker, lease_seconds, now)


async def heartbeat(
    session: AsyncSession, access: ProjectAccess, key: str, token: str, lease: int, now: datetime
) -> Claim:
    access.require(Role.member)
    task = await tasks.get_task(session, access, key)
    until = now + timedelta(seconds=lease)
    if not await repo.extend(session, task.id, token, until, now):
        raise claim_lost()
    await session.refresh(task)
    return Claim(task, token, until, now)


async def release(
    session: AsyncSession, access: ProjectAccess, key: str, token: str, now: datetime
) -> Task:
    access.require(Role.member)
    task = await tasks.get_task(session, access, key)
    worker = await repo.finish(session, task.id, token, now, status="open")
    if worker is None:
        raise claim_lost()
    await _record(session, access, key, "claim.released", now, worker=worker)
    await session.refresh(task)
    return task


async def complete(
    session: AsyncSession, access: ProjectAccess, key: str, token: str, now: datetime
) -> Task:
    access.require(Role.member)
    task = await tasks.get_task(session, access, key)
    await tasks.check_can_finish(session, access, task)
    worker = await repo.finish(session, task.id, token, now, status="done")
    if worker is None:
        raise claim_lost()
    await _record(session, access, key, "task.completed", now, worker=worker)
    await session.refresh(task)
    return task
