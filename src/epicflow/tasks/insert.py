"""Creating a task in one statement (PostgreSQL).

The project's task counter is a row lock that every graph write queues on. Taken by an UPDATE
and followed by separate INSERTs, it stays held across as many round trips, each waiting for
the event loop to come back to this request. Here one statement of data-changing CTEs numbers
the task, inserts it with its edges, conflicts and labels, and records `task.created`; the lock
then lasts until the COMMIT that follows, or only as long as the statement when it runs on its
own (`platform.db.statements_alone`).

That still includes the commit's WAL flush, so creates of one project are serial on it. With
many creates of a project queued on that row lock inside PostgreSQL, throughput fell and
latency spread (64 connections: 225-257 creates/s, p99 1.2-1.5 s). A server process therefore
sends one create per project at a time (`tasks.service._CREATING`) and keeps the others waiting
in its event loop: 313-336 creates/s, p99 0.27-0.38 s, measured back to back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    ARRAY,
    Insert,
    Integer,
    String,
    Table,
    Text,
    Uuid,
    bindparam,
    column,
    func,
    insert,
    literal,
    select,
    table,
    true,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.events import service as events
from epicflow.platform.db import fetch_rows
from epicflow.platform.models import UTCDateTime
from epicflow.projects.models import Project
from epicflow.tasks.models import TASK_CONTENT, Task, TaskConflict, TaskEdge, TaskLabel

TASK = cast(Table, Task.__table__)
PROJECT = cast(Table, Project.__table__)
EDGE = cast(Table, TaskEdge.__table__)
CONFLICT = cast(Table, TaskConflict.__table__)
LABEL = cast(Table, TaskLabel.__table__)
# `task` with its PostgreSQL-only copy of the labels (see `tasks.sql.LABEL_ARRAY`).
TASK_WITH_LABELS = table(
    "task", *(column(c.name, c.type) for c in TASK.c), column("label_array", ARRAY(String()))
)


# What a new task takes from its request, named as its columns.
OWN_COLUMNS = ("epic_id", "assignee_id", *TASK_CONTENT)


@dataclass(frozen=True, slots=True)
class NewTask:
    """A task that needs no start rule checked: its status is neither in_progress nor done."""

    project_id: uuid.UUID
    project_key: str
    epic_id: int | None
    title: str
    status: str
    priority: int
    assignee_id: uuid.UUID | None
    description: str
    tdd_requirements: str
    technical_details: str
    acceptance_criteria: list[dict[str, Any]]
    definition_of_done: list[dict[str, Any]]
    estimate_size: str | None
    estimate_hours: float | None
    parallel: bool
    depends_on: list[int] = field(default_factory=list)
    conflicts_with: list[int] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    def columns(self) -> dict[str, object]:
        """The task's own columns, by name (`OWN_COLUMNS`)."""
        return {name: getattr(self, name) for name in OWN_COLUMNS}

    def params(self, *, actor: str, now: datetime) -> dict[str, object]:
        return {
            **{f"in_{name}": value for name, value in self.columns().items()},
            "in_project": self.project_id,
            "in_prefix": f"{self.project_key}-",
            "in_now": now,
            "in_deps": sorted(set(self.depends_on)),
            "in_conflicts": sorted(set(self.conflicts_with)),
            "in_labels": sorted(set(self.labels)),
            "in_actor": actor,
            "in_data": {"title": self.title, "status": self.status},
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
        # The PostgreSQL copy of the labels (`tasks.sql.LABEL_ARRAY`), in the view's order.
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


async def create_recorded(
    session: AsyncSession, task: NewTask, *, actor: str, now: datetime
) -> int:
    """Insert `task`, its links and its `task.created` event; the new task's id."""
    params = task.params(actor=actor, now=now)
    return int((await fetch_rows(session, _create_recorded(), params))[0][0])
