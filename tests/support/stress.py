"""The claims stress harness (SPEC §2 rules 2-6, §4): served processes, a generated project,
concurrent workers, and the checks that read the recorded history back.

The parts:
- `served`: `epicflow serve` processes on free loopback ports, sharing one database, each with
  its own lease sweeper; killed (the whole process group) on the way out.
- `plan_project` / `build_project`: a seeded project of small tasks with acyclic dependencies
  (only on tasks of earlier creation batches), conflicting pairs and exclusive tasks in a few
  epics, created through the API in concurrent batches.
- `run_workers`: clients that claim, sometimes heartbeat, and complete until every task is done;
  some of them stall past a short lease and must then be refused with 409 `claim_lost`.
- `check_history` and `check_client_log`: the invariants, read from the project's event feed and
  the final task states, and from what the clients were answered. They return violations; the
  same functions judge the real runs and the deliberately naive claim that proves they can fail.

Order of events. Two events are compared by their position in the feed (`order="feed"`, the
event id) unless asked to use their timestamps (`order="clock"`). Each event is written in the
transaction of the change it records, and a claim only sees changes that committed before it
read them, so whenever one change could have influenced another, the earlier one has the lower
id, on PostgreSQL (ids come from a sequence at INSERT, before COMMIT) and on SQLite (one writer
at a time). A timestamp is the server's `now` for the request, taken when it arrived.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import sys
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest

from tests.conftest import TEST_SECRET
from tests.support.proxy import free_port
from tests.support.users import PASSWORD

API = "/api/v1"
BIN = Path(sys.executable).parent
Json = dict[str, Any]
Order = Literal["feed", "clock"]
SWEEPER = "lease-sweeper"
CLAIM_EVENTS = frozenset({"claim.acquired", "claim.expired", "claim.released", "task.completed"})


# --- served processes ------------------------------------------------------------------------


async def _wait_ready(base_url: str, process: asyncio.subprocess.Process, log: Path) -> None:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient(base_url=base_url, timeout=2) as http:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                pytest.fail(f"{base_url} exited with {process.returncode}:\n{log.read_text()}")
            with contextlib.suppress(httpx.TransportError):
                if (await http.get("/health/ready")).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    pytest.fail(f"{base_url} was not ready within 60 s:\n{log.read_text()}")


async def _stop(process: asyncio.subprocess.Process) -> None:
    """SIGTERM to the process group (uvicorn drains), SIGKILL when it takes too long."""
    for sig, grace in ((signal.SIGTERM, 20.0), (signal.SIGKILL, 10.0)):
        if process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), grace)


@asynccontextmanager
async def served(
    database_url: str, workdir: Path, count: int, *, sweep_seconds: float = 1.0
) -> AsyncIterator[list[str]]:
    """`count` processes of `epicflow serve --no-migrate` on one database; yields base URLs.

    Each runs in its own session (process group), started from an empty folder (no stray
    `.env`), logging at WARNING into `workdir/server-N.log`."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "EPICFLOW_ENV": "test",
        "EPICFLOW_DATABASE_URL": database_url,
        "EPICFLOW_SECRET_KEY": TEST_SECRET,
        "EPICFLOW_AUTH_RATE_LIMIT": "0",
        "EPICFLOW_API_RATE_LIMIT": "0",
        "EPICFLOW_LOG_LEVEL": "WARNING",
        "EPICFLOW_LEASE_SWEEP_SECONDS": str(sweep_seconds),
    }
    processes: list[tuple[str, asyncio.subprocess.Process, Path]] = []
    try:
        for number in range(count):
            port = free_port()
            log = workdir / f"server-{number}.log"
            with log.open("wb") as output:
                process = await asyncio.create_subprocess_exec(
                    str(BIN / "epicflow"),
                    *("serve", "--no-migrate", "--host", "127.0.0.1", "--port", str(port)),
                    env=env,
                    cwd=workdir,
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=output,
                    stderr=output,
                    start_new_session=True,
                )
            processes.append((f"http://127.0.0.1:{port}", process, log))
        await asyncio.gather(*(_wait_ready(url, proc, log) for url, proc, log in processes))
        yield [url for url, _, _ in processes]
    finally:
        await asyncio.gather(*(_stop(process) for _, process, _ in processes))


def server_logs(workdir: Path) -> str:
    """What the servers wrote (WARNING and up), for failure messages."""
    return "\n".join(
        f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}"
        for log in sorted(workdir.glob("server-*.log"))
    )


# --- the project -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedTask:
    index: int
    epic: str | None
    parallel: bool
    priority: int
    hours: float
    depends_on: tuple[int, ...]
    conflicts_with: tuple[int, ...]


