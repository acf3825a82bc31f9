"""SQLite's task writes: every write goes step by step (`tasks.service`) inside the write lock
its transaction took at BEGIN IMMEDIATE, and labels are read from `task_label` alone."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.stores.sqlite.task_reads import SqliteTaskSql
from epicflow.tasks.writes import NewTask

STEP_BY_STEP = "SQLite writes tasks step by step (writes_at_once is False)."


class SqliteTaskStore:
    sql = SqliteTaskSql()
    writes_at_once = False

    async def create_at_once(
        self, session: AsyncSession, task: NewTask, *, actor: str, now: datetime
    ) -> int:  # pragma: no cover - never called: writes_at_once is False
        raise NotImplementedError(STEP_BY_STEP)

    async def edit_at_once(
        self,
        session: AsyncSession,
        project_id: uuid.UUID,
        key: str,
        changes: dict[str, Any],
        versions: list[int] | None,
        *,
        actor: str,
        now: datetime,
    ) -> int | None:  # pragma: no cover - never called: writes_at_once is False
        raise NotImplementedError(STEP_BY_STEP)

    async def refresh_label_copies(self, session: AsyncSession, task_ids: Sequence[int]) -> None:
        """Nothing to do: no copy of the labels is kept."""
