"""Writing the files beside the tasks of an import: each replaces the file of its epic at the
same path (re-importing updates, never duplicates); files the upload lacks are left alone."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.transfer.plan.inputs import FileSpec
from epicflow.transfer.write import bulk


def file_rows(
    project_id: uuid.UUID,
    files: Sequence[FileSpec],
    epic_ids: Mapping[str, int],
    keys: Mapping[str, str],
    task_ids: Mapping[str, int],
) -> list[dict[str, Any]]:
    """``keys``: each task name of the upload to its key; ``task_ids``: every task's id by key.
    A file names its task by upload name (markdown) or by key (bundle); one that names no task
    of the project belongs to its epic only."""
    rows = []
    for item in files:
        key = None if item.task is None else keys.get(item.task, item.task)
        rows.append(
            {
                "project_id": project_id,
                "epic_id": epic_ids[item.epic],
                "task_id": None if key is None else task_ids.get(key),
                "path": item.path,
                "size": len(item.data),
                "data": item.data,
            }
        )
    return rows


async def write_files(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    await bulk.replace_files(session, rows)
