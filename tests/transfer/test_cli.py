"""`epicflow import` and `epicflow export` against the test database."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from httpx import AsyncClient
from typer.testing import CliRunner

from epicflow.cli.main import app
from epicflow.settings import get_settings
from tests.support.board import Board
from tests.support.transfer import (
    EXAMPLES,
    PAYMENT,
    all_tasks,
    epic_file,
    folder_files,
    project_events,
    task_file,
    zip_of,
)

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("cli_env")


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("EPICFLOW_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def cli(*args: str | Path) -> Result:
    """The command in a thread: it runs its own event loop, as it does from a shell."""
    return await asyncio.to_thread(runner.invoke, app, [str(arg) for arg in args])


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


class TestImport:
    async def test_a_project_folder_with_a_summary(self, client: AsyncClient, board: Board) -> None:
        result = await cli("import", EXAMPLES, "--project", "WEB")
        assert result.exit_code == 0, result.output
        assert "Imported into WEB:" in result.stdout
        assert "tasks: 8 created, 0 updated, 0 unchanged" in result.stdout
        assert len(await all_tasks(client, board.owner, "WEB")) == 8
        events = await project_events(client, board.owner, "WEB")
        assert events[-1]["actor"].startswith("cli:")

    async def test_an_epic_folder_or_an_archive_file(
        self, client: AsyncClient, board: Board, tmp_path: Path
    ) -> None:
        assert (await cli("import", PAYMENT, "-p", "WEB")).exit_code == 0
        archive = tmp_path / "epics.zip"
        archive.write_bytes(zip_of(folder_files(PAYMENT, "epics/payment-webhooks")))
        result = await cli("import", archive, "-p", "WEB", "--json")
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout)
        assert report["unchanged"] == {"epics": 1, "tasks": 8}

    async def test_dry_run_as_json_writes_nothing(self, client: AsyncClient, board: Board) -> None:
        result = await cli("import", EXAMPLES, "--project", "WEB", "--dry-run", "--json")
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout)
        assert (report["dry_run"], report["created"]["tasks"]) == (True, 8)
        assert await all_tasks(client, board.owner, "WEB") == []

    async def test_a_bundle_file_with_a_byte_order_mark_imports(
        self, client: AsyncClient, board: Board, tmp_path: Path
    ) -> None:
        target = tmp_path / "web.json"
        bundle = {"tasks": [{"key": "OLD-1", "title": "Write it"}]}
        target.write_bytes("\ufeff".encode() + json.dumps(bundle).encode())
        result = await cli("import", target, "-p", "WEB", "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["tasks"] == {"OLD-1": "WEB-1"}
        assert len(await all_tasks(client, board.owner, "WEB")) == 1

    async def test_many_tasks_import_behind_a_progress_bar(
        self, client: AsyncClient, board: Board, tmp_path: Path
    ) -> None:
        files = {f"epics/bulk/{n:03d}.md": task_file(f"Task {n}") for n in range(1, 402)}
        result = await cli("import", write_tree(tmp_path, files), "-p", "WEB")
        assert result.exit_code == 0, result.output
        assert "tasks: 401 created" in result.stdout
        assert len(await all_tasks(client, board.owner, "WEB")) == 401


class TestImportErrors:
    async def test_a_bad_file_is_one_line_naming_it_and_exit_1(
        self, client: AsyncClient, board: Board, tmp_path: Path
    ) -> None:
        files = {"epics/web/epic.md": epic_file("web"), "epics/web/001.md": "---\nstatus: [\n"}
        result = await cli("import", write_tree(tmp_path, files), "-p", "WEB")
        assert result.exit_code == 1
        assert result.stderr.startswith("error: epics/web/001.md:")
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.output
        assert await all_tasks(client, board.owner, "WEB") == []

    async def test_an_unknown_project_is_exit_1(self, board: Board) -> None:
        result = await cli("import", EXAMPLES, "-p", "NOPE")
        assert result.exit_code == 1
        assert "Project NOPE not found" in result.stderr

    async def test_as_a_viewer_is_refused(self, board: Board) -> None:
        viewer = await board.member("viewer")
        result = await cli("import", EXAMPLES, "-p", "WEB", "--as", viewer.email)
        assert result.exit_code == 1
        assert "admin role" in result.stderr

    async def test_as_an_unknown_user_is_refused(self, board: Board) -> None:
        result = await cli("import", EXAMPLES, "-p", "WEB", "--as", "ghost@example.com")
        assert result.exit_code == 1

    @pytest.mark.parametrize(
        "args", [["import", "examples"], ["import", "/no/such/path", "-p", "WEB"], ["export"]]
    )
    async def test_usage_errors_exit_2(self, args: list[str]) -> None:
        assert (await cli(*args)).exit_code == 2


class TestExport:
    async def test_markdown_writes_the_tree_and_reimports_unchanged(
        self, board: Board, tmp_path: Path
    ) -> None:
        await cli("import", EXAMPLES, "-p", "WEB")
        result = await cli("export", "-p", "WEB", "--out", tmp_path)
        assert result.exit_code == 0, result.output
        assert "Exported WEB: 1 epics, 8 tasks" in result.stdout
        written = folder_files(tmp_path / "epics" / "payment-webhooks", "x")
        assert len(written) == 9
        again = await cli("import", tmp_path, "-p", "WEB", "--json")
        assert json.loads(again.stdout)["unchanged"] == {"epics": 1, "tasks": 8}

    async def test_a_folder_in_the_way_needs_force(self, board: Board, tmp_path: Path) -> None:
        await board.task("Anything")
        assert (await cli("export", "-p", "WEB", "-o", tmp_path)).exit_code == 0
        refused = await cli("export", "-p", "WEB", "-o", tmp_path)
        assert refused.exit_code == 1
        assert "--force" in refused.stderr
        assert (await cli("export", "-p", "WEB", "-o", tmp_path, "--force")).exit_code == 0

    async def test_json_to_a_file_imports_into_another_project(
        self, client: AsyncClient, board: Board, tmp_path: Path
    ) -> None:
        await cli("import", EXAMPLES, "-p", "WEB")
        target = tmp_path / "web.json"
        result = await cli("export", "-p", "WEB", "--format", "json", "--out", target)
        assert result.exit_code == 0, result.output
        bundle = json.loads(target.read_text())
        assert len(bundle["tasks"]) == 8
        created = await client.post(
            "/api/v1/projects", json={"key": "NEW", "name": "New"}, headers=board.owner.headers
        )
        assert created.status_code == 201
        moved = await cli("import", target, "-p", "NEW", "--json")
        assert json.loads(moved.stdout)["created"] == {"epics": 1, "tasks": 8}

    async def test_json_to_standard_output(self, board: Board) -> None:
        await board.task("Anything")
        result = await cli("export", "-p", "WEB", "-f", "json", "-o", "-")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["tasks"][0]["title"] == "Anything"


class TestFilesBesideTheTasks:
    FILES: dict[str, bytes] = {
        "epics/pay/epic.md": epic_file("pay").encode(),
        "epics/pay/001.md": task_file("Build one").encode(),
        "epics/pay/updates/1/progress.md": b"half done\n",
        "epics/pay/test-foo.sh": b"#!/bin/sh\n\x00\xff\n",
        "epics/README.md": b"index\n",
    }

    async def test_import_counts_each_kind_and_lists_the_skipped(
        self, board: Board, tmp_path: Path
    ) -> None:
        for name, data in self.FILES.items():
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_bytes(data)
        result = await cli("import", tmp_path, "-p", "WEB")
        assert result.exit_code == 0, result.output
        assert "files: 1 epic, 1 task, 2 attachment, 1 skipped" in result.stdout
        assert "skipped epics/README.md: outside any epic folder" in result.stdout

    async def test_export_writes_them_back_byte_for_byte(
        self, board: Board, tmp_path: Path
    ) -> None:
        source = tmp_path / "in.zip"
        source.write_bytes(zip_of(self.FILES))
        assert (await cli("import", source, "-p", "WEB")).exit_code == 0
        result = await cli("export", "-p", "WEB", "--out", tmp_path / "out")
        assert result.exit_code == 0, result.output
        assert "Exported WEB: 1 epics, 1 tasks, 2 files beside them" in result.stdout
        for name in ("epics/pay/updates/1/progress.md", "epics/pay/test-foo.sh"):
            assert (tmp_path / "out" / name).read_bytes() == self.FILES[name]
