"""The graph at scale: pure planning functions, the planning endpoints, and schedule quality.

    uv run python bench/graph_bench.py [--sizes 10000 100000] [--repeat 3] [--requests 5]

Three parts, each printed as a table next to its target:

1. Pure functions on generated graphs of 10,000 and 100,000 `Node`s (about two dependency edges
   per task, some conflicts, some exclusive tasks in epics): `Graph(nodes).ready_keys()`,
   `plan(nodes)`, `plan(nodes, workers=8)`, `critical_path(nodes)`, best of `--repeat` runs
   (perf_counter). Target: 100,000 tasks planned in under 2 s.
2. The endpoints `GET /projects/{key}/ready?limit=50`, `GET …/plan` and `GET …/plan?workers=8`
   on a fresh PostgreSQL database per size, seeded with bench/seed.py (plus conflicts) and
   served with `epicflow serve --no-migrate --workers 2`: a few sequential requests after a
   warm-up, median seconds, and `ready` again once a claim has refreshed the stored claim
   order. Same target for the 100,000-task plan. Then (unless
   `--no-breakdown`) the stages of a plan request are timed in this process with the app's own
   loader: load the open work, plan, to_dict, orjson (what the route does).
3. Schedule quality: `simulate_makespan` with 1, 4, 8 and 16 workers on three generated graphs
   of about 2,000 open tasks (wide, deep, mixed with conflicts and exclusive tasks), as
   makespan / max(critical hours, total hours / workers). Target: <= 1.15 on every row.

Every server is stopped and every database dropped, also on errors and Ctrl-C. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg
import orjson
from http_bench import (
    API,
    FALLBACKS,
    BenchError,
    Options,
    add_pg_argument,
    create_database,
    drop_database,
    dsn_for,
    http,
    interrupt_on_sigterm,
    login,
    serving_epicflow,
)
from seed import Seeded, seed

from epicflow.graph import Graph, Node, critical_path, plan, simulate_makespan
from epicflow.platform import migrations

PLAN_TARGET_S = 2.0  # 100,000 tasks planned in under 2 s
PLAN_TARGET_TASKS = 100_000
QUALITY_TARGET = 1.15
QUALITY_WORKERS = (1, 4, 8, 16)
HOURS = (1.0, 2.0, 4.0, 8.0, 16.0)


# --------------------------------------------------------------------------- graphs


def _hours(rng: random.Random) -> float:
    """Like estimates in practice: mostly sizes, sometimes explicit hours, a few unestimated."""
    draw = rng.random()
    if draw < 0.05:
        return 0.0
    if draw < 0.75:
        return rng.choice((2.0, 4.0, 8.0, 16.0, 24.0))
    return float(rng.randint(1, 16))


def scale_graph(tasks: int, seed_value: int = 7) -> list[Node]:
    """A big project: ~1.95 dependencies per task (0-4, on one of the previous 500 tasks), 2 % of
    tasks with a conflict on a neighbour, epics of ~400 consecutive tasks (15 % of tasks in
    none), 5 % exclusive (`parallel=False`), statuses 80 % open, 4 % blocked, 2 % in progress
    (claimed), 10 % done, 4 % cancelled, priorities 0-4 peaking at 2."""
    rng = random.Random(seed_value)
    epics = max(1, tasks // 400)
    statuses = ("open", "blocked", "in_progress", "done", "cancelled")
    nodes = []
    for n in range(1, tasks + 1):
        deps: set[int] = set()
        for _ in range(rng.choices((0, 1, 2, 3, 4), (15, 25, 30, 20, 10))[0]):
            if n > 1:
                deps.add(rng.randint(max(1, n - 500), n - 1))
        conflicts: tuple[str, ...] = ()
        if rng.random() < 0.02:
            other = n + rng.choice((-1, 1)) * rng.randint(1, 40)
            if 1 <= other <= tasks:
                conflicts = (f"G-{other}",)
        status = rng.choices(statuses, (80, 4, 2, 10, 4))[0]
        nodes.append(
            Node(
                key=f"G-{n}",
                number=n,
                status=status,
                priority=rng.choices(range(5), (1, 3, 5, 3, 1))[0],
                epic=None if rng.random() < 0.15 else f"epic-{(n - 1) * epics // tasks}",
                parallel=rng.random() >= 0.05,
                hours=_hours(rng),
                depends_on=tuple(f"G-{d}" for d in sorted(deps)),
                conflicts_with=conflicts,
                claimed=status == "in_progress",
            )
        )
    return nodes


def wide_graph(tasks: int, rng: random.Random) -> list[Node]:
    """Mostly independent work: 10 % of tasks wait on one earlier task, no epics."""
    return [
        Node(
            key=f"W-{n}",
            number=n,
            status="open",
            hours=rng.choice(HOURS),
            depends_on=(f"W-{rng.randint(1, n - 1)}",) if n > 1 and rng.random() < 0.1 else (),
        )
        for n in range(1, tasks + 1)
    ]


def deep_graph(tasks: int, rng: random.Random, width: int = 12) -> list[Node]:
    """Layers of `width` tasks, each waiting on 1-3 tasks of the layer before: ~170 levels, so
    the critical path is about total hours / 8 and both halves of the bound bind."""
    nodes = []
    for n in range(1, tasks + 1):
        layer = (n - 1) // width
        deps: set[int] = set()
        if layer:
            first = (layer - 1) * width + 1
            for _ in range(rng.choice((1, 1, 2, 2, 3))):
                deps.add(rng.randint(first, first + width - 1))
        nodes.append(
            Node(
                key=f"D-{n}",
                number=n,
                status="open",
                hours=rng.choice(HOURS),
                depends_on=tuple(f"D-{d}" for d in sorted(deps)),
            )
        )
    return nodes


def mixed_graph(tasks: int, rng: random.Random) -> list[Node]:
    """0-3 dependencies on the previous 100 tasks, 5 % of tasks conflicting with a neighbour,
    epics of 100 consecutive tasks (10 % of tasks in none) with 10 % exclusive tasks (the
    share bench/seed.py uses)."""
    nodes = []
    for n in range(1, tasks + 1):
        deps: set[int] = set()
        for _ in range(rng.choices((0, 1, 2, 3), (20, 35, 30, 15))[0]):
            if n > 1:
                deps.add(rng.randint(max(1, n - 100), n - 1))
        conflicts: tuple[str, ...] = ()
        if rng.random() < 0.05:
            other = n + rng.choice((-1, 1)) * rng.randint(1, 30)
            if 1 <= other <= tasks:
                conflicts = (f"M-{other}",)
        nodes.append(
            Node(
                key=f"M-{n}",
                number=n,
                status="open",
                epic=None if rng.random() < 0.1 else f"epic-{(n - 1) // 100}",
                parallel=rng.random() >= 0.10,
                hours=rng.choice(HOURS),
                depends_on=tuple(f"M-{d}" for d in sorted(deps)),
                conflicts_with=conflicts,
            )
        )
    return nodes


@dataclass(frozen=True)
class GraphShape:
    tasks: int
    unresolved: int
    edges: int
    conflicts: int  # conflict pairs, as listed
    exclusive: int  # unresolved parallel=False tasks inside an epic
    epics: int


def shape_of(nodes: list[Node]) -> GraphShape:
    return GraphShape(
        tasks=len(nodes),
        unresolved=sum(1 for n in nodes if n.status not in {"done", "cancelled"}),
        edges=sum(len(n.depends_on) for n in nodes),
        conflicts=sum(len(n.conflicts_with) for n in nodes),
        exclusive=sum(
            1
            for n in nodes
            if n.epic is not None and not n.parallel and n.status not in {"done", "cancelled"}
        ),
        epics=len({n.epic for n in nodes if n.epic is not None}),
    )


# --------------------------------------------------------------------------- pure timings


def best_of(repeat: int, work: Callable[[], object]) -> float:
    """Fastest of `repeat` runs; the garbage of one run is collected before the next."""
    times = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


PURE: list[tuple[str, Callable[[list[Node]], object]]] = [
    ("Graph(nodes).ready_keys()", lambda nodes: Graph(nodes).ready_keys()),
    ("plan(nodes)", lambda nodes: plan(nodes)),
    ("plan(nodes, workers=8)", lambda nodes: plan(nodes, workers=8)),
    ("critical_path(nodes)", lambda nodes: critical_path(nodes)),
]


def is_plan(name: str) -> bool:
    return name.startswith("plan")


def mark(seconds: float, tasks: int, name: str) -> str:
    if not is_plan(name) or tasks < PLAN_TARGET_TASKS:
        return ""
    return "PASS" if seconds < PLAN_TARGET_S else "MISS"


def pure_part(sizes: list[int], repeat: int) -> bool:
    print(f"\n1. pure functions, best of {repeat} (perf_counter), generated graphs")
    shapes = []
    results: dict[tuple[int, str], float] = {}
    for size in sizes:
        nodes = scale_graph(size)
        shapes.append(shape_of(nodes))
        for name, work in PURE:
            results[size, name] = best_of(repeat, partial(work, nodes))
        del nodes
    for s in shapes:
        print(
            f"   {s.tasks} tasks: {s.unresolved} unresolved, {s.edges} edges, {s.conflicts} "
            f"conflicts, {s.exclusive} exclusive unresolved tasks in {s.epics} epics"
        )
    header = f"{'function':<28}" + "".join(f"{f'{n} tasks, s':>18}" for n in sizes)
    header += f"   {'target':<24}"
    print(header)
    print("-" * len(header))
    ok = True
    for name, _work in PURE:
        cells = ""
        marks = []
        for size in sizes:
            seconds = results[size, name]
            cells += f"{seconds:18.3f}"
            verdict = mark(seconds, size, name)
            marks.append(verdict)
            ok = ok and verdict != "MISS"
        target = f"< {PLAN_TARGET_S:g} s at 100,000" if is_plan(name) else ""
        print(f"{name:<28}{cells}   {target:<24}{' '.join(m for m in marks if m)}")
    return ok


# --------------------------------------------------------------------------- endpoints


@dataclass
class EndpointResult:
    name: str
    seconds: list[float]
    size_bytes: int
    detail: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


@dataclass
class ProjectRun:
    seeded: Seeded
    conflicts: int
    unresolved: int
    seed_seconds: float
    results: list[EndpointResult] = field(default_factory=list)
    stages: dict[str, float] = field(default_factory=dict)


async def add_conflicts(dsn: str, seeded: Seeded, share: float = 0.01) -> tuple[int, int]:
    """seed.py writes no conflicts: add one for `share` of the tasks, on a task up to 40
    numbers away (ids equal numbers in a seeded database). Returns (conflicts, unresolved)."""
    rng = random.Random(11)
    pairs: set[tuple[int, int]] = set()
    for n in range(1, seeded.tasks + 1):
        other = n + rng.randint(1, 40)
        if rng.random() < share and other <= seeded.tasks:
            pairs.add((n, other))
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table(
            "task_conflict",
            records=[(low, high, seeded.project_id) for low, high in sorted(pairs)],
            columns=["low_id", "high_id", "project_id"],
        )
        await conn.execute("ANALYZE task_conflict")
        unresolved = await conn.fetchval(
            "SELECT count(*) FROM task WHERE project_id = $1"
            " AND status NOT IN ('done', 'cancelled')",
            seeded.project_id,
        )
    finally:
        await conn.close()
    return len(pairs), int(unresolved)


def timed_get(base: str, path: str, token: str, count: int, warmup: int) -> EndpointResult:
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    seconds: list[float] = []
    size = 0
    detail = ""
    for i in range(warmup + count):
        started = time.perf_counter()
        status, content = http(base + path, headers=headers, timeout=300.0)
        elapsed = time.perf_counter() - started
        if status != 200:
            raise BenchError(f"GET {path} answered {status}: {content[:300]!r}")
        if i >= warmup:
            seconds.append(elapsed)
        size = len(content)
        if not detail:
            detail = describe_answer(content)
    return EndpointResult(path, seconds, size, detail)


def describe_answer(content: bytes) -> str:
    data: Any = orjson.loads(content)
    if "waves" in data:
        return (
            f"{len(data['waves'])} waves, {len(data['schedule'])} scheduled, "
            f"projected {data['projected_hours']:g} h"
        )
    return f"{len(data.get('items', []))} items"


def epicflow_env(sa_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EPICFLOW_")}
    return env | {
        "EPICFLOW_DATABASE_URL": sa_url,
        "EPICFLOW_SECRET_KEY": secrets.token_urlsafe(48),
        "EPICFLOW_API_RATE_LIMIT": "0",
        "EPICFLOW_AUTH_RATE_LIMIT": "0",
        "EPICFLOW_LOG_LEVEL": "WARNING",
        "EPICFLOW_ACCESS_TOKEN_MINUTES": "120",
    }


@contextmanager
def fresh_database(pg: str, keep: bool) -> Iterator[str]:
    database = f"epicflow_bench_{secrets.token_hex(4)}"
    asyncio.run(create_database(pg, database))
    try:
        yield database
    finally:
        if keep:
            print(f"   kept database {database}")
        else:
            asyncio.run(drop_database(pg, database))


async def plan_stages(sa_url: str, seeded: Seeded) -> dict[str, float]:
    """The stages of `GET /plan` timed in this process, with the app's own loader."""
    from sqlalchemy.ext.asyncio import async_sessionmaker  # noqa: PLC0415

    from epicflow.platform.db import make_engine  # noqa: PLC0415
    from epicflow.platform.memory import collector_paused  # noqa: PLC0415
    from epicflow.tasks.project_graph import done_hours, open_nodes  # noqa: PLC0415

    engine = make_engine(sa_url)  # the app's engine: session settings and all
    stages: dict[str, float] = {}
    try:
        async with async_sessionmaker(engine)() as session:
            await open_nodes(session, seeded.project_id, datetime.now(UTC))  # warm the statements
            gc.collect()
            with collector_paused():  # as the route does
                t0 = time.perf_counter()
                nodes = await open_nodes(session, seeded.project_id, datetime.now(UTC))
                done = await done_hours(session, seeded.project_id)
                t1 = time.perf_counter()
                result = plan(nodes, done_hours=done)
                t2 = time.perf_counter()
            data = result.to_dict()
            t3 = time.perf_counter()
            orjson.dumps(data, option=orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS)
            t4 = time.perf_counter()
        stages = {
            "load open work (open_nodes, done_hours)": t1 - t0,
            "plan(nodes)": t2 - t1,
            "Plan.to_dict()": t3 - t2,
            "orjson.dumps (FastJSONResponse)": t4 - t3,
        }
    finally:
        await engine.dispose()
    return stages


