"""Reading a whole project for import and export: a constant number of queries, whatever its size.

Import and export work on every task of a project at once, so this module reads the task,
epic and membership tables directly (as the claims feature does) rather than one task at a
time through their services.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Row, null, select
from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.auth.tables import User
from epicflow.epics.tables import Epic
from epicflow.projects.tables import Membership, Project
from epicflow.stores.base import store_of
from epicflow.tasks.tables import TASK_CONTENT, Task, TaskConflict, TaskEdge, TaskLabel
from epicflow.tasks.views import view_query
from epicflow.transfer.models import EpicFile, EpicSource, TaskSource
from epicflow.transfer.plan.diff import CLAIM_FIELDS
from epicflow.transfer.plan.inputs import (
    EPIC_CONTENT,
    TIME_FIELDS,
    Meta,
    Snapshot,
    StoredEpic,
    StoredTask,
)

_TASK_COLUMNS = (
    Task.id,
    Task.key,
    Task.number,
    Task.epic_id,
    Task.assignee_id,
    Task.version,
    *(getattr(Task, name) for name in (*TASK_CONTENT, *TIME_FIELDS, *CLAIM_FIELDS)),
    Task.links,
    TaskSource.task_id.label("source_id"),
    TaskSource.path,
    TaskSource.github,
    TaskSource.dependencies_note,
    TaskSource.extra,
    TaskSource.written_check,
)
_EPIC_COLUMNS = (
    Epic.id,
    Epic.slug,
    Epic.created_at,
    Epic.updated_at,
    *(getattr(Epic, name) for name in EPIC_CONTENT),
    EpicSource.epic_id.label("source_id"),
    EpicSource.github,
    EpicSource.extra,
    EpicSource.written_check,
)


_TASK_NAMES = (*(column.key for column in _TASK_COLUMNS), "written")


def _written(table: type[TaskSource] | type[EpicSource], wanted: bool) -> Any:
    """The bytes as imported (export writes them back), or NULL where they are not wanted
    (an import compares checks only: ``plan.written``)."""
    return table.written if wanted else null().label("written")


def _meta(row: dict[str, Any], *, note: bool) -> Meta | None:
    if row["source_id"] is None:
        return None
    note_text = row["dependencies_note"] if note else ""
    return Meta(
        row["github"],
        note_text,
        dict(row["extra"] or {}),
        written=row["written"],
        written_check=row["written_check"],
    )


def _task(values: tuple[Any, ...], labels: dict[int, list[str]]) -> StoredTask:
    # A dict by name from the plain tuple: ten thousand rows read a column at a time by
    # attribute would cost more than the query.
    row = dict(zip(_TASK_NAMES, values, strict=True))
    return StoredTask(
        id=row["id"],
        key=row["key"],
        number=row["number"],
        epic_id=row["epic_id"],
        content={name: row[name] for name in (*TASK_CONTENT, "links")},
        labels=tuple(sorted(labels.get(row["id"], ()))),
        assignee_id=row["assignee_id"],
        times={name: row[name] for name in TIME_FIELDS},
        version=row["version"],
        claim={name: row[name] for name in CLAIM_FIELDS},
        path=row["path"],
        meta=_meta(row, note=True),
    )


def _epic(row: Row[Any]) -> StoredEpic:
    values = dict(row._mapping)
    return StoredEpic(
        id=row.id,
        slug=row.slug,
        content={name: values[name] for name in EPIC_CONTENT},
        times={"created_at": row.created_at, "updated_at": row.updated_at},
        meta=_meta(values, note=False),
    )


async def _pairs(
    session: AsyncSession, query: Any, known: dict[int, StoredTask], *, symmetric: bool = False
) -> dict[int, set[int]]:
    """Pairs of task ids by their first id. Pairs naming a task the snapshot does not hold (one
    created after the task query ran, in an export that holds no lock) are left out."""
    out: dict[int, set[int]] = defaultdict(set)
    for first, second in (await session.execute(query)).tuples():
        if first in known and second in known:
            out[first].add(second)
            if symmetric:
                out[second].add(first)
    return out


async def _labels(session: AsyncSession, project_id: uuid.UUID) -> dict[int, list[str]]:
    query = select(TaskLabel.task_id, TaskLabel.label).where(TaskLabel.project_id == project_id)
    out: dict[int, list[str]] = defaultdict(list)
    for task_id, label in (await session.execute(query)).tuples():
        out[task_id].append(label)
    return out


async def _people(
    session: AsyncSession, project_id: uuid.UUID
) -> tuple[dict[uuid.UUID, str], frozenset[uuid.UUID]]:
    """E-mails of the members and of everyone a task is assigned to; and who the members are."""
    members = select(Membership.user_id).where(Membership.project_id == project_id)
    assignees = select(Task.assignee_id).where(
        Task.project_id == project_id, Task.assignee_id.is_not(None)
    )
    query = select(User.id, User.email).where(User.id.in_(members.union(assignees)))
    emails = dict((await session.execute(query)).tuples().all())
    member_ids = frozenset((await session.execute(members)).scalars())
    return emails, member_ids


async def load_snapshot(
    session: AsyncSession, project_id: uuid.UUID, project_key: str, *, written: bool = False
) -> Snapshot:
    """Consistent under the graph lock (import). Without it (export), tasks are read before
    epics so that every task's epic is there; edges to tasks created since are dropped.
    ``written``: read the files' bytes as imported too (export)."""
    counter = await session.scalar(select(Project.task_counter).where(Project.id == project_id))
    labels = await _labels(session, project_id)
    task_rows = await session.execute(
        select(*_TASK_COLUMNS, _written(TaskSource, written))
        .outerjoin(TaskSource, TaskSource.task_id == Task.id)
        .where(Task.project_id == project_id)
    )
    tasks = {row[0]: _task(row, labels) for row in task_rows.tuples()}
    epic_rows = await session.execute(
        select(*_EPIC_COLUMNS, _written(EpicSource, written))
        .outerjoin(EpicSource, EpicSource.epic_id == Epic.id)
        .where(Epic.project_id == project_id)
    )
    edges = select(TaskEdge.task_id, TaskEdge.depends_on_id).where(
        TaskEdge.project_id == project_id
    )
    conflicts = select(TaskConflict.low_id, TaskConflict.high_id).where(
        TaskConflict.project_id == project_id
    )
    emails, members = await _people(session, project_id)
    return Snapshot(
        project_key=project_key,
        counter=int(counter or 0),
        tasks=tasks,
        epics={row.id: _epic(row) for row in epic_rows},
        deps=await _pairs(session, edges, tasks),
        conflicts=await _pairs(session, conflicts, tasks, symmetric=True),
        emails=emails,
        members=members,
    )


