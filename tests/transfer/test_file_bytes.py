"""Line ends, a byte order mark and checklist items as written survive an import into the
database and an export back out, byte for byte: over HTTP, on either database."""

from __future__ import annotations

import re

from httpx import AsyncClient

from tests.support import byte_samples as samples
from tests.support.board import Board
from tests.support.transfer import export_markdown, imported, zip_of

FILES = {
    "epics/hooks/epic.md": samples.BOM_CRLF_EPIC,
    "epics/hooks/001.md": samples.keyed(samples.CRLF_TASK, "WEB-1"),
    "epics/hooks/002.md": samples.keyed(samples.CR_TASK, "WEB-2"),
    "epics/hooks/003.md": samples.keyed(samples.BOM_TASK, "WEB-3"),
    "epics/hooks/004.md": samples.keyed(samples.ITEMS_TASK, "WEB-4"),
}
ONE = "epics/hooks/001.md"


async def test_import_then_export_gives_back_each_file(client: AsyncClient, board: Board) -> None:
    await imported(client, board.owner, "WEB", zip_of(FILES))
    files = await export_markdown(client, board.owner, "WEB")
    assert files == FILES


async def test_a_second_import_of_the_export_changes_nothing(
    client: AsyncClient, board: Board
) -> None:
    await imported(client, board.owner, "WEB", zip_of(FILES))
    files = await export_markdown(client, board.owner, "WEB")
    report = await imported(client, board.owner, "WEB", zip_of(files))
    assert report["updated"] == {"epics": 0, "tasks": 0}


async def test_mixed_line_ends_come_back_as_written_then_as_the_most_used_one(
    client: AsyncClient, board: Board
) -> None:
    files = {
        "epics/hooks/epic.md": samples.LF_EPIC,
        ONE: samples.keyed(samples.MIXED_TASK, "WEB-1"),
    }
    report = await imported(client, board.owner, "WEB", zip_of(files))
    assert [(w["file"], w["line"], w["code"]) for w in report["warnings"]] == [
        ("epics/hooks/001.md", 3, "line_ends")
    ]
    exported = await export_markdown(client, board.owner, "WEB")
    assert exported[ONE] == files[ONE]  # untouched: as written
    # Written from its fields once edited: one kind of line end, the one used most.
    await board.patch("WEB-1", labels=["x"])
    await board.patch("WEB-1", labels=[])
    exported = await export_markdown(client, board.owner, "WEB")
    updated = re.compile(r"updated: [^\r\n]*")
    expected = samples.keyed(samples.MIXED_AS_CRLF, "WEB-1")
    assert updated.sub("", exported[ONE]) == updated.sub("", expected)


async def test_an_escape_code_is_gone_from_the_export(client: AsyncClient, board: Board) -> None:
    escaped = samples.keyed(samples.ESCAPED_TASK, "WEB-1")
    files = {"epics/hooks/epic.md": samples.LF_EPIC, ONE: escaped}
    report = await imported(client, board.owner, "WEB", zip_of(files))
    assert {w["code"] for w in report["warnings"]} == {"escape_code"}
    exported = await export_markdown(client, board.owner, "WEB")
    assert exported[ONE] == samples.keyed(samples.UNESCAPED_TASK, "WEB-1")


async def test_an_item_ticked_since_is_written_in_our_spelling(
    client: AsyncClient, board: Board
) -> None:
    await imported(client, board.owner, "WEB", zip_of(FILES))
    tasks = (await client.get("/api/v1/projects/WEB/tasks", headers=board.owner.headers)).json()
    (task,) = [item for item in tasks["items"] if item["key"] == "WEB-4"]
    criteria = task["acceptance_criteria"]
    criteria[1]["done"] = True
    response = await board.patch("WEB-4", acceptance_criteria=criteria)
    assert response.status_code == 200, response.text
    text = (await export_markdown(client, board.owner, "WEB"))["epics/hooks/004.md"]
    assert "\n* [X] Sent\n- [x] Stored\n1. [x]  Logged\n" in text
