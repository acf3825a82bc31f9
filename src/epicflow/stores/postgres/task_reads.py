"""PostgreSQL's spelling of task reads: arrays for lists of keys (asyncpg decodes them to lists),
the copy of each task's labels kept on its row, `tsvector` search, and page lookups by primary
key."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    ScalarSelect,
    Select,
    String,
    Text,
    any_,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import QueryableAttribute, aliased

from epicflow.stores.base import ViewParts
from epicflow.tasks.models import Task, TaskEdge
from epicflow.tasks.readiness import NOW, held, ready_flag_given, unresolved, waiting_on_rows
from epicflow.tasks.views import conflict_keys

# A copy of the task's labels in order, on its row (migration 5b8e2f4a9c31), written with
# task_label (`refresh_label_copies`, `create_at_once`). Not a mapped column: other engines
# read task_label. Refers to the nearest `task` in scope, so use it only where `Task` is not
# aliased.
LABEL_ARRAY: ColumnElement[Any] = literal_column("task.label_array", ARRAY(String))
# An empty list of keys where array_agg answers NULL (no rows).
NO_KEYS = literal([], ARRAY(String))
ENGLISH: ColumnElement[Any] = literal_column("'english'::regconfig")


def _array(value: Any, order: Any, source: Select[Any]) -> ScalarSelect[Any]:
    """`value` of each row of `source` in `order`, as an array (empty, not NULL, for none)."""
    ordered = func.array_agg(aggregate_order_by(value, order))
    return source.with_only_columns(func.coalesce(ordered, NO_KEYS)).scalar_subquery()


def _edges() -> Any:
    """One pass over a task's dependencies (a LATERAL subquery) answers all three things the
    view needs of them: every key, the unresolved keys, how many are unresolved."""
    dep = aliased(Task, name="dep")
    open_dep = unresolved(dep.status)
    keys = func.array_agg(aggregate_order_by(dep.key, dep.number))
    return (
        select(
            func.coalesce(keys, NO_KEYS).label("depends_on"),
            func.coalesce(keys.filter(open_dep), NO_KEYS).label("blocked_by"),
            func.count().filter(open_dep).label("open_deps"),
        )
        .select_from(TaskEdge)
        .join(dep, dep.id == TaskEdge.depends_on_id)
        .where(TaskEdge.task_id == Task.id)
        .lateral("edges")
    )


def waiting_on_json() -> ScalarSelect[Any]:
    """`waiting_on` as JSON text, `[]` for none (`to_view` parses it)."""
    rows = waiting_on_rows()
    entry = func.json_build_object("key", rows.c.key, "reason", rows.c.reason)
    listed = func.json_agg(aggregate_order_by(entry, rows.c.rank, rows.c.number))
    return select(func.coalesce(cast(listed, Text), "[]")).scalar_subquery()


class PostgresTaskSql:
    def any_of(
        self, column: QueryableAttribute[Any], name: str, item: type[Integer | String]
    ) -> ColumnElement[bool]:
        return column == any_(bindparam(name, type_=ARRAY(item)))

    def has_label(self, param: str) -> ColumnElement[bool]:
        return bindparam(param, type_=String) == any_(LABEL_ARRAY)

    def search(self) -> ColumnElement[bool]:
        document = func.to_tsvector(ENGLISH, Task.title + " " + Task.description)
        query = func.websearch_to_tsquery(ENGLISH, bindparam("f_q", type_=String))
        return document.op("@@")(query)

    def search_terms(self, q: str) -> str | None:
        return q

    def view_parts(self, *, checklists_as_text: bool) -> ViewParts:
        """With `checklists_as_text` the checklists and links come as their stored JSON text, which
        `to_view` passes on as `orjson.Fragment`s: an answer that only goes out as JSON need
        not parse them and write them again."""
        checklists: list[Any] = [Task.acceptance_criteria, Task.definition_of_done, Task.links]
        if checklists_as_text:
            checklists = [cast(column, Text) for column in checklists]
        edges = _edges()
        derived = [
            LABEL_ARRAY,
            edges.c.depends_on,
            edges.c.blocked_by,
            _array(*conflict_keys()),
            ready_flag_given(edges.c.open_deps, NOW),
            waiting_on_json(),
            held(NOW),
        ]
        return ViewParts(checklists, derived, edges)

    def in_page(self, ids: Select[Any]) -> ColumnElement[bool]:
        # `= ANY(ARRAY(…))`: PostgreSQL then looks the page's rows up by primary key. With
        # `IN (…)` a generic plan, which cannot know the LIMIT, hashes the whole table.
        return Task.id == any_(func.array(ids.scalar_subquery()))
