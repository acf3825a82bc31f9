"""The SQLite store."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.stores.base import Store
from epicflow.stores.sqlite.claims import SqliteClaimStore
from epicflow.stores.sqlite.task_writes import SqliteTaskStore
from epicflow.stores.sqlite.watch import SqliteEventWatch


class SqliteProjectStore:
    async def lock_counts(self, session: AsyncSession, project_id: uuid.UUID) -> None:
        """Nothing to do: a completion waits for the database's write lock, which every write
        transaction takes at BEGIN IMMEDIATE."""


SQLITE = Store(
    tasks=SqliteTaskStore(),
    claims=SqliteClaimStore(),
    projects=SqliteProjectStore(),
    watch=SqliteEventWatch(),
)
