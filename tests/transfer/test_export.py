"""GET /projects/{key}/export: a tar.gz of ccpm files, or the JSON bundle."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.support.board import Board
from tests.support.transfer import export, export_markdown, imported, payment_zip, zip_of


class TestMarkdown:
    async def test_is_a_tar_gz_attachment_of_epics_folders(
        self, client: AsyncClient, board: Board
    ) -> None:
        await imported(client, board.owner, "WEB", payment_zip())
        response = await export(client, board.owner, "WEB", "markdown")
        assert response.headers["content-type"] == "application/gzip"
        disposition = response.headers["content-disposition"]
        assert disposition == 'attachment; filename="WEB-epics.tar.gz"'
        assert response.content[:2] == b"\x1f\x8b"

    async def test_keeps_ccpm_spellings_and_adds_what_ccpm_lacks(
        self, client: AsyncClient, board: Board
    ) -> None:
        await imported(client, board.owner, "WEB", payment_zip())
        # Edited since the import: written from its fields (untouched files come back as
        # written: test_real_epics.py).
        await board.patch("WEB-1", description="Receive Stripe's events.")
        await board.patch("WEB-7", description="Blocked on the provider.")
        files = await export_markdown(client, board.owner, "WEB")
        names = [f"epics/payment-webhooks/{n:03d}.md" for n in range(1, 9)]
        assert sorted(files) == [*names, "epics/payment-webhooks/epic.md"]
        done = files["epics/payment-webhooks/001.md"]
        assert "status: closed\n" in done
        assert "key: WEB-1\n" in done
        assert "priority: 1\n" in done
        assert "labels: [backend]\n" in done
        assert "completed: 2025-08-02T11:00:00Z\n" in done
        blocked = files["epics/payment-webhooks/007.md"]
        assert "status: open\n" in blocked
        assert "epicflow_status: blocked\n" in blocked
        epic = files["epics/payment-webhooks/epic.md"]
        assert "status: in-progress\n" in epic
        assert "progress: 12%\n" in epic

    async def test_tasks_made_through_the_api_are_numbered_within_their_epic(
        self, client: AsyncClient, board: Board
    ) -> None:
        await board.epic("api")
        await board.epic("web")
        first = await board.task("Build the api", epic="api")
        await board.task("Stray thought")
        await board.task("Build the page", epic="web", depends_on=[first["key"]])
        await board.task("Test the api", epic="api", conflicts_with=[first["key"]])
        files = await export_markdown(client, board.owner, "WEB")
        assert sorted(files) == [
            "epics/api/001.md",
            "epics/api/002.md",
            "epics/api/epic.md",
            "epics/unassigned/001.md",
            "epics/web/001.md",
            "epics/web/epic.md",
        ]
        assert "depends_on: [api/001]\n" in files["epics/web/001.md"]
        assert "conflicts_with: [002]\n" in files["epics/api/001.md"]
        assert "conflicts_with: [001]\n" in files["epics/api/002.md"]

    async def test_a_viewer_may_export(self, client: AsyncClient, board: Board) -> None:
        viewer = await board.member("viewer")
        await board.task("Anything")
        files = await export_markdown(client, viewer, "WEB")
        assert list(files) == ["epics/unassigned/001.md"]

    async def test_an_empty_project_exports_an_empty_archive(
        self, client: AsyncClient, board: Board
    ) -> None:
        assert await export_markdown(client, board.owner, "WEB") == {}


class TestJson:
    async def test_is_the_bundle_with_api_shapes(self, client: AsyncClient, board: Board) -> None:
        await imported(client, board.owner, "WEB", payment_zip())
        response = await export(client, board.owner, "WEB", "json")
        assert response.headers["content-disposition"] == 'attachment; filename="WEB.json"'
        bundle = response.json()
        assert set(bundle) == {"project", "epics", "tasks"}
        assert bundle["project"]["key"] == "WEB"
        [epic] = bundle["epics"]
        assert epic["slug"] == "payment-webhooks"
        assert epic["counts"]["total"] == 8
        assert [task["key"] for task in bundle["tasks"]] == [f"WEB-{n}" for n in range(1, 9)]
        task = bundle["tasks"][3]
        assert task["depends_on"] == ["WEB-2", "WEB-3"]
        assert task["ccpm"]["path"] == "payment-webhooks/004"
        response = await client.get(f"/api/v1/tasks/{task['key']}", headers=board.owner.headers)
        assert {k: v for k, v in task.items() if k != "ccpm"} == response.json()


@pytest.mark.parametrize("fmt", ["markdown", "json"])
async def test_a_stranger_gets_404(client: AsyncClient, board: Board, fmt: str) -> None:
    stranger = await board.member("viewer")
    response = await client.get(
        "/api/v1/projects/NOPE/export", params={"format": fmt}, headers=stranger.headers
    )
    assert response.status_code == 404


async def test_an_unknown_format_is_a_validation_error(client: AsyncClient, board: Board) -> None:
    response = await client.get(
        "/api/v1/projects/WEB/export", params={"format": "pdf"}, headers=board.owner.headers
    )
    assert response.status_code == 422


async def test_what_ccpm_has_and_epicflow_lacks_survives_the_round_trip(
    client: AsyncClient, board: Board
) -> None:
    task = (
        "---\nname: Sync\nstatus: open\ngithub: https://github.com/o/r/issues/7\n"
        "effort_source: gut\n---\n\n# Task: Sync\n\n## Dependencies\n\nWaits on the API.\n"
    )
    epic = "---\nname: sync\ngithub: https://github.com/o/r/issues/1\nprogress: 99%\n---\n# Sync\n"
    await imported(client, board.owner, "WEB", zip_of({"sync/epic.md": epic, "sync/001.md": task}))
    files = await export_markdown(client, board.owner, "WEB")
    # Nothing changed since the import: both files come back as written, progress included.
    assert files["epics/sync/001.md"] == task
    assert files["epics/sync/epic.md"] == epic
    await board.patch("WEB-1", status="done")
    files = await export_markdown(client, board.owner, "WEB")
    written = files["epics/sync/001.md"]
    assert "github: https://github.com/o/r/issues/7\n" in written
    assert "effort_source: gut\n" in written
    assert "## Dependencies\n\nWaits on the API.\n" in written
    assert "progress: 100%\n" in files["epics/sync/epic.md"]
    assert "github: https://github.com/o/r/issues/1\n" in files["epics/sync/epic.md"]
