"""Discrete-event simulation of N workers taking ready tasks in claim order."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from epicflow.graph import Node, critical_path, simulate_makespan
from tests.support.graph_strategies import graphs, unresolved


def task(key: str, status: str = "open", **kw: object) -> Node:
    return Node(key=key, number=int(key.split("-")[1]), status=status, **kw)  # type: ignore[arg-type]


class TestSimulatedMakespan:
    def test_a_chain_takes_the_sum_of_its_hours_whatever_the_workers(self) -> None:
        chain = [
            task("W-1", hours=1),
            task("W-2", hours=2, depends_on=("W-1",)),
            task("W-3", hours=3, depends_on=("W-2",)),
        ]
        assert simulate_makespan(chain, 1) == 6.0
        assert simulate_makespan(chain, 8) == 6.0

    def test_independent_tasks_are_shared_out(self) -> None:
        tasks = [task(f"W-{i}", hours=1) for i in range(1, 5)]
        assert simulate_makespan(tasks, 2) == 2.0
        assert simulate_makespan(tasks, 4) == 1.0

    def test_conflicting_tasks_never_overlap(self) -> None:
        tasks = [task("W-1", hours=1, conflicts_with=("W-2",)), task("W-2", hours=1)]
        assert simulate_makespan(tasks, 2) == 2.0

    def test_an_exclusive_task_runs_alone_in_its_epic(self) -> None:
        tasks = [
            task("W-1", epic="e", hours=1),
            task("W-2", epic="e", hours=1, parallel=False),
            task("W-3", epic="e", hours=1),
        ]
        assert simulate_makespan(tasks, 3) == 2.0

    def test_the_longest_chain_is_started_first(self) -> None:
        tasks = [
            task("W-1", hours=1),
            task("W-2", hours=1),
            task("W-3", hours=1),
            task("W-4", hours=3, depends_on=("W-3",)),
        ]
        assert simulate_makespan(tasks, 2) == 4.0

    def test_work_in_progress_starts_at_once_and_resolved_work_is_skipped(self) -> None:
        tasks = [
            task("W-1", "done", hours=5),
            task("W-2", "in_progress", hours=2),
            task("W-3", hours=1, depends_on=("W-2", "W-1")),
        ]
        assert simulate_makespan(tasks, 1) == 3.0

    def test_nothing_to_do_takes_no_time(self) -> None:
        assert simulate_makespan([task("W-1", "cancelled", hours=4)], 2) == 0.0

    def test_at_least_one_worker_is_needed(self) -> None:
        with pytest.raises(ValueError, match="workers"):
            simulate_makespan([], 0)


class TestSimulationProperties:
    @settings(max_examples=150, deadline=None)
    @given(graphs(), st.integers(min_value=1, max_value=5))
    def test_makespan_lies_between_the_lower_bound_and_serial_work(
        self, nodes: list[Node], workers: int
    ) -> None:
        todo = unresolved(nodes)
        serial = sum(n.hours for n in todo)
        lower = max(critical_path(nodes).hours, serial / workers)
        running = [n for n in todo if n.status == "in_progress"]
        open_keys = {n.key for n in todo}
        # Imported state may have work in progress ahead of its dependencies, or more of it
        # than there are workers; the lower bound only holds for states the rules allow.
        lawful = len(running) <= workers and not any(
            d in open_keys for n in running for d in n.depends_on
        )
        makespan = simulate_makespan(nodes, workers)
        assert makespan <= serial + 1e-9
        if lawful:
            assert makespan >= lower - 1e-9
