"""Files beside the tasks (notes, ccpm's updates and analyses, scripts) and archived epics
survive import and export: kept as attachments, tied to their task, reported file by file."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from epicflow.markdown import MAX_FILE_BYTES
from tests.support.board import Board
from tests.support.transfer import (
    bundle_bytes,
    epic_file,
    export_json,
    export_tree,
    import_archive,
    imported,
    new_project,
    tar_gz_of,
    task_file,
    zip_of,
)

SCRIPT = b"#!/bin/sh\n\x00\xff\xfe not utf-8\n"
BESIDE: dict[str, bytes] = {
    "epics/pay/3-analysis.md": b"# Analysis of task 3\n",
    "epics/pay/updates/3/progress.md": b"half done\r\n",
    "epics/pay/updates/003/stream-A.md": b"stream A\n",
    "epics/pay/updates/1/notes.md": b"one\n",
    "epics/pay/execution-status.md": b"running\n",
    "epics/pay/github-mapping.md": b"#1 -> 001\n",
    "epics/pay/test-foo.sh": SCRIPT,
    "epics/pay/README.md": b"readme\n",
    "epics/pay/plan.md": b"plan\n",
}
TASKS: dict[str, bytes] = {
    "epics/pay/epic.md": epic_file("pay").encode(),
    "epics/pay/001.md": task_file("Build one").encode(),
    "epics/pay/003.md": task_file("Build three").encode(),
}
OUTSIDE: dict[str, bytes] = {"README.md": b"project\n", "prds/pay.md": b"prd\n"}
ARCHIVED: dict[str, bytes] = {
    "epics/archived/old/epic.md": epic_file("old").encode(),
    "epics/archived/old/001.md": task_file("Old work", status="closed").encode(),
    "epics/archived/old/updates/1/final.md": b"shipped\n",
}


def kinds(report: dict[str, Any]) -> dict[str, str]:
    return {item["path"]: item["kind"] for item in report["files"]}


def beside(files: dict[str, bytes]) -> dict[str, bytes]:
    return {path: data for path, data in files.items() if path in BESIDE}


class TestImport:
    async def test_the_report_names_every_file_and_what_became_of_it(
        self, client: AsyncClient, board: Board
    ) -> None:
        upload = zip_of({**TASKS, **BESIDE, **OUTSIDE})
        response = await import_archive(client, board.owner, "WEB", upload, dry_run=True)
        assert response.status_code == 200, response.text
        report = response.json()
        assert kinds(report) == {
            "epics/pay/epic.md": "epic",
            "epics/pay/001.md": "task",
            "epics/pay/003.md": "task",
            **dict.fromkeys(BESIDE, "attachment"),
            **dict.fromkeys(OUTSIDE, "skipped"),
        }
        assert [item["path"] for item in report["files"]] == sorted(kinds(report))
        skipped = [item for item in report["files"] if item["kind"] == "skipped"]
        assert {item["reason"] for item in skipped} == {"outside any epic folder"}
        assert await export_tree(client, board.owner, "WEB") == {}

    async def test_export_gives_every_file_back_byte_for_byte(
        self, client: AsyncClient, board: Board
    ) -> None:
        await imported(client, board.owner, "WEB", zip_of({**TASKS, **BESIDE, **OUTSIDE}))
        files = await export_tree(client, board.owner, "WEB")
        assert beside(files) == BESIDE
        assert not set(OUTSIDE) & set(files)

    async def test_reimport_updates_them_without_duplicates_and_keeps_the_missing(
        self, client: AsyncClient, board: Board
    ) -> None:
        await imported(client, board.owner, "WEB", zip_of({**TASKS, **BESIDE}))
        changed = {"epics/pay/updates/3/progress.md": b"all done\n"}
        await imported(client, board.owner, "WEB", tar_gz_of({**TASKS, **changed}))
        files = await export_tree(client, board.owner, "WEB")
        assert beside(files) == {**BESIDE, **changed}

    async def test_a_file_over_the_cap_is_a_422_naming_it(
        self, client: AsyncClient, board: Board
    ) -> None:
        big = {"epics/pay/dump.bin": b"\0" * (MAX_FILE_BYTES + 1)}
        response = await import_archive(client, board.owner, "WEB", zip_of({**TASKS, **big}))
        assert response.status_code == 422
        assert response.json()["file"] == "epics/pay/dump.bin"


class TestTiedToTheirTask:
    async def test_updates_and_analysis_of_a_deleted_task_go_with_it(
        self, client: AsyncClient, board: Board
    ) -> None:
        report = await imported(client, board.owner, "WEB", zip_of({**TASKS, **BESIDE}))
        third = report["tasks"]["pay/003"]
        deleted = await client.delete(f"/api/v1/tasks/{third}", headers=board.owner.headers)
        assert deleted.status_code == 204, deleted.text
        files = await export_tree(client, board.owner, "WEB")
        gone = {
            "epics/pay/3-analysis.md",
            "epics/pay/updates/3/progress.md",
            "epics/pay/updates/003/stream-A.md",
        }
        assert beside(files) == {p: d for p, d in BESIDE.items() if p not in gone}


class TestArchived:
    async def test_an_archived_epic_round_trips_under_archived(
        self, client: AsyncClient, board: Board
    ) -> None:
        report = await imported(client, board.owner, "WEB", zip_of({**TASKS, **ARCHIVED}))
        assert report["created"] == {"epics": 2, "tasks": 3}
        epic = await client.get("/api/v1/projects/WEB/epics/old", headers=board.owner.headers)
        assert epic.json()["counts"]["done"] == 1
        files = await export_tree(client, board.owner, "WEB")
        assert files["epics/archived/old/updates/1/final.md"] == b"shipped\n"
        assert "epics/archived/old/epic.md" in files
        assert "epics/archived/old/001.md" in files
        assert not any(path.startswith("epics/old/") for path in files)
        again = await imported(client, board.owner, "WEB", tar_gz_of(files))
        assert again["unchanged"] == {"epics": 2, "tasks": 3}
        assert await export_tree(client, board.owner, "WEB") == files

    async def test_an_archived_epic_clashing_with_a_live_one_is_reported_skipped(
        self, client: AsyncClient, board: Board
    ) -> None:
        clashing = {path.replace("/old/", "/pay/"): data for path, data in ARCHIVED.items()}
        report = await imported(client, board.owner, "WEB", zip_of({**TASKS, **clashing}))
        assert report["created"] == {"epics": 1, "tasks": 2}
        skipped = {i["path"]: i["reason"] for i in report["files"] if i["kind"] == "skipped"}
        assert set(skipped) == set(clashing)
        assert all("clashes with the live epic pay" in reason for reason in skipped.values())


class TestBundle:
    async def test_a_bundle_round_trip_keeps_them(self, client: AsyncClient, board: Board) -> None:
        await imported(client, board.owner, "WEB", zip_of({**TASKS, **BESIDE, **ARCHIVED}))
        before = await export_tree(client, board.owner, "WEB")
        bundle = await export_json(client, board.owner, "WEB")
        await new_project(client, board.owner, "NEW")
        await imported(client, board.owner, "NEW", bundle_bytes(bundle))
        after = await export_tree(client, board.owner, "NEW")
        assert beside(after) == BESIDE
        assert after["epics/archived/old/updates/1/final.md"] == b"shipped\n"
        assert set(after) == set(before)

    async def test_a_bundle_file_with_a_task_file_name_is_refused(
        self, client: AsyncClient, board: Board
    ) -> None:
        await imported(client, board.owner, "WEB", zip_of({**TASKS, **BESIDE}))
        bundle = await export_json(client, board.owner, "WEB")
        bundle["epics"][0]["ccpm"]["files"][0]["path"] = "002.md"
        response = await import_archive(client, board.owner, "WEB", bundle_bytes(bundle))
        assert response.status_code == 422, response.text
        assert "002.md" in response.json()["detail"]
