"""Every task view says what an open task waits on (SPEC 10.2), on a single read and in lists."""

from __future__ import annotations

from typing import Any, get_args

from epicflow.platform.db import Database
from epicflow.tasks.readiness import WAITING_REASONS
from epicflow.tasks.schemas import WaitingOut
from tests.support.board import Board
from tests.support.claims import call
from tests.support.statements import count_statements


def _waits(key: str, reason: str) -> dict[str, str]:
    return {"key": key, "reason": reason}


async def _start(board: Board, key: str) -> None:
    claimed = await call(board, key, "claim", worker="w1")
    assert claimed.status_code == 201, claimed.text


async def _waiting_on(board: Board, key: str) -> list[dict[str, Any]]:
    """What the task waits on, checked to read the same in the project's list."""
    single: list[dict[str, Any]] = (await board.get(key))["waiting_on"]
    listed = {task["key"]: task["waiting_on"] for task in (await board.list(limit=200))["items"]}
    assert listed[key] == single
    return single


class TestReasons:
    async def test_an_unresolved_dependency(self, board: Board) -> None:
        a = await board.task()
        b = await board.task(depends_on=[a["key"]])
        assert await _waiting_on(board, b["key"]) == [_waits(a["key"], "dependency")]
        assert await _waiting_on(board, a["key"]) == []
        await board.patch(a["key"], status="cancelled")
        assert await _waiting_on(board, b["key"]) == []

    async def test_a_chain_names_only_the_next_link(self, board: Board) -> None:
        a = await board.task()
        b = await board.task(depends_on=[a["key"]])
        c = await board.task(depends_on=[b["key"]])
        assert await _waiting_on(board, c["key"]) == [_waits(b["key"], "dependency")]
        await board.patch(a["key"], status="done")
        assert await _waiting_on(board, b["key"]) == []
        assert await _waiting_on(board, c["key"]) == [_waits(b["key"], "dependency")]

    async def test_a_running_conflict(self, board: Board) -> None:
        a = await board.task()
        b = await board.task(conflicts_with=[a["key"]])
        assert await _waiting_on(board, b["key"]) == []  # a conflict that is not running
        await _start(board, a["key"])
        assert await _waiting_on(board, b["key"]) == [_waits(a["key"], "conflict")]

    async def test_dependencies_and_a_conflict_together(self, board: Board) -> None:
        running = await board.task()
        first = await board.task()
        second = await board.task()
        waiting = await board.task(
            depends_on=[second["key"], first["key"]], conflicts_with=[running["key"]]
        )
        await _start(board, running["key"])
        assert await _waiting_on(board, waiting["key"]) == [
            _waits(first["key"], "dependency"),
            _waits(second["key"], "dependency"),
            _waits(running["key"], "conflict"),
        ]
        assert (await board.get(waiting["key"]))["blocked_by"] == [first["key"], second["key"]]

    async def test_an_exclusive_task_running_holds_its_epic(self, board: Board) -> None:
        await board.epic("solo")
        exclusive = await board.task(epic="solo", parallel=False)
        sibling = await board.task(epic="solo")
        elsewhere = await board.task()
        await _start(board, exclusive["key"])
        assert await _waiting_on(board, sibling["key"]) == [_waits(exclusive["key"], "exclusive")]
        assert await _waiting_on(board, elsewhere["key"]) == []

    async def test_an_exclusive_task_waits_for_its_epic(self, board: Board) -> None:
        await board.epic("solo")
        exclusive = await board.task(epic="solo", parallel=False)
        first = await board.task(epic="solo")
        second = await board.task(epic="solo")
        await _start(board, first["key"])
        assert await _waiting_on(board, exclusive["key"]) == [_waits(first["key"], "exclusive")]
        assert await _waiting_on(board, second["key"]) == []  # both parallel: no clash
        held = await board.patch(second["key"], status="in_progress")  # held by hand
        assert held.status_code == 200, held.text
        assert await _waiting_on(board, exclusive["key"]) == [
            _waits(first["key"], "exclusive"),
            _waits(second["key"], "exclusive"),
        ]


class TestEmpty:
    async def test_a_ready_task_waits_on_nothing(self, board: Board) -> None:
        a = await board.task()
        view = await board.get(a["key"])
        assert (view["ready"], view["waiting_on"]) == (True, [])

    async def test_a_task_that_is_not_open_waits_on_nothing(self, board: Board) -> None:
        a = await board.task()
        for status in ("blocked", "cancelled"):
            b = await board.task(status=status, depends_on=[a["key"]])
            view = await board.get(b["key"])
            assert view["blocked_by"] == [a["key"]]
            assert await _waiting_on(board, b["key"]) == []
        await _start(board, a["key"])
        assert (await board.get(a["key"]))["waiting_on"] == []

    async def test_a_claim_and_its_release_answer_the_view(self, board: Board) -> None:
        a = await board.task()
        claimed = (await call(board, a["key"], "claim", worker="w1")).json()
        assert claimed["task"]["waiting_on"] == []
        assert claimed["task"]["held"] == "claim"
        released = await call(board, a["key"], "release", claim_token=claimed["claim_token"])
        assert (released.json()["waiting_on"], released.json()["held"]) == ([], None)


class TestLists:
    async def test_a_page_costs_the_same_statements_whatever_its_size(
        self, board: Board, db: Database
    ) -> None:
        await board.epic("core")
        running = await board.task(epic="core", parallel=False)
        previous = None
        for index in range(40):
            fields: dict[str, Any] = {"epic": "core" if index % 2 else None}
            fields["conflicts_with"] = [running["key"]]
            if previous:
                fields["depends_on"] = [previous]
            previous = (await board.task(**fields))["key"]
        await _start(board, running["key"])
        async with count_statements(db) as small:
            assert len((await board.list(limit=5))["items"]) == 5
        async with count_statements(db) as large:
            page = await board.list(limit=41)
        assert len(page["items"]) == 41
        assert page["items"][2]["waiting_on"] == [  # in epic core, after the first
            _waits(page["items"][1]["key"], "dependency"),
            _waits(running["key"], "conflict"),
            _waits(running["key"], "exclusive"),
        ]
        assert len(large) == len(small)


def test_the_response_shape_names_every_reason_readiness_knows() -> None:
    assert get_args(WaitingOut.model_fields["reason"].annotation) == tuple(WAITING_REASONS)
