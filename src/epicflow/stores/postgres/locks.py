"""PostgreSQL's locks on a project's graph and counts.

The graph lock is a row lock on the project (`FOR NO KEY UPDATE`): writers queue on it, while
inserts whose foreign key points at the project (events, tasks) are not blocked.

The counts lock is a transaction advisory lock per project, `(COUNTS_LOCK_CLASS, hashtext of the
project id)`. Completions take it shared (`epicflow_complete`); graph writes and a claim's
recount take it exclusively, after the graph lock and before they touch a task row. Two
projects whose ids hash alike share the lock: one's completions may wait for the other's graph
writes, nothing worse (docs/claims.md, "The counts lock").
"""

from __future__ import annotations

import uuid

from sqlalchemy import Text, Uuid, bindparam, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

COUNTS_LOCK_CLASS = 0x45504643  # "EPFC"

LOCK_COUNTS = select(
    func.pg_advisory_xact_lock(
        COUNTS_LOCK_CLASS, func.hashtext(cast(bindparam("project_id", type_=Uuid), Text))
    )
)


class PostgresProjectStore:
    async def lock_counts(self, session: AsyncSession, project_id: uuid.UUID) -> None:
        await session.execute(LOCK_COUNTS, {"project_id": project_id})
