"""The read side of tasks: rows plus their edges, labels and derived readiness, as JSON-ready
dicts, in a constant number of queries however many tasks a page holds."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Integer, Row, String, bindparam, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import BindParameter

from epicflow.epics.models import Epic
from epicflow.graph import Graph, Node
from epicflow.tasks.models import Task, TaskConflict, TaskEdge, TaskLabel
from epicflow.tasks.repository import is_claimed

Ref = tuple[str, int, str]  # key, number, status


@dataclass
class Related:
    """What a page of tasks links to, gathered by one UNION query."""

    edges: dict[int, list[Ref]] = field(default_factory=lambda: defaultdict(list))
    conflicts: dict[int, list[Ref]] = field(default_factory=lambda: defaultdict(list))
    labels: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    running: list[Node] = field(default_factory=list)


def _build_related_query() -> Any:
    """Built once: the page's task ids and epic ids are expanding parameters."""
    ids: BindParameter[list[int]] = bindparam("ids", expanding=True)
    epic_ids: BindParameter[list[int]] = bindparam("epic_ids", expanding=True)
    other = aliased(Task)
    no_label = literal(None, String).label("label")

    def refs(kind: str, owner: Any, join_on: Any, where: Any) -> Any:
        columns = (other.key, other.number, other.status, no_label, other.parallel)
        kind_column = literal(kind).label("kind")
        return select(kind_column, owner.label("owner"), *columns).select_from(join_on).where(where)

    return union_all(
        refs(
            "d",
            TaskEdge.task_id,
            TaskEdge.__table__.join(other, other.id == TaskEdge.depends_on_id),
            TaskEdge.task_id.in_(ids),
        ),
        refs(
            "c",
            TaskConflict.low_id,
            TaskConflict.__table__.join(other, other.id == TaskConflict.high_id),
            TaskConflict.low_id.in_(ids),
        ),
        refs(
            "c",
            TaskConflict.high_id,
            TaskConflict.__table__.join(other, other.id == TaskConflict.low_id),
            TaskConflict.high_id.in_(ids),
        ),
        select(
            literal("l"),
            TaskLabel.task_id,
            literal(None, String),
            literal(None, Integer),
            literal(None, String),
            TaskLabel.label,
            literal(None, Boolean),
        ).where(TaskLabel.task_id.in_(ids)),
        # Exclusivity only asks whether a parallel or an exclusive task of the epic runs, so one
        # running task of each kind per epic stands for all of them.
        select(
            literal("r"),
            other.epic_id,
            func.min(other.key),
            func.min(other.number),
            literal("in_progress"),
            literal(None, String),
            other.parallel,
        )
        .where(
            other.project_id == bindparam("project_id"),
            other.status == "in_progress",
            other.epic_id.in_(epic_ids),
        )
        .group_by(other.epic_id, other.parallel),
    )


RELATED = _build_related_query()


async def _related(
    session: AsyncSession, project_id: uuid.UUID, ids: list[int], epic_ids: list[int]
) -> Related:
    related = Related()
    for kind, owner, key, number, status, label, parallel in (
        await session.execute(RELATED, {"ids": ids, "epic_ids": epic_ids, "project_id": project_id})
    ).tuples():
        if kind == "d":
            related.edges[owner].append((key, number, status))
        elif kind == "c":
            related.conflicts[owner].append((key, number, status))
        elif kind == "l":
            related.labels[owner].append(label)
        else:
            related.running.append(
                Node(key=key, number=number, status=status, epic=str(owner), parallel=parallel)
            )
    return related


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
    """JSON-ready views of `rows` (selected with `TASK_COLUMNS`), with one more query."""
    if not rows:
        return []
    ids = [row.id for row in rows]
    epic_ids = sorted({row.epic_id for row in rows if row.epic_id is not None})
    related = await _related(session, rows[0].project_id, ids, epic_ids)
    graph = _graph(rows, related.edges, related.conflicts, related.running, now)
    return [_view(row, project_key, related, graph) for row in rows]


def _view(row: Row[Any], project_key: str, related: Related, graph: Graph) -> dict[str, Any]:
    return {
        "key": row.key,
        "project": project_key,
        "epic": row.epic_slug,
        "title": row.title,
        "status": row.status,
        "priority": row.priority,
        "labels": sorted(related.labels.get(row.id, ())),
        "assignee": None if row.assignee_id is None else str(row.assignee_id),
        "description": row.description,
        "tdd_requirements": row.tdd_requirements,
        "technical_details": row.technical_details,
        "acceptance_criteria": row.acceptance_criteria,
        "definition_of_done": row.definition_of_done,
        "estimate": {"size": row.estimate_size, "hours": row.estimate_hours},
        "parallel": row.parallel,
        "depends_on": _sorted_keys(related.edges.get(row.id, [])),
        "conflicts_with": _sorted_keys(related.conflicts.get(row.id, [])),
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


# Every task column plus the epic's slug: what `task_views` needs of each row.
TASK_COLUMNS = select(Task.__table__, Epic.slug.label("epic_slug")).outerjoin(
    Epic, Epic.id == Task.epic_id
)
