"""Unknown sections, text among checklist items and nested items survive an import into the
database and an export back out, over HTTP, on either database."""

from __future__ import annotations

from httpx import AsyncClient

from tests.support.board import Board
from tests.support.section_samples import ALL
from tests.support.transfer import export_markdown, imported, zip_of

EPIC = "---\nname: e\nstatus: backlog\n---\n\n# Epic: e\n\nKept sections.\n"
TITLE = "# Task: T\n"
FILES = {
    "epics/e/epic.md": EPIC,
    **{f"epics/e/{n:03d}.md": text for n, text in enumerate(ALL.values(), start=1)},
}


def _body(text: str) -> str:
    """The task from its title heading on: what the file says beyond the keys export adds."""
    return text.split(TITLE, 1)[1]


async def test_an_export_gives_back_every_body_as_it_came_in(
    client: AsyncClient, board: Board
) -> None:
    await imported(client, board.owner, "WEB", zip_of(FILES))
    files = await export_markdown(client, board.owner, "WEB")
    for name, text in FILES.items():
        if name.endswith("epic.md"):
            continue
        assert _body(files[name]) == _body(text), name


async def test_importing_the_export_again_changes_nothing(
    client: AsyncClient, board: Board
) -> None:
    await imported(client, board.owner, "WEB", zip_of(FILES))
    files = await export_markdown(client, board.owner, "WEB")
    again = await imported(client, board.owner, "WEB", zip_of(files))
    assert again["updated"] == {"epics": 0, "tasks": 0}, again


async def test_an_edited_unknown_section_is_a_change(client: AsyncClient, board: Board) -> None:
    await imported(client, board.owner, "WEB", zip_of(FILES))
    edited = dict(FILES)
    edited["epics/e/001.md"] = FILES["epics/e/001.md"].replace(
        "Why this task exists.", "Why this task exists, said again."
    )
    again = await imported(client, board.owner, "WEB", zip_of(edited))
    assert again["updated"]["tasks"] == 1, again
    files = await export_markdown(client, board.owner, "WEB")
    assert "Why this task exists, said again." in files["epics/e/001.md"]