async def list_epics(session: AsyncSession, project_id: uuid.UUID) -> list[Epic]:
    query = select(Epic).where(Epic.project_id == project_id).order_by(Epic.slug)
    return list((await session.execute(query)).scalars())


async def task_sources(
    session: AsyncSession, project_id: uuid.UUID
) -> dict[int, tuple[str | None, Meta]]:
    query = select(
        TaskSource.task_id,
        TaskSource.path,
        TaskSource.github,
        TaskSource.dependencies_note,
        TaskSource.extra,
    ).where(TaskSource.project_id == project_id)
    return {
        task_id: (path, Meta(github, note, dict(extra or {})))
        for task_id, path, github, note, extra in (await session.execute(query)).tuples()
    }


async def epic_sources(session: AsyncSession, project_id: uuid.UUID) -> dict[int, Meta]:
    query = select(EpicSource).where(EpicSource.project_id == project_id)
    return {
        row.epic_id: Meta(row.github, "", dict(row.extra or {}))
        for row in (await session.execute(query)).scalars()
    }


async def task_rows(session: AsyncSession, project_id: uuid.UUID, now: datetime) -> list[Row[Any]]:
    """Every task of the project as `tasks.views.to_view` reads them, by number."""
    query = view_query(store_of(session).tasks.sql).where(Task.project_id == project_id)
    return list((await session.execute(query.order_by(Task.number), {"now": now})).all())


async def epic_files(session: AsyncSession, project_id: uuid.UUID) -> list[Row[Any]]:
    """Every file beside the tasks of the project: ``epic_id, task_id, path, data``, by path."""
    query = (
        select(EpicFile.epic_id, EpicFile.task_id, EpicFile.path, EpicFile.data)
        .where(EpicFile.project_id == project_id)
        .order_by(EpicFile.epic_id, EpicFile.path)
    )
    return list((await session.execute(query)).all())