@dataclass
class EndpointOptions:
    pg: str
    requests: int
    warmup: int
    launcher: str
    keep_db: bool
    breakdown: bool


def measure_project(size: int, o: EndpointOptions, workdir: Path) -> ProjectRun:
    with fresh_database(o.pg, o.keep_db) as database:
        db_dsn = dsn_for(o.pg, database)
        sa_url = "postgresql+asyncpg://" + db_dsn.split("://", 1)[1]
        migrations.upgrade(sa_url)
        started = time.monotonic()
        seeded = asyncio.run(seed(db_dsn, tasks=size, edges=2 * size))
        conflicts, unresolved = asyncio.run(add_conflicts(db_dsn, seeded))
        run = ProjectRun(seeded, conflicts, unresolved, time.monotonic() - started)
        print(
            f"   {size} tasks: seeded in {run.seed_seconds:.1f} s ({seeded.edges} edges, "
            f"{conflicts} conflicts, {unresolved} unresolved); serving ..."
        )
        options = Options(
            duration=0.0,
            warmup=0.0,
            connections=1,
            threads=1,
            workers=2,
            timeout=300.0,
            smoke_duration=0.0,
            pg=o.pg,
            tasks=size,
            edges=2 * size,
            keep_db=o.keep_db,
            py_spy=None,
            launcher=o.launcher,
        )
        env = epicflow_env(sa_url)
        with serving_epicflow(options, 2, env, workdir / "server.log", f"epicflow-{size}") as srv:
            token = login(srv.base, seeded)
            project = f"{API}/projects/{seeded.project_key}"
            for path in ("/ready?limit=50", "/plan", "/plan?workers=8"):
                result = timed_get(srv.base, project + path, token, o.requests, o.warmup)
                result.name = f"GET {path}"
                run.results.append(result)
                print(f"     {result.name:<22} median {result.median:.3f} s")
            # Seeded, the claim order is stale (as after any graph change); one claim
            # refreshes it, and the ready queue is then read from the stored order.
            claim_and_release(srv.base, project, token)
            result = timed_get(srv.base, project + "/ready?limit=50", token, o.requests, o.warmup)
            result.name = "GET /ready (fresh)"
            run.results.append(result)
            print(f"     {result.name:<22} median {result.median:.3f} s")
        if o.breakdown:
            run.stages = asyncio.run(plan_stages(sa_url, seeded))
    return run


