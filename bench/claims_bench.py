"""Claim throughput: many workers looping claim -> complete on one 10,000-task project.

    uv run python bench/claims_bench.py [--duration 20] [--warmup 3] [--concurrency 16]

One run: create a fresh PostgreSQL database, migrate, seed a 10,000-task project with
bench/seed.py and reshape it into a claimable backlog (every task that is not cancelled is
`open`, 2,000 dependency edges), serve epicflow with two workers (`epicflow serve --no-migrate
--workers 2`, the start-up of bench/http_bench.py), then let `--concurrency` asyncio workers
(bench/lean_http.py, one keep-alive connection each) loop `POST /projects/{key}/claims` ->
`POST /tasks/{task}/complete` (with `--heartbeats` N heartbeats of the claim in between) for
`--warmup` + `--duration` seconds. Prints cycles/s, p50/p99
of each call, status counts and CPU per cycle next to the targets (>= 300 cycles/s, claim p99
< 100 ms); stops the server and drops the database, also on errors and Ctrl-C. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from http_bench import (
    API,
    FALLBACKS,
    BenchError,
    Options,
    Server,
    add_pg_argument,
    cpu_seconds,
    create_database,
    drop_database,
    dsn_for,
    interrupt_on_sigterm,
    login,
    serving_epicflow,
)
from lean_http import Answer, LeanClient, LeanHTTPError
from seed import Seeded, seed

from epicflow.graph import Graph, Node
from epicflow.platform import migrations

TARGET_CYCLES = 300.0  # claim + complete cycles per second
TARGET_CLAIM_P99_MS = 100.0


@dataclass
class Settings:
    duration: float
    warmup: float
    concurrency: int
    workers: int
    tasks: int
    edges: int
    lease: int
    heartbeats: int  # heartbeats of each claim between its claim and its completion
    pg: str
    launcher: str
    keep_db: bool


@dataclass
class Shape:
    """What the claimers start from."""

    statuses: dict[str, int]
    edges: int
    epics: int
    exclusive: int  # parallel=false tasks inside an epic
    ready: int  # ready under SPEC rule 5 at the start (pure graph over the seeded rows)


@dataclass
class Stats:
    """Everything the workers record; only calls started inside the measured window count."""

    claim_ms: list[float] = field(default_factory=list)
    complete_ms: list[float] = field(default_factory=list)
    heartbeat_ms: list[float] = field(default_factory=list)
    claim_status: Counter[int] = field(default_factory=Counter)
    complete_status: Counter[int] = field(default_factory=Counter)
    heartbeat_status: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)  # transport errors, by type
    cycles: int = 0  # claim 201 then complete 200, both inside the window
    claimed_keys: list[str] = field(default_factory=list)  # every 201 of the run, warm-up too
    completed_total: int = 0  # every complete 200 of the run, warm-up too
    samples: list[str] = field(default_factory=list)  # first bodies of unexpected answers


@dataclass
class Cpu:
    server: float = 0.0
    postgres: float = 0.0
    client: float = 0.0


@dataclass
class Outcome:
    stats: Stats
    seconds: float
    cpu: Cpu
    restarted: bool
    load_start: tuple[float, float, float]
    load_end: tuple[float, float, float]
    open_left: int = 0
    done_total: int = 0


# --------------------------------------------------------------------------- database


async def reshape(dsn: str, seeded: Seeded) -> Shape:
    """Turn seed.py's realistic status spread into a backlog the claimers can work through.

    Every task that is not cancelled becomes `open` and unclaimed (seed.py's `in_progress` rows
    carry no claim and would never expire, each blocking its epic's exclusive tasks for good).
    The project stays graph-stale (seed.py), so the first claim computes the claim order.
    """
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "UPDATE task SET status = 'open', started_at = NULL, completed_at = NULL,"
            " claimed_by = NULL, claim_token = NULL, lease_expires_at = NULL"
            " WHERE project_id = $1 AND status <> 'cancelled'",
            seeded.project_id,
        )
        await conn.execute("VACUUM ANALYZE task")
        rows = await conn.fetch(
            "SELECT t.id, t.key, t.number, t.status, t.priority, e.slug, t.parallel"
            " FROM task t LEFT JOIN epic e ON e.id = t.epic_id WHERE t.project_id = $1",
            seeded.project_id,
        )
        edges = await conn.fetch(
            "SELECT task_id, depends_on_id FROM task_edge WHERE project_id = $1",
            seeded.project_id,
        )
    finally:
        await conn.close()
    key_of = {row["id"]: row["key"] for row in rows}
    deps: dict[int, list[str]] = {}
    for edge in edges:
        deps.setdefault(edge["task_id"], []).append(key_of[edge["depends_on_id"]])
    nodes = [
        Node(
            key=row["key"],
            number=row["number"],
            status=row["status"],
            priority=row["priority"],
            epic=row["slug"],
            parallel=row["parallel"],
            depends_on=tuple(deps.get(row["id"], ())),
        )
        for row in rows
    ]
    return Shape(
        statuses=dict(Counter(row["status"] for row in rows)),
        edges=len(edges),
        epics=len({row["slug"] for row in rows if row["slug"] is not None}),
        exclusive=sum(1 for row in rows if row["slug"] is not None and not row["parallel"]),
        ready=len(Graph(nodes).ready_keys()),
    )


async def final_counts(dsn: str, seeded: Seeded) -> dict[str, int]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT status, count(*) AS n FROM task WHERE project_id = $1 GROUP BY status",
            seeded.project_id,
        )
    finally:
        await conn.close()
    return {row["status"]: row["n"] for row in rows}


async def backend_pids(dsn: str, database: str) -> list[int]:
    """PostgreSQL backends serving `database` (the app's pool), not this monitoring one."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )
    finally:
        await conn.close()
    return [row["pid"] for row in rows]


# --------------------------------------------------------------------------- load


class Window:
    """The measured interval, as perf_counter times."""

    def __init__(self, warmup: float, duration: float) -> None:
        self.begin = time.perf_counter() + warmup
        self.end = self.begin + duration

    def inside(self, t: float) -> bool:
        return self.begin <= t < self.end


async def claimer(
    client: LeanClient,
    name: str,
    project: str,
    lease: int,
    heartbeats: int,
    window: Window,
    stats: Stats,
) -> None:
    claim_path = f"{API}/projects/{project}/claims"
    body = {"worker": name, "lease_seconds": lease}
    while time.perf_counter() < window.end:
        t0 = time.perf_counter()
        try:
            answer = await client.post(claim_path, json=body)
        except LeanHTTPError as exc:
            stats.errors[f"claim {type(exc).__name__}"] += 1
            continue
        t1 = time.perf_counter()
        counted = window.inside(t0)
        if counted:
            stats.claim_ms.append((t1 - t0) * 1000)
            stats.claim_status[answer.status_code] += 1
        if answer.status_code == 204:
            await asyncio.sleep(0.02)  # nothing ready right now: do not spin
            continue
        if answer.status_code != 201:
            note(stats, f"claim {answer.status_code}", answer)
            continue
        claim: Any = answer.json()
        key: str = claim["task"]["key"]
        stats.claimed_keys.append(key)
        beat = {"claim_token": claim["claim_token"], "lease_seconds": lease}
        held = True
        for _ in range(heartbeats):
            held = held and await heartbeat(client, key, beat, window, stats)
        done = held and await complete(client, key, claim["claim_token"], window, stats)
        if done and counted and time.perf_counter() < window.end:
            stats.cycles += 1


async def heartbeat(
    client: LeanClient, key: str, body: dict[str, Any], window: Window, stats: Stats
) -> bool:
    path = f"{API}/tasks/{key}/heartbeat"
    return await timed(client, "heartbeat", path, body, window, stats)


async def complete(client: LeanClient, key: str, token: str, window: Window, stats: Stats) -> bool:
    body = {"claim_token": token}
    done = await timed(client, "complete", f"{API}/tasks/{key}/complete", body, window, stats)
    stats.completed_total += done
    return done


async def timed(
    client: LeanClient,
    action: str,
    path: str,
    body: dict[str, Any],
    window: Window,
    stats: Stats,
) -> bool:
    """POST a call on a held claim; True when it answered 200. Its latency and status count
    when it started inside the window."""
    latencies, statuses = {
        "heartbeat": (stats.heartbeat_ms, stats.heartbeat_status),
        "complete": (stats.complete_ms, stats.complete_status),
    }[action]
    t0 = time.perf_counter()
    try:
        answer = await client.post(path, json=body)
    except LeanHTTPError as exc:
        stats.errors[f"{action} {type(exc).__name__}"] += 1
        return False
    t1 = time.perf_counter()
    if window.inside(t0):
        latencies.append((t1 - t0) * 1000)
        statuses[answer.status_code] += 1
    if answer.status_code != 200:
        note(stats, f"{action} {answer.status_code}", answer)
        return False
    return True


def note(stats: Stats, what: str, answer: Answer) -> None:
    if len(stats.samples) < 5:
        stats.samples.append(f"{what}: {answer.text[:300]}")


async def measure(
    settings: Settings, server: Server, token: str, seeded: Seeded, dsn: str, database: str
) -> Outcome:
    load_start = os.getloadavg()
    stats = Stats()
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    clients = [LeanClient(server.base, headers) for _ in range(settings.concurrency)]
    try:
        window = Window(settings.warmup, settings.duration)
        workers = [
            asyncio.create_task(
                claimer(
                    client,
                    f"bench-{i}",
                    seeded.project_key,
                    settings.lease,
                    settings.heartbeats,
                    window,
                    stats,
                )
            )
            for i, client in enumerate(clients)
        ]
        await asyncio.sleep(max(0.0, window.begin - time.perf_counter()))
        pg_pids = await backend_pids(dsn, database)
        pg_before = {pid: cpu_seconds(pid) for pid in pg_pids}
        before = Cpu(server.cpu(), 0.0, time.process_time())
        await asyncio.sleep(max(0.0, window.end - time.perf_counter()))
        # Backends the pool closed during the window read as gone: count only the survivors
        # (overflow connections that come and go are left out, so this is a lower bound).
        pg_after = {pid: cpu_seconds(pid) for pid in pg_pids if Path(f"/proc/{pid}").exists()}
        pg_used = sum(pg_after[pid] - pg_before[pid] for pid in pg_after)
        after = Cpu(server.cpu(), pg_used, time.process_time())
        await asyncio.gather(*workers)
    finally:
        for client in clients:
            await client.close()
    return Outcome(
        stats=stats,
        seconds=settings.duration,
        cpu=Cpu(
            after.server - before.server,
            after.postgres - before.postgres,
            after.client - before.client,
        ),
        restarted=server.restarted(),
        load_start=load_start,
        load_end=os.getloadavg(),
    )


def preflight(base: str, token: str, project: str) -> None:
    """One real cycle before the load: anything but 201 then 200 stops the run loudly."""

    async def cycle() -> None:
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60.0) as client:
            claim = await client.post(
                f"{API}/projects/{project}/claims", json={"worker": "preflight"}
            )
            if claim.status_code != 201:
                raise BenchError(f"claim answered {claim.status_code}: {claim.text[:500]}")
            data = claim.json()
            done = await client.post(
                f"{API}/tasks/{data['task']['key']}/complete",
                json={"claim_token": data["claim_token"]},
            )
            if done.status_code != 200:
                raise BenchError(f"complete answered {done.status_code}: {done.text[:500]}")

    asyncio.run(cycle())


# --------------------------------------------------------------------------- report


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, round(share * len(ordered) + 0.5))
    return ordered[min(rank, len(ordered)) - 1]


