"""A seeded project of small tasks with acyclic dependencies (only on tasks of earlier creation
batches), conflicting pairs and exclusive tasks in a few epics, created through the API in
concurrent batches."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.users import PASSWORD

API = "/api/v1"
Json = dict[str, Any]


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


def expect(response: httpx.Response, status: int) -> Json:
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
    expect(registered, 201)
    login = await http.post(f"{API}/auth/token", data={"username": email, "password": PASSWORD})
    return {"Authorization": f"Bearer {expect(login, 200)['access_token']}"}


async def build_project(
    clients: Sequence[httpx.AsyncClient], headers: Mapping[str, str], plan: ProjectPlan
) -> dict[int, str]:
    """Create the project, its epics and its tasks through the API (batches in parallel, spread
    over `clients`); returns the key the server gave each planned task."""
    first = clients[0]
    body = {"key": plan.key, "name": f"Stress {plan.key}"}
    expect(await first.post(f"{API}/projects", json=body, headers=headers), 201)
    for slug in plan.epics:
        epic = {"slug": slug, "title": slug.replace("-", " ").title()}
        expect(
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
        created = expect(await http.post(url, json=fields, headers=headers), 201)
        keys[task.index] = created["key"]

    for start in range(0, len(plan.tasks), plan.batch_size):
        await asyncio.gather(*map(create, plan.tasks[start : start + plan.batch_size]))
    return keys
