from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from tests.support.board import Board, make_board
from tests.support.users import UserFactory

FULL: dict[str, Any] = {
    "title": "Add webhook signature check",
    "priority": 1,
    "labels": ["backend", "security"],
    "description": "Verify the HMAC of incoming webhooks.",
    "tdd_requirements": "Write a failing test for a forged signature first.",
    "technical_details": "Use hmac.compare_digest.\n\tConstant time.",
    "acceptance_criteria": [{"text": "Forged requests get 401", "done": False}],
    "definition_of_done": [{"text": "Merged", "done": True}],
    "estimate": {"size": "S", "hours": 3.5},
    "parallel": False,
}


class TestCreate:
    async def test_task_carries_every_field_and_a_project_key(self, board: Board) -> None:
        task = await board.task(**FULL)
        assert task["key"] == "WEB-1"
        assert task["project"] == "WEB"
        for name, value in FULL.items():
            assert task[name] == value, name
        assert task["status"] == "open"
        assert task["version"] == 1
        assert task["ready"] is True
        assert task["blocked_by"] == []
        assert task["claimed_by"] is None
        assert task["created_at"].endswith("Z")

    async def test_defaults_and_unset_estimate(self, board: Board) -> None:
        task = await board.task()
        assert task["priority"] == 2
        assert task["parallel"] is True
        assert task["estimate"] == {"size": None, "hours": None}
        assert task["epic"] is None

    async def test_numbers_grow_and_are_never_reused(self, board: Board) -> None:
        first = await board.task()
        second = await board.task()
        deleted = await board.client.delete(
            f"/api/v1/tasks/{second['key']}", headers=board.owner.headers
        )
        assert deleted.status_code == 204
        third = await board.task()
        assert [first["key"], second["key"], third["key"]] == ["WEB-1", "WEB-2", "WEB-3"]

    async def test_links_status_and_event_are_written_with_the_task(self, board: Board) -> None:
        a, b = await board.task(), await board.task(status="done")
        epic = await board.client.post(
            "/api/v1/projects/WEB/epics",
            json={"slug": "hooks", "title": "Hooks"},
            headers=board.owner.headers,
        )
        assert epic.status_code == 201, epic.text
        task = await board.task(
            epic="hooks",
            status="blocked",
            depends_on=[b["key"], a["key"]],
            conflicts_with=[a["key"]],
            labels=["zeta", "alpha"],
            assignee=str(board.owner.id),
        )
        assert task["key"] == "WEB-3"
        assert task["epic"] == "hooks"
        assert task["status"] == "blocked"
        assert task["depends_on"] == ["WEB-1", "WEB-2"]
        assert task["blocked_by"] == ["WEB-1"]
        assert task["conflicts_with"] == ["WEB-1"]
        assert task["labels"] == ["alpha", "zeta"]
        assert task["assignee"] == str(board.owner.id)
        assert (task["started_at"], task["completed_at"]) == (None, None)
        partner = await board.client.get("/api/v1/tasks/WEB-1", headers=board.owner.headers)
        assert partner.json()["conflicts_with"] == ["WEB-3"]
        events = await board.client.get("/api/v1/tasks/WEB-3/events", headers=board.owner.headers)
        (created,) = events.json()["items"]
        assert created["type"] == "task.created"
        assert created["data"] == {"title": task["title"], "status": "blocked"}
        assert created["actor"] == board.owner.email
        cancelled = await board.task(status="cancelled")
        assert (cancelled["key"], cancelled["status"]) == ("WEB-4", "cancelled")
        assert cancelled["completed_at"] is None

    async def test_server_owned_fields_are_refused(self, board: Board) -> None:
        for field, value in [
            ("version", 9),
            ("claimed_by", "me"),
            ("key", "WEB-9"),
            ("ready", True),
        ]:
            response = await board.create(title="Do it", **{field: value})
            assert response.status_code == 422, field

    async def test_unknown_epic_is_422_naming_the_field(self, board: Board) -> None:
        response = await board.create(title="Do it", epic="nope")
        assert response.status_code == 422
        assert response.json()["code"] == "unknown_epic"
        assert response.json()["field"] == "epic"

    async def test_label_too_long_and_too_many_dependencies_are_422(self, board: Board) -> None:
        long_label = await board.create(title="Do it", labels=["x" * 51])
        assert long_label.status_code == 422
        many = await board.create(title="Do it", depends_on=[f"WEB-{n}" for n in range(1, 10_001)])
        assert many.status_code == 422
        assert any(e["loc"][-1] == "depends_on" for e in many.json()["errors"])
        control = await board.create(title="Do\x07it")
        assert control.status_code == 422
        assert (await board.list())["items"] == []


