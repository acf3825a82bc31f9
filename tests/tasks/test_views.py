"""The task views derive `ready` and `blocked_by` in SQL; the pure graph package is the oracle."""

from __future__ import annotations

import random

import pytest

from epicflow.platform.db import Database
from tests.support.board import Board
from tests.support.random_project import project_graph, random_project


@pytest.mark.parametrize("seed", range(4))
async def test_ready_and_blocked_by_agree_with_the_graph(
    board: Board, db: Database, seed: int
) -> None:
    await random_project(board, random.Random(seed))
    items = (await board.list(limit=200))["items"]
    graph = await project_graph(db, board.key)
    assert len(items) == len(graph)
    assert any(item["ready"] for item in items)
    assert any(item["blocked_by"] for item in items)
    assert any(item["waiting_on"] for item in items)
    for item in items:
        assert item["ready"] is graph.is_ready(item["key"]), item
        assert item["blocked_by"] == graph.blocked_by(item["key"]), item
        assert item["depends_on"] == graph.by_number(graph.deps(item["key"])), item
        assert item["conflicts_with"] == graph.by_number(graph.conflicts(item["key"])), item
        waits = [(entry["key"], entry["reason"]) for entry in item["waiting_on"]]
        assert waits == graph.waiting_on(item["key"]), item
