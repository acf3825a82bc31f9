"""Claims under stress (SPEC §2 rules 2-6, §4): many workers, real ports, the history checked.

- Served runs: two `epicflow serve` processes on one database (a scaled-out deployment), each
  with its lease sweeper every second; a 500-task project with dependencies, conflicts and
  exclusive tasks; 16 clients on PostgreSQL, 4 on SQLite; a few claims stall past a short lease
  and must be refused with `claim_lost`. The event feed, the final states and the answers the
  clients got must show every rule held (the checks are in tests/support/stress.py).
- In-process runs: the same harness and the same checks through the ASGI app, once with the real
  claims and once with a deliberately naive claim (read the ready list, then write, without the
  lock), which the checks must catch.
- The checks on small hand-written histories, one per rule, so each is known to bite.
- Two PostgreSQL interleavings the served run hits only by chance, forced: the sweeper and a claim
  expiring one lease at once, and a claim that waited for the graph lock.

The rules are judged in feed order (event ids: the order in which changes were made visible).
How far the events' times disagree with the feed is printed with the summary
(`clock_lag_seconds`, `clock_order_violations`), not asserted: a request's clock is read when it
arrives, before it waits. (On PostgreSQL a claim, a completion and a release are stamped no
earlier than the database's clock as they write, which keeps their times in feed order;
tests/claims/test_claim_times.py holds that.)
"""

from __future__ import annotations

import asyncio
import json
import random
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse
from sqlalchemy import select

from epicflow.claims.repository import expire_leases, take
from epicflow.claims.schemas import ClaimNextIn, TokenIn
from epicflow.events import service as events
from epicflow.main import create_app
from epicflow.platform.db import Database
from epicflow.projects.models import Project
from epicflow.projects.repository import lock_project
from epicflow.tasks.models import Task
from epicflow.tasks.readiness import ready_condition
from tests.conftest import make_settings
from tests.support.board import Board
from tests.support.stress import (
    ClaimRecord,
    RunLog,
    Violation,
    Workload,
    build_project,
    check_client_log,
    check_history,
    describe_project,
    fetch_events,
    fetch_tasks,
    parse_time,
    plan_project,
    run_workers,
    served,
    server_logs,
    sign_up,
    summarize,
)

STALL_LOST = "complete 409 claim_lost"


def _report(violations: Sequence[Violation], limit: int = 25) -> str:
    lines = [str(v) for v in violations[:limit]]
    more = len(violations) - limit
    return "\n".join(lines + ([f"... and {more} more"] if more > 0 else []))


async def _history(
    http: httpx.AsyncClient, headers: Mapping[str, str], key: str, log: RunLog
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[Violation]]:
    feed = await fetch_events(http, headers, key)
    tasks = await fetch_tasks(http, headers, key)
    violations = [
        *check_history(tasks, feed, extensions=log.extensions()),
        *check_client_log(log, feed),
    ]
    return feed, tasks, violations


# --- served: two processes, one database ---------------------------------------------------


async def _served_run(
    database_url: str, tmp_path: Path, *, servers: int, size: int, workload: Workload
) -> None:
    workdir = tmp_path / "served"
    phases: dict[str, float] = {}
    started = time.monotonic()
    async with served(database_url, workdir, servers) as urls, AsyncExitStack() as stack:
        phases["start"] = time.monotonic() - started
        clients = [
            await stack.enter_async_context(
                httpx.AsyncClient(
                    base_url=url,
                    timeout=30,
                    limits=httpx.Limits(max_connections=workload.clients + 4),
                )
            )
            for url in urls
        ]
        headers = await sign_up(clients[0], "stress@example.com")
        plan = plan_project("STRESS", size, seed=workload.seed)
        await build_project(clients, headers, plan)
        phases["build"] = time.monotonic() - started - phases["start"]
        log = await run_workers(clients, headers, plan.key, size, workload)
        feed, tasks, violations = await _history(clients[0], headers, plan.key, log)
    summary = summarize(feed, log)
    summary["phases"] = {name: round(seconds, 1) for name, seconds in phases.items()}
    summary["project"] = project = describe_project(tasks)
    # reported, not asserted (see the module docstring)
    clock = check_history(tasks, feed, extensions=log.extensions(), order="clock")
    summary["clock_order_violations"] = Counter(v.rule for v in clock)
    print(f"\nstress summary ({servers} servers): {json.dumps(summary)}")
    logs = server_logs(workdir)
    assert not log.timed_out, f"not done in {workload.deadline_seconds} s: {summary}\n{logs}"
    assert not log.unexpected, "\n".join(log.unexpected[:20]) + f"\n{logs}"
    assert project["tasks"] == size
    assert project["dependencies"] >= size
    assert project["conflict_pairs"] >= size // 15
    assert project["exclusive"] >= 4
    assert not violations, _report(violations)
    stalls = summary["stalls"]
    # the run exercised what it set out to: every stall lost its claim to an expiry, was told
    # so, and its task was claimed again and completed by a later claim; no other lease ran out
    assert stalls == workload.stalls
    assert summary["expired"] == stalls
    assert summary["answers"].get(STALL_LOST, 0) == stalls
    assert summary["answers"].get("heartbeat 409 claim_lost", 0) == (stalls + 1) // 2
    assert summary["claims"] == size + stalls
    assert summary["heartbeats_ok"] > 0


