"""A JSON bundle is held to the API's rules for strings, as markdown files are: one-line fields
take no control character, text fields only tab and newline, and no string a lone surrogate.
Each string that breaks them is one finding of a 422 naming its JSON path; nothing is stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from httpx import AsyncClient

from tests.support.board import Board
from tests.support.transfer import all_tasks, bundle_bytes, import_archive

Bundle = dict[str, Any]


def bundle() -> Bundle:
    return {
        "epics": [
            {
                "slug": "web",
                "title": "Web",
                "description": "The site.",
                "ccpm": {"github": "https://example.com/1", "extra": {"owner": "ana"}},
            }
        ],
        "tasks": [
            {
                "key": "WEB-1",
                "title": "Fix it",
                "epic": "web",
                "labels": ["ui", "bug"],
                "ccpm": {"github": "https://example.com/2", "extra": {"note": "kept"}},
            }
        ],
    }


def _set(path: str, value: str) -> Callable[[Bundle], None]:
    """Replace the string at a dotted path (numbers index lists)."""

    def change(data: Bundle) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value

    return change


def _extra_key(owner: str, text: str) -> Callable[[Bundle], None]:
    def change(data: Bundle) -> None:
        data[owner][0]["ccpm"]["extra"][text] = "v"

    return change


# Each kind of string: how to put `text` there, and the JSON path the finding names.
KINDS: dict[str, tuple[Callable[[str], Callable[[Bundle], None]], str]] = {
    "task title": (lambda t: _set("tasks.0.title", f"Fix{t} it"), "tasks[0].title"),
    "label": (lambda t: _set("tasks.0.labels.1", f"b{t}g"), "tasks[0].labels[1]"),
    "task github": (
        lambda t: _set("tasks.0.ccpm.github", f"https://x/{t}"),
        "tasks[0].ccpm.github",
    ),
    "task extra key": (
        lambda t: _extra_key("tasks", f"k{t}"),
        "tasks[0].ccpm.extra",
    ),
    "task extra value": (
        lambda t: _set("tasks.0.ccpm.extra.note", f"a{t}b"),
        "tasks[0].ccpm.extra.note",
    ),
    "epic title": (lambda t: _set("epics.0.title", f"W{t}"), "epics[0].title"),
    "epic description": (
        lambda t: _set("epics.0.description", f"The{t} site"),
        "epics[0].description",
    ),
    "epic github": (
        lambda t: _set("epics.0.ccpm.github", f"https://x/{t}"),
        "epics[0].ccpm.github",
    ),
    "epic extra key": (lambda t: _extra_key("epics", f"k{t}"), "epics[0].ccpm.extra"),
    "epic extra value": (
        lambda t: _set("epics.0.ccpm.extra.owner", f"a{t}"),
        "epics[0].ccpm.extra.owner",
    ),
}
CHARS = {"NUL": "\x00", "BEL": "\x07", "ESC": "\x1b[31m", "lone surrogate": "\ud800"}


async def _import(client: AsyncClient, board: Board, data: Bundle, dry_run: bool = False) -> Any:
    return await import_archive(
        client, board.owner, "WEB", bundle_bytes(data), filename="web.json", dry_run=dry_run
    )


@pytest.mark.parametrize("char", CHARS.values(), ids=list(CHARS))
@pytest.mark.parametrize("kind", KINDS)
async def test_a_bad_character_is_a_422_naming_its_path(
    client: AsyncClient, board: Board, kind: str, char: str
) -> None:
    put, path = KINDS[kind]
    data = bundle()
    put(char)(data)
    response = await _import(client, board, data)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "invalid_bundle"
    assert body["file"] == "web.json"
    assert len(body["errors"]) == 1, body["errors"]
    (error,) = body["errors"]
    assert error["field"].startswith(path)
    assert (error["file"], error["line"], error["code"]) == ("web.json", None, "control_character")
    what = "lone surrogate" if char == "\ud800" else "control character"
    assert what in error["message"]
    assert error["message"] in body["detail"]
    assert await all_tasks(client, board.owner, "WEB") == []


async def test_every_bad_string_is_listed(client: AsyncClient, board: Board) -> None:
    data = bundle()
    for put, _ in KINDS.values():
        put("\x00")(data)
    response = await _import(client, board, data, dry_run=True)
    assert response.status_code == 422, response.text
    fields = [error["field"] for error in response.json()["errors"]]
    assert len(fields) == len(KINDS)
    for _, path in KINDS.values():
        assert any(field.startswith(path) for field in fields), path


async def test_text_fields_keep_tabs_and_newlines(client: AsyncClient, board: Board) -> None:
    data = bundle()
    data["tasks"][0]["description"] = "line\tone\nline two\r\n"
    data["tasks"][0]["ccpm"]["extra"]["note"] = "a\tb\nc"
    response = await _import(client, board, data)
    assert response.status_code == 200, response.text
    (task,) = await all_tasks(client, board.owner, "WEB")
    assert task["description"].startswith("line\tone\nline two")


@pytest.mark.parametrize("char", ["\t", "\n"])
async def test_a_one_line_field_takes_no_tab_or_newline(
    client: AsyncClient, board: Board, char: str
) -> None:
    data = bundle()
    data["tasks"][0]["ccpm"]["github"] = f"https://x/{char}1"
    response = await _import(client, board, data)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["tasks[0].ccpm.github"]


async def test_broken_json_is_still_named_by_line(client: AsyncClient, board: Board) -> None:
    data = b'{"tasks": [\n{"key": "WEB-1", "title": "\\ud800 x"\n'
    response = await import_archive(client, board.owner, "WEB", data, filename="web.json")
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_json"


async def test_deep_nesting_is_a_422(client: AsyncClient, board: Board) -> None:
    labels = "[" * 1000 + '"\\u0000"' + "]" * 1000
    text = '{"tasks": [{"key": "WEB-1", "title": "x", "labels": ' + labels + "}]}"
    response = await import_archive(client, board.owner, "WEB", text.encode(), filename="web.json")
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "tasks[0].labels" + "[0]" * 1000
