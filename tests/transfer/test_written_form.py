"""What a file's own spellings and layout (``Form``) and its effort section as written survive an
import into the database and an export back out: over HTTP, on either database."""

from __future__ import annotations

from httpx import AsyncClient

from epicflow.markdown import parse_epic, parse_task, render_epic, render_task
from tests.support.board import Board
from tests.support.transfer import (
    bundle_bytes,
    export_json,
    export_markdown,
    imported,
    zip_of,
)

_SECTIONS = """\
## Description

Send the event on.

## TDD Requirements

## Acceptance Criteria

- [ ] It is sent

## Technical Details

## Dependencies

## Effort Estimate

{effort}

## Definition of Done
"""
_TIMES = "created: 2025-08-01T09:00:00Z\nupdated: 2025-08-01T09:00:00Z\n"
EFFORT = "- Size: M\n- Hours: 4-6\n- Parallel: true\n- Day 1: wire it, day 2: test it"
# `status: pending`, `title:` for the name, `dependencies:`, `completed: null`, a range of hours
# with a breakdown line.
FORK_TASK = (
    f"---\ntitle: Send the event\nstatus: pending\n{_TIMES}dependencies: [002]\n"
    "parallel: true\nconflicts_with: []\nkey: WEB-1\npriority: 2\ncompleted: null\n---\n\n"
    "# Task: Send the event\n\n" + _SECTIONS.format(effort=EFFORT)
)
# Metadata in a fenced yaml block under a numbered heading.
YAML_TASK = (
    "# Task 002: Store the event\n\n```yaml\nname: Store the event\nstatus: in-progress\n"
    f"{_TIMES}depends_on: []\nparallel: true\nconflicts_with: []\nkey: WEB-2\npriority: 2\n"
    "started: 2025-08-01T09:00:00Z\n```\n\n"
    + _SECTIONS.format(effort="- Size: S\n- Parallel: true")
)
# A yaml block, a heading without `Epic:`, ccpm's `done` for completed.
YAML_EPIC = (
    f"# Hooks\n\n```yaml\nname: hooks\nstatus: done\n{_TIMES}title: Hooks\nprogress: 0%\n"
    "```\n\nHooks for payments.\n"
)
FILES = {
    "epics/hooks/epic.md": YAML_EPIC,
    "epics/hooks/001.md": FORK_TASK,
    "epics/hooks/002.md": YAML_TASK,
}


def test_the_fixtures_are_what_the_renderer_gives_back() -> None:
    """So that an export equal to them is an export equal to ``render(parse(file))``."""
    for name in ("001", "002"):
        path = f"epics/hooks/{name}.md"
        assert render_task(parse_task(FILES[path], filename=path)) == FILES[path]
    epic = parse_epic(YAML_EPIC, slug="hooks", filename="epics/hooks/epic.md")
    assert render_epic(epic) == YAML_EPIC


async def test_import_then_export_gives_back_each_file(client: AsyncClient, board: Board) -> None:
    await imported(client, board.owner, "WEB", zip_of(FILES))
    files = await export_markdown(client, board.owner, "WEB")
    assert files == FILES
    task = files["epics/hooks/001.md"]
    for line in ("title: Send the event", "status: pending", "dependencies: [002]"):
        assert f"\n{line}\n" in task
    assert "\ncompleted: null\n" in task
    assert f"## Effort Estimate\n\n{EFFORT}\n\n" in task
    assert "\nname:" not in task
    assert "depends_on" not in task
    assert files["epics/hooks/002.md"].startswith("# Task 002: Store the event\n\n```yaml\n")
    assert files["epics/hooks/epic.md"].startswith(
        "# Hooks\n\n```yaml\nname: hooks\nstatus: done\n"
    )


async def test_a_second_import_of_the_export_changes_nothing(
    client: AsyncClient, board: Board
) -> None:
    await imported(client, board.owner, "WEB", zip_of(FILES))
    files = await export_markdown(client, board.owner, "WEB")
    report = await imported(client, board.owner, "WEB", zip_of(files))
    assert report["updated"] == {"epics": 0, "tasks": 0}


async def test_the_json_bundle_carries_it_to_another_project(
    client: AsyncClient, board: Board
) -> None:
    await imported(client, board.owner, "WEB", zip_of(FILES))
    bundle = await export_json(client, board.owner, "WEB")
    response = await client.post(
        "/api/v1/projects", json={"key": "NEW", "name": "NEW"}, headers=board.owner.headers
    )
    assert response.status_code == 201, response.text
    await imported(client, board.owner, "NEW", bundle_bytes(bundle))
    files = await export_markdown(client, board.owner, "NEW")
    assert files["epics/hooks/001.md"] == FORK_TASK.replace("key: WEB-1", "key: NEW-1")
    assert files["epics/hooks/002.md"] == YAML_TASK.replace("key: WEB-2", "key: NEW-2")


