"""The read side of tasks: one SQL statement returns each task with its edges, labels and derived
readiness, so a page of any size costs one query and no graph building in Python.

The statement is built once per dialect. Lists of keys are aggregated in SQL in key-number
order (PostgreSQL arrays, `array_agg … ORDER BY`, the dependencies in one LATERAL pass; SQLite
JSON text, `json_group_array` over an ordered derived table), `ready` is SPEC rule 5 in SQL
(`listing.ready_flag`, held equal to `graph.Graph.is_ready` by the tests) and `blocked_by` the
unresolved dependencies. Execute with `{"now": …}`: leases are live until then.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

import orjson
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
    select,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute, aliased

from epicflow.epics.models import Epic
from epicflow.platform.db import dialect_of, fetch_rows
from epicflow.tasks.listing import PageQuery, Shape, ordering, page_ids
from epicflow.tasks.models import Task, TaskConflict, TaskEdge, TaskLabel
from epicflow.tasks.readiness import NOW, ready_flag, ready_flag_given, unresolved
from epicflow.tasks.sql import LABEL_ARRAY, any_of

# An empty list of keys where PostgreSQL's array_agg answers NULL (no rows).
NO_KEYS = literal([], ARRAY(String))


def _json_list(
    dialect: str,
    value: QueryableAttribute[Any],
    order: QueryableAttribute[Any],
    source: Select[Any],
) -> ScalarSelect[Any]:
    """A correlated scalar subquery: `value` of each row of `source`, in `order`; a PostgreSQL
    array (asyncpg decodes it to a list), JSON text on SQLite."""
    if dialect == "postgresql":
        ordered = func.array_agg(aggregate_order_by(value, order))
        return source.with_only_columns(func.coalesce(ordered, NO_KEYS)).scalar_subquery()
    inner = source.with_only_columns(value.label("v")).order_by(order).correlate(Task).subquery()
    return select(func.json_group_array(inner.c.v)).scalar_subquery()


def _dependencies(dialect: str, *, unresolved_only: bool) -> ScalarSelect[Any]:
    dep = aliased(Task, name="dep")
    source = (
        select(dep.key)
        .select_from(TaskEdge)
        .join(dep, dep.id == TaskEdge.depends_on_id)
        .where(TaskEdge.task_id == Task.id)
    )
    if unresolved_only:
        source = source.where(unresolved(dep.status))
    return _json_list(dialect, dep.key, dep.number, source)


def _conflicts(dialect: str) -> ScalarSelect[Any]:
    other = aliased(Task, name="partner")
    partners = union_all(
        select(TaskConflict.high_id).where(TaskConflict.low_id == Task.id).correlate(Task),
        select(TaskConflict.low_id).where(TaskConflict.high_id == Task.id).correlate(Task),
    )
    source = select(other.key).where(other.id.in_(partners))
    return _json_list(dialect, other.key, other.number, source)


def _labels(dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return LABEL_ARRAY
    source = select(TaskLabel.label).where(TaskLabel.task_id == Task.id)
    return _json_list(dialect, TaskLabel.label, TaskLabel.label, source)


@cache
def view_query(dialect: str, *, checklists_as_text: bool = False) -> Select[Any]:
    """What a Task view shows, in the order `to_view` unpacks it: the task's columns, the
    epic's slug, the derived lists and the ready flag. Add WHERE, ORDER BY and LIMIT.

    With `checklists_as_text` PostgreSQL answers the two checklists as their stored JSON
    text, which `to_view` passes on as `orjson.Fragment`s: an answer that only goes out as
    JSON need not parse them and write them again. Such views are for orjson only."""
    checklists: list[Any] = [Task.acceptance_criteria, Task.definition_of_done]
    if checklists_as_text and dialect == "postgresql":
        checklists = [cast(column, Text) for column in checklists]
    if dialect == "postgresql":
        edges = _edges_pg()
        derived: list[Any] = [
            _labels(dialect),
            edges.c.depends_on,
            edges.c.blocked_by,
            _conflicts(dialect),
            ready_flag_given(edges.c.open_deps, NOW),
        ]
    else:
        derived = [
            _labels(dialect),
            _dependencies(dialect, unresolved_only=False),
            _dependencies(dialect, unresolved_only=True),
            _conflicts(dialect),
            ready_flag(NOW),
        ]
    query = select(
        Task.id,
        Task.key,
        Epic.slug,
        Task.title,
        Task.status,
        Task.priority,
        Task.assignee_id,
        Task.description,
        Task.tdd_requirements,
        Task.technical_details,
        *checklists,
        Task.estimate_size,
        Task.estimate_hours,
        Task.parallel,
        Task.claimed_by,
        Task.lease_expires_at,
        Task.version,
        Task.created_at,
        Task.updated_at,
        Task.started_at,
        Task.completed_at,
        *derived,
    ).outerjoin(Epic, Epic.id == Task.epic_id)
    if dialect == "postgresql":
        query = query.join(edges, true())
    return query


def _edges_pg() -> Any:
    """PostgreSQL: one pass over a task's dependencies (a LATERAL subquery) answers all three
    things the view needs of them: every key, the unresolved keys, how many are unresolved."""
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


def _listed(value: list[str] | str) -> list[str]:
    if isinstance(value, list):
        return value
    listed: list[str] = orjson.loads(value)
    return listed


def _checklist(value: list[dict[str, Any]] | str) -> list[dict[str, Any]] | orjson.Fragment:
    return orjson.Fragment(value) if isinstance(value, str) else value


# The columns of `epicflow_task_view` (PostgreSQL), the same as `view_query`'s.
VIEW_FUNCTION_COLUMNS = (
    "id", "key", "slug", "title", "status", "priority", "assignee_id", "description",
    "tdd_requirements", "technical_details", "acceptance_criteria", "definition_of_done",
    "estimate_size", "estimate_hours", "parallel", "claimed_by", "lease_expires_at", "version",
    "created_at", "updated_at", "started_at", "completed_at", "labels", "depends_on",
    "blocked_by", "conflicts_with", "ready",
)  # fmt: skip


def to_view(row: Sequence[Any], project_key: str) -> dict[str, Any]:
    """The Task shape of one row of `view_query`, unpacked by position (a Row's attribute
    lookup costs about a microsecond, and a page reads some 1,500 of them)."""
    (
        _id,
        key,
        epic,
        title,
        status,
        priority,
        assignee,
        description,
        tdd_requirements,
        technical_details,
        acceptance_criteria,
        definition_of_done,
        size,
        hours,
        parallel,
        claimed_by,
        lease_expires_at,
        version,
        created_at,
        updated_at,
        started_at,
        completed_at,
        labels,
        depends_on,
        blocked_by,
        conflicts_with,
        ready,
    ) = row
    return {
        "key": key,
        "project": project_key,
        "epic": epic,
        "title": title,
        "status": status,
        "priority": priority,
        "labels": _listed(labels),
        "assignee": None if assignee is None else str(assignee),
        "description": description,
        "tdd_requirements": tdd_requirements,
        "technical_details": technical_details,
        "acceptance_criteria": _checklist(acceptance_criteria),
        "definition_of_done": _checklist(definition_of_done),
        "estimate": {"size": size, "hours": hours},
        "parallel": parallel,
        "depends_on": _listed(depends_on),
        "conflicts_with": _listed(conflicts_with),
        "claimed_by": claimed_by,
        "lease_expires_at": lease_expires_at,
        "version": version,
        "ready": bool(ready),
        "blocked_by": _listed(blocked_by),
        "created_at": created_at,
        "updated_at": updated_at,
        "started_at": started_at,
        "completed_at": completed_at,
    }


# Whole statements built once: SQLAlchemy derives a statement's cache key on its first
# execution, which for these (a dozen correlated subqueries) costs more than a millisecond.
@cache
def _views_by_id(dialect: str) -> Select[Any]:
    return view_query(dialect, checklists_as_text=True).where(
        any_of(dialect, Task.id, "ids", Integer)
    )


def views_by_id_statement(dialect: str = "postgresql") -> Select[Any]:
    """The statement `views_by_id` runs (parameters `ids` and `now`)."""
    return _views_by_id(dialect)


@cache
def _views_by_key(dialect: str) -> Select[Any]:
    keys = any_of(dialect, Task.key, "keys", String)
    project = Task.project_id == bindparam("project_id")
    return view_query(dialect, checklists_as_text=True).where(project, keys)


@lru_cache(maxsize=1024)
def _page(shape: Shape) -> Select[Any]:
    ids = page_ids(shape).correlate(None)
    if shape.dialect == "postgresql":
        # `= ANY(ARRAY(…))`: PostgreSQL then looks the page's rows up by primary key. With
        # `IN (…)` a generic plan, which cannot know the LIMIT, hashes the whole table.
        in_page = Task.id == any_(func.array(ids.scalar_subquery()))
    else:
        in_page = Task.id.in_(ids)
    statement = view_query(shape.dialect, checklists_as_text=True).where(in_page)
    return statement.order_by(*ordering(shape.sort))


async def page_views(
    session: AsyncSession, page: PageQuery, project_key: str
) -> list[dict[str, Any]]:
    """One page of a task list, in its order: one statement, built once per shape."""
    rows = await fetch_rows(session, _page(page.shape), page.params)
    return [to_view(row, project_key) for row in rows]


async def views_by_id(
    session: AsyncSession, ids: list[int], project_key: str, now: datetime
) -> list[dict[str, Any]]:
    """Views of the tasks `ids`, in that order (unknown ids are left out)."""
    if not ids:
        return []
    rows = await fetch_rows(session, _views_by_id(dialect_of(session)), {"ids": ids, "now": now})
    by_id = {row[0]: to_view(row, project_key) for row in rows}  # column 0 is task.id
    return [by_id[task_id] for task_id in ids if task_id in by_id]


async def views_by_key(
    session: AsyncSession, project_id: uuid.UUID, keys: list[str], project_key: str, now: datetime
) -> dict[str, dict[str, Any]]:
    """Views of the project's tasks `keys`, by key (unknown keys are left out)."""
    params = {"project_id": project_id, "keys": keys, "now": now}
    rows = await fetch_rows(session, _views_by_key(dialect_of(session)), params)
    return {view["key"]: view for view in (to_view(row, project_key) for row in rows)}
