"""The wave plan (SPEC §5): which tasks can run side by side, wave after wave.

Decisions a caller should know:
- Tasks in progress are all in wave 1, even when imported state breaks rules 2-4 among them
  or there are more of them than workers: they are running, so the plan starts from there.
- Status `blocked` (an external blocker set by hand) is planned like `open`: the plan shows
  when the task could run once the blocker is lifted; its status shows the blocker.
- Tasks without an epic have no exclusivity group: `parallel: false` only binds inside an epic.
- When a wave cannot take every available task (worker cap, conflicts, exclusivity), the one
  with the longest downstream chain goes first, then priority, then number. Waves are filled
  greedily, so a task is left out of a wave only for one of those three reasons.
- A cyclic graph raises CycleError.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from epicflow.graph.critical import ScheduleEntry, acyclic_order, critical_path_of
from epicflow.graph.model import RESOLVED, Node
from epicflow.graph.pool import Occupancy, ReadyPool
from epicflow.graph.rules import IN_PROGRESS, Graph


@dataclass(frozen=True, slots=True)
class Wave:
    index: int  # from 1
    tasks: list[str]  # in the order they were placed: work in progress, then critical first
    hours: float  # the longest task of the wave


@dataclass(frozen=True, slots=True)
class Plan:
    waves: list[Wave]
    critical_path: list[str]
    critical_hours: float
    total_hours: float  # every task but cancelled ones
    remaining_hours: float  # tasks neither done nor cancelled
    projected_hours: float  # the sum of the waves' hours
    schedule: dict[str, ScheduleEntry] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of SPEC §8."""
        return {
            "waves": [
                {"index": w.index, "tasks": list(w.tasks), "hours": w.hours} for w in self.waves
            ],
            "critical_path": list(self.critical_path),
            "critical_hours": self.critical_hours,
            "total_hours": self.total_hours,
            "remaining_hours": self.remaining_hours,
            "projected_hours": self.projected_hours,
            "schedule": {
                key: {
                    "earliest_start": e.earliest_start,
                    "latest_start": e.latest_start,
                    "slack": e.slack,
                }
                for key, e in self.schedule.items()
            },
        }


def plan(nodes: Iterable[Node], workers: int | None = None, *, done_hours: float = 0.0) -> Plan:
    """The plan of SPEC §8. Resolved tasks only add their hours to `total_hours`, so a caller
    may leave the done ones out of `nodes` and pass the sum of their hours as `done_hours`."""
    if workers is not None and workers < 1:
        raise ValueError("workers must be at least 1")
    graph = Graph(nodes)
    crit = critical_path_of(graph)
    waves = _waves(graph, workers)
    every = graph.node_map.values()
    return Plan(
        waves=waves,
        critical_path=crit.path,
        critical_hours=crit.hours,
        total_hours=_sum([done_hours, *(n.hours for n in every if n.status != "cancelled")]),
        remaining_hours=_sum(n.hours for n in every if n.status not in RESOLVED),
        projected_hours=_sum(w.hours for w in waves),
        schedule=crit.schedule,
    )


def _sum(values: Iterable[float]) -> float:
    return round(sum(values), 9)


def plan_ranking(graph: Graph) -> list[str]:
    """Critical work first: downstream hours descending, then priority, then number."""
    down = graph.downstream_hours()
    # Walking the nodes in their own order, not the order of `down`, reads memory in sequence.
    ranked = [(-down[k], n.priority, n.number, k) for k, n in graph.node_map.items() if k in down]
    ranked.sort()
    return [entry[3] for entry in ranked]


def _waves(graph: Graph, workers: int | None) -> list[Wave]:
    acyclic_order(graph)
    ranking = plan_ranking(graph)
    engine = free_waves if is_unconstrained(graph) else constrained_waves
    nodes = graph.node_map
    return [
        Wave(index, keys, max(nodes[k].hours for k in keys))
        for index, keys in enumerate(engine(graph, ranking, workers), start=1)
    ]


def is_unconstrained(graph: Graph) -> bool:
    """True when no unresolved task has a conflict or is exclusive inside an epic."""
    todo = graph.open_keys
    return not graph.has_exclusive_work and not any(key in todo for key in graph.conflict_map)


def constrained_waves(graph: Graph, ranking: list[str], workers: int | None) -> list[list[str]]:
    """Greedy waves under rules 3 and 4, through the parking ReadyPool."""
    pool = ReadyPool(graph, ranking)
    occupants = Occupancy(graph)
    current = pool.fill_initial()  # already in rank order
    for key in current:
        occupants.add(key)
    waves: list[list[str]] = []
    while current or len(pool):
        room = None if workers is None else workers - len(current)
        current.extend(pool.take(occupants, room))
        waves.append(current)
        occupants.clear()
        pool.release_all()
        pool.complete(current)
        current = []
    return waves


def free_waves(graph: Graph, ranking: list[str], workers: int | None) -> list[list[str]]:
    """The same greedy waves when rules 3 and 4 cannot bite: one heap of rank positions.

    Most plans have no conflicts and no exclusive tasks, and this is several times faster.
    """
    if workers is None:
        return _layered_waves(graph, ranking)
    nodes, pending = graph.node_map, graph.pending_counts()
    position = {key: i for i, key in enumerate(ranking)}
    current = [k for k in ranking if nodes[k].status == IN_PROGRESS]
    # Positions in ascending order already form a valid heap.
    ready = [position[k] for k in ranking if pending[k] == 0 and nodes[k].status != IN_PROGRESS]
    waves: list[list[str]] = []
    while current or ready:
        if workers is None:
            ready.sort()
            current.extend(ranking[p] for p in ready)
            ready.clear()
        else:
            for _ in range(min(workers - len(current), len(ready))):
                current.append(ranking[heapq.heappop(ready)])
        waves.append(current)
        for key in current:
            for dependent in graph.dependents(key):
                count = pending.get(dependent)
                if count is not None:
                    pending[dependent] = count - 1
                    if count == 1 and nodes[dependent].status != IN_PROGRESS:
                        heapq.heappush(ready, position[dependent])
        current = []
    return waves


def _layered_waves(graph: Graph, ranking: list[str]) -> list[list[str]]:
    """Uncapped and unconstrained, a task's wave is simply one past its latest dependency's."""
    nodes, deps_of = graph.node_map, graph.dep_map
    level: dict[str, int] = {}
    for key in graph.unresolved_order():
        top = 0
        if nodes[key].status != IN_PROGRESS:  # work in progress is in wave 1 regardless
            for dep in deps_of[key]:
                below = level.get(dep)
                if below is not None and below > top:
                    top = below
        level[key] = top + 1
    waves: list[list[str]] = [[] for _ in range(max(level.values(), default=0))]
    # Work in progress leads wave 1, as in the other engines; then rank order.
    running = [k for k in ranking if nodes[k].status == IN_PROGRESS]
    if running:
        waves[0].extend(running)
    for key in ranking:
        if nodes[key].status != IN_PROGRESS:
            waves[level[key] - 1].append(key)
    return waves