def status_counts(counts: Counter[int]) -> str:
    return " ".join(f"{code}:{n}" for code, n in sorted(counts.items())) or "-"


@dataclass(frozen=True)
class Summary:
    rate: float
    claim_p50: float
    claim_p99: float
    complete_p50: float
    complete_p99: float
    heartbeat_p50: float
    heartbeat_p99: float
    c204: int
    c409: int
    c5xx: int
    other: int  # 4xx but 409, and anything else unexpected
    duplicates: int

    @property
    def ok_rate(self) -> bool:
        return self.rate >= TARGET_CYCLES

    @property
    def ok_p99(self) -> bool:
        return 0 < self.claim_p99 < TARGET_CLAIM_P99_MS


def summarize(outcome: Outcome) -> Summary:
    s = outcome.stats
    statuses = Counter(s.claim_status) + Counter(s.complete_status) + Counter(s.heartbeat_status)
    expected = {200, 201, 204, 409}
    return Summary(
        rate=s.cycles / outcome.seconds if outcome.seconds else 0.0,
        claim_p50=percentile(s.claim_ms, 0.50),
        claim_p99=percentile(s.claim_ms, 0.99),
        complete_p50=percentile(s.complete_ms, 0.50),
        complete_p99=percentile(s.complete_ms, 0.99),
        heartbeat_p50=percentile(s.heartbeat_ms, 0.50),
        heartbeat_p99=percentile(s.heartbeat_ms, 0.99),
        c204=s.claim_status.get(204, 0),
        c409=statuses.get(409, 0),
        c5xx=sum(n for code, n in statuses.items() if code >= 500),
        other=sum(n for code, n in statuses.items() if code not in expected and code < 500),
        duplicates=len(s.claimed_keys) - len(set(s.claimed_keys)),
    )