class TestReadAndDelete:
    async def test_get_sends_etag_of_the_version(self, board: Board) -> None:
        task = await board.task()
        response = await board.client.get(
            f"/api/v1/tasks/{task['key']}", headers=board.owner.headers
        )
        assert response.headers["etag"] == '"1"'

    async def test_missing_task_and_malformed_key_are_404_and_422(self, board: Board) -> None:
        missing = await board.client.get("/api/v1/tasks/WEB-99", headers=board.owner.headers)
        assert missing.status_code == 404
        malformed = await board.client.get("/api/v1/tasks/web-1", headers=board.owner.headers)
        assert malformed.status_code == 422

    async def test_non_member_gets_404_for_a_task(
        self, board: Board, client: AsyncClient, users: UserFactory
    ) -> None:
        task = await board.task()
        stranger = await users.create()
        response = await client.get(f"/api/v1/tasks/{task['key']}", headers=stranger.headers)
        assert response.status_code == 404

    async def test_viewer_reads_but_cannot_write_member_cannot_delete(
        self, board: Board, client: AsyncClient, users: UserFactory
    ) -> None:
        task = await board.task()
        viewer, member = await users.create(), await users.create()
        for user, role in ((viewer, "viewer"), (member, "member")):
            added = await client.post(
                "/api/v1/projects/WEB/members",
                json={"email": user.email, "role": role},
                headers=board.owner.headers,
            )
            assert added.status_code == 201
        url = f"/api/v1/tasks/{task['key']}"
        assert (await client.get(url, headers=viewer.headers)).status_code == 200
        assert (
            await client.patch(url, json={"priority": 0}, headers=viewer.headers)
        ).status_code == 403
        created = await client.post(
            "/api/v1/projects/WEB/tasks", json={"title": "Add x"}, headers=viewer.headers
        )
        assert created.status_code == 403
        assert (
            await client.patch(url, json={"priority": 0}, headers=member.headers)
        ).status_code == 200
        assert (await client.delete(url, headers=member.headers)).status_code == 403


class TestOptimisticConcurrency:
    async def test_stale_if_match_is_412_and_current_one_applies(self, board: Board) -> None:
        task = await board.task()
        ok = await board.patch(task["key"], headers={"If-Match": '"1"'}, title="Rename it")
        assert ok.status_code == 200
        assert ok.headers["etag"] == '"2"'
        stale = await board.patch(task["key"], headers={"If-Match": '"1"'}, title="Again")
        assert stale.status_code == 412
        assert (await board.get(task["key"]))["title"] == "Rename it"

    async def test_no_if_match_always_applies(self, board: Board) -> None:
        task = await board.task()
        response = await board.patch(task["key"], priority=0)
        assert response.json()["version"] == 2

    async def test_if_match_lists_weak_and_odd_tags_as_the_header_reads(self, board: Board) -> None:
        task = await board.task()
        for header in ('"01"', '"v1"', 'W/"2", "3"'):
            refused = await board.patch(task["key"], headers={"If-Match": header}, title="No")
            assert refused.status_code == 412, header
            assert refused.json()["current_version"] == 1
        listed = await board.patch(
            task["key"], headers={"If-Match": 'W/"7", "1"'}, acceptance_criteria=[{"text": "x"}]
        )
        assert listed.status_code == 200, listed.text
        assert listed.json()["acceptance_criteria"] == [{"text": "x", "done": False}]
        starred = await board.patch(task["key"], headers={"If-Match": "*"}, description="d")
        assert starred.json()["version"] == 3
        events = await board.client.get(
            f"/api/v1/tasks/{task['key']}/events", headers=board.owner.headers
        )
        fields = [event["data"] for event in events.json()["items"][1:]]
        assert fields == [{"fields": ["acceptance_criteria"]}, {"fields": ["description"]}]

    async def test_a_version_beyond_any_integer_column_is_412_not_an_error(
        self, board: Board
    ) -> None:
        task = await board.task()
        for tag in ("2147483648", "99999999999999999999", "-1", "-2147483649", "9" * 198):
            header = f'"{tag}"'
            for fields in ({"title": "No"}, {"labels": ["x"]}):  # one statement, and the ORM
                refused = await board.patch(task["key"], headers={"If-Match": header}, **fields)
                assert refused.status_code == 412, (tag[:20], refused.text)
                assert refused.headers["content-type"] == "application/problem+json"
                assert refused.json()["code"] == "version_mismatch"
                assert refused.json()["current_version"] == 1
        listed = await board.patch(
            task["key"], headers={"If-Match": '"2147483648", "1"'}, title="Renamed"
        )
        assert listed.status_code == 200, listed.text
        assert listed.json()["version"] == 2

    async def test_delete_honours_if_match(self, board: Board) -> None:
        task = await board.task()
        url = f"/api/v1/tasks/{task['key']}"
        stale = await board.client.delete(url, headers={**board.owner.headers, "If-Match": '"5"'})
        assert stale.status_code == 412


