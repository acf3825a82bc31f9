"""Acceptance criteria and tests written under other headings (``## Success Criteria``,
``## Testing``...) are read as those sections: through the database and back out with the
heading as written, and the lint counts them."""

from __future__ import annotations

import json
from typing import Any

from httpx import AsyncClient

from tests.support.board import Board
from tests.support.section_samples import (
    CRITERIA_HEADINGS,
    TESTS_HEADINGS,
    with_heading,
    with_tests_heading,
)
from tests.support.transfer import (
    all_tasks,
    bundle_bytes,
    export_json,
    export_markdown,
    imported,
    zip_of,
)

EPIC = "---\nname: e\nstatus: backlog\n---\n\n# Epic: e\n\nOther headings.\n"
TITLE = "# Task: T\n"
SAMPLES = [with_heading(h) for h in CRITERIA_HEADINGS] + [
    with_tests_heading(h) for h in TESTS_HEADINGS
]
FILES = {
    "epics/e/epic.md": EPIC,
    **{f"epics/e/{n:03d}.md": text for n, text in enumerate(SAMPLES, start=1)},
}


def _body(text: str) -> str:
    return text.split(TITLE, 1)[1]


async def _lint(client: AsyncClient, board: Board) -> dict[str, Any]:
    response = await client.get(f"/api/v1/projects/{board.key}/lint", headers=board.owner.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_the_sections_are_stored_and_exported_under_their_own_headings(
    client: AsyncClient, board: Board
) -> None:
    await imported(client, board.owner, board.key, zip_of(FILES))
    tasks = await all_tasks(client, board.owner, board.key)
    assert len(tasks) == len(SAMPLES)
    for task in tasks[: len(CRITERIA_HEADINGS)]:
        assert [c["text"] for c in task["acceptance_criteria"]] == ["a", "b"], task["key"]
    for task in tasks[len(CRITERIA_HEADINGS) :]:
        assert task["tdd_requirements"] == "A failing test for a wrong password.", task["key"]
    files = await export_markdown(client, board.owner, board.key)
    for name, text in FILES.items():
        if not name.endswith("epic.md"):
            assert _body(files[name]) == _body(text), name
    again = await imported(client, board.owner, board.key, zip_of(files))
    assert again["updated"] == {"epics": 0, "tasks": 0}, again


async def test_the_lint_counts_them(client: AsyncClient, board: Board) -> None:
    await imported(client, board.owner, board.key, zip_of(FILES))
    keys = [t["key"] for t in await all_tasks(client, board.owner, board.key)]
    found = {(f["task"], f["code"]) for f in (await _lint(client, board))["findings"]}
    criteria, tests = keys[: len(CRITERIA_HEADINGS)], keys[len(CRITERIA_HEADINGS) :]
    assert not {(k, "missing_acceptance_criteria") for k in keys} & found
    assert not {(k, "missing_tdd_requirements") for k in tests} & found
    # The lint still sees what is missing: the criteria samples say nothing about tests.
    assert {(k, "missing_tdd_requirements") for k in criteria} <= found


async def _new_project(client: AsyncClient, board: Board) -> None:
    response = await client.post(
        "/api/v1/projects", json={"key": "NEW", "name": "NEW"}, headers=board.owner.headers
    )
    assert response.status_code == 201, response.text


async def test_a_json_bundle_carries_the_headings(client: AsyncClient, board: Board) -> None:
    await imported(client, board.owner, board.key, zip_of(FILES))
    bundle = await export_json(client, board.owner, board.key)
    await _new_project(client, board)
    await imported(client, board.owner, "NEW", bundle_bytes(bundle))
    files = await export_markdown(client, board.owner, "NEW")
    for name, text in FILES.items():
        if not name.endswith("epic.md"):
            assert _body(files[name]) == _body(text), name


async def test_headings_from_a_hand_written_bundle_are_checked_not_trusted(
    client: AsyncClient, board: Board
) -> None:
    await imported(client, board.owner, board.key, zip_of(FILES))
    bundle = await export_json(client, board.owner, board.key)
    task = min(bundle["tasks"], key=lambda t: int(t["key"].split("-")[1]))
    (key,) = [name for name in task["ccpm"]["extra"] if name.endswith("form")]
    task["ccpm"]["extra"][key] = json.dumps(
        {
            "headings": [
                ["acceptance_criteria", "## Description"],
                ["tdd_requirements", "## Criteria"],
                ["acceptance_criteria", "## Criteria\n## Notes"],
                ["acceptance_criteria", "## Criteria\u001c"],
                ["acceptance_criteria"],
            ]
        }
    )
    await _new_project(client, board)
    await imported(client, board.owner, "NEW", bundle_bytes(bundle))
    files = await export_markdown(client, board.owner, "NEW")
    text = files["epics/e/001.md"]
    assert "\n## Acceptance Criteria\n\n- [ ] a\n- [x] b\n" in text
    assert "## Criteria" not in text
