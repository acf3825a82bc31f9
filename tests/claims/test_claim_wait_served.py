"""SPEC §10.3 served: waiting claims woken across server processes, answered at shutdown."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import httpx
import pytest

from tests.support.board import Board
from tests.support.claims import call, claim_next
from tests.support.stress.servers import served_processes, server_logs
from tests.support.users import UserFactory
from tests.support.waiting import claim_on


async def _board(http: httpx.AsyncClient) -> tuple[Board, str, str]:
    """A project whose second task waits on the first, claimed; (board, first, its token)."""
    owner = await UserFactory(http).create()
    created = await http.post(
        "/api/v1/projects", json={"key": "WAIT", "name": "Wait"}, headers=owner.headers
    )
    assert created.status_code == 201, created.text
    board = Board(http, owner, "WAIT")
    first = await board.task("First")
    await board.task("Second", depends_on=[first["key"]])
    taken = await claim_next(board)
    assert taken.status_code == 201, taken.text
    return board, first["key"], taken.json()["claim_token"]


async def _until_waiting(http: httpx.AsyncClient) -> None:
    """Return once the server behind `http` has a request waiting (its metrics say so)."""
    for _ in range(500):  # bounded: 10 s at most
        metrics = (await http.get("/metrics")).text
        if "\nepicflow_waiting_requests 1.0" in metrics:
            return
        await asyncio.sleep(0.02)
    pytest.fail("the claim should be waiting")


class TestAcrossProcesses:
    async def test_a_completion_through_one_server_wakes_a_claim_waiting_on_another(
        self, database_url: str, tmp_path: Path
    ) -> None:
        async with (
            served_processes(database_url, tmp_path, 2) as up,
            httpx.AsyncClient(base_url=up[0][0], timeout=20) as one,
            httpx.AsyncClient(base_url=up[1][0], timeout=20) as other,
        ):
            board, first, token = await _board(one)
            waiting = asyncio.create_task(claim_on(other, board, 15))
            await _until_waiting(other)
            assert (await call(board, first, "complete", claim_token=token)).status_code == 200
            response = await waiting
            assert response.status_code == 201, response.text + server_logs(tmp_path)
            assert response.json()["task"]["title"] == "Second"

    async def test_shutdown_answers_a_waiting_claim(
        self, database_url: str, tmp_path: Path
    ) -> None:
        async with (
            served_processes(database_url, tmp_path, 1) as up,
            httpx.AsyncClient(base_url=up[0][0], timeout=20) as http,
        ):
            board, _first, _token = await _board(http)
            waiting = asyncio.create_task(claim_on(http, board, 60))
            await _until_waiting(http)
            up[0][1].send_signal(signal.SIGTERM)
            response = await waiting  # within the client's 20 s, well before the 60 s wait
            assert response.status_code == 204, response.text + server_logs(tmp_path)
            assert response.headers["Epicflow-Queue"] == "waiting"