@pytest.mark.slow
async def test_two_servers_on_postgresql_keep_every_rule(
    database_url: str, is_postgres: bool, tmp_path: Path
) -> None:
    if not is_postgres:
        pytest.skip("needs a PostgreSQL test database (EPICFLOW_TEST_DATABASE_URL)")
    workload = Workload(clients=16, stalls=6, deadline_seconds=240)
    await _served_run(database_url, tmp_path, servers=2, size=500, workload=workload)


@pytest.mark.slow
async def test_two_servers_on_sqlite_keep_every_rule(
    database_url: str, is_postgres: bool, tmp_path: Path
) -> None:
    if is_postgres:
        pytest.skip("the SQLite variant; on PostgreSQL the 16-client run covers it")
    workload = Workload(clients=4, stalls=4, deadline_seconds=240)
    await _served_run(database_url, tmp_path, servers=2, size=500, workload=workload)


# --- in process: the real claim, and a naive one the checks must catch ----------------------

NAIVE = "/naive"
NAIVE_GAP_SECONDS = 0.01  # between reading the ready list and writing the claim


def add_naive_claims(app: FastAPI) -> None:
    """`/naive/api/v1/...`: claim and complete as a hurried implementation would write them.

    The claim reads the first few ready tasks in claim order (spreading workers over them), then,
    in another transaction and without the project's graph lock, marks the chosen one claimed and
    records `claim.acquired`. Complete trusts any token it ever issued and ignores the lease."""
    db: Database = app.state.db
    holders: dict[str, str] = {}
    choose = random.Random(11)
    router = APIRouter(prefix=f"{NAIVE}/api/v1")

    async def project_id(key: str) -> Any:
        async with db.sessionmaker() as session:
            return (await session.execute(select(Project.id).where(Project.key == key))).scalar()

    @router.post("/projects/{key}/claims")
    async def naive_claim(key: str, body: ClaimNextIn) -> Response:
        now = datetime.now(UTC)
        project = await project_id(key)
        async with db.sessionmaker() as session:
            await db.begin_locking(session)
            for gone in await expire_leases(session, now, project):
                await events.record(
                    session,
                    project_id=project,
                    task_key=gone.key,
                    type="claim.expired",
                    actor="naive",
                    now=now,
                    data={"worker": gone.worker},
                )
            await session.commit()
        async with db.sessionmaker() as session:
            ready = (
                await session.execute(
                    select(Task.id, Task.key)
                    .where(Task.project_id == project, ready_condition(now))
                    .order_by(Task.priority, Task.downstream_hours.desc(), Task.number)
                    .limit(3)
                )
            ).all()
        if not ready:
            return Response(status_code=204)
        task_id, task_key = choose.choice(ready)
        await asyncio.sleep(NAIVE_GAP_SECONDS)
        token, until = secrets.token_urlsafe(24), now + timedelta(seconds=body.lease_seconds)
        async with db.sessionmaker() as session:
            await db.begin_locking(session)
            await take(session, task_id, body.worker, token, until, now)
            await events.record(
                session,
                project_id=project,
                task_key=task_key,
                type="claim.acquired",
                actor="naive",
                now=now,
                data={"worker": body.worker, "lease_expires_at": until.isoformat()},
            )
            await session.commit()
        holders[token] = body.worker
        claim = {
            "task": {"key": task_key},
            "claim_token": token,
            "lease_expires_at": until.isoformat(),
        }
        return JSONResponse(claim, status_code=201)

    @router.post("/tasks/{task_key}/complete")
    async def naive_complete(task_key: str, body: TokenIn) -> Response:
        now = datetime.now(UTC)
        async with db.sessionmaker() as session:
            await db.begin_locking(session)
            task = (await session.execute(select(Task).where(Task.key == task_key))).scalar_one()
            task.status, task.completed_at, task.updated_at = "done", now, now
            task.claimed_by = task.claim_token = task.lease_expires_at = None
            await events.record(
                session,
                project_id=task.project_id,
                task_key=task_key,
                type="task.completed",
                actor="naive",
                now=now,
                data={"worker": holders.get(body.claim_token, "?")},
            )
            await session.commit()
        return JSONResponse({"key": task_key, "status": "done"})

    app.include_router(router)


