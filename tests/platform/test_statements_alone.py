"""On PostgreSQL a write that is one statement commits on its own: the request sends no BEGIN
and no COMMIT, so no lock it takes outlives the statement. Writes of several statements still
run in one transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from epicflow.platform.db import Database
from tests.support.board import Board
from tests.support.claims import call, claim_next
from tests.support.statements import count_statements


def transaction_control(sent: list[str]) -> list[str]:
    """BEGIN and COMMIT, as asyncpg sends them (`BEGIN ISOLATION LEVEL …;`, `COMMIT;`)."""
    words = [statement.strip().rstrip(";").split(maxsplit=1)[0].upper() for statement in sent]
    return [word for word in words if word in {"BEGIN", "COMMIT"}]


# SQLite runs every write in a BEGIN IMMEDIATE transaction.
pytestmark = pytest.mark.postgres_only


async def test_a_claim_and_its_completion_send_no_transaction_control(
    board: Board, db: Database
) -> None:
    await board.task()
    await board.task()
    assert (await claim_next(board)).status_code == 201  # refreshes the claim order
    async with count_statements(db) as sent:
        claimed = await claim_next(board)
        assert claimed.status_code == 201, claimed.text
        key, token = claimed.json()["task"]["key"], claimed.json()["claim_token"]
        assert (await call(board, key, "heartbeat", claim_token=token)).status_code == 200
        assert (await call(board, key, "complete", claim_token=token)).status_code == 200
    assert sent
    assert transaction_control(sent) == []


async def test_a_plain_create_and_patch_send_no_transaction_control(
    board: Board, db: Database
) -> None:
    async with count_statements(db) as sent:
        task = await board.task(labels=["x"])
        await board.patch(task["key"], title="Renamed")
    assert sent
    assert transaction_control(sent) == []


async def test_writes_of_several_statements_keep_their_transaction(
    board: Board, db: Database
) -> None:
    first = await board.task()
    async with count_statements(db) as sent:
        await board.task(status="in_progress")  # the start rules are judged first
        await board.patch(first["key"], depends_on=[], status="done")
        replayed = await board.client.post(
            f"/api/v1/projects/{board.key}/tasks",
            json={"title": "Once"},
            headers={**board.owner.headers, "Idempotency-Key": "k-1"},
        )
        assert replayed.status_code == 201, replayed.text
    assert transaction_control(sent) == ["BEGIN", "COMMIT"] * 3


async def test_reads_and_one_statement_writes_leave_the_session_unopened(
    board: Board, db: Database
) -> None:
    """Their statements run on pooled connections of their own (`fetch_rows`); the session,
    with its transaction bookkeeping, never checks one out."""
    task = await board.task()
    other = await board.task()
    opened: list[object] = []

    def on_connect(connection: object) -> None:
        opened.append(connection)

    event.listen(db.engine.sync_engine, "engine_connect", on_connect)
    try:
        assert (await board.list())["items"]
        assert (await board.get(task["key"]))["key"] == task["key"]
        assert opened == []
        await board.patch(other["key"], depends_on=[task["key"]])  # the ORM's unit of work
        assert opened
    finally:
        event.remove(db.engine.sync_engine, "engine_connect", on_connect)
