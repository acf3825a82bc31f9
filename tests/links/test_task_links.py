"""Links on a task (SPEC 10.4): `{url, title}`, at most 50, http or https only; set on create,
replaced by PATCH, shown by every view."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.board import Board

BRANCH = {"url": "https://git.example/web/tree/fix-login", "title": "Branch fix-login"}
BUILD = {"url": "http://ci.example/builds/7", "title": None}


class TestLinksOnATask:
    async def test_a_new_task_has_no_links(self, board: Board) -> None:
        task = await board.task()
        assert task["links"] == []

    async def test_links_set_on_create_come_back_in_every_view(self, board: Board) -> None:
        task = await board.task(links=[BRANCH, {"url": BUILD["url"]}])
        assert task["links"] == [BRANCH, BUILD]
        assert (await board.get(task["key"]))["links"] == [BRANCH, BUILD]
        (listed,) = (await board.list())["items"]
        assert listed["links"] == [BRANCH, BUILD]

    async def test_links_on_a_task_created_in_progress(self, board: Board) -> None:
        task = await board.task(status="in_progress", links=[BRANCH])
        assert task["links"] == [BRANCH]

    async def test_patch_replaces_the_list(self, board: Board) -> None:
        task = await board.task(links=[BRANCH])
        patched = await board.patch(task["key"], links=[BUILD])
        assert patched.status_code == 200, patched.text
        assert patched.json()["links"] == [BUILD]
        assert patched.json()["version"] == task["version"] + 1
        cleared = await board.patch(task["key"], links=[])
        assert cleared.json()["links"] == []
        assert (await board.get(task["key"]))["links"] == []

    async def test_patch_of_links_with_other_fields(self, board: Board) -> None:
        task = await board.task()
        patched = await board.patch(task["key"], links=[BRANCH], status="blocked", labels=["x"])
        assert patched.status_code == 200, patched.text
        assert (patched.json()["links"], patched.json()["status"]) == ([BRANCH], "blocked")

    async def test_fifty_links_are_taken(self, board: Board) -> None:
        links = [{"url": f"https://ci.example/{n}", "title": f"build {n}"} for n in range(50)]
        task = await board.task(links=links)
        assert task["links"] == links


@pytest.mark.parametrize(
    "links",
    [
        [{"url": f"https://ci.example/{n}"} for n in range(51)],
        [{"url": "ftp://files.example/a"}],
        [{"url": "javascript:alert(1)"}],
        [{"url": "https://"}],
        [{"url": "not a url"}],
        [{"url": "https://ci.example/1", "title": "two\nlines"}],
        [{"url": "https://ci.example/1", "title": "x" * 201}],
        [{"url": "https://ci.example/" + "x" * 2100}],
        [{"title": "no url"}],
        [{"url": "https://ci.example/1", "extra": 1}],
    ],
    ids=[
        "51",
        "ftp",
        "javascript",
        "no-host",
        "not-a-url",
        "title-two-lines",
        "title-too-long",
        "url-too-long",
        "no-url",
        "unknown-field",
    ],
)
class TestBadLinks:
    async def test_create_refuses_them_naming_links(
        self, board: Board, links: list[dict[str, Any]]
    ) -> None:
        refused = await board.create(title="Fix it", links=links)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "links" in [error["loc"][1] for error in refused.json()["errors"]]
        assert (await board.list())["items"] == []

    async def test_patch_refuses_them_and_keeps_the_old_ones(
        self, board: Board, links: list[dict[str, Any]]
    ) -> None:
        task = await board.task(links=[BRANCH])
        refused = await board.patch(task["key"], links=links)
        assert refused.status_code == 422, refused.text
        assert "links" in [error["loc"][1] for error in refused.json()["errors"]]
        assert (await board.get(task["key"]))["links"] == [BRANCH]


async def test_links_cannot_be_null(board: Board) -> None:
    task = await board.task(links=[BRANCH])
    refused = await board.patch(task["key"], links=None)
    assert refused.status_code == 422, refused.text
    assert (await board.get(task["key"]))["links"] == [BRANCH]