@asynccontextmanager
async def in_process(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(database_url))
    add_naive_claims(app)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://stress") as http:
            yield http
    finally:
        await app.state.db.dispose()


IN_PROCESS = Workload(
    clients=6,
    stalls=1,
    stall_lease_seconds=1,
    stall_seconds=(1.5, 2.0),
    stall_heartbeat=False,
    heartbeat_every=0,
    deadline_seconds=60,
)


async def _in_process_run(database_url: str, prefix: str) -> tuple[list[Violation], RunLog]:
    async with in_process(database_url) as http:
        headers = await sign_up(http, "stress-inprocess@example.com")
        plan = plan_project("NAIVE", 60, seed=3, batch_size=10, conflict_pairs=15)
        await build_project([http], headers, plan)
        workload = replace(IN_PROCESS, prefix=prefix)
        log = await run_workers([http], headers, plan.key, len(plan.tasks), workload)
        feed, _, violations = await _history(http, headers, plan.key, log)
    print(f"\nin process ({prefix or 'real'}): {json.dumps(summarize(feed, log))}")
    assert not log.timed_out
    assert not log.unexpected, "\n".join(log.unexpected[:20])
    return violations, log


async def test_the_real_claims_pass_the_checks_in_process(database_url: str) -> None:
    violations, log = await _in_process_run(database_url, prefix="")
    assert not violations, _report(violations)
    # The stall is scheduled half-way; if nothing is ready just then the run may end before
    # it happens. Whenever it does happen, its completion must have been refused.
    stalled = sum(claim.stalled for claim in log.claims)
    assert stalled <= 1
    assert log.answers[STALL_LOST] == stalled


async def test_the_checks_catch_a_naive_claim(database_url: str) -> None:
    violations, log = await _in_process_run(database_url, prefix=NAIVE)
    rules = {v.rule for v in violations}
    print(f"\nnaive claim: {len(violations)} violations, by rule: {sorted(rules)}")
    # readers of one ready list pick the same task; both holders then complete it; the worker
    # that stalled past its lease is let complete anyway
    assert {"one_live_claim", "completed_once", "stale_token_refused"} <= rules, _report(violations)
    assert log.answers[STALL_LOST] == 0


# --- the checks on hand-written histories ------------------------------------------------------

T0 = datetime(2025, 1, 1, tzinfo=UTC)


class History:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def add(
        self, kind: str, task: str, second: float, worker: str = "w1", lease: float = 60
    ) -> History:
        data: dict[str, Any] = {"worker": worker}
        if kind == "claim.acquired":
            data["lease_expires_at"] = (T0 + timedelta(seconds=second + lease)).isoformat()
        at = (T0 + timedelta(seconds=second)).isoformat()
        actor = "lease-sweeper" if kind == "claim.expired" else "owner@example.com"
        self.events.append(
            {
                "id": len(self.events) + 1,
                "type": kind,
                "actor": actor,
                "task": task,
                "data": data,
                "created_at": at,
            }
        )
        return self

    def run(self, key: str, start: float, end: float, worker: str = "w1") -> History:
        return self.add("claim.acquired", key, start, worker).add(
            "task.completed", key, end, worker
        )


