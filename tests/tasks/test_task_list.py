"""Filters, sort, keyset pagination, full-text search and a constant number of queries."""

from __future__ import annotations

from typing import Any

import pytest

from epicflow.platform.db import Database
from tests.support.board import Board
from tests.support.statements import count_statements


def keys(page: dict[str, Any]) -> list[str]:
    return [item["key"] for item in page["items"]]


class TestFilters:
    async def test_status_epic_label_and_assignee(self, board: Board) -> None:
        await board.epic("api")
        a = await board.task(epic="api", labels=["backend", "urgent"])
        b = await board.task(labels=["backend"], assignee=board.owner.id)
        c = await board.task(status="done")
        assert keys(await board.list(status="done")) == [c["key"]]
        assert keys(await board.list(status=["open", "done"])) == [a["key"], b["key"], c["key"]]
        assert keys(await board.list(epic="api")) == [a["key"]]
        assert keys(await board.list(label=["backend", "urgent"])) == [a["key"]]
        assert keys(await board.list(label="backend")) == [a["key"], b["key"]]
        assert keys(await board.list(assignee="me")) == [b["key"]]
        assert keys(await board.list(assignee=board.owner.id)) == [b["key"]]
        assert keys(await board.list(assignee="none")) == [a["key"], c["key"]]

    async def test_ready_and_blocked(self, board: Board) -> None:
        a = await board.task()
        b = await board.task(depends_on=[a["key"]])
        c = await board.task(conflicts_with=[a["key"]])
        manual = await board.task(status="blocked")
        assert keys(await board.list(ready="true")) == [a["key"], c["key"]]
        assert keys(await board.list(blocked="true")) == [b["key"]]
        assert keys(await board.list(status="blocked")) == [manual["key"]]
        await board.patch(a["key"], status="in_progress")
        assert keys(await board.list(ready="true")) == []
        await board.patch(a["key"], status="done")
        assert keys(await board.list(ready="true")) == [b["key"], c["key"]]

    async def test_ready_filter_agrees_with_the_ready_flag(self, board: Board) -> None:
        await board.epic("solo")
        a = await board.task(epic="solo", parallel=False)
        await board.task(epic="solo")
        await board.task(depends_on=[a["key"]])
        await board.task(conflicts_with=[a["key"]])
        await board.patch(a["key"], status="in_progress")
        await board.task()
        listed = await board.list()
        flagged = [item["key"] for item in listed["items"] if item["ready"]]
        assert keys(await board.list(ready="true")) == flagged
        not_ready = [item["key"] for item in listed["items"] if not item["ready"]]
        assert keys(await board.list(ready="false")) == not_ready

    async def test_full_text_search_over_title_and_description(self, board: Board) -> None:
        await board.task(title="Implement payment webhooks", description="Stripe signatures")
        await board.task(title="Write onboarding docs", description="Explain webhook setup")
        await board.task(title="Refactor billing")
        assert len(keys(await board.list(q="webhooks"))) == 2  # stemming: webhook ~ webhooks
        assert keys(await board.list(q="stripe")) == ["WEB-1"]
        assert keys(await board.list(q='payment "); DROP TABLE task; --')) == []
        assert keys(await board.list(q="refactor billing")) == ["WEB-3"]

    async def test_search_follows_edits_status_changes_and_deletes(self, board: Board) -> None:
        first = await board.task(title="Rotate signing keys", description="Quarterly")
        second = await board.task(title="Tune the cache", description="Eviction policy")
        await board.patch(first["key"], title="Archive audit logs")
        await board.patch(second["key"], description="Warm-up on deploy")
        await board.patch(second["key"], status="in_progress")  # title and text untouched
        assert keys(await board.list(q="signing")) == []
        assert keys(await board.list(q="archive")) == [first["key"]]
        assert keys(await board.list(q="quarterly")) == [first["key"]]
        assert keys(await board.list(q="eviction")) == []
        assert keys(await board.list(q="deploy")) == [second["key"]]
        assert keys(await board.list(q="cache")) == [second["key"]]
        deleted = await board.client.delete(
            f"/api/v1/tasks/{first['key']}", headers=board.owner.headers
        )
        assert deleted.status_code == 204, deleted.text
        assert keys(await board.list(q="archive")) == []

    async def test_claimed_by_and_updated_since(self, board: Board) -> None:
        first = await board.task()
        later = await board.task()
        assert keys(await board.list(updated_since=later["updated_at"])) == [later["key"]]
        assert keys(await board.list(claimed_by="worker-1")) == []
        assert first["key"] not in keys(await board.list(updated_since=later["updated_at"]))


