"""Concurrent writers: task keys never collide, and opposite edges never both land."""

from __future__ import annotations

import asyncio

from tests.support.board import Board


class TestConcurrentWrites:
    async def test_concurrent_creates_get_distinct_consecutive_keys(self, board: Board) -> None:
        responses = await asyncio.gather(*(board.create(title=f"Add {n}") for n in range(12)))
        assert [r.status_code for r in responses] == [201] * 12
        keys = sorted(int(r.json()["key"].split("-")[1]) for r in responses)
        assert keys == list(range(1, 13))

    async def test_opposite_edges_at_the_same_moment_never_form_a_cycle(self, board: Board) -> None:
        for _round in range(5):
            a, b = await board.task(), await board.task()
            first, second = await asyncio.gather(
                board.patch(a["key"], depends_on=[b["key"]]),
                board.patch(b["key"], depends_on=[a["key"]]),
            )
            statuses = sorted([first.status_code, second.status_code])
            assert statuses == [200, 409], (first.text, second.text)
            after_a, after_b = await board.get(a["key"]), await board.get(b["key"])
            assert not (after_a["depends_on"] and after_b["depends_on"])
