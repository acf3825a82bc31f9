"""Graph: one O(V+E) index over the tasks, answering the start rules and the ready queue.

Dependencies on keys outside the graph are ignored (the caller decides what the graph holds,
e.g. one project), and a task never conflicts with itself. Conflicts are symmetric however
they were listed. Tasks without an epic have no exclusivity group: rule 4 speaks of "its
epic", so `parallel: false` on such a task binds nothing. Unknown keys passed to a query
raise KeyError.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet

from epicflow.graph.model import RESOLVED, Node, StartViolation

IN_PROGRESS = "in_progress"
_NONE: tuple[str, ...] = ()
_NO_KEYS: frozenset[str] = frozenset()


class Graph:
    """Read-only index over a set of tasks; build once per request, then query freely."""

    __slots__ = (
        "_conflicts",
        "_dependents",
        "_deps",
        "_down",
        "_exclusive",
        "_nodes",
        "_open",
        "_order",
        "_running",
        "_waiting",
    )

    def __init__(self, nodes: Iterable[Node]) -> None:
        index: dict[str, Node] = {}
        for node in nodes:
            if node.key in index:
                raise ValueError(f"duplicate task key {node.key!r}")
            index[node.key] = node
        self._nodes = index
        self._open = frozenset([k for k, n in index.items() if n.status not in RESOLVED])
        self._deps: dict[str, tuple[str, ...]] = {}
        self._dependents: dict[str, list[str]] = {}
        self._conflicts: dict[str, set[str]] = {}
        # Per epic, the tasks in progress: rule 4 only ever looks inside one epic.
        self._running: dict[str, list[str]] = {}
        self._exclusive = 0  # unresolved parallel=false tasks inside an epic
        self._index()
        self._down: dict[str, float] | None = None
        self._order: list[str] | None = None
        self._waiting: dict[str, int] | None = None

    def _index(self) -> None:
        known, deps_of, dependents = self._nodes, self._deps, self._dependents
        for key, node in known.items():
            deps = node.depends_on
            if deps:
                deps = _known(deps, known)
                for dep in deps:
                    waiting = dependents.get(dep)
                    if waiting is None:
                        dependents[dep] = [key]
                    else:
                        waiting.append(key)
            deps_of[key] = deps
            if node.conflicts_with:
                self._index_conflicts(key, node.conflicts_with)
            if node.epic is not None:
                self._index_epic(key, node, node.epic)

    def _index_epic(self, key: str, node: Node, epic: str) -> None:
        if node.status == IN_PROGRESS:
            self._running.setdefault(epic, []).append(key)
        if not node.parallel and node.status not in RESOLVED:
            self._exclusive += 1

    def _index_conflicts(self, key: str, others: tuple[str, ...]) -> None:
        for other in others:
            if other in self._nodes and other != key:
                self._conflicts.setdefault(key, set()).add(other)
                self._conflicts.setdefault(other, set()).add(key)

    # --- plain lookups, shared with the scheduling modules -------------------------------

    def __contains__(self, key: object) -> bool:
        return key in self._nodes

    def __len__(self) -> int:
        return len(self._nodes)

    def node(self, key: str) -> Node:
        return self._nodes[key]

    def nodes(self) -> list[Node]:
        return list(self._nodes.values())

    @property
    def node_map(self) -> Mapping[str, Node]:
        """Key to node, read-only: hot loops index it instead of calling node()."""
        return self._nodes

    @property
    def open_keys(self) -> AbstractSet[str]:
        """Keys of the unresolved tasks (neither done nor cancelled)."""
        return self._open

    @property
    def conflict_map(self) -> Mapping[str, AbstractSet[str]]:
        """Key to the keys it conflicts with; keys without conflicts are absent."""
        return self._conflicts

    @property
    def has_exclusive_work(self) -> bool:
        """True when an unresolved task has parallel=false inside an epic (rule 4 can bite)."""
        return self._exclusive > 0

    @property
    def dep_map(self) -> Mapping[str, tuple[str, ...]]:
        """Key to its known dependencies (see deps())."""
        return self._deps

    def deps(self, key: str) -> tuple[str, ...]:
        """Known dependencies of `key`, without duplicates, resolved or not."""
        return self._deps[key]

    def dependents(self, key: str) -> Sequence[str]:
        """Known tasks that depend on `key`, resolved or not."""
        return self._dependents.get(key, _NONE)

    def conflicts(self, key: str) -> AbstractSet[str]:
        """Tasks that conflict with `key`, listed on either side."""
        return self._conflicts.get(key, _NO_KEYS)

    def by_number(self, keys: Iterable[str]) -> list[str]:
        nodes = self._nodes
        return sorted(keys, key=lambda k: (nodes[k].number, k))

    # --- SPEC §2 rules ---------------------------------------------------------------------

    def blocked_by(self, key: str) -> list[str]:
        unresolved = self._open
        return self.by_number(d for d in self._deps[key] if d in unresolved)

    def start_violation(self, key: str) -> StartViolation | None:
        """The first of rules 2, 3, 4 that moving `key` to in_progress would break, if any."""
        blocking = self.blocked_by(key)
        if blocking:
            return StartViolation("blocked_by_dependencies", tuple(blocking))
        clashing = self.by_number(self._running_conflicts(key))
        if clashing:
            return StartViolation("conflict_in_progress", tuple(clashing))
        exclusive = self.by_number(self._exclusive_clash(key))
        if exclusive:
            return StartViolation("exclusive_task_running", tuple(exclusive))
        return None

    def _running_conflicts(self, key: str) -> list[str]:
        nodes = self._nodes
        return [k for k in self._conflicts.get(key, _NONE) if nodes[k].status == IN_PROGRESS]

    def _exclusive_clash(self, key: str) -> list[str]:
        node = self._nodes[key]
        if node.epic is None:
            return []
        others = [k for k in self._running.get(node.epic, _NONE) if k != key]
        if not node.parallel:
            return others
        return [k for k in others if not self._nodes[k].parallel]

    def waiting_on(self, key: str) -> list[tuple[str, str]]:
        """What an open task waits on, as (key, reason): its unresolved dependencies, its
        running conflicts, its rule 4 clashes, each by key number (SPEC 10.2; the task view's
        `waiting_on` in SQL, `tasks.readiness.waiting_on_rows`, is held equal by the tests)."""
        if self._nodes[key].status != "open":
            return []
        reasons = (
            ("dependency", self.blocked_by(key)),
            ("conflict", self.by_number(self._running_conflicts(key))),
            ("exclusive", self.by_number(self._exclusive_clash(key))),
        )
        return [(other, reason) for reason, others in reasons for other in others]

    def is_ready(self, key: str) -> bool:
        """Rule 5: open, unclaimed, and free to start under rules 2-4."""
        node = self._nodes[key]
        if node.status != "open" or node.claimed:
            return False
        return self.start_violation(key) is None

    def ready_keys(self) -> list[str]:
        return self.claim_order(k for k in self._nodes if self.is_ready(k))

    # --- ordering --------------------------------------------------------------------------

    def pending_counts(self) -> dict[str, int]:
        """For each unresolved task, how many of its dependencies are unresolved (a fresh dict)."""
        if self._waiting is None:
            unresolved, deps_of = self._open, self._deps
            waiting: dict[str, int] = {}
            for key in self._nodes:
                if key in unresolved:
                    count = 0
                    for dep in deps_of[key]:
                        if dep in unresolved:
                            count += 1
                    waiting[key] = count
            self._waiting = waiting
        return dict(self._waiting)

    def unresolved_order(self) -> list[str]:
        """Unresolved keys, each after its unresolved dependencies (Kahn's algorithm).

        Tasks on or behind a dependency cycle are left out, so a caller that needs every task
        compares the length with the number of unresolved tasks.
        """
        if self._order is None:
            waiting = self.pending_counts()
            dependents = self._dependents
            order = [k for k, count in waiting.items() if count == 0]
            for key in order:  # the list grows while it is walked: a breadth-first queue
                for dependent in dependents.get(key, _NONE):
                    count = waiting.get(dependent)
                    if count is not None:
                        waiting[dependent] = count - 1
                        if count == 1:
                            order.append(dependent)
            self._order = order
        return self._order

    def downstream_hours(self) -> dict[str, float]:
        """Own hours plus the longest effort-weighted chain of unresolved tasks waiting on it.

        A resolved task ends a chain: whatever waits on it no longer waits on its dependencies.
        On an (invalid) cyclic graph the tasks the order leaves out count only their own hours.
        """
        return dict(self._downstream())

    def _downstream(self) -> dict[str, float]:
        if self._down is None:
            nodes, dependents = self._nodes, self._dependents
            down: dict[str, float] = {}
            for key in reversed(self.unresolved_order()):
                tail = 0.0
                for dependent in dependents.get(key, _NONE):
                    hours = down.get(dependent)
                    if hours is not None and hours > tail:
                        tail = hours
                down[key] = nodes[key].hours + tail
            for key in self._open.difference(down):
                down[key] = nodes[key].hours
            self._down = down
        return self._down

    def claim_rank(self, key: str) -> tuple[int, float, int, str]:
        """Sort key of SPEC §4: priority, then downstream hours descending, then number.

        A resolved task has no downstream chain and ranks by its own hours.
        """
        node = self._nodes[key]
        return (node.priority, -self._downstream().get(key, node.hours), node.number, key)

    def claim_order(self, keys: Iterable[str]) -> list[str]:
        return sorted(keys, key=self.claim_rank)


def _known(deps: tuple[str, ...], nodes: Mapping[str, Node]) -> tuple[str, ...]:
    """`deps` without keys outside the graph or repeats, reusing the tuple when it is clean."""
    # One or two dependencies is the common case; checking them by hand is much cheaper.
    if len(deps) == 1:
        return deps if deps[0] in nodes else ()
    if len(deps) == 2 and deps[0] != deps[1] and deps[0] in nodes and deps[1] in nodes:
        return deps
    kept = [d for d in deps if d in nodes]
    if len(kept) > 1 and len(set(kept)) < len(kept):
        return tuple(dict.fromkeys(kept))
    return deps if len(kept) == len(deps) else tuple(kept)
