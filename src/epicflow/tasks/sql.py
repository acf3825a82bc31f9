"""SQL expressions shared by task queries (and the epic statistics)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    String,
    any_,
    bindparam,
    exists,
    literal_column,
    select,
)
from sqlalchemy.orm import QueryableAttribute

from epicflow.tasks.models import Task, TaskLabel

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
