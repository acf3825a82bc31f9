"""A refused import names every error at once, and every import names what it read leniently:
``errors`` / ``warnings`` as ``{file, line, field, code, message}`` in the API, one line each in
the CLI, and the API's document with ``--json``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient
from typer.testing import CliRunner

from epicflow.cli.main import app
from epicflow.settings import get_settings
from tests.support.board import Board
from tests.support.transfer import all_tasks, epic_file, import_archive, task_file, zip_of

EPIC = epic_file("web")
LENIENT = """---
title: Build the form
status: pending
dependencies: []
---

# Task: Build the form

## Effort Estimate
- Size: M (Medium)
- Hours: 4-6
- Parallel: true
"""


def _bad_files() -> dict[str, str]:
    """Three files, each wrong in its own way, and one good one."""
    return {
        "epics/web/epic.md": EPIC,
        "epics/web/001.md": task_file("One", status="someday"),
        "epics/web/002.md": task_file("Two"),
        "epics/web/003.md": LENIENT.replace("- Hours: 4-6", "- Hours: 3 days"),
        "epics/web/010.md": task_file("Ten", priority="urgent-ish"),
    }


def _found(body: dict[str, Any], name: str) -> list[tuple[str, int | None, str, str]]:
    return [(e["file"], e["line"], e["field"], e["code"]) for e in body[name]]


@pytest.mark.parametrize("dry_run", [True, False])
async def test_every_bad_file_is_named_at_once(
    client: AsyncClient, board: Board, dry_run: bool
) -> None:
    upload = zip_of(_bad_files())
    response = await import_archive(client, board.owner, "WEB", upload, dry_run=dry_run)
    assert response.status_code == 422, response.text
    body = response.json()
    assert [(e["file"], e["line"]) for e in body["errors"]] == [
        ("epics/web/001.md", 3),
        ("epics/web/003.md", 11),
        ("epics/web/010.md", 3),
    ]
    assert body["detail"].endswith("(and 2 more: see errors)")
    assert "3 days" in body["errors"][1]["message"]
    assert "days are not hours" in body["errors"][1]["message"]
    # The warnings of the file that failed are not listed; those of good files would be.
    assert await all_tasks(client, board.owner, "WEB") == []


async def test_every_unknown_ref_and_assignee_is_named_at_once(
    client: AsyncClient, board: Board
) -> None:
    upload = zip_of(
        {
            "epics/web/epic.md": EPIC,
            "epics/web/001.md": task_file("One", depends_on="[007]"),
            "epics/web/002.md": task_file("Two", conflicts_with="[008]", assignee="x@y.test"),
        }
    )
    response = await import_archive(client, board.owner, "WEB", upload, dry_run=True)
    assert response.status_code == 422, response.text
    body = response.json()
    assert _found(body, "errors") == [
        ("epics/web/001.md", 3, "depends_on", "unknown_task"),
        ("epics/web/002.md", 3, "conflicts_with", "unknown_task"),
        ("epics/web/002.md", 4, "assignee", "unknown_user"),
    ]
    assert body["code"] == "invalid_upload"


async def test_one_refusal_keeps_its_own_code(client: AsyncClient, board: Board) -> None:
    upload = zip_of(
        {"epics/web/epic.md": EPIC, "epics/web/001.md": task_file("One", depends_on="[7]")}
    )
    response = await import_archive(client, board.owner, "WEB", upload, dry_run=True)
    body = response.json()
    assert (response.status_code, body["code"], len(body["errors"])) == (422, "unknown_task", 1)


async def test_what_was_read_leniently_is_a_warning(client: AsyncClient, board: Board) -> None:
    upload = zip_of({"epics/web/epic.md": EPIC, "epics/web/001.md": LENIENT})
    response = await import_archive(client, board.owner, "WEB", upload, dry_run=True)
    assert response.status_code == 200, response.text
    assert _found(response.json(), "warnings") == [
        ("epics/web/001.md", 2, "title", "fork_key"),
        ("epics/web/001.md", 3, "status", "status_spelling"),
        ("epics/web/001.md", 4, "depends_on", "fork_key"),
        ("epics/web/001.md", 10, "estimate", "effort_note"),
        ("epics/web/001.md", 11, "estimate", "hours_range"),
    ]
    hours = response.json()["warnings"][4]["message"]
    assert hours == "hours '4-6' plans 6 h (a range plans with its upper bound)"


async def test_a_refused_import_lists_the_warnings_of_good_files(
    client: AsyncClient, board: Board
) -> None:
    files = {"epics/web/epic.md": EPIC, "epics/web/001.md": LENIENT}
    files["epics/web/002.md"] = task_file("Two", status="someday")
    response = await import_archive(client, board.owner, "WEB", zip_of(files), dry_run=True)
    assert response.status_code == 422
    assert {w["file"] for w in response.json()["warnings"]} == {"epics/web/001.md"}


class TestCommandLine:
    runner = CliRunner()

    @pytest.fixture(autouse=True)
    def cli_env(self, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
        monkeypatch.setenv("EPICFLOW_DATABASE_URL", database_url)
        get_settings.cache_clear()
        yield
        get_settings.cache_clear()

    async def _run(self, folder: Path, *args: str) -> Any:
        argv = ["import", str(folder), "-p", "WEB", *args]
        return await asyncio.to_thread(self.runner.invoke, app, argv)

    def _write(self, root: Path, files: dict[str, str]) -> Path:
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        return root

    async def test_each_error_is_one_line(self, board: Board, tmp_path: Path) -> None:
        result = await self._run(self._write(tmp_path, _bad_files()))
        assert result.exit_code == 1
        lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        assert [line.split(": ")[1] for line in lines] == [
            "epics/web/001.md:3",
            "epics/web/003.md:11",
            "epics/web/010.md:3",
        ]

    async def test_json_prints_the_problem_on_failure(self, board: Board, tmp_path: Path) -> None:
        result = await self._run(self._write(tmp_path, _bad_files()), "--json")
        assert result.exit_code == 1
        body = json.loads(result.stdout)
        assert (body["status"], body["code"], len(body["errors"])) == (422, "invalid_markdown", 3)

    async def test_warnings_go_to_standard_error(self, board: Board, tmp_path: Path) -> None:
        folder = self._write(tmp_path, {"epics/web/epic.md": EPIC, "epics/web/001.md": LENIENT})
        result = await self._run(folder, "--dry-run")
        assert result.exit_code == 0, result.output
        warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
        assert len(warnings) == 5
        assert warnings[0] == "warning: epics/web/001.md:2: title: read as name: (the task's title)"
        json_result = await self._run(folder, "--dry-run", "--json")
        assert len(json.loads(json_result.stdout)["warnings"]) == 5
