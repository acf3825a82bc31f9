"""Discrete-event simulation of N workers pulling from the ready queue.

Used to check that claim order (SPEC §4) keeps the makespan close to its lower bound
max(critical hours, remaining hours / workers). Work in progress starts at time 0 with its
full hours (the graph does not know how far along it is), even beyond the worker count;
resolved tasks are skipped; `blocked` tasks and live claims on open tasks are played out
like any open task, as in the plan. A cyclic graph raises CycleError.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable

from epicflow.graph.critical import acyclic_order
from epicflow.graph.model import Node
from epicflow.graph.pool import Occupancy, ReadyPool
from epicflow.graph.rules import Graph


class _Run:
    """One simulation: the clock, the running tasks and the queue of finish events."""

    def __init__(self, graph: Graph, workers: int) -> None:
        acyclic_order(graph)
        self.nodes = graph.node_map
        self.workers = workers
        self.pool = ReadyPool(graph, graph.claim_order(graph.open_keys))
        self.running = Occupancy(graph)
        self.events: list[tuple[float, int, str]] = []
        self.started = 0
        self.now = 0.0

    def start(self, key: str) -> None:
        """Put `key` on the clock; it is already among the running tasks."""
        self.started += 1
        # The start sequence number settles equal finish times without comparing keys.
        heapq.heappush(self.events, (self.now + self.nodes[key].hours, self.started, key))

    def finish(self, key: str) -> None:
        self.running.remove(key)
        self.pool.release_blocker(key)
        epic = self.nodes[key].epic
        if epic is not None:
            self.pool.release_epic(epic)
        self.pool.complete((key,))

    def fill(self) -> None:
        free = self.workers - len(self.running.keys)
        if free > 0:
            for key in self.pool.take(self.running, free):
                self.start(key)

    def advance(self) -> None:
        """Move the clock to the next finish time and finish everything due then."""
        self.now = self.events[0][0]
        while self.events and self.events[0][0] == self.now:
            self.finish(heapq.heappop(self.events)[2])


def simulate_makespan(nodes: Iterable[Node], workers: int) -> float:
    """Finish time of the last task when `workers` workers take ready tasks in claim order."""
    if workers < 1:
        raise ValueError("workers must be at least 1")
    run = _Run(Graph(nodes), workers)
    for key in run.pool.fill_initial():
        run.running.add(key)
        run.start(key)
    run.fill()
    while run.events:
        run.advance()
        run.fill()
    return run.now