def problems(outcome: Outcome, summary: Summary) -> list[str]:
    """Anything that makes the run fail whatever the numbers, then what is only worth a look."""
    s = outcome.stats
    found = []
    if summary.duplicates:
        found.append(f"{summary.duplicates} tasks were handed out twice")
    if summary.c5xx or summary.other or s.errors:
        found.append(f"{summary.c5xx} 5xx, {summary.other} other non-2xx, errors {dict(s.errors)}")
    if outcome.restarted:
        found.append("a server worker was restarted during the run")
    # The preflight cycle completed one task before the load.
    if outcome.done_total != s.completed_total + 1:
        found.append(
            f"{outcome.done_total} tasks are done but {s.completed_total} + 1 completes answered"
            " 200"
        )
    return found


def print_report(settings: Settings, shape: Shape, outcome: Outcome, database: str) -> bool:
    s, cpu, sm = outcome.stats, outcome.cpu, summarize(outcome)
    rule = "=" * 100

    def per_cycle(seconds: float) -> str:
        return f"{seconds * 1000 / s.cycles:.2f}" if s.cycles else "-"

    print("\n" + rule)
    print(
        f"epicflow claim benchmark — {os.cpu_count()} CPUs, {settings.workers} server workers, "
        f"{settings.concurrency} claimers, {settings.heartbeats} heartbeats per claim, "
        f"{settings.duration:g} s after {settings.warmup:g} s "
        f"warm-up; db {database}"
    )
    print(
        f"project: {sum(shape.statuses.values())} tasks "
        f"({', '.join(f'{n} {k}' for k, n in sorted(shape.statuses.items()))}), "
        f"{shape.edges} edges, {shape.epics} epics, {shape.exclusive} exclusive tasks in epics, "
        f"{shape.ready} ready at the start"
    )
    print(
        "load average (1/5/15 min) at start: {:.2f} {:.2f} {:.2f}; at end: {:.2f} {:.2f} {:.2f}"
        " (a shared machine: other processes take CPU too)".format(
            *outcome.load_start, *outcome.load_end
        )
    )
    print(rule)
    rows = [
        ("claim+complete cycles/s", f"{sm.rate:.1f}", f">= {TARGET_CYCLES:.0f}", sm.ok_rate),
        ("claim p50 / p99 ms", f"{sm.claim_p50:.1f} / {sm.claim_p99:.1f}", "p99 < 100", sm.ok_p99),
        ("complete p50 / p99 ms", f"{sm.complete_p50:.1f} / {sm.complete_p99:.1f}", "", None),
        ("claim answers", status_counts(s.claim_status), "", None),
        ("complete answers", status_counts(s.complete_status), "", None),
        *(
            [
                (
                    "heartbeat p50 / p99 ms",
                    f"{sm.heartbeat_p50:.1f} / {sm.heartbeat_p99:.1f}",
                    "",
                    None,
                ),
                ("heartbeat answers", status_counts(s.heartbeat_status), "", None),
            ]
            if settings.heartbeats
            else []
        ),
        ("204 / 409 / 5xx / other", f"{sm.c204} / {sm.c409} / {sm.c5xx} / {sm.other}", "", None),
        ("transport errors", str(sum(s.errors.values())), "", None),
        ("server CPU ms/cycle", per_cycle(cpu.server), "", None),
        ("postgres backends CPU ms/cycle", per_cycle(cpu.postgres), "", None),
        ("load client CPU ms/cycle", per_cycle(cpu.client), "", None),
    ]
    for name, value, target, ok in rows:
        mark = "" if ok is None else ("PASS" if ok else "MISS")
        print(f"{name:<32} {value:>24}   {target:<12} {mark}")
    print("-" * 100)
    print(
        f"whole run: {len(s.claimed_keys)} claims, {s.completed_total} completes, "
        f"{sm.duplicates} tasks claimed twice; afterwards {outcome.done_total} done "
        f"(preflight included), {outcome.open_left} still open"
    )
    failures = problems(outcome, sm)
    notes = list(s.samples)
    if sm.c204:
        notes.insert(0, f"{sm.c204} claims found nothing ready (204): the backlog ran dry")
    for text in failures + notes:
        print(f"!!! {text}")
    for name in FALLBACKS:
        print(f"!!! {name}: measured through `python -m uvicorn` (see bench/README.md, Launcher)")
    all_ok = sm.ok_rate and sm.ok_p99 and not failures
    print(f"overall: {'all targets met' if all_ok else 'TARGETS MISSED (see MISS/!!! above)'}")
    return all_ok


