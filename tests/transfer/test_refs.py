"""Refs as people write them resolve, with a warning: an unpadded number (``[3]`` for
``003.md``), a number from before a GitHub sync (through ``github-mapping.md``), an issue number
(through a task's ``github:``). A ref that names nothing says what was probably meant."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient

from tests.support.board import Board
from tests.support.ref_samples import ARROW_MAPPING, CCPM_MAPPING, SHORT_TABLE, TABLE_MAPPING
from tests.support.transfer import all_tasks, epic_file, import_archive, task_file, zip_of

EPIC = epic_file("api")
URL = "https://github.com/o/r/issues"


def _refs(body: dict[str, Any]) -> list[tuple[str, int | None, str, str]]:
    return [
        (w["file"], w["line"], w["field"], w["code"])
        for w in body["warnings"]
        if w["code"].startswith("ref_")
    ]


async def _dependencies(client: AsyncClient, board: Board) -> dict[str, list[str]]:
    """Each task's title -> the titles of the tasks it depends on."""
    tasks = await all_tasks(client, board.owner, "WEB")
    title = {task["key"]: task["title"] for task in tasks}
    return {task["title"]: sorted(title[k] for k in task["depends_on"]) for task in tasks}


async def _import(
    client: AsyncClient, board: Board, files: dict[str, str], *, dry_run: bool
) -> dict[str, Any]:
    response = await import_archive(client, board.owner, "WEB", zip_of(files), dry_run=dry_run)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("dry_run", [True, False])
@pytest.mark.parametrize("written", ["[3]", "[03]", "[0003]"])
async def test_an_unpadded_number_names_the_padded_file(
    client: AsyncClient, board: Board, written: str, dry_run: bool
) -> None:
    files = {
        "epics/api/epic.md": EPIC,
        "epics/api/001.md": task_file("One", depends_on=written),
        "epics/api/003.md": task_file("Three"),
    }
    body = await _import(client, board, files, dry_run=dry_run)
    assert _refs(body) == [("epics/api/001.md", 3, "depends_on", "ref_padding")]
    message = body["warnings"][0]["message"]
    assert message == f"depends_on {written[1:-1]} read as 003.md (kept as written)"
    if not dry_run:
        assert (await _dependencies(client, board))["One"] == ["Three"]


async def test_the_exact_file_wins_without_a_warning(client: AsyncClient, board: Board) -> None:
    files = {
        "epics/api/epic.md": EPIC,
        "epics/api/001.md": task_file("One", depends_on="[3]", conflicts_with="[003]"),
        "epics/api/3.md": task_file("Bare three"),
        "epics/api/003.md": task_file("Padded three"),
    }
    body = await _import(client, board, files, dry_run=False)
    assert _refs(body) == []
    assert (await _dependencies(client, board))["One"] == ["Bare three"]


async def test_an_unpadded_number_of_two_files_is_refused(
    client: AsyncClient, board: Board
) -> None:
    files = {
        "epics/api/epic.md": EPIC,
        "epics/api/001.md": task_file("One", depends_on="[03]"),
        "epics/api/3.md": task_file("Bare three"),
        "epics/api/003.md": task_file("Padded three"),
    }
    response = await import_archive(client, board.owner, "WEB", zip_of(files), dry_run=True)
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert (error["file"], error["line"], error["code"]) == ("epics/api/001.md", 3, "unknown_task")
    assert "3.md or 003.md" in error["message"]


def _synced(mapping: str) -> dict[str, str]:
    """After a sync: files named by issue number, a ref still written with the old number."""
    return {
        "epics/api/epic.md": EPIC,
        "epics/api/github-mapping.md": mapping,
        "epics/api/1234.md": task_file("Set up the schema", github=f"{URL}/1234"),
        "epics/api/1235.md": task_file("Write the API", depends_on="[001]"),
    }