@dataclass(frozen=True)
class ProjectPlan:
    key: str
    epics: tuple[str, ...]
    tasks: tuple[PlannedTask, ...]
    batch_size: int


def plan_project(
    key: str,
    size: int,
    *,
    seed: int,
    batch_size: int = 25,
    epic_count: int = 8,
    exclusive_epics: int = 3,
    exclusive_per_epic: int = 2,
    conflict_pairs: int | None = None,
) -> ProjectPlan:
    """A seeded project: ~1-2 dependencies per task on tasks of the last three earlier batches
    (acyclic, and deep enough to need many rounds), conflicting pairs across batches,
    `exclusive_per_epic` tasks with `parallel: false` in each of the first `exclusive_epics`
    epics, priorities 1-3 and 0.5-3 hours each."""
    rng = random.Random(seed)
    epics = tuple(f"epic-{number + 1}" for number in range(epic_count))
    epic_of = [rng.choice(epics) if rng.random() < 0.9 else None for _ in range(size)]
    exclusive: set[int] = set()
    for slug in epics[:exclusive_epics]:
        members = [index for index, epic in enumerate(epic_of) if epic == slug]
        exclusive.update(rng.sample(members, min(exclusive_per_epic, len(members))))
    depends: list[tuple[int, ...]] = []
    for index in range(size):
        start = index - index % batch_size
        window = range(max(0, start - 3 * batch_size), start)
        wanted = min(rng.choice((0, 1, 1, 2, 2)), len(window))
        depends.append(tuple(sorted(rng.sample(window, wanted))))
    conflicts: dict[int, set[int]] = defaultdict(set)
    pairs = size // 12 if conflict_pairs is None else conflict_pairs
    attempts = 0
    while sum(map(len, conflicts.values())) < pairs and attempts < 100 * max(pairs, 1):
        attempts += 1
        later = rng.randrange(min(batch_size, size), size) if size > batch_size else 0
        start = later - later % batch_size
        if start == 0:
            continue
        earlier = rng.randrange(0, start)
        if earlier in depends[later] or later in conflicts[earlier]:
            continue
        conflicts[later].add(earlier)
    tasks = tuple(
        PlannedTask(
            index=index,
            epic=epic_of[index],
            parallel=index not in exclusive,
            priority=rng.choice((1, 2, 2, 2, 3)),
            hours=rng.choice((0.5, 1.0, 1.5, 2.0, 3.0)),
            depends_on=depends[index],
            conflicts_with=tuple(sorted(conflicts[index])),
        )
        for index in range(size)
    )
    return ProjectPlan(key, epics, tasks, batch_size)


def _expect(response: httpx.Response, status: int) -> Json:
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url.path} → "
        f"{response.status_code}: {response.text[:500]}"
    )
    body: Json = response.json() if response.content else {}
    return body


async def sign_up(http: httpx.AsyncClient, email: str) -> dict[str, str]:
    """Register and log in through the API; returns the Authorization header."""
    registered = await http.post(
        f"{API}/auth/register", json={"email": email, "password": PASSWORD}
    )
    _expect(registered, 201)
    login = await http.post(f"{API}/auth/token", data={"username": email, "password": PASSWORD})
    return {"Authorization": f"Bearer {_expect(login, 200)['access_token']}"}


async def build_project(
    clients: Sequence[httpx.AsyncClient], headers: Mapping[str, str], plan: ProjectPlan
) -> dict[int, str]:
    """Create the project, its epics and its tasks through the API (batches in parallel, spread
    over `clients`); returns the key the server gave each planned task."""
    first = clients[0]
    body = {"key": plan.key, "name": f"Stress {plan.key}"}
    _expect(await first.post(f"{API}/projects", json=body, headers=headers), 201)
    for slug in plan.epics:
        epic = {"slug": slug, "title": slug.replace("-", " ").title()}
        _expect(
            await first.post(f"{API}/projects/{plan.key}/epics", json=epic, headers=headers), 201
        )
    keys: dict[int, str] = {}

    async def create(task: PlannedTask) -> None:
        http = clients[task.index % len(clients)]
        fields = {
            "title": f"Build part {task.index}",
            "epic": task.epic,
            "parallel": task.parallel,
            "priority": task.priority,
            "estimate": {"hours": task.hours},
            "depends_on": [keys[d] for d in task.depends_on],
            "conflicts_with": [keys[c] for c in task.conflicts_with],
        }
        url = f"{API}/projects/{plan.key}/tasks"
        created = _expect(await http.post(url, json=fields, headers=headers), 201)
        keys[task.index] = created["key"]

    for start in range(0, len(plan.tasks), plan.batch_size):
        await asyncio.gather(*map(create, plan.tasks[start : start + plan.batch_size]))
    return keys


