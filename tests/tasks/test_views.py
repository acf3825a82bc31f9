"""The task views derive `ready` and `blocked_by` in SQL; the pure graph package is the oracle."""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy import select

from epicflow.graph import Graph
from epicflow.platform.clock import utcnow
from epicflow.platform.db import Database
from epicflow.projects.models import Project
from epicflow.tasks.graph_load import project_nodes
from tests.support.board import Board

STATUSES = ["in_progress", "done", "cancelled", "blocked", "open"]


async def random_project(board: Board, rng: random.Random, size: int = 24) -> None:
    """Tasks in two epics and none, some exclusive, with random edges, statuses and claims."""
    for slug in ("api", "web"):
        await board.epic(slug)
    keys: list[str] = []
    for _ in range(size):
        fields: dict[str, Any] = {"parallel": rng.random() > 0.25}
        epic = rng.choice(["api", "web", None])
        if epic is not None:
            fields["epic"] = epic
        if keys:
            fields["depends_on"] = rng.sample(keys, rng.randint(0, min(2, len(keys))))
            fields["conflicts_with"] = rng.sample(keys, rng.randint(0, 1))
        keys.append((await board.task(**fields))["key"])
    for key in rng.sample(keys, size // 2):
        # The rules may refuse a move (a running conflict, say); the graph stays whatever it is.
        await board.patch(key, status=rng.choice(STATUSES))
    for key in rng.sample(keys, 4):
        await board.client.post(
            f"/api/v1/tasks/{key}/claim", json={"worker": "w"}, headers=board.owner.headers
        )


@pytest.mark.parametrize("seed", range(4))
async def test_ready_and_blocked_by_agree_with_the_graph(
    board: Board, db: Database, seed: int
) -> None:
    await random_project(board, random.Random(seed))
    items = (await board.list(limit=200))["items"]
    async with db.sessionmaker() as session:
        project_id = (
            await session.execute(select(Project.id).where(Project.key == board.key))
        ).scalar_one()
        graph = Graph(await project_nodes(session, project_id, utcnow()))
    assert len(items) == len(graph)
    assert any(item["ready"] for item in items)
    assert any(item["blocked_by"] for item in items)
    for item in items:
        assert item["ready"] is graph.is_ready(item["key"]), item
        assert item["blocked_by"] == graph.blocked_by(item["key"]), item
        assert item["depends_on"] == graph.by_number(graph.deps(item["key"])), item
        assert item["conflicts_with"] == graph.by_number(graph.conflicts(item["key"])), item
