"""A JSON bundle carries each task's links: export, import into another project, export again
gives the same links; a re-import changes nothing."""

from __future__ import annotations

from httpx import AsyncClient

from tests.support.board import Board
from tests.support.transfer import bundle_bytes, export_json, imported
from tests.transfer.test_roundtrip import new_project

LINKS = [
    {"url": "https://github.com/o/r/pull/7", "title": "PR 7"},
    {"url": "https://ci.example.com/build/9", "title": None},
]


async def test_links_travel_in_a_bundle(client: AsyncClient, board: Board) -> None:
    await board.task("Ship it", links=LINKS)
    before = await export_json(client, board.owner, "WEB")
    assert before["tasks"][0]["links"] == LINKS
    await new_project(client, board.owner, "NEW")
    await imported(client, board.owner, "NEW", bundle_bytes(before))
    after = await export_json(client, board.owner, "NEW")
    assert after["tasks"][0]["links"] == LINKS
    again = await imported(client, board.owner, "NEW", bundle_bytes(after))
    assert again["unchanged"]["tasks"] == 1


async def test_a_bundle_link_is_held_to_the_api_rules(client: AsyncClient, board: Board) -> None:
    bundle = {"tasks": [{"key": "OLD-1", "title": "x", "links": [{"url": "ftp://x/y"}]}]}
    response = await client.post(
        "/api/v1/projects/WEB/import",
        files={"file": ("b.json", bundle_bytes(bundle), "application/json")},
        headers=board.owner.headers,
    )
    assert response.status_code == 422, response.text
    assert "links" in response.json()["detail"]
