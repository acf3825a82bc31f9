"""The lint of a project with more tasks than a statement takes parameters (asyncpg sends at
most 32,767): it must not send the project's task keys back to the database."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, bindparam, text

from epicflow.platform.db import Database
from epicflow.platform.models import UTCDateTime
from tests.support.board import Board

TASKS = 32_767

# One statement, so that seeding takes a fraction of a second rather than minutes through the API.
_SEED = text(
    """
    WITH RECURSIVE numbers(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM numbers WHERE n < :count)
    INSERT INTO task (
        project_id, number, key, epic_id, title, status, priority, description,
        tdd_requirements, technical_details, acceptance_criteria, definition_of_done,
        estimate_size, parallel, version, created_at, updated_at
    )
    SELECT
        project.id, numbers.n, project.key || '-' || numbers.n, epic.id,
        'Implement part ' || numbers.n, 'open', 2, 'What it is for and why.',
        'A failing test first.', '', :criteria, :done, 'S', true, 1, :now, :now
    FROM numbers
    JOIN project ON project.key = :key
    JOIN epic ON epic.project_id = project.id AND epic.slug = :epic
    """
).bindparams(
    bindparam("criteria", type_=JSON()),
    bindparam("done", type_=JSON()),
    bindparam("now", type_=UTCDateTime()),
)
_COUNTER = text("UPDATE project SET task_counter = :count WHERE key = :key")


async def _seed(db: Database, board: Board, epic: str, count: int) -> None:
    async with db.engine.begin() as connection:
        await connection.execute(
            _SEED,
            {
                "count": count,
                "key": board.key,
                "epic": epic,
                "criteria": [{"text": "It works", "done": False}],
                "done": [{"text": "Merged", "done": False}],
                "now": datetime.now(UTC),
            },
        )
        await connection.execute(_COUNTER, {"count": count, "key": board.key})


async def test_lint_reads_a_project_of_more_tasks_than_a_statement_takes_parameters(
    board: Board, db: Database
) -> None:
    await board.epic("bulk")
    await _seed(db, board, "bulk", TASKS)
    small = await board.epic("small")
    assert small["slug"] == "small"
    odd = await board.task("Login endpoint", epic="small")  # not verb-led: one finding

    for params in ({}, {"epic": "bulk"}):
        response = await board.client.get(
            f"/api/v1/projects/{board.key}/lint", params=params, headers=board.owner.headers
        )
        assert response.status_code == 200, response.text[:500]
        scores = response.json()["scores"]
        assert scores["epics"]["bulk"] == 100
        assert len(scores["tasks"]) == TASKS + (0 if params else 1)

    report = (
        await board.client.get(
            f"/api/v1/projects/{board.key}/lint",
            params={"epic": "small"},
            headers=board.owner.headers,
        )
    ).json()
    assert [finding["task"] for finding in report["findings"]] == [odd["key"]] * len(
        report["findings"]
    )
    assert list(report["scores"]["tasks"]) == [odd["key"]]