def task(
    key: str,
    *,
    depends_on: Sequence[str] = (),
    conflicts_with: Sequence[str] = (),
    epic: str | None = None,
    parallel: bool = True,
    status: str = "done",
) -> dict[str, Any]:
    return {
        "key": key,
        "status": status,
        "epic": epic,
        "parallel": parallel,
        "depends_on": list(depends_on),
        "conflicts_with": list(conflicts_with),
    }


def rules(violations: Sequence[Violation]) -> set[str]:
    return {v.rule for v in violations}


class TestTheChecks:
    def test_a_clean_history_passes(self) -> None:
        tasks = [
            task("A"),
            task("B", depends_on=["A"], conflicts_with=["C"]),
            task("C", conflicts_with=["B"], epic="e", parallel=False),
            task("D", epic="e"),
        ]
        history = (
            History()
            .run("A", 0, 1)
            .add("claim.acquired", "B", 2, "w1", lease=1)
            .add("claim.expired", "B", 3.5, "w1")
            .run("B", 4, 5, "w2")
            .run("C", 6, 7)
            .run("D", 8, 9, "w2")
        )
        assert check_history(tasks, history.events) == []
        assert check_history(tasks, history.events, order="clock") == []

    def test_a_task_started_before_its_dependency_was_done(self) -> None:
        tasks = [task("A"), task("B", depends_on=["A"])]
        history = History().add("claim.acquired", "A", 0).run("B", 1, 2, "w2")
        history.add("task.completed", "A", 3)
        assert rules(check_history(tasks, history.events)) == {"dependencies_first"}

    def test_conflicting_tasks_overlapping(self) -> None:
        tasks = [task("A", conflicts_with=["B"]), task("B", conflicts_with=["A"])]
        history = History().add("claim.acquired", "A", 0).run("B", 1, 2, "w2")
        history.add("task.completed", "A", 3)
        assert rules(check_history(tasks, history.events)) == {"conflicts_apart"}

    def test_an_exclusive_task_beside_another_of_its_epic(self) -> None:
        tasks = [task("A", epic="e", parallel=False), task("B", epic="e"), task("C", epic="f")]
        history = History().add("claim.acquired", "B", 0).run("C", 0.5, 1, "w3")
        history.run("A", 1, 2, "w2").add("task.completed", "B", 3)
        assert rules(check_history(tasks, history.events)) == {"exclusive_alone"}

    def test_two_live_claims_and_two_completions(self) -> None:
        tasks = [task("A")]
        history = History().add("claim.acquired", "A", 0).add("claim.acquired", "A", 0.1, "w2")
        history.add("task.completed", "A", 1, "w2").add("task.completed", "A", 2)
        found = rules(check_history(tasks, history.events))
        assert found == {"one_live_claim", "claim_life", "completed_once"}

    def test_a_task_left_undone(self) -> None:
        tasks = [task("A", status="in_progress")]
        history = History().add("claim.acquired", "A", 0)
        assert rules(check_history(tasks, history.events)) == {"completed_once"}

    def test_a_completion_after_the_lease_unless_a_heartbeat_extended_it(self) -> None:
        tasks = [task("A")]
        history = History().add("claim.acquired", "A", 0, lease=5).add("task.completed", "A", 6)
        assert rules(check_history(tasks, history.events)) == {"lease_respected"}
        acquired = T0 + timedelta(seconds=5)
        extended = {("A", "w1", acquired): T0 + timedelta(seconds=30)}
        assert check_history(tasks, history.events, extensions=extended) == []

    def test_an_expiry_before_the_lease_ran_out(self) -> None:
        tasks = [task("A")]
        history = History().add("claim.acquired", "A", 0, lease=5).add("claim.expired", "A", 2)
        history.run("A", 3, 4, "w2")
        assert rules(check_history(tasks, history.events)) == {"lease_respected"}

    def test_clock_order_judges_by_timestamps(self) -> None:
        # fine in feed order, but B's claim carries a time before A's completion
        tasks = [task("A"), task("B", depends_on=["A"])]
        history = History().run("A", 0, 2).run("B", 1, 3, "w2")
        assert check_history(tasks, history.events) == []
        assert rules(check_history(tasks, history.events, order="clock")) == {"dependencies_first"}

    def test_the_client_log_catches_a_stale_token_accepted(self) -> None:
        history = History().add("claim.acquired", "A", 0, lease=2).add("task.completed", "A", 3)
        expiry = T0 + timedelta(seconds=2)
        stale = ClaimRecord("w1", "A", "t", expiry, expiry, stalled=True)
        stale.complete_sent_at, stale.complete_status = T0 + timedelta(seconds=3), 200
        log = RunLog(claims=[stale])
        assert rules(check_client_log(log, history.events)) == {"stale_token_refused"}
        log.claims.append(ClaimRecord("w2", "A", "u", expiry, expiry, stalled=False))
        assert "answers_recorded" in rules(check_client_log(log, history.events))


