"""The task list query: filters, the sort allow-list and keyset cursors."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    false,
    func,
    literal_column,
    not_,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.orm import aliased

from epicflow.epics.models import Epic
from epicflow.platform.errors import Invalid
from epicflow.platform.pagination import cursor_datetime, decode_cursor, encode_cursor
from epicflow.tasks.models import Task, TaskConflict, TaskEdge, TaskLabel
from epicflow.tasks.sql import unresolved

SORTS = {
    "priority": Task.priority,
    "created_at": Task.created_at,
    "updated_at": Task.updated_at,
    "key": Task.number,
}


@dataclass
class TaskFilters:
    status: list[str] = field(default_factory=list)
    epic: str | None = None
    labels: list[str] = field(default_factory=list)
    assignee: uuid.UUID | None = None
    unassigned: bool = False
    ready: bool | None = None
    blocked: bool | None = None
    claimed_by: str | None = None
    q: str | None = None
    updated_since: datetime | None = None


@dataclass(frozen=True)
class Sort:
    name: str
    descending: bool

    @classmethod
    def parse(cls, value: str) -> Sort:
        name = value.removeprefix("-")
        if name not in SORTS:
            raise Invalid(
                f"Unknown sort {value!r}; use one of {', '.join(sorted(SORTS))}, "
                "optionally prefixed with '-'.",
                code="invalid_sort",
                field="sort",
            )
        return cls(name, value.startswith("-"))

    @property
    def spec(self) -> str:
        return ("-" if self.descending else "") + self.name


def _unresolved_edges() -> Select[Any]:
    """The task's edges to dependencies not yet done or cancelled (correlated to `Task`)."""
    dep = aliased(Task)
    return (
        select(1)
        .select_from(TaskEdge)
        .join(dep, dep.id == TaskEdge.depends_on_id)
        .where(TaskEdge.task_id == Task.id, unresolved(dep.status))
    )


def _unresolved_dependency() -> ColumnElement[bool]:
    return exists(_unresolved_edges())


def _conflict_running() -> ColumnElement[bool]:
    other = aliased(Task)
    pair = or_(
        and_(TaskConflict.low_id == Task.id, other.id == TaskConflict.high_id),
        and_(TaskConflict.high_id == Task.id, other.id == TaskConflict.low_id),
    )
    return exists(
        select(1).select_from(TaskConflict).join(other, pair).where(other.status == "in_progress")
    )


def _exclusive_clash() -> ColumnElement[bool]:
    other = aliased(Task)
    return exists(
        select(1).where(
            other.epic_id == Task.epic_id,
            other.id != Task.id,
            other.status == "in_progress",
            or_(Task.parallel == false(), other.parallel == false()),
        )
    )


# Built once: constructing these correlated subqueries (aliases and all) costs milliseconds,
# and the claim path asks for them on every claim.
UNRESOLVED_DEPENDENCY = _unresolved_dependency()
_FREE_TO_START = and_(
    Task.status == "open",
    not_(UNRESOLVED_DEPENDENCY),
    not_(_conflict_running()),
    not_(_exclusive_clash()),
)


def unresolved_dependency() -> ColumnElement[bool]:
    return UNRESOLVED_DEPENDENCY


