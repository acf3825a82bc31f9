"""Import and export of a 10,000-task ccpm tree on PostgreSQL and SQLite, against the targets.

    uv run python bench/import_bench.py                      # SQLite, and PostgreSQL if reachable
    uv run python bench/import_bench.py --pg postgresql://postgres@127.0.0.1:5432/postgres
    uv run python bench/import_bench.py --tasks 2000 --epics 20 --sqlite-only

It writes a ccpm tree (100 epics x 100 tasks, realistic bodies, dependencies and conflicts
within each epic) to a temporary folder, then for each database (a fresh PostgreSQL database,
a new SQLite file) migrates it, creates an owner and a project through the services, and runs
each step in a child process of its own, through the same service calls the CLI makes:

- import:   read the folder, parse, check and write everything (one transaction);
- reimport: the same files again (everything unchanged, nothing written);
- export markdown: the whole project rendered to files and written to a folder;
- export json: the bundle, serialized.

Each child reports its wall time and its peak resident memory (ru_maxrss, which includes the
interpreter and the libraries, ~80 MB). Targets: import < 10 s, export < 5 s, memory < 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import orjson
from sqlalchemy.engine import make_url

from epicflow.auth import service as accounts
from epicflow.cli.operator import operator
from epicflow.cli.transfer import CLI_LIMITS
from epicflow.platform import migrations
from epicflow.platform.clock import utcnow
from epicflow.projects import service as projects
from epicflow.stores.choice import open_database
from epicflow.transfer import service
from epicflow.transfer.read.upload import read_folder

KEY = "BENCH"
TARGETS = {"import": 10.0, "reimport": 10.0, "export markdown": 5.0, "export json": 5.0}
MEMORY_TARGET_MB = 300
WORDS = (
    *("webhook", "payment", "ledger", "invoice", "retry", "queue", "token", "cache", "index"),
    *("schema", "migration", "endpoint", "handler", "worker", "lease", "claim", "report"),
    *("export", "import", "parser", "render", "metric", "alert", "budget", "page", "session"),
    *("account", "refund", "dispute", "balance", "settlement", "batch", "stream", "event"),
)
VERBS = ("Add", "Build", "Fix", "Refactor", "Document", "Test", "Remove", "Migrate", "Expose")
STATUSES = ("open",) * 6 + ("closed",) * 3 + ("in-progress",)


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng, rng.randint(8, 16)) for _ in range(rng.randint(2, 4)))


def _checks(rng: random.Random, done: bool) -> str:
    mark = "x" if done else " "
    return "\n".join(f"- [{mark}] {_sentence(rng, 6)}" for _ in range(rng.randint(2, 5)))


def task_text(rng: random.Random, number: int) -> str:
    title = f"{rng.choice(VERBS)} the {rng.choice(WORDS)} {rng.choice(WORDS)} ({number})"
    earlier = (
        sorted({rng.randint(1, number - 1) for _ in range(rng.randint(0, 3))}) if number > 1 else []
    )
    deps = ", ".join(f"{n:03d}" for n in earlier)
    conflicts = f"{number - 1:03d}" if number > 1 and rng.random() < 0.05 else ""
    status = rng.choice(STATUSES)
    size = rng.choice(("XS", "S", "M", "L"))
    return f"""---
name: {title}
status: {status}
created: 2025-08-01T09:30:00Z
updated: 2025-08-02T10:00:00Z
depends_on: [{deps}]
parallel: {"true" if rng.random() < 0.9 else "false"}
conflicts_with: [{conflicts}]
priority: {rng.randint(0, 4)}
labels: [{rng.choice(WORDS)}, {rng.choice(WORDS)}]
---

# Task: {title}

## Description

{_paragraph(rng)}

{_paragraph(rng)}

## TDD Requirements

- {_sentence(rng, 8)}
- {_sentence(rng, 8)}

## Acceptance Criteria

{_checks(rng, status == "closed")}

## Technical Details

{_paragraph(rng)}

## Dependencies

## Effort Estimate

- Size: {size}
- Hours: {rng.randint(1, 24)}
- Parallel: true

## Definition of Done

