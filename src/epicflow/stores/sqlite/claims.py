"""SQLite's claims: each call is a few statements inside the write lock its transaction took
at BEGIN IMMEDIATE, so nothing changes between the access check, the write and its event."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.claims import repository as repo
from epicflow.events import repository as events
from epicflow.platform.db import fetch_rows
from epicflow.projects.repository import Found, user_project_allowed, user_project_of
from epicflow.stores.base import Answer, Caller, NextClaim


@cache
def _access(roles: tuple[str, ...]) -> Select[Any]:
    return user_project_allowed(roles)


async def _caller(session: AsyncSession, caller: Caller) -> tuple[Found | None, bool]:
    """The caller's user, project and role, and whether the roles allow the call: the rule of
    `projects.repository.user_project_allowed`, as the PostgreSQL store reads it."""
    params = {"user_id": caller.user_id, "key": caller.project_key}
    rows = await fetch_rows(session, _access(caller.roles), params)
    if not rows:
        return None, False
    return user_project_of(rows[0]), bool(rows[0][-1])


def _project_id(found: Found | None) -> uuid.UUID:
    """The project of an allowed caller (`allows` holds only when there is one)."""
    assert found is not None
    assert found[1] is not None
    return found[1].id


async def _record(
    session: AsyncSession, found: Found | None, key: str, kind: str, now: datetime, worker: str
) -> None:
    assert found is not None
    await events.record(
        session,
        project_id=_project_id(found),
        task_key=key,
        type=kind,
        actor=found[0].email,
        now=now,
        data={"worker": worker},
    )


class SqliteClaimStore:
    async def claim_at_once(
        self, session: AsyncSession, caller: Caller, claim: NextClaim
    ) -> Answer:
        """The caller's access only: every claim takes the long way."""
        found, allowed = await _caller(session, caller)
        return Answer(found, allowed, long_way=True)

    async def take_next(
        self, session: AsyncSession, wanted: repo.Wanted, *, actor: str, data: dict[str, object]
    ) -> tuple[int, str] | None:
        taken = await repo.take_next(session, wanted)
        if taken is not None:
            await events.record(
                session,
                project_id=wanted.project_id,
                task_key=taken[1],
                type="claim.acquired",
                actor=actor,
                now=wanted.now,
                data=data,
            )
        return taken

    async def extend(
        self,
        session: AsyncSession,
        caller: Caller,
        *,
        key: str,
        token: str,
        now: datetime,
        until: datetime,
    ) -> Answer:
        found, allowed = await _caller(session, caller)
        if not allowed:
            return Answer(found, allowed)
        project_id = _project_id(found)
        task_id = await repo.extend(session, project_id, key, token, until, now)
        return Answer(found, allowed, None if task_id is None else (task_id,))

    async def end(
        self,
        session: AsyncSession,
        caller: Caller,
        *,
        key: str,
        token: str,
        now: datetime,
        done: bool,
    ) -> Answer:
        found, allowed = await _caller(session, caller)
        if not allowed:
            return Answer(found, allowed)
        status, kind = ("done", "task.completed") if done else ("open", "claim.released")
        project_id = _project_id(found)
        ended = await repo.finish(session, project_id, key, token, now, status=status)
        if ended is None:
            return Answer(found, allowed)
        await _record(session, found, key, kind, now, ended[1])
        return Answer(found, allowed, ended)
