"""Export writes an imported file back byte for byte while nothing it shows has changed, and
from the task's fields as soon as something has (plan/written.py)."""

from __future__ import annotations

from httpx import AsyncClient

from epicflow.transfer.plan.planner import slots
from tests.support.board import Board
from tests.support.transfer import epic_file, export_markdown, imported, zip_of

# Written unlike export would write it: no blank line after headings, no TDD section.
TASK = """---
name: {title}
status: open
depends_on: []
conflicts_with: []
---

# Task: {title}

## Description
Do {title}.
"""
FILES = {
    "epics/web/epic.md": epic_file("web"),
    "epics/web/001.md": TASK.format(title="one"),
    "epics/web/002.md": TASK.format(title="two"),
}


async def test_untouched_files_come_back_as_written(client: AsyncClient, board: Board) -> None:
    await imported(client, board.owner, "WEB", zip_of(FILES))
    assert await export_markdown(client, board.owner, "WEB") == FILES


async def test_a_conflict_added_from_the_other_side_rewrites_both(
    client: AsyncClient, board: Board
) -> None:
    await imported(client, board.owner, "WEB", zip_of(FILES))
    response = await board.patch("WEB-2", conflicts_with=["WEB-1"])
    assert response.status_code == 200, response.text
    files = await export_markdown(client, board.owner, "WEB")
    assert "conflicts_with: [002]\n" in files["epics/web/001.md"]
    assert "conflicts_with: [001]\n" in files["epics/web/002.md"]


async def test_a_file_naming_another_key_is_written_from_its_fields(
    client: AsyncClient, board: Board
) -> None:
    moved = TASK.format(title="one").replace("status: open\n", "status: open\nkey: OLD-7\n")
    await imported(client, board.owner, "WEB", zip_of({**FILES, "epics/web/001.md": moved}))
    files = await export_markdown(client, board.owner, "WEB")
    assert "key: WEB-1\n" in files["epics/web/001.md"]
    assert files["epics/web/002.md"] == FILES["epics/web/002.md"]


async def test_a_status_change_rewrites_the_task_and_its_epic(
    client: AsyncClient, board: Board
) -> None:
    await imported(client, board.owner, "WEB", zip_of(FILES))
    assert (await board.patch("WEB-1", status="done")).status_code == 200
    files = await export_markdown(client, board.owner, "WEB")
    assert "status: closed\n" in files["epics/web/001.md"]
    assert "progress: 50%\n" in files["epics/web/epic.md"]
    assert files["epics/web/002.md"] == FILES["epics/web/002.md"]


def test_keyed_tasks_keep_their_numbers_and_the_others_fill_the_gaps() -> None:
    # Upload order: a keyless, b (was 3), c keyless, d (was 1), e (was 9: past the count).
    hints = [None, 3, None, 1, 9]
    assert slots(hints, [10, 11, 12, 13, 14]) == {13: 1, 11: 3, 14: 2, 10: 4, 12: 5}
    assert slots([None, None], [0, 1]) == {0: 1, 1: 2}
    assert slots([2, 2], [0, 1]) == {0: 2, 1: 1}


async def test_a_file_written_otherwise_with_the_same_meaning_comes_back_as_last_imported(
    client: AsyncClient, board: Board
) -> None:
    await imported(client, board.owner, "WEB", zip_of(FILES))
    respaced = {**FILES, "epics/web/002.md": FILES["epics/web/002.md"] + "\n\n"}
    report = await imported(client, board.owner, "WEB", zip_of(respaced))
    assert report["unchanged"] == {"epics": 1, "tasks": 2}
    assert await export_markdown(client, board.owner, "WEB") == respaced
