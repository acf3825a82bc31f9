"""The plan of a project: ready queue, waves and critical path, the graph, and the lint.

All of it is computed by the pure `graph` package over the project's tasks, except a ready
queue read while the stored claim order is fresh (`tasks.ready_queue`), which the claims keep
equal to the graph's.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import PlainTextResponse

from epicflow.graph import Graph, lint, plan, to_dot, to_json, to_mermaid
from epicflow.platform.context import ContextDep
from epicflow.platform.db import SessionDep
from epicflow.platform.memory import collector_paused
from epicflow.platform.openapi import responses
from epicflow.platform.pagination import (
    CursorQuery,
    LimitQuery,
    Page,
    cursor_float,
    cursor_int,
    decode_cursor,
    encode_cursor,
)
from epicflow.platform.responses import FastJSONResponse
from epicflow.platform.types import Slug
from epicflow.projects.deps import ProjectMember
from epicflow.tasks.project_graph import done_hours, lint_tasks, open_nodes, project_nodes
from epicflow.tasks.ready_queue import ready_page
from epicflow.tasks.schemas import TaskOut
from epicflow.tasks.views import task_views_by_key
from epicflow.transfer.sources import tasks_from_ccpm_files

router = APIRouter(prefix="/projects/{key}", tags=["planning"])
READ_ERRORS = responses(401, 404, 422, 429)


class GraphFormat(StrEnum):
    json = "json"
    mermaid = "mermaid"
    dot = "dot"


def _rank_after(cursor: str | None) -> tuple[int, float, int] | None:
    if cursor is None:
        return None
    priority, downstream, number = decode_cursor(cursor, arity=3)
    return cursor_int(priority), cursor_float(downstream), cursor_int(number)


@router.get("/ready", response_model=Page[TaskOut], responses=READ_ERRORS)
async def ready(
    access: ProjectMember,
    session: SessionDep,
    context: ContextDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Response:
    """Ready tasks in the order a claim would take them: read from the stored claim order
    while it is fresh, computed from the open graph when the graph changed since."""
    now = context.now()
    after = _rank_after(cursor)
    page = await ready_page(session, access.project.id, now, after=after, limit=limit + 1)
    if page is None:
        with collector_paused():
            graph = Graph(await open_nodes(session, access.project.id, now))
            down = graph.downstream_hours()
            ranked = [
                ((node.priority, -down[key], node.number), key)
                for key in graph.ready_keys()
                for node in (graph.node(key),)
            ]
        page = [item for item in ranked if after is None or item[0] > after][: limit + 1]
    items = await task_views_by_key(session, access, [key for _rank, key in page[:limit]], now)
    more = encode_cursor(list(page[limit - 1][0])) if len(page) > limit else None
    return FastJSONResponse({"items": items, "next_cursor": more})


@router.get("/plan", response_model=dict[str, Any], responses=READ_ERRORS)
async def project_plan(
    access: ProjectMember,
    session: SessionDep,
    context: ContextDep,
    epic: Slug | None = None,
    workers: Annotated[int | None, Query(ge=1, le=1000)] = None,
) -> Response:
    """Waves of work that can run together, the critical path with each task's earliest and
    latest start and slack, and the projected hours with `workers` people or agents."""
    with collector_paused():
        nodes = await open_nodes(session, access.project.id, context.now(), epic=epic)
        done = await done_hours(session, access.project.id, epic=epic)
        return FastJSONResponse(plan(nodes, workers, done_hours=done).to_dict())


@router.get(
    "/graph",
    responses={
        **READ_ERRORS,
        200: {"content": {"application/json": {}, "text/plain": {}}},
    },
)
async def project_graph(
    access: ProjectMember,
    session: SessionDep,
    context: ContextDep,
    epic: Slug | None = None,
    format: GraphFormat = GraphFormat.json,
) -> Response:
    """The dependency graph as JSON, Mermaid (`flowchart`) or Graphviz DOT (`digraph`).
    An edge runs from the dependency to the task that waits on it."""
    with collector_paused():
        nodes = await project_nodes(session, access.project.id, context.now(), epic=epic)
        if format is GraphFormat.mermaid:
            return PlainTextResponse(to_mermaid(nodes))
        if format is GraphFormat.dot:
            return PlainTextResponse(to_dot(nodes))
        return FastJSONResponse(to_json(nodes))


@router.get("/lint", response_model=dict[str, Any], responses=READ_ERRORS)
async def project_lint(
    access: ProjectMember, session: SessionDep, context: ContextDep, epic: Slug | None = None
) -> Response:
    """Task-quality findings (INVEST, small verb-led tasks) with a score per task and epic."""
    with collector_paused():
        project_id = access.project.id
        from_ccpm = await tasks_from_ccpm_files(session, project_id)
        tasks = await lint_tasks(session, project_id, context.now(), epic=epic, from_ccpm=from_ccpm)
        report = lint(tasks)
        return FastJSONResponse(report.to_dict())
