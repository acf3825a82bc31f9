"""POST /projects/{key}/import: ccpm archives and JSON bundles, all or nothing."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient

from tests.support.board import Board
from tests.support.transfer import (
    PAYMENT,
    all_tasks,
    bundle_bytes,
    epic_file,
    folder_files,
    import_archive,
    imported,
    payment_zip,
    project_events,
    tar_gz_of,
    task_file,
    zip_of,
)

NOTHING = {"epics": 0, "tasks": 0}
BOM = "\ufeff".encode()


def by_key(tasks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {task["key"]: task for task in tasks}


class TestSampleEpic:
    async def test_imports_the_example_with_status_edges_and_fields_as_written(
        self, client: AsyncClient, board: Board
    ) -> None:
        report = await imported(client, board.owner, "WEB", payment_zip())
        assert report["dry_run"] is False
        assert report["created"] == {"epics": 1, "tasks": 8}
        assert report["updated"] == report["unchanged"] == NOTHING
        assert report["tasks"]["payment-webhooks/001"] == "WEB-1"
        tasks = by_key(await all_tasks(client, board.owner, "WEB"))
        assert [tasks[f"WEB-{n}"]["status"] for n in (1, 2, 7)] == [
            "done",
            "in_progress",
            "blocked",
        ]
        fourth = tasks["WEB-4"]
        assert fourth["depends_on"] == ["WEB-2", "WEB-3"]
        assert fourth["conflicts_with"] == ["WEB-5"]
        assert tasks["WEB-5"]["conflicts_with"] == ["WEB-4"]
        assert fourth["estimate"] == {"size": "L", "hours": 12.0}
        assert fourth["labels"] == ["backend"]
        assert fourth["epic"] == "payment-webhooks"
        assert tasks["WEB-3"]["parallel"] is False
        assert tasks["WEB-1"]["created_at"] == "2025-08-01T09:30:00Z"
        assert tasks["WEB-1"]["completed_at"] == "2025-08-02T11:00:00Z"
        assert tasks["WEB-2"]["started_at"] == "2025-08-05T10:00:00Z"

    async def test_the_epic_keeps_its_title_status_and_prd(
        self, client: AsyncClient, board: Board
    ) -> None:
        await imported(client, board.owner, "WEB", payment_zip())
        response = await client.get(
            "/api/v1/projects/WEB/epics/payment-webhooks", headers=board.owner.headers
        )
        epic = response.json()
        assert (epic["title"], epic["status"]) == ("Payment webhooks", "in_progress")
        assert epic["prd"] == ".claude/prds/payment-webhooks.md"
        assert epic["counts"]["total"] == 8

    async def test_records_events_marked_as_coming_from_an_import(
        self, client: AsyncClient, board: Board
    ) -> None:
        await imported(client, board.owner, "WEB", payment_zip())
        events = await project_events(client, board.owner, "WEB")
        types = [event["type"] for event in events]
        assert types.count("task.created") == 8
        assert (types[0], types[-1]) == ("epic.created", "project.imported")
        assert all(event["data"]["source"] == "import" for event in events)
        assert all(event["actor"] == board.owner.email for event in events)

    async def test_a_tar_gz_with_claude_epics_imports_the_same(
        self, client: AsyncClient, board: Board
    ) -> None:
        files = folder_files(PAYMENT, ".claude/epics/payment-webhooks")
        report = await imported(client, board.owner, "WEB", tar_gz_of(files))
        assert report["created"] == {"epics": 1, "tasks": 8}


class TestDryRun:
    async def test_reports_the_same_and_writes_nothing(
        self, client: AsyncClient, board: Board
    ) -> None:
        response = await import_archive(client, board.owner, "WEB", payment_zip(), dry_run=True)
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["dry_run"] is True
        assert report["created"] == {"epics": 1, "tasks": 8}
        assert report["tasks"]["payment-webhooks/008"] == "WEB-8"
        assert await all_tasks(client, board.owner, "WEB") == []
        assert await project_events(client, board.owner, "WEB") == []
        real = await imported(client, board.owner, "WEB", payment_zip())
        assert real["tasks"] == report["tasks"]


class TestReimport:
    async def test_the_same_files_again_change_nothing_and_say_so(
        self, client: AsyncClient, board: Board
    ) -> None:
        await imported(client, board.owner, "WEB", payment_zip())
        before = await all_tasks(client, board.owner, "WEB")
        events = await project_events(client, board.owner, "WEB")
        again = await imported(client, board.owner, "WEB", payment_zip())
        assert again["created"] == again["updated"] == NOTHING
        assert again["unchanged"] == {"epics": 1, "tasks": 8}
        assert await all_tasks(client, board.owner, "WEB") == before
        assert await project_events(client, board.owner, "WEB") == events

    async def test_an_edited_file_updates_its_task_only(
        self, client: AsyncClient, board: Board
    ) -> None:
        files = folder_files(PAYMENT, "epics/payment-webhooks")
        await imported(client, board.owner, "WEB", zip_of(files))
        path = "epics/payment-webhooks/006.md"
        files[path] = files[path].replace(b"status: open", b"status: closed")
        report = await imported(client, board.owner, "WEB", zip_of(files))
        assert report["updated"] == {"epics": 0, "tasks": 1}
        assert report["unchanged"] == {"epics": 1, "tasks": 7}
        task = await board.get("WEB-6")
        assert (task["status"], task["version"]) == ("done", 2)
        assert task["completed_at"] is not None
        types = [e["type"] for e in await project_events(client, board.owner, "WEB")]
        assert types[-3:] == ["task.updated", "task.status_changed", "project.imported"]

    async def test_a_key_of_the_project_matches_whatever_the_path(
        self, client: AsyncClient, board: Board
    ) -> None:
        existing = await board.task("Write the docs")
        files = {
            "epics/docs/epic.md": epic_file("docs"),
            "epics/docs/001.md": task_file(
                "Write the docs", key=existing["key"], status="in-progress"
            ),
        }
        report = await imported(client, board.owner, "WEB", zip_of(files))
        assert report["created"] == {"epics": 1, "tasks": 0}
        assert report["tasks"] == {"docs/001": existing["key"]}
        task = await board.get(existing["key"])
        assert (task["epic"], task["status"]) == ("docs", "in_progress")

    async def test_a_file_without_key_matches_the_task_imported_from_its_path(
        self, client: AsyncClient, board: Board
    ) -> None:
        files = {"epics/docs/001.md": task_file("Write the docs")}
        first = await imported(client, board.owner, "WEB", zip_of(files))
        files["epics/docs/001.md"] = task_file("Write the docs", priority=0)
        second = await imported(client, board.owner, "WEB", zip_of(files))
        assert second["tasks"] == first["tasks"]
        assert second["updated"]["tasks"] == 1
        assert (await board.get(first["tasks"]["docs/001"]))["priority"] == 0

    async def test_a_key_of_another_project_does_not_match(
        self, client: AsyncClient, board: Board
    ) -> None:
        mine = await board.task("Mine")
        files = {"epics/docs/001.md": task_file("Theirs", key="OTHER-1")}
        report = await imported(client, board.owner, "WEB", zip_of(files))
        assert report["created"]["tasks"] == 1
        assert report["tasks"]["docs/001"] != mine["key"]

    async def test_two_files_naming_one_task_are_refused(
        self, client: AsyncClient, board: Board
    ) -> None:
        task = await board.task("Once")
        files = {
            "epics/docs/001.md": task_file("Once", key=task["key"]),
            "epics/docs/002.md": task_file("Twice", key=task["key"]),
        }
        response = await import_archive(client, board.owner, "WEB", zip_of(files))
        assert response.status_code == 422
        assert response.json()["code"] == "duplicate_task"
        assert response.json()["file"] == "epics/docs/002.md"


class TestByteOrderMark:
    """Editors on Windows save UTF-8 with a byte order mark; an upload that starts with one
    is read as if it had none."""

    @pytest.mark.parametrize("dry_run", [False, True])
    async def test_a_json_bundle_imports(
        self, client: AsyncClient, board: Board, dry_run: bool
    ) -> None:
        bundle = {
            "epics": [{"slug": "docs", "title": "Docs"}],
            "tasks": [{"key": "OLD-1", "title": "Write it", "epic": "docs"}],
        }
        data = BOM + bundle_bytes(bundle)
        response = await import_archive(
            client, board.owner, "WEB", data, filename="web.json", dry_run=dry_run
        )
        assert response.status_code == 200, response.text
        assert response.json()["created"] == {"epics": 1, "tasks": 1}
        assert response.json()["tasks"] == {"OLD-1": "WEB-1"}
        assert len(await all_tasks(client, board.owner, "WEB")) == (0 if dry_run else 1)

    async def test_markdown_files_in_an_archive_import(
        self, client: AsyncClient, board: Board
    ) -> None:
        files = {
            "epics/docs/epic.md": BOM + epic_file("docs").encode(),
            "epics/docs/001.md": BOM + task_file("Write it", priority=0).encode(),
        }
        report = await imported(client, board.owner, "WEB", zip_of(files))
        assert report["created"] == {"epics": 1, "tasks": 1}
        assert (await board.get(report["tasks"]["docs/001"]))["priority"] == 0


class TestAccess:
    @pytest.mark.parametrize("role", ["viewer", "member"])
    async def test_below_admin_gets_403_and_nothing_changes(
        self, client: AsyncClient, board: Board, role: str
    ) -> None:
        user = await board.member(role)
        response = await import_archive(client, user, "WEB", payment_zip())
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"
        assert await all_tasks(client, board.owner, "WEB") == []

    async def test_an_admin_may_import(self, client: AsyncClient, board: Board) -> None:
        admin = await board.member("admin")
        response = await import_archive(client, admin, "WEB", payment_zip())
        assert response.status_code == 200

    async def test_a_stranger_gets_404(self, client: AsyncClient, board: Board) -> None:
        stranger = await board.member("viewer")
        response = await import_archive(client, stranger, "NOPE", payment_zip())
        assert response.status_code == 404
