"""Claims and leases: many workers take work from one graph and never collide.

Locking (see docs/claims.md): a claim runs under the project's graph lock (a row lock on the
project in PostgreSQL; the database write lock from BEGIN IMMEDIATE in SQLite), so the readiness
it reads — dependencies, conflicts, exclusivity — cannot change before it writes. Heartbeat,
release and complete are single conditional UPDATEs fenced by the claim token.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.claims import repository as repo
from epicflow.claims.errors import claim_lost
from epicflow.comments import service as comments
from epicflow.comments.schemas import CommentKind
from epicflow.events import service as events
from epicflow.platform.clock import Clock
from epicflow.platform.db import begin
from epicflow.platform.errors import Conflict, Forbidden
from epicflow.projects import service as projects
from epicflow.projects.rules import Role
from epicflow.projects.service import ProjectAccess
from epicflow.stores.base import Answer, Caller, NextClaim, store_of
from epicflow.tasks import service as tasks
from epicflow.tasks.claim_order import refresh_claim_order
from epicflow.tasks.links import add_links
from epicflow.tasks.views import to_view


@dataclass(frozen=True, slots=True)
class Claim:
    task_id: int
    key: str
    token: str
    lease_expires_at: datetime
    acquired_at: datetime
    task: dict[str, Any] | None = None  # the task's view, when the claim's call answered it


@dataclass(frozen=True, slots=True)
class Ended:
    """A task whose claim a call changed: its id, and its view when the call answered it."""

    task_id: int
    task: dict[str, Any] | None = None


MEMBER_ROLES = tuple(projects.roles_at_least(Role.member))  # who may claim and complete


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


async def prepare(session: AsyncSession, access: ProjectAccess, clock: Clock) -> datetime:
    """Take the graph lock, return expired leases to `open`, refresh a stale claim order; the
    claim goes on in this transaction.

    The time is read once the locks are held, so waiting for them never eats into a lease. A
    recount also takes the counts lock, before it touches any task row: a completion holding it
    may be waiting for such a row.
    """
    access.require(Role.member)
    stale, expired = await repo.lock_for_claim(session, access.project.id, clock())
    if stale:
        await projects.lock_counts(session, access)
    now = clock()
    if expired:
        for lapsed in await repo.expire_leases(session, now, access.project.id):
            await _record(session, access, lapsed.key, "claim.expired", now, worker=lapsed.worker)
    if stale:
        await projects.clear_graph_changed(session, access)
        await refresh_claim_order(session, access.project.id)
    return now


def _acquired_data(worker: str, until: datetime) -> dict[str, object]:
    """What a `claim.acquired` event records."""
    return {"worker": worker, "lease_expires_at": until.isoformat()}


async def _acquired(
    session: AsyncSession, access: ProjectAccess, worker: str, claim: Claim
) -> Claim:
    """Record `claim.acquired` for a task just taken (a separate statement)."""
    data = _acquired_data(worker, claim.lease_expires_at)
    await _record(session, access, claim.key, "claim.acquired", claim.acquired_at, **data)
    return claim


async def claim_next_ready_task(
    session: AsyncSession,
    project_key: str,
    user_id: uuid.UUID,
    *,
    worker: str,
    lease_seconds: int,
    epic: str | None,
    labels: list[str],
    clock: Clock,
) -> tuple[ProjectAccess, Claim | None]:
    """The caller's access, and the first ready task in claim order, taken (None when nothing
    is ready).

    The store claims at once where it can (`ClaimStore.claim_at_once`: the caller's access, the
    claim and the task's view in one statement); when the claim order must be refreshed or a
    lease has lapsed, or the store claims only so, the claim takes the long way, in a
    transaction."""
    token = secrets.token_urlsafe(24)
    store = store_of(session).claims
    start = clock()  # a claim at once moves it on by the time it waits for the lock
    asked = NextClaim(start, lease_seconds, worker, token, epic, labels)
    answer = await store.claim_at_once(session, Caller(user_id, project_key, MEMBER_ROLES), asked)
    access = _allowed(answer, projects.access_from(answer.found, project_key))
    if answer.long_way:
        return access, await _claim_next_long_way(
            session, access, worker, lease_seconds, epic, labels, token, clock
        )
    if answer.call is None:
        return access, None
    task_id, key, at, until = answer.call[:4]
    task = None if answer.view is None else to_view(answer.view, project_key)
    return access, Claim(task_id, key, token, until, at, task)


def _allowed(answer: Answer, access: ProjectAccess) -> ProjectAccess:
    """`access` once it holds the member role, as the store that read it judged too (both
    read the same row; should they ever disagree, nothing ran and the caller is refused)."""
    access.require(Role.member)
    if not answer.allowed:
        raise Forbidden(f"This needs the {Role.member.value} role or higher.", code="forbidden")
    return access


async def _claim_next_long_way(
    session: AsyncSession,
    access: ProjectAccess,
    worker: str,
    lease_seconds: int,
    epic: str | None,
    labels: list[str],
    token: str,
    clock: Clock,
) -> Claim | None:
    """Lock, refresh what needs it, then take the first ready task in claim order, with its
    event, in a transaction."""
    now = await prepare(session, access, clock)
    until = now + timedelta(seconds=lease_seconds)
    wanted = repo.Wanted(access.project.id, epic, labels, worker, token, until, now)
    data = _acquired_data(worker, until)
    store = store_of(session).claims
    taken = await store.take_next(session, wanted, actor=access.user.email, data=data)
    return None if taken is None else Claim(taken[0], taken[1], token, until, now)


async def claim_task(
    session: AsyncSession,
    access: ProjectAccess,
    key: str,
    *,
    worker: str,
    lease_seconds: int,
    clock: Clock,
) -> Claim:
    now = await prepare(session, access, clock)
    task = await tasks.get_task(session, access, key)
    if task.status == "in_progress" and task.claimed_by is not None:
        raise Conflict(f"{key} is already claimed.", code="already_claimed")
    if task.status != "open":
        raise Conflict(
            f"{key} is {task.status}, not open.", code="not_open", task_status=task.status
        )
    await tasks.check_can_start(session, access, task)
    token = secrets.token_urlsafe(24)
    until = now + timedelta(seconds=lease_seconds)
    await repo.take(session, task.id, worker, token, until, now)
    return await _acquired(session, access, worker, Claim(task.id, key, token, until, now))


async def heartbeat(
    session: AsyncSession, task_key: str, user_id: uuid.UUID, token: str, lease: int, now: datetime
) -> tuple[ProjectAccess, Claim]:
    """The caller's access, and the claim with its lease moved to `lease` seconds from now."""
    until = now + timedelta(seconds=lease)
    store = store_of(session).claims
    answer = await store.extend(
        session, _caller(task_key, user_id), key=task_key, token=token, now=now, until=until
    )
    access, ended = _ended(answer, task_key)
    if ended is None:
        await tasks.get_task(session, access, task_key)  # 404 for a task that does not exist
        raise claim_lost()
    return access, Claim(ended.task_id, task_key, token, until, now, ended.task)


async def release(
    session: AsyncSession,
    task_key: str,
    user_id: uuid.UUID,
    token: str,
    now: datetime,
    reason: str | None = None,
) -> tuple[ProjectAccess, Ended]:
    """The caller's access, and the task given back (`open`); a `reason` is kept as a
    `handoff` comment."""
    note = None if reason is None else Note(reason, CommentKind.handoff)
    access, ended = await _end_claim(session, task_key, user_id, token, now, done=False, note=note)
    if ended is None:
        await tasks.get_task(session, access, task_key)
        raise claim_lost()
    return access, ended


async def complete(
    session: AsyncSession,
    task_key: str,
    user_id: uuid.UUID,
    token: str,
    now: datetime,
    summary: str | None = None,
    links: list[dict[str, Any]] | None = None,
) -> tuple[ProjectAccess, Ended]:
    """The caller's access, and the task finished (`done`), rule 2 permitting; a `summary` is
    kept as a `completion` comment, `links` are added to the task's (`tasks.links`)."""
    note = None if summary is None else Note(summary, CommentKind.completion)
    access, ended = await _end_claim(
        session, task_key, user_id, token, now, done=True, note=note, links=links or []
    )
    if ended is None:
        task = await tasks.get_task(session, access, task_key)
        await tasks.check_can_finish(session, access, task)  # 409 naming the open dependencies
        raise claim_lost()
    return access, ended


@dataclass(frozen=True, slots=True)
class Note:
    """A comment that goes with the end of a claim."""

    body: str
    kind: CommentKind


async def _end_claim(
    session: AsyncSession,
    task_key: str,
    user_id: uuid.UUID,
    token: str,
    now: datetime,
    *,
    done: bool,
    note: Note | None,
    links: list[dict[str, Any]] | None = None,
) -> tuple[ProjectAccess, Ended | None]:
    """End the held claim, the task done or back to open, with `note` as the worker's comment;
    None when it is not held with `token` (nothing written).

    Without a note the store's call is the whole write (one statement where the store can);
    with one or with `links`, the call and what follows share the request's transaction."""
    if note is not None or links:
        await begin(session)
    store = store_of(session).claims
    caller = _caller(task_key, user_id)
    answer = await store.end(session, caller, key=task_key, token=token, now=now, done=done)
    access, ended = _ended(answer, task_key)
    if ended is not None and note is not None:
        worker = answer.call[1] if answer.call is not None else None
        await comments.add_comment(
            session,
            access,
            ended.task_id,
            task_key,
            body=note.body,
            kind=note.kind,
            worker=worker,
            now=now,
        )
    if ended is not None and links:
        await add_links(session, ended.task_id, links)
        ended = Ended(ended.task_id)  # the store's view predates the links
    return access, ended


def _caller(task_key: str, user_id: uuid.UUID) -> Caller:
    """Who calls, for a call on a held claim of `task_key`."""
    return Caller(user_id, tasks.project_key_of(task_key), MEMBER_ROLES)


def _ended(answer: Answer, task_key: str) -> tuple[ProjectAccess, Ended | None]:
    """The caller's access and what a call on a held claim answered (None: not held)."""
    access = _allowed(answer, tasks.access_to_task(answer.found, task_key))
    if answer.call is None:
        return access, None
    view = None if answer.view is None else to_view(answer.view, tasks.project_key_of(task_key))
    return access, Ended(answer.call[0], view)
