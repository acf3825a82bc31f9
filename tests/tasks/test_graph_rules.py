"""SPEC §2 rules 1-5 through the API."""

from __future__ import annotations

from httpx import AsyncClient

from tests.support.board import Board, make_board
from tests.support.users import UserFactory


class TestDependencies:
    async def test_unknown_self_and_foreign_references_are_422(
        self, board: Board, client: AsyncClient, users: UserFactory
    ) -> None:
        task = await board.task()
        unknown = await board.patch(task["key"], depends_on=["WEB-99"])
        assert unknown.status_code == 422
        assert unknown.json()["code"] == "unknown_task"
        assert unknown.json()["field"] == "depends_on"
        own = await board.patch(task["key"], depends_on=[task["key"]])
        assert own.json()["code"] == "self_reference"
        self_conflict = await board.patch(task["key"], conflicts_with=[task["key"]])
        assert self_conflict.json()["code"] == "self_reference"
        other = await make_board(client, users, key="OPS")
        foreign = await other.task()
        cross = await board.patch(task["key"], depends_on=[foreign["key"]])
        assert cross.status_code == 422
        assert cross.json()["code"] == "unknown_task"

    async def test_cycle_is_409_with_the_cycle(self, board: Board) -> None:
        a = await board.task()
        b = await board.task(depends_on=[a["key"]])
        c = await board.task(depends_on=[b["key"]])
        response = await board.patch(a["key"], depends_on=[c["key"]])
        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "dependency_cycle"
        assert body["cycle"] == ["WEB-1", "WEB-3", "WEB-2", "WEB-1"]
        assert (await board.get(a["key"]))["depends_on"] == []

    async def test_lists_are_replaced_whole(self, board: Board) -> None:
        a, b, c = await board.task(), await board.task(), await board.task()
        task = await board.task(depends_on=[a["key"], b["key"]], labels=["x", "y"])
        changed = (await board.patch(task["key"], depends_on=[c["key"]], labels=["z"])).json()
        assert changed["depends_on"] == [c["key"]]
        assert changed["labels"] == ["z"]

    async def test_conflicts_are_symmetric(self, board: Board) -> None:
        a = await board.task()
        b = await board.task(conflicts_with=[a["key"]])
        assert (await board.get(a["key"]))["conflicts_with"] == [b["key"]]
        assert b["conflicts_with"] == [a["key"]]
        await board.patch(a["key"], conflicts_with=[])
        assert (await board.get(b["key"]))["conflicts_with"] == []

    async def test_ready_and_blocked_by_follow_dependency_status(self, board: Board) -> None:
        a = await board.task()
        b = await board.task()
        c = await board.task(depends_on=[a["key"], b["key"]])
        assert c["ready"] is False
        assert c["blocked_by"] == [a["key"], b["key"]]
        await board.patch(a["key"], status="done")
        assert (await board.get(c["key"]))["blocked_by"] == [b["key"]]
        await board.patch(b["key"], status="cancelled")
        after = await board.get(c["key"])
        assert after["blocked_by"] == []
        assert after["ready"] is True

    async def test_deleting_a_dependency_frees_its_dependents(self, board: Board) -> None:
        a = await board.task()
        b = await board.task(depends_on=[a["key"]])
        await board.client.delete(f"/api/v1/tasks/{a['key']}", headers=board.owner.headers)
        after = await board.get(b["key"])
        assert after["depends_on"] == []
        assert after["ready"] is True


class TestStatusRules:
    async def test_unresolved_dependency_blocks_start_and_done(self, board: Board) -> None:
        a = await board.task()
        b = await board.task(depends_on=[a["key"]])
        for status in ("in_progress", "done"):
            response = await board.patch(b["key"], status=status)
            assert response.status_code == 409
            assert response.json()["code"] == "blocked_by_dependencies"
            assert response.json()["blocked_by"] == [a["key"]]
        created_done = await board.create(title="Add y", depends_on=[a["key"]], status="done")
        assert created_done.status_code == 409

    async def test_conflicting_tasks_never_run_together(self, board: Board) -> None:
        a = await board.task()
        b = await board.task(conflicts_with=[a["key"]])
        assert (await board.patch(a["key"], status="in_progress")).status_code == 200
        assert (await board.get(b["key"]))["ready"] is False
        response = await board.patch(b["key"], status="in_progress")
        assert response.status_code == 409
        assert response.json()["code"] == "conflict_in_progress"
        assert response.json()["tasks"] == [a["key"]]

    async def test_adding_a_conflict_between_running_tasks_is_refused(self, board: Board) -> None:
        a, b = await board.task(), await board.task()
        await board.patch(a["key"], status="in_progress")
        await board.patch(b["key"], status="in_progress")
        response = await board.patch(b["key"], conflicts_with=[a["key"]])
        assert response.status_code == 409
        assert response.json()["code"] == "conflict_in_progress"

    async def test_exclusive_task_runs_alone_in_its_epic(self, board: Board) -> None:
        await board.epic("payments")
        solo = await board.task(epic="payments", parallel=False)
        other = await board.task(epic="payments")
        elsewhere = await board.task()
        await board.patch(other["key"], status="in_progress")
        blocked = await board.patch(solo["key"], status="in_progress")
        assert blocked.status_code == 409
        assert blocked.json()["code"] == "exclusive_task_running"
        await board.patch(other["key"], status="done")
        assert (await board.patch(solo["key"], status="in_progress")).status_code == 200
        third = await board.task(epic="payments")
        assert third["ready"] is False
        refused = await board.patch(third["key"], status="in_progress")
        assert refused.json()["code"] == "exclusive_task_running"
        assert (await board.patch(elsewhere["key"], status="in_progress")).status_code == 200

    async def test_timestamps_follow_status(self, board: Board) -> None:
        task = await board.task()
        started = (await board.patch(task["key"], status="in_progress")).json()
        assert started["started_at"] is not None
        assert started["completed_at"] is None
        done = (await board.patch(task["key"], status="done")).json()
        assert done["completed_at"] is not None
        reopened = (await board.patch(task["key"], status="open")).json()
        assert reopened["completed_at"] is None
        assert reopened["started_at"] == started["started_at"]

    async def test_null_for_a_required_field_is_422(self, board: Board) -> None:
        task = await board.task()
        response = await board.patch(task["key"], title=None)
        assert response.status_code == 422
        assert (await board.patch(task["key"], epic=None)).status_code == 200
