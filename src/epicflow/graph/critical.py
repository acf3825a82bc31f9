"""Critical path and per-task slack over the unresolved tasks (SPEC §5).

Resolved dependencies count as finished at time 0. Work in progress counts its full hours:
the graph does not know how far along it is. A cyclic graph raises CycleError, since no
schedule exists and rule 1 says it never happens.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from epicflow.graph.cycles import CycleError, find_any_cycle
from epicflow.graph.model import Node
from epicflow.graph.rules import Graph

# Hours that are multiples of 1/64 add and subtract exactly in floats, so the schedule comes
# out exact. Anything else (0.1, 1/3) picks up noise such as 2.9999999999999996, which
# rounding to 9 digits keeps out of API answers and off the zero slack of critical tasks.
_DIGITS = 9
_GRAIN = 64.0
_EXACT_LIMIT = 2.0**45  # far inside the 2**53 a float holds exactly, at 1/64 steps


class ScheduleEntry(NamedTuple):
    # A named tuple, not a dataclass: a plan builds one per task, and this is the cheaper one.
    earliest_start: float
    latest_start: float
    slack: float


@dataclass(frozen=True, slots=True)
class CriticalPath:
    path: list[str]  # in execution order
    hours: float
    schedule: dict[str, ScheduleEntry]


def acyclic_order(graph: Graph) -> list[str]:
    """Unresolved keys in dependency order, or CycleError naming a cycle among them."""
    order = graph.unresolved_order()
    todo = graph.open_keys
    if len(order) < len(todo):
        # Walk in the caller's order, so the same graph always reports the same cycle.
        deps = {k: [d for d in graph.deps(k) if d in todo] for k in graph.node_map if k in todo}
        cycle = find_any_cycle(deps)
        raise CycleError(cycle or [])
    return order


def exact_hours(nodes: Collection[Node]) -> bool:
    """True when every sum and difference of these tasks' hours is exact in floats."""
    hours = {n.hours for n in nodes}
    biggest = max((abs(h) for h in hours), default=0.0)
    small = biggest * len(nodes) < _EXACT_LIMIT
    return small and all((h * _GRAIN).is_integer() for h in hours)


def critical_path(nodes: Iterable[Node]) -> CriticalPath:
    return critical_path_of(Graph(nodes))


def critical_path_of(graph: Graph) -> CriticalPath:
    order = acyclic_order(graph)
    if not order:
        return CriticalPath([], 0.0, {})
    nodes = graph.node_map
    earliest, finish = _forward(graph, order)
    path = _path_back(graph, earliest, finish)
    # Latest start = project end minus the longest chain from the task to the end, which is
    # exactly its downstream hours.
    down = graph.downstream_hours()
    if exact_hours(nodes.values()):
        hours = finish[path[-1]]
        schedule = {k: _entry(s, hours - down[k], hours - down[k] - s) for k, s in earliest.items()}
    else:
        hours = round(finish[path[-1]], _DIGITS)
        schedule = _rounded_schedule(earliest, down, hours)
    for key in path:
        start = schedule[key].earliest_start
        schedule[key] = ScheduleEntry(start, start, 0.0)
    return CriticalPath(path, hours, schedule)


def _entry(earliest: float, latest: float, slack: float) -> ScheduleEntry:
    # tuple.__new__ skips the Python-level __new__ that NamedTuple generates, a cost that
    # shows when a plan builds one entry for each of 100,000 tasks.
    return tuple.__new__(ScheduleEntry, (earliest, latest, slack))


def _forward(graph: Graph, order: list[str]) -> tuple[dict[str, float], dict[str, float]]:
    """Earliest start and finish of each unresolved task, in dependency order."""
    nodes, deps_of = graph.node_map, graph.dep_map
    earliest: dict[str, float] = {}
    finish: dict[str, float] = {}
    for key in order:
        start = 0.0
        for dep in deps_of[key]:
            done = finish.get(dep)  # resolved dependencies are absent: done at time 0
            if done is not None and done > start:
                start = done
        earliest[key] = start
        finish[key] = start + nodes[key].hours
    return earliest, finish


def _path_back(graph: Graph, earliest: dict[str, float], finish: dict[str, float]) -> list[str]:
    """From the last task to finish, walk back through the dependency that set each start.

    Starts were taken as the maximum of these very floats, so equality is exact. Ties go to
    the lowest number, for a stable path.
    """
    end = max(finish.values())
    step: str | None = graph.by_number(k for k, done in finish.items() if done == end)[0]
    path: list[str] = []
    while step is not None:
        path.append(step)
        start = earliest[step]
        setters = [d for d in graph.deps(step) if d in finish and finish[d] == start]
        step = graph.by_number(setters)[0] if setters else None
    path.reverse()
    return path


def _rounded_schedule(
    earliest: dict[str, float], down: dict[str, float], hours: float
) -> dict[str, ScheduleEntry]:
    schedule: dict[str, ScheduleEntry] = {}
    for key, start in earliest.items():
        early = round(start, _DIGITS)
        late = round(max(hours - down[key], early), _DIGITS)
        schedule[key] = _entry(early, late, round(late - early, _DIGITS))
    return schedule
