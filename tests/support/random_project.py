"""A random project for holding the SQL forms of the graph rules to the pure graph package."""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import select

from epicflow.graph import Graph
from epicflow.platform.clock import utcnow
from epicflow.platform.db import Database
from epicflow.projects.models import Project
from epicflow.tasks.project_graph import project_nodes
from tests.support.board import Board

STATUSES = ["in_progress", "done", "cancelled", "blocked", "open"]


async def random_project(
    board: Board, rng: random.Random, size: int = 24, exclusive: float = 0.25
) -> None:
    """Tasks in two epics and none, a share of them exclusive, with random priorities, hours,
    edges, statuses and claims."""
    for slug in ("api", "web"):
        await board.epic(slug)
    keys: list[str] = []
    for _ in range(size):
        fields: dict[str, Any] = {
            "parallel": rng.random() >= exclusive,
            "priority": rng.choice([1, 2, 2, 2]),
            "estimate": {"hours": rng.choice([1, 2, 4, 8])},
        }
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


async def project_graph(db: Database, key: str) -> Graph:
    """The project as the graph package sees it, now."""
    async with db.sessionmaker() as session:
        project_id = (
            await session.execute(select(Project.id).where(Project.key == key))
        ).scalar_one()
        return Graph(await project_nodes(session, project_id, utcnow()))
