"""Claims under stress in process: the served runs' harness and checks through the ASGI app, once
with the real claims and once with a deliberately naive claim (read the ready list, then write,
without the lock), which the checks must catch."""

from __future__ import annotations

import asyncio
import json
import random
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse
from sqlalchemy import select

from epicflow.claims.repository import expire_leases, take
from epicflow.claims.schemas import ClaimNextIn, TokenIn
from epicflow.events import service as events
from epicflow.main import create_app
from epicflow.platform.db import Database
from epicflow.projects.models import Project
from epicflow.tasks.models import Task
from epicflow.tasks.readiness import ready_condition
from tests.support.settings import make_settings
from tests.support.stress.history import (
    Violation,
    history_of,
    report,
)
from tests.support.stress.project import build_project, plan_project, sign_up
from tests.support.stress.summary import summarize
from tests.support.stress.workers import (
    STALL_LOST,
    RunLog,
    Workload,
    run_workers,
)

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
        feed, _, violations = await history_of(http, headers, plan.key, log)
    print(f"\nin process ({prefix or 'real'}): {json.dumps(summarize(feed, log))}")
    assert not log.timed_out
    assert not log.unexpected, "\n".join(log.unexpected[:20])
    return violations, log


class TestInProcessRuns:
    async def test_the_real_claims_pass_the_checks_in_process(self, database_url: str) -> None:
        violations, log = await _in_process_run(database_url, prefix="")
        assert not violations, report(violations)
        # The stall is scheduled half-way; if nothing is ready just then the run may end before
        # it happens. Whenever it does happen, its completion must have been refused.
        stalled = sum(claim.stalled for claim in log.claims)
        assert stalled <= 1
        assert log.answers[STALL_LOST] == stalled

    async def test_the_checks_catch_a_naive_claim(self, database_url: str) -> None:
        violations, log = await _in_process_run(database_url, prefix=NAIVE)
        rules = {v.rule for v in violations}
        print(f"\nnaive claim: {len(violations)} violations, by rule: {sorted(rules)}")
        # readers of one ready list pick the same task; both holders then complete it; the worker
        # that stalled past its lease is let complete anyway
        expected = {"one_live_claim", "completed_once", "stale_token_refused"}
        assert expected <= rules, report(violations)
        assert log.answers[STALL_LOST] == 0
