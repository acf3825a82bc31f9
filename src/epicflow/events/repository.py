"""Event storage: the statements that append to the history and read it back. Stores build
`record_each` into their own data-changing statements; everyone else goes through `service`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    ColumnElement,
    Insert,
    String,
    Table,
    bindparam,
    insert,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.events.models import Event

EVENT = cast(Table, Event.__table__)
# A Core INSERT, built once: no unit-of-work bookkeeping for rows nobody reads back.
_INSERT = insert(EVENT)
_COLUMNS = ["project_id", "task_key", "type", "actor", "data", "created_at"]


def record_each(
    project_id: ColumnElement[Any],
    task_key: ColumnElement[Any],
    type: str,
    *,
    now: ColumnElement[Any],
    data: ColumnElement[Any] | None = None,
) -> Insert:
    """An INSERT of one event per row that `task_key` comes from (a data-changing CTE), for a
    statement that changes rows and records the change at once. The actor is `:in_actor`, the
    data `:in_data` unless given."""
    source = select(
        project_id,
        task_key,
        literal(type),
        bindparam("in_actor", type_=String),
        bindparam("in_data", type_=JSON) if data is None else data,
        now,
    )
    return insert(EVENT).from_select(_COLUMNS, source)


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