{_checks(rng, status == "closed")}
"""


def generate(root: Path, epics: int, tasks: int) -> int:
    rng = random.Random(42)
    per_epic = tasks // epics
    for e in range(1, epics + 1):
        slug = f"epic-{e:03d}-{rng.choice(WORDS)}"
        folder = root / "epics" / slug
        folder.mkdir(parents=True)
        front = f"---\nname: {slug}\nstatus: in-progress\nprd: prds/{slug}.md\n---\n\n"
        epic = f"{front}# Epic: {slug}\n\n"
        (folder / "epic.md").write_text(epic + _paragraph(rng) + "\n")
        for n in range(1, per_epic + 1):
            (folder / f"{n:03d}.md").write_text(task_text(rng, n))
    return sum(path.stat().st_size for path in root.rglob("*.md"))


# --- one step, in a child process -------------------------------------------------------------


async def _step(action: str, url: str, tree: Path, out: Path) -> dict[str, Any]:
    db = open_database(url)
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    try:
        async with db.sessionmaker.begin() as session:
            if action in ("import", "reimport"):
                await db.begin_locking(session)
            access = await projects.get_access(session, KEY, operator())
            result: dict[str, Any] = {}
            if action in ("import", "reimport"):
                files = read_folder(tree, CLI_LIMITS)
                report = await service.import_files(
                    session, access, files, tree.name, dry_run=False, now=utcnow()
                )
                result = report.model_dump(include={"created", "updated", "unchanged"})
            elif action == "export markdown":
                written = await service.export_files(session, access)
                for name, text in written.items():
                    (out / name).parent.mkdir(parents=True, exist_ok=True)
                    data = text.encode() if isinstance(text, str) else text
                    (out / name).write_bytes(data)
                result = {"files": len(written)}
            else:
                bundle = await service.export_bundle(session, access, utcnow())
                data = orjson.dumps(bundle, option=orjson.OPT_UTC_Z)
                (out / "bundle.json").write_bytes(data)
                result = {"bytes": len(data)}
    finally:
        await db.dispose()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["seconds"] = time.perf_counter() - started
    # This process's CPU, all threads, since the step began (the database server's is not in it).
    result["cpu"] = usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime
    result["peak_mb"] = usage.ru_maxrss / 1024
    return result


def child(action: str, url: str, tree: str, out: str) -> None:
    print(json.dumps(asyncio.run(_step(action, url, Path(tree), Path(out)))))


# --- the driver -------------------------------------------------------------------------------


async def _setup(url: str) -> None:
    db = open_database(url)
    try:
        async with db.sessionmaker.begin() as session:
            user = await accounts.create_user(
                session,
                email=f"bench-{uuid.uuid4().hex[:8]}@example.com",
                password="bench password 123",
                full_name="Bench",
                now=utcnow(),
            )
            await projects.create_project(
                session, user, key=KEY, name="Bench", description="", now=utcnow()
            )
    finally:
        await db.dispose()


async def _admin(server: str, statement: str) -> None:
    dsn = make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def run_target(name: str, url: str, tree: Path, work: Path) -> list[dict[str, Any]]:
    migrations.upgrade(url)
    asyncio.run(_setup(url))
    rows = []
    for action in TARGETS:
        out = work / f"{name}-{action.replace(' ', '-')}"
        out.mkdir()
        proc = subprocess.run(
            [sys.executable, __file__, "--child", action, url, str(tree), str(out)],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            sys.exit(f"{name} {action} failed:\n{proc.stderr}")
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        rows.append({"database": name, "step": action, **result})
        print(
            f"  {name:<10} {action:<16} {result['seconds']:6.2f} s  cpu {result['cpu']:6.2f} s"
            f"  {result['peak_mb']:6.0f} MB"
        )
    return rows


def _table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| database | step | wall s | target | cpu s | peak MB | target | result |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        limit = TARGETS[row["step"]]
        ok = row["seconds"] < limit and row["peak_mb"] < MEMORY_TARGET_MB
        lines.append(
            f"| {row['database']} | {row['step']} | {row['seconds']:.2f} | < {limit:g} "
            f"| {row['cpu']:.2f} | {row['peak_mb']:.0f} | < {MEMORY_TARGET_MB} "
            f"| {'ok' if ok else 'MISSED'} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--epics", type=int, default=100)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="epicflow-bench-") as tmp:
        work = Path(tmp)
        size = generate(work / "tree", args.epics, args.tasks)
        print(f"tree: {args.tasks} tasks in {args.epics} epics, {size / 2**20:.1f} MiB of markdown")
        rows += run_target(
            "SQLite", f"sqlite+aiosqlite:///{work / 'bench.db'}", work / "tree", work
        )
        if not args.sqlite_only:
            name = f"epicflow_bench_{uuid.uuid4().hex[:8]}"
            asyncio.run(_admin(args.pg, f'CREATE DATABASE "{name}"'))
            url = make_url(args.pg).set(drivername="postgresql+asyncpg", database=name)
            try:
                rows += run_target(
                    "PostgreSQL", url.render_as_string(hide_password=False), work / "tree", work
                )
            finally:
                asyncio.run(_admin(args.pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print()
    print(_table(rows))


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--child":
        child(*sys.argv[2:])
    else:
        main()
