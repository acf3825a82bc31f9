"""A live claim protects its task's status (SPEC 10.1); a task held by hand says so."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from httpx import Response

from epicflow.claims.jobs import sweep_expired_leases
from tests.support.board import Board
from tests.support.claims import call
from tests.support.transfer import epic_file, imported, task_file, zip_of
from tests.support.users import TestUser


async def _patch_as(
    board: Board, user: TestUser, key: str, *, force: bool = False, **fields: Any
) -> Response:
    params = {"force": "true"} if force else {}
    return await board.client.patch(
        f"/api/v1/tasks/{key}", json=fields, params=params, headers=user.headers
    )


async def _claimed(board: Board) -> tuple[str, dict[str, Any]]:
    task = await board.task()
    claim = await call(board, task["key"], "claim", worker="w1", lease_seconds=600)
    assert claim.status_code == 201, claim.text
    body: dict[str, Any] = claim.json()
    return task["key"], body


async def _event_types(board: Board, key: str) -> list[str]:
    events = await board.client.get(f"/api/v1/tasks/{key}/events", headers=board.owner.headers)
    return [event["type"] for event in events.json()["items"]]


class TestStatusOfAClaimedTask:
    async def test_a_member_cannot_change_it(self, board: Board) -> None:
        key, claim = await _claimed(board)
        member = await board.member("member")
        refused = await _patch_as(board, member, key, status="done")
        assert refused.status_code == 409
        assert refused.headers["content-type"] == "application/problem+json"
        body = refused.json()
        assert body["code"] == "claimed"
        assert body["claimed_by"] == "w1"
        assert body["lease_expires_at"] == claim["lease_expires_at"]
        task = await board.get(key)
        assert (task["status"], task["claimed_by"]) == ("in_progress", "w1")

    async def test_nor_can_the_owner_without_force(self, board: Board) -> None:
        key, _claim = await _claimed(board)
        for status in ("open", "done", "cancelled", "blocked"):
            refused = await board.patch(key, status=status)
            assert (refused.status_code, refused.json()["code"]) == (409, "claimed")

    async def test_other_fields_stay_editable_by_members(self, board: Board) -> None:
        key, claim = await _claimed(board)
        member = await board.member("member")
        edited = await _patch_as(board, member, key, title="Renamed while claimed", priority=0)
        assert edited.status_code == 200, edited.text
        labelled = await _patch_as(board, member, key, labels=["x"], status="in_progress")
        assert labelled.status_code == 200, labelled.text  # the same status is no change
        task = labelled.json()
        assert (task["title"], task["labels"], task["claimed_by"]) == (
            "Renamed while claimed",
            ["x"],
            "w1",
        )
        beat = await call(board, key, "heartbeat", claim_token=claim["claim_token"])
        assert beat.status_code == 200, beat.text

    async def test_force_is_for_admins(self, board: Board) -> None:
        key, _claim = await _claimed(board)
        member = await board.member("member")
        refused = await _patch_as(board, member, key, force=True, status="open")
        assert refused.status_code == 403
        assert (await board.get(key))["claimed_by"] == "w1"

    async def test_an_admin_forces_the_change_and_the_holder_loses_the_claim(
        self, board: Board
    ) -> None:
        key, claim = await _claimed(board)
        admin = await board.member("admin")
        forced = await _patch_as(board, admin, key, force=True, status="open")
        assert forced.status_code == 200, forced.text
        task = forced.json()
        assert (task["status"], task["claimed_by"], task["lease_expires_at"]) == (
            "open",
            None,
            None,
        )
        assert task["held"] is None
        types = await _event_types(board, key)
        assert types.index("claim.revoked") < types.index("task.status_changed")
        for action in ("heartbeat", "release", "complete"):
            lost = await call(board, key, action, claim_token=claim["claim_token"])
            assert (lost.status_code, lost.json()["code"]) == (409, "claim_lost"), action

    async def test_the_revocation_names_the_worker(self, board: Board) -> None:
        key, _claim = await _claimed(board)
        response = await board.client.patch(
            f"/api/v1/tasks/{key}",
            json={"status": "done"},
            params={"force": "true"},
            headers=board.owner.headers,
        )
        assert response.json()["status"] == "done"
        events = await board.client.get(f"/api/v1/tasks/{key}/events", headers=board.owner.headers)
        revoked = [e for e in events.json()["items"] if e["type"] == "claim.revoked"]
        assert [(e["data"]["worker"], e["actor"]) for e in revoked] == [("w1", board.owner.email)]

    async def test_a_forced_change_the_rules_refuse_leaves_the_claim(self, board: Board) -> None:
        key, claim = await _claimed(board)
        later = await board.task()
        assert (await board.patch(key, depends_on=[later["key"]])).status_code == 200
        refused = await _patch_as(board, board.owner, key, force=True, status="done")
        assert (refused.status_code, refused.json()["code"]) == (409, "blocked_by_dependencies")
        assert (await board.get(key))["held"] == "claim"
        assert "claim.revoked" not in await _event_types(board, key)
        beat = await call(board, key, "heartbeat", claim_token=claim["claim_token"])
        assert beat.status_code == 200, beat.text

    async def test_force_on_a_task_without_a_claim_just_applies(self, board: Board) -> None:
        task = await board.task()
        changed = await _patch_as(board, board.owner, task["key"], force=True, status="done")
        assert changed.status_code == 200, changed.text
        assert "claim.revoked" not in await _event_types(board, task["key"])


class TestHeld:
    async def test_by_claim_by_hand_and_not_at_all(self, board: Board) -> None:
        key, _claim = await _claimed(board)
        assert (await board.get(key))["held"] == "claim"
        by_hand = await board.task()
        patched = await board.patch(by_hand["key"], status="in_progress")
        assert patched.json()["held"] == "manual"
        assert (await board.get(by_hand["key"]))["held"] == "manual"
        free = await board.task()
        assert (await board.get(free["key"]))["held"] is None
        listed = {task["key"]: task["held"] for task in (await board.list())["items"]}
        assert listed == {key: "claim", by_hand["key"]: "manual", free["key"]: None}

    async def test_a_task_held_by_hand_cannot_be_claimed(self, board: Board) -> None:
        task = await board.task()
        await board.patch(task["key"], status="in_progress")
        refused = await call(board, task["key"], "claim", worker="w1")
        assert (refused.status_code, refused.json()["code"]) == (409, "not_open")

    async def test_a_task_held_by_hand_counts_as_running(self, board: Board) -> None:
        await board.epic("solo")
        held = await board.task(epic="solo", parallel=False)
        partner = await board.task(conflicts_with=[held["key"]])
        sibling = await board.task(epic="solo")
        await board.patch(held["key"], status="in_progress")
        for key, code in ((partner["key"], "conflict_in_progress"),
                          (sibling["key"], "exclusive_task_running")):  # fmt: skip
            refused = await call(board, key, "claim", worker="w1")
            assert refused.json()["code"] == code
            started = await board.patch(key, status="in_progress")
            assert started.json()["code"] == code

    async def test_a_held_task_never_expires(self, board: Board, app: FastAPI) -> None:
        task = await board.task()
        await board.patch(task["key"], status="in_progress")
        much_later = app.state.context.clock() + timedelta(days=365)
        assert await sweep_expired_leases(app.state.db, lambda: much_later) == 0
        view = await board.get(task["key"])
        assert (view["status"], view["held"]) == ("in_progress", "manual")
        assert (view["claimed_by"], view["lease_expires_at"]) == (None, None)

    async def test_an_imported_task_in_progress_is_held_by_hand(self, board: Board) -> None:
        files = {
            "epics/api/epic.md": epic_file("api"),
            "epics/api/001.md": task_file("Build the thing", status="in-progress"),
        }
        report = await imported(board.client, board.owner, board.key, zip_of(files))
        key = report["tasks"]["api/001"]
        view = await board.get(key)
        assert (view["status"], view["held"], view["claimed_by"]) == ("in_progress", "manual", None)
        refused = await call(board, key, "claim", worker="w1")
        assert (refused.status_code, refused.json()["code"]) == (409, "not_open")
