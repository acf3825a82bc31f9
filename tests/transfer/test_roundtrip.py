"""Export, import, export is lossless: JSON and markdown, into a new project, across databases."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient

from epicflow.main import create_app
from epicflow.platform import migrations
from tests.support.board import Board
from tests.support.settings import make_settings
from tests.support.transfer import (
    bundle_bytes,
    export_json,
    export_markdown,
    imported,
    payment_zip,
    tar_gz_of,
)
from tests.support.users import TestUser, UserFactory

SERVER_OWNED = ("version", "project")  # the project: the one thing meant to differ


async def fill(board: Board) -> None:
    """A project with some of everything: the sample epic, API-made tasks in every status,
    labels, an assignee, checklists, estimates, edges across epics and conflicts."""
    await imported(board.client, board.owner, board.key, payment_zip())
    await board.epic("ops", description="Keep it running.\n\n- alerts\n", prd="docs/ops.md")
    base = await board.task(
        "Add the alerts",
        epic="ops",
        labels=["ops", "p1"],
        assignee=board.owner.id,
        acceptance_criteria=[{"text": "Pages on-call", "done": True}],
        definition_of_done=[{"text": "Runbook linked"}],
        estimate={"size": "S", "hours": 3.5},
        tdd_requirements="- alert fires\n",
        technical_details="Use `alertmanager`.",
    )
    await board.task("Tune the alerts", epic="ops", depends_on=[base["key"], "WEB-4"])
    await board.task("Loose end", priority=4, conflicts_with=[base["key"]], parallel=False)
    for key, status in ((base["key"], "done"), ("WEB-6", "cancelled"), ("WEB-8", "blocked")):
        response = await board.patch(key, status=status)
        assert response.status_code == 200, response.text


def renamed(value: Any, old: str, new: str) -> Any:
    """`value` with every task key of project `old` renamed to project `new`."""
    if isinstance(value, str):
        return re.sub(rf"\b{old}-(\d+)\b", rf"{new}-\1", value)
    if isinstance(value, list):
        return [renamed(item, old, new) for item in value]
    if isinstance(value, dict):
        return {key: renamed(item, old, new) for key, item in value.items()}
    return value


def comparable(bundle: dict[str, Any]) -> dict[str, Any]:
    tasks = [{k: v for k, v in t.items() if k not in SERVER_OWNED} for t in bundle["tasks"]]
    return {"epics": bundle["epics"], "tasks": tasks}


async def new_project(client: AsyncClient, owner: TestUser, key: str) -> None:
    response = await client.post(
        "/api/v1/projects", json={"key": key, "name": key}, headers=owner.headers
    )
    assert response.status_code == 201, response.text


class TestJson:
    async def test_export_import_export_into_a_new_project_is_equal_but_for_keys(
        self, client: AsyncClient, board: Board
    ) -> None:
        await fill(board)
        before = await export_json(client, board.owner, "WEB")
        await new_project(client, board.owner, "NEW")
        report = await imported(client, board.owner, "NEW", bundle_bytes(before))
        assert report["created"] == {"epics": 2, "tasks": 11}
        after = await export_json(client, board.owner, "NEW")
        assert comparable(after) == renamed(comparable(before), "WEB", "NEW")

    async def test_the_bundle_back_into_its_own_project_changes_nothing(
        self, client: AsyncClient, board: Board
    ) -> None:
        await fill(board)
        before = await export_json(client, board.owner, "WEB")
        report = await imported(client, board.owner, "WEB", bundle_bytes(before))
        assert report["unchanged"] == {"epics": 2, "tasks": 11}
        assert await export_json(client, board.owner, "WEB") == before


class TestMarkdown:
    async def test_export_import_export_into_a_new_project_is_identical(
        self, client: AsyncClient, board: Board
    ) -> None:
        await fill(board)
        before = await export_markdown(client, board.owner, "WEB")
        await new_project(client, board.owner, "NEW")
        report = await imported(client, board.owner, "NEW", tar_gz_of(before))
        assert report["created"] == {"epics": 2, "tasks": 11}
        after = await export_markdown(client, board.owner, "NEW")
        assert after == renamed(before, "WEB", "NEW")

    async def test_the_export_back_into_its_own_project_changes_nothing(
        self, client: AsyncClient, board: Board
    ) -> None:
        await fill(board)
        before = await export_markdown(client, board.owner, "WEB")
        report = await imported(client, board.owner, "WEB", tar_gz_of(before))
        assert report["created"] == report["updated"] == {"epics": 0, "tasks": 0}
        assert await export_markdown(client, board.owner, "WEB") == before


@pytest.fixture
async def other_app(tmp_path: Path) -> AsyncIterator[AsyncClient]:
    """A second epicflow on a fresh SQLite database, as a migration target would be."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'other.db'}"
    await asyncio.to_thread(migrations.upgrade, url)  # Alembic runs its own event loop
    app = create_app(make_settings(url))
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with AsyncClient(transport=transport, base_url="http://other") as http:
            yield http
    finally:
        await app.state.db.dispose()


class TestAcrossDatabases:
    async def test_a_bundle_moves_to_a_fresh_sqlite_app_and_back(
        self, client: AsyncClient, board: Board, other_app: AsyncClient
    ) -> None:
        await fill(board)
        await board.patch("WEB-9", assignee=None)  # the other app has other users
        original = await export_json(client, board.owner, "WEB")
        owner = await UserFactory(other_app).create()
        await new_project(other_app, owner, "WEB")
        await imported(other_app, owner, "WEB", bundle_bytes(original))
        there = await export_json(other_app, owner, "WEB")
        assert comparable(there) == comparable(original)
        await new_project(client, board.owner, "BACK")
        await imported(client, board.owner, "BACK", bundle_bytes(there))
        back = await export_json(client, board.owner, "BACK")
        assert comparable(back) == renamed(comparable(original), "WEB", "BACK")

    async def test_markdown_moves_to_a_fresh_sqlite_app_and_back(
        self, client: AsyncClient, board: Board, other_app: AsyncClient
    ) -> None:
        await imported(client, board.owner, "WEB", payment_zip())
        original = await export_markdown(client, board.owner, "WEB")
        owner = await UserFactory(other_app).create()
        await new_project(other_app, owner, "WEB")
        await imported(other_app, owner, "WEB", tar_gz_of(original))
        there = await export_markdown(other_app, owner, "WEB")
        assert there == original
        await imported(client, board.owner, "WEB", tar_gz_of(there))
        assert await export_markdown(client, board.owner, "WEB") == original