# --- PostgreSQL: two interleavings the served runs hit by chance, forced ------------------------

NEEDS_POSTGRES = "needs a PostgreSQL test database (EPICFLOW_TEST_DATABASE_URL)"


async def _project_id(db: Database, key: str) -> Any:
    async with db.sessionmaker() as session:
        return (await session.execute(select(Project.id).where(Project.key == key))).scalar_one()


async def _claim_next(board: Board, **body: Any) -> httpx.Response:
    return await board.client.post(
        f"/api/v1/projects/{board.key}/claims",
        json={"worker": "w1", **body},
        headers=board.owner.headers,
    )


class TestPostgresInterleavings:
    async def test_the_sweeper_and_a_claim_expire_one_lease_without_deadlock(
        self, board: Board, db: Database, is_postgres: bool
    ) -> None:
        """The sweeper has returned an expired task to `open` (row locked) and is about to
        record `claim.expired`; a claim holding the graph lock tries to expire the same lease.
        The event's foreign key needs a KEY SHARE lock on the project row, which the graph
        lock (`SELECT ... FOR UPDATE`) excludes, while the claim waits for the task row: a
        deadlock, answered 500 (seen in the served run: two servers, six stalls)."""
        if not is_postgres:
            pytest.skip(NEEDS_POSTGRES)
        first = await board.task()
        await board.task()
        taken = await board.client.post(
            f"/api/v1/tasks/{first['key']}/claim",
            json={"worker": "stalled", "lease_seconds": 1},
            headers=board.owner.headers,
        )
        assert taken.status_code == 201, taken.text
        await asyncio.sleep(1.2)
        project = await _project_id(db, board.key)
        claiming: asyncio.Task[httpx.Response] | None = None
        error: Exception | None = None
        try:
            async with db.sessionmaker() as sweep:  # the sweeper's transaction, paused half-way
                now = datetime.now(UTC)
                expired = await expire_leases(sweep, now)
                assert [item.key for item in expired] == [first["key"]]
                claiming = asyncio.create_task(_claim_next(board))
                await asyncio.sleep(0.5)  # the claim takes the graph lock, then waits on the row
                await events.record(
                    sweep,
                    project_id=project,
                    task_key=first["key"],
                    type="claim.expired",
                    actor="lease-sweeper",
                    now=now,
                    data={"worker": "stalled"},
                )
                await sweep.commit()
        except Exception as exc:
            error = exc
        finally:
            response = await claiming if claiming is not None else None
        assert error is None, f"the sweep failed: {error!r}"
        assert response is not None
        assert response.status_code == 201, response.text

    async def test_a_claim_that_waited_for_the_graph_lock_gets_its_whole_lease(
        self, board: Board, db: Database, is_postgres: bool
    ) -> None:
        """The claim's clock is read when the request arrives, before it waits for the graph
        lock: under contention (seconds, in the served run) the lease it grants is that much
        shorter, and can be over before the 201 is sent. The event feed then shows the claim
        stamped before completions it depended on."""
        if not is_postgres:
            pytest.skip(NEEDS_POSTGRES)
        await board.task()
        project = await _project_id(db, board.key)
        async with db.sessionmaker() as holder:  # another writer holds the graph lock
            await lock_project(holder, project)
            claiming = asyncio.create_task(_claim_next(board, lease_seconds=2))
            await asyncio.sleep(1.5)
            await holder.commit()
        response = await claiming
        received = datetime.now(UTC)
        assert response.status_code == 201, response.text
        left = parse_time(response.json()["lease_expires_at"]) - received
        assert left > timedelta(seconds=1), f"asked for a 2 s lease, {left} left on arrival"
