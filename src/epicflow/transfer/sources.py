"""What other features may ask about where tasks came from."""

from __future__ import annotations

import uuid

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.platform.db import fetch_rows
from epicflow.transfer.models import TaskSource

_FROM_FILES = select(TaskSource.task_id).where(
    TaskSource.project_id == bindparam("project_id"), TaskSource.path.is_not(None)
)


async def tasks_from_ccpm_files(session: AsyncSession, project_id: uuid.UUID) -> set[int]:
    """The ids of the tasks last imported from a ccpm task file (a bundle keeps that path)."""
    rows = await fetch_rows(session, _FROM_FILES, {"project_id": project_id})
    return {task_id for (task_id,) in rows}
