"""SQLite's spelling of task reads: lists of keys as JSON text (`json_group_array` over an
ordered derived table), labels read from `task_label`, FTS5 search."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    ScalarSelect,
    Select,
    String,
    bindparam,
    exists,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.orm import QueryableAttribute

from epicflow.stores.base import ViewParts
from epicflow.tasks.models import Task, TaskLabel
from epicflow.tasks.readiness import NOW, held, ready_flag, waiting_on_rows
from epicflow.tasks.views import conflict_keys, dependency_keys


def _json_list(value: Any, order: Any, source: Select[Any]) -> ScalarSelect[Any]:
    """`value` of each row of `source` in `order`, as JSON text."""
    inner = source.with_only_columns(value.label("v")).order_by(order).correlate(Task).subquery()
    return select(func.json_group_array(inner.c.v)).scalar_subquery()


def _waiting_on_json() -> ScalarSelect[Any]:
    """`waiting_on` as JSON text, `[]` for none."""
    rows = waiting_on_rows()
    ordered = select(rows).order_by(rows.c.rank, rows.c.number).subquery()
    entry = func.json_object("key", ordered.c.key, "reason", ordered.c.reason)
    return select(func.json_group_array(entry)).scalar_subquery()


class SqliteTaskSql:
    def any_of(
        self, column: QueryableAttribute[Any], name: str, item: type[Integer | String]
    ) -> ColumnElement[bool]:
        return column.in_(bindparam(name, expanding=True))

    def has_label(self, param: str) -> ColumnElement[bool]:
        label = bindparam(param, type_=String)
        return exists(select(1).where(TaskLabel.task_id == Task.id, TaskLabel.label == label))

    def search(self) -> ColumnElement[bool]:
        return Task.id.in_(
            select(literal_column("rowid"))
            .select_from(text("task_fts"))
            .where(text("task_fts MATCH :f_q").bindparams(bindparam("f_q", type_=String)))
        )

    def search_terms(self, q: str) -> str | None:
        """Every word of `q` as a quoted FTS5 term; None when there is none."""
        terms = [term.replace('"', '""') for term in q.split()]
        return " ".join(f'"{term}"' for term in terms) if terms else None

    def view_parts(self, *, checklists_as_text: bool) -> ViewParts:
        labels = select(TaskLabel.label).where(TaskLabel.task_id == Task.id)
        derived = [
            _json_list(TaskLabel.label, TaskLabel.label, labels),
            _json_list(*dependency_keys(unresolved_only=False)),
            _json_list(*dependency_keys(unresolved_only=True)),
            _json_list(*conflict_keys()),
            ready_flag(NOW),
            _waiting_on_json(),
            held(NOW),
        ]
        return ViewParts([Task.acceptance_criteria, Task.definition_of_done, Task.links], derived)

    def in_page(self, ids: Select[Any]) -> ColumnElement[bool]:
        return Task.id.in_(ids)
