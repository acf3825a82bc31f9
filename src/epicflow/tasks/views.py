"""The read side of tasks: one SQL statement returns each task with its edges, labels and derived
readiness, so a page of any size costs one query and no graph building in Python.

The statement is built once per store. Lists of keys are aggregated in SQL in key-number
order, each engine its own way (`stores.base.TaskSql.view_parts`), `ready` is SPEC rule 5 in
SQL (`tasks.readiness`, held equal to `graph.Graph.is_ready` by the tests) and `blocked_by` the
unresolved dependencies. Execute with `{"now": …}`: leases are live until then.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import (
    Integer,
    Select,
    String,
    bindparam,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from epicflow.epics.tables import Epic
from epicflow.platform.db import fetch_rows
from epicflow.stores.base import TaskSql, store_of
from epicflow.tasks.listing import PageQuery, Shape, ordering, page_ids
from epicflow.tasks.models import Task, TaskConflict, TaskEdge
from epicflow.tasks.readiness import unresolved
from epicflow.tasks.repository import task_not_found

if TYPE_CHECKING:
    from epicflow.projects.service import ProjectAccess

KeySource = tuple[Any, Any, Select[Any]]


def dependency_keys(*, unresolved_only: bool) -> KeySource:
    """The keys of the task's dependencies (all, or the unresolved ones): (value, order,
    source), correlated to `Task`, for a store to aggregate its own way."""
    dep = aliased(Task, name="dep")
    source = (
        select(dep.key)
        .select_from(TaskEdge)
        .join(dep, dep.id == TaskEdge.depends_on_id)
        .where(TaskEdge.task_id == Task.id)
    )
    if unresolved_only:
        source = source.where(unresolved(dep.status))
    return dep.key, dep.number, source


def conflict_keys() -> KeySource:
    """The keys of the task's conflict partners: (value, order, source), correlated to
    `Task`."""
    other = aliased(Task, name="partner")
    partners = union_all(
        select(TaskConflict.high_id).where(TaskConflict.low_id == Task.id).correlate(Task),
        select(TaskConflict.low_id).where(TaskConflict.high_id == Task.id).correlate(Task),
    )
    return other.key, other.number, select(other.key).where(other.id.in_(partners))


@cache
def view_query(sql: TaskSql, *, checklists_as_text: bool = False) -> Select[Any]:
    """What a Task view shows, in the order `to_view` unpacks it: the task's columns, the
    epic's slug, the derived lists and the ready flag (`sql.view_parts`). Add WHERE, ORDER BY
    and LIMIT. With `checklists_as_text` a store may answer the checklists and links as JSON
    text: such views are for orjson only."""
    parts = sql.view_parts(checklists_as_text=checklists_as_text)
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
        *parts.checklists,
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
        *parts.derived,
    ).outerjoin(Epic, Epic.id == Task.epic_id)
    if parts.lateral is not None:
        query = query.join(parts.lateral, true())
    return query


def _listed(value: list[str] | str) -> list[str]:
    if isinstance(value, list):
        return value
    listed: list[str] = orjson.loads(value)
    return listed


def _waiting(value: str) -> list[dict[str, str]]:
    """`waiting_on`, which every engine answers as JSON text."""
    entries: list[dict[str, str]] = orjson.loads(value)
    return entries


def _checklist(value: list[dict[str, Any]] | str) -> list[dict[str, Any]] | orjson.Fragment:
    return orjson.Fragment(value) if isinstance(value, str) else value


# The columns of a view row, in `view_query`'s order (and `epicflow_task_view`'s).
VIEW_FUNCTION_COLUMNS = (
    "id", "key", "slug", "title", "status", "priority", "assignee_id", "description",
    "tdd_requirements", "technical_details", "acceptance_criteria", "definition_of_done", "links",
    "estimate_size", "estimate_hours", "parallel", "claimed_by", "lease_expires_at", "version",
    "created_at", "updated_at", "started_at", "completed_at", "labels", "depends_on",
    "blocked_by", "conflicts_with", "ready", "waiting_on", "held",
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
        links,
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
        waiting_on,
        held,
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
        "waiting_on": _waiting(waiting_on),
        "held": held,
        "links": _checklist(links),
        "created_at": created_at,
        "updated_at": updated_at,
        "started_at": started_at,
        "completed_at": completed_at,
    }


# Whole statements built once: SQLAlchemy derives a statement's cache key on its first
# execution, which for these (a dozen correlated subqueries) costs more than a millisecond.
@cache
def views_by_id_statement(sql: TaskSql) -> Select[Any]:
    """The statement `views_by_id` runs (parameters `ids` and `now`)."""
    return view_query(sql, checklists_as_text=True).where(sql.any_of(Task.id, "ids", Integer))


@cache
def _views_by_key(sql: TaskSql) -> Select[Any]:
    keys = sql.any_of(Task.key, "keys", String)
    project = Task.project_id == bindparam("project_id")
    return view_query(sql, checklists_as_text=True).where(project, keys)


@lru_cache(maxsize=1024)
def _page(sql: TaskSql, shape: Shape) -> Select[Any]:
    ids = page_ids(sql, shape).correlate(None)
    statement = view_query(sql, checklists_as_text=True).where(sql.in_page(ids))
    return statement.order_by(*ordering(shape.sort))


async def page_views(
    session: AsyncSession, page: PageQuery, project_key: str
) -> list[dict[str, Any]]:
    """One page of a task list, in its order: one statement, built once per shape."""
    rows = await fetch_rows(session, _page(_sql(session), page.shape), page.params)
    return [to_view(row, project_key) for row in rows]


async def views_by_id(
    session: AsyncSession, ids: list[int], project_key: str, now: datetime
) -> list[dict[str, Any]]:
    """Views of the tasks `ids`, in that order (unknown ids are left out)."""
    if not ids:
        return []
    statement = views_by_id_statement(_sql(session))
    rows = await fetch_rows(session, statement, {"ids": ids, "now": now})
    by_id = {row[0]: to_view(row, project_key) for row in rows}  # column 0 is task.id
    return [by_id[task_id] for task_id in ids if task_id in by_id]


async def views_by_key(
    session: AsyncSession, project_id: uuid.UUID, keys: list[str], project_key: str, now: datetime
) -> dict[str, dict[str, Any]]:
    """Views of the project's tasks `keys`, by key (unknown keys are left out)."""
    params = {"project_id": project_id, "keys": keys, "now": now}
    rows = await fetch_rows(session, _views_by_key(_sql(session)), params)
    return {view["key"]: view for view in (to_view(row, project_key) for row in rows)}


async def task_view(
    session: AsyncSession, access: ProjectAccess, task_id: int, now: datetime
) -> dict[str, object]:
    (view,) = await views_by_id(session, [task_id], access.project.key, now)
    return view


async def task_views_by_key(
    session: AsyncSession, access: ProjectAccess, keys: list[str], now: datetime
) -> list[dict[str, object]]:
    """Views of `keys`, in that order."""
    if not keys:
        return []
    views = await views_by_key(session, access.project.id, keys, access.project.key, now)
    missing = [key for key in keys if key not in views]
    if missing:
        raise task_not_found(missing[0])
    return [views[key] for key in keys]


def _sql(session: AsyncSession) -> TaskSql:
    return store_of(session).tasks.sql
