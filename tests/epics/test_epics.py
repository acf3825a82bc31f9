from __future__ import annotations

from tests.support.board import Board


class TestEpics:
    async def test_derived_counts_progress_and_hours(self, board: Board) -> None:
        epic = await board.epic("checkout", description="Pay for things", prd="docs/prd.md")
        assert epic["status"] == "backlog"
        assert epic["counts"]["total"] == 0
        assert epic["progress"] == 0
        a = await board.task(epic="checkout", estimate={"size": "M"})
        await board.task(epic="checkout", estimate={"hours": 3})
        c = await board.task(epic="checkout", estimate={"size": "XL"})
        await board.task(epic="checkout")
        await board.patch(a["key"], status="done")
        await board.patch(c["key"], status="cancelled")
        response = await board.client.get(
            "/api/v1/projects/WEB/epics/checkout", headers=board.owner.headers
        )
        body = response.json()
        assert body["counts"] == {
            "open": 2,
            "in_progress": 0,
            "blocked": 0,
            "done": 1,
            "cancelled": 1,
            "total": 4,
        }
        assert body["progress"] == 33  # 1 done of 3 that count (cancelled left out)
        assert body["hours_total"] == 11.0  # 8 + 3 + 0, cancelled XL left out
        assert body["hours_done"] == 8.0

    async def test_slug_is_unique_in_the_project(self, board: Board) -> None:
        await board.epic("checkout")
        again = await board.client.post(
            "/api/v1/projects/WEB/epics",
            json={"slug": "checkout", "title": "Again"},
            headers=board.owner.headers,
        )
        assert again.status_code == 409
        bad = await board.client.post(
            "/api/v1/projects/WEB/epics",
            json={"slug": "Not A Slug", "title": "x"},
            headers=board.owner.headers,
        )
        assert bad.status_code == 422

    async def test_update_list_and_delete(self, board: Board) -> None:
        await board.epic("b-epic")
        await board.epic("a-epic")
        changed = await board.client.patch(
            "/api/v1/projects/WEB/epics/a-epic",
            json={"status": "in_progress", "title": "Renamed"},
            headers=board.owner.headers,
        )
        assert changed.json()["status"] == "in_progress"
        listed = await board.client.get(
            "/api/v1/projects/WEB/epics", params={"limit": 1}, headers=board.owner.headers
        )
        assert [e["slug"] for e in listed.json()["items"]] == ["a-epic"]
        rest = await board.client.get(
            "/api/v1/projects/WEB/epics",
            params={"cursor": listed.json()["next_cursor"]},
            headers=board.owner.headers,
        )
        assert [e["slug"] for e in rest.json()["items"]] == ["b-epic"]
        deleted = await board.client.delete(
            "/api/v1/projects/WEB/epics/b-epic", headers=board.owner.headers
        )
        assert deleted.status_code == 204

    async def test_epic_with_tasks_cannot_be_deleted(self, board: Board) -> None:
        await board.epic("busy")
        await board.task(epic="busy")
        response = await board.client.delete(
            "/api/v1/projects/WEB/epics/busy", headers=board.owner.headers
        )
        assert response.status_code == 409
        assert response.json()["code"] == "epic_not_empty"

    async def test_idempotent_epic_creation(self, board: Board) -> None:
        headers = {**board.owner.headers, "Idempotency-Key": "epic-1"}
        body = {"slug": "once", "title": "Once"}
        first = await board.client.post("/api/v1/projects/WEB/epics", json=body, headers=headers)
        again = await board.client.post("/api/v1/projects/WEB/epics", json=body, headers=headers)
        assert first.status_code == again.status_code == 201
        assert first.json() == again.json()
