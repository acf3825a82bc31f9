"""On PostgreSQL each task row carries a copy of its labels, `task.label_array`, so that a
page of tasks and a label filter read them from the row (and from an index) rather than from
`task_label`. `task_label` stays the record; the copy must follow it through every kind of
write: the one-statement create, the create of a running task, edits, imports and re-imports."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from sqlalchemy import text

from epicflow.platform.db import Database
from tests.support.board import Board
from tests.support.transfer import epic_file, imported, task_file, zip_of

# Every task whose array is not its labels in order, with both sides.
_DISAGREEING = text(
    """
    SELECT t.key, t.label_array, coalesce(l.labels, '{}')
    FROM task t
    LEFT JOIN LATERAL (
        SELECT array_agg(label ORDER BY label) AS labels FROM task_label WHERE task_id = t.id
    ) l ON true
    WHERE t.label_array IS DISTINCT FROM coalesce(l.labels, '{}')
    """
)


async def _disagreeing(db: Database) -> list[tuple[str, list[str], list[str]]]:
    async with db.sessionmaker() as session:
        rows = (await session.execute(_DISAGREEING)).tuples().all()
    return [(key, list(array), list(labels)) for key, array, labels in rows]


async def _label_array(db: Database, key: str) -> list[str]:
    async with db.sessionmaker() as session:
        value = await session.scalar(
            text("SELECT label_array FROM task WHERE key = :key"), {"key": key}
        )
    return list(value)


# PostgreSQL keeps the label array; SQLite reads task_label.
pytestmark = pytest.mark.postgres_only


async def test_the_array_follows_creates_edits_and_deletions(board: Board, db: Database) -> None:
    first = await board.task(labels=["web", "backend", "db"])
    running = await board.task(labels=["ops", "api"], status="in_progress")
    second = await board.task(labels=[])
    third = await board.task(labels=["ops"])
    assert await _label_array(db, first["key"]) == ["backend", "db", "web"]
    assert await _label_array(db, second["key"]) == []
    assert await _label_array(db, running["key"]) == ["api", "ops"]

    assert (await board.patch(first["key"], labels=["api"])).status_code == 200
    assert (await board.patch(second["key"], labels=["zeta", "alpha"])).status_code == 200
    assert (await board.patch(third["key"], labels=[])).status_code == 200
    assert await _label_array(db, first["key"]) == ["api"]
    assert await _label_array(db, second["key"]) == ["alpha", "zeta"]
    assert await _label_array(db, third["key"]) == []

    deleted = await board.client.delete(
        f"/api/v1/tasks/{first['key']}", headers=board.owner.headers
    )
    assert deleted.status_code == 204
    assert await _disagreeing(db) == []


async def test_the_array_follows_imports_and_reimports(
    client: AsyncClient, board: Board, db: Database
) -> None:
    def archive(labels: str) -> bytes:
        files = {
            f"epics/e/00{n}.md": task_file(f"Task {n}", status="open", labels=labels)
            for n in (1, 2, 3)
        }
        return zip_of({"epics/e/epic.md": epic_file("e"), **files})

    await imported(client, board.owner, "WEB", archive("[ui, backend]"))
    assert await _label_array(db, "WEB-2") == ["backend", "ui"]
    await imported(client, board.owner, "WEB", archive("[docs]"))
    assert await _label_array(db, "WEB-2") == ["docs"]
    assert await _disagreeing(db) == []


async def test_a_label_filtered_page_follows_a_label_edit(board: Board) -> None:
    task = await board.task(labels=["backend"])
    assert [t["key"] for t in (await board.list(label="backend", status="open"))["items"]] == [
        task["key"]
    ]
    assert (await board.patch(task["key"], labels=["frontend"])).status_code == 200
    assert (await board.list(label="backend", status="open"))["items"] == []
    listed = (await board.list(label="frontend", status="open"))["items"]
    assert [(t["key"], t["labels"]) for t in listed] == [(task["key"], ["frontend"])]