class TestIdempotency:
    async def test_same_key_and_body_replays_the_first_response(self, board: Board) -> None:
        headers = {**board.owner.headers, "Idempotency-Key": "abc-1"}
        url = "/api/v1/projects/WEB/tasks"
        first = await board.client.post(url, json={"title": "Add x"}, headers=headers)
        again = await board.client.post(url, json={"title": "Add x"}, headers=headers)
        assert first.status_code == again.status_code == 201
        assert first.json() == again.json()
        assert len((await board.list())["items"]) == 1

    async def test_same_key_with_another_body_is_422(self, board: Board) -> None:
        headers = {**board.owner.headers, "Idempotency-Key": "abc-2"}
        url = "/api/v1/projects/WEB/tasks"
        await board.client.post(url, json={"title": "Add x"}, headers=headers)
        other = await board.client.post(url, json={"title": "Add y"}, headers=headers)
        assert other.status_code == 422
        assert other.json()["code"] == "idempotency_key_reused"

    async def test_keys_are_per_user(
        self, board: Board, client: AsyncClient, users: UserFactory
    ) -> None:
        other = await make_board(client, users, key="OPS")
        headers = {"Idempotency-Key": "shared"}
        a = await board.client.post(
            "/api/v1/projects/WEB/tasks",
            json={"title": "Add x"},
            headers={**board.owner.headers, **headers},
        )
        b = await other.client.post(
            "/api/v1/projects/OPS/tasks",
            json={"title": "Add x"},
            headers={**other.owner.headers, **headers},
        )
        assert a.json()["key"] == "WEB-1"
        assert b.json()["key"] == "OPS-1"


class TestEvents:
    async def test_every_change_is_recorded_in_order(self, board: Board) -> None:
        task = await board.task()
        await board.patch(task["key"], status="in_progress")
        await board.patch(task["key"], status="done")
        response = await board.client.get(
            f"/api/v1/tasks/{task['key']}/events", headers=board.owner.headers
        )
        types = [event["type"] for event in response.json()["items"]]
        assert types == [
            "task.created",
            "task.updated",
            "task.status_changed",
            "task.updated",
            "task.status_changed",
        ]
        changed = response.json()["items"][2]
        assert changed["data"] == {"from": "open", "to": "in_progress"}
        assert changed["actor"] == board.owner.email
        assert changed["task"] == task["key"]

    async def test_project_feed_pages_with_a_cursor(self, board: Board) -> None:
        for _ in range(3):
            await board.task()
        url = "/api/v1/projects/WEB/events"
        first = (
            await board.client.get(url, params={"limit": 2}, headers=board.owner.headers)
        ).json()
        rest = (
            await board.client.get(
                url,
                params={"limit": 2, "cursor": first["next_cursor"]},
                headers=board.owner.headers,
            )
        ).json()
        keys = [e["task"] for e in first["items"] + rest["items"]]
        assert keys == ["WEB-1", "WEB-2", "WEB-3"]
        assert rest["next_cursor"] is None
