"""A whole project's task graph as pure `graph.Node`s, in three queries."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from epicflow.epics.models import Epic
from epicflow.graph import LintTask, Node
from epicflow.tasks.models import Task, TaskConflict, TaskEdge
from epicflow.tasks.repository import is_claimed
from epicflow.tasks.sql import effective_hours


async def project_nodes(
    session: AsyncSession, project_id: uuid.UUID, now: datetime, *, epic: str | None = None
) -> list[Node]:
    """Every task of the project (or of one epic) with its edges; epics are named by slug."""
    deps: dict[int, list[str]] = defaultdict(list)
    dep = aliased(Task)
    edge_rows = await session.execute(
        select(TaskEdge.task_id, dep.key)
        .join(dep, dep.id == TaskEdge.depends_on_id)
        .where(TaskEdge.project_id == project_id)
    )
    for task_id, key in edge_rows.tuples():
        deps[task_id].append(key)
    conflicts: dict[int, list[str]] = defaultdict(list)
    high = aliased(Task)
    conflict_rows = await session.execute(
        select(TaskConflict.low_id, high.key)
        .join(high, high.id == TaskConflict.high_id)
        .where(TaskConflict.project_id == project_id)
    )
    for task_id, key in conflict_rows.tuples():
        conflicts[task_id].append(key)
    query = (
        select(
            Task.id,
            Task.key,
            Task.number,
            Task.status,
            Task.priority,
            Epic.slug,
            Task.parallel,
            effective_hours().label("hours"),
            Task.title,
            Task.claimed_by,
            Task.lease_expires_at,
        )
        .outerjoin(Epic, Epic.id == Task.epic_id)
        .where(Task.project_id == project_id)
    )
    if epic is not None:
        query = query.where(Epic.slug == epic)
    rows = (await session.execute(query)).tuples().all()
    # Positional unpacking: reading fields by name costs more than the rest on 100k rows.
    return [
        Node(
            key=key,
            number=number,
            status=status,
            priority=priority,
            epic=slug,
            parallel=parallel,
            hours=float(hours),
            depends_on=tuple(deps.get(task_id, ())),
            conflicts_with=tuple(conflicts.get(task_id, ())),
            claimed=is_claimed(claimed_by, lease_expires_at, now),
            title=title,
        )
        for (
            task_id,
            key,
            number,
            status,
            priority,
            slug,
            parallel,
            hours,
            title,
            claimed_by,
            lease_expires_at,
        ) in rows
    ]


async def lint_tasks(
    session: AsyncSession, project_id: uuid.UUID, now: datetime, *, epic: str | None = None
) -> list[LintTask]:
    """What the task-quality lint reads, for the project or one epic."""
    nodes = {node.key: node for node in await project_nodes(session, project_id, now, epic=epic)}
    query = select(
        Task.key,
        Task.description,
        Task.tdd_requirements,
        Task.acceptance_criteria,
        Task.definition_of_done,
        Task.estimate_size,
        Task.estimate_hours,
    ).where(Task.project_id == project_id, Task.key.in_(list(nodes)))
    tasks = []
    for row in (await session.execute(query)).all():
        node = nodes[row.key]
        tasks.append(
            LintTask(
                key=row.key,
                title=node.title,
                epic=node.epic,
                description=row.description,
                tdd_requirements=row.tdd_requirements,
                acceptance_criteria=len(row.acceptance_criteria),
                definition_of_done=len(row.definition_of_done),
                size=row.estimate_size,
                hours=row.estimate_hours,
                depends_on=node.depends_on,
                conflicts_with=node.conflicts_with,
            )
        )
    return sorted(tasks, key=lambda task: nodes[task.key].number)