# --------------------------------------------------------------------------- main


def run(settings: Settings, database: str, workdir: Path) -> tuple[Shape, Outcome]:
    db_dsn = dsn_for(settings.pg, database)
    sa_url = "postgresql+asyncpg://" + db_dsn.split("://", 1)[1]
    print(f"database {database}: migrating ...")
    migrations.upgrade(sa_url)
    started = time.monotonic()
    seeded = asyncio.run(seed(db_dsn, tasks=settings.tasks, edges=settings.edges))
    shape = asyncio.run(reshape(db_dsn, seeded))
    print(
        f"seeded {seeded.tasks} tasks, {seeded.edges} edges in {time.monotonic() - started:.1f} s;"
        f" {shape.ready} ready"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("EPICFLOW_")}
    env |= {
        "EPICFLOW_DATABASE_URL": sa_url,
        "EPICFLOW_SECRET_KEY": secrets.token_urlsafe(48),
        "EPICFLOW_API_RATE_LIMIT": "0",
        "EPICFLOW_AUTH_RATE_LIMIT": "0",
        "EPICFLOW_LOG_LEVEL": "WARNING",
        "EPICFLOW_ACCESS_TOKEN_MINUTES": "120",
    }
    options = Options(
        duration=settings.duration,
        warmup=settings.warmup,
        connections=settings.concurrency,
        threads=1,
        workers=settings.workers,
        timeout=30.0,
        smoke_duration=0.0,
        pg=settings.pg,
        tasks=settings.tasks,
        edges=settings.edges,
        keep_db=settings.keep_db,
        py_spy=None,
        launcher=settings.launcher,
    )
    print(f"serving epicflow with {settings.workers} workers ...")
    with serving_epicflow(
        options, settings.workers, env, workdir / "server.log", "epicflow"
    ) as server:
        token = login(server.base, seeded)
        try:
            preflight(server.base, token, seeded.project_key)
        except BenchError as exc:
            raise BenchError(f"preflight: {exc}\n--- server log:\n{server.tail()}") from exc
        print(
            f"{settings.concurrency} claimers: {settings.warmup:g} s warm-up, "
            f"{settings.duration:g} s measured ..."
        )
        outcome = asyncio.run(measure(settings, server, token, seeded, db_dsn, database))
        statuses = (
            outcome.stats.claim_status,
            outcome.stats.complete_status,
            outcome.stats.heartbeat_status,
        )
        if any(counts.get(500) for counts in statuses):
            print("--- server log (5xx seen):\n" + server.tail())
    counts = asyncio.run(final_counts(db_dsn, seeded))
    outcome.open_left, outcome.done_total = counts.get("open", 0), counts.get("done", 0)
    return shape, outcome


