"""What the rule checks and the claim order read of a project's graph: each fact once, and the
same meaning of a node's epic wherever a node is made."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.platform.db import Database
from epicflow.projects.models import Project
from epicflow.tasks import repository as repo
from epicflow.tasks.claim_order import refresh_claim_order
from epicflow.tasks.models import Task
from epicflow.tasks.project_graph import project_nodes
from tests.support.board import Board
from tests.support.statements import count_statements

NOW = datetime(2030, 1, 1, tzinfo=UTC)


async def _project_id(db: Database) -> object:
    async with db.sessionmaker() as session:
        return (await session.execute(select(Project.id))).scalar_one()


class TestClaimOrderRefresh:
    async def test_reads_the_tasks_once_and_the_edges_once(
        self, board: Board, db: Database
    ) -> None:
        first = await board.task(estimate={"hours": 3})
        second = await board.task(depends_on=[first["key"]], conflicts_with=[first["key"]])
        await board.task(depends_on=[second["key"]], estimate={"size": "S"})
        project_id = await _project_id(db)
        async with db.sessionmaker() as session, count_statements(db) as sent:
            changed = await refresh_claim_order(session, project_id)  # type: ignore[arg-type]
            await session.rollback()
        reads = [s for s in sent if s.lstrip().upper().startswith("SELECT")]
        assert changed == 3  # every task gains downstream hours
        assert len(reads) == 2, reads

    async def test_stores_downstream_hours_and_open_counts(
        self, board: Board, db: Database
    ) -> None:
        first = await board.task(estimate={"hours": 3})
        second = await board.task(depends_on=[first["key"]], estimate={"hours": 5})
        third = await board.task(depends_on=[second["key"]], estimate={"size": "S"})
        project_id = await _project_id(db)
        async with db.sessionmaker() as session:
            await refresh_claim_order(session, project_id)  # type: ignore[arg-type]
            rows = await session.execute(
                select(Task.key, Task.downstream_hours, Task.unresolved_deps).order_by(Task.number)
            )
            stored = {key: (hours, count) for key, hours, count in rows.tuples()}
            await session.rollback()
        assert stored == {
            first["key"]: (12.0, 0),  # its own 3 h and the 9 h of the chain it holds up
            second["key"]: (9.0, 1),
            third["key"]: (4.0, 1),
        }


class TestNodesAgreeOnTheEpic:
    async def test_a_rule_check_and_the_project_graph_name_the_epic_alike(
        self, board: Board, db: Database
    ) -> None:
        await board.epic("payments")
        running = await board.task(epic="payments", status="in_progress", parallel=False)
        waiting = await board.task(epic="payments")
        project_id = await _project_id(db)
        async with db.sessionmaker() as session:
            ids = dict((await session.execute(select(Task.key, Task.id))).tuples().all())
            epic_id = (
                await session.execute(select(Task.epic_id).where(Task.key == running["key"]))
            ).scalar_one()
            assert epic_id is not None
            neighbours = await repo.neighbour_nodes(
                session,
                project_id,  # type: ignore[arg-type]
                [ids[waiting["key"]]],
                [epic_id],
            )
            whole = {n.key: n for n in await project_nodes(session, project_id, NOW)}  # type: ignore[arg-type]
            await session.rollback()
        near = {n.key: n for n in neighbours}
        assert near[running["key"]].epic == whole[running["key"]].epic == "payments"


class TestAnUpdateUsesWhatItWrote:
    async def test_a_status_change_with_new_references_does_not_read_them_back(
        self, board: Board, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        done = await board.task(status="done")
        other = await board.task()
        task = await board.task()
        read_back: list[int] = []
        stored_refs = repo.task_refs

        async def spy(session: AsyncSession, task_id: int) -> tuple[list[str], list[str]]:
            read_back.append(task_id)
            return await stored_refs(session, task_id)

        monkeypatch.setattr(repo, "task_refs", spy)
        changed = await board.patch(
            task["key"],
            status="in_progress",
            depends_on=[done["key"]],
            conflicts_with=[other["key"]],
        )
        assert changed.status_code == 200, changed.text
        assert read_back == []
        blocked = await board.patch(other["key"], status="in_progress")
        assert blocked.status_code == 409  # the conflict just written holds
        assert blocked.json()["code"] == "conflict_in_progress"
        assert len(read_back) == 1  # a change without references reads the stored ones