# --- the workers -----------------------------------------------------------------------------


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


# --- the history -----------------------------------------------------------------------------


async def _pages(http: httpx.AsyncClient, url: str, headers: Mapping[str, str]) -> list[Json]:
    items: list[Json] = []
    params: dict[str, str | int] = {"limit": 200}
    while True:
        page = _expect(await http.get(url, params=params, headers=headers), 200)
        items.extend(page["items"])
        if page["next_cursor"] is None:
            return items
        params["cursor"] = page["next_cursor"]


async def fetch_events(http: httpx.AsyncClient, headers: Mapping[str, str], key: str) -> list[Json]:
    """The whole project feed, oldest first, following `next_cursor`."""
    return await _pages(http, f"{API}/projects/{key}/events", headers)


async def fetch_tasks(http: httpx.AsyncClient, headers: Mapping[str, str], key: str) -> list[Json]:
    return await _pages(http, f"{API}/projects/{key}/tasks?sort=key", headers)


@dataclass(frozen=True)
class Violation:
    rule: str
    task: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.task}: {self.detail}"


@dataclass
class Interval:
    """One claim in the history: from `claim.acquired` to the event that ended it (if any)."""

    task: str
    worker: str
    start_id: int
    start_at: datetime
    expiry: datetime
    end_id: int | None = None
    end_at: datetime | None = None
    end_type: str | None = None
    end_actor: str | None = None

    def start(self, order: Order) -> float:
        return self.start_id if order == "feed" else self.start_at.timestamp()

    def end(self, order: Order) -> float:
        if self.end_id is None or self.end_at is None:
            return float("inf")
        return self.end_id if order == "feed" else self.end_at.timestamp()

    def overlaps(self, other: Interval, order: Order) -> bool:
        return self.start(order) < other.end(order) and other.start(order) < self.end(order)


def claim_intervals(
    events: Sequence[Mapping[str, Any]],
    extensions: Mapping[tuple[str, str, datetime], datetime] | None = None,
) -> tuple[list[Interval], list[Violation]]:
    """Replay the claim events of each task in feed order. Rule 6 (one live claim per task) and
    the shape of a claim's life are checked here: a claim must end before the next starts, and
    only a live claim can expire, be released or complete (by the worker that holds it)."""
    extensions = extensions or {}
    live: dict[str, Interval] = {}
    intervals: list[Interval] = []
    violations: list[Violation] = []
    for event in sorted(events, key=lambda e: int(e["id"])):
        kind, task = event["type"], event["task"]
        if kind not in CLAIM_EVENTS or task is None:
            continue
        at, data = parse_time(event["created_at"]), event["data"]
        current = live.pop(task, None)
        if kind == "claim.acquired":
            if current is not None:
                live[task] = current
                violations.append(
                    Violation(
                        "one_live_claim",
                        task,
                        f"event {event['id']}: {data['worker']} acquired it while "
                        f"{current.worker}'s claim (event {current.start_id}) was live",
                    )
                )
                current = None  # the new claim is tracked from here on
            acquired = parse_time(data["lease_expires_at"])
            expiry = extensions.get((task, data["worker"], acquired), acquired)
            interval = Interval(task, data["worker"], int(event["id"]), at, expiry)
            live[task] = interval
            intervals.append(interval)
            continue
        if current is None:
            violations.append(
                Violation("claim_life", task, f"event {event['id']}: {kind} without a live claim")
            )
            continue
        current.end_id, current.end_at = int(event["id"]), at
        current.end_type, current.end_actor = kind, event["actor"]
        if kind in {"task.completed", "claim.released"} and data.get("worker") != current.worker:
            violations.append(
                Violation(
                    "claim_life",
                    task,
                    f"event {event['id']}: {kind} by {data.get('worker')}, "
                    f"but the claim was {current.worker}'s",
                )
            )
    return intervals, violations


def _check_completion(
    tasks: Sequence[Mapping[str, Any]], events: Sequence[Mapping[str, Any]]
) -> list[Violation]:
    completions = Counter(e["task"] for e in events if e["type"] == "task.completed")
    violations = [
        Violation("completed_once", task["key"], f"status {task['status']}, not done")
        for task in tasks
        if task["status"] != "done"
    ]
    violations += [
        Violation("completed_once", task["key"], f"{completions[task['key']]} task.completed")
        for task in tasks
        if completions[task["key"]] != 1
    ]
    known = {task["key"] for task in tasks}
    violations += [
        Violation("completed_once", key, "completed, but not in the task list")
        for key in completions
        if key not in known
    ]
    return violations