def claim_and_release(base: str, project: str, token: str) -> None:
    """Claim one task and give it back: the claim recomputes a stale claim order."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = orjson.dumps({"worker": "graph-bench", "lease_seconds": 60})
    status, content = http(
        f"{base}{project}/claims", method="POST", body=body, headers=headers, timeout=300.0
    )
    if status == 204:
        return
    if status != 201:
        raise BenchError(f"POST …/claims answered {status}: {content[:300]!r}")
    claim = orjson.loads(content)
    release = orjson.dumps({"claim_token": claim["claim_token"]})
    url = f"{base}{API}/tasks/{claim['task']['key']}/release"
    status, content = http(url, method="POST", body=release, headers=headers)
    if status != 200:
        raise BenchError(f"POST …/release answered {status}: {content[:300]!r}")


def endpoint_part(sizes: list[int], o: EndpointOptions, workdir: Path) -> bool:
    print(
        f"\n2. endpoints on PostgreSQL (2 workers), {o.warmup} warm-up + {o.requests} sequential "
        "requests each, seeded with bench/seed.py (2 edges per task) + 1 % conflicts"
    )
    runs = [measure_project(size, o, workdir) for size in sizes]
    header = (
        f"{'endpoint':<22}{'tasks':>8}{'unresolved':>11}{'median s':>10}{'min s':>8}{'max s':>8}"
        f"{'MB':>7}   {'answer':<52}{'target':<8}"
    )
    print(header)
    print("-" * len(header))
    ok = True
    for run in runs:
        for r in run.results:
            verdict = mark(r.median, run.seeded.tasks, r.name.removeprefix("GET /"))
            ok = ok and verdict != "MISS"
            target = f"< {PLAN_TARGET_S:g} s" if verdict else ""
            print(
                f"{r.name:<22}{run.seeded.tasks:>8}{run.unresolved:>11}{r.median:>10.3f}"
                f"{min(r.seconds):>8.3f}{max(r.seconds):>8.3f}{r.size_bytes / 1e6:>7.2f}   "
                f"{r.detail:<52}{target:<8}{verdict}"
            )
    for run in runs:
        if run.stages:
            total = sum(run.stages.values())
            print(
                f"   stages of GET /plan at {run.seeded.tasks} tasks, in-process ({total:.3f} s):"
            )
            for name, seconds in run.stages.items():
                print(f"     {name:<28} {seconds:7.3f} s  {seconds / total:6.1%}")
    return ok


# --------------------------------------------------------------------------- quality


def quality_part(tasks: int) -> bool:
    print(
        f"\n3. schedule quality: simulate_makespan on ~{tasks}-task graphs (all open, priority 2),"
        " ratio = makespan / max(critical hours, total hours / workers)"
    )
    rng = random.Random(2026)
    graphs = [
        ("wide", wide_graph(tasks, rng)),
        ("deep", deep_graph(tasks, rng)),
        ("mixed + conflicts", mixed_graph(tasks, rng)),
    ]
    header = (
        f"{'graph':<19}{'workers':>8}{'critical h':>12}{'total h':>10}{'bound h':>10}"
        f"{'makespan h':>12}{'ratio':>8}{'sim s':>8}   {'target':<8}"
    )
    for name, nodes in graphs:
        s = shape_of(nodes)
        print(
            f"   {name}: {s.tasks} tasks, {s.edges} edges, {s.conflicts} conflicts, "
            f"{s.exclusive} exclusive in {s.epics} epics"
        )
    print(header)
    print("-" * len(header))
    ok = True
    for name, nodes in graphs:
        critical = critical_path(nodes).hours
        total = sum(n.hours for n in nodes if n.status not in {"done", "cancelled"})
        for workers in QUALITY_WORKERS:
            started = time.perf_counter()
            makespan = simulate_makespan(nodes, workers)
            elapsed = time.perf_counter() - started
            bound = max(critical, total / workers)
            ratio = makespan / bound if bound else 1.0
            good = ratio <= QUALITY_TARGET
            ok = ok and good
            print(
                f"{name:<19}{workers:>8}{critical:>12.1f}{total:>10.1f}{bound:>10.1f}"
                f"{makespan:>12.1f}{ratio:>8.3f}{elapsed:>8.3f}   "
                f"{f'<= {QUALITY_TARGET:g}':<8} {'PASS' if good else 'MISS'}"
            )
    return ok


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per pure function (best)")
    parser.add_argument("--requests", type=int, default=5, help="measured requests per endpoint")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up requests per endpoint")
    parser.add_argument("--quality-tasks", type=int, default=2_000)
    parser.add_argument(
        "--only",
        action="append",
        choices=["pure", "endpoints", "quality"],
        default=[],
        help="run only this part (repeatable)",
    )
    parser.add_argument(
        "--breakdown",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time the stages of GET /plan in this process (default on)",
    )
    add_pg_argument(parser)
    parser.add_argument("--launcher", choices=["epicflow", "uvicorn"], default="epicflow")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the databases")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    interrupt_on_sigterm()
    parts = args.only or ["pure", "endpoints", "quality"]
    load_start = os.getloadavg()
    print(
        f"epicflow graph benchmark — {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; "
        f"load average at start {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f}"
    )
    verdicts: dict[str, bool] = {}
    try:
        if "pure" in parts:
            verdicts["pure"] = pure_part(args.sizes, args.repeat)
        if "endpoints" in parts:
            options = EndpointOptions(
                args.pg, args.requests, args.warmup, args.launcher, args.keep_db, args.breakdown
            )
            with tempfile.TemporaryDirectory(prefix="epicflow-graph-") as tmp:
                verdicts["endpoints"] = endpoint_part(args.sizes, options, Path(tmp))
        if "quality" in parts:
            verdicts["quality"] = quality_part(args.quality_tasks)
    except BenchError as exc:
        print(f"\n!!! benchmark failed: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted; cleaned up", file=sys.stderr)
        return 130
    end = os.getloadavg()
    print(f"\nload average at end {end[0]:.2f} {end[1]:.2f} {end[2]:.2f} (a shared machine)")
    for name in FALLBACKS:
        print(f"!!! {name}: measured through `python -m uvicorn` (see bench/README.md, Launcher)")
    print(
        "overall: "
        + ", ".join(f"{part} {'PASS' if ok else 'MISS'}" for part, ok in verdicts.items())
        + ("" if all(verdicts.values()) else " — TARGETS MISSED")
    )
    return 0 if all(verdicts.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
