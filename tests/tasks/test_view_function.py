"""On PostgreSQL the claim and completion calls answer their task from `epicflow_task_view`, a
function the migrations define: it must answer, column for column, what `view_query` answers."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, select, text

from epicflow.platform.db import Database, fetch_rows
from epicflow.platform.models import UTCDateTime
from epicflow.projects.models import Project
from epicflow.stores.postgres import POSTGRES
from epicflow.tasks.models import Task
from epicflow.tasks.views import views_by_id_statement
from tests.support.board import Board
from tests.support.random_project import random_project

_VIEWS = views_by_id_statement(POSTGRES.tasks.sql)
_FUNCTION = text("SELECT * FROM epicflow_task_view(:id, :now)").bindparams(
    bindparam("now", type_=UTCDateTime)
)


async def _rich_tasks(board: Board) -> None:
    """Tasks with every field a view shows filled in: labels, checklists, texts, an assignee,
    an estimate, links, edges both ways."""
    first = await board.task(
        epic="api",
        labels=["backend", "db"],
        description="Why and what.",
        tdd_requirements="A failing test first.",
        technical_details="Use the index.",
        acceptance_criteria=[{"text": "It works", "done": True}, {"text": "It is fast"}],
        definition_of_done=[{"text": "Merged"}],
        estimate={"size": "M", "hours": 3.5},
        assignee=board.owner.id,
        links=[{"url": "https://ci.example/1", "title": "Build 1"}, {"url": "http://x.example"}],
    )
    await board.task(labels=["web"], depends_on=[first["key"]], conflicts_with=[first["key"]])


@pytest.mark.postgres_only  # a PostgreSQL function
@pytest.mark.parametrize("seed", range(3))
async def test_the_view_function_answers_what_the_view_query_answers(
    board: Board, db: Database, seed: int
) -> None:
    await random_project(board, random.Random(seed))
    await _rich_tasks(board)
    async with db.sessionmaker() as session:
        ids = list(
            (
                await session.execute(select(Task.id).join(Project).where(Project.key == board.key))
            ).scalars()
        )
        # Now, and past every lease: `ready` reads the leases.
        for now in (datetime.now(UTC), datetime.now(UTC) + timedelta(days=1)):
            params = {"ids": ids, "now": now}
            expected = {
                row[0]: tuple(row)
                for row in await fetch_rows(
                    session, views_by_id_statement(POSTGRES.tasks.sql), params
                )
            }
            answered = {}
            for task_id in ids:
                (row,) = await fetch_rows(session, _FUNCTION, {"id": task_id, "now": now})
                answered[task_id] = tuple(row)
            assert answered == expected
    assert len(ids) > 20
    assert any(row[-1] for row in expected.values())  # some ready, some not
    assert not all(row[-1] for row in expected.values())


@pytest.mark.postgres_only  # a PostgreSQL function
async def test_an_unknown_task_has_no_view(db: Database) -> None:
    async with db.sessionmaker() as session:
        rows = await fetch_rows(session, _FUNCTION, {"id": 123456, "now": datetime.now(UTC)})
    assert list(rows) == []
