"""SQL expressions shared by task queries (and the epic statistics)."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    String,
    and_,
    any_,
    bindparam,
    case,
    exists,
    func,
    literal_column,
    select,
)
from sqlalchemy.orm import QueryableAttribute

from epicflow.platform.models import UTCDateTime
from epicflow.tasks.models import Task, TaskLabel

RESOLVED = ("done", "cancelled")
# The moment a read is made: leases are live until then.
NOW = bindparam("now", type_=UTCDateTime)
# PostgreSQL only: a copy of the task's labels in order, on its row (migration 5b8e2f4a9c31),
# written with task_label (`tasks.repository.refresh_label_arrays`, `tasks.insert`). Not a
# mapped column: SQLite reads task_label. Refers to the nearest `task` in scope, so use it
# only where `Task` is not aliased.
LABEL_ARRAY: ColumnElement[Any] = literal_column("task.label_array", ARRAY(String))


def has_label(dialect: str, param: str) -> ColumnElement[bool]:
    """The task (`Task`, not aliased) carries the label `:param`."""
    label = bindparam(param, type_=String)
    if dialect == "postgresql":
        return label == any_(LABEL_ARRAY)
    return exists(select(1).where(TaskLabel.task_id == Task.id, TaskLabel.label == label))


def any_of(
    dialect: str, column: QueryableAttribute[Any], name: str, item: type[Integer | String]
) -> ColumnElement[bool]:
    """`column IN (:name)` whose statement never changes with the number of values: a
    PostgreSQL array parameter, an expanding parameter on SQLite."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(item)))
    return column.in_(bindparam(name, expanding=True))


def unresolved(status: ColumnElement[str] | QueryableAttribute[str]) -> ColumnElement[bool]:
    """`status NOT IN RESOLVED` with plain parameters: an expanding IN is re-rendered on every
    execution, and this condition sits in every hot read."""
    return and_(*(status != value for value in RESOLVED))


def effective_hours() -> ColumnElement[float]:
    """The same rule as `graph.effective_hours`: hours, else the size's hours, else 0."""
    by_size = case(
        (Task.estimate_size == "XS", 2.0),
        (Task.estimate_size == "S", 4.0),
        (Task.estimate_size == "M", 8.0),
        (Task.estimate_size == "L", 16.0),
        (Task.estimate_size == "XL", 24.0),
        else_=0.0,
    )
    hours = cast(ColumnElement[float], Task.estimate_hours)
    return func.coalesce(hours, by_size)
