"""Fast seeding of the benchmark database with plain SQL (asyncpg COPY), bypassing the app.

The shape: one project with `tasks` tasks (keys `<KEY>-1` … `<KEY>-<tasks>`), `edges` acyclic
dependency edges (a task only waits on tasks with a lower number), a few epics, labels and a
realistic spread of statuses, and one owner account whose password hash comes from the app's own
`hash_password`.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from epicflow.auth.security import hash_password

LABELS = ("backend", "frontend", "api", "db", "infra", "docs", "bug", "perf", "security", "ux")
EPIC_COUNT = 25
# Weighted statuses: most work is open or done, a little is running, blocked or cancelled.
STATUSES = (("open", 50), ("done", 30), ("in_progress", 4), ("blocked", 8), ("cancelled", 8))
SIZES = ("XS", "S", "M", "L", "XL")
EDGE_WINDOW = 300  # a dependency is picked among the previous EDGE_WINDOW tasks


@dataclass(frozen=True, slots=True)
class Seeded:
    project_id: uuid.UUID
    project_key: str
    user_id: uuid.UUID
    email: str
    password: str
    tasks: int
    edges: int
    labels: int
    epics: int
    label_for_filter: str


def _status(rng: random.Random) -> str:
    names = [name for name, _w in STATUSES]
    weights = [w for _n, w in STATUSES]
    return rng.choices(names, weights)[0]


def _edges(rng: random.Random, tasks: int, count: int) -> set[tuple[int, int]]:
    """`count` distinct (waiting, dependency) pairs with waiting > dependency: acyclic by
    construction."""
    if tasks < 2:
        return set()
    count = min(count, tasks * (tasks - 1) // 2)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < count:
        waiting = rng.randint(2, tasks)
        dependency = rng.randint(max(1, waiting - EDGE_WINDOW), waiting - 1)
        pairs.add((waiting, dependency))
    return pairs


async def seed(
    dsn: str,
    *,
    project_key: str = "BENCH",
    tasks: int = 10_000,
    edges: int = 20_000,
    seed_value: int = 42,
) -> Seeded:
    rng = random.Random(seed_value)
    now = datetime.now(UTC)
    email = "bench@example.com"
    password = "bench-password-123"
    user_id, project_id = uuid.uuid4(), uuid.uuid4()
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            await conn.execute(
                "INSERT INTO user_account (id, email, full_name, password_hash, is_active,"
                " is_superuser, created_at) VALUES ($1, $2, $3, $4, true, false, $5)",
                user_id,
                email,
                "Bench Owner",
                hash_password(password),
                now,
            )
            await conn.execute(
                # graph_stale: the claim order's stored columns (downstream hours, unresolved
                # dependencies) are not computed here; the first claim computes them, as after
                # any graph change made through the API.
                "INSERT INTO project (id, key, name, description, task_counter, created_at,"
                " graph_stale) VALUES ($1, $2, $3, $4, $5, $6, true)",
                project_id,
                project_key,
                "Benchmark project",
                "Seeded by bench/seed.py",
                tasks,
                now,
            )
            await conn.execute(
                "INSERT INTO membership (project_id, user_id, role, created_at)"
                " VALUES ($1, $2, 'owner', $3)",
                project_id,
                user_id,
                now,
            )
            epic_rows = [
                (
                    i,
                    project_id,
                    f"epic-{i:02d}",
                    f"Epic number {i}",
                    f"The {i}th epic of the benchmark.",
                    "in_progress" if i % 3 else "backlog",
                    None,
                    now,
                    now,
                )
                for i in range(1, EPIC_COUNT + 1)
            ]
            await conn.copy_records_to_table(
                "epic",
                records=epic_rows,
                columns=[
                    "id",
                    "project_id",
                    "slug",
                    "title",
                    "description",
                    "status",
                    "prd",
                    "created_at",
                    "updated_at",
                ],
            )
            task_rows = []
            label_rows = []
            start = now - timedelta(days=60)
            for n in range(1, tasks + 1):
                status = _status(rng)
                created = start + timedelta(seconds=n * 60)
                checks = [
                    {"text": f"criterion {j} of task {n}", "done": status == "done"}
                    for j in range(rng.randint(0, 3))
                ]
                task_rows.append(
                    (
                        n,
                        project_id,
                        n,
                        f"{project_key}-{n}",
                        None if rng.random() < 0.15 else rng.randint(1, EPIC_COUNT),
                        f"Implement part {n} of the system",
                        status,
                        rng.choices(range(5), (1, 3, 5, 3, 1))[0],
                        user_id if rng.random() < 0.3 else None,
                        f"Task {n}: " + "lorem ipsum dolor sit amet " * rng.randint(2, 12),
                        "",
                        "",
                        json.dumps(checks),
                        json.dumps([]),
                        rng.choice(SIZES) if rng.random() < 0.7 else None,
                        None if rng.random() < 0.5 else float(rng.randint(1, 16)),
                        rng.random() > 0.1,
                        None,
                        None,
                        None,
                        1,
                        created,
                        created,
                        created if status in {"in_progress", "done"} else None,
                        created if status == "done" else None,
                    )
                )
                for label in rng.sample(LABELS, rng.randint(0, 3)):
                    label_rows.append((n, label, project_id))
            await conn.copy_records_to_table(
                "task",
                records=task_rows,
                columns=[
                    "id",
                    "project_id",
                    "number",
                    "key",
                    "epic_id",
                    "title",
                    "status",
                    "priority",
                    "assignee_id",
                    "description",
                    "tdd_requirements",
                    "technical_details",
                    "acceptance_criteria",
                    "definition_of_done",
                    "estimate_size",
                    "estimate_hours",
                    "parallel",
                    "claimed_by",
                    "claim_token",
                    "lease_expires_at",
                    "version",
                    "created_at",
                    "updated_at",
                    "started_at",
                    "completed_at",
                ],
            )
            await conn.copy_records_to_table(
                "task_label", records=label_rows, columns=["task_id", "label", "project_id"]
            )
            edge_rows = [(w, d, project_id) for w, d in sorted(_edges(rng, tasks, edges))]
            await conn.copy_records_to_table(
                "task_edge", records=edge_rows, columns=["task_id", "depends_on_id", "project_id"]
            )
            # Serial columns were given explicit ids: move their sequences past them.
            for table in ("task", "epic"):
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT max(id) FROM {table}))"
                )
        # What autovacuum would soon do to freshly loaded tables: statistics, and a visibility
        # map so that index-only scans need not visit the heap.
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return Seeded(
        project_id=project_id,
        project_key=project_key,
        user_id=user_id,
        email=email,
        password=password,
        tasks=tasks,
        edges=len(edge_rows),
        labels=len(label_rows),
        epics=EPIC_COUNT,
        label_for_filter="backend",
    )