class TestSortAndPages:
    async def test_sorts_from_the_allow_list(self, board: Board) -> None:
        await board.task(priority=3)
        await board.task(priority=0)
        await board.task(priority=3)
        assert keys(await board.list(sort="priority")) == ["WEB-2", "WEB-1", "WEB-3"]
        assert keys(await board.list(sort="-priority")) == ["WEB-3", "WEB-1", "WEB-2"]
        assert keys(await board.list(sort="-key")) == ["WEB-3", "WEB-2", "WEB-1"]
        assert keys(await board.list(sort="created_at")) == ["WEB-1", "WEB-2", "WEB-3"]

    async def test_unknown_sort_and_oversize_limit_are_422(self, board: Board) -> None:
        url = "/api/v1/projects/WEB/tasks"
        for params in ({"sort": "title"}, {"limit": 201}, {"cursor": "!!"}, {"assignee": "bob"}):
            response = await board.client.get(url, params=params, headers=board.owner.headers)
            assert response.status_code == 422, params

    async def test_bad_filters_are_422_naming_the_parameter(self, board: Board) -> None:
        url = "/api/v1/projects/WEB/tasks"
        cases: list[tuple[dict[str, str | list[str]], str]] = [
            ({"limit": "many"}, "limit"),
            ({"status": ["open", "sleeping"]}, "status.1"),
            ({"ready": "perhaps"}, "ready"),
            ({"updated_since": "2026-01-01T00:00:00"}, "updated_since"),
            ({"label": "has space"}, "label.0"),
        ]
        for params, name in cases:
            response = await board.client.get(url, params=params, headers=board.owner.headers)
            assert response.status_code == 422, params
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["detail"] == f"Invalid input: {name}", response.json()
        stranger = await board.client.get(url, params={"limit": "many"})
        assert stranger.status_code == 401  # who asks is settled before what is asked

    @pytest.mark.parametrize("sort", ["key", "-priority", "updated_at", "-created_at"])
    async def test_cursor_walks_every_task_once_despite_inserts(
        self, board: Board, sort: str
    ) -> None:
        for index in range(7):
            await board.task(priority=index % 3)
        seen: list[str] = []
        page = await board.list(limit=3, sort=sort)
        while True:
            seen += keys(page)
            if page["next_cursor"] is None:
                break
            await board.task(priority=1)  # concurrent inserts never repeat or skip earlier rows
            page = await board.list(limit=3, sort=sort, cursor=page["next_cursor"])
        assert len(seen) == len(set(seen))
        assert {f"WEB-{n}" for n in range(1, 8)} <= set(seen)

    async def test_a_cursor_from_another_sort_is_refused(self, board: Board) -> None:
        for _ in range(3):
            await board.task()
        page = await board.list(limit=1, sort="key")
        response = await board.client.get(
            "/api/v1/projects/WEB/tasks",
            params={"sort": "priority", "cursor": page["next_cursor"]},
            headers=board.owner.headers,
        )
        assert response.status_code == 422


class TestQueryCount:
    async def test_listing_costs_the_same_statements_for_20_or_200_tasks(
        self, board: Board, db: Database
    ) -> None:
        await board.epic("core")
        previous: str | None = None
        for index in range(200):
            fields: dict[str, Any] = {"labels": ["a", "b"], "epic": "core" if index % 2 else None}
            if previous:
                fields["depends_on"] = [previous]
                fields["conflicts_with"] = [previous]
            previous = (await board.task(**fields))["key"]
        async with count_statements(db) as small:
            assert len((await board.list(limit=20))["items"]) == 20
        async with count_statements(db) as large:
            page = await board.list(limit=200)
        assert len(page["items"]) == 200
        assert page["items"][5]["depends_on"] == ["WEB-5"]
        assert page["items"][5]["labels"] == ["a", "b"]
        assert len(large) == len(small)
        # the page alone, which reads the caller's access itself (on SQLite after its BEGIN)
        assert len([sql for sql in large if sql != "BEGIN"]) == 1, large
