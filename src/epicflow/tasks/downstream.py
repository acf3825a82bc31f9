"""Stored downstream hours, recomputed by the pure graph code when the graph has changed."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.graph import Graph
from epicflow.tasks.graph_load import project_nodes
from epicflow.tasks.models import Task

EPSILON = 1e-9


async def refresh_downstream_hours(
    session: AsyncSession, project_id: uuid.UUID, now: datetime
) -> int:
    """Recompute every task's downstream hours; write only the ones that moved. Returns how many."""
    computed = Graph(await project_nodes(session, project_id, now)).downstream_hours()
    stored = await session.execute(
        select(Task.id, Task.key, Task.downstream_hours).where(Task.project_id == project_id)
    )
    changes = [
        {"id": task_id, "downstream_hours": computed.get(key, 0.0)}
        for task_id, key, hours in stored.tuples()
        if abs(computed.get(key, 0.0) - hours) > EPSILON
    ]
    if changes:
        await session.execute(update(Task), changes)  # ORM bulk UPDATE by primary key
    return len(changes)
