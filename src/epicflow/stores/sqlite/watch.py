"""SQLite's event watch: the newest event id of each project someone waits on, checked a few
times a second on one connection of its own, shared by every waiter of the process.

SQLite writers take the database's write lock one at a time, so event ids grow in commit
order: a project's newest id changes exactly when a commit recorded events for it.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import cast

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from epicflow.events.models import Event
from epicflow.platform.db import Database, make_engine
from epicflow.platform.wakeups import Wakeups

CHECK_SECONDS = 0.15
EVENT = cast(Table, Event.__table__)
# One index probe (ix_event_project) per project.
_NEWEST = select(func.max(EVENT.c.id)).where(EVENT.c.project_id == bindparam("project"))
log = logging.getLogger(__name__)


class SqliteEventWatch:
    async def run(self, db: Database, wakeups: Wakeups) -> None:
        engine = make_engine(db.url)  # its own connection: never one of the requests' pool
        try:
            async with engine.connect() as connection:
                seen: dict[uuid.UUID, int] = {}
                while True:
                    await asyncio.sleep(CHECK_SECONDS)
                    try:
                        await _check(connection, wakeups, seen)
                    except SQLAlchemyError:
                        log.warning("checking for new events failed", exc_info=True)
                        await connection.rollback()
        finally:
            await engine.dispose()


async def _check(connection: AsyncConnection, wakeups: Wakeups, seen: dict[uuid.UUID, int]) -> None:
    """Wake the projects whose newest event moved. A project seen for the first time is woken
    too: its waiters may have looked before a commit this check cannot tell from older ones."""
    watched = wakeups.watched()
    for gone in seen.keys() - set(watched):
        del seen[gone]
    for project_id in watched:
        newest = await connection.scalar(_NEWEST, {"project": project_id}) or 0
        if seen.get(project_id) != newest:
            wakeups.wake(project_id)
        seen[project_id] = newest
    await connection.rollback()  # no read transaction left open between checks
