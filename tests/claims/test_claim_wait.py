"""SPEC §10.3: a claim that waits for work instead of polling."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from sqlalchemy import text

from epicflow.platform.db import Database
from epicflow.platform.wakeups import Wakeups
from tests.support.board import Board
from tests.support.claims import call, claim_next
from tests.support.waiting import claim_waiting, until_waiting, watched


@pytest.fixture
async def wakeups(app: FastAPI) -> AsyncIterator[Wakeups]:
    async with watched(app) as running:
        yield running


async def _blocked_pair(board: Board) -> tuple[str, str]:
    """`first` claimed by w1, `second` waiting on it; (first, its claim token, second)."""
    first = await board.task("First")
    await board.task("Second", depends_on=[first["key"]])
    taken = await claim_next(board)
    assert taken.status_code == 201, taken.text
    return first["key"], taken.json()["claim_token"]


class TestNothingReady:
    async def test_a_drained_scope_answers_at_once(self, board: Board, wakeups: Wakeups) -> None:
        done = await board.task("Done already")
        assert (await board.patch(done["key"], status="done")).status_code == 200
        response = await claim_next(board, wait_seconds=60)
        assert response.status_code == 204
        assert response.headers["Epicflow-Queue"] == "drained"
        assert wakeups.count == 0

    async def test_an_epic_without_open_work_is_drained(
        self, board: Board, wakeups: Wakeups
    ) -> None:
        await board.epic("quiet")
        await board.task("Elsewhere")
        response = await claim_next(board, epic="quiet", wait_seconds=60)
        assert response.headers["Epicflow-Queue"] == "drained"

    async def test_work_that_is_not_ready_answers_waiting_after_the_wait(
        self, board: Board, wakeups: Wakeups
    ) -> None:
        await _blocked_pair(board)
        response = await claim_next(board, wait_seconds=1)
        assert response.status_code == 204
        assert response.headers["Epicflow-Queue"] == "waiting"

    async def test_without_a_wait_it_answers_waiting_at_once(self, board: Board) -> None:
        await _blocked_pair(board)
        response = await claim_next(board)
        assert response.status_code == 204
        assert response.headers["Epicflow-Queue"] == "waiting"

    @pytest.mark.parametrize("seconds", [-1, 61, "soon"])
    async def test_a_wait_out_of_range_is_refused(self, board: Board, seconds: object) -> None:
        response = await claim_next(board, wait_seconds=seconds)
        assert response.status_code == 422
        assert "wait_seconds" in response.text


class TestWoken:
    async def test_a_completion_hands_the_next_task_to_the_waiting_claim(
        self, board: Board, wakeups: Wakeups
    ) -> None:
        first, token = await _blocked_pair(board)
        waiting = claim_waiting(board, 30)
        await until_waiting(wakeups, 1)
        assert (await call(board, first, "complete", claim_token=token)).status_code == 200
        response = await asyncio.wait_for(waiting, 10)
        assert response.status_code == 201, response.text
        assert response.json()["task"]["title"] == "Second"

    async def test_a_new_task_wakes_the_waiting_claim(self, board: Board, wakeups: Wakeups) -> None:
        await _blocked_pair(board)
        waiting = claim_waiting(board, 30)
        await until_waiting(wakeups, 1)
        await board.task("Fresh work")
        response = await asyncio.wait_for(waiting, 10)
        assert response.status_code == 201, response.text
        assert response.json()["task"]["title"] == "Fresh work"

    async def test_woken_claims_never_take_one_task_twice(
        self, board: Board, wakeups: Wakeups
    ) -> None:
        first, token = await _blocked_pair(board)
        waiting = [claim_waiting(board, 3) for _ in range(3)]
        await until_waiting(wakeups, 3)
        assert (await call(board, first, "complete", claim_token=token)).status_code == 200
        answers = await asyncio.wait_for(asyncio.gather(*waiting), 10)
        assert sorted(answer.status_code for answer in answers) == [201, 204, 204]

    async def test_a_waiting_claim_holds_no_database_connection(
        self, board: Board, wakeups: Wakeups, db: Database
    ) -> None:
        await _blocked_pair(board)
        waiting = [claim_waiting(board, 30) for _ in range(3)]
        await until_waiting(wakeups, 3)
        assert db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
        wakeups.close()
        answers = await asyncio.wait_for(asyncio.gather(*waiting), 10)
        assert [answer.headers["Epicflow-Queue"] for answer in answers] == ["waiting"] * 3


class TestLimits:
    async def test_past_the_cap_a_claim_is_refused_with_retry_after(
        self, board: Board, app: FastAPI
    ) -> None:
        await _blocked_pair(board)
        async with watched(app, limit=1) as wakeups:
            waiting = claim_waiting(board, 30)
            await until_waiting(wakeups, 1)
            refused = await claim_next(board, wait_seconds=5)
            assert refused.status_code == 503, refused.text
            assert refused.json()["code"] == "too_many_waiters"
            assert int(refused.headers["Retry-After"]) > 0
            # a claim that does not wait is not counted
            assert (await claim_next(board)).status_code == 204
        assert (await asyncio.wait_for(waiting, 10)).status_code == 204

    async def test_shutdown_answers_the_waiting_claims(
        self, board: Board, wakeups: Wakeups
    ) -> None:
        await _blocked_pair(board)
        waiting = [claim_waiting(board, 60) for _ in range(2)]
        await until_waiting(wakeups, 2)
        wakeups.close()
        answers = await asyncio.wait_for(asyncio.gather(*waiting), 5)
        assert [answer.status_code for answer in answers] == [204, 204]
        assert (await claim_next(board, wait_seconds=60)).status_code == 204  # no new waits


@pytest.mark.postgres_only
class TestListenerLost:
    async def test_a_waiting_claim_is_still_woken_after_the_listener_was_cut_off(
        self, board: Board, wakeups: Wakeups, db: Database
    ) -> None:
        first, token = await _blocked_pair(board)
        listening = text(
            "SELECT pid FROM pg_stat_activity"
            " WHERE query LIKE 'LISTEN%' AND datname = current_database()"
        )
        async with db.engine.connect() as connection:
            for _ in range(500):  # the watch connects as it starts: 10 s at most
                pids = list(await connection.scalars(listening))
                if pids:
                    break
                await asyncio.sleep(0.02)
            assert len(pids) == 1
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pids[0]})
        waiting = claim_waiting(board, 30)
        await until_waiting(wakeups, 1)
        assert (await call(board, first, "complete", claim_token=token)).status_code == 200
        response = await asyncio.wait_for(waiting, 10)
        assert response.status_code == 201, response.text