@pytest.mark.parametrize("dry_run", [True, False])
@pytest.mark.parametrize(
    ("mapping", "line"),
    [(ARROW_MAPPING, 3), (TABLE_MAPPING, 10), (SHORT_TABLE, 3)],
    ids=["arrow", "table", "short-table"],
)
async def test_a_number_from_before_the_sync_resolves_through_the_mapping(
    client: AsyncClient, board: Board, mapping: str, line: int, dry_run: bool
) -> None:
    body = await _import(client, board, _synced(mapping), dry_run=dry_run)
    assert _refs(body) == [("epics/api/1235.md", 3, "depends_on", "ref_mapping")]
    assert body["warnings"][0]["message"] == (
        "depends_on 001 read as 1234.md: epics/api/github-mapping.md:"
        f"{line} maps 001 to #1234 (kept as written)"
    )
    if not dry_run:
        assert (await _dependencies(client, board))["Write the API"] == ["Set up the schema"]


async def test_an_issue_number_finds_the_task_of_that_issue(
    client: AsyncClient, board: Board
) -> None:
    files = {
        "epics/api/epic.md": EPIC,
        "epics/api/001.md": task_file("Set up the schema", github=f"{URL}/1234"),
        "epics/api/002.md": task_file("Write the API", depends_on="[1234]"),
        "epics/api/003.md": task_file("Review it", depends_on="[1235]"),
        "epics/api/004.md": task_file("Ship it", github="https://github.com/o/r/pull/1235"),
    }
    body = await _import(client, board, files, dry_run=False)
    assert _refs(body) == [
        ("epics/api/002.md", 3, "depends_on", "ref_github"),
        ("epics/api/003.md", 3, "depends_on", "ref_github"),
    ]
    assert body["warnings"][0]["message"] == (
        f"depends_on 1234 read as 001.md, whose github: is {URL}/1234 (kept as written)"
    )
    found = await _dependencies(client, board)
    assert (found["Write the API"], found["Review it"]) == (["Set up the schema"], ["Ship it"])


async def test_every_ref_that_names_nothing_says_what_was_meant(
    client: AsyncClient, board: Board
) -> None:
    files = {
        "epics/api/epic.md": EPIC,
        "epics/api/github-mapping.md": CCPM_MAPPING,
        "epics/api/001.md": task_file("Set up the schema"),
        "epics/api/002.md": task_file("Write the API", depends_on="[1234]"),
        "epics/api/010.md": task_file("Ten", depends_on="[11]", conflicts_with="[other/1]"),
    }
    response = await import_archive(client, board.owner, "WEB", zip_of(files), dry_run=True)
    assert response.status_code == 422, response.text
    found = [(e["file"], e["field"], e["code"], e["message"]) for e in response.json()["errors"]]
    assert found == [
        (
            "epics/api/002.md",
            "depends_on",
            "unknown_task",
            "depends_on names api/1234, which is neither in the upload nor in the project: did you "
            "mean 001.md ('Set up the schema' is #1234 in epics/api/github-mapping.md:6)?",
        ),
        (
            "epics/api/010.md",
            "depends_on",
            "unknown_task",
            "depends_on names api/11, which is neither in the upload nor in the project: "
            "did you mean 010.md?",
        ),
        (
            "epics/api/010.md",
            "conflicts_with",
            "unknown_task",
            "conflicts_with names other/1, which is neither in the upload nor in the project: "
            "there is no task of an epic folder 'other'",
        ),
    ]


async def test_an_issue_number_finds_a_file_not_renamed_yet(
    client: AsyncClient, board: Board
) -> None:
    files = {
        "epics/api/epic.md": EPIC,
        "epics/api/github-mapping.md": ARROW_MAPPING,
        "epics/api/001.md": task_file("Set up the schema"),
        "epics/web/epic.md": epic_file("web"),
        "epics/web/001.md": task_file("Build the page", depends_on="[api/1234, api/1]"),
    }
    body = await _import(client, board, files, dry_run=False)
    assert [w["message"] for w in body["warnings"]] == [
        "depends_on api/1234 read as api/001.md: epics/api/github-mapping.md:3 maps 001 to "
        "#1234 (kept as written)",
        "depends_on api/1 read as api/001.md (kept as written)",
    ]
    assert (await _dependencies(client, board))["Build the page"] == ["Set up the schema"]
