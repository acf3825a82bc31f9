"""A whole project's task graph as pure `graph.Node`s, in three queries."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from epicflow.epics.tables import Epic
from epicflow.graph import LintTask, Node
from epicflow.platform.db import fetch_rows
from epicflow.tasks.models import Task, TaskConflict, TaskEdge
from epicflow.tasks.readiness import effective_hours, unresolved
from epicflow.tasks.repository import is_claimed

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

# The unresolved part only: what the ready queue and the plan need. A resolved dependency is
# satisfied and a resolved task can neither run nor conflict, so leaving them out changes
# neither answer (the plan only adds the hours of done tasks to its total).
_OWNER = aliased(Task)
_OPEN_EDGES = (
    _EDGES.join(_OWNER, _OWNER.id == TaskEdge.task_id)
    .where(unresolved(_OWNER.status))
    .where(unresolved(_DEP.status))
)
_OPEN_TASKS = _TASKS.where(unresolved(Task.status))
_OPEN_EPIC_TASKS = _EPIC_TASKS.where(unresolved(Task.status))
_DONE_HOURS = (
    select(func.coalesce(func.sum(effective_hours()), 0.0))
    .outerjoin(Epic, Epic.id == Task.epic_id)
    .where(Task.project_id == bindparam("project_id"), Task.status == "done")
)
_DONE_EPIC_HOURS = _DONE_HOURS.where(Epic.slug == bindparam("epic"))

# The lint's own columns, selected like the graph's tasks (never by key: a project may hold more
# tasks than a statement takes parameters). The checklists are only counted.
_LINT = (
    select(
        Task.id,
        Task.key,
        Task.description,
        Task.tdd_requirements,
        func.json_array_length(Task.acceptance_criteria),
        func.json_array_length(Task.definition_of_done),
        Task.estimate_size,
        Task.estimate_hours,
    )
    .outerjoin(Epic, Epic.id == Task.epic_id)
    .where(Task.project_id == bindparam("project_id"))
)
_EPIC_LINT = _LINT.where(Epic.slug == bindparam("epic"))


async def project_nodes(
    session: AsyncSession, project_id: uuid.UUID, now: datetime, *, epic: str | None = None
) -> list[Node]:
    """Every task of the project (or of one epic) with its edges; epics are named by slug.
    Prebuilt statements read as plain tuples (a project may hold 100,000 tasks)."""
    tasks = _TASKS if epic is None else _EPIC_TASKS
    return await _nodes(session, (_EDGES, tasks), project_id, now, epic)


async def open_nodes(
    session: AsyncSession, project_id: uuid.UUID, now: datetime, *, epic: str | None = None
) -> list[Node]:
    """The unresolved tasks (of one epic) with their unresolved edges: all that the ready queue
    and `graph.plan` need, often a fraction of the project."""
    tasks = _OPEN_TASKS if epic is None else _OPEN_EPIC_TASKS
    return await _nodes(session, (_OPEN_EDGES, tasks), project_id, now, epic)


async def done_hours(
    session: AsyncSession, project_id: uuid.UUID, *, epic: str | None = None
) -> float:
    """The effective hours of the done tasks (of one epic): `graph.plan(done_hours=)`."""
    params = {"project_id": project_id, "epic": epic}
    ((hours,),) = await fetch_rows(
        session, _DONE_HOURS if epic is None else _DONE_EPIC_HOURS, params
    )
    return float(hours)


async def _nodes(
    session: AsyncSession,
    statements: tuple[Select[Any], Select[Any]],
    project_id: uuid.UUID,
    now: datetime,
    epic: str | None,
) -> list[Node]:
    edges, tasks = statements
    params: dict[str, object] = {"project_id": project_id, "epic": epic}
    deps: dict[int, list[str]] = defaultdict(list)
    for task_id, key in await fetch_rows(session, edges, params):
        deps[task_id].append(key)
    conflicts: dict[int, list[str]] = defaultdict(list)
    for task_id, key in await fetch_rows(session, _CONFLICTS, params):
        conflicts[task_id].append(key)
    rows = await fetch_rows(session, tasks, params)
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
    session: AsyncSession,
    project_id: uuid.UUID,
    now: datetime,
    *,
    epic: str | None = None,
    from_ccpm: Collection[int] = (),
) -> list[LintTask]:
    """What the task-quality lint reads, for the project or one epic; ``from_ccpm``: the ids of
    the tasks imported from ccpm files."""
    nodes = {node.key: node for node in await project_nodes(session, project_id, now, epic=epic)}
    params = {"project_id": project_id, "epic": epic}
    tasks = []
    for task_id, key, description, tdd, criteria, done, size, hours in await fetch_rows(
        session, _LINT if epic is None else _EPIC_LINT, params
    ):
        node = nodes.get(key)
        if node is None:  # created (or moved into the epic) since the graph was read
            continue
        tasks.append(
            LintTask(
                key=key,
                title=node.title,
                epic=node.epic,
                description=description,
                tdd_requirements=tdd,
                acceptance_criteria=criteria,
                definition_of_done=done,
                size=size,
                hours=hours,
                depends_on=node.depends_on,
                conflicts_with=node.conflicts_with,
                from_ccpm=task_id in from_ccpm,
            )
        )
    return sorted(tasks, key=lambda task: nodes[task.key].number)
