"""PostgreSQL's task writes in one statement each, and its copy of the labels on the task row.

The project's task counter is a row lock that every graph write queues on. Taken by an UPDATE
and followed by separate INSERTs, it stays held across as many round trips, each waiting for
the event loop to come back to this request. Here one statement of data-changing CTEs numbers
the task, inserts it with its edges, conflicts and labels, and records `task.created`; run
before anything else of its unit of work, it commits on its own (`platform.db.fetch_rows`), so
the lock lasts only as long as the statement. Creates of one project still queue on that lock
inside PostgreSQL, where many waiting at once spread latency: a server process sends one
create per project at a time and keeps the others waiting in its event loop (docs/lists.md).

A change of plain fields (title, priority, the texts, the checklists) touches neither the graph
nor another table: one UPDATE, fenced by the versions `If-Match` names, bumps the version and
records `task.updated`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import cache, lru_cache
from typing import Any, cast

from sqlalchemy import (
    ARRAY,
    Insert,
    Integer,
    String,
    Table,
    Text,
    Uuid,
    any_,
    bindparam,
    column,
    func,
    insert,
    literal,
    select,
    table,
    text,
    true,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.events import repository as events
from epicflow.platform.db import fetch_rows
from epicflow.platform.keyed_locks import KeyedLocks
from epicflow.platform.models import UTCDateTime
from epicflow.projects.models import Project
from epicflow.stores.postgres.task_reads import PostgresTaskSql
from epicflow.tasks.models import Task, TaskConflict, TaskEdge, TaskLabel
from epicflow.tasks.writes import OWN_COLUMNS, PLAIN_FIELDS, NewTask

TASK = cast(Table, Task.__table__)
PROJECT = cast(Table, Project.__table__)
EDGE = cast(Table, TaskEdge.__table__)
CONFLICT = cast(Table, TaskConflict.__table__)
LABEL = cast(Table, TaskLabel.__table__)
# `task` with its copy of the labels (`task_reads.LABEL_ARRAY`).
TASK_WITH_LABELS = table(
    "task", *(column(c.name, c.type) for c in TASK.c), column("label_array", ARRAY(String()))
)


def _params(task: NewTask, *, actor: str, now: datetime) -> dict[str, object]:
    return {
        **{f"in_{name}": value for name, value in task.columns().items()},
        "in_project": task.project_id,
        "in_prefix": f"{task.project_key}-",
        "in_now": now,
        "in_deps": sorted(set(task.depends_on)),
        "in_conflicts": sorted(set(task.conflicts_with)),
        "in_labels": sorted(set(task.labels)),
        "in_actor": actor,
        "in_data": {"title": task.title, "status": task.status},
    }


def _param(name: str, type_: Any) -> Any:
    return bindparam(name, type_=type_)


def each(name: str, item: Any) -> Any:
    """The values of the array parameter `:name`, as a table with the column `value`."""
    return func.unnest(_param(name, ARRAY(item))).table_valued("value").render_derived(name)


@cache
def _create_recorded() -> Insert:
    project = _param("in_project", Uuid())
    now = _param("in_now", UTCDateTime())
    numbered = (
        update(PROJECT)
        .where(PROJECT.c.id == project)
        .values(task_counter=PROJECT.c.task_counter + 1, graph_stale=true())
        .returning(PROJECT.c.task_counter)
        .cte("numbered")
    )
    number = numbered.c.task_counter
    labels = each("in_labels", String())
    columns: dict[str, Any] = {
        "project_id": project,
        "number": number,
        "key": _param("in_prefix", String()).concat(func.cast(number, Text)),
        **{name: _param(f"in_{name}", TASK.c[name].type) for name in OWN_COLUMNS},
        "downstream_hours": literal(0.0),
        "unresolved_deps": literal(0),  # counted when the next claim refreshes the order
        "version": literal(1),
        "created_at": now,
        "updated_at": now,
        # The PostgreSQL copy of the labels (`task_reads.LABEL_ARRAY`), in the view's order.
        "label_array": func.array(
            select(labels.c.value).order_by(labels.c.value).scalar_subquery()
        ),
    }
    created = (
        insert(TASK_WITH_LABELS)
        .from_select(list(columns), select(*columns.values()).select_from(numbered))
        .returning(TASK_WITH_LABELS.c.id, TASK_WITH_LABELS.c.key)
        .cte("created")
    )

    deps = each("in_deps", Integer())
    conflicts = each("in_conflicts", Integer())
    edges = insert(EDGE).from_select(
        ["task_id", "depends_on_id", "project_id"],
        select(created.c.id, deps.c.value, project).select_from(created).join(deps, true()),
    )
    pairs = insert(CONFLICT).from_select(
        ["low_id", "high_id", "project_id"],
        select(
            func.least(created.c.id, conflicts.c.value),
            func.greatest(created.c.id, conflicts.c.value),
            project,
        )
        .select_from(created)
        .join(conflicts, true()),
    )
    tags = insert(LABEL).from_select(
        ["task_id", "label", "project_id"],
        select(created.c.id, labels.c.value, project).select_from(created).join(labels, true()),
    )
    recorded = events.record_each(project, created.c.key, "task.created", now=now)
    return recorded.add_cte(
        numbered, created, edges.cte("edges"), pairs.cte("pairs"), tags.cte("tags")
    ).returning(select(created.c.id).scalar_subquery())


@lru_cache(maxsize=256)
def _edit_recorded(fields: tuple[str, ...], fenced: bool) -> Insert:
    now = bindparam("in_now", type_=UTCDateTime())
    project = bindparam("in_project", type_=Uuid())
    conditions = [TASK.c.project_id == project, TASK.c.key == bindparam("in_key", type_=String())]
    if fenced:
        conditions.append(TASK.c.version == any_(bindparam("in_versions", type_=ARRAY(Integer))))
    values: dict[str, Any] = {
        name: bindparam(f"in_{name}", type_=PLAIN_FIELDS[name]) for name in fields
    }
    changed = (
        update(TASK)
        .where(*conditions)
        .values(**values, version=TASK.c.version + 1, updated_at=now)
        .returning(TASK.c.id, TASK.c.key)
        .cte("changed")
    )
    recorded = events.record_each(project, changed.c.key, "task.updated", now=now)
    return recorded.add_cte(changed).returning(select(changed.c.id).scalar_subquery())


async def _edit_recorded_run(
    session: AsyncSession,
    project_id: uuid.UUID,
    key: str,
    changes: dict[str, Any],
    versions: list[int] | None,
    *,
    actor: str,
    now: datetime,
) -> int | None:
    """Apply `changes` (plain fields only) to the task `key` if its version is one of
    `versions` (any when None), with its `task.updated` event; the task's id, or None when no
    task matched."""
    fields = tuple(sorted(changes))
    params: dict[str, Any] = {f"in_{name}": changes[name] for name in fields}
    params.update(
        in_project=project_id,
        in_key=key,
        in_versions=versions,
        in_now=now,
        in_actor=actor,
        in_data={"fields": list(fields)},
    )
    rows = await fetch_rows(session, _edit_recorded(fields, versions is not None), params)
    return int(rows[0][0]) if rows else None


# Every write to task_label is followed by this, in its transaction: the copy on the row keeps
# the order a view shows.
_REFRESH_LABEL_ARRAYS = text(
    "UPDATE task SET label_array = ARRAY("
    "SELECT l.label FROM task_label l WHERE l.task_id = task.id ORDER BY l.label"
    ") WHERE task.id = ANY(:ids)"
)


class PostgresTaskStore:
    sql = PostgresTaskSql()
    writes_at_once = True

    def __init__(self) -> None:
        self._creating: KeyedLocks[uuid.UUID] = KeyedLocks()

    async def create_at_once(
        self, session: AsyncSession, task: NewTask, *, actor: str, now: datetime
    ) -> int:
        """Insert `task`, its links and its `task.created` event; the new task's id."""
        async with self._creating.hold(task.project_id):
            rows = await fetch_rows(
                session, _create_recorded(), _params(task, actor=actor, now=now)
            )
        return int(rows[0][0])

    async def edit_at_once(
        self,
        session: AsyncSession,
        project_id: uuid.UUID,
        key: str,
        changes: dict[str, Any],
        versions: list[int] | None,
        *,
        actor: str,
        now: datetime,
    ) -> int | None:
        """Apply `changes` (plain fields only) to the task `key` if its version is one of
        `versions` (any when None), with its `task.updated` event; the task's id, or None when
        no task matched."""
        return await _edit_recorded_run(
            session, project_id, key, changes, versions, actor=actor, now=now
        )

    async def refresh_label_copies(self, session: AsyncSession, task_ids: Sequence[int]) -> None:
        if task_ids:
            await session.execute(_REFRESH_LABEL_ARRAYS, {"ids": list(task_ids)})
