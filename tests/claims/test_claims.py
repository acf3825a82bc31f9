"""Claims, leases and fencing tokens through the API."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from epicflow.claims.jobs import sweep_expired_leases
from tests.support.board import Board
from tests.support.claims import call, claim_next


class TestClaimNext:
    async def test_takes_work_in_priority_then_critical_then_number_order(
        self, board: Board
    ) -> None:
        low = await board.task(priority=3)
        short = await board.task(estimate={"hours": 1})
        long = await board.task(estimate={"hours": 2})
        await board.task(estimate={"hours": 8}, depends_on=[short["key"]])
        order = []
        for _ in range(3):
            response = await claim_next(board)
            assert response.status_code == 201
            order.append(response.json()["task"]["key"])
        # short has 1 + 8 downstream hours, long 2, low is priority 3
        assert order == [short["key"], long["key"], low["key"]]

    async def test_claim_shape_and_state(self, board: Board) -> None:
        # The first claim after a change of the graph refreshes the claim order; the second
        # takes the short way (on PostgreSQL one call that answers the task too).
        for labels in (["a"], ["b", "c"]):
            await board.task(labels=labels, acceptance_criteria=[{"text": "works"}])
        for _ in range(2):
            body = (await claim_next(board, lease_seconds=60)).json()
            task = body["task"]
            assert task["status"] == "in_progress"
            assert task["claimed_by"] == "w1"
            assert task["lease_expires_at"] == body["lease_expires_at"]
            assert len(body["claim_token"]) >= 20
            assert task["ready"] is False
            assert task == await board.get(task["key"])  # the task as the claim left it

    async def test_nothing_ready_is_204(self, board: Board) -> None:
        a = await board.task()
        await board.task(depends_on=[a["key"]])
        assert (await claim_next(board)).status_code == 201
        assert (await claim_next(board)).status_code == 204

    async def test_epic_and_label_filters(self, board: Board) -> None:
        await board.epic("api")
        await board.task(labels=["ui", "fast"])
        first = await board.task(epic="api", labels=["ui", "fast"])
        second = await board.task(epic="api", labels=["fast", "x", "ui"])
        last = await board.task(epic="api", labels=["fast"])
        # The first claim after a graph change refreshes the claim order and the next does not:
        # on PostgreSQL the long way, then the one call.
        for wanted in (first, second):
            response = await claim_next(board, epic="api", labels=["ui", "fast"])
            assert response.json()["task"]["key"] == wanted["key"]
        assert (await claim_next(board, epic="api", labels=["ui"])).status_code == 204
        assert (await claim_next(board, epic="nope")).status_code == 204
        assert (await claim_next(board, epic="api")).json()["task"]["key"] == last["key"]
        assert (await claim_next(board, epic="api")).status_code == 204

    async def test_conflicts_and_exclusivity_hold(self, board: Board) -> None:
        await board.epic("solo")
        a = await board.task(epic="solo", parallel=False)
        await board.task(epic="solo")
        await board.task(conflicts_with=[a["key"]])
        first = await claim_next(board)
        assert first.json()["task"]["key"] == a["key"]
        assert (await claim_next(board)).status_code == 204

    async def test_viewer_cannot_claim(self, board: Board) -> None:
        await board.task()
        viewer = await board.member("viewer")
        response = await board.client.post(
            "/api/v1/projects/WEB/claims", json={"worker": "v"}, headers=viewer.headers
        )
        assert response.status_code == 403


class TestNamedClaim:
    async def test_reasons_for_refusal(self, board: Board) -> None:
        a = await board.task()
        b = await board.task(depends_on=[a["key"]])
        c = await board.task(conflicts_with=[a["key"]])
        done = await board.task(status="done")
        assert (await call(board, a["key"], "claim", worker="w1")).status_code == 201
        again = await call(board, a["key"], "claim", worker="w2")
        assert again.json()["code"] == "already_claimed"
        assert (await call(board, b["key"], "claim", worker="w2")).json()["code"] == (
            "blocked_by_dependencies"
        )
        assert (await call(board, c["key"], "claim", worker="w2")).json()["code"] == (
            "conflict_in_progress"
        )
        assert (await call(board, done["key"], "claim", worker="w2")).json()["code"] == "not_open"


class TestLeases:
    async def test_heartbeat_release_complete_need_the_current_token(self, board: Board) -> None:
        a = await board.task()
        claim = (await call(board, a["key"], "claim", worker="w1", lease_seconds=30)).json()
        token = claim["claim_token"]
        for action in ("heartbeat", "release", "complete"):
            wrong = await call(board, a["key"], action, claim_token="not-the-token")
            assert wrong.status_code == 409
            assert wrong.json()["code"] == "claim_lost"
        beat = await call(board, a["key"], "heartbeat", claim_token=token, lease_seconds=600)
        assert beat.json()["lease_expires_at"] > claim["lease_expires_at"]
        released = await call(board, a["key"], "release", claim_token=token)
        assert released.json()["status"] == "open"
        assert released.json()["claimed_by"] is None
        assert (await call(board, a["key"], "complete", claim_token=token)).status_code == 409

    async def test_complete_finishes_and_unblocks(self, board: Board) -> None:
        a = await board.task()
        b = await board.task(depends_on=[a["key"]])
        token = (await call(board, a["key"], "claim", worker="w1")).json()["claim_token"]
        done = await call(board, a["key"], "complete", claim_token=token)
        assert done.json()["status"] == "done"
        assert done.json()["completed_at"] is not None
        assert done.json() == await board.get(a["key"])  # the task as the completion left it
        assert (await board.get(b["key"]))["ready"] is True

    async def test_expired_lease_is_reclaimed_and_the_old_token_is_dead(
        self, board: Board, app: FastAPI
    ) -> None:
        a = await board.task()
        old = (await call(board, a["key"], "claim", worker="w1", lease_seconds=5)).json()
        context = app.state.context
        real_clock = context.clock
        context.clock = lambda: real_clock() + timedelta(seconds=10)
        try:
            new = await claim_next(board, worker="w2")
            assert new.json()["task"]["key"] == a["key"]
            stale = await call(board, a["key"], "complete", claim_token=old["claim_token"])
            assert stale.json()["code"] == "claim_lost"
            fresh = await call(board, a["key"], "complete", claim_token=new.json()["claim_token"])
            assert fresh.status_code == 200
        finally:
            context.clock = real_clock
        events = await board.client.get(
            f"/api/v1/tasks/{a['key']}/events", headers=board.owner.headers
        )
        types = [e["type"] for e in events.json()["items"]]
        assert types[-4:] == ["claim.acquired", "claim.expired", "claim.acquired", "task.completed"]

    async def test_release_and_complete_record_the_worker_that_held_the_claim(
        self, board: Board
    ) -> None:
        a = await board.task()
        first = (await call(board, a["key"], "claim", worker="w1", lease_seconds=60)).json()
        released = await call(board, a["key"], "release", claim_token=first["claim_token"])
        assert released.json()["status"] == "open"
        assert released.json()["version"] == 3
        second = (await call(board, a["key"], "claim", worker="w2", lease_seconds=60)).json()
        done = await call(board, a["key"], "complete", claim_token=second["claim_token"])
        assert (done.json()["status"], done.json()["claimed_by"]) == ("done", None)
        again = await call(board, a["key"], "complete", claim_token=second["claim_token"])
        assert again.json()["code"] == "claim_lost"
        events = await board.client.get(
            f"/api/v1/tasks/{a['key']}/events", headers=board.owner.headers
        )
        finished = [
            (e["type"], e["data"], e["actor"])
            for e in events.json()["items"]
            if e["type"] in {"claim.released", "task.completed"}
        ]
        assert finished == [
            ("claim.released", {"worker": "w1"}, board.owner.email),
            ("task.completed", {"worker": "w2"}, board.owner.email),
        ]

    async def test_sweeper_returns_expired_tasks_to_open(self, board: Board, app: FastAPI) -> None:
        a = await board.task()
        await call(board, a["key"], "claim", worker="w1", lease_seconds=5)
        context = app.state.context
        later = context.clock() + timedelta(seconds=6)
        assert await sweep_expired_leases(app.state.db, lambda: later) == 1
        assert await sweep_expired_leases(app.state.db, lambda: later) == 0
        task = await board.get(a["key"])
        assert task["status"] == "open"
        assert task["claimed_by"] is None