async def test_a_status_edited_since_is_written_in_our_spelling(
    client: AsyncClient, board: Board
) -> None:
    await imported(client, board.owner, "WEB", zip_of(FILES))
    response = await board.patch("WEB-1", status="cancelled")
    assert response.status_code == 200, response.text
    task = (await export_markdown(client, board.owner, "WEB"))["epics/hooks/001.md"]
    assert "\nstatus: closed\n" in task
    assert "\nepicflow_status: cancelled\n" in task
    assert "pending" not in task
    # What was not edited is still written as the file had it.
    assert "\ntitle: Send the event\n" in task
    assert "\ndependencies: [002]\n" in task
    assert f"## Effort Estimate\n\n{EFFORT}\n\n" in task


async def test_an_estimate_edited_since_rewrites_only_its_line(
    client: AsyncClient, board: Board
) -> None:
    await imported(client, board.owner, "WEB", zip_of(FILES))
    response = await board.patch("WEB-1", estimate={"size": "M", "hours": 8})
    assert response.status_code == 200, response.text
    task = (await export_markdown(client, board.owner, "WEB"))["epics/hooks/001.md"]
    edited = EFFORT.replace("- Hours: 4-6", "- Hours: 8")
    assert f"## Effort Estimate\n\n{edited}\n\n" in task
    assert "\nstatus: pending\n" in task


async def test_a_form_from_a_hand_written_bundle_is_checked_not_trusted(
    client: AsyncClient, board: Board
) -> None:
    """Bundles are anyone's JSON: what the renderer could not write back is dropped."""
    await imported(client, board.owner, "WEB", zip_of(FILES))
    bundle = await export_json(client, board.owner, "WEB")
    first, second = sorted(bundle["tasks"], key=lambda task: task["key"])
    (key,) = [name for name in first["ccpm"]["extra"] if name.endswith("form")]
    first["ccpm"]["extra"][key] = "not json"
    second["ccpm"]["extra"][key] = (
        '{"layout": "html", "heading": "# Task 002: Store the event\\nstatus: x", '
        '"depends_key": "needs", "status": "in-progress\\u0000", "title_key": "title"}'
    )
    response = await client.post(
        "/api/v1/projects", json={"key": "NEW", "name": "NEW"}, headers=board.owner.headers
    )
    assert response.status_code == 201, response.text
    await imported(client, board.owner, "NEW", bundle_bytes(bundle))
    files = await export_markdown(client, board.owner, "NEW")
    assert files["epics/hooks/001.md"].startswith("---\nname: Send the event\nstatus: open\n")
    assert "- Hours: 6\n" in files["epics/hooks/001.md"]
    assert files["epics/hooks/002.md"].startswith(
        "---\ntitle: Store the event\nstatus: in-progress\n"
    )
    assert "\ndepends_on: []\n" in files["epics/hooks/002.md"]
    assert "# Task: Store the event\n" in files["epics/hooks/002.md"]


async def test_a_file_cannot_write_the_key_that_keeps_the_form(
    client: AsyncClient, board: Board
) -> None:
    """It holds a control character, which no file may."""
    text = FORK_TASK.replace("priority: 2\n", 'priority: 2\n"\x1fform": "{}"\n')
    response = await client.post(
        "/api/v1/projects/WEB/import",
        files={"file": ("epics.zip", zip_of({**FILES, "epics/hooks/001.md": text}), "x")},
        headers=board.owner.headers,
    )
    assert response.status_code == 422, response.text
    assert "epics/hooks/001.md" in response.text


async def test_a_title_edited_since_gets_our_heading_and_an_epic_status_our_word(
    client: AsyncClient, board: Board
) -> None:
    await imported(client, board.owner, "WEB", zip_of(FILES))
    response = await board.patch("WEB-2", title="Keep the event")
    assert response.status_code == 200, response.text
    response = await client.patch(
        "/api/v1/projects/WEB/epics/hooks",
        json={"status": "in_progress"},
        headers=board.owner.headers,
    )
    assert response.status_code == 200, response.text
    files = await export_markdown(client, board.owner, "WEB")
    task = files["epics/hooks/002.md"]
    assert task.startswith("# Task: Keep the event\n\n```yaml\nname: Keep the event\n")
    epic = files["epics/hooks/epic.md"]
    assert epic.startswith("# Hooks\n\n```yaml\nname: hooks\nstatus: in-progress\n")
