"""Refs are written back as the file wrote them (``[3]`` stays ``[3]``, their order kept) while
the dependency is the same; once it is changed in epicflow, export writes its own spelling."""

from __future__ import annotations

from httpx import AsyncClient

from epicflow.markdown import parse_task, render_task
from tests.support.board import Board
from tests.support.ref_samples import ARROW_MAPPING
from tests.support.transfer import (
    bundle_bytes,
    epic_file,
    export_json,
    export_markdown,
    imported,
    zip_of,
)

_BODY = """
# Task: {title}

## Description

Do it.

## TDD Requirements

## Acceptance Criteria

## Technical Details

## Dependencies

## Effort Estimate

- Parallel: true

## Definition of Done
"""


def _task(key: str, title: str, depends_on: str = "[]", conflicts_with: str = "[]") -> str:
    front = (
        f"---\nname: {title}\nstatus: open\ncreated: 2025-08-01T09:00:00Z\n"
        f"updated: 2025-08-01T09:00:00Z\ndepends_on: {depends_on}\nparallel: true\n"
        f"conflicts_with: {conflicts_with}\nkey: {key}\npriority: 2\n---\n"
    )
    return front + _BODY.format(title=title)


TASKS = {
    "epics/api/001.md": _task("WEB-1", "One", depends_on="[3]", conflicts_with="[03]"),
    "epics/api/002.md": _task("WEB-2", "Two", depends_on="[003, 001, sync/1]"),
    "epics/api/003.md": _task("WEB-3", "Three", conflicts_with="[1]"),
    "epics/sync/1234.md": _task("WEB-4", "Set up the schema"),
    "epics/sync/1235.md": _task("WEB-5", "Write the API", depends_on="[001]"),
}
FILES = {
    "epics/api/epic.md": epic_file("api"),
    "epics/sync/epic.md": epic_file("sync"),
    "epics/sync/github-mapping.md": ARROW_MAPPING,
    **TASKS,
}


def test_the_fixtures_are_what_the_renderer_gives_back() -> None:
    for path, text in TASKS.items():
        assert render_task(parse_task(text, filename=path)) == text


async def test_import_then_export_writes_each_ref_as_written(
    client: AsyncClient, board: Board
) -> None:
    await imported(client, board.owner, "WEB", zip_of(FILES))
    files = await export_markdown(client, board.owner, "WEB")
    assert {path: files[path] for path in TASKS} == TASKS


async def test_a_bundle_round_trip_keeps_them_too(client: AsyncClient, board: Board) -> None:
    await imported(client, board.owner, "WEB", zip_of(FILES))
    bundle = await export_json(client, board.owner, "WEB")
    await imported(client, board.owner, "WEB", bundle_bytes(bundle))
    files = await export_markdown(client, board.owner, "WEB")
    assert {path: files[path] for path in TASKS} == TASKS


async def test_importing_the_same_files_again_changes_nothing(
    client: AsyncClient, board: Board
) -> None:
    await imported(client, board.owner, "WEB", zip_of(FILES))
    again = await imported(client, board.owner, "WEB", zip_of(FILES))
    assert (again["created"]["tasks"], again["updated"]["tasks"]) == (0, 0)


async def test_a_changed_dependency_is_written_in_epicflows_spelling(
    client: AsyncClient, board: Board
) -> None:
    await imported(client, board.owner, "WEB", zip_of(FILES))
    response = await board.patch("WEB-2", depends_on=["WEB-1", "WEB-3"])
    assert response.status_code == 200, response.text
    files = await export_markdown(client, board.owner, "WEB")
    assert "\ndepends_on: [001, 003]\n" in files["epics/api/002.md"]
    # The others are as they were.
    assert files["epics/api/001.md"] == TASKS["epics/api/001.md"]
    assert files["epics/sync/1235.md"] == TASKS["epics/sync/1235.md"]
