"""Clients that claim, sometimes heartbeat, and complete until every task is done; some of them
stall past a short lease and must then be refused with 409 `claim_lost`."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from tests.support.stress.project import API

# What a stalled claim's completion must be answered: its lease ran out and was taken back.
STALL_LOST = "complete 409 claim_lost"


@dataclass(frozen=True)
class Workload:
    clients: int
    lease_seconds: int = 30
    heartbeat_every: int = 4  # every n-th claim of a client heartbeats once; 0: never
    heartbeat_lease_seconds: int = 30
    # claims, in all, whose client stalls past its lease and then tries to complete; spread
    # evenly over the run (whichever client claims next when the claim count reaches a mark)
    stalls: int = 4
    stall_lease_seconds: int = 2
    stall_heartbeat: bool = True  # every other stall also tries a heartbeat after it
    stall_seconds: tuple[float, float] = (3.0, 4.0)
    work_seconds: tuple[float, float] = (0.0, 0.02)
    idle_seconds: tuple[float, float] = (0.02, 0.08)
    deadline_seconds: float = 240.0
    prefix: str = ""  # put in front of /api/v1 for claim, heartbeat and complete
    seed: int = 7


@dataclass
class ClaimRecord:
    """One claim as its client saw it."""

    worker: str
    task: str
    token: str
    acquired_expiry: datetime  # the lease the claim answer gave
    lease_expires_at: datetime  # the latest lease known to the client (heartbeats extend it)
    stalled: bool
    requested_lease: int = 0
    received_at: datetime | None = None  # the client's clock when the 201 arrived
    heartbeats: list[int] = field(default_factory=list)  # status of each heartbeat answer
    heartbeat_codes: list[str | None] = field(default_factory=list)
    complete_sent_at: datetime | None = None
    complete_status: int | None = None
    complete_code: str | None = None


@dataclass
class RunLog:
    claims: list[ClaimRecord] = field(default_factory=list)
    answers: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    completed: set[str] = field(default_factory=set)
    timed_out: bool = False
    elapsed: float = 0.0
    stall_marks: list[int] = field(default_factory=list)  # claim counts at which to stall

    def answer(self, action: str, response: httpx.Response, expected: set[int]) -> str | None:
        code = None
        if response.status_code >= 400 and response.content:
            with contextlib.suppress(ValueError):
                code = response.json().get("code")
        self.answers[" ".join(str(p) for p in (action, response.status_code, code) if p)] += 1
        if response.status_code not in expected:
            self.unexpected.append(f"{action} → {response.status_code}: {response.text[:300]}")
        return code

    def extensions(self) -> dict[tuple[str, str, datetime], datetime]:
        """Leases extended by heartbeats (which record no event), by (task, worker, acquired
        expiry), so the history checks can judge a completion against its real lease."""
        return {
            (c.task, c.worker, c.acquired_expiry): c.lease_expires_at
            for c in self.claims
            if c.lease_expires_at != c.acquired_expiry
        }


def parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class _Client:
    """One worker: claim, (stall | work, maybe heartbeat), complete; repeat until all is done."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        headers: Mapping[str, str],
        project: str,
        total: int,
        workload: Workload,
        log: RunLog,
        number: int,
    ) -> None:
        self.http, self.headers, self.project, self.total = http, headers, project, total
        self.workload, self.log = workload, log
        self.worker = f"worker-{number:02d}"
        self.rng = random.Random(workload.seed * 1000 + number)
        self.claims = 0
        self.api = f"{workload.prefix}{API}"

    async def run(self, deadline: float) -> None:
        while len(self.log.completed) < self.total:
            if time.monotonic() > deadline:
                self.log.timed_out = True
                return
            marks = self.log.stall_marks
            mark = marks.pop(0) if marks and len(self.log.claims) >= marks[0] else None
            stall = mark is not None
            hold_on = stall and self.workload.stall_heartbeat and len(marks) % 2 == 0
            record = await self._claim(stall)
            if record is None:
                if mark is not None:
                    marks.insert(0, mark)  # the next claim that succeeds stalls instead
                await asyncio.sleep(self.rng.uniform(*self.workload.idle_seconds))
                continue
            if stall:
                await asyncio.sleep(self.rng.uniform(*self.workload.stall_seconds))
                if hold_on:
                    await self._heartbeat(record)
            else:
                await asyncio.sleep(self.rng.uniform(*self.workload.work_seconds))
                every = self.workload.heartbeat_every
                if every and self.claims % every == 0:
                    await self._heartbeat(record)
            await self._complete(record)

    async def _claim(self, stall: bool) -> ClaimRecord | None:
        lease = self.workload.stall_lease_seconds if stall else self.workload.lease_seconds
        response = await self.http.post(
            f"{self.api}/projects/{self.project}/claims",
            json={"worker": self.worker, "lease_seconds": lease},
            headers=self.headers,
        )
        self.log.answer("claim", response, {201, 204})
        if response.status_code != 201:
            return None
        received = datetime.now(UTC)
        self.claims += 1
        body = response.json()
        expiry = parse_time(body["lease_expires_at"])
        record = ClaimRecord(
            self.worker,
            body["task"]["key"],
            body["claim_token"],
            expiry,
            expiry,
            stall,
            requested_lease=lease,
            received_at=received,
        )
        self.log.claims.append(record)
        return record

    async def _heartbeat(self, record: ClaimRecord) -> None:
        response = await self.http.post(
            f"{self.api}/tasks/{record.task}/heartbeat",
            json={
                "claim_token": record.token,
                "lease_seconds": self.workload.heartbeat_lease_seconds,
            },
            headers=self.headers,
        )
        code = self.log.answer("heartbeat", response, {200, 409})
        record.heartbeats.append(response.status_code)
        record.heartbeat_codes.append(code)
        if response.status_code == 200:
            record.lease_expires_at = parse_time(response.json()["lease_expires_at"])

    async def _complete(self, record: ClaimRecord) -> None:
        record.complete_sent_at = datetime.now(UTC)
        response = await self.http.post(
            f"{self.api}/tasks/{record.task}/complete",
            json={"claim_token": record.token},
            headers=self.headers,
        )
        record.complete_status = response.status_code
        record.complete_code = self.log.answer("complete", response, {200, 409})
        if response.status_code == 200:
            self.log.completed.add(record.task)


async def run_workers(
    clients: Sequence[httpx.AsyncClient],
    headers: Mapping[str, str],
    project: str,
    total: int,
    workload: Workload,
) -> RunLog:
    """`workload.clients` workers spread round-robin over `clients` (one per server), until
    `total` tasks were completed or the deadline passed (`RunLog.timed_out`)."""
    spacing = total / (workload.stalls + 1)
    log = RunLog(stall_marks=[round(spacing * (n + 1)) for n in range(workload.stalls)])
    started = time.monotonic()
    deadline = started + workload.deadline_seconds
    workers = [
        _Client(clients[n % len(clients)], headers, project, total, workload, log, n)
        for n in range(workload.clients)
    ]
    # a hard bound too: a request stuck past the deadline must not hang the test
    async with asyncio.timeout(workload.deadline_seconds + 60):
        await asyncio.gather(*(worker.run(deadline) for worker in workers))
    log.elapsed = time.monotonic() - started
    return log
