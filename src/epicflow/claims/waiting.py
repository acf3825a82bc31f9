"""Claiming the next ready task, waiting for one when none is ready (`wait_seconds`).

A waiting claim holds no database connection or transaction: it commits what it read, waits on
its project's ticket (`platform.wakeups`), and tries again in a fresh transaction whenever the
project records events (a completion, release, expiry, edit, import…), until it takes a task,
the scope is drained, the time is up or the server shuts down. Woken claims race for a task
through the same atomic claim as any other, so a task is never handed out twice.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.claims.queue import Queue, queue_state
from epicflow.claims.service import Claim, claim_next_ready_task
from epicflow.platform.clock import Clock
from epicflow.platform.db import Database
from epicflow.platform.wakeups import Wakeups
from epicflow.projects.service import ProjectAccess


@dataclass(frozen=True, slots=True)
class Asked:
    """A claim of the next ready task, as the caller asked for it."""

    worker: str
    lease_seconds: int
    epic: str | None
    labels: list[str]
    wait_seconds: int


async def claim_next_or_wait(
    session: AsyncSession,
    db: Database,
    wakeups: Wakeups,
    project_key: str,
    user_id: uuid.UUID,
    asked: Asked,
    clock: Clock,
) -> tuple[ProjectAccess, Claim | Queue]:
    """The caller's access, and the task taken, or why there is none."""
    deadline = time.monotonic() + asked.wait_seconds
    access, found = await _attempt(session, project_key, user_id, asked, clock)
    if isinstance(found, Claim) or found is Queue.drained or asked.wait_seconds == 0:
        return access, found
    with wakeups.ticket(access.project.id) as ticket:
        while True:
            # Try again with the ticket held: a commit after this try wakes the ticket.
            ticket.rearm()
            await session.commit()  # nothing held while waiting: no connection, no lock
            await db.begin_locking(session)
            access, found = await _attempt(session, project_key, user_id, asked, clock)
            if isinstance(found, Claim) or found is Queue.drained:
                return access, found
            await session.commit()
            left = deadline - time.monotonic()
            if left <= 0 or not await ticket.wait(left):
                return access, found


async def _attempt(
    session: AsyncSession, project_key: str, user_id: uuid.UUID, asked: Asked, clock: Clock
) -> tuple[ProjectAccess, Claim | Queue]:
    access, claim = await claim_next_ready_task(
        session,
        project_key,
        user_id,
        worker=asked.worker,
        lease_seconds=asked.lease_seconds,
        epic=asked.epic,
        labels=asked.labels,
        clock=clock,
    )
    if claim is not None:
        return access, claim
    return access, await queue_state(session, access.project.id, asked.epic, asked.labels)
