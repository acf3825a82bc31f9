"""The append-only history: every change records an event in its own transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.events.models import Event


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
    session.add(
        Event(
            project_id=project_id,
            task_key=task_key,
            type=type,
            actor=actor,
            data=data or {},
            created_at=now,
        )
    )


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
