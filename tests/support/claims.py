"""Claim calls through the API, and the random graph changes and counts the claim tests compare."""

from __future__ import annotations

import random
from typing import Any

from httpx import Response
from sqlalchemy import select

from epicflow.graph import RESOLVED, Graph
from epicflow.platform.db import Database
from epicflow.projects.models import Project
from epicflow.tasks.models import Task
from tests.support.board import Board


async def claim_next(board: Board, **body: Any) -> Response:
    return await board.client.post(
        f"/api/v1/projects/{board.key}/claims",
        json={"worker": "w1", **body},
        headers=board.owner.headers,
    )


async def call(board: Board, key: str, action: str, **body: Any) -> Response:
    return await board.client.post(
        f"/api/v1/tasks/{key}/{action}", json=body, headers=board.owner.headers
    )


async def change_graph(board: Board, rng: random.Random, keys: list[str]) -> None:
    """One random change of the graph between claims: new dependencies, a reopened or
    cancelled task, a new task that others wait on, a deleted task. A change the rules refuse
    is a 4xx; none may fail."""
    key = rng.choice(keys)
    change = rng.choice(["depends_on", "status", "new", "delete"])
    if change == "depends_on":
        others = [other for other in keys if other != key]
        deps = rng.sample(others, rng.randint(0, min(2, len(others))))
        patched = await board.patch(key, depends_on=deps)
    elif change == "status":
        patched = await board.patch(key, status=rng.choice(["open", "cancelled", "done"]))
    elif change == "new":
        keys.append((await board.task(estimate={"hours": rng.choice([1, 4])}))["key"])
        patched = await board.patch(key, depends_on=[keys[-1]])
    else:
        response = await board.client.delete(f"/api/v1/tasks/{key}", headers=board.owner.headers)
        assert response.status_code in (204, 409), response.text
        if response.status_code == 204:
            keys.remove(key)
        return
    assert patched.status_code < 500, patched.text


def waiting_counts(graph: Graph) -> dict[str, int]:
    """Each open task's count of unresolved dependencies, as the graph says."""
    nodes = {node.key: node for node in graph.nodes()}
    return {
        key: sum(nodes[dep].status not in RESOLVED for dep in node.depends_on)
        for key, node in nodes.items()
        if node.status == "open"
    }


async def stored_counts(db: Database, project_key: str) -> dict[str, int]:
    """Each open task's stored count, which the claim order's index is built on."""
    async with db.sessionmaker() as session:
        rows = await session.execute(
            select(Task.key, Task.unresolved_deps)
            .join(Project, Project.id == Task.project_id)
            .where(Project.key == project_key, Task.status == "open")
        )
        return dict(rows.tuples().all())
