"""Strings that YAML escapes put in a file meet the API's rules: one-line fields take no control
character, text fields only tab and newline; each is a 422 naming file, line and field."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.support.board import Board
from tests.support.transfer import all_tasks, epic_file, import_archive, task_file, zip_of

EPIC = epic_file("web")

# Each: the frontmatter line as written (a double-quoted YAML escape), the field, its line.
ESCAPED = {
    "NUL in name": ('name: "Fix\\0 it"', "title", 2),
    "BEL in a label": ('labels: [ok, "be\\al"]', "labels", 3),
    "ESC in github": ('github: "https://x/1\\e[31m"', "github", 3),
    "NUL in an extra key's value": ('owner: "a\\0b"', "owner", 3),
    "tab in a one-line field": ('assignee: "a\\tb@example.com"', "assignee", 3),
}


def _task(line: str) -> str:
    text = task_file("Fix it")
    if line.startswith("name:"):  # without a heading, which would win over name:
        return text.replace("name: Fix it", line).replace("# Task: Fix it\n", "")
    return text.replace("name: Fix it\n", f"name: Fix it\n{line}\n")


@pytest.mark.parametrize(("line", "field", "number"), ESCAPED.values(), ids=list(ESCAPED))
@pytest.mark.parametrize("dry_run", [True, False])
async def test_an_escaped_control_character_is_a_422(
    client: AsyncClient, board: Board, line: str, field: str, number: int, dry_run: bool
) -> None:
    upload = zip_of({"epics/web/epic.md": EPIC, "epics/web/001.md": _task(line)})
    response = await import_archive(client, board.owner, "WEB", upload, dry_run=dry_run)
    assert response.status_code == 422, response.text
    body = response.json()
    assert (body["code"], body["file"], body["line"]) == (
        "invalid_markdown",
        "epics/web/001.md",
        number,
    )
    assert field in body["detail"]
    assert "control character" in body["detail"]
    assert body["errors"][0]["field"] == field
    assert await all_tasks(client, board.owner, "WEB") == []


async def test_every_bad_string_is_listed(client: AsyncClient, board: Board) -> None:
    files = {
        "epics/web/epic.md": EPIC.replace("status: backlog", 'status: backlog\ngithub: "x\\0"'),
        "epics/web/001.md": _task('labels: ["a\\0"]'),
        "epics/web/002.md": _task('key: "K\\a"'),
    }
    response = await import_archive(client, board.owner, "WEB", zip_of(files), dry_run=True)
    assert response.status_code == 422, response.text
    found = [(e["file"], e["field"]) for e in response.json()["errors"]]
    assert found == [
        ("epics/web/epic.md", "github"),
        ("epics/web/001.md", "labels"),
        ("epics/web/002.md", "key"),
    ]


async def test_a_text_field_keeps_tabs_and_newlines(client: AsyncClient, board: Board) -> None:
    upload = zip_of(
        {"epics/web/epic.md": EPIC, "epics/web/001.md": _task('note: "line\\tone\\nline two"')}
    )
    response = await import_archive(client, board.owner, "WEB", upload)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("name", ["epic.md", "001.md"])
async def test_a_terminal_escape_code_is_removed_with_a_warning_naming_it(
    client: AsyncClient, board: Board, name: str
) -> None:
    files = {"epics/web/epic.md": EPIC, "epics/web/001.md": task_file("Fix it")}
    files[f"epics/web/{name}"] += "\nSee \x1b[31mred\x1b[0m here.\n"
    response = await import_archive(client, board.owner, "WEB", zip_of(files), dry_run=True)
    assert response.status_code == 200, response.text
    warnings = [w for w in response.json()["warnings"] if w["code"] == "escape_code"]
    line = files[f"epics/web/{name}"].count("\n")
    assert [(w["file"], w["line"]) for w in warnings] == [(f"epics/web/{name}", line)] * 2
    assert "\\x1b[31m" in warnings[0]["message"]
