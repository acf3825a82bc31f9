"""`epicflow import` reads only regular files and folders, within its limits; prints errors
plainly (no Rich markup, no emoji codes), one line each; and can create the project."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from httpx import AsyncClient
from typer.testing import CliRunner

from epicflow.cli import transfer
from epicflow.cli.main import app
from epicflow.markdown import ArchiveLimits
from epicflow.settings import get_settings
from tests.support.board import Board
from tests.support.transfer import EXAMPLES, all_tasks, epic_file, task_file
from tests.support.users import UserFactory

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("cli_env")
GUARD_SECONDS = 20


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("EPICFLOW_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def cli(*args: str | Path) -> Result:
    """The command in a thread, in this process, as it runs from a shell."""
    return await asyncio.to_thread(runner.invoke, app, [str(arg) for arg in args])


def _unblock(fifo: Path) -> None:
    """Opening the write end releases a reader stuck in open(); closing it gives EOF."""
    with contextlib.suppress(OSError):
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


class TestWhatIsRead:
    async def test_a_named_pipe_is_refused_without_blocking(self, tmp_path: Path) -> None:
        fifo = tmp_path / "epics.zip"
        os.mkfifo(fifo)
        guard = threading.Timer(GUARD_SECONDS, _unblock, [fifo])  # a hang fails, not freezes
        guard.start()
        try:
            result = await asyncio.wait_for(cli("import", fifo, "-p", "WEB"), GUARD_SECONDS + 5)
        finally:
            guard.cancel()
        assert result.exit_code == 1, result.output
        assert result.stderr == f"error: {fifo}: not a regular file or folder (a named pipe)\n"

    async def test_a_named_pipe_in_a_folder_is_refused(self, tmp_path: Path) -> None:
        (tmp_path / "epics/web").mkdir(parents=True)
        (tmp_path / "epics/web/epic.md").write_text(epic_file("web"))
        os.mkfifo(tmp_path / "epics/web/001.md")
        guard = threading.Timer(GUARD_SECONDS, _unblock, [tmp_path / "epics/web/001.md"])
        guard.start()
        try:
            result = await asyncio.wait_for(cli("import", tmp_path, "-p", "WEB"), GUARD_SECONDS)
        finally:
            guard.cancel()
        assert result.exit_code == 1, result.output
        assert "not a regular file" in result.stderr

    async def test_a_device_is_refused(self) -> None:
        result = await cli("import", "/dev/zero", "-p", "WEB")
        assert result.exit_code == 1, result.output
        assert result.stderr == "error: /dev/zero: not a regular file or folder (a device)\n"

    async def test_a_file_over_the_limit_is_refused_unread(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        small = ArchiveLimits(
            max_upload_bytes=1000, max_total_bytes=1000, max_members=10, max_member_bytes=1000
        )
        monkeypatch.setattr(transfer, "CLI_LIMITS", small)
        big = tmp_path / "epics.zip"
        big.write_bytes(b"x" * 1001)
        result = await cli("import", big, "-p", "WEB")
        assert result.exit_code == 1, result.output
        assert result.stderr == (
            f"error: {big}: the file is larger than the import limit of 1000 bytes\n"
        )


class TestPlainErrors:
    async def test_brackets_and_colon_codes_print_verbatim(
        self, board: Board, tmp_path: Path
    ) -> None:
        archive = tmp_path / "[bold red]epics:100:.zip"
        archive.write_bytes(b"not an archive")
        result = await cli("import", archive, "-p", "WEB")
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("error: [bold red]epics:100:.zip: not a zip")

    async def test_line_100_prints_as_a_number(self, board: Board, tmp_path: Path) -> None:
        keys = "".join(f"key{n}: x\n" for n in range(97))
        text = f"---\nname: Fix it\n{keys}status: bogus\n---\n"
        folder = tmp_path / "[x]" / "epics" / "web"
        folder.mkdir(parents=True)
        (folder / "epic.md").write_text(epic_file("web"))
        (folder / "001.md").write_text(text)
        result = await cli("import", tmp_path / "[x]", "-p", "WEB")
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("error: epics/web/001.md:100:"), result.stderr

    async def test_every_error_is_one_line(self, board: Board, tmp_path: Path) -> None:
        folder = tmp_path / "epics" / "web"
        folder.mkdir(parents=True)
        (folder / "epic.md").write_text(epic_file("web"))
        (folder / "001.md").write_text(task_file("One", labels='["a\\0"]'))
        (folder / "002.md").write_text(task_file("Two", github='"[b]x\\a"'))
        result = await cli("import", tmp_path, "-p", "WEB")
        assert result.exit_code == 1, result.output
        assert result.stderr.splitlines() == [
            "error: epics/web/001.md:3: labels: control character U+0000 not allowed in a "
            "one-line field",
            "error: epics/web/002.md:3: github: control character U+0007 not allowed in a "
            "one-line field",
        ]


async def _project(client: AsyncClient, headers: dict[str, str], key: str) -> int:
    return (await client.get(f"/api/v1/projects/{key}", headers=headers)).status_code


class TestCreate:
    async def test_a_missing_project_is_created_for_the_user(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        result = await cli(
            "import", EXAMPLES, "-p", "NEW", "--create", "--name", "New [one]", "--as", user.email
        )
        assert result.exit_code == 0, result.output
        assert "Created project NEW (New [one]), owned by" in result.stdout
        project = (await client.get("/api/v1/projects/NEW", headers=user.headers)).json()
        assert (project["name"], project["role"]) == ("New [one]", "owner")
        assert len(await all_tasks(client, user, "NEW")) == 8

    async def test_an_existing_project_is_imported_into(self, board: Board) -> None:
        result = await cli("import", EXAMPLES, "-p", "WEB", "--create", "--as", board.owner.email)
        assert result.exit_code == 0, result.output
        assert "Created project" not in result.stdout

    async def test_a_dry_run_creates_nothing(self, client: AsyncClient, users: UserFactory) -> None:
        user = await users.create()
        args = ("import", EXAMPLES, "-p", "NEW", "--create", "--dry-run", "--as", user.email)
        result = await cli(*args)
        assert result.exit_code == 0, result.output
        assert "Would create project NEW (NEW), owned by" in result.stdout
        assert "tasks: 8 created" in result.stdout
        assert await _project(client, user.headers, "NEW") == 404

    async def test_without_create_the_error_names_it(self, board: Board) -> None:
        result = await cli("import", EXAMPLES, "-p", "NOPE")
        assert result.exit_code == 1
        assert "--create" in result.stderr

    async def test_create_needs_a_user_to_own_it(self) -> None:
        result = await cli("import", EXAMPLES, "-p", "NEW", "--create")
        assert result.exit_code == 1
        assert "--as" in result.stderr

    @pytest.mark.parametrize(("key", "name"), [("new", "New"), ("NEW", "a\tb"), ("NEW", "")])
    async def test_a_bad_key_or_name_is_one_line(
        self, users: UserFactory, key: str, name: str
    ) -> None:
        user = await users.create()
        args = ("import", EXAMPLES, "-p", key, "--create", "--name", name, "--as", user.email)
        result = await cli(*args)
        assert result.exit_code == 1, result.output
        assert len(result.stderr.splitlines()) == 1, result.stderr