def _check_dependencies(
    tasks: Sequence[Mapping[str, Any]],
    events: Sequence[Mapping[str, Any]],
    by_task: Mapping[str, list[Interval]],
    order: Order,
) -> list[Violation]:
    """Rule 2: every claim of a task starts after each dependency's `task.completed`."""
    done: dict[str, float] = {}
    for event in events:
        if event["type"] == "task.completed" and event["task"] not in done:
            moment = parse_time(event["created_at"]).timestamp()
            done[event["task"]] = int(event["id"]) if order == "feed" else moment
    violations = []
    for task in tasks:
        for claim in by_task.get(task["key"], []):
            for dependency in task["depends_on"]:
                finished = done.get(dependency, float("inf"))
                if claim.start(order) < finished:
                    violations.append(
                        Violation(
                            "dependencies_first",
                            task["key"],
                            f"{claim.worker}'s claim (event {claim.start_id}, "
                            f"{claim.start_at.isoformat()}) started before {dependency} "
                            "was completed",
                        )
                    )
    return violations


def _overlaps(
    rule: str, left: list[Interval], right: list[Interval], order: Order
) -> list[Violation]:
    return [
        Violation(
            rule,
            a.task,
            f"{a.worker}'s claim (events {a.start_id}-{a.end_id}) overlapped {b.task} "
            f"held by {b.worker} (events {b.start_id}-{b.end_id})",
        )
        for a in left
        for b in right
        if a.overlaps(b, order)
    ]


def _check_exclusion(
    tasks: Sequence[Mapping[str, Any]], by_task: Mapping[str, list[Interval]], order: Order
) -> list[Violation]:
    """Rules 3 and 4: conflicting tasks, and an exclusive task and any other task of its epic,
    never hold claims at the same time."""
    violations = []
    pairs = {tuple(sorted((t["key"], other))) for t in tasks for other in t["conflicts_with"]}
    for a, b in sorted(pairs):
        violations += _overlaps("conflicts_apart", by_task.get(a, []), by_task.get(b, []), order)
    epics: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for task in tasks:
        if task["epic"] is not None:
            epics[task["epic"]].append(task)
    for members in epics.values():
        for solo in (t for t in members if not t["parallel"]):
            for other in members:
                if other["key"] == solo["key"] or (
                    not other["parallel"] and other["key"] < solo["key"]
                ):
                    continue  # two exclusive tasks: compare the pair once
                violations += _overlaps(
                    "exclusive_alone",
                    by_task.get(solo["key"], []),
                    by_task.get(other["key"], []),
                    order,
                )
    return violations


def _check_leases(intervals: Sequence[Interval]) -> list[Violation]:
    """No token outlives its lease: a completion or release happens before the (possibly
    extended) lease ran out; an expiry does not come before it."""
    violations = []
    for claim in intervals:
        if claim.end_at is None:
            continue
        if claim.end_type in {"task.completed", "claim.released"} and claim.end_at >= claim.expiry:
            violations.append(
                Violation(
                    "lease_respected",
                    claim.task,
                    f"{claim.end_type} at {claim.end_at.isoformat()} for {claim.worker}'s claim "
                    f"whose lease ended at {claim.expiry.isoformat()}",
                )
            )
        if claim.end_type == "claim.expired" and claim.end_at < claim.expiry:
            violations.append(
                Violation(
                    "lease_respected",
                    claim.task,
                    f"expired at {claim.end_at.isoformat()}, before its lease ended at "
                    f"{claim.expiry.isoformat()}",
                )
            )
    return violations


def check_history(
    tasks: Sequence[Mapping[str, Any]],
    events: Sequence[Mapping[str, Any]],
    *,
    extensions: Mapping[tuple[str, str, datetime], datetime] | None = None,
    order: Order = "feed",
) -> list[Violation]:
    """Every invariant of a finished run, from the final task states and the event feed:
    each task done and completed exactly once; one live claim per task; no claim before its
    dependencies were completed; conflicting tasks, and an exclusive task and the rest of its
    epic, never claimed at once; every completion within its lease. [] means none broken."""
    intervals, violations = claim_intervals(events, extensions)
    by_task: dict[str, list[Interval]] = defaultdict(list)
    for claim in intervals:
        by_task[claim.task].append(claim)
    return [
        *violations,
        *_check_completion(tasks, events),
        *_check_dependencies(tasks, events, by_task, order),
        *_check_exclusion(tasks, by_task, order),
        *_check_leases(intervals),
    ]


