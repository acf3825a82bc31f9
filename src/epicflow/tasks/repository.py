"""Task storage: rows, edges, conflicts and labels. Services decide; this module only stores."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    String,
    Uuid,
    and_,
    bindparam,
    delete,
    insert,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from epicflow.epics.tables import Epic
from epicflow.graph import Node
from epicflow.platform.db import fetch_rows
from epicflow.platform.errors import NotFound
from epicflow.stores.base import TaskSql, store_of
from epicflow.tasks.models import RUNNING, Task, TaskConflict, TaskEdge, TaskLabel
from epicflow.tasks.readiness import effective_hours


def task_not_found(key: str) -> NotFound:
    return NotFound(f"Task {key} not found.", code="task_not_found")


async def get_task(
    session: AsyncSession, project_id: uuid.UUID, key: str, *, for_update: bool = False
) -> Task:
    query = select(Task).where(Task.project_id == project_id, Task.key == key)
    if for_update:
        query = query.with_for_update()
    task = (await session.execute(query)).scalar_one_or_none()
    if task is None:
        raise task_not_found(key)
    return task


@cache
def _ids_for_keys(sql: TaskSql) -> Select[Any]:
    project = Task.project_id == bindparam("project_id", type_=Uuid)
    return select(Task.key, Task.id).where(project, sql.any_of(Task.key, "keys", String))


async def ids_for_keys(
    session: AsyncSession, project_id: uuid.UUID, keys: Iterable[str]
) -> dict[str, int]:
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    statement = _ids_for_keys(store_of(session).tasks.sql)
    rows = await fetch_rows(session, statement, {"project_id": project_id, "keys": wanted})
    return {str(key): int(task_id) for key, task_id in rows}


async def project_edges(session: AsyncSession, project_id: uuid.UUID) -> list[tuple[str, str]]:
    """Every (task key, dependency key) pair of the project, for cycle checks."""
    waiting, dependency = aliased(Task), aliased(Task)
    query = (
        select(waiting.key, dependency.key)
        .select_from(TaskEdge)
        .join(waiting, waiting.id == TaskEdge.task_id)
        .join(dependency, dependency.id == TaskEdge.depends_on_id)
        .where(TaskEdge.project_id == project_id)
    )
    return list((await session.execute(query)).tuples())


async def replace_edges(session: AsyncSession, task: Task, depends_on: Iterable[int]) -> None:
    await session.execute(delete(TaskEdge).where(TaskEdge.task_id == task.id))
    rows = [
        {"task_id": task.id, "depends_on_id": dep, "project_id": task.project_id}
        for dep in sorted(set(depends_on))
    ]
    if rows:
        await session.execute(insert(TaskEdge), rows)


async def replace_conflicts(session: AsyncSession, task: Task, others: Iterable[int]) -> None:
    await session.execute(
        delete(TaskConflict).where(
            or_(TaskConflict.low_id == task.id, TaskConflict.high_id == task.id)
        )
    )
    rows = [
        {
            "low_id": min(task.id, other),
            "high_id": max(task.id, other),
            "project_id": task.project_id,
        }
        for other in sorted(set(others))
    ]
    if rows:
        await session.execute(insert(TaskConflict), rows)


async def refresh_label_arrays(session: AsyncSession, task_ids: Sequence[int]) -> None:
    """Bring the store's copy of the labels of `task_ids`, if it keeps one, up to date with
    task_label: every write to task_label is followed by this, in its transaction."""
    await store_of(session).tasks.refresh_label_copies(session, task_ids)


async def replace_labels(session: AsyncSession, task: Task, labels: Iterable[str]) -> None:
    await session.execute(delete(TaskLabel).where(TaskLabel.task_id == task.id))
    rows = [
        {"task_id": task.id, "label": label, "project_id": task.project_id}
        for label in sorted(set(labels))
    ]
    if rows:
        await session.execute(insert(TaskLabel), rows)
    await refresh_label_arrays(session, [task.id])


async def add_links(
    session: AsyncSession,
    task: Task,
    depends_on: Iterable[int],
    conflicts: Iterable[int],
    labels: Iterable[str],
) -> None:
    """Edges, conflicts and labels of a task that has none yet."""
    project = task.project_id
    tables_rows: list[tuple[Any, list[dict[str, Any]]]] = [
        (
            TaskEdge,
            [
                {"task_id": task.id, "depends_on_id": d, "project_id": project}
                for d in set(depends_on)
            ],
        ),
        (
            TaskConflict,
            [
                {"low_id": min(task.id, o), "high_id": max(task.id, o), "project_id": project}
                for o in set(conflicts)
            ],
        ),
        (
            TaskLabel,
            [{"task_id": task.id, "label": label, "project_id": project} for label in set(labels)],
        ),
    ]
    for table, rows in tables_rows:
        if rows:
            await session.execute(insert(table), rows)
            if table is TaskLabel:
                await refresh_label_arrays(session, [task.id])


def _node(row: Row[Any], *, deps: Sequence[str] = (), conflicts: Sequence[str] = ()) -> Node:
    return Node(
        key=row.key,
        number=row.number,
        status=row.status,
        priority=row.priority,
        epic=row.slug,
        parallel=row.parallel,
        hours=float(row.hours),
        depends_on=tuple(deps),
        conflicts_with=tuple(conflicts),
    )


_NODE_COLUMNS = (
    Task.id,
    Task.key,
    Task.number,
    Task.status,
    Task.priority,
    Epic.slug,
    Task.parallel,
    effective_hours().label("hours"),
)


async def neighbour_nodes(
    session: AsyncSession, project_id: uuid.UUID, task_ids: Sequence[int], epic_ids: Iterable[int]
) -> list[Node]:
    """What the start rules need to judge `task_ids`: the tasks themselves, their dependencies
    and conflict partners, and the tasks in progress in their epics, as graph nodes (without
    their own edges; epics named by slug, as in `project_graph`)."""
    dep_ids = select(TaskEdge.depends_on_id).where(TaskEdge.task_id.in_(task_ids))
    partner_ids = union_all(
        select(TaskConflict.high_id).where(TaskConflict.low_id.in_(task_ids)),
        select(TaskConflict.low_id).where(TaskConflict.high_id.in_(task_ids)),
    )
    conditions: list[ColumnElement[bool]] = [
        Task.id.in_(task_ids),
        Task.id.in_(dep_ids),
        Task.id.in_(partner_ids),
    ]
    epics = sorted(set(epic_ids))
    if epics:
        conditions.append(and_(Task.epic_id.in_(epics), Task.status == RUNNING))
    query = (
        select(*_NODE_COLUMNS)
        .outerjoin(Epic, Epic.id == Task.epic_id)
        .where(Task.project_id == project_id, or_(*conditions))
    )
    return [_node(row) for row in (await session.execute(query)).all()]


async def delete_task(session: AsyncSession, task: Task) -> None:
    await session.delete(task)
    await session.flush()


def is_claimed(claimed_by: str | None, lease_expires_at: datetime | None, now: datetime) -> bool:
    return claimed_by is not None and lease_expires_at is not None and lease_expires_at > now


async def task_refs(session: AsyncSession, task_id: int) -> tuple[list[str], list[str]]:
    """The keys a task depends on and conflicts with, as stored now."""
    deps = (
        select(Task.key)
        .join(TaskEdge, TaskEdge.depends_on_id == Task.id)
        .where(TaskEdge.task_id == task_id)
    )
    partners = union_all(
        select(TaskConflict.high_id.label("other")).where(TaskConflict.low_id == task_id),
        select(TaskConflict.low_id.label("other")).where(TaskConflict.high_id == task_id),
    ).subquery()
    conflicts = select(Task.key).join(partners, partners.c.other == Task.id)
    dep_keys = list((await session.execute(deps)).scalars())
    conflict_keys = list((await session.execute(conflicts)).scalars())
    return dep_keys, conflict_keys
