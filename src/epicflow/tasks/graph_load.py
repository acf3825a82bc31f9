"""A whole project's task graph as pure `graph.Node`s, in three queries."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from epicflow.epics.models import Epic
from epicflow.graph import LintTask, Node
from epicflow.platform.db import fetch_rows
from epicflow.tasks.models import Task, TaskConflict, TaskEdge
from epicflow.tasks.repository import is_claimed
from epicflow.tasks.sql import effective_hours

_DEP = aliased(Task)
_HIGH = aliased(Task)
_EDGES = (
    select(TaskEdge.task_id, _DEP.key)
    .join(_DEP, _DEP.id == TaskEdge.depends_on_id)
    .where(TaskEdge.project_id == bindparam("project_id"))
)
_CONFLICTS = (
    select(TaskConflict.low_id, _HIGH.key)
    .join(_HIGH, _HIGH.id == TaskConflict.high_id)
    .where(TaskConflict.project_id == bindparam("project_id"))
)
_TASKS = (
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
    .where(Task.project_id == bindparam("project_id"))
)
_EPIC_TASKS = _TASKS.where(Epic.slug == bindparam("epic"))


async def project_nodes(
    session: AsyncSession, project_id: uuid.UUID, now: datetime, *, epic: str | None = None
) -> list[Node]:
    """Every task of the project (or of one epic) with its edges; epics are named by slug.
    Three prebuilt statements read as plain tuples (a project may hold 100,000 tasks)."""
    params: dict[str, object] = {"project_id": project_id, "epic": epic}
    deps: dict[int, list[str]] = defaultdict(list)
    for task_id, key in await fetch_rows(session, _EDGES, params):
        deps[task_id].append(key)
    conflicts: dict[int, list[str]] = defaultdict(list)
    for task_id, key in await fetch_rows(session, _CONFLICTS, params):
        conflicts[task_id].append(key)
    rows = await fetch_rows(session, _TASKS if epic is None else _EPIC_TASKS, params)
    none: tuple[str, ...] = ()
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
            depends_on=tuple(deps[task_id]) if task_id in deps else none,
            conflicts_with=tuple(conflicts[task_id]) if task_id in conflicts else none,
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
