"""Every claim takes the first ready task in claim order, as the pure graph package says."""

from __future__ import annotations

import random

import pytest

from epicflow.platform.db import Database
from tests.support.board import Board
from tests.support.claims import call, change_graph, claim_next, stored_counts, waiting_counts
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


@pytest.mark.parametrize("seed", [5, 6, 7, 8])
async def test_completions_and_graph_changes_keep_the_claim_order(
    board: Board, db: Database, seed: int
) -> None:
    """Claim and complete until nothing is ready, changing the graph now and then: a
    completion lets the tasks that waited on it be claimed next, a change makes them wait
    again, and every claim is still the graph's first ready task."""
    rng = random.Random(seed)
    await random_project(board, rng, size=40, exclusive=0.05)
    keys = [task["key"] for task in (await board.list(limit=200))["items"]]
    completed = 0
    while True:
        if rng.random() < 0.2:
            await change_graph(board, rng, keys)
        graph = await project_graph(db, board.key)
        ready = graph.ready_keys()
        response = await claim_next(board)
        if not ready:
            assert response.status_code == 204, response.text
            break
        assert response.status_code == 201, response.text
        claim = response.json()
        assert claim["task"]["key"] == graph.claim_order(ready)[0]
        assert await stored_counts(db, board.key) == waiting_counts(
            await project_graph(db, board.key)
        )
        if rng.random() < 0.9:
            done = await call(
                board, claim["task"]["key"], "complete", claim_token=claim["claim_token"]
            )
            assert done.status_code == 200, done.text
            completed += 1
    assert completed >= 5


async def _ready_pages(board: Board, limit: int) -> list[str]:
    """Every key `GET /ready` lists, page by page."""
    keys: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        response = await board.client.get(
            f"/api/v1/projects/{board.key}/ready", params=params, headers=board.owner.headers
        )
        assert response.status_code == 200, response.text
        keys += [item["key"] for item in response.json()["items"]]
        if (cursor := response.json()["next_cursor"]) is None:
            return keys


@pytest.mark.parametrize("seed", [9, 10])
async def test_the_ready_queue_is_the_graphs_fresh_or_stale(
    board: Board, db: Database, seed: int
) -> None:
    """`GET /ready` lists the graph's ready tasks in claim order, page by page, whether the
    stored claim order is fresh (a claim refreshed it, completions followed) or stale (the
    graph changed since)."""
    rng = random.Random(seed)
    await random_project(board, rng, size=40, exclusive=0.05)
    keys = [task["key"] for task in (await board.list(limit=200))["items"]]
    for step in range(12):
        if step % 4 == 3:
            await change_graph(board, rng, keys)  # stale until the next claim
        graph = await project_graph(db, board.key)
        expected = graph.claim_order(graph.ready_keys())
        assert await _ready_pages(board, limit=3) == expected, step
        assert await _ready_pages(board, limit=200) == expected, step
        response = await claim_next(board)
        if response.status_code == 204:
            break
        assert response.status_code == 201, response.text
        claim = response.json()
        if rng.random() < 0.7:
            token = claim["claim_token"]
            done = await call(board, claim["task"]["key"], "complete", claim_token=token)
            assert done.status_code == 200, done.text
