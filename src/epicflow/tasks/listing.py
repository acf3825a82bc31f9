"""The task list query: filters, the sort allow-list and keyset cursors."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    Uuid,
    and_,
    bindparam,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from epicflow.epics.tables import Epic
from epicflow.platform.errors import Invalid
from epicflow.platform.models import UTCDateTime
from epicflow.platform.pagination import (
    cursor_datetime,
    cursor_int,
    decode_cursor,
    encode_cursor,
)
from epicflow.projects.access import allowed_project_id
from epicflow.projects.rules import Role
from epicflow.projects.service import roles_at_least
from epicflow.stores.base import TaskSql
from epicflow.tasks.models import Task
from epicflow.tasks.readiness import NOW, UNRESOLVED_DEPENDENCY, ready_condition, unresolved

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


@dataclass(frozen=True, slots=True)
class Shape:
    """Which filters a list request uses, and how it pages: what its statement looks like.
    The values go in as parameters, so a statement is built once per shape."""

    status: str  # "" (no filter), "one" or "any"
    epic: bool
    labels: int
    assignee: bool
    unassigned: bool
    ready: bool | None
    blocked: bool | None
    claimed_by: bool
    q: bool
    updated_since: bool
    sort: Sort
    after: bool


def _field_conditions(sql: TaskSql, shape: Shape) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if shape.status == "one":  # an equality lets an index on (status, sort column) order it
        conditions.append(Task.status == bindparam("f_status", type_=String))
    elif shape.status == "any":
        conditions.append(sql.any_of(Task.status, "f_status", String))
    if shape.epic:
        epic = aliased(Epic)  # the outer query may join Epic itself
        epic_ids = select(epic.id).where(
            epic.project_id == Task.project_id, epic.slug == bindparam("f_epic", type_=String)
        )
        conditions.append(Task.epic_id.in_(epic_ids))
    conditions.extend(sql.has_label(f"f_label_{index}") for index in range(shape.labels))
    if shape.unassigned:
        conditions.append(Task.assignee_id.is_(None))
    elif shape.assignee:
        conditions.append(Task.assignee_id == bindparam("f_assignee", type_=Uuid))
    if shape.claimed_by:
        conditions.append(Task.claimed_by == bindparam("f_claimed_by", type_=String))
    if shape.updated_since:
        conditions.append(Task.updated_at >= bindparam("f_updated_since", type_=UTCDateTime))
    if shape.q:
        conditions.append(sql.search())
    return conditions


def _graph_conditions(shape: Shape) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if shape.ready is not None:
        ready = ready_condition(NOW)
        conditions.append(ready if shape.ready else not_(ready))
    if shape.blocked is not None:
        blocked = and_(unresolved(Task.status), UNRESOLVED_DEPENDENCY)
        conditions.append(blocked if shape.blocked else not_(blocked))
    return conditions


def _keyset(shape: Shape) -> ColumnElement[bool]:
    """After the cursor's row: (sort value, number) beyond (:c_value, :c_number)."""
    sort = shape.sort
    number = bindparam("c_number", type_=Integer)
    if sort.name == "key":
        return Task.number < number if sort.descending else Task.number > number
    column = SORTS[sort.name]
    value_type: Any = UTCDateTime() if sort.name in {"created_at", "updated_at"} else Integer()
    value: Any = bindparam("c_value", type_=value_type)
    if sort.descending:
        return or_(column < value, and_(column == value, Task.number < number))
    return or_(column > value, and_(column == value, Task.number > number))


def ordering(sort: Sort) -> list[Any]:
    columns: list[Any] = [Task.number] if sort.name == "key" else [SORTS[sort.name], Task.number]
    return [column.desc() if sort.descending else column for column in columns]


# Who may read a project's tasks: a viewer or more, and a superuser.
_READERS = tuple(roles_at_least(Role.viewer))


@lru_cache(maxsize=1024)
def page_ids(sql: TaskSql, shape: Shape) -> Select[Any]:
    """The ids of one page of the tasks of the project `:key`, `:limit` of them, in order; none
    when the user `:user_id` may not read that project (the access check of
    `projects.service.access_from`, in the statement: a page costs no statement of its own for
    it)."""
    query = select(Task.id).where(
        Task.project_id == allowed_project_id(_READERS),
        *_field_conditions(sql, shape),
        *_graph_conditions(shape),
    )
    if shape.after:
        query = query.where(_keyset(shape))
    return query.order_by(*ordering(shape.sort)).limit(bindparam("limit", type_=Integer))


def _after(sort: Sort, cursor: str) -> tuple[Any, int]:
    spec, value, number = decode_cursor(cursor, arity=3)
    if spec != sort.spec:
        raise Invalid("The cursor belongs to another sort.", code="invalid_cursor", field="cursor")
    if sort.name in {"created_at", "updated_at"}:
        return cursor_datetime(value), cursor_int(number)
    return cursor_int(value), cursor_int(number)


@dataclass(frozen=True, slots=True)
class PageQuery:
    """One list request: its statement's shape and the parameters to run it with."""

    shape: Shape
    params: dict[str, Any]


def page_query(
    filters: TaskFilters,
    sort: Sort,
    cursor: str | None,
    limit: int,
    *,
    key: str,
    user_id: uuid.UUID,
    sql: TaskSql,
    now: datetime,
) -> PageQuery:
    """The page of the project `key` as the user `user_id` may read it (`page_ids`)."""
    params: dict[str, Any] = {"key": key, "user_id": user_id, "limit": limit, "now": now}
    match = sql.search_terms(filters.q) if filters.q else None
    if filters.status:
        statuses = sorted(set(filters.status))
        params["f_status"] = statuses[0] if len(statuses) == 1 else statuses
    params.update({f"f_label_{index}": label for index, label in enumerate(filters.labels)})
    optional = {
        "f_epic": filters.epic,
        "f_assignee": None if filters.unassigned else filters.assignee,
        "f_claimed_by": filters.claimed_by,
        "f_q": match or None,
        "f_updated_since": filters.updated_since,
    }
    params.update({name: value for name, value in optional.items() if value is not None})
    if cursor is not None:
        value, params["c_number"] = _after(sort, cursor)
        if sort.name != "key":
            params["c_value"] = value
    shape = Shape(
        status={0: "", 1: "one"}.get(len(set(filters.status)), "any"),
        epic="f_epic" in params,
        labels=len(filters.labels),
        assignee="f_assignee" in params,
        unassigned=filters.unassigned,
        ready=filters.ready,
        blocked=filters.blocked,
        claimed_by="f_claimed_by" in params,
        q="f_q" in params,
        updated_since="f_updated_since" in params,
        sort=sort,
        after=cursor is not None,
    )
    return PageQuery(shape, params)


def next_cursor(sort: Sort, view: dict[str, Any]) -> str:
    """The cursor after `view`, the last task view of a page."""
    number = int(view["key"].rsplit("-", 1)[1])
    value = number if sort.name == "key" else view[sort.name]
    if isinstance(value, datetime):
        value = value.isoformat()
    return encode_cursor([sort.spec, value, number])
