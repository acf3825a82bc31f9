"""The append-only history: every change records an event in its own transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.events.models import Event

# A Core INSERT, built once: no unit-of-work bookkeeping for rows nobody reads back.
_INSERT = insert(cast(Table, Event.__table__))


async def record(
    session: AsyncSession,
    *,
    project_id: uuid.UUID,
    type: str,
    actor: str,
    now: datetime,
    task_key: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    row = {
        "project_id": project_id,
        "task_key": task_key,
        "type": type,
        "actor": actor,
        "data": data or {},
        "created_at": now,
    }
    await session.execute(_INSERT, row)


async def list_events(
    session: AsyncSession,
    project_id: uuid.UUID,
    *,
    task_key: str | None,
    after_id: int | None,
    limit: int,
) -> list[Event]:
    """Oldest first, so a cursor keeps working while new events arrive."""
    query = select(Event).where(Event.project_id == project_id)
    if task_key is not None:
        query = query.where(Event.task_key == task_key)
    if after_id is not None:
        query = query.where(Event.id > after_id)
    rows = await session.execute(query.order_by(Event.id).limit(limit))
    return list(rows.scalars())
