"""The read side of tasks: rows plus their edges, labels and derived readiness, as JSON-ready
dicts, in a constant number of queries however many tasks a page holds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from epicflow.graph import Graph, Node
from epicflow.tasks.models import Task, TaskConflict, TaskEdge, TaskLabel
from epicflow.tasks.repository import epic_slugs, is_claimed

Ref = tuple[str, int, str]  # key, number, status


async def _edges(session: AsyncSession, ids: list[int]) -> dict[int, list[Ref]]:
    dep = aliased(Task)
    query = (
        select(TaskEdge.task_id, dep.key, dep.number, dep.status)
        .join(dep, dep.id == TaskEdge.depends_on_id)
        .where(TaskEdge.task_id.in_(ids))
    )
    out: dict[int, list[Ref]] = defaultdict(list)
    for task_id, key, number, status in (await session.execute(query)).tuples():
        out[task_id].append((key, number, status))
    return out


async def _conflicts(session: AsyncSession, ids: list[int]) -> dict[int, list[Ref]]:
    pairs = union_all(
        select(TaskConflict.low_id.label("me"), TaskConflict.high_id.label("other")).where(
            TaskConflict.low_id.in_(ids)
        ),
        select(TaskConflict.high_id.label("me"), TaskConflict.low_id.label("other")).where(
            TaskConflict.high_id.in_(ids)
        ),
    ).subquery()
    query = select(pairs.c.me, Task.key, Task.number, Task.status).join(
        Task, Task.id == pairs.c.other
    )
    out: dict[int, list[Ref]] = defaultdict(list)
    for task_id, key, number, status in (await session.execute(query)).tuples():
        out[task_id].append((key, number, status))
    return out


async def _labels(session: AsyncSession, ids: list[int]) -> dict[int, list[str]]:
    query = select(TaskLabel.task_id, TaskLabel.label).where(TaskLabel.task_id.in_(ids))
    out: dict[int, list[str]] = defaultdict(list)
    for task_id, label in (await session.execute(query)).tuples():
        out[task_id].append(label)
    return out


async def _running_in_epics(session: AsyncSession, epic_ids: set[int]) -> list[Node]:
    if not epic_ids:
        return []
    query = select(Task.key, Task.number, Task.epic_id, Task.parallel).where(
        Task.epic_id.in_(sorted(epic_ids)), Task.status == "in_progress"
    )
    return [
        Node(key=key, number=number, status="in_progress", epic=str(epic), parallel=parallel)
        for key, number, epic, parallel in (await session.execute(query)).tuples()
    ]


def _sorted_keys(refs: list[Ref]) -> list[str]:
    return [key for key, _number, _status in sorted(refs, key=lambda ref: ref[1])]


def _graph(
    rows: Sequence[Row[Any]],
    edges: dict[int, list[Ref]],
    conflicts: dict[int, list[Ref]],
    running: list[Node],
    now: datetime,
) -> Graph:
    nodes: dict[str, Node] = {}
    for refs in (*edges.values(), *conflicts.values()):
        for key, number, status in refs:
            nodes.setdefault(key, Node(key=key, number=number, status=status))
    nodes.update((node.key, node) for node in running)
    for row in rows:
        nodes[row.key] = Node(
            key=row.key,
            number=row.number,
            status=row.status,
            epic=None if row.epic_id is None else str(row.epic_id),
            parallel=row.parallel,
            depends_on=tuple(key for key, _n, _s in edges.get(row.id, ())),
            conflicts_with=tuple(key for key, _n, _s in conflicts.get(row.id, ())),
            claimed=is_claimed(row.claimed_by, row.lease_expires_at, now),
        )
    return Graph(nodes.values())


async def task_views(
    session: AsyncSession, project_key: str, rows: Sequence[Row[Any]], now: datetime
) -> list[dict[str, Any]]:
    if not rows:
        return []
    ids = [row.id for row in rows]
    epic_ids = {row.epic_id for row in rows if row.epic_id is not None}
    edges = await _edges(session, ids)
    conflicts = await _conflicts(session, ids)
    labels = await _labels(session, ids)
    slugs = await epic_slugs(session, epic_ids)
    graph = _graph(rows, edges, conflicts, await _running_in_epics(session, epic_ids), now)
    return [_view(row, project_key, slugs, labels, edges, conflicts, graph) for row in rows]


def _view(
    row: Row[Any],
    project_key: str,
    slugs: dict[int, str],
    labels: dict[int, list[str]],
    edges: dict[int, list[Ref]],
    conflicts: dict[int, list[Ref]],
    graph: Graph,
) -> dict[str, Any]:
    return {
        "key": row.key,
        "project": project_key,
        "epic": None if row.epic_id is None else slugs.get(row.epic_id),
        "title": row.title,
        "status": row.status,
        "priority": row.priority,
        "labels": sorted(labels.get(row.id, ())),
        "assignee": None if row.assignee_id is None else str(row.assignee_id),
        "description": row.description,
        "tdd_requirements": row.tdd_requirements,
        "technical_details": row.technical_details,
        "acceptance_criteria": row.acceptance_criteria,
        "definition_of_done": row.definition_of_done,
        "estimate": {"size": row.estimate_size, "hours": row.estimate_hours},
        "parallel": row.parallel,
        "depends_on": _sorted_keys(edges.get(row.id, [])),
        "conflicts_with": _sorted_keys(conflicts.get(row.id, [])),
        "claimed_by": row.claimed_by,
        "lease_expires_at": row.lease_expires_at,
        "version": row.version,
        "ready": graph.is_ready(row.key),
        "blocked_by": graph.blocked_by(row.key),
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "started_at": row.started_at,
        "completed_at": row.completed_at,
    }


TASK_COLUMNS = select(Task.__table__)