def check_client_log(log: RunLog, events: Sequence[Mapping[str, Any]]) -> list[Violation]:
    """What the clients were answered: a stale token is never accepted (a completion sent after
    the lease the client knew had run out must be refused with `claim_lost`), and every 201
    claim and 200 completion is in the feed, and nothing else is."""
    violations = []
    for claim in log.claims:
        sent = claim.complete_sent_at
        if claim.complete_status == 200 and sent is not None and sent >= claim.lease_expires_at:
            violations.append(
                Violation(
                    "stale_token_refused",
                    claim.task,
                    f"{claim.worker} completed at {sent.isoformat()} with a token whose lease "
                    f"ended at {claim.lease_expires_at.isoformat()}",
                )
            )
        if claim.stalled and (claim.complete_status, claim.complete_code) != (409, "claim_lost"):
            violations.append(
                Violation(
                    "stale_token_refused",
                    claim.task,
                    f"{claim.worker} stalled past its lease and its completion was answered "
                    f"{claim.complete_status} {claim.complete_code}",
                )
            )
    acquired = Counter(e["task"] for e in events if e["type"] == "claim.acquired")
    completed = Counter(e["task"] for e in events if e["type"] == "task.completed")
    claimed = Counter(c.task for c in log.claims)
    finished = Counter(c.task for c in log.claims if c.complete_status == 200)
    for task in sorted(set(acquired) | set(claimed)):
        if acquired[task] != claimed[task]:
            detail = f"{claimed[task]} claims answered 201, {acquired[task]} claim.acquired"
            violations.append(Violation("answers_recorded", task, detail))
    for task in sorted(set(completed) | set(finished)):
        if completed[task] != finished[task]:
            detail = f"{finished[task]} completions answered 200, {completed[task]} recorded"
            violations.append(Violation("answers_recorded", task, detail))
    return violations


def describe_project(tasks: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """What the run was made of, from the final task states."""
    return {
        "tasks": len(tasks),
        "dependencies": sum(len(t["depends_on"]) for t in tasks),
        "conflict_pairs": sum(len(t["conflicts_with"]) for t in tasks) // 2,
        "exclusive": sum(not t["parallel"] for t in tasks),
        "epics": len({t["epic"] for t in tasks if t["epic"] is not None}),
    }


def clock_lag(events: Sequence[Mapping[str, Any]]) -> float:
    """How far (seconds) the feed's timestamps run backwards at worst: an event stamped earlier
    than one that committed before it. 0 when timestamps follow the feed order."""
    latest, lag = None, 0.0
    for event in sorted(events, key=lambda e: int(e["id"])):
        at = parse_time(event["created_at"])
        if latest is not None:
            lag = max(lag, (latest - at).total_seconds())
        latest = at if latest is None else max(latest, at)
    return lag


def lease_shortfall(log: RunLog) -> float:
    """The most lease (seconds) a claim had lost by the time its 201 arrived: requested lease
    minus what was left of it then. Waiting and transfer make it a little above 0."""
    return max(
        (
            c.requested_lease - (c.acquired_expiry - c.received_at).total_seconds()
            for c in log.claims
            if c.received_at is not None
        ),
        default=0.0,
    )


def summarize(events: Sequence[Mapping[str, Any]], log: RunLog) -> dict[str, Any]:
    """Counts for the report: claims, expiries (by the sweeper or by a claim), claim_lost
    answers, stalls, and the stalled tasks that somebody else re-claimed and completed; and how
    well the timestamps agree with the feed order (see `check_history(order="clock")`)."""
    kinds = Counter(e["type"] for e in events if e["type"] in CLAIM_EVENTS)
    intervals, _ = claim_intervals(events, log.extensions())
    expired = [c for c in intervals if c.end_type == "claim.expired"]
    reclaimed_by_other = sum(
        any(
            o.task == c.task and o.start_id > c.start_id and o.worker != c.worker for o in intervals
        )
        for c in expired
    )
    return {
        "seconds": round(log.elapsed, 1),
        "claims": kinds["claim.acquired"],
        "completions": kinds["task.completed"],
        "expired": len(expired),
        "expired_by_sweeper": sum(c.end_actor == SWEEPER for c in expired),
        "expired_by_a_claim": sum(c.end_actor != SWEEPER for c in expired),
        "released": kinds["claim.released"],
        "stalls": sum(c.stalled for c in log.claims),
        "reclaimed_by_another_worker": reclaimed_by_other,
        "heartbeats_ok": sum(c.heartbeats.count(200) for c in log.claims),
        "answers": dict(sorted(log.answers.items())),
        "clock_lag_seconds": round(clock_lag(events), 3),
        "lease_shortfall_seconds": round(lease_shortfall(log), 3),
    }
