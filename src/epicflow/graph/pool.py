"""The tasks whose dependencies are done, handed out best first under rules 3 and 4.

Shared by the wave planner (the "occupants" are the tasks already in the current wave) and
the simulation (the occupants are the tasks running now).

Tasks are grouped by (epic, exclusive). When rule 4 keeps one task of a group out, it keeps
the whole group out, so the group is parked in one step instead of task by task; a task kept
out by a conflict is parked on the occupant it conflicts with. Parking instead of skipping
keeps a whole planning or simulation run O((V + E) log V), even with thousands of exclusive
tasks in one epic.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable

from epicflow.graph.rules import IN_PROGRESS, Graph

Group = tuple[str | None, bool]
_FREE: Group = (None, False)  # tasks without an epic: no exclusivity group, see Graph


class Occupancy:
    """Which tasks currently hold their epic and their conflicts."""

    __slots__ = ("_conflicts", "_epic_all", "_epic_exclusive", "_nodes", "keys")

    def __init__(self, graph: Graph) -> None:
        self._nodes = graph.node_map
        self._conflicts = graph.conflict_map
        self.keys: set[str] = set()
        self._epic_all: dict[str, int] = {}
        self._epic_exclusive: dict[str, int] = {}

    def add(self, key: str) -> None:
        self.keys.add(key)
        node = self._nodes[key]
        if node.epic is not None:
            self._epic_all[node.epic] = self._epic_all.get(node.epic, 0) + 1
            if not node.parallel:
                self._epic_exclusive[node.epic] = self._epic_exclusive.get(node.epic, 0) + 1

    def remove(self, key: str) -> None:
        self.keys.discard(key)
        node = self._nodes[key]
        if node.epic is not None:
            self._epic_all[node.epic] -= 1
            if not node.parallel:
                self._epic_exclusive[node.epic] -= 1

    def clear(self) -> None:
        self.keys.clear()
        self._epic_all.clear()
        self._epic_exclusive.clear()

    def group_blocked(self, group: Group) -> bool:
        epic, exclusive = group
        if epic is None:
            return False
        if exclusive:
            return self._epic_all.get(epic, 0) > 0
        return self._epic_exclusive.get(epic, 0) > 0

    def conflict_blocker(self, key: str) -> str | None:
        others = self._conflicts.get(key)
        if others:
            for other in others:
                if other in self.keys:
                    return other
        return None


class ReadyPool:
    """Available tasks in rank order; also tracks dependencies so finishing work adds more.

    Heaps hold positions in the caller's ranking rather than rank tuples: comparing ints is
    several times cheaper than comparing tuples, and heap work dominates a 100,000-task plan.
    """

    __slots__ = (
        "_dependents",
        "_gid_at",
        "_group_ids",
        "_groups",
        "_heaps",
        "_keys",
        "_live",
        "_nodes",
        "_parked_groups",
        "_parked_tasks",
        "_pending",
        "_pos",
        "_size",
        "_top",
    )

    def __init__(self, graph: Graph, ranked: list[str]) -> None:
        """`ranked`: every unresolved key, best first."""
        self._nodes = graph.node_map
        self._dependents = graph.dependents
        self._keys = ranked
        self._pos = {key: i for i, key in enumerate(ranked)}
        self._gid_at = [0] * len(ranked)
        self._pending = graph.pending_counts()
        self._group_ids: dict[Group, int] = {}
        self._groups: list[Group] = []
        self._heaps: list[list[int]] = []
        # The position each group is listed under in `_top`, or -1 while it is out of `_top`;
        # entries of `_top` that disagree are stale and dropped when they surface.
        self._live: list[int] = []
        self._top: list[int] = []
        self._parked_groups: set[int] = set()
        self._parked_tasks: dict[str, list[str]] = {}
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def fill_initial(self) -> list[str]:
        """Add every task with nothing left to wait on; return the tasks already in progress.

        Work in progress is not handed out: it is running, whatever its dependencies say.
        """
        running = []
        for key in self._keys:
            if self._nodes[key].status == IN_PROGRESS:
                running.append(key)
            elif self._pending[key] == 0:
                self.add(key)
        return running

    def complete(self, keys: Iterable[str]) -> None:
        """`keys` are finished: their dependents with nothing else to wait on become available."""
        pending, nodes = self._pending, self._nodes
        for key in keys:
            for dependent in self._dependents(key):
                count = pending.get(dependent)
                if count is not None:
                    pending[dependent] = count - 1
                    if count == 1 and nodes[dependent].status != IN_PROGRESS:
                        self.add(dependent)

    def add(self, key: str) -> None:
        node = self._nodes[key]
        group = _FREE if node.epic is None else (node.epic, not node.parallel)
        gid = self._group_ids.get(group)
        if gid is None:
            gid = self._new_group(group)
        pos = self._pos[key]
        self._gid_at[pos] = gid
        heapq.heappush(self._heaps[gid], pos)
        self._size += 1
        if gid not in self._parked_groups:
            live = self._live[gid]
            if live < 0 or pos < live:
                self._live[gid] = pos
                heapq.heappush(self._top, pos)

    def _new_group(self, group: Group) -> int:
        gid = self._group_ids[group] = len(self._groups)
        self._groups.append(group)
        self._heaps.append([])
        self._live.append(-1)
        return gid

    def _relist(self, gid: int) -> None:
        heap = self._heaps[gid]
        if heap:
            self._live[gid] = heap[0]
            heapq.heappush(self._top, heap[0])
        else:
            self._live[gid] = -1

    def take(self, occupants: Occupancy, limit: int | None) -> list[str]:
        """Up to `limit` best tasks the occupants allow, each joining the occupants as taken.

        Whatever the occupants rule out is parked until a release.
        """
        taken: list[str] = []
        top, live, gid_at, heaps, keys = (
            self._top,
            self._live,
            self._gid_at,
            self._heaps,
            self._keys,
        )
        while top and (limit is None or len(taken) < limit):
            pos = top[0]
            gid = gid_at[pos]
            if live[gid] != pos or self._park_group(gid, occupants):
                heapq.heappop(top)
                continue
            heap = heaps[gid]
            heapq.heappop(heap)
            # The group stays listed under its next task, replacing its entry in one step.
            if heap:
                live[gid] = heap[0]
                heapq.heapreplace(top, heap[0])
            else:
                live[gid] = -1
                heapq.heappop(top)
            key = keys[pos]
            if not self._park_conflicting(key, occupants):
                occupants.add(key)
                taken.append(key)
        self._size -= len(taken)
        return taken

    def _park_group(self, gid: int, occupants: Occupancy) -> bool:
        group = self._groups[gid]
        if group[0] is None or not occupants.group_blocked(group):
            return False
        self._live[gid] = -1
        self._parked_groups.add(gid)
        return True

    def _park_conflicting(self, key: str, occupants: Occupancy) -> bool:
        blocker = occupants.conflict_blocker(key)
        if blocker is None:
            return False
        self._parked_tasks.setdefault(blocker, []).append(key)
        return True

    def release_blocker(self, key: str) -> None:
        """`key` left the occupants: tasks parked on it may try again."""
        for parked in self._parked_tasks.pop(key, ()):
            self._size -= 1  # add() counts it again
            self.add(parked)

    def release_epic(self, epic: str) -> None:
        for exclusive in (False, True):
            gid = self._group_ids.get((epic, exclusive))
            if gid is not None and gid in self._parked_groups:
                self._parked_groups.discard(gid)
                self._relist(gid)

    def release_all(self) -> None:
        for blocker in list(self._parked_tasks):
            self.release_blocker(blocker)
        for gid in self._parked_groups:
            self._relist(gid)
        self._parked_groups.clear()
