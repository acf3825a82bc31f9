"""What a claim orders and filters by, stored on each task and recomputed by the pure graph code
when the graph has changed: downstream hours and the count of unresolved dependencies."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import Uuid, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.graph import RESOLVED, Graph, Node
from epicflow.platform.db import fetch_rows
from epicflow.tasks.models import Task, TaskEdge
from epicflow.tasks.readiness import effective_hours

EPSILON = 1e-9
_PROJECT = bindparam("project_id", type_=Uuid)
# What the order needs of each task, and what is stored of it now: one read of the tasks.
_TASKS = select(
    Task.id,
    Task.key,
    Task.number,
    Task.status,
    effective_hours().label("hours"),
    Task.downstream_hours,
    Task.unresolved_deps,
).where(Task.project_id == _PROJECT)
_EDGES = select(TaskEdge.task_id, TaskEdge.depends_on_id).where(TaskEdge.project_id == _PROJECT)


async def refresh_claim_order(session: AsyncSession, project_id: uuid.UUID) -> int:
    """Recompute every task's downstream hours and unresolved dependencies; write only the
    tasks where either moved. Returns how many. Reads the project's tasks once and its edges
    once."""
    params = {"project_id": project_id}
    tasks = await fetch_rows(session, _TASKS, params)
    key_of = {row[0]: row[1] for row in tasks}
    deps: dict[int, list[str]] = defaultdict(list)
    for task_id, depends_on_id in await fetch_rows(session, _EDGES, params):
        deps[task_id].append(key_of[depends_on_id])
    status = {row[1]: row[3] for row in tasks}
    nodes = [
        Node(key=key, number=number, status=state, hours=float(hours), depends_on=tuple(deps[i]))
        for i, key, number, state, hours, _stored_hours, _stored_count in tasks
    ]
    hours_after = Graph(nodes).downstream_hours()
    changes = []
    for task_id, key, _number, _state, _hours, old_hours, old_waiting in tasks:
        waiting = sum(status[dep] not in RESOLVED for dep in deps[task_id])
        new_hours = hours_after.get(key, 0.0)
        if abs(new_hours - old_hours) > EPSILON or waiting != old_waiting:
            changes.append(
                {"id": task_id, "downstream_hours": new_hours, "unresolved_deps": waiting}
            )
    if changes:
        await session.execute(update(Task), changes)  # ORM bulk UPDATE by primary key
    return len(changes)