def parse_args(argv: list[str] | None = None) -> Settings:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=3.0, help="warm-up seconds")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent claimers")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--edges", type=int, default=2_000, help="dependency edges")
    parser.add_argument("--lease", type=int, default=300, help="lease seconds of each claim")
    parser.add_argument(
        "--heartbeats", type=int, default=0, help="heartbeats of each claim before it completes"
    )
    add_pg_argument(parser)
    parser.add_argument("--launcher", choices=["epicflow", "uvicorn"], default="epicflow")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    args = parser.parse_args(argv)
    return Settings(
        duration=args.duration,
        warmup=args.warmup,
        concurrency=args.concurrency,
        workers=args.workers,
        tasks=args.tasks,
        edges=args.edges,
        lease=args.lease,
        heartbeats=args.heartbeats,
        pg=args.pg,
        launcher=args.launcher,
        keep_db=args.keep_db,
    )


def main(argv: list[str] | None = None) -> int:
    settings = parse_args(argv)
    interrupt_on_sigterm()
    database = f"epicflow_bench_{secrets.token_hex(4)}"
    asyncio.run(create_database(settings.pg, database))
    try:
        with tempfile.TemporaryDirectory(prefix="epicflow-claims-") as tmp:
            shape, outcome = run(settings, database, Path(tmp))
            ok = print_report(settings, shape, outcome, database)
    except BenchError as exc:
        print(f"\n!!! benchmark failed: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        if settings.keep_db:
            print(f"kept database {database}")
        else:
            asyncio.run(drop_database(settings.pg, database))
            print(f"dropped database {database}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