def _unclaimed(now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    return or_(
        Task.claimed_by.is_(None), Task.lease_expires_at.is_(None), Task.lease_expires_at <= now
    )


def ready_condition(now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    """SPEC rule 5 in SQL, for filtering and paging; `graph.Graph.is_ready` is the same rule for
    a single task, and the tests hold the two to agree."""
    return and_(_FREE_TO_START, _unclaimed(now))


def _unresolved_count() -> ColumnElement[int]:
    return _unresolved_edges().with_only_columns(func.count()).scalar_subquery()


# The dependency test as a per-row count: in a select list PostgreSQL may answer a NOT EXISTS
# by hashing every edge of the project, which costs a whole page of tasks many times over.
_FREE_TO_START_PER_ROW = and_(
    Task.status == "open",
    _unresolved_count() == 0,
    not_(_conflict_running()),
    not_(_exclusive_clash()),
)


def ready_flag(now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    """`ready_condition` as a column of a page of tasks, checked row by row."""
    return and_(_FREE_TO_START_PER_ROW, _unclaimed(now))


def _search(dialect: str, q: str) -> ColumnElement[bool]:
    if dialect == "postgresql":
        document = func.to_tsvector(
            literal_column("'english'::regconfig"), Task.title + " " + Task.description
        )
        query = func.websearch_to_tsquery(literal_column("'english'::regconfig"), q)
        return document.op("@@")(query)
    terms = [term.replace('"', '""') for term in q.split()]
    if not terms:
        return true()
    match = " ".join(f'"{term}"' for term in terms)
    return Task.id.in_(
        select(literal_column("rowid"))
        .select_from(text("task_fts"))
        .where(text("task_fts MATCH :match").bindparams(match=match))
    )


def _field_conditions(filters: TaskFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.status:
        conditions.append(Task.status.in_(filters.status))
    if filters.epic is not None:
        epic = aliased(Epic)  # the outer query may join Epic itself
        epic_ids = select(epic.id).where(
            epic.project_id == Task.project_id, epic.slug == filters.epic
        )
        conditions.append(Task.epic_id.in_(epic_ids))
    conditions.extend(
        exists(select(1).where(TaskLabel.task_id == Task.id, TaskLabel.label == label))
        for label in filters.labels
    )
    if filters.unassigned:
        conditions.append(Task.assignee_id.is_(None))
    elif filters.assignee is not None:
        conditions.append(Task.assignee_id == filters.assignee)
    if filters.claimed_by is not None:
        conditions.append(Task.claimed_by == filters.claimed_by)
    if filters.updated_since is not None:
        conditions.append(Task.updated_at >= filters.updated_since)
    return conditions


def _graph_conditions(filters: TaskFilters, now: datetime) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.ready is not None:
        ready = ready_condition(now)
        conditions.append(ready if filters.ready else not_(ready))
    if filters.blocked is not None:
        blocked = and_(unresolved(Task.status), unresolved_dependency())
        conditions.append(blocked if filters.blocked else not_(blocked))
    return conditions


def _filter(query: Select[Any], filters: TaskFilters, dialect: str, now: datetime) -> Select[Any]:
    conditions = _field_conditions(filters) + _graph_conditions(filters, now)
    if filters.q:
        conditions.append(_search(dialect, filters.q))
    return query.where(*conditions)


def _after(sort: Sort, cursor: str) -> tuple[Any, int]:
    spec, value, number = decode_cursor(cursor, arity=3)
    if spec != sort.spec or not isinstance(number, int):
        raise Invalid("The cursor belongs to another sort.", code="invalid_cursor", field="cursor")
    if sort.name in {"created_at", "updated_at"}:
        return cursor_datetime(value), number
    if not isinstance(value, int):
        raise Invalid("cursor is malformed", code="invalid_cursor", field="cursor")
    return value, number


def list_query(
    base: Select[Any],
    project_id: uuid.UUID,
    filters: TaskFilters,
    sort: Sort,
    cursor: str | None,
    limit: int,
    *,
    dialect: str,
    now: datetime,
) -> Select[Any]:
    column = SORTS[sort.name]
    query = _filter(base.where(Task.project_id == project_id), filters, dialect, now)
    if cursor is not None:
        value, number = _after(sort, cursor)
        if sort.descending:
            query = query.where(or_(column < value, and_(column == value, Task.number < number)))
        else:
            query = query.where(or_(column > value, and_(column == value, Task.number > number)))
    if sort.descending:
        return query.order_by(column.desc(), Task.number.desc()).limit(limit)
    return query.order_by(column, Task.number).limit(limit)


def next_cursor(sort: Sort, view: dict[str, Any]) -> str:
    """The cursor after `view`, the last task view of a page."""
    number = int(view["key"].rsplit("-", 1)[1])
    value = number if sort.name == "key" else view[sort.name]
    if isinstance(value, datetime):
        value = value.isoformat()
    return encode_cursor([sort.spec, value, number])
