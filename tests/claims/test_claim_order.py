"""Every claim takes the first ready task in claim order, as the pure graph package says."""

from __future__ import annotations

import random

import pytest

from epicflow.platform.db import Database
from tests.claims.test_claims import claim_next
from tests.support.board import Board
from tests.support.random_project import project_graph, random_project


@pytest.mark.parametrize(("seed", "epic"), [(0, None), (1, None), (2, "api"), (4, "web")])
async def test_each_claim_takes_the_graphs_first_ready_task(
    board: Board, db: Database, seed: int, epic: str | None
) -> None:
    """Claim until nothing is ready; before each claim the graph (dependencies, running
    conflicts, exclusive epics, live leases, downstream hours) names the task it must get."""
    await random_project(board, random.Random(seed), size=40, exclusive=0.05)
    taken: list[str] = []
    while True:
        graph = await project_graph(db, board.key)
        ready = [key for key in graph.ready_keys() if epic is None or graph.node(key).epic == epic]
        response = await claim_next(board, **({} if epic is None else {"epic": epic}))
        if not ready:
            assert response.status_code == 204, response.text
            break
        assert response.status_code == 201, response.text
        assert response.json()["task"]["key"] == graph.claim_order(ready)[0], taken
        taken.append(response.json()["task"]["key"])
    assert len(taken) >= 3
