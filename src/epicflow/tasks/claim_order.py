"""What a claim orders and filters by, stored on each task and recomputed by the pure graph code
when the graph has changed: downstream hours and the count of unresolved dependencies."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.graph import RESOLVED, Graph
from epicflow.tasks.models import Task
from epicflow.tasks.project_graph import project_nodes

EPSILON = 1e-9


async def refresh_claim_order(session: AsyncSession, project_id: uuid.UUID, now: datetime) -> int:
    """Recompute every task's downstream hours and unresolved dependencies; write only the
    tasks where either moved. Returns how many."""
    nodes = await project_nodes(session, project_id, now)
    status = {node.key: node.status for node in nodes}
    waiting = {
        node.key: sum(status[dep] not in RESOLVED for dep in node.depends_on) for node in nodes
    }
    hours = Graph(nodes).downstream_hours()
    stored = await session.execute(
        select(Task.id, Task.key, Task.downstream_hours, Task.unresolved_deps).where(
            Task.project_id == project_id
        )
    )
    changes = []
    for task_id, key, old_hours, old_waiting in stored.tuples():
        new_hours, new_waiting = hours.get(key, 0.0), waiting.get(key, 0)
        if abs(new_hours - old_hours) > EPSILON or new_waiting != old_waiting:
            changes.append(
                {"id": task_id, "downstream_hours": new_hours, "unresolved_deps": new_waiting}
            )
    if changes:
        await session.execute(update(Task), changes)  # ORM bulk UPDATE by primary key
    return len(changes)
